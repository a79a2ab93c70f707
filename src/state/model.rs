//! The window's picture of the world, fed by backend events: the meters
//! list, each meter's latest reading and bounded history, what discovery and
//! probes say of it, and running jobs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::SystemTime;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::found::{Found, ProbeFailure, Probed};
use super::history::History;
use super::whereabouts::Moved;
use crate::backend::link::EnergyKind;
use crate::backend::web::{Stage, WebOutcome};
use crate::backend::{Event, JobId, JobOutcome, LinkState, MeterKey};
use je08_client::discovery::Source;
use je08_client::endpoint::Endpoint;
use je08_client::http::HttpError;
use je08_client::modbus::traffic::TrafficLog;
use je08_protocol::codec::RegisterBlock;
use je08_protocol::http_api::{DEFAULT_HTTP_PORT, DEFAULT_OTA_PORT, Info};
use je08_protocol::mode::Mode;
use je08_protocol::readings::{Snapshot, WifiMode};

/// Where a meter's HTTP API and espota answer, besides Modbus. Either
/// field may be filled by whoever knows better (a discovery sighting, the
/// demo, the user); `None` means the spec's default port on the Modbus host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Endpoints {
    /// HTTP API address `host:port`; `None`: the Modbus host, port 80.
    pub http: Option<String>,
    /// espota UDP port on the HTTP host; `None`: 8266.
    pub ota: Option<u16>,
}

/// One row of the meters list: the window's session on a meter (address,
/// link, readings, jobs, the user's name and notes) together with what
/// discovery knows of it (`found.entry`, discovery's own [`registry
/// entry`](je08_client::discovery::MeterEntry)).
#[derive(Debug, Clone)]
pub struct MeterRow {
    /// The app's key.
    pub key: MeterKey,
    /// Modbus address (`host:port`).
    pub address: String,
    /// HTTP API and espota addresses.
    pub endpoints: Endpoints,
    /// User-chosen name.
    pub name: String,
    /// Free notes.
    pub notes: String,
    /// How it was found.
    pub sources: BTreeSet<Source>,
    /// Connection state.
    pub link: LinkState,
    /// Last reading.
    pub latest: Option<Arc<Snapshot>>,
    /// When the last reading arrived.
    pub last_seen: Option<SystemTime>,
    /// Recent readings for plots.
    pub history: History,
    /// Device id, once a reading or a discovery source told it.
    pub device_id: Option<u32>,
    /// A Modbus session was opened for this row (discovered rows get one
    /// only when the user selects or adds them).
    pub session: bool,
    /// What discovery and `/api/info` probes tell about this meter.
    pub found: Found,
    /// The meter seen at another address than `address`, not yet followed.
    pub moved: Option<Moved>,
    /// The raw registers of the last two readings (the registers view).
    pub registers: Registers,
    /// The session's Modbus exchanges, shared with it.
    pub traffic: Option<Arc<TrafficLog>>,
}

/// The raw registers of the last reading and of the one before, to show
/// which changed.
#[derive(Debug, Clone, Default)]
pub struct Registers {
    /// The last reading.
    pub now: Option<Arc<RegisterBlock>>,
    /// The reading before it.
    pub before: Option<Arc<RegisterBlock>>,
}

impl Registers {
    /// Register `addr` changed between the last two readings.
    pub fn changed(&self, addr: u16) -> bool {
        match (&self.now, &self.before) {
            (Some(now), Some(before)) => now.get(addr) != before.get(addr),
            _ => false,
        }
    }
}

impl MeterRow {
    /// A new entry not yet connected.
    pub fn new(key: MeterKey, address: String, name: String, source: Source) -> Self {
        Self {
            key,
            address,
            endpoints: Endpoints::default(),
            name,
            notes: String::new(),
            sources: BTreeSet::from([source]),
            link: LinkState::Connecting,
            latest: None,
            last_seen: None,
            history: History::default(),
            device_id: None,
            session: false,
            found: Found::default(),
            moved: None,
            registers: Registers::default(),
            traffic: None,
        }
    }

    /// The HTTP API address, where the interface password goes: the
    /// explicit one, else the host of the row's own address with the HTTP
    /// port discovery saw there, else port 80. Never an address discovery
    /// alone reported (see [`super::whereabouts`]).
    pub fn http_address(&self) -> String {
        if let Some(http) = &self.endpoints.http {
            return http.clone();
        }
        let host = self.trusted_host().unwrap_or_else(|| self.address.clone());
        let port = self
            .entry_here()
            .and_then(|e| e.ports.http)
            .unwrap_or(DEFAULT_HTTP_PORT);
        Endpoint { host, port }.to_string()
    }

    /// The espota UDP port (on the HTTP host): the explicit one, else what
    /// discovery saw at the row's own address, else 8266.
    pub fn ota_port(&self) -> u16 {
        self.endpoints
            .ota
            .or_else(|| self.entry_here().and_then(|e| e.ports.ota))
            .unwrap_or(DEFAULT_OTA_PORT)
    }

    /// The mode from the best source: a Modbus session answering now means
    /// application mode; otherwise the newest of discovery (mDNS TXT
    /// `mode=`, MQTT, scans) and the `/api/info` probe.
    pub fn mode(&self) -> Option<Mode> {
        if self.link == LinkState::Online {
            return Some(Mode::Application);
        }
        self.found.latest().and_then(|(_, mode)| mode)
    }

    /// True when the newest word about the meter is a failed `/api/info`
    /// probe (Modbus and HTTP both silent): it is unreachable, not in another
    /// mode.
    pub fn unreachable(&self) -> bool {
        self.link != LinkState::Online && matches!(self.found.latest(), Some((_, None)))
    }

    /// True when no source has seen the meter for a while and no session
    /// reads it.
    pub fn stale(&self) -> bool {
        self.link != LinkState::Online && self.found.entry.as_ref().is_some_and(|e| e.stale)
    }

    /// The Wi-Fi role for the LED mirror: from the last reading, else from
    /// `/api/info`.
    pub fn wifi(&self) -> Option<WifiMode> {
        self.latest.as_ref().map(|s| s.device.wifi_mode).or_else(|| {
            self.found
                .probe
                .as_ref()
                .and_then(|(_, r)| r.as_ref().ok().map(|p| p.wifi))
        })
    }

    /// Firmware text: from the last reading, else `/api/info`, else discovery.
    pub fn firmware(&self) -> Option<String> {
        if let Some(s) = &self.latest {
            return Some(format!(
                "ESP {} · STM32 {}",
                s.device.esp_version, s.device.stm32_version
            ));
        }
        if let Some((_, Ok(p))) = &self.found.probe {
            return Some(format!("ESP {} · STM32 {}", p.esp_version, p.stm32_version));
        }
        let entry = self.found.entry.as_ref()?;
        entry.firmware.map(|v| format!("ESP {v}"))
    }

    /// Every address discovery saw the meter at, latest first.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.found
            .entry
            .as_ref()
            .map(|e| e.addresses.iter().map(|a| a.ip).collect())
            .unwrap_or_default()
    }

    /// Take an `/api/info` answer: it is only the meter's word when the id
    /// matches (or the row's id is not known yet).
    pub fn take_probe(&mut self, at: SystemTime, result: Result<Box<Info>, HttpError>) {
        let result = match result {
            Ok(info) if self.device_id.is_some_and(|id| id != info.id) => Err(ProbeFailure::OtherMeter {
                answered: info.id,
                expected: self.device_id.unwrap_or_default(),
            }),
            Ok(info) => {
                self.device_id = Some(info.id);
                Ok(Probed::of(*info))
            }
            Err(why) => Err(ProbeFailure::Http(why)),
        };
        if result.is_ok() {
            self.last_seen = Some(self.last_seen.map_or(at, |t| t.max(at)));
        }
        self.found.probe = Some((at, result));
    }

    /// The name to show: the user's name, else the device id, else the address.
    pub fn title(&self) -> String {
        if !self.name.is_empty() {
            self.name.clone()
        } else if let Some(name) = self.found.device_name() {
            name.to_owned()
        } else if let Some(id) = self.device_id {
            format!("JE08 {id}")
        } else {
            self.address.clone()
        }
    }
}

/// Which HTTP API job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebKind {
    /// Reading identity, mode and settings.
    Read,
    /// Rebooting into another mode.
    SwitchMode,
    /// Saving a settings block.
    Save,
    /// Uploading certificates.
    UploadCerts,
    /// Updating the firmware.
    Flash,
}

impl WebKind {
    /// The kind of a piece of HTTP work.
    pub fn of(work: &crate::backend::web::WebJob) -> Self {
        use crate::backend::web::WebJob;
        match work {
            WebJob::Read => Self::Read,
            WebJob::SwitchMode(_) => Self::SwitchMode,
            WebJob::Save(_) => Self::Save,
            WebJob::UploadCerts { .. } => Self::UploadCerts,
            WebJob::Flash { .. } => Self::Flash,
        }
    }
}

/// What a job is doing, for its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Writing parameters.
    WriteSettings,
    /// Restoring default gains.
    RestoreDefaults,
    /// Zeroing energy.
    ResetEnergy(EnergyKind),
    /// Work over the HTTP API or espota.
    Web(WebKind),
}

/// A job as the UI tracks it.
#[derive(Debug, Clone)]
pub struct JobView {
    /// The meter it runs on.
    pub meter: MeterKey,
    /// What it does.
    pub kind: JobKind,
    /// Progress fraction when known.
    pub fraction: Option<f32>,
    /// Stage of an HTTP job.
    pub stage: Option<Stage>,
    /// The result once finished.
    pub outcome: Option<JobOutcome>,
}

/// Meters and jobs.
#[derive(Debug, Default)]
pub struct Model {
    /// Every meter, in list order.
    pub meters: Vec<MeterRow>,
    /// Jobs by id (finished ones are kept to show their outcome).
    pub jobs: BTreeMap<JobId, JobView>,
    next_key: u64,
    next_job: u64,
}

impl Model {
    /// A fresh meter key.
    pub fn new_key(&mut self) -> MeterKey {
        self.next_key += 1;
        MeterKey(self.next_key)
    }

    /// A fresh job id that no meter tracks (e.g. an MQTT command).
    pub fn new_job_id(&mut self) -> JobId {
        self.next_job += 1;
        JobId(self.next_job)
    }

    /// A fresh job id, registered as running.
    pub fn new_job(&mut self, meter: MeterKey, kind: JobKind) -> JobId {
        self.next_job += 1;
        let id = JobId(self.next_job);
        self.jobs.insert(
            id,
            JobView {
                meter,
                kind,
                fraction: None,
                stage: None,
                outcome: None,
            },
        );
        id
    }

    /// The meter with `key`.
    pub fn meter(&self, key: MeterKey) -> Option<&MeterRow> {
        self.meters.iter().find(|m| m.key == key)
    }

    /// The meter with `key`, mutable.
    pub fn meter_mut(&mut self, key: MeterKey) -> Option<&mut MeterRow> {
        self.meters.iter_mut().find(|m| m.key == key)
    }

    /// The meter at `address`, if listed.
    pub fn find_address(&self, address: &str) -> Option<MeterKey> {
        self.meters.iter().find(|m| m.address == address).map(|m| m.key)
    }

    /// The newest job of `kind` on `meter`.
    pub fn latest_job(&self, meter: MeterKey, kind: JobKind) -> Option<(JobId, &JobView)> {
        self.jobs
            .iter()
            .rev()
            .find(|(_, j)| j.meter == meter && j.kind == kind)
            .map(|(id, j)| (*id, j))
    }

    /// True when a job is still running on `meter`.
    pub fn busy(&self, meter: MeterKey) -> bool {
        self.jobs
            .values()
            .any(|j| j.meter == meter && j.outcome.is_none())
    }

    /// Fold one backend event in; true when something visible changed.
    pub fn apply(&mut self, event: Event) -> bool {
        match event {
            Event::Link { meter, state } => match self.meter_mut(meter) {
                Some(m) if m.link != state => {
                    m.link = state;
                    true
                }
                _ => false,
            },
            Event::Reading { meter, snapshot, at } => {
                let Some(m) = self.meter_mut(meter) else {
                    return false;
                };
                let t = at
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64());
                m.history.push(t, &snapshot.measurements);
                m.device_id = Some(snapshot.device.id);
                m.latest = Some(snapshot);
                m.last_seen = Some(at);
                true
            }
            Event::Registers { meter, block } => match self.meter_mut(meter) {
                Some(m) => {
                    let before = m.registers.now.replace(block);
                    m.registers.before = before;
                    true
                }
                None => false,
            },
            Event::Traffic { meter, log } => match self.meter_mut(meter) {
                Some(m) => {
                    m.traffic = Some(log);
                    true
                }
                None => false,
            },
            Event::Progress { job, fraction } => {
                if let Some(j) = self.jobs.get_mut(&job) {
                    j.fraction = fraction;
                }
                true
            }
            Event::Stage { job, stage } => {
                if let Some(j) = self.jobs.get_mut(&job) {
                    j.stage = Some(stage);
                }
                true
            }
            Event::Finished { job, outcome } => {
                let Some(j) = self.jobs.get_mut(&job) else {
                    return true;
                };
                let meter = j.meter;
                let info = match &outcome {
                    JobOutcome::Web(found) => match &**found {
                        WebOutcome::Read { info, .. }
                        | WebOutcome::Switched(info)
                        | WebOutcome::Flashed(info) => Some(info.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                j.outcome = Some(outcome);
                // What `/api/info` said is the meter's word on its mode.
                if let (Some(info), Some(row)) = (info, self.meters.iter_mut().find(|m| m.key == meter)) {
                    row.take_probe(SystemTime::now(), Ok(Box::new(info)));
                }
                true
            }
            Event::FilePicked { .. } | Event::Secret { .. } | Event::Mqtt(_) | Event::MqttFailed(_) => true,
            Event::FirmwareChecked { .. } | Event::CertsChecked(_) | Event::Discovery(_) => true,
            Event::Commissioning(_)
            | Event::RememberFailed(_)
            | Event::Provision(_)
            | Event::History(_)
            | Event::Journal(_)
            | Event::Support(_)
            | Event::Export(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_default_to_the_modbus_host_and_spec_ports() {
        let mut m = MeterRow::new(MeterKey(1), "10.0.0.7:1502".into(), String::new(), Source::Manual);
        assert_eq!(m.http_address(), "10.0.0.7:80");
        assert_eq!(m.ota_port(), 8266);
        m.endpoints = Endpoints {
            http: Some("127.0.0.1:8080".into()),
            ota: Some(18266),
        };
        assert_eq!(m.http_address(), "127.0.0.1:8080");
        assert_eq!(m.ota_port(), 18266);
        let bare = MeterRow::new(MeterKey(2), "meter-7.local".into(), String::new(), Source::Manual);
        assert_eq!(bare.http_address(), "meter-7.local:80");
    }
}
