//! Remembered meters: the names, notes and last addresses a person gave or
//! saw, kept in `meters.json` in the per-user data folder.
//!
//! The file is one JSON document with one meter per line, so that a damaged
//! file can be salvaged line by line. Reading is lenient: an entry that does
//! not parse is dropped, the original file is set aside as
//! `meters.json.corrupt-<time>` and the other entries are kept.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::atomic::write_atomically;
use super::data_dir;
use crate::texts::ClientMsg;
use je08_protocol::i18n::{Describe, Tr};

/// File name inside the data folder.
pub const FILE_NAME: &str = "meters.json";
/// Value of the document's `format` key.
const FORMAT: &str = "je08-meters";
/// Addresses remembered per meter.
const MAX_ADDRESSES: usize = 8;

/// What is remembered about one meter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedMeter {
    /// Device id.
    pub id: u32,
    /// Name given by a person (not the device name).
    #[serde(default)]
    pub name: Option<String>,
    /// Free-form notes.
    #[serde(default)]
    pub notes: String,
    /// Last addresses the meter was seen at, latest first.
    #[serde(default)]
    pub addresses: Vec<IpAddr>,
    /// Last Modbus port seen.
    #[serde(default)]
    pub modbus_port: Option<u16>,
    /// Last HTTP port seen.
    #[serde(default)]
    pub http_port: Option<u16>,
    /// Last time the meter was seen.
    #[serde(default)]
    pub last_seen: Option<DateTime<Utc>>,
}

impl RememberedMeter {
    /// A meter with nothing but its id.
    pub fn new(id: u32) -> Self {
        Self {
            id,
            name: None,
            notes: String::new(),
            addresses: Vec::new(),
            modbus_port: None,
            http_port: None,
            last_seen: None,
        }
    }
}

/// Failure to read or write the file itself (not its content); said in
/// words by its [`Describe`] (its English is its `Display`).
#[derive(Debug)]
pub enum StoreError {
    /// No per-user data folder could be determined.
    NoDataDir,
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// OS error.
        source: io::Error,
    },
    /// The file could not be written; the previous version is intact.
    Write {
        /// The file.
        path: PathBuf,
        /// OS error.
        source: io::Error,
    },
    /// A damaged file could not be set aside.
    SetAside {
        /// The file.
        path: PathBuf,
        /// OS error.
        source: io::Error,
    },
    /// An operation named a meter that is not remembered.
    Unknown(u32),
}

impl Describe for StoreError {
    fn describe(&self, tr: Tr) -> String {
        let at = |path: &PathBuf| path.display().to_string();
        match self {
            Self::NoDataDir => tr.f(ClientMsg::StoreNoDataDir, &[super::DATA_DIR_ENV]),
            Self::Read { path, source } => tr.f(ClientMsg::StoreRead, &[&at(path), &source.to_string()]),
            Self::Write { path, source } => tr.f(ClientMsg::StoreWrite, &[&at(path), &source.to_string()]),
            Self::SetAside { path, source } => {
                tr.f(ClientMsg::StoreSetAside, &[&at(path), &source.to_string()])
            }
            Self::Unknown(id) => tr.f(ClientMsg::StoreUnknown, &[&id.to_string()]),
        }
    }
}

je08_protocol::english_display!(StoreError);

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } | Self::Write { source, .. } | Self::SetAside { source, .. } => {
                Some(source)
            }
            Self::NoDataDir | Self::Unknown(_) => None,
        }
    }
}

/// What happened when a damaged file was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Where the damaged original now is.
    pub set_aside: PathBuf,
    /// Entries recovered.
    pub kept: usize,
    /// Entries that could not be read.
    pub lost: usize,
    /// What was wrong, for the person.
    pub problem: String,
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the remembered-meters file was damaged ({}); kept {} meter(s), could not read {}; \
             the original is saved as {}",
            self.problem,
            self.kept,
            self.lost,
            self.set_aside.display()
        )
    }
}

/// The remembered meters and the file they live in. Changes are in memory
/// until [`MeterStore::save`].
#[derive(Debug, Clone)]
pub struct MeterStore {
    path: PathBuf,
    meters: BTreeMap<u32, RememberedMeter>,
}

impl MeterStore {
    /// Open `meters.json` in the per-user data folder (or `JE08_DATA_DIR`).
    pub fn open_default() -> Result<(Self, Option<Recovery>), StoreError> {
        let dir = data_dir().ok_or(StoreError::NoDataDir)?;
        Self::open(dir.join(FILE_NAME))
    }

    /// Open the file at `path`; a missing file is an empty store. A damaged
    /// file is set aside, what could be read is kept and saved back, and the
    /// [`Recovery`] says so.
    pub fn open(path: PathBuf) -> Result<(Self, Option<Recovery>), StoreError> {
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let store = Self {
                    path,
                    meters: BTreeMap::new(),
                };
                return Ok((store, None));
            }
            Err(source) => return Err(StoreError::Read { path, source }),
        };
        let parsed = parse(&text);
        let store = Self {
            path,
            meters: parsed.meters.into_iter().map(|meter| (meter.id, meter)).collect(),
        };
        let Some(problem) = parsed.problem else {
            return Ok((store, None));
        };
        let set_aside = store.set_aside()?;
        store.save()?;
        let recovery = Recovery {
            set_aside,
            kept: store.meters.len(),
            lost: parsed.lost,
            problem,
        };
        tracing::warn!("{recovery}");
        Ok((store, Some(recovery)))
    }

    fn set_aside(&self) -> Result<PathBuf, StoreError> {
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".corrupt-{stamp}"));
        let target = PathBuf::from(name);
        std::fs::rename(&self.path, &target).map_err(|source| StoreError::SetAside {
            path: self.path.clone(),
            source,
        })?;
        Ok(target)
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every remembered meter, by id.
    pub fn meters(&self) -> impl Iterator<Item = &RememberedMeter> {
        self.meters.values()
    }

    /// One remembered meter.
    pub fn get(&self, id: u32) -> Option<&RememberedMeter> {
        self.meters.get(&id)
    }

    /// Remember a meter (no change if it already is); returns its record.
    pub fn add(&mut self, id: u32) -> &mut RememberedMeter {
        self.meters.entry(id).or_insert_with(|| RememberedMeter::new(id))
    }

    /// Give a remembered meter a name; an empty name clears it.
    pub fn rename(&mut self, id: u32, name: &str) -> Result<(), StoreError> {
        let meter = self.meters.get_mut(&id).ok_or(StoreError::Unknown(id))?;
        let name = name.trim();
        meter.name = (!name.is_empty()).then(|| name.to_owned());
        Ok(())
    }

    /// Replace a remembered meter's notes.
    pub fn set_notes(&mut self, id: u32, notes: &str) -> Result<(), StoreError> {
        let meter = self.meters.get_mut(&id).ok_or(StoreError::Unknown(id))?;
        meter.notes = notes.to_owned();
        Ok(())
    }

    /// Forget a meter; returns what was remembered.
    pub fn forget(&mut self, id: u32) -> Option<RememberedMeter> {
        self.meters.remove(&id)
    }

    /// Record that a remembered meter was seen at `ip` (latest first). Does
    /// nothing for meters not remembered; returns whether anything changed.
    pub fn note_seen(
        &mut self,
        id: u32,
        ip: Option<IpAddr>,
        modbus_port: Option<u16>,
        http_port: Option<u16>,
        at: DateTime<Utc>,
    ) -> bool {
        let Some(meter) = self.meters.get_mut(&id) else {
            return false;
        };
        let before = meter.clone();
        if meter.last_seen.is_none_or(|last| at >= last) {
            meter.last_seen = Some(at);
            if let Some(ip) = ip {
                meter.addresses.retain(|known| *known != ip);
                meter.addresses.insert(0, ip);
                meter.addresses.truncate(MAX_ADDRESSES);
            }
            meter.modbus_port = modbus_port.or(meter.modbus_port);
            meter.http_port = http_port.or(meter.http_port);
        }
        *meter != before
    }

    /// Write the store to its file atomically.
    pub fn save(&self) -> Result<(), StoreError> {
        write_atomically(&self.path, self.render().as_bytes()).map_err(|source| StoreError::Write {
            path: self.path.clone(),
            source,
        })
    }

    /// The file content: one JSON document, one meter per line.
    fn render(&self) -> String {
        let mut text = format!("{{\"format\":\"{FORMAT}\",\"version\":1,\"meters\":[\n");
        let lines: Vec<String> = self
            .meters
            .values()
            .filter_map(|meter| serde_json::to_string(meter).ok())
            .collect();
        text.push_str(&lines.join(",\n"));
        text.push_str("\n]}\n");
        text
    }
}

/// What a file's text yielded.
struct Parsed {
    meters: Vec<RememberedMeter>,
    lost: usize,
    problem: Option<String>,
}

/// Read the document; when it is not valid JSON, salvage entry lines one by one.
fn parse(text: &str) -> Parsed {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(document) => parse_document(&document),
        Err(err) => salvage(text, format!("not valid JSON: {err}")),
    }
}

fn parse_document(document: &serde_json::Value) -> Parsed {
    let Some(entries) = document.get("meters").and_then(|m| m.as_array()) else {
        return Parsed {
            meters: Vec::new(),
            lost: 0,
            problem: Some("no \"meters\" list".into()),
        };
    };
    let mut meters = Vec::new();
    let mut errors = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        match serde_json::from_value::<RememberedMeter>(entry.clone()) {
            Ok(meter) => meters.push(meter),
            Err(err) => errors.push(format!("entry {}: {err}", index + 1)),
        }
    }
    Parsed {
        lost: errors.len(),
        problem: (!errors.is_empty()).then(|| errors.join("; ")),
        meters,
    }
}

fn salvage(text: &str, problem: String) -> Parsed {
    let mut meters = Vec::new();
    let mut lost = 0;
    for line in text.lines() {
        let line = line.trim().trim_end_matches(',');
        if !line.starts_with("{\"id\"") {
            continue;
        }
        match serde_json::from_str::<RememberedMeter>(line) {
            Ok(meter) => meters.push(meter),
            Err(_) => lost += 1,
        }
    }
    Parsed {
        meters,
        lost,
        problem: Some(problem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path() -> PathBuf {
        std::env::temp_dir()
            .join(format!("je08-store-{}", rand::random::<u64>()))
            .join(FILE_NAME)
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn round_trip_keeps_everything() {
        let path = temp_path();
        let (mut store, recovery) = MeterStore::open(path.clone()).unwrap();
        assert!(recovery.is_none());
        assert_eq!(store.meters().count(), 0);
        store.add(7);
        store.rename(7, "  Panel 3 — feeder  ").unwrap();
        store.set_notes(7, "CT 200/5\nline two").unwrap();
        store.add(8);
        assert!(store.note_seen(7, Some(IpAddr::from([10, 0, 0, 1])), Some(502), None, at(0)));
        assert!(store.note_seen(7, Some(IpAddr::from([10, 0, 0, 2])), None, Some(80), at(5)));
        assert!(!store.note_seen(9, Some(IpAddr::from([10, 0, 0, 3])), None, None, at(5)));
        assert!(matches!(store.rename(9, "x"), Err(StoreError::Unknown(9))));
        store.save().unwrap();

        let (reopened, recovery) = MeterStore::open(path.clone()).unwrap();
        assert!(recovery.is_none());
        let meter = reopened.get(7).unwrap();
        assert_eq!(meter.name.as_deref(), Some("Panel 3 — feeder"));
        assert_eq!(meter.notes, "CT 200/5\nline two");
        assert_eq!(
            meter.addresses,
            [IpAddr::from([10, 0, 0, 2]), IpAddr::from([10, 0, 0, 1])]
        );
        assert_eq!((meter.modbus_port, meter.http_port), (Some(502), Some(80)));
        assert_eq!(meter.last_seen, Some(at(5)));
        assert_eq!(reopened.meters().map(|m| m.id).collect::<Vec<_>>(), [7, 8]);

        let mut store = reopened;
        assert!(store.forget(8).is_some());
        store.rename(7, "").unwrap();
        store.save().unwrap();
        let (reopened, _) = MeterStore::open(path.clone()).unwrap();
        assert_eq!(reopened.meters().count(), 1);
        assert_eq!(reopened.get(7).unwrap().name, None);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    fn set_aside_files(path: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".corrupt-"))
            .collect()
    }

    #[test]
    fn a_bad_entry_is_dropped_and_the_rest_kept() {
        let path = temp_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = "{\"format\":\"je08-meters\",\"version\":1,\"meters\":[\n\
                    {\"id\":7,\"name\":\"A\"},\n{\"id\":\"eight\"},\n{\"id\":9,\"notes\":\"n\"}\n]}\n";
        std::fs::write(&path, text).unwrap();
        let (store, recovery) = MeterStore::open(path.clone()).unwrap();
        let recovery = recovery.unwrap();
        assert_eq!((recovery.kept, recovery.lost), (2, 1));
        assert!(recovery.problem.contains("entry 2"), "{}", recovery.problem);
        assert_eq!(store.meters().map(|m| m.id).collect::<Vec<_>>(), [7, 9]);
        assert_eq!(set_aside_files(&path), std::slice::from_ref(&recovery.set_aside));
        assert_eq!(std::fs::read_to_string(&recovery.set_aside).unwrap(), text);
        let (again, recovery) = MeterStore::open(path.clone()).unwrap();
        assert!(recovery.is_none(), "the salvaged file was saved back");
        assert_eq!(again.meters().count(), 2);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_truncated_file_is_salvaged_line_by_line() {
        let path = temp_path();
        let (mut store, _) = MeterStore::open(path.clone()).unwrap();
        for id in [1, 2, 3] {
            store.add(id).notes = format!("meter {id}");
        }
        store.save().unwrap();
        let full = std::fs::read_to_string(&path).unwrap();
        let cut = &full[..full.find("{\"id\":3").unwrap() + 10];
        std::fs::write(&path, cut).unwrap();

        let (store, recovery) = MeterStore::open(path.clone()).unwrap();
        let recovery = recovery.unwrap();
        assert!(recovery.problem.starts_with("not valid JSON"));
        assert_eq!((recovery.kept, recovery.lost), (2, 1));
        assert_eq!(store.get(2).unwrap().notes, "meter 2");
        assert!(recovery.to_string().contains("kept 2 meter(s)"));
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn garbage_is_set_aside_without_a_crash() {
        let path = temp_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, [0xff, 0x00, b'{', b'x']).unwrap();
        let (store, recovery) = MeterStore::open(path.clone()).unwrap();
        assert_eq!(store.meters().count(), 0);
        assert_eq!(recovery.unwrap().kept, 0);
        assert_eq!(set_aside_files(&path).len(), 1);
        std::fs::write(&path, "[1,2]").unwrap();
        let (_, recovery) = MeterStore::open(path.clone()).unwrap();
        assert_eq!(recovery.unwrap().problem, "no \"meters\" list");
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
