//! Build script: the git commit shown by `je08 --version`, and, for Windows
//! targets, the icon and version resource embedded in the executables.
//!
//! It re-runs only when the checked-out commit changes (HEAD, the current
//! branch's ref, packed refs) or when `JE08_GIT_COMMIT` changes, never on
//! source edits, so the crate is rebuilt for a new commit and nothing more.

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
