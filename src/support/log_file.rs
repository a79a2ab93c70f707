//! One log file per run in the log folder, written only once there is
//! something to write (a one-shot command that logs nothing at `info`
//! leaves no file, so scripts calling je08 by the thousand do not push the
//! window's logs out), capped in size, and the folder pruned when a new
//! file starts: the newest [`KEEP_FILES`] files and at most
//! [`KEEP_BYTES`] in all.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// The most one run writes; later lines are dropped after a last line
/// saying so.
pub const MAX_RUN_BYTES: u64 = 10 * 1024 * 1024;
/// The most log files kept in the folder, this run's included.
pub const KEEP_FILES: usize = 30;
/// The most bytes the folder's log files take, this run's (at its cap) included.
pub const KEEP_BYTES: u64 = 50 * 1024 * 1024;

/// The prefix and suffix of a log file's name: `je08-<UTC time>-<pid>.log`.
const PREFIX: &str = "je08-";
const SUFFIX: &str = ".log";

/// A run's log file name: sorting names sorts runs by start time.
pub fn file_name(at: DateTime<Utc>, pid: u32) -> String {
    format!("{PREFIX}{}-{pid}{SUFFIX}", at.format("%Y%m%dT%H%M%S%.3fZ"))
}

/// The log files in `dir`, newest first (by name, which starts with the time).
pub fn log_files(dir: &Path) -> Vec<PathBuf> {
    super::folders::named_newest_first(dir, PREFIX, SUFFIX)
}

/// How much of the folder a new run may leave to older files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes this run writes.
    pub run_bytes: u64,
    /// The most files kept, this run's included.
    pub files: usize,
    /// The most bytes kept, this run's (at its cap) included.
    pub total_bytes: u64,
}

impl Limits {
    /// The limits of every run: [`MAX_RUN_BYTES`], [`KEEP_FILES`], [`KEEP_BYTES`].
    pub const DEFAULT: Self = Self {
        run_bytes: MAX_RUN_BYTES,
        files: KEEP_FILES,
        total_bytes: KEEP_BYTES,
    };
}

/// Delete the oldest log files of `dir` so that a new one fits `limits`
/// (one file fewer than `limits.files`, and room for a whole run); the
/// number deleted. A file that cannot be deleted (open elsewhere on
/// Windows) is left and counted as kept.
pub fn prune(dir: &Path, limits: Limits) -> usize {
    let budget = limits.total_bytes.saturating_sub(limits.run_bytes);
    let (mut kept, mut kept_bytes, mut deleted) = (0, 0u64, 0);
    for path in log_files(dir) {
        let len = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if kept + 1 < limits.files && kept_bytes + len <= budget {
            (kept, kept_bytes) = (kept + 1, kept_bytes + len);
        } else if fs::remove_file(&path).is_ok() {
            deleted += 1;
        } else {
            (kept, kept_bytes) = (kept + 1, kept_bytes + len);
        }
    }
    deleted
}

/// This run's log file: created in its folder (the folder pruned first) on
/// the first write, then appended to until [`Limits::run_bytes`].
#[derive(Debug)]
pub struct RunLog {
    path: PathBuf,
    limits: Limits,
    file: Option<File>,
    written: u64,
    /// The file could not be created or written: drop lines quietly
    /// (stderr still has the warnings).
    broken: bool,
}

impl RunLog {
    /// A log file named for this run in `dir`, not created yet.
    pub fn new(dir: &Path, limits: Limits) -> Self {
        let name = file_name(Utc::now(), std::process::id());
        Self {
            path: dir.join(name),
            limits,
            file: None,
            written: 0,
            broken: false,
        }
    }

    /// Where this run's lines go (the file may not exist yet).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open(&mut self) -> io::Result<&mut File> {
        if self.file.is_none() {
            let dir = self.path.parent().unwrap_or(Path::new("."));
            fs::create_dir_all(dir)?;
            prune(dir, self.limits);
            self.file = Some(File::options().create_new(true).append(true).open(&self.path)?);
        }
        Ok(self.file.as_mut().expect("opened above"))
    }
}

impl Write for RunLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.broken || self.written >= self.limits.run_bytes {
            return Ok(buf.len());
        }
        let limit = self.limits.run_bytes;
        let result = self.open().and_then(|file| file.write_all(buf));
        match result {
            Ok(()) => {
                self.written += buf.len() as u64;
                if self.written >= limit {
                    let line = format!("log capped at {limit} bytes: later lines of this run are dropped\n");
                    if let Some(file) = self.file.as_mut() {
                        let _ = file.write_all(line.as_bytes());
                    }
                }
            }
            Err(_) => self.broken = true,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("je08-log-file-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn nothing_written_leaves_no_file_and_a_run_is_capped() {
        let dir = temp("cap");
        let limits = Limits {
            run_bytes: 100,
            ..Limits::DEFAULT
        };
        let mut log = RunLog::new(&dir, limits);
        log.flush().unwrap();
        assert!(!log.path().exists(), "no line, no file");
        for _ in 0..50 {
            log.write_all(b"0123456789\n").unwrap();
        }
        log.flush().unwrap();
        let text = fs::read_to_string(log.path()).unwrap();
        assert!(text.len() < 100 + 11 + 100, "{} bytes", text.len());
        assert!(text.ends_with("later lines of this run are dropped\n"), "{text}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn pruning_keeps_the_newest_files_within_count_and_bytes() {
        let dir = temp("prune");
        fs::create_dir_all(&dir).unwrap();
        for i in 0..8 {
            let at = DateTime::from_timestamp(1_700_000_000 + i * 60, 0).unwrap();
            fs::write(dir.join(file_name(at, 1)), vec![b'x'; 100]).unwrap();
        }
        fs::write(dir.join("notes.txt"), "not a log").unwrap();
        let limits = Limits {
            run_bytes: 100,
            files: 6,
            total_bytes: 1000,
        };
        assert_eq!(prune(&dir, limits), 3, "five old ones leave room for the new run");
        let left = log_files(&dir);
        assert_eq!(left.len(), 5);
        assert!(left[0].to_string_lossy().contains("T222020"), "{left:?}");
        let limits = Limits {
            run_bytes: 100,
            files: 30,
            total_bytes: 350,
        };
        assert_eq!(prune(&dir, limits), 3, "250 bytes leave room for two");
        assert_eq!(log_files(&dir).len(), 2);
        assert!(dir.join("notes.txt").exists(), "other files are not touched");
        let _ = fs::remove_dir_all(&dir);
    }
}
