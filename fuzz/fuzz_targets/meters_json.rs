//! `meters.json`, the remembered meters (names, notes, last addresses), as
//! any crash, disk fault or hand edit may leave it: the store reads it,
//! salvages what it can and saves the result back.
//!
//! Checks: opening never fails on content (only on the file system); a
//! damaged file is set aside byte for byte and the store says how many
//! entries it kept; what was saved back opens again without any recovery
//! and holds the same meters.
#![no_main]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use je08_client::store::meters::{FILE_NAME, MeterStore, RememberedMeter};
use libfuzzer_sys::fuzz_target;

/// A fresh folder for one run (under the system's temporary folder).
fn fresh_dir() -> PathBuf {
    static RUN: AtomicU64 = AtomicU64::new(0);
    let run = RUN.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("je08-fuzz-meters-{}-{run}", std::process::id()))
}

fuzz_target!(|bytes: &[u8]| {
    let dir = fresh_dir();
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join(FILE_NAME);
    std::fs::write(&path, bytes).expect("the file is written");
    let (store, recovery) = MeterStore::open(path.clone()).expect("any content opens");
    let kept: Vec<RememberedMeter> = store.meters().cloned().collect();
    if let Some(recovery) = &recovery {
        assert_eq!(recovery.kept, kept.len());
        assert_eq!(
            std::fs::read(&recovery.set_aside).expect("the damaged file is kept"),
            bytes
        );
        assert!(!recovery.to_string().is_empty());
    }
    let (again, second) = MeterStore::open(path).expect("the saved file opens");
    assert!(
        second.is_none(),
        "what the store saved needs salvaging: {second:?}"
    );
    assert_eq!(again.meters().cloned().collect::<Vec<_>>(), kept);
    std::fs::remove_dir_all(&dir).expect("the temporary folder is removed");
});
