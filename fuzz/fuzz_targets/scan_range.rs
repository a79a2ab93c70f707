//! Scan ranges as typed (`A.B.C.D`, `A.B.C.D/N`, `A.B.C.D-E`,
//! `A.B.C.D-W.X.Y.Z`, each with an optional `:PORT`).
//!
//! Checks: an accepted range is ordered, holds at most `MAX_SCAN_HOSTS`
//! addresses (exactly as many as it yields), probes a port other than 0 and
//! its text form parses back to the same range; a refusal can be said in
//! both languages.
#![no_main]

use je08_fuzz::said_in_every_language;
use je08_protocol::discovery::{MAX_SCAN_HOSTS, ScanRange};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match text.parse::<ScanRange>() {
        Ok(range) => {
            assert!(range.first <= range.last, "{text:?} gave {range:?}");
            assert_ne!(range.port, 0, "{text:?}");
            let hosts = range.host_count();
            assert!(
                (1..=u64::from(MAX_SCAN_HOSTS)).contains(&hosts),
                "{text:?}: {hosts} hosts"
            );
            assert_eq!(range.hosts().count() as u64, hosts, "{text:?}");
            let shown = range.to_string();
            assert_eq!(shown.parse::<ScanRange>(), Ok(range), "{text:?} shown as {shown}");
        }
        Err(err) => said_in_every_language(&err),
    }
});
