//! The journal in the shapes people read: one line of text per entry (the
//! command line) and CSV with `,` (the command line's `--csv` and the
//! window's export of its filtered view).

use crate::i18n::{Msg, Tr};
use je08_client::journal::{Entry, Kind, Outcome};

/// The changes of an entry in one phrase: `field before → asked (read back confirmed)`.
pub fn changes_text(entry: &Entry) -> String {
    entry
        .changes
        .iter()
        .map(|c| {
            let mut s = c.field.clone();
            if let Some(b) = &c.before {
                s.push_str(&format!(" {b}"));
            }
            if let Some(a) = &c.asked {
                s.push_str(&format!(" → {a}"));
            }
            if let Some(r) = &c.confirmed {
                s.push_str(&format!(" (read back {r})"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One line of text for an entry.
pub fn line(entry: &Entry) -> String {
    let device = entry
        .device_id
        .map_or_else(|| "-".to_string(), |id| id.to_string());
    let mut s = format!(
        "{}  {:<10} {:<21} {:<13} {:<7} {}",
        entry.time_local,
        device,
        entry.address,
        entry.kind.as_str(),
        entry.outcome.as_str(),
        entry.asked
    );
    let changes = changes_text(entry);
    if !changes.is_empty() {
        s.push_str(&format!(": {changes}"));
    }
    if let Some(reason) = &entry.reason {
        s.push_str(&format!(" — {reason}"));
    }
    s
}

/// The header of the CSV export.
const HEADER: [&str; 14] = [
    "id",
    "time_utc",
    "time_local",
    "user",
    "computer",
    "version",
    "origin",
    "device_id",
    "address",
    "kind",
    "asked",
    "changes",
    "outcome",
    "reason",
];

/// The entries as CSV (`,`, a header row, UTF-8).
pub fn csv(entries: &[Entry]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for e in entries {
        let origin = match e.origin {
            je08_client::journal::Origin::Cli => "cli",
            je08_client::journal::Origin::Window => "window",
        };
        let row: [String; 14] = [
            e.id.clone(),
            e.time_utc.to_rfc3339(),
            e.time_local.clone(),
            e.user.clone(),
            e.computer.clone(),
            e.version.clone(),
            origin.to_string(),
            e.device_id.map(|i| i.to_string()).unwrap_or_default(),
            e.address.clone(),
            e.kind.as_str().to_string(),
            e.asked.clone(),
            changes_text(e),
            e.outcome.as_str().to_string(),
            e.reason.clone().unwrap_or_default(),
        ];
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A kind of change in `tr`'s language (the Journal page, the report).
pub fn kind_word(tr: Tr, kind: Kind) -> &'static str {
    tr.t(match kind {
        Kind::Settings => Msg::JournalKindSettings,
        Kind::EnergyReset => Msg::JournalKindEnergyReset,
        Kind::Mode => Msg::JournalKindMode,
        Kind::Reboot => Msg::JournalKindReboot,
        Kind::NetworkReset => Msg::JournalKindNetworkReset,
        Kind::Config => Msg::JournalKindConfig,
        Kind::Certificate => Msg::JournalKindCertificate,
        Kind::Firmware => Msg::JournalKindFirmware,
        Kind::Calibration => Msg::JournalKindCalibration,
        Kind::Profile => Msg::JournalKindProfile,
        Kind::Provisioning => Msg::JournalKindProvisioning,
    })
}

/// How a change ended, in `tr`'s language.
pub fn outcome_word(tr: Tr, outcome: Outcome) -> &'static str {
    tr.t(match outcome {
        Outcome::Done => Msg::RepOutcomeDone,
        Outcome::Refused => Msg::RepOutcomeRefused,
        Outcome::Failed => Msg::RepOutcomeFailed,
    })
}


