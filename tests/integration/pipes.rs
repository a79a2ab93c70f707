//! The command line under a closed pipe (`je08 … | head -3` where `head`
//! has already gone): every subcommand's help and real outputs end without a
//! panic. The pipe's reading end is closed before the child starts, so every
//! write fails, deterministically.

use std::io::Read as _;
use std::process::{Command, ExitStatus, Stdio};

use clap::CommandFactory as _;
use je08::cli::Cli;

use crate::modbus_cli::SimProcess;

/// Status a command ends with when its standard output was closed.
const CLOSED: i32 = 141;

/// What a run through a closed pipe left: status and standard error.
struct Run {
    status: ExitStatus,
    stderr: String,
}

/// Run `je08 <args>` with its standard output a pipe nobody reads any more
/// (and its standard error too when `stderr_closed`).
fn through_closed_pipe(args: &[String], stderr_closed: bool) -> Run {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut command = Command::new(env!("CARGO_BIN_EXE_je08"));
    command
        .args(args)
        .env("JE08_DATA_DIR", std::env::temp_dir().join("je08-pipes"))
        .stdin(Stdio::null())
        .stdout(writer.try_clone().expect("clone the pipe"));
    if stderr_closed {
        command.stderr(writer);
    } else {
        drop(writer);
        command.stderr(Stdio::piped());
    }
    let mut child = command.spawn().expect("je08 starts");
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).expect("read stderr");
    }
    let status = child.wait().expect("je08 ends");
    Run { status, stderr }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// Every subcommand path (`["mqtt", "watch"]`, …), the root included.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
        out.push(path.to_vec());
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let mut next = path.to_vec();
            next.push(sub.get_name().to_owned());
            walk(sub, &next, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), &[], &mut out);
    out
}

/// The run ended by itself (no signal), not by a panic (status 101), and
/// said nothing about a panic.
fn assert_no_panic(what: &str, run: &Run) {
    let code = run.status.code();
    assert!(code.is_some(), "{what}: killed by a signal ({:?})", run.status);
    assert_ne!(code, Some(101), "{what}: panicked: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
}

#[test]
fn every_help_survives_a_closed_pipe() {
    let paths = command_paths();
    assert!(paths.len() > 25, "every subcommand is walked: {paths:?}");
    for path in paths {
        let mut args = path.clone();
        args.push("--help".to_owned());
        let run = through_closed_pipe(&args, false);
        assert_no_panic(&args.join(" "), &run);
    }
}

#[test]
fn real_outputs_end_quietly_when_stdout_is_closed() {
    let sim = SimProcess::start(&["--id", "31"]);
    let (host, port) = sim.modbus.rsplit_once(':').expect("IP:PORT");
    let scan = format!("{host}/32:{port}");
    let runs = [
        strings(&["read", &sim.modbus]),
        strings(&["read", &sim.modbus, "--json"]),
        strings(&["discover", "--no-mdns", "--json", "--scan", &scan]),
        strings(&["discover", "--no-mdns", "--scan", &scan]),
        strings(&["sim", "--modbus-port", "0", "--http-port", "0", "--ota-port", "0"]),
    ];
    for args in runs {
        let what = args.join(" ");
        let run = through_closed_pipe(&args, false);
        assert_no_panic(&what, &run);
        assert_eq!(run.status.code(), Some(CLOSED), "{what}: {}", run.stderr);
        assert!(
            !run.stderr.contains("error"),
            "{what}: a closed stdout ends the command quietly: {}",
            run.stderr
        );
    }
}

#[test]
fn failures_said_to_a_closed_stderr_do_not_panic() {
    let refused = crate::mqtt::free_port();
    let args = strings(&["read", &format!("127.0.0.1:{refused}"), "--timeout", "2000"]);
    let run = through_closed_pipe(&args, true);
    assert_no_panic("read of nothing", &run);
    assert_eq!(
        run.status.code(),
        Some(4),
        "a failure is still a failure: unreachable"
    );
}
