//! Build script: the git commit shown by `je08 --version`, the build date
//! and the egui/eframe versions shown by the About window and the
//! diagnostics, and, for Windows targets, the icon and version resource
//! embedded in the executables.
//!
//! It re-runs only when the checked-out commit changes (HEAD, the current
//! branch's ref, packed refs), when Cargo.lock changes, or when
//! `JE08_GIT_COMMIT` or `SOURCE_DATE_EPOCH` change, never on source edits,
//! so the crate is rebuilt for a new commit and nothing more.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=JE08_GIT_COMMIT");
    let commit = std::env::var("JE08_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=JE08_GIT_COMMIT={}", commit.trim());
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rustc-env=JE08_BUILD_DATE={}", build_date());
    println!("cargo:rerun-if-changed=Cargo.lock");
    for name in ["egui", "eframe"] {
        let version = locked_version(name).unwrap_or_else(|| "unknown".to_owned());
        println!("cargo:rustc-env=JE08_{}_VERSION={version}", name.to_uppercase());
    }
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows_resources();
    }
}

/// Run git in the package directory; its trimmed output when it succeeded.
fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}

/// The short hash of HEAD, registering the files whose change means a new
/// commit; `None` outside a git checkout (e.g. a source tarball).
fn git_commit() -> Option<String> {
    let commit = git(&["rev-parse", "--short=9", "HEAD"])?;
    let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        // `--git-path` resolves worktrees and the common dir; a missing file
        // would make cargo re-run the script on every build, so skip it.
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &name])
            && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    Some(commit)
}

/// The UTC date of the build (`SOURCE_DATE_EPOCH` when set, for
/// reproducible builds), as YYYY-MM-DD.
fn build_date() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok());
    let at = match epoch {
        Some(secs) => chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default(),
        None => chrono::Utc::now(),
    };
    at.format("%Y-%m-%d").to_string()
}

/// The version of the package `name` in the workspace's Cargo.lock.
fn locked_version(name: &str) -> Option<String> {
    let dir = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    let lock = std::fs::read_to_string(Path::new(&dir).join("Cargo.lock")).ok()?;
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_owned());
        }
    }
    None
}

/// Embed assets/icon/je08.ico and the version information in the Windows
/// executables (windres from mingw-w64 when cross-compiling, rc.exe on MSVC).
fn windows_resources() {
    println!("cargo:rerun-if-changed=assets/icon/je08.ico");
    let mut res = winresource::WindowsResource::new();
    res.set_icon("assets/icon/je08.ico")
        .set("ProductName", "JE08 Configurator")
        .set("FileDescription", "JE08 Configurator");
    if let Err(err) = res.compile() {
        panic!("cannot embed the Windows icon resource (is mingw-w64's windres installed?): {err}");
    }
}
