//! Taking one meter straight from the box onto the plant network — the
//! steps `je08 provision` and the window's "Set up new meters" wizard
//! share. Reach the meter on its own access point, enter configuration
//! mode, write the connectivity block (station, SSID, Wi-Fi password, DHCP
//! or static, name, a new interface password) validated whole before it is
//! sent, reboot it into application mode, find the same device id on the
//! plant network, confirm it over Modbus and apply a profile.

mod failure;
mod find;

use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};
use tokio_util::sync::CancellationToken;

use crate::commissioning::journal;
use crate::commissioning::profile::{Access, ApplyStatus, Profile, apply};
use crate::i18n::{Describe, Msg, Tr};
use je08_client::discovery::scan::probe_modbus;
use je08_client::endpoint::{Endpoint, MeterAddress};
use je08_client::http::MeterHttp;
use je08_client::journal::{Change, Origin, Outcome as JournalOutcome};
use je08_protocol::http_api::{Connectivity, FACTORY_PASSWORD, Info, Mode, Secret, WifiMode};
use je08_protocol::readings::WifiMode as RegisterWifiMode;

pub use failure::ProvisionError;
pub use find::Finder;

/// The meter's address on its own access point (spec §1).
pub const FACTORY_AP: &str = "192.168.1.1";

/// How the meter gets its address on the plant network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    /// DHCP.
    Dhcp,
    /// A fixed address.
    Static {
        /// Address and prefix length.
        ip: StaticIp,
        /// Default gateway.
        gateway: Ipv4Addr,
        /// DNS server.
        dns: Ipv4Addr,
    },
}

/// A static IPv4 address with its prefix length (`192.168.0.50/24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaticIp {
    /// The address.
    pub ip: Ipv4Addr,
    /// Prefix length, 1 to 32.
    pub prefix: u8,
}

impl StaticIp {
    /// The prefix as a netmask.
    pub fn netmask(self) -> Ipv4Addr {
        Ipv4Addr::from(u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0))
    }

    /// The address `n` places further (the n-th meter of a batch), if it
    /// stays inside the same network.
    pub fn nth(self, n: u32) -> Option<Self> {
        let ip = u32::from(self.ip).checked_add(n)?;
        let mask = u32::from(self.netmask());
        (ip & mask == u32::from(self.ip) & mask).then(|| Self {
            ip: Ipv4Addr::from(ip),
            ..self
        })
    }
}

impl FromStr for StaticIp {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (ip, prefix) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| "expected IP/PREFIX, e.g. 192.168.0.50/24".to_owned())?;
        let ip = ip.parse::<Ipv4Addr>().map_err(|e| format!("{ip}: {e}"))?;
        let prefix = prefix
            .parse::<u8>()
            .ok()
            .filter(|p| (1..=32).contains(p))
            .ok_or_else(|| format!("{prefix}: the prefix is 1 to 32"))?;
        Ok(Self { ip, prefix })
    }
}

impl std::fmt::Display for StaticIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.ip, self.prefix)
    }
}

/// A meter name from a batch template: `{n}` is the meter's place in the
/// batch (1, 2, …), `{id}` its device id; `QGBT-{n}` → `QGBT-3`.
pub fn expand_name(template: &str, n: u32, id: u32) -> String {
    template
        .trim()
        .replace("{n}", &n.to_string())
        .replace("{id}", &id.to_string())
}

/// Everything one meter's provisioning needs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The meter on its access point (HTTP).
    pub ap: Endpoint,
    /// Network the meter joins.
    pub ssid: String,
    /// Its Wi-Fi password.
    pub wifi_password: Secret,
    /// DHCP or a static address.
    pub addressing: Addressing,
    /// Device name (MQTT, mDNS); `None` keeps the meter's.
    pub name: Option<String>,
    /// The interface password replacing the factory one.
    pub new_password: Secret,
    /// A profile applied once the meter has joined.
    pub profile: Option<Profile>,
    /// Where to look for it on the plant network.
    pub find: Finder,
    /// How long to look.
    pub wait: Duration,
    /// Deadline of each HTTP request.
    pub http_timeout: Duration,
    /// Who provisions (the activity journal says so).
    pub origin: Origin,
}

/// The steps, in order, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Asking the access point who answers (`/api/info`).
    Reach,
    /// Rebooting into configuration mode.
    EnterConfiguration,
    /// Writing the connectivity block.
    WriteConnectivity,
    /// Rebooting into application mode on the plant network.
    Reboot,
    /// Looking for the meter on the plant network.
    Find,
    /// Confirming its id and Wi-Fi mode over Modbus.
    Confirm,
    /// Applying the profile.
    ApplyProfile,
}

impl Step {
    /// How many steps there are.
    pub const COUNT: usize = 7;

    /// Share of the work done when this step starts, 0–1.
    pub fn fraction(self) -> f32 {
        self as usize as f32 / Self::COUNT as f32
    }
}

impl Describe for Step {
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::Reach => Msg::ProvisionStepReach,
            Self::EnterConfiguration => Msg::ProvisionStepConfig,
            Self::WriteConnectivity => Msg::ProvisionStepWrite,
            Self::Reboot => Msg::ProvisionStepReboot,
            Self::Find => Msg::ProvisionStepFind,
            Self::Confirm => Msg::ProvisionStepConfirm,
            Self::ApplyProfile => Msg::ProvisionStepProfile,
        })
        .to_owned()
    }
}

/// A meter that joined the plant network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    /// Device id.
    pub id: u32,
    /// Its device name.
    pub name: String,
    /// Where Modbus answers.
    pub modbus: SocketAddr,
    /// Where the HTTP API answers.
    pub http: SocketAddr,
    /// A profile was applied.
    pub profiled: bool,
}

/// One meter of the batch table.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    /// Place in the batch.
    pub n: u32,
    /// Device id.
    pub id: u32,
    /// Name given.
    pub name: String,
    /// Where Modbus answers now, when it joined.
    pub address: Option<SocketAddr>,
    /// Joined, or why not.
    pub result: Result<(), ProvisionError>,
    /// When it finished.
    pub at: DateTime<Local>,
    /// How long it took.
    pub took: Duration,
}

/// A row's result, as the table and the report say it.
pub fn result_text(row: &BatchRow, tr: Tr) -> String {
    match &row.result {
        Ok(()) => tr.t(Msg::SetupResultJoined).to_owned(),
        Err(why) => tr.f(Msg::SetupResultFailed, &[&why.describe(tr)]),
    }
}

/// Ask the access point at `ap` which meter answers (no password needed).
pub async fn reach(ap: &Endpoint, timeout: Duration) -> Result<Info, ProvisionError> {
    MeterHttp::new(&ap.host, ap.port, None)
        .with_timeout(timeout)
        .info()
        .await
        .map_err(|source| ProvisionError::ApNotReached {
            ap: ap.to_string(),
            source,
        })
}

/// The connectivity block `plan` gives meter `info`, validated whole:
/// an error means nothing may be sent.
pub fn connectivity(plan: &Plan, info: &Info) -> Result<Connectivity, ProvisionError> {
    let mut block = Connectivity::factory(info.id);
    block.wifi_mode = WifiMode::St;
    block.ssid = plan.ssid.clone();
    block.password = Some(plan.wifi_password.clone());
    block.interface_password = Some(plan.new_password.clone());
    block.device_name = match &plan.name {
        Some(name) => name.clone(),
        None if !info.name.is_empty() => info.name.clone(),
        None => block.device_name,
    };
    match plan.addressing {
        Addressing::Dhcp => block.dhcp = true,
        Addressing::Static { ip, gateway, dns } => {
            block.dhcp = false;
            block.ip = ip.ip.to_string();
            block.netmask = ip.netmask().to_string();
            block.gateway = gateway.to_string();
            block.dns = dns.to_string();
        }
    }
    block.validate().map_err(ProvisionError::Invalid)?;
    Ok(block)
}

/// Run every step after [`reach`] on meter `info`, saying each step to
/// `step` as it starts. Cancelling stops between steps (and while looking
/// for the meter); the error says whether the Wi-Fi settings were written.
pub async fn run(
    plan: &Plan,
    info: &Info,
    step: &(dyn Fn(Step) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<Joined, ProvisionError> {
    let id = info.id;
    let block = connectivity(plan, info)?;
    let cancelled = |written| ProvisionError::Cancelled { id, written };
    let http = MeterHttp::new(&plan.ap.host, plan.ap.port, Some(Secret::new(FACTORY_PASSWORD)))
        .with_timeout(plan.http_timeout);
    if info.mode != Mode::Configuration {
        step(Step::EnterConfiguration);
        let switched = cancel
            .run_until_cancelled(http.switch_mode(Mode::Configuration, Duration::from_secs(60)))
            .await
            .ok_or(cancelled(false))?;
        switched.map_err(|source| ProvisionError::ConfigurationMode { id, source })?;
    }
    if cancel.is_cancelled() {
        return Err(cancelled(false));
    }
    step(Step::WriteConnectivity);
    http.set_connectivity(&block)
        .await
        .map_err(|source| ProvisionError::Write { id, source })?;
    step(Step::Reboot);
    http.request_mode(Mode::Application)
        .await
        .map_err(|source| ProvisionError::Reboot { id, source })?;

    step(Step::Find);
    let deadline = Instant::now() + plan.wait;
    let found = cancel
        .run_until_cancelled(plan.find.find(id, deadline))
        .await
        .ok_or(cancelled(true))?
        .map_err(ProvisionError::Mdns)?;
    let at = found.ok_or_else(|| ProvisionError::NotFound {
        id,
        place: plan.find.place(),
        wait_s: plan.wait.as_secs(),
    })?;

    step(Step::Confirm);
    let identity = probe_modbus(at, Duration::from_secs(5))
        .await
        .map_err(|source| ProvisionError::Confirm { id, at, source })?;
    if identity.id != id || identity.wifi_mode != RegisterWifiMode::Station {
        return Err(ProvisionError::WrongMeter {
            at,
            found: identity.id,
            wifi_mode: identity.wifi_mode,
            id,
        });
    }
    let http_at = SocketAddr::new(at.ip(), plan.ap.port);
    if let Some(profile) = &plan.profile {
        step(Step::ApplyProfile);
        apply_profile(plan, profile, &block, (id, at), cancel).await?;
    }
    Ok(Joined {
        id,
        name: block.device_name,
        modbus: at,
        http: http_at,
        profiled: plan.profile.is_some(),
    })
}

/// [`run`], with its outcome appended to the activity journal as one
/// provisioning entry: what was asked (the Wi-Fi fields, passwords only as
/// "changed"), where the meter joined, done / refused / failed with why.
pub async fn run_journaled(
    plan: &Plan,
    info: &Info,
    step: &(dyn Fn(Step) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<Joined, ProvisionError> {
    let result = run(plan, info, step, cancel).await;
    let addressing = match plan.addressing {
        Addressing::Dhcp => "DHCP".to_owned(),
        Addressing::Static { ip, .. } => format!("static {ip}"),
    };
    let joined = result.as_ref().ok();
    let mut changes = vec![
        Change::new(
            "wifi_mode",
            None,
            Some("station".into()),
            joined.map(|_| "station".into()),
        ),
        Change::new(
            "ssid",
            Some(info.wifi.ssid.clone()),
            Some(plan.ssid.clone()),
            None,
        ),
        Change::secret("password"),
        Change::new(
            "addressing",
            None,
            Some(addressing),
            joined.map(|j| j.modbus.ip().to_string()),
        ),
        Change::secret("interface_password"),
    ];
    if let Some(name) = &plan.name {
        changes.push(Change::new(
            "device_name",
            Some(info.name.clone()),
            Some(name.clone()),
            joined.map(|j| j.name.clone()),
        ));
    }
    let outcome = result.as_ref().map(|_| ()).map_err(|e| {
        let class = match e {
            ProvisionError::Invalid(_) | ProvisionError::ProfileFile(_) => JournalOutcome::Refused,
            _ => JournalOutcome::Failed,
        };
        (class, e.describe(Tr::EN))
    });
    let asked = format!("join \"{}\" ({})", plan.ssid, plan.find.place());
    let address = joined.map_or_else(|| plan.ap.to_string(), |j| j.modbus.to_string());
    journal::record_provisioning(plan.origin, &address, Some(info.id), &asked, changes, outcome);
    result
}

/// Apply `profile` to meter `id`, joined at `at`; its Wi-Fi settings give way
/// to those just written.
async fn apply_profile(
    plan: &Plan,
    profile: &Profile,
    block: &Connectivity,
    (id, at): (u32, SocketAddr),
    cancel: &CancellationToken,
) -> Result<(), ProvisionError> {
    let mut profile = profile.clone();
    if let Some(http) = &mut profile.http {
        let c = &mut http.connectivity;
        c.wifi_mode = block.wifi_mode;
        c.ssid = block.ssid.clone();
        c.dhcp = block.dhcp;
        c.netmask = block.netmask.clone();
        c.gateway = block.gateway.clone();
        c.dns = block.dns.clone();
        if plan.name.is_some() {
            c.device_name = Some(block.device_name.clone());
        }
    }
    let meter = MeterAddress::new(&at.ip().to_string(), at.port(), plan.ap.port);
    let access = Access {
        password: block.interface_password.clone(),
        http_timeout: plan.http_timeout,
        origin: plan.origin,
        ..Access::default()
    };
    let results = apply(&profile, &[meter], false, &access, &|_, _| {}, cancel).await;
    match results
        .into_iter()
        .find(|r| !matches!(r.status, ApplyStatus::Ok | ApplyStatus::Changed))
    {
        None => Ok(()),
        Some(failed) => Err(ProvisionError::Profile {
            id,
            at,
            why: failed.reason.map(Box::new),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_addresses_parse_with_their_netmask() {
        let s: StaticIp = "192.168.0.50/24".parse().unwrap();
        assert_eq!(
            (s.ip, s.netmask()),
            (Ipv4Addr::new(192, 168, 0, 50), Ipv4Addr::new(255, 255, 255, 0))
        );
        let mask = |prefix| StaticIp { prefix, ..s }.netmask();
        assert_eq!(mask(32), Ipv4Addr::new(255, 255, 255, 255));
        assert_eq!(mask(8), Ipv4Addr::new(255, 0, 0, 0));
        for bad in ["192.168.0.50", "192.168.0.50/0", "192.168.0.50/33", "nope/24"] {
            assert!(bad.parse::<StaticIp>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_batch_counts_static_addresses_up_inside_the_network() {
        let s: StaticIp = "10.0.0.250/24".parse().unwrap();
        assert_eq!(s.nth(2).unwrap().to_string(), "10.0.0.252/24");
        assert_eq!(s.nth(6), None, "10.0.1.0 is another network");
    }

    #[test]
    fn names_come_from_a_template() {
        assert_eq!(expand_name("QGBT-{n}", 3, 1234), "QGBT-3");
        assert_eq!(expand_name(" {id}-{n} ", 1, 99), "99-1");
        assert_eq!(expand_name("Pump room", 2, 99), "Pump room");
    }
}
