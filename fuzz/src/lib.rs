//! What the fuzz targets share: one tokio runtime for the targets that drive
//! a real client over loopback sockets, and the check that a failure can be
//! said in every language.

use std::sync::OnceLock;

use je08_protocol::i18n::{Describe, Lang, Tr};

/// The current-thread runtime every network target runs its exchanges on
/// (made once: libFuzzer calls a target thousands of times a second).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// Say `value` in every language and check no sentence comes out empty (a
/// failure must always be readable).
pub fn said_in_every_language(value: &dyn Describe) {
    for lang in Lang::ALL {
        let text = value.describe(Tr(lang));
        assert!(!text.trim().is_empty(), "an empty sentence in {lang:?}");
    }
}
