//! Help menu work, off the UI thread: ask where to save the diagnostics
//! zip and write it, and open the log folder in the OS's file manager.

use std::path::PathBuf;

use super::{Event, EventSink};
use crate::support::{diagnostics, folders};

/// A Help menu request.
#[derive(Debug)]
pub enum Request {
    /// Write the diagnostics zip with the window's `settings` to `path`,
    /// or where the person chooses in a save dialog (`None`).
    SaveDiagnostics {
        /// The window's preferences now, as JSON.
        settings: serde_json::Value,
        /// Where to save, when already known.
        path: Option<PathBuf>,
    },
    /// Show the log folder in the OS's file manager (created first).
    OpenLogFolder,
}

/// What a Help menu job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// The diagnostics were saved (the zip), or not (why; `None`: the
    /// dialog was dismissed).
    DiagnosticsSaved(Result<PathBuf, Option<String>>),
    /// The log folder could not be shown (why).
    FolderNotOpened(String),
}

/// Run `request` off the runtime's threads.
pub fn start(request: Request, sink: EventSink) {
    tokio::task::spawn_blocking(move || match request {
        Request::SaveDiagnostics { settings, path } => {
            let saved = save(settings, path);
            sink.send(Event::Support(Update::DiagnosticsSaved(saved)));
        }
        Request::OpenLogFolder => {
            if let Err(why) = open_log_folder() {
                sink.send(Event::Support(Update::FolderNotOpened(why)));
            }
        }
    });
}

fn save(settings: serde_json::Value, path: Option<PathBuf>) -> Result<PathBuf, Option<String>> {
    let path = match path {
        Some(path) => path,
        None => {
            let name = format!(
                "je08-diagnostics-{}.zip",
                chrono::Local::now().format("%Y%m%d-%H%M")
            );
            rfd::FileDialog::new()
                .add_filter("ZIP", &["zip"])
                .set_file_name(name)
                .save_file()
                .ok_or(None)?
        }
    };
    let saved = diagnostics::save(&path, Some(settings)).map_err(|e| Some(e.to_string()))?;
    tracing::info!(file = %saved.path.display(), entries = saved.entries.len(), "diagnostics saved");
    Ok(saved.path)
}

fn open_log_folder() -> Result<(), String> {
    let dir = folders::log_dir().ok_or("no log folder is known")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    opener::open(&dir).map_err(|e| format!("{}: {e}", dir.display()))
}
