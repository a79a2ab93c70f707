//! The window's exports (the trend plot's visible data and picture, the
//! phasor picture, the History tab's entries): the format chosen for them
//! (remembered in the preferences), the export waiting for its file while
//! the save dialog is open, and where the last one of each kind went.

use std::path::PathBuf;

use crate::backend::Command;
pub use crate::backend::exports::Origin;
use crate::backend::exports::{Job, Request, SaveFailure, Update};
use crate::commissioning::export::Format;

/// An export waiting for its file.
#[derive(Debug)]
pub struct Pending {
    /// Which button.
    pub origin: Origin,
    /// What to write.
    pub job: Job,
}

/// The exports' state.
#[derive(Debug, Default)]
pub struct ExportState {
    /// The format of table exports (remembered).
    pub format: Format,
    /// The export whose save dialog is open.
    pub pending: Option<Pending>,
    /// The last result: which button, and the file or why not.
    pub saved: Option<(Origin, Result<PathBuf, SaveFailure>)>,
}

impl ExportState {
    /// Start `job`: keep it until the dialog answers; the command opens the dialog.
    pub fn start(&mut self, origin: Origin, job: Job, name: &str) -> Command {
        let request = Request::Choose {
            name: name.to_string(),
            kind: job.file_kind(),
        };
        self.pending = Some(Pending { origin, job });
        self.saved = None;
        Command::Export(request)
    }

    /// The dialog answered `path`: the command writing the pending export
    /// there (none when nothing waits; a dismissed dialog leaves the export
    /// waiting until the next one replaces it).
    pub fn chosen(&mut self, path: Option<PathBuf>) -> Option<Command> {
        let path = path?;
        let Pending { origin, job } = self.pending.take()?;
        Some(Command::Export(Request::Write { origin, job, path }))
    }

    /// Fold in what the backend said; returns the path chosen, if a dialog answered.
    pub fn update(&mut self, update: Update) -> Option<Option<PathBuf>> {
        match update {
            Update::Chosen(path) => Some(path),
            Update::Saved(origin, saved) => {
                self.saved = Some((origin, saved));
                None
            }
        }
    }

    /// The last result of `origin`'s exports.
    pub fn saved_by(&self, origin: Origin) -> Option<&Result<PathBuf, SaveFailure>> {
        self.saved.as_ref().filter(|(o, _)| *o == origin).map(|(_, s)| s)
    }
}
