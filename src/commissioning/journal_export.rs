//! The journal in the shapes people read: one line of text per entry (the
//! command line) and an export table (the command line's `--csv` and the
//! window's export of its filtered view) in any [export format](super::export).

use super::export::{Cell, Column, Kind, PlainTime, Table};
use crate::i18n::{Msg, Tr};
use je08_client::journal::{self, Entry, Origin, Outcome};

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

/// The columns of an export (the plain CSV's keys are its header).
pub const COLUMNS: [Column; 14] = [
    Column::new("id", Msg::ColEntry, None, Kind::Text),
    Column::new("time_utc", Msg::ColTime, None, Kind::Time(PlainTime::Rfc3339)),
    Column::plain_only("time_local", Msg::ColTime, None, Kind::Text),
    Column::new("user", Msg::ColUser, None, Kind::Text),
    Column::new("computer", Msg::ColComputer, None, Kind::Text),
    Column::new("version", Msg::ColVersion, None, Kind::Text),
    Column::new("origin", Msg::ColOrigin, None, Kind::Text),
    Column::new("device_id", Msg::ColDeviceId, None, Kind::Integer),
    Column::new("address", Msg::Address, None, Kind::Text),
    Column::new("kind", Msg::ColKind, None, Kind::Text),
    Column::new("asked", Msg::ColAsked, None, Kind::Text),
    Column::new("changes", Msg::ColChanges, None, Kind::Text),
    Column::new("outcome", Msg::ColOutcome, None, Kind::Text),
    Column::new("reason", Msg::ColReason, None, Kind::Text),
];

/// The entries as an export table, one sheet per meter (its device id, else
/// the address changes were sent to), in the order meters first appear.
pub fn table(entries: &[Entry]) -> Table {
    let mut table = Table::new(&COLUMNS);
    for e in entries {
        let origin = match e.origin {
            Origin::Cli => "cli",
            Origin::Window => "window",
        };
        let text = |s: &str| Cell::Text(s.to_string());
        let row = vec![
            text(&e.id),
            Cell::Time(e.time_utc),
            text(&e.time_local),
            text(&e.user),
            text(&e.computer),
            text(&e.version),
            text(origin),
            e.device_id.map_or(Cell::Empty, |i| Cell::Integer(i64::from(i))),
            text(&e.address),
            text(e.kind.as_str()),
            text(&e.asked),
            Cell::Text(changes_text(e)),
            text(e.outcome.as_str()),
            e.reason.as_deref().map_or(Cell::Empty, text),
        ];
        let sheet = e.device_id.map_or_else(|| e.address.clone(), |id| id.to_string());
        table.push(&sheet, row);
    }
    table
}

/// A kind of change in `tr`'s language (the Journal page, the report).
pub fn kind_word(tr: Tr, kind: journal::Kind) -> &'static str {
    tr.t(match kind {
        journal::Kind::Settings => Msg::JournalKindSettings,
        journal::Kind::EnergyReset => Msg::JournalKindEnergyReset,
        journal::Kind::Mode => Msg::JournalKindMode,
        journal::Kind::Reboot => Msg::JournalKindReboot,
        journal::Kind::NetworkReset => Msg::JournalKindNetworkReset,
        journal::Kind::Config => Msg::JournalKindConfig,
        journal::Kind::Certificate => Msg::JournalKindCertificate,
        journal::Kind::Firmware => Msg::JournalKindFirmware,
        journal::Kind::Calibration => Msg::JournalKindCalibration,
        journal::Kind::Profile => Msg::JournalKindProfile,
        journal::Kind::Provisioning => Msg::JournalKindProvisioning,
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
