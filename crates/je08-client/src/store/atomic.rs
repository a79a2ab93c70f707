//! Atomic file replacement: a reader sees the old file or the new one, never half of one.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers the temporary files of this process, so that two writers (two
/// threads, or two saves in flight) never share one.
static NEXT_TEMPORARY: AtomicU64 = AtomicU64::new(0);

/// Replace `path` with `bytes`: write a temporary file of its own (unique to
/// this call: process id and a per-process number) in the same folder, flush
/// it to disk, rename it over `path`, then flush the folder. Creates the
/// folder if needed. On failure the old file is left as it was. Concurrent
/// calls never share a temporary file: the last rename wins, and every
/// version of `path` is one whole write.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        file_name.to_string_lossy(),
        std::process::id(),
        NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
        return written;
    }
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("je08-atomic-{}", rand::random::<u64>()));
        let path = dir.join("sub").join("f.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["f.json"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn concurrent_writers_never_share_a_temporary_file() {
        let dir = std::env::temp_dir().join(format!("je08-atomic-{}", rand::random::<u64>()));
        let path = dir.join("f.json");
        let writer = |who: u32| {
            let path = path.clone();
            std::thread::spawn(move || {
                for round in 0..300 {
                    let text = format!(
                        "{{\"writer\":{who},\"round\":{round},\"pad\":\"{}\"}}",
                        "x".repeat(4096)
                    );
                    write_atomically(&path, text.as_bytes()).expect("every save succeeds");
                }
            })
        };
        let writers = [writer(1), writer(2)];
        let mut reads = 0;
        while writers.iter().any(|w| !w.is_finished()) {
            if let Ok(bytes) = fs::read(&path) {
                let parsed: serde_json::Value = serde_json::from_slice(&bytes).expect("a whole file");
                assert!(parsed["writer"].is_u64());
                reads += 1;
            }
        }
        for w in writers {
            w.join().expect("no writer failed");
        }
        let last: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(last["round"], 299);
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["f.json"], "no temporary left behind ({reads} reads)");
        fs::remove_dir_all(dir).unwrap();
    }
}
