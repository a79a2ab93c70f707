//! Profiles and backups: what a file may carry of one meter's calibration.
//!
//! The calibration gains (registers 9–15) correct one meter's own hardware.
//! A *profile* is for other meters and holds none: the gains of a file
//! saved by an earlier version are dropped when it is read (and the file
//! says so, [`FileKind::Profile`]'s `gains_ignored`). A *backup* names the
//! device id it was saved from and holds its gains: it is applied to that
//! meter only.

use serde::{Deserialize, Serialize};

use crate::i18n::{Describe, Msg, Tr};
use je08_protocol::readings::{Gains, Inversions, Settings};
use je08_protocol::registers::label;
use je08_protocol::validate::settings_words;

/// The metering settings a file holds: the CT ratio and inversions
/// (registers 16–19) and, in a backup only, the calibration gains (9–15).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileSettings {
    /// RELACAO_TC: N means N×5 A : 5 A.
    pub ct_ratio: u16,
    /// Current inversion per phase.
    pub invert: Inversions,
    /// The calibration gains of the meter a backup was saved from (`None`
    /// in a profile: each meter keeps its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gains: Option<Gains>,
}

impl ProfileSettings {
    /// The settings of a meter read as `settings`, gains included.
    pub fn with_gains(settings: &Settings) -> Self {
        Self {
            ct_ratio: settings.ct_ratio,
            invert: settings.invert,
            gains: Some(settings.gains),
        }
    }

    /// What this file gives a meter whose settings are `current`: its CT
    /// ratio and inversions, and its gains only when it carries them (a
    /// backup); otherwise the meter keeps its own.
    pub fn for_meter(&self, current: &Settings) -> Settings {
        Settings {
            ct_ratio: self.ct_ratio,
            invert: self.invert,
            gains: self.gains.unwrap_or(current.gains),
        }
    }

    /// The gains as `(register name, raw value)`, GANHO_FREQUENCIA first
    /// (empty without gains).
    pub fn gain_list(&self) -> Vec<(String, u16)> {
        let Some(gains) = self.gains else {
            return Vec::new();
        };
        let settings = Settings {
            gains,
            ..Settings::factory()
        };
        settings_words(&settings)
            .into_iter()
            .filter(|(a, _)| (9..=15).contains(a))
            .map(|(a, v)| (label(a), v))
            .collect()
    }
}

/// Which kind of file was read, as the dry run and the window say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A profile for any meter: no calibration is written.
    Profile {
        /// The file (saved by an earlier version) held gains, which were
        /// dropped.
        gains_ignored: bool,
    },
    /// A backup of one meter, with its calibration gains.
    Backup {
        /// The device id it was saved from, the only meter it is applied to.
        id: u32,
        /// Its gains as `(register name, raw value)`.
        gains: Vec<(String, u16)>,
    },
}

/// The gains as "GANHO_FREQUENCIA 1000, GANHO_TENSAO_A 1012, …".
pub fn gains_text(gains: &[(String, u16)]) -> String {
    gains
        .iter()
        .map(|(name, value)| format!("{name} {value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Describe for FileKind {
    /// "profile (no calibration)", or "backup of meter N (with its
    /// calibration: …)"; for a profile whose gains were dropped, why.
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Profile { gains_ignored: false } => tr.t(Msg::KindProfile).to_owned(),
            Self::Profile { gains_ignored: true } => {
                format!("{}; {}", tr.t(Msg::KindProfile), tr.t(Msg::GainsIgnored))
            }
            Self::Backup { id, gains } => tr.f(Msg::KindBackup, &[&id.to_string(), &gains_text(gains)]),
        }
    }
}

je08_protocol::english_display!(FileKind);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_keeps_the_meters_gains_and_a_backup_names_its_own() {
        let mut meter = Settings::factory();
        meter.gains.voltage.a = 1012;
        let mut source = Settings::factory();
        source.ct_ratio = 200;
        source.gains.frequency = 999;
        let profile = ProfileSettings {
            gains: None,
            ..ProfileSettings::with_gains(&source)
        };
        let given = profile.for_meter(&meter);
        assert_eq!((given.ct_ratio, given.gains), (200, meter.gains));
        assert!(profile.gain_list().is_empty());
        let backup = ProfileSettings::with_gains(&source);
        assert_eq!(backup.for_meter(&meter).gains, source.gains);
        let list = backup.gain_list();
        assert_eq!(list.len(), 7);
        assert_eq!(list[0], ("GANHO_FREQUENCIA".to_string(), 999));
        let kind = FileKind::Backup { id: 7, gains: list };
        assert!(
            kind.to_string()
                .starts_with("backup of meter 7 (with its calibration: GANHO_FREQUENCIA 999, "),
            "{kind}"
        );
        let pt = kind.describe(Tr(crate::i18n::Lang::PtBr));
        assert!(pt.contains("medidor 7"), "{pt}");
    }
}
