//! Where field-support files live: the log folder (log files and crash
//! reports) and the window's settings file.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the log folder (tests and CI use
/// it so that nothing is written into the user's own folder).
pub const LOG_DIR_ENV: &str = "JE08_LOG_DIR";

/// The name of the window's settings file (eframe's persistence) in the
/// data folder.
const SETTINGS_FILE: &str = "app.ron";

/// The log folder: `JE08_LOG_DIR` if set, otherwise the OS's place for an
/// application's logs — `~/.local/state/je08/logs` on Linux
/// (`$XDG_STATE_HOME`), `%LOCALAPPDATA%\je08\logs` on Windows,
/// `~/Library/Logs/je08` on macOS; `None` if no home folder is known.
pub fn log_dir() -> Option<PathBuf> {
    match std::env::var_os(LOG_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => os_log_dir(),
    }
}

fn os_log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "je08")?;
    if cfg!(target_os = "macos") {
        let base = directories::BaseDirs::new()?;
        Some(base.home_dir().join("Library").join("Logs").join("je08"))
    } else if cfg!(windows) {
        // `data_local_dir` is `%LOCALAPPDATA%\je08\data`.
        Some(dirs.data_local_dir().parent()?.join("logs"))
    } else {
        Some(dirs.state_dir().unwrap_or(dirs.data_local_dir()).join("logs"))
    }
}

/// The window's settings file (language, remembered addresses, plot
/// window, broker URL, window geometry) in the data folder, which
/// `JE08_DATA_DIR` overrides; it is where eframe keeps it by default.
pub fn window_settings_file() -> Option<PathBuf> {
    je08_client::store::data_dir().map(|dir| dir.join(SETTINGS_FILE))
}

/// The files in `dir` named `PREFIX…SUFFIX`, newest first: their names
/// start with the time they were made, so by name, descending.
pub fn named_newest_first(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .collect();
    files.sort();
    files.reverse();
    files
}
