//! The journal's files: append one whole line, rotate by size, list newest first.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::entry::Entry;
use crate::store::data_dir;

/// Folder of the journal inside the per-user data folder.
pub const DIR_NAME: &str = "journal";
/// The file being appended to.
const CURRENT: &str = "journal.jsonl";
/// Size after which the current file is set aside and a new one begun.
pub const ROTATE_BYTES: u64 = 4 * 1024 * 1024;

/// The journal folder: where entries are appended and read from.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
    rotate_bytes: u64,
}

impl Journal {
    /// The journal in the per-user data folder (or `JE08_DATA_DIR`).
    pub fn open_default() -> io::Result<Self> {
        data_dir()
            .map(|d| Self::at(d.join(DIR_NAME)))
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no per-user data folder"))
    }

    /// The journal in `dir`.
    pub fn at(dir: PathBuf) -> Self {
        Self {
            dir,
            rotate_bytes: ROTATE_BYTES,
        }
    }

    /// The same journal rotating after `bytes` (tests and benchmarks).
    pub fn rotating_after(mut self, bytes: u64) -> Self {
        self.rotate_bytes = bytes.max(1);
        self
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Append `entry` as one line, flushed to disk before returning. A torn
    /// last line left by a killed process is ended first, so it never
    /// swallows this one.
    pub fn append(&self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.append_line(&line)
    }

    /// Append raw bytes that already end in a newline (one or more lines).
    fn append_line(&self, line: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(CURRENT);
        if fs::metadata(&path).is_ok_and(|m| m.len() >= self.rotate_bytes) {
            self.rotate(&path);
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&path)?;
        let mut bytes = Vec::with_capacity(line.len() + 1);
        if !ends_with_newline(&mut file)? {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(line);
        file.write_all(&bytes)?;
        file.sync_data()
    }

    /// Set the current file aside under a name that sorts by time. Another
    /// process may have done it first: then there is nothing to move.
    fn rotate(&self, path: &Path) {
        let name = format!(
            "journal-{}-{}.jsonl",
            Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
            std::process::id()
        );
        if let Err(e) = fs::rename(path, self.dir.join(name))
            && e.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!("journal: cannot rotate {}: {e}", path.display());
        }
    }

    /// The journal's files, newest first: the current one, then the
    /// rotated ones by the time they were set aside.
    pub fn files(&self) -> io::Result<Vec<PathBuf>> {
        let mut rotated: Vec<PathBuf> = match fs::read_dir(&self.dir) {
            Ok(dir) => dir
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("journal-") && n.ends_with(".jsonl"))
                })
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        rotated.sort();
        rotated.reverse();
        let current = self.dir.join(CURRENT);
        if current.exists() {
            rotated.insert(0, current);
        }
        Ok(rotated)
    }

    /// Append many entries at once (benchmarks and tests build large journals).
    pub fn append_all(&self, entries: impl IntoIterator<Item = Entry>) -> io::Result<()> {
        let mut chunk = Vec::new();
        for entry in entries {
            serde_json::to_writer(&mut chunk, &entry).map_err(io::Error::other)?;
            chunk.push(b'\n');
            if chunk.len() as u64 >= self.rotate_bytes / 4 {
                self.append_line(&chunk)?;
                chunk.clear();
            }
        }
        if !chunk.is_empty() {
            self.append_line(&chunk)?;
        }
        Ok(())
    }
}

/// Whether `file` is empty or its last byte is a newline.
fn ends_with_newline(file: &mut File) -> io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Kind, Origin};

    fn temp() -> PathBuf {
        std::env::temp_dir().join(format!("je08-journal-{}", rand::random::<u64>()))
    }

    #[test]
    fn a_torn_last_line_is_ended_before_the_next_entry() {
        let journal = Journal::at(temp());
        let entry = Entry::new(Origin::Cli, Kind::Reboot, "127.0.0.1:80", "reboot", "test");
        journal.append(&entry).unwrap();
        let path = journal.dir().join(CURRENT);
        OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"id\":\"torn")
            .unwrap();
        journal.append(&entry).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(serde_json::from_str::<Entry>(lines[2]).is_ok());
        fs::remove_dir_all(journal.dir()).unwrap();
    }

    #[test]
    fn files_rotate_by_size_and_list_newest_first() {
        let journal = Journal::at(temp()).rotating_after(600);
        for i in 0..12 {
            let e = Entry::new(Origin::Cli, Kind::Mode, "m", format!("mode {i}"), "test");
            journal.append(&e).unwrap();
        }
        let files = journal.files().unwrap();
        assert!(files.len() > 2, "{files:?}");
        assert!(files[0].ends_with(CURRENT));
        for f in &files {
            assert!(fs::metadata(f).unwrap().len() < 600 + 400, "{f:?}");
        }
        fs::remove_dir_all(journal.dir()).unwrap();
    }
}
