//! The activity journal: every change the configurator makes to a meter,
//! appended as one JSON line to `journal/journal.jsonl` in the per-user data
//! folder (or `JE08_DATA_DIR`), whichever of the window or the command line
//! made it.
//!
//! Append-only: a line is written whole and flushed before the call returns;
//! a line torn by a killed process is skipped on read and never glued to the
//! next one. Files are rotated by size into `journal-<time>.jsonl` and never
//! deleted (calibration must stay traceable). No entry ever holds a secret:
//! [`Change::secret`] records only that one changed.

mod entry;
mod file;
mod query;

pub use entry::{Change, Entry, Kind, Origin, Outcome, UnknownKind};
pub use file::{DIR_NAME, Journal, ROTATE_BYTES};
pub use query::{Page, Query};
