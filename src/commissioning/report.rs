//! The commissioning report: per meter identity, firmware, the settings as
//! found (read at the start) and as left (read at the end, after the wiring
//! check and its optional fix), the wiring-check verdicts, a snapshot of
//! readings and the MQTT check, laid out as a PDF document ([`document`]).
//!
//! [`inspect`] collects one meter's [`MeterReport`]; the command line and
//! the window run it for each meter of a batch. A meter that cannot be
//! reported is [`NotReached`]; what could not be done for one that was is
//! a [`ReportNote`].

mod document;
mod failure;
mod header;
mod reason;

use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

pub use document::document;
pub use failure::{InspectError, NotReached, ReportNote};
pub use header::ReportHeader;
pub use reason::Reason;

use super::mqtt_check::{MqttCheck, MqttTarget, check_meter};
use super::profile::Access;
use super::sampler::WindowOptions;
use super::wiring_check::{FieldChange, WiringCheck, apply_fix, run_check};
use je08_client::endpoint::MeterAddress;
use je08_client::modbus::{ModbusClient, ModbusError};
use je08_net::mqtt_link::{BrokerLogin, CredentialFiles, Credentials, SetupError};
use je08_protocol::analysis::wiring::Expectation;
use je08_protocol::codec::decode;
use je08_protocol::http_api::{Connectivity, Info, Mode, Protocols};
use je08_protocol::mqtt::BrokerUrl;
use je08_protocol::readings::Settings;

/// What to do besides reading and checking.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// The wiring check window.
    pub window: WindowOptions,
    /// Expected load angles.
    pub expect: Expectation,
    /// Read the HTTP blocks (reboots into configuration mode and back
    /// before the check: the energy accumulators restart).
    pub http_blocks: bool,
    /// Offer the wiring check's register fix.
    pub fix: bool,
    /// MQTT check through this broker (`None`: with the meter's own broker
    /// when its HTTP blocks were read and name one, else none).
    pub broker: Option<BrokerLogin>,
    /// Credentials and TLS used when checking through the meter's own
    /// broker (its password is write-only and never read back; its user
    /// name is used when none is given here).
    pub own_broker: Option<Credentials>,
    /// Deadline of the MQTT check.
    pub mqtt_deadline: Duration,
    /// The session whose activity journal entries each meter's report
    /// lists: from this time on (today, from local midnight, by default).
    pub session_since: chrono::DateTime<chrono::Utc>,
    /// Who the journal says made the fix: the command line or the window.
    pub origin: je08_client::journal::Origin,
}

impl InspectOptions {
    /// A window, nothing else.
    pub fn new(window: WindowOptions) -> Self {
        Self {
            window,
            expect: Expectation::default(),
            http_blocks: false,
            fix: false,
            broker: None,
            own_broker: None,
            mqtt_deadline: Duration::from_secs(10),
            session_since: local_midnight(),
            origin: je08_client::journal::Origin::Cli,
        }
    }

    /// Check MQTT through `broker` logged in with `credentials`; without a
    /// broker, through each meter's own with them (when any is given). The
    /// PEM files are read and checked now.
    pub fn set_mqtt_login(
        &mut self,
        broker: Option<BrokerUrl>,
        credentials: &CredentialFiles,
    ) -> Result<(), SetupError> {
        match broker {
            Some(broker) => self.broker = Some(BrokerLogin::load(broker, credentials)?),
            None if !credentials.is_empty() => self.own_broker = Some(credentials.load()?),
            None => {}
        }
        Ok(())
    }
}

/// The HTTP blocks as read (passwords `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpBlocks {
    /// Connectivity block.
    pub connectivity: Connectivity,
    /// Protocols block.
    pub protocols: Protocols,
}

/// What the wiring fix did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixSummary {
    /// Registers written with their read-back.
    pub fields: Vec<FieldChange>,
    /// Every value read back as written and was saved.
    pub written_ok: bool,
    /// The check after the fix.
    pub after: WiringCheck,
}

/// One meter's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeterReport {
    /// The meter's addresses.
    pub meter: String,
    /// `/api/info` at the start (when the HTTP API answered).
    pub info: Option<Info>,
    /// Modbus settings read at the start.
    pub as_found: Settings,
    /// HTTP blocks read at the start (the report writes none).
    pub http_blocks: Option<HttpBlocks>,
    /// The wiring check.
    pub check: WiringCheck,
    /// The fix, when one was applied.
    pub fix: Option<FixSummary>,
    /// Modbus settings read at the end.
    pub as_left: Settings,
    /// The MQTT check, when a broker is known.
    pub mqtt: Option<MqttCheck>,
    /// Things that could not be done, for the reader.
    pub notes: Vec<ReportNote>,
    /// The activity journal's entries for this meter in the session, oldest first.
    pub journal: Vec<je08_client::journal::Entry>,
}

/// Today's local midnight, in UTC.
fn local_midnight() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone as _;
    let today = chrono::Local::now().date_naive().and_time(chrono::NaiveTime::MIN);
    chrono::Local
        .from_local_datetime(&today)
        .earliest()
        .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc))
}

/// The journal's entries for meter `id` since `since`, oldest first (none
/// when the journal cannot be read: the report says so through its absence).
async fn session_journal(id: u32, since: chrono::DateTime<chrono::Utc>) -> Vec<je08_client::journal::Entry> {
    let query = je08_client::journal::Query {
        meter: Some(id),
        since: Some(since),
        ..Default::default()
    };
    let read =
        tokio::task::spawn_blocking(move || je08_client::journal::Journal::open_default()?.read(&query))
            .await;
    match read {
        Ok(Ok(page)) => page.entries.into_iter().rev().collect(),
        Ok(Err(e)) => {
            tracing::warn!("the activity journal could not be read for the report: {e}");
            Vec::new()
        }
        Err(_) => Vec::new(),
    }
}

/// Read the HTTP blocks (rebooting into configuration mode and back when
/// the meter is in application mode); `Err` is the note saying why not.
async fn read_blocks(meter: &MeterAddress, access: &Access, info: &Info) -> Result<HttpBlocks, ReportNote> {
    let http = access.http(meter);
    let read = async || -> Result<HttpBlocks, ReportNote> {
        Ok(HttpBlocks {
            connectivity: http.connectivity().await.map_err(ReportNote::BlocksNotRead)?,
            protocols: http.protocols().await.map_err(ReportNote::BlocksNotRead)?,
        })
    };
    let to_application = async || {
        http.switch_mode(Mode::Application, access.reboot_deadline)
            .await
            .map_err(ReportNote::BlocksNotRead)
    };
    match info.mode {
        Mode::Configuration => {
            let blocks = read().await;
            to_application().await?;
            blocks
        }
        Mode::Application => {
            http.switch_mode(Mode::Configuration, access.reboot_deadline)
                .await
                .map_err(ReportNote::BlocksNotRead)?;
            let blocks = read().await;
            to_application().await?;
            blocks
        }
        Mode::Update => Err(ReportNote::BlocksInUpdateMode),
    }
}

/// Read the settings; after a reboot (`patience` > 0) the Modbus server may
/// open a moment after the HTTP API answers, so a failed read is repeated
/// (reads only) until `patience` has passed.
async fn read_settings(
    meter: &MeterAddress,
    access: &Access,
    patience: Duration,
) -> Result<Settings, ModbusError> {
    let start = std::time::Instant::now();
    loop {
        let mut client = ModbusClient::new(meter.modbus.clone(), access.modbus);
        let read = client.read_map().await;
        client.disconnect().await;
        match read {
            Ok(b) => return Ok(decode(&b).settings),
            Err(e) if start.elapsed() >= patience => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// How long to wait for Modbus after the HTTP API is back from a reboot.
const MODBUS_AFTER_BOOT: Duration = Duration::from_secs(5);

/// Where the MQTT check looks for meter `id`: through the given broker, or
/// through the meter's own (from its HTTP blocks) with the credentials
/// given for it; `None` when there is neither.
fn mqtt_plan(
    options: &InspectOptions,
    blocks: Option<&HttpBlocks>,
    id: u32,
) -> Result<Option<(BrokerLogin, MqttTarget)>, SetupError> {
    let target = blocks.map_or_else(
        || MqttTarget::with_default_topics(id),
        |b| MqttTarget {
            id,
            publish_topic: b.protocols.mqtt.publish_topic.clone(),
            subscribe_topic: b.protocols.mqtt.subscribe_topic.clone(),
        },
    );
    if let Some(login) = &options.broker {
        return Ok(Some((login.clone(), target)));
    }
    let Some(mqtt) = blocks.map(|b| &b.protocols.mqtt).filter(|m| m.enabled) else {
        return Ok(None);
    };
    let broker = BrokerUrl {
        tls: mqtt.tls.enabled,
        host: mqtt.host.clone(),
        port: u16::try_from(mqtt.port).map_err(|_| SetupError::NotATcpPort { port: mqtt.port })?,
    };
    let mut credentials = options.own_broker.clone().unwrap_or_default();
    if credentials.user.is_none() && !mqtt.username.is_empty() {
        credentials.user = Some(mqtt.username.clone());
    }
    Ok(Some((BrokerLogin { broker, credentials }, target)))
}

/// Inspect one meter: identity, settings as found, the wiring check, the fix
/// when `options.fix` and `confirm` agree, settings as left and the MQTT
/// check. `Err` when the meter's Modbus could not be read at all.
pub async fn inspect(
    meter: &MeterAddress,
    access: &Access,
    options: &InspectOptions,
    confirm: &(dyn Fn(&WiringCheck) -> bool + Send + Sync),
    cancel: &CancellationToken,
) -> Result<MeterReport, NotReached> {
    let not_reached = |why: InspectError| NotReached {
        meter: meter.to_string(),
        why,
    };
    let mut notes = Vec::new();
    let http = access.http(meter);
    let mut info = match http.info().await {
        Ok(info) => Some(info),
        Err(e) => {
            notes.push(ReportNote::HttpNotReached(e));
            None
        }
    };
    let mut http_blocks = None;
    if options.http_blocks
        && let Some(i) = &info
    {
        match read_blocks(meter, access, i).await {
            Ok(b) => http_blocks = Some(b),
            Err(note) => notes.push(note),
        }
        info = http.info().await.ok().or(info);
    }
    let patience = if http_blocks.is_some() {
        MODBUS_AFTER_BOOT
    } else {
        Duration::ZERO
    };
    let as_found = read_settings(meter, access, patience)
        .await
        .map_err(|e| not_reached(InspectError::Settings(e)))?;
    let mut client = ModbusClient::new(meter.modbus.clone(), access.modbus);
    let check = run_check(&mut client, options.window, &options.expect, |_, _| {}, cancel).await;
    let check = match check {
        Ok(c) => c,
        Err(e) => {
            client.disconnect().await;
            return Err(not_reached(InspectError::WiringCheck(e)));
        }
    };
    let mut fix = None;
    if options.fix && !check.report.register_fix().is_empty() {
        if confirm(&check) {
            match apply_fix(
                &mut client,
                options.origin,
                check.clone(),
                options.window,
                &options.expect,
                |_, _| {},
                cancel,
            )
            .await
            {
                Ok(outcome) => {
                    fix = Some(FixSummary {
                        fields: outcome.fields,
                        written_ok: outcome.written_ok,
                        after: outcome.after,
                    });
                }
                Err(e) => notes.push(ReportNote::FixFailed(e)),
            }
        } else {
            notes.push(ReportNote::FixNotConfirmed);
        }
    }
    client.disconnect().await;
    let as_left = match read_settings(meter, access, Duration::ZERO).await {
        Ok(s) => s,
        Err(e) => {
            notes.push(ReportNote::AsLeftNotRead(e));
            as_found
        }
    };
    let id = check.snapshot.device.id;
    let mqtt = match mqtt_plan(options, http_blocks.as_ref(), id) {
        Ok(Some((login, target))) => Some(check_meter(login, &target, options.mqtt_deadline).await),
        Ok(None) => None,
        Err(e) => {
            notes.push(ReportNote::MqttNotRun(e));
            None
        }
    };
    let journal = session_journal(id, options.session_since).await;
    Ok(MeterReport {
        journal,
        meter: meter.to_string(),
        info,
        as_found,
        http_blocks,
        check,
        fix,
        as_left,
        mqtt,
        notes,
    })
}
