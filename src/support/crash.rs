//! Crash reports: a panic hook that writes what happened (time, version,
//! commit, OS, command, thread, message, location, backtrace) into the
//! log folder, logs it and tells the person where the report is — on
//! stderr, and in a message box when the window's own thread stopped. The
//! next start of the window says so once more if the last run crashed.

use std::io::Write as _;
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Local, Utc};

use super::{build_info, folders};
use crate::i18n::{Msg, Tr};

/// The most crash reports kept (the oldest are deleted when one is written).
pub const KEEP_REPORTS: usize = 20;

/// A crash report's name: `crash-<UTC time>-<pid>.txt`.
const PREFIX: &str = "crash-";
const SUFFIX: &str = ".txt";
/// The file in the log folder naming the newest crash report the window
/// has already told about.
const SEEN_FILE: &str = "crash-reports-seen";

/// Whether the window is open in this process (a crash on its thread is
/// then also said in a message box).
static WINDOW: AtomicBool = AtomicBool::new(false);

/// Say crashes in a message box too from now on (the window is opening).
pub fn window_opening() {
    WINDOW.store(true, Ordering::Relaxed);
}

/// Install the panic hook for the rest of the process; `command` names
/// what was run (`window`, `read`…; never its arguments, which may hold a
/// password).
pub fn install(command: String) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let report = report(&command, info);
        let tr = Tr(crate::i18n::os_lang());
        let sentence = match write_report(&report) {
            Ok(path) => {
                tracing::error!(report = %path.display(), "je08 stopped: {}", summary(info));
                tr.f(Msg::CrashReported, &[&path.display().to_string()])
            }
            Err(why) => {
                tracing::error!("je08 stopped: {}; no crash report: {why}", summary(info));
                // The report goes to stderr whole instead.
                let _ = writeln!(std::io::stderr(), "{report}");
                tr.f(Msg::CrashNotReported, &[&why.to_string()])
            }
        };
        let _ = writeln!(std::io::stderr(), "{sentence}");
        let main_thread = std::thread::current().name() == Some("main");
        if WINDOW.load(Ordering::Relaxed) && main_thread {
            let _ = rfd::MessageDialog::new()
                .set_level(rfd::MessageLevel::Error)
                .set_title(tr.t(Msg::AppTitle))
                .set_description(&sentence)
                .set_buttons(rfd::MessageButtons::Ok)
                .show();
        }
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            previous(info);
        }
    }));
}

/// The panic's message and where it happened, on one line.
fn summary(info: &PanicHookInfo<'_>) -> String {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    match info.location() {
        Some(at) => format!("{message} (at {}:{}:{})", at.file(), at.line(), at.column()),
        None => message,
    }
}

/// The text of a crash report.
fn report(command: &str, info: &PanicHookInfo<'_>) -> String {
    let thread = std::thread::current();
    let mut text = format!(
        "je08 crash report\n\ntime: {} (local {})\ncommand: {command}\nthread: {}\npanic: {}\n\n",
        Utc::now().to_rfc3339(),
        Local::now().to_rfc3339(),
        thread.name().unwrap_or("(unnamed)"),
        summary(info),
    );
    text.push_str(&build_info::text());
    text.push_str("\nbacktrace:\n");
    text.push_str(&std::backtrace::Backtrace::force_capture().to_string());
    text
}

/// Write `report` into the log folder (atomically), keeping the newest
/// [`KEEP_REPORTS`]; its path.
fn write_report(report: &str) -> std::io::Result<PathBuf> {
    let dir = folders::log_dir().ok_or_else(|| std::io::Error::other("no log folder is known"))?;
    std::fs::create_dir_all(&dir)?;
    for old in reports(&dir).into_iter().skip(KEEP_REPORTS - 1) {
        let _ = std::fs::remove_file(old);
    }
    let name = format!(
        "{PREFIX}{}-{}{SUFFIX}",
        Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    );
    let path = dir.join(name);
    je08_client::store::atomic::write_atomically(&path, report.as_bytes())?;
    Ok(path)
}

/// The crash reports in `dir`, newest first.
pub fn reports(dir: &Path) -> Vec<PathBuf> {
    super::folders::named_newest_first(dir, PREFIX, SUFFIX)
}

/// The newest crash report the window has not told about yet, marked as
/// told; `None` when there is none (or no log folder).
pub fn untold() -> Option<PathBuf> {
    let dir = folders::log_dir()?;
    let newest = reports(&dir).into_iter().next()?;
    let name = newest.file_name()?.to_string_lossy().into_owned();
    let seen = dir.join(SEEN_FILE);
    if std::fs::read_to_string(&seen).is_ok_and(|told| told.trim() >= name.as_str()) {
        return None;
    }
    if let Err(why) = je08_client::store::atomic::write_atomically(&seen, name.as_bytes()) {
        tracing::warn!("cannot note that the crash report was told about: {why}");
    }
    Some(newest)
}

/// A panic asked for by tests (debug builds only): `JE08_DEBUG_PANIC` set
/// to anything makes the command panic right after start-up, so that the
/// crash report can be checked end to end. Release builds ignore it.
pub fn debug_trigger() {
    #[cfg(debug_assertions)]
    if std::env::var_os("JE08_DEBUG_PANIC").is_some() {
        panic!("JE08_DEBUG_PANIC is set: a panic asked for by a test");
    }
}
