//! What the installers rely on: `je08 --version` names the version and the
//! git commit, and the `je08w` window launcher runs the `je08` beside it with
//! the same arguments, output and exit status.

use std::process::{Command, Output, Stdio};

fn run(exe: &str, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{exe} runs: {e}"))
}

#[test]
fn version_names_the_package_version_and_the_git_commit() {
    let out = run(env!("CARGO_BIN_EXE_je08"), &["--version"]);
    assert!(out.status.success(), "{out:?}");
    let line = String::from_utf8(out.stdout).expect("UTF-8");
    // Outside a git checkout (a source tarball) build.rs falls back to "unknown".
    let commit = Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "--short=9", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        );
    assert_eq!(
        line,
        format!("je08 {} (commit {commit})\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn the_window_launcher_passes_arguments_output_and_exit_status_through() {
    let direct = run(env!("CARGO_BIN_EXE_je08"), &["--version"]);
    let launched = run(env!("CARGO_BIN_EXE_je08w"), &["--version"]);
    assert!(launched.status.success(), "{launched:?}");
    assert_eq!(launched.stdout, direct.stdout);

    // A usage error: je08 exits 2; the launcher shows its message and exits 2 too.
    let refused = run(env!("CARGO_BIN_EXE_je08w"), &["--no-such-flag"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("--no-such-flag"), "{message}");
}
