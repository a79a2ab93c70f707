//! The diagnostics zip sent to support: the recent log files, the crash
//! reports, `versions.txt`, the window's settings and the meters list —
//! every secret removed — written atomically. The window (Help → Save
//! diagnostics…) and `je08 diagnostics FILE.zip` share it.

use std::collections::HashMap;
use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};

use serde_json::Value;
use zip::write::SimpleFileOptions;

use super::{build_info, crash, folders, log_file, redact};
use crate::state::prefs::{self, Prefs};

/// The most log files put in the zip (the newest).
pub const LOGS_IN_ZIP: usize = 10;
/// The most bytes of log files put in the zip.
pub const LOG_BYTES_IN_ZIP: u64 = 20 * 1024 * 1024;

/// Why the diagnostics could not be saved.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the diagnostics to {}: {detail}", path.display())]
pub struct DiagnosticsError {
    /// The zip asked for.
    pub path: PathBuf,
    /// What the OS or the zip library said (untranslated).
    pub detail: String,
}

/// What was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The zip.
    pub path: PathBuf,
    /// The names of its entries.
    pub entries: Vec<String>,
    /// How many secret values were removed from the settings and the meters list.
    pub removed: usize,
}

/// Write the diagnostics zip to `path`. `settings` are the window's
/// preferences as it holds them now (as JSON); `None` (the command line)
/// reads the ones it saved last.
pub fn save(path: &Path, settings: Option<Value>) -> Result<Saved, DiagnosticsError> {
    let fail = |detail: String| DiagnosticsError {
        path: path.to_owned(),
        detail,
    };
    let mut zip = Zip::default();
    let mut removed = 0;

    zip.add("versions.txt", build_info::text().as_bytes());

    let settings = match settings {
        Some(settings) => Ok(settings),
        None => saved_settings(),
    };
    removed += zip.add_json("settings.json", settings);
    removed += zip.add_json("meters.json", meters());

    let log_dir = folders::log_dir();
    if let Some(dir) = &log_dir {
        let mut budget = LOG_BYTES_IN_ZIP;
        for file in log_file::log_files(dir).into_iter().take(LOGS_IN_ZIP) {
            let Ok(bytes) = std::fs::read(&file) else { continue };
            let Some(left) = budget.checked_sub(bytes.len() as u64) else {
                break;
            };
            budget = left;
            let text = String::from_utf8_lossy(&bytes);
            let text = redact::url_password(&text).unwrap_or_else(|| text.into_owned());
            zip.add(&format!("logs/{}", file_name(&file)), text.as_bytes());
        }
        for file in crash::reports(dir) {
            if let Ok(bytes) = std::fs::read(&file) {
                zip.add(&format!("crash-reports/{}", file_name(&file)), &bytes);
            }
        }
    }
    let readme = readme(log_dir.as_deref(), removed);
    zip.add("README.txt", readme.as_bytes());

    let (bytes, entries) = zip.finish().map_err(fail)?;
    je08_client::store::atomic::write_atomically(path, &bytes).map_err(|e| fail(e.to_string()))?;
    Ok(Saved {
        path: path.to_owned(),
        entries,
        removed,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What the zip holds, for the person at support.
fn readme(log_dir: Option<&Path>, removed: usize) -> String {
    let logs = log_dir.map_or_else(|| "(none known)".to_owned(), |d| d.display().to_string());
    format!(
        "je08 diagnostics\n\n\
         versions.txt    this build and the computer it ran on\n\
         settings.json   the window's settings\n\
         meters.json     the remembered meters (names, notes, addresses)\n\
         logs/           the newest log files (at most {LOGS_IN_ZIP})\n\
         crash-reports/  the crash reports\n\n\
         Log folder: {logs}\n\
         Passwords and keys are never in these files; {removed} value(s) whose name \
         suggests a secret were removed as well.\n"
    )
}

/// The window's preferences as last saved (eframe's settings file).
fn saved_settings() -> Result<Value, String> {
    let file = folders::window_settings_file().ok_or("no data folder is known")?;
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Value::Null),
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    let stored: HashMap<String, String> =
        ron::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let Some(prefs) = stored.get(prefs::KEY) else {
        return Ok(Value::Null);
    };
    let prefs: Prefs = ron::from_str(prefs).map_err(|e| format!("{}: {e}", file.display()))?;
    serde_json::to_value(prefs).map_err(|e| e.to_string())
}

/// The remembered meters (`meters.json` in the data folder), as stored.
fn meters() -> Result<Value, String> {
    let file = je08_client::store::data_dir()
        .ok_or("no data folder is known")?
        .join("meters.json");
    match std::fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Null),
        Err(e) => Err(format!("{}: {e}", file.display())),
    }
}

/// A zip built in memory; an entry that cannot be added is noted in
/// `errors.txt`, the rest is still written.
#[derive(Default)]
struct Zip {
    writer: Option<zip::ZipWriter<Cursor<Vec<u8>>>>,
    entries: Vec<String>,
    errors: Vec<String>,
}

impl Zip {
    fn writer(&mut self) -> &mut zip::ZipWriter<Cursor<Vec<u8>>> {
        self.writer
            .get_or_insert_with(|| zip::ZipWriter::new(Cursor::new(Vec::new())))
    }

    fn add(&mut self, name: &str, bytes: &[u8]) {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(now());
        let writer = self.writer();
        let result = writer
            .start_file(name, options)
            .map_err(|e| e.to_string())
            .and_then(|()| writer.write_all(bytes).map_err(|e| e.to_string()));
        match result {
            Ok(()) => self.entries.push(name.to_owned()),
            Err(why) => self.errors.push(format!("{name}: {why}")),
        }
    }

    /// Add `value` as pretty JSON with its secrets removed (`null`: not
    /// there, nothing added; an error: noted); how many were removed.
    fn add_json(&mut self, name: &str, value: Result<Value, String>) -> usize {
        match value {
            Ok(Value::Null) => 0,
            Ok(mut value) => {
                let removed = redact::json(&mut value);
                let text = serde_json::to_string_pretty(&value).unwrap_or_default();
                self.add(name, text.as_bytes());
                removed
            }
            Err(why) => {
                self.errors.push(format!("{name}: {why}"));
                0
            }
        }
    }

    fn finish(mut self) -> Result<(Vec<u8>, Vec<String>), String> {
        if !self.errors.is_empty() {
            let text = self.errors.join("\n") + "\n";
            self.add("errors.txt", text.as_bytes());
        }
        let writer = self
            .writer
            .take()
            .unwrap_or_else(|| zip::ZipWriter::new(Cursor::new(Vec::new())));
        let bytes = writer.finish().map_err(|e| e.to_string())?.into_inner();
        Ok((bytes, self.entries))
    }
}

/// The local time for the entries' dates (the zip format holds no zone).
fn now() -> zip::DateTime {
    zip::DateTime::try_from(chrono::Local::now().naive_local()).unwrap_or_default()
}
