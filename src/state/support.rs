//! The Help menu's state: the About window, the diagnostics being saved
//! and where they went, and the crash report of the last run to tell about.

use std::path::PathBuf;

use crate::backend::support::Update;

/// What the Help menu shows.
#[derive(Debug, Default)]
pub struct SupportState {
    /// The About window is open.
    pub about: bool,
    /// A diagnostics zip is being saved (the dialog may be open).
    pub saving: bool,
    /// Where the diagnostics were saved, or why not.
    pub saved: Option<Result<PathBuf, String>>,
    /// The crash report of an earlier run not told about yet.
    pub last_crash: Option<PathBuf>,
    /// Why the log folder could not be shown.
    pub folder_failure: Option<String>,
}

impl SupportState {
    /// Take a Help menu job's result.
    pub fn update(&mut self, update: Update) {
        match update {
            Update::DiagnosticsSaved(saved) => {
                self.saving = false;
                self.saved = match saved {
                    Ok(path) => Some(Ok(path)),
                    Err(Some(why)) => Some(Err(why)),
                    Err(None) => None,
                };
            }
            Update::FolderNotOpened(why) => self.folder_failure = Some(why),
        }
    }
}
