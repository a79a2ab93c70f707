//! What this build is and where it runs: said by the About window, the
//! crash reports and the diagnostics' `versions.txt`.

use std::sync::OnceLock;

/// The package version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit it was built from (`unknown` outside git; see build.rs).
pub const COMMIT: &str = env!("JE08_GIT_COMMIT");
/// The UTC date of the build, YYYY-MM-DD (`SOURCE_DATE_EPOCH` when set).
pub const BUILD_DATE: &str = env!("JE08_BUILD_DATE");
/// The egui version drawing the window.
pub const EGUI_VERSION: &str = env!("JE08_EGUI_VERSION");
/// The eframe version hosting the window.
pub const EFRAME_VERSION: &str = env!("JE08_EFRAME_VERSION");

/// The renderer the window opened with, once it has.
static RENDERER: OnceLock<String> = OnceLock::new();

/// Record the renderer the window opened with (e.g. `glow (OpenGL: llvmpipe)`);
/// the first one recorded stays.
pub fn set_renderer(description: String) {
    let _ = RENDERER.set(description);
}

/// The renderer the window opened with; `None` before it opened (and in
/// the command line).
pub fn renderer() -> Option<&'static str> {
    RENDERER.get().map(String::as_str)
}

/// The operating system, its version and the architecture, once known.
static OS: OnceLock<String> = OnceLock::new();

/// The operating system, its version and the architecture, e.g.
/// `Ubuntu 24.04 (64-bit), x86_64`. The first call reads system files (and
/// may run a system tool): the window makes it on a thread of its own.
pub fn os() -> &'static str {
    OS.get_or_init(|| format!("{}, {}", os_info::get(), std::env::consts::ARCH))
}

/// [`os`] if it was already worked out (never waits).
pub fn os_known() -> Option<&'static str> {
    OS.get().map(String::as_str)
}

/// The facts as `name: value` lines (English: read by support).
pub fn lines() -> Vec<(&'static str, String)> {
    vec![
        ("je08", VERSION.to_owned()),
        ("commit", COMMIT.to_owned()),
        ("built", BUILD_DATE.to_owned()),
        ("os", os().to_owned()),
        (
            "renderer",
            renderer().unwrap_or("(no window in this run)").to_owned(),
        ),
        ("egui", EGUI_VERSION.to_owned()),
        ("eframe", EFRAME_VERSION.to_owned()),
    ]
}

/// [`lines`] as text, one `name: value` per line.
pub fn text() -> String {
    lines()
        .into_iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect()
}
