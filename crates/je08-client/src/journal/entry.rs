//! One journal entry: who changed what on which meter, what the meter
//! confirmed, and how it ended.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Local, Utc};
use serde::{Deserialize, Serialize};

/// What kind of change an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Modbus settings (CT ratio, inversions, gains).
    Settings,
    /// Energy accumulators zeroed.
    EnergyReset,
    /// Operating mode switched.
    Mode,
    /// Meter restarted.
    Reboot,
    /// Factory network settings restored.
    NetworkReset,
    /// A configuration block (connectivity, protocols, CT) written.
    Config,
    /// A certificate uploaded or deleted.
    Certificate,
    /// A firmware image pushed.
    Firmware,
    /// A gain calibrated against a reference instrument.
    Calibration,
    /// A profile applied.
    Profile,
    /// A meter from the box joined to a network.
    Provisioning,
}

impl Kind {
    /// Every kind, in the order the journal page lists them.
    pub const ALL: [Kind; 11] = [
        Kind::Settings,
        Kind::EnergyReset,
        Kind::Mode,
        Kind::Reboot,
        Kind::NetworkReset,
        Kind::Config,
        Kind::Certificate,
        Kind::Firmware,
        Kind::Calibration,
        Kind::Profile,
        Kind::Provisioning,
    ];

    /// The kebab-case name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Settings => "settings",
            Kind::EnergyReset => "energy-reset",
            Kind::Mode => "mode",
            Kind::Reboot => "reboot",
            Kind::NetworkReset => "network-reset",
            Kind::Config => "config",
            Kind::Certificate => "certificate",
            Kind::Firmware => "firmware",
            Kind::Calibration => "calibration",
            Kind::Profile => "profile",
            Kind::Provisioning => "provisioning",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no [`Kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKind(pub String);

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        write!(f, "unknown kind '{}' (one of {})", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownKind {}

impl FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// How a change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Made, and the meter confirmed it on read-back.
    Done,
    /// Not made: refused before sending (bad value) or by the meter.
    Refused,
    /// Went wrong on the way (no answer, read-back differs, …).
    Failed,
}

impl Outcome {
    /// `done`, `refused` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// Which front end made the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The command line.
    Cli,
    /// The window.
    Window,
}

/// One field of a change: before, asked, and what the meter confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Field name (register or JSON field).
    pub field: String,
    /// Value before the change, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Value asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<String>,
    /// Value the meter confirmed on read-back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<String>,
}

/// What a secret field holds in the journal instead of its value.
pub const CHANGED: &str = "(changed)";

impl Change {
    /// A field with its before, asked and confirmed values.
    pub fn new(
        field: impl Into<String>,
        before: Option<String>,
        asked: Option<String>,
        confirmed: Option<String>,
    ) -> Self {
        Self {
            field: field.into(),
            before,
            asked,
            confirmed,
        }
    }

    /// A secret field (a password, a key): only that it changed.
    pub fn secret(field: impl Into<String>) -> Self {
        Self::new(field, None, Some(CHANGED.to_string()), None)
    }
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique id (UTC time and a random suffix), cited by certificates.
    pub id: String,
    /// When, in UTC.
    pub time_utc: DateTime<Utc>,
    /// When, in the computer's local time (RFC 3339 with its offset).
    pub time_local: String,
    /// Operating-system user.
    pub user: String,
    /// Computer name.
    pub computer: String,
    /// je08 version.
    pub version: String,
    /// Window or command line.
    pub origin: Origin,
    /// The meter's device id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<u32>,
    /// The address the change was sent to.
    pub address: String,
    /// What kind of change.
    pub kind: Kind,
    /// What was asked, in words.
    pub asked: String,
    /// Field by field: before → asked → confirmed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// Done, refused or failed.
    pub outcome: Outcome,
    /// Why it was refused or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Entry {
    /// A new entry stamped now, by this user on this computer.
    pub fn new(
        origin: Origin,
        kind: Kind,
        address: impl Into<String>,
        asked: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        let now = Utc::now();
        Self {
            id: format!(
                "{}-{:08x}",
                now.format("%Y%m%dT%H%M%S%.6fZ"),
                rand::random::<u32>()
            ),
            time_utc: now,
            time_local: now.with_timezone(&Local).to_rfc3339(),
            user: os_user(),
            computer: gethostname::gethostname().to_string_lossy().into_owned(),
            version: version.into(),
            origin,
            device_id: None,
            address: address.into(),
            kind,
            asked: asked.into(),
            changes: Vec::new(),
            outcome: Outcome::Done,
            reason: None,
        }
    }

    /// The same entry for meter `id`.
    pub fn device(mut self, id: Option<u32>) -> Self {
        self.device_id = id;
        self
    }

    /// The same entry with these field changes.
    pub fn changes(mut self, changes: Vec<Change>) -> Self {
        self.changes = changes;
        self
    }

    /// The same entry ended with `outcome` and, unless done, `reason`.
    pub fn ended(mut self, outcome: Outcome, reason: Option<String>) -> Self {
        self.outcome = outcome;
        self.reason = reason;
        self
    }
}

/// The operating-system user name (`USER`, `USERNAME` or `LOGNAME`).
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), k);
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{k}\""));
        }
        assert!(
            "firmwares"
                .parse::<Kind>()
                .unwrap_err()
                .to_string()
                .contains("energy-reset")
        );
    }

    #[test]
    fn a_secret_records_only_that_it_changed() {
        let c = Change::secret("password");
        assert_eq!(c.asked.as_deref(), Some(CHANGED));
        assert!(c.before.is_none() && c.confirmed.is_none());
    }
}
