//! Files the configurator keeps for the person using it, in the per-user
//! data folder: remembered meters, written atomically.

use std::path::PathBuf;

pub mod atomic;
pub mod meters;

/// Environment variable that overrides the data folder (used by tests).
pub const DATA_DIR_ENV: &str = "JE08_DATA_DIR";

/// The per-user data folder: `JE08_DATA_DIR` if set, otherwise the OS's
/// (e.g. `~/.local/share/je08` on Linux); `None` if neither is known.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::ProjectDirs::from("", "", "je08").map(|p| p.data_dir().to_path_buf()),
    }
}
