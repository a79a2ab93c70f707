//! The UI's picture of the world, fed by backend events: the meters list,
//! each meter's latest reading and bounded history, and running jobs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::backend::history::History;
use crate::backend::link::EnergyKind;
use crate::backend::{Event, JobId, JobOutcome, LinkState, MeterKey};
use crate::protocol::readings::Snapshot;

/// How a meter became known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Source {
    /// Typed in by the user.
    Manual,
    /// Remembered from an earlier run.
    Remembered,
    /// Started by `je08 demo`.
    Demo,
    /// Found over mDNS.
    Mdns,
    /// Found by an address scan.
    Scan,
    /// Seen on an MQTT broker.
    Mqtt,
}

/// Operating mode of a meter, when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Normal operation.
    Application,
    /// Configuration web API only.
    Configuration,
    /// Firmware update only.
    Update,
}

/// One row of the meters list.
#[derive(Debug, Clone)]
pub struct MeterEntry {
    /// The app's key.
    pub key: MeterKey,
    /// Modbus address (`host:port`).
    pub address: String,
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
    pub found: super::discovered::Found,
}

impl MeterEntry {
    /// A new entry not yet connected.
    pub fn new(key: MeterKey, address: String, name: String, source: Source) -> Self {
        Self {
            key,
            address,
            name,
            notes: String::new(),
            sources: BTreeSet::from([source]),
            link: LinkState::Connecting,
            latest: None,
            last_seen: None,
            history: History::default(),
            device_id: None,
            session: false,
            found: super::discovered::Found::default(),
        }
    }

    /// The mode from the best source: Modbus answering now means
    /// application mode; otherwise the newest of mDNS TXT, MQTT, scans and
    /// the `/api/info` probe (see [`super::discovered`]).
    pub fn mode(&self) -> Option<Mode> {
        super::discovered::mode(self)
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

/// What a job is doing, for its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Writing parameters.
    WriteSettings,
    /// Restoring default gains.
    RestoreDefaults,
    /// Zeroing energy.
    ResetEnergy(EnergyKind),
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
    /// The result once finished.
    pub outcome: Option<JobOutcome>,
}

/// Meters and jobs.
#[derive(Debug, Default)]
pub struct Model {
    /// Every meter, in list order.
    pub meters: Vec<MeterEntry>,
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
                outcome: None,
            },
        );
        id
    }

    /// The meter with `key`.
    pub fn meter(&self, key: MeterKey) -> Option<&MeterEntry> {
        self.meters.iter().find(|m| m.key == key)
    }

    /// The meter with `key`, mutable.
    pub fn meter_mut(&mut self, key: MeterKey) -> Option<&mut MeterEntry> {
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
            Event::Progress { job, fraction } => {
                if let Some(j) = self.jobs.get_mut(&job) {
                    j.fraction = fraction;
                }
                true
            }
            Event::Finished { job, outcome } => {
                if let Some(j) = self.jobs.get_mut(&job) {
                    j.outcome = Some(outcome);
                }
                true
            }
            Event::FilePicked { .. } | Event::Secret { .. } | Event::Mqtt(_) | Event::MqttFailed(_) => true,
            Event::FirmwareChecked { .. } | Event::CertsChecked(_) | Event::Discovery(_) => true,
            Event::Commissioning(_) => true,
        }
    }
}
