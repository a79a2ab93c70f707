//! Applying a profile to many meters.
//!
//! Two phases, every meter concurrently and independently (a failing meter
//! never stops the others):
//!
//! 1. **Plan** (no write, no reboot): the meter must answer in application
//!    mode (and, for a backup, be the meter it was saved from); its Modbus
//!    settings are read and diffed against the file's (its own calibration
//!    gains kept unless the file is its backup), and the HTTP blocks the
//!    profile gives it are validated with its id and address. A dry run
//!    stops here. The HTTP blocks can only be read in configuration mode,
//!    so their diff is made in phase 2.
//! 2. **Write**: Modbus settings first (application mode: validate → write →
//!    SAVE_PARAMS → read back). Then, when the profile has HTTP blocks: reboot
//!    into configuration mode, read the blocks, write the ones that differ,
//!    read them back, and reboot into application mode (where they take
//!    effect), checking the device name the meter then reports.
//!
//! A meter that fails says why with an [`ApplyFailure`].

mod failure;

use std::time::Duration;

use futures::future::join_all;
use je08_client::journal::Origin;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

pub use self::failure::ApplyFailure;
use super::{BlockErrors, HttpProfile, Profile};
use je08_client::endpoint::MeterAddress;
use je08_client::http::{MeterHttp, REBOOT_DEADLINE, REQUEST_TIMEOUT};
use je08_client::modbus::{ClientConfig, ModbusClient};
use je08_client::params::{ApplyOptions, apply_settings_from};
use je08_protocol::codec::decode;
use je08_protocol::http_api::{Connectivity, Mode, Protocols, Secret};
use je08_protocol::readings::Settings;
use je08_protocol::registers::label;
use je08_protocol::validate::{WritePlan, settings_words};

/// How to reach the meters: Modbus deadlines, the HTTP interface password
/// (one for the batch) and deadlines.
#[derive(Clone)]
pub struct Access {
    /// Modbus client settings (deadline, backoff).
    pub modbus: ClientConfig,
    /// Interface password of the HTTP API.
    pub password: Option<Secret>,
    /// Deadline of one HTTP request.
    pub http_timeout: Duration,
    /// Deadline for a meter to come back after a reboot.
    pub reboot_deadline: Duration,
    /// Who applies it, for the activity journal.
    pub origin: Origin,
}

impl Default for Access {
    fn default() -> Self {
        Self {
            modbus: ClientConfig::default(),
            password: None,
            http_timeout: REQUEST_TIMEOUT,
            reboot_deadline: REBOOT_DEADLINE,
            origin: Origin::Cli,
        }
    }
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("modbus", &self.modbus)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("http_timeout", &self.http_timeout)
            .field("reboot_deadline", &self.reboot_deadline)
            .field("origin", &self.origin)
            .finish()
    }
}

impl Access {
    /// The HTTP client of a meter.
    pub fn http(&self, meter: &MeterAddress) -> MeterHttp {
        MeterHttp::new(&meter.http.host, meter.http.port, self.password.clone())
            .with_timeout(self.http_timeout)
    }
}

/// One field that differs between a meter and the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    /// `modbus`, `connectivity` or `protocols`.
    pub block: String,
    /// Register name or field path (`mqtt.client_id`).
    pub field: String,
    /// Value on the meter.
    pub current: String,
    /// Value the profile gives this meter.
    pub wanted: String,
    /// Value read back after writing (not in a dry run).
    pub read_back: Option<String>,
}

/// Result of one meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyStatus {
    /// Already matched the profile; nothing written.
    Ok,
    /// Written and read back as the profile.
    Changed,
    /// Dry run: these Modbus fields would change.
    WouldChange,
    /// Could not be read, validated, written or verified.
    Failed,
    /// Cancelled before anything was written.
    Cancelled,
}

/// Where one meter is in [`apply`], for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Reading and validating (no change).
    Planning,
    /// Writing the Modbus settings.
    WritingModbus,
    /// Rebooting into configuration mode.
    EnteringConfiguration,
    /// Writing and reading back the HTTP blocks.
    WritingHttp,
    /// Rebooting into application mode.
    ReturningToApplication,
    /// Finished (see its [`MeterResult`]).
    Done,
}

/// What applying a profile did on one meter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeterResult {
    /// The meter (`HOST:MODBUS_PORT,http=PORT`).
    pub meter: String,
    /// Device id, when it could be read.
    pub device_id: Option<u32>,
    /// Outcome.
    pub status: ApplyStatus,
    /// Fields that differ(ed), Modbus and HTTP.
    pub diff: Vec<FieldDiff>,
    /// The HTTP blocks were compared (they need configuration mode: not in
    /// a dry run).
    pub http_checked: bool,
    /// The meter was rebooted (its energy accumulators restarted).
    pub rebooted: bool,
    /// Why it failed or was cancelled (its English sentence in JSON).
    pub reason: Option<ApplyFailure>,
}

impl MeterResult {
    fn new(meter: &MeterAddress) -> Self {
        Self {
            meter: meter.to_string(),
            device_id: None,
            status: ApplyStatus::Failed,
            diff: Vec::new(),
            http_checked: false,
            rebooted: false,
            reason: None,
        }
    }

    fn fail(mut self, reason: ApplyFailure) -> Self {
        self.status = ApplyStatus::Failed;
        self.reason = Some(reason);
        self
    }

    fn cancel(mut self, reason: ApplyFailure) -> Self {
        self.status = ApplyStatus::Cancelled;
        self.reason = Some(reason);
        self
    }
}

fn modbus_diff(current: &Settings, wanted: &Settings) -> Vec<FieldDiff> {
    settings_words(current)
        .into_iter()
        .zip(settings_words(wanted))
        .filter(|(c, w)| c.1 != w.1)
        .map(|(c, w)| FieldDiff {
            block: "modbus".into(),
            field: label(c.0),
            current: c.1.to_string(),
            wanted: w.1.to_string(),
            read_back: None,
        })
        .collect()
}

/// Leaf values of a JSON object as `path → text`.
fn leaves(value: &serde_json::Value, prefix: &str, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(v, &path, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// A block's fields as `(path, value)` pairs in a stable order (`null` for
/// a redacted password).
pub(crate) fn flatten<T: Serialize>(block: &T) -> Vec<(String, String)> {
    let mut out = Vec::new();
    leaves(&serde_json::to_value(block).unwrap_or_default(), "", &mut out);
    out
}

/// Field-by-field difference of two blocks as a GET shows them (passwords
/// `null` on both sides, so never compared nor shown).
fn block_diff<T: Serialize>(block: &str, current: &T, wanted: &T) -> Vec<FieldDiff> {
    flatten(current)
        .into_iter()
        .zip(flatten(wanted))
        .filter(|(c, w)| c.1 != w.1)
        .map(|(c, w)| FieldDiff {
            block: block.into(),
            field: c.0,
            current: c.1,
            wanted: w.1,
            read_back: None,
        })
        .collect()
}

/// A meter that passed phase 1.
struct Planned {
    result: MeterResult,
    settings: Settings,
    /// What the file gives this meter (its own gains unless a backup of it).
    wanted: Settings,
}

async fn plan(meter: &MeterAddress, profile: &Profile, access: &Access) -> Result<Planned, MeterResult> {
    let result = MeterResult::new(meter);
    let info = match &profile.http {
        None => None,
        Some(_) => match access.http(meter).info().await {
            Ok(info) if info.mode == Mode::Application => Some(info),
            Ok(info) => {
                return Err(result.fail(ApplyFailure::WrongMode {
                    meter: meter.http.to_string(),
                    mode: info.mode,
                }));
            }
            Err(e) => return Err(result.fail(ApplyFailure::InfoUnread(e))),
        },
    };
    let mut client = ModbusClient::new(meter.modbus.clone(), access.modbus);
    let read = client.read_map().await;
    client.disconnect().await;
    let snapshot = match read {
        Ok(block) => decode(&block),
        Err(e) => return Err(result.fail(ApplyFailure::SettingsUnread(e))),
    };
    let mut result = result;
    let id = snapshot.device.id;
    result.device_id = Some(id);
    if let Some(info) = &info
        && info.id != id
    {
        return Err(result.fail(ApplyFailure::IdMismatch {
            modbus_id: id,
            http_id: info.id,
        }));
    }
    if let Some(backup_of) = profile.meta.backup_of
        && backup_of != id
    {
        return Err(result.fail(ApplyFailure::OtherMeter { backup_of, id }));
    }
    let wanted = profile.settings.for_meter(&snapshot.settings);
    if let Err(e) = WritePlan::between(&snapshot.settings, &wanted) {
        return Err(result.fail(ApplyFailure::Invalid(e)));
    }
    if let (Some(http), Some(info)) = (&profile.http, &info)
        && let Err(errors) = http.validate_for(id, &info.ip, &info.name, &format!("je08-{id}"))
    {
        return Err(result.fail(ApplyFailure::InvalidFor { id, errors }));
    }
    result.diff = modbus_diff(&snapshot.settings, &wanted);
    Ok(Planned {
        result,
        settings: snapshot.settings,
        wanted,
    })
}

async fn write_modbus(
    meter: &MeterAddress,
    access: &Access,
    planned: &mut Planned,
) -> Result<(), ApplyFailure> {
    let plan = WritePlan::between(&planned.settings, &planned.wanted).map_err(ApplyFailure::Invalid)?;
    let mut client = ModbusClient::new(meter.modbus.clone(), access.modbus);
    let outcome = apply_settings_from(&mut client, &planned.settings, &plan, ApplyOptions::default()).await;
    client.disconnect().await;
    let outcome = outcome.map_err(ApplyFailure::Write)?;
    for d in &mut planned.result.diff {
        d.read_back = outcome
            .fields
            .iter()
            .find(|f| label(f.addr) == d.field)
            .map(|f| f.read_back.to_string());
    }
    if !outcome.is_ok() {
        return Err(ApplyFailure::RegistersReadBack(outcome.mismatches));
    }
    Ok(())
}

/// In configuration mode: diff, write and read back the HTTP blocks.
/// Returns the device name the meter should report afterwards.
async fn write_blocks(
    http: &MeterHttp,
    profile: &HttpProfile,
    id: u32,
    result: &mut MeterResult,
) -> Result<String, ApplyFailure> {
    let read = async || -> Result<(Connectivity, Protocols), ApplyFailure> {
        let c = http.connectivity().await.map_err(ApplyFailure::Http)?;
        let p = http.protocols().await.map_err(ApplyFailure::Http)?;
        Ok((c, p))
    };
    let (conn, proto) = read().await?;
    let (want_conn, want_proto) = profile.blocks_for(id, (&conn, &proto));
    BlockErrors::check(&want_conn, &want_proto).map_err(ApplyFailure::BlocksInvalid)?;
    let conn_diff = block_diff("connectivity", &conn.redacted(), &want_conn);
    let proto_diff = block_diff("protocols", &proto.redacted(), &want_proto);
    result.http_checked = true;
    if !conn_diff.is_empty() {
        http.set_connectivity(&want_conn)
            .await
            .map_err(ApplyFailure::Http)?;
    }
    if !proto_diff.is_empty() {
        http.set_protocols(&want_proto)
            .await
            .map_err(ApplyFailure::Http)?;
    }
    let wrote = !conn_diff.is_empty() || !proto_diff.is_empty();
    result.diff.extend(conn_diff);
    result.diff.extend(proto_diff);
    if wrote {
        let (conn, proto) = read().await?;
        let mut back = block_diff("connectivity", &conn.redacted(), &want_conn);
        back.extend(block_diff("protocols", &proto.redacted(), &want_proto));
        for d in result.diff.iter_mut().filter(|d| d.block != "modbus") {
            let mismatch = back.iter().find(|b| b.block == d.block && b.field == d.field);
            d.read_back = Some(mismatch.map_or_else(|| d.wanted.clone(), |b| b.current.clone()));
        }
        if !back.is_empty() {
            return Err(ApplyFailure::BlocksReadBack(back));
        }
    }
    Ok(want_conn.device_name)
}

async fn write_http(
    meter: &MeterAddress,
    profile: &HttpProfile,
    access: &Access,
    id: u32,
    result: &mut MeterResult,
    step: &(dyn Fn(&MeterAddress, Step) + Send + Sync),
) -> Result<(), ApplyFailure> {
    let http = access.http(meter);
    step(meter, Step::EnteringConfiguration);
    result.rebooted = true;
    http.switch_mode(Mode::Configuration, access.reboot_deadline)
        .await
        .map_err(ApplyFailure::EnterConfiguration)?;
    step(meter, Step::WritingHttp);
    let written = write_blocks(&http, profile, id, result).await;
    step(meter, Step::ReturningToApplication);
    let back = http.switch_mode(Mode::Application, access.reboot_deadline).await;
    let name = written?;
    let info = back.map_err(ApplyFailure::NotReturned)?;
    if info.name != name {
        return Err(ApplyFailure::NameReadBack {
            reported: info.name,
            written: name,
        });
    }
    Ok(())
}

async fn apply_one(
    meter: &MeterAddress,
    profile: &Profile,
    dry_run: bool,
    access: &Access,
    step: &(dyn Fn(&MeterAddress, Step) + Send + Sync),
    cancel: &CancellationToken,
) -> MeterResult {
    step(meter, Step::Planning);
    let mut planned = match plan(meter, profile, access).await {
        Ok(p) => p,
        Err(result) => return result,
    };
    let id = planned.result.device_id.unwrap_or_default();
    if dry_run {
        let mut result = planned.result;
        result.status = if result.diff.is_empty() {
            ApplyStatus::Ok
        } else {
            ApplyStatus::WouldChange
        };
        return result;
    }
    if cancel.is_cancelled() {
        return planned.result.cancel(ApplyFailure::Cancelled);
    }
    if !planned.result.diff.is_empty() {
        step(meter, Step::WritingModbus);
        if let Err(e) = write_modbus(meter, access, &mut planned).await {
            return planned.result.fail(e);
        }
    }
    let mut result = planned.result;
    if let Some(http) = &profile.http {
        if cancel.is_cancelled() {
            return result.cancel(ApplyFailure::CancelledBeforeHttp);
        }
        if let Err(e) = write_http(meter, http, access, id, &mut result, step).await {
            return result.fail(e);
        }
    }
    result.status = if result.diff.is_empty() {
        ApplyStatus::Ok
    } else {
        ApplyStatus::Changed
    };
    result
}

/// Apply `profile` to every meter concurrently; one failing meter does not
/// stop the others. With `dry_run` nothing is written and no meter reboots
/// (only the Modbus settings are diffed). `step` reports progress;
/// `cancel` stops before the next write (a started write finishes, and a
/// meter in configuration mode is still returned to application mode).
pub async fn apply(
    profile: &Profile,
    meters: &[MeterAddress],
    dry_run: bool,
    access: &Access,
    step: &(dyn Fn(&MeterAddress, Step) + Send + Sync),
    cancel: &CancellationToken,
) -> Vec<MeterResult> {
    join_all(meters.iter().map(|m| async move {
        let result = apply_one(m, profile, dry_run, access, step, cancel).await;
        step(m, Step::Done);
        if !dry_run {
            crate::commissioning::journal::profile_applied(access.origin, profile, &result);
        }
        result
    }))
    .await
}
