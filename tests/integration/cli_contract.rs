//! The command line as scripts and shells expect it: `--json` shapes of the
//! commands that talk to a meter (docs/cli-json.md), JSON errors, one table
//! of exit statuses reached for real (a closed port, a refused password or
//! value, a wiring fault, a usage error, Ctrl-C), output without escape
//! codes when not on a terminal, shell completions that parse and man pages
//! that render without warnings.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use je08_protocol::http_api::{FACTORY_PASSWORD, Mode};
use je08_sim::{MeterOptions, Scenario, spawn_meter};
use serde_json::Value;

use crate::firmware::{image, temp_file};
use crate::http::meter;

/// Exit statuses of the table in `je08 --help` and the README.
const FAILED: i32 = 1;
const USAGE: i32 = 2;
const FINDINGS: i32 = 3;
const UNREACHABLE: i32 = 4;
const REFUSED: i32 = 5;
const INTERRUPTED: i32 = 130;

/// Run `je08 ARGS` with the factory interface password, no terminal anywhere.
async fn je08(args: &[&str]) -> Output {
    je08_password(args, FACTORY_PASSWORD).await
}

/// Run `je08 ARGS` with `password` as the interface password (off the
/// runtime's thread, so the simulator in this test keeps answering).
async fn je08_password(args: &[&str], password: &str) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_je08"))
            .args(&args)
            .env("JE08_PASSWORD", password)
            .stdin(Stdio::null())
            .output()
            .expect("je08 runs")
    })
    .await
    .expect("join")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The one JSON document on stdout of a run that must have succeeded.
fn json_out(what: &str, out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: stdout is not one JSON document ({e}): {}",
            text(&out.stdout)
        )
    })
}

/// The JSON error on the last line of stderr: `{"error":{kind, meter, message}}`.
fn json_error(what: &str, out: &Output) -> Value {
    let stderr = text(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let v: Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{what}: the last stderr line is not JSON ({e}): {stderr}"));
    assert!(
        v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {v}"
    );
    v["error"].clone()
}

/// No terminal control sequence (ESC, carriage-return redraws) anywhere.
fn assert_plain(what: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !bytes.contains(&0x1b) && !bytes.contains(&b'\r'),
            "{what}: escape codes on {stream}: {:?}",
            text(bytes)
        );
    }
}

/// A loopback address of its own (not 127.0.0.1, where the other tests'
/// servers take freed ports) and two ports nobody listens on there (bound,
/// then closed).
fn closed_ports() -> (std::net::Ipv4Addr, u16, u16) {
    let ip = crate::discovery::random_loopback();
    let free = || {
        let listener = std::net::TcpListener::bind((ip, 0)).expect("bind");
        listener.local_addr().expect("addr").port()
    };
    (ip, free(), free())
}

#[tokio::test]
async fn every_command_that_changes_a_meter_prints_its_documented_json() {
    let m = meter(Mode::Application).await;
    let modbus = m.modbus.to_string();
    let http = m.http.expect("http").to_string();

    let set = json_out(
        "set",
        &je08(&["set", &modbus, "--ct-ratio", "120", "--json"]).await,
    );
    assert_eq!(set["meter"], modbus.as_str());
    assert_eq!(
        (set["ok"].as_bool(), set["saved"].as_bool()),
        (Some(true), Some(true)),
        "{set}"
    );
    let ct = &set["fields"][0];
    assert_eq!(
        (ct["register"].as_u64(), ct["name"].as_str()),
        (Some(16), Some("RELACAO_TC")),
        "{set}"
    );
    assert_eq!(
        (ct["wanted"].as_u64(), ct["read_back"].as_u64()),
        (Some(120), Some(120)),
        "{set}"
    );
    assert_eq!(
        (ct["changed"].as_bool(), ct["ok"].as_bool()),
        (Some(true), Some(true)),
        "{set}"
    );

    let reset = json_out(
        "reset-energy",
        &je08(&["reset-energy", &modbus, "--kwh", "--yes", "--json"]).await,
    );
    assert_eq!(
        (reset["meter"].as_str(), reset["ok"].as_bool()),
        (Some(modbus.as_str()), Some(true))
    );
    assert!(
        reset["kwh"]["before_kwh"].is_f64() && reset["kwh"]["after_kwh"].is_f64(),
        "{reset}"
    );
    assert_eq!(reset["kwh"]["reset"], true, "{reset}");
    assert!(reset["kvarh"].is_null(), "{reset}");

    let mode = json_out(
        "mode",
        &je08(&["mode", &http, "configuration", "--json", "--wait-s", "30"]).await,
    );
    assert_eq!(
        (mode["meter"].as_str(), mode["mode"].as_str()),
        (Some(http.as_str()), Some("configuration"))
    );
    assert_eq!(mode["info"]["mode"], "configuration", "{mode}");
    assert!(mode["esp_version"].is_string(), "{mode}");

    let reboot = json_out(
        "reboot",
        &je08(&["reboot", &http, "--json", "--wait-s", "30"]).await,
    );
    assert_eq!(reboot["mode"], "application", "{reboot}");

    // Flashed from update mode: the simulator's servers close and bind
    // again just after a reboot, and a push right then can meet the gap.
    let updating = meter(Mode::Update).await;
    let updating_http = updating.http.expect("http").to_string();
    let file = temp_file("contract.bin", &image("3.21"));
    let flash = je08(&[
        "flash",
        &updating_http,
        file.to_str().expect("path"),
        "--json",
        "--wait-s",
        "30",
    ])
    .await;
    assert!(
        text(&flash.stderr).lines().all(|l| !l.contains('%')),
        "no progress in --json mode: {}",
        text(&flash.stderr)
    );
    let flash = json_out("flash", &flash);
    assert_eq!(
        (flash["esp_version"].as_str(), flash["method"].as_str()),
        (Some("3.21"), Some("http"))
    );
    assert_eq!(
        flash["image_bytes"].as_u64(),
        Some(image("3.21").len() as u64),
        "{flash}"
    );
    assert_eq!(flash["mode"], "application", "{flash}");
    updating.shutdown().await;

    let reset = json_out("network-reset", &je08(&["network-reset", &http, "--json"]).await);
    assert_eq!(reset["meter"], http.as_str(), "{reset}");
    assert!(reset["waited_at"].is_null() && reset["back"].is_null(), "{reset}");
    m.shutdown().await;
}

#[tokio::test]
async fn a_report_prints_json_per_meter_and_a_failed_meter_is_a_finding() {
    let m = meter(Mode::Application).await;
    let good = format!("{},http={}", m.modbus, m.http.expect("http").port());
    let (ip, modbus_port, http_port) = closed_ports();
    let gone = format!("{ip}:{modbus_port},http={http_port}");
    let dir = std::env::temp_dir().join(format!("je08-contract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pdf = dir.join("site.pdf");
    let pdf_arg = pdf.to_str().expect("path");
    let window = ["--samples", "3", "--interval", "5", "--timeout", "1000"];
    let mut args = vec!["report", &good, "--out", pdf_arg, "--json"];
    args.extend(window);
    let ok = json_out("report", &je08(&args).await);
    assert_eq!(
        (ok["ok"].as_bool(), ok["out"].as_str()),
        (Some(true), Some(pdf_arg)),
        "{ok}"
    );
    let one = &ok["meters"][0];
    assert_eq!(
        (one["reached"].as_bool(), one["ok"].as_bool()),
        (Some(true), Some(true)),
        "{one}"
    );
    assert!(
        one["wiring_healthy"].is_boolean() && one["report"]["meter"].is_string(),
        "{one}"
    );

    let mut args = vec!["report", &good, &gone, "--out", pdf_arg, "--json"];
    args.extend(window);
    let out = je08(&args).await;
    assert_eq!(out.status.code(), Some(FINDINGS), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(
        (
            v["meters"][1]["reached"].as_bool(),
            v["meters"][1]["ok"].as_bool()
        ),
        (Some(false), Some(false))
    );
    assert!(v["meters"][1]["error"].is_string(), "{v}");
    assert!(pdf.exists(), "the report is written even with a failed meter");

    let mut args = vec!["report", &good, &gone, "--out", pdf_arg];
    args.extend(window);
    let out = je08(&args).await;
    assert_eq!(out.status.code(), Some(FINDINGS));
    assert_plain("report", &out);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("[2/2] meter") && stderr.contains("NOT REACHED"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    m.shutdown().await;
}

#[tokio::test]
async fn each_outcome_has_its_exit_status_and_json_errors_say_kind_and_meter() {
    let m = meter(Mode::Application).await;
    let modbus = m.modbus.to_string();
    let http = m.http.expect("http").to_string();
    let (ip, port, _) = closed_ports();
    let nobody = format!("{ip}:{port}");

    for args in [
        vec!["read", &nobody, "--json"],
        vec!["set", &nobody, "--ct-ratio", "100", "--json"],
        vec!["info", &nobody, "--json"],
        vec!["mode", &nobody, "configuration", "--json"],
        vec!["reboot", &nobody, "--json"],
    ] {
        let out = je08(&args).await;
        assert_eq!(
            out.status.code(),
            Some(UNREACHABLE),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let error = json_error(&format!("{args:?}"), &out);
        assert_eq!(error["kind"], "unreachable", "{args:?}");
        assert_eq!(error["meter"], nobody.as_str(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    let out = je08(&["read", &nobody]).await;
    assert_eq!(out.status.code(), Some(UNREACHABLE));
    assert!(
        text(&out.stderr).starts_with("error: "),
        "text mode says it in words"
    );

    let out = je08(&["set", &modbus, "--ct-ratio", "10", "--json"]).await;
    assert_eq!(out.status.code(), Some(REFUSED), "{}", text(&out.stderr));
    assert_eq!(json_error("set out of range", &out)["kind"], "refused");
    let out = je08(&["reset-energy", &modbus, "--kwh"]).await;
    assert_eq!(out.status.code(), Some(REFUSED), "no --yes and no terminal");

    let wrong = je08_password(&["mode", &http, "configuration", "--json"], "not-the-password").await;
    assert_eq!(wrong.status.code(), Some(REFUSED), "{}", text(&wrong.stderr));
    let error = json_error("wrong password", &wrong);
    assert_eq!(
        (error["kind"].as_str(), error["meter"].as_str()),
        (Some("refused"), Some(http.as_str()))
    );
    assert_eq!(m.device.power_state().mode, Mode::Application, "nothing changed");

    let out = je08(&["config", "get", &http, "ct", "--json"]).await;
    assert_eq!(
        out.status.code(),
        Some(REFUSED),
        "not in configuration mode: {}",
        text(&out.stderr)
    );
    assert_eq!(
        json_error("config get in application mode", &out)["kind"],
        "refused"
    );
    let broken = temp_file("contract-broken.bin", &[0xE9, 0, 0, 0]);
    let out = je08(&["flash", &http, broken.to_str().expect("path"), "--json"]).await;
    assert_eq!(out.status.code(), Some(REFUSED), "{}", text(&out.stderr));
    assert_eq!(json_error("flash of a broken image", &out)["kind"], "refused");

    let out = je08(&["set"]).await;
    assert_eq!(out.status.code(), Some(USAGE));
    let out = je08(&["read", &modbus, "--no-such-flag"]).await;
    assert_eq!(out.status.code(), Some(USAGE));

    let out = je08(&["firmware", "check", "/nonexistent/app.bin"]).await;
    assert_eq!(out.status.code(), Some(FAILED), "{}", text(&out.stderr));

    let help = text(&je08(&["--help"]).await.stdout);
    for line in [
        "3    done with findings",
        "4    a meter or broker could not be reached",
        "5    refused",
        "130    interrupted",
    ] {
        assert!(help.contains(line), "je08 --help lacks {line:?}:\n{help}");
    }
    m.shutdown().await;
}

#[tokio::test]
async fn a_wiring_fault_is_a_finding_and_a_healthy_meter_is_done() {
    let faulty = spawn_meter(MeterOptions::scenario(1801, Scenario::ReversedCtB))
        .await
        .expect("sim");
    let healthy = spawn_meter(MeterOptions::scenario(1802, Scenario::Balanced))
        .await
        .expect("sim");
    for (sim, code) in [(&faulty, FINDINGS), (&healthy, 0)] {
        let out = je08(&[
            "wiring-check",
            &sim.modbus.to_string(),
            "--samples",
            "5",
            "--interval",
            "5",
        ])
        .await;
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stdout));
        assert_plain("wiring-check", &out);
        // Off a terminal the sampling is told in plain lines, up to the last sample.
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("sampling {}: 100% (5/5 samples)", sim.modbus)),
            "{stderr}"
        );
    }
    // With --json, stderr holds no progress.
    let out = je08(&[
        "wiring-check",
        &healthy.modbus.to_string(),
        "--samples",
        "3",
        "--interval",
        "5",
        "--json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "", "no progress in --json mode");
    faulty.shutdown().await;
    healthy.shutdown().await;
}

#[tokio::test]
async fn ctrl_c_ends_a_recording_with_status_130_and_a_whole_file() {
    let m = meter(Mode::Application).await;
    let dir = std::env::temp_dir().join(format!("je08-contract-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let csv = dir.join("rec.csv");
    let child = Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["record", &m.modbus.to_string(), "--out"])
        .arg(&csv)
        .args(["--interval", "50", "--flush-every", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("je08 record starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&csv).map_or(0, |t| t.lines().count()) < 3 {
        assert!(Instant::now() < deadline, "no rows recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("je08 ends");
    assert_eq!(out.status.code(), Some(INTERRUPTED), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("rows written"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    m.shutdown().await;
}

#[tokio::test]
async fn firmware_progress_off_a_terminal_is_plain_lines() {
    let m = meter(Mode::Update).await;
    let http = m.http.expect("http").to_string();
    let file = temp_file("contract-plain.bin", &image("3.22"));
    let out = je08(&["flash", &http, file.to_str().expect("path"), "--wait-s", "30"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_plain("flash", &out);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("100% (") && stderr.contains("0% ("), "{stderr}");
    m.shutdown().await;
}

/// Write `je08 completions SHELL` to a file and return its path.
fn completion(dir: &Path, shell: &str) -> std::path::PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["completions", shell])
        .output()
        .expect("je08 runs");
    assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("flash"),
        "{shell}: the script knows the commands"
    );
    let path = dir.join(format!("je08.{shell}"));
    std::fs::write(&path, &out.stdout).expect("write");
    path
}

#[test]
fn completion_scripts_parse_in_their_shells() {
    let dir = std::env::temp_dir().join(format!("je08-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for (shell, check) in [
        ("bash", vec!["bash", "-n"]),
        ("zsh", vec!["zsh", "-n"]),
        ("fish", vec!["fish", "--no-execute"]),
    ] {
        let path = completion(&dir, shell);
        let out = Command::new(check[0])
            .args(&check[1..])
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("{} is needed (apt-get install {}): {e}", check[0], check[0]));
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
    }
    let ps = completion(&dir, "powershell");
    assert!(
        std::fs::read_to_string(ps)
            .expect("read")
            .contains("Register-ArgumentCompleter"),
        "a PowerShell completer"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_man_page_renders_without_warnings() {
    let dir = std::env::temp_dir().join(format!("je08-man-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_je08"))
        .arg("manpages")
        .arg(&dir)
        .output()
        .expect("je08 runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pages: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    for name in [
        "je08.1",
        "je08-read.1",
        "je08-flash.1",
        "je08-mqtt-watch.1",
        "je08-completions.1",
    ] {
        assert!(pages.iter().any(|p| p.ends_with(name)), "no {name} in {pages:?}");
    }
    assert!(
        !pages.iter().any(|p| p.ends_with("je08-manpages.1")),
        "the hidden command has no page"
    );
    for page in &pages {
        let out = Command::new("man")
            .args(["-l", "--warnings"])
            .arg(page)
            .env("MANWIDTH", "80")
            .env("MAN_KEEP_FORMATTING", "0")
            .stdin(Stdio::null())
            .output()
            .expect("man is needed (apt-get install man-db)");
        assert!(out.status.success(), "{page}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{page} warns: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("je08"), "{page} renders");
    }
    let read = std::fs::read_to_string(dir.join("je08-read.1")).expect("page");
    assert!(read.contains("Examples"), "the examples reach the man page");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_ends_an_mqtt_watch_with_status_130() {
    use std::io::BufRead as _;
    let broker = crate::mqtt::Mosquitto::start(&crate::mqtt::BrokerSetup::default());
    let mut child = Command::new(env!("CARGO_BIN_EXE_je08"))
        .args([
            "mqtt",
            "watch",
            "--broker",
            &format!("mqtt://127.0.0.1:{}", broker.port),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("je08 mqtt watch starts");
    let stderr = child.stderr.take().expect("stderr");
    let (said, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = said.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let connected = std::iter::from_fn(|| {
        heard
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    })
    .any(|line| line.contains("connected to"));
    if !connected {
        let _ = child.kill();
    }
    assert!(connected, "je08 mqtt watch never said it was connected");
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("je08 mqtt watch did not end within 20 s of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(INTERRUPTED), "{status:?}");
}
