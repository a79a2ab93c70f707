//! Configuration profiles: save one meter's settings to TOML and apply them
//! to many meters, each with a dry-run diff, write, read back and a result.
//!
//! A profile holds the metering settings (registers 9–19). Per-meter
//! identity (IP address, device name, MQTT client id, ids inside topics) is
//! never part of it, so applying a profile never copies one meter's
//! identity onto another.

use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::client::endpoint::Endpoint;
use crate::client::modbus::{ClientConfig, ModbusClient, ModbusError};
use crate::client::params::{ApplyOptions, apply_settings};
use crate::protocol::codec::decode;
use crate::protocol::readings::Settings;
use crate::protocol::registers::label;
use crate::protocol::validate::{WritePlan, settings_words};

/// Current profile file format.
pub const FORMAT: u32 = 1;

/// Where a profile came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileMeta {
    /// File format version.
    pub format: u32,
    /// Device id of the meter it was saved from (informative only).
    pub source_device_id: u32,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
    /// Free text.
    #[serde(default)]
    pub description: String,
}

/// A meter configuration without identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Origin.
    pub meta: ProfileMeta,
    /// Metering settings (CT ratio, inversions, gains).
    pub settings: Settings,
}

/// Why a profile could not be read or written.
#[derive(Debug, Error)]
pub enum ProfileError {
    /// File I/O.
    #[error("profile {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Not a valid profile.
    #[error("profile {path} is not a valid je08 profile: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The meter could not be read.
    #[error(transparent)]
    Modbus(#[from] ModbusError),
}

impl Profile {
    /// Parse and validate a profile (every setting within its register's range).
    pub fn from_toml(text: &str, path: &str) -> Result<Self, ProfileError> {
        let invalid = |reason: String| ProfileError::Invalid {
            path: path.to_string(),
            reason,
        };
        let profile: Profile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if profile.meta.format != FORMAT {
            return Err(invalid(format!(
                "format {} is not supported (this version reads format {FORMAT})",
                profile.meta.format
            )));
        }
        let words: Vec<(u16, i64)> = settings_words(&profile.settings)
            .into_iter()
            .map(|(a, v)| (a, i64::from(v)))
            .collect();
        WritePlan::new(&words).map_err(|e| invalid(e.to_string()))?;
        Ok(profile)
    }

    /// The TOML text, with a comment saying what is left out.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        Ok(format!(
            "# je08 configuration profile. Per-meter identity (IP address, device name,\n# MQTT client id, ids in topics) and secrets are never stored here.\n{}",
            toml::to_string_pretty(self)?
        ))
    }

    /// Read a profile file.
    pub fn load(path: &std::path::Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Write the profile atomically.
    pub fn save(&self, path: &std::path::Path) -> Result<(), ProfileError> {
        let text = self.to_toml().map_err(|e| ProfileError::Invalid {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        crate::store::atomic::write_atomically(path, text.as_bytes()).map_err(|source| ProfileError::Io {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Read a meter's configuration as a profile.
pub async fn capture(client: &mut ModbusClient, description: String) -> Result<Profile, ProfileError> {
    let snapshot = decode(&client.read_map().await?);
    Ok(Profile {
        meta: ProfileMeta {
            format: FORMAT,
            source_device_id: snapshot.device.id,
            saved_at: Utc::now(),
            description,
        },
        settings: snapshot.settings,
    })
}

/// One register that differs between a meter and the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    /// Register address.
    pub addr: u16,
    /// Register name.
    pub name: String,
    /// Value on the meter.
    pub current: u16,
    /// Value in the profile.
    pub wanted: u16,
    /// Value read back after writing (not in a dry run).
    pub read_back: Option<u16>,
}

/// Result of one meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyStatus {
    /// Already matched the profile; nothing written.
    Ok,
    /// Written, saved and read back as the profile.
    Changed,
    /// Dry run: these fields would change.
    WouldChange,
    /// Could not be read, written or verified.
    Failed,
}

/// What applying a profile did on one meter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeterResult {
    /// The meter.
    pub meter: String,
    /// Device id, when it could be read.
    pub device_id: Option<u32>,
    /// Outcome.
    pub status: ApplyStatus,
    /// Fields that differ(ed).
    pub diff: Vec<FieldDiff>,
    /// Why it failed.
    pub reason: Option<String>,
}

fn diff(current: &Settings, wanted: &Settings) -> Vec<FieldDiff> {
    settings_words(current)
        .into_iter()
        .zip(settings_words(wanted))
        .filter(|(c, w)| c.1 != w.1)
        .map(|(c, w)| FieldDiff {
            addr: c.0,
            name: label(c.0),
            current: c.1,
            wanted: w.1,
            read_back: None,
        })
        .collect()
}

async fn apply_one(meter: Endpoint, profile: &Profile, dry_run: bool, config: ClientConfig) -> MeterResult {
    let mut client = ModbusClient::new(meter.clone(), config);
    let mut result = MeterResult {
        meter: meter.to_string(),
        device_id: None,
        status: ApplyStatus::Failed,
        diff: Vec::new(),
        reason: None,
    };
    let snapshot = match client.read_map().await {
        Ok(block) => decode(&block),
        Err(e) => {
            result.reason = Some(format!("{e}; nothing was written"));
            return result;
        }
    };
    result.device_id = Some(snapshot.device.id);
    result.diff = diff(&snapshot.settings, &profile.settings);
    if result.diff.is_empty() {
        result.status = ApplyStatus::Ok;
    } else if dry_run {
        result.status = ApplyStatus::WouldChange;
    } else {
        let plan = WritePlan::between(&snapshot.settings, &profile.settings);
        match plan {
            Err(e) => result.reason = Some(format!("{e}; nothing was written")),
            Ok(plan) => match apply_settings(&mut client, &plan, ApplyOptions::default()).await {
                Err(e) => result.reason = Some(e.to_string()),
                Ok(outcome) => {
                    for d in &mut result.diff {
                        d.read_back = outcome
                            .fields
                            .iter()
                            .find(|f| f.addr == d.addr)
                            .map(|f| f.read_back);
                    }
                    if outcome.is_ok() {
                        result.status = ApplyStatus::Changed;
                    } else {
                        let list: Vec<String> = outcome.mismatches.iter().map(ToString::to_string).collect();
                        result.reason = Some(format!("read back differs: {}", list.join("; ")));
                    }
                }
            },
        }
    }
    client.disconnect().await;
    result
}

/// Apply `profile` to every meter concurrently; one failing meter does not
/// stop the others. With `dry_run` nothing is written.
pub async fn apply(
    profile: &Profile,
    meters: &[Endpoint],
    dry_run: bool,
    config: ClientConfig,
) -> Vec<MeterResult> {
    join_all(
        meters
            .iter()
            .map(|m| apply_one(m.clone(), profile, dry_run, config)),
    )
    .await
}
