//! Field support: a crash report after a (debug-only) panic, a log file
//! per run in `JE08_LOG_DIR` at `info` with the folder pruned, and the
//! diagnostics zip — from the command line and from the window — holding
//! no secret used on the way (interface and broker passwords, at `--log
//! trace`).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::kit::SimProcess;
use super::mqtt::{BrokerSetup, Mosquitto, TempDir};

const METER_PASSWORD: &str = "Meter-pw-9917-support";
const BROKER_PASSWORD: &str = "Broker-pw-5521-support";
const PLANTED: &str = "Planted-secret-3307";

/// `je08 <args>` with its log and data folders under `dir`.
fn je08(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_je08"));
    command
        .env("JE08_LOG_DIR", dir.join("logs"))
        .env("JE08_DATA_DIR", dir.join("data"))
        .env_remove("JE08_DEBUG_PANIC")
        .env_remove("JE08_LOG")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("je08 runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn log_files(dir: &Path) -> Vec<PathBuf> {
    je08::support::log_file::log_files(&dir.join("logs"))
}

/// `je08 sim` on free ports with its log and data folders under `dir` and
/// stderr piped, killed on drop.
fn start_sim(dir: &Path, extra: &[&str]) -> SimProcess {
    let mut command = je08(dir);
    command
        .arg("sim")
        .args(super::kit::FREE_PORTS)
        .args(extra)
        .stderr(Stdio::piped());
    SimProcess::spawn(command)
}

/// Every entry of the zip at `path`: name and text.
fn unzip(path: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).expect("the zip exists");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("an entry");
            let name = entry.name().expect("a UTF-8 name").into_owned();
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("text");
            (name, text)
        })
        .collect()
}

fn assert_no_secret(entries: &[(String, String)]) {
    for (name, text) in entries {
        for secret in [METER_PASSWORD, BROKER_PASSWORD, PLANTED] {
            assert!(!text.contains(secret), "{name} holds {secret}:\n{text}");
        }
    }
}

#[test]
fn tests_never_log_into_the_users_own_folder() {
    // `.cargo/config.toml` sets it for every program cargo runs, so
    // commands these tests spawn without a folder of their own log there.
    let dir = std::env::var_os("JE08_LOG_DIR").expect("JE08_LOG_DIR is set for tests");
    assert!(PathBuf::from(dir).ends_with("target/dev-logs"));
}

#[test]
fn a_debug_panic_leaves_a_crash_report_that_the_diagnostics_carry() {
    let dir = TempDir::new("support-crash");
    let out = run(je08(&dir.0)
        .args(["log", "--limit", "1"])
        .env("JE08_DEBUG_PANIC", "1"));
    assert_eq!(out.status.code(), Some(101), "{}", said(&out));
    let reports = je08::support::crash::reports(&dir.0.join("logs"));
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = std::fs::read_to_string(&reports[0]).expect("the report reads");
    for part in [
        "je08 crash report",
        "command: log",
        "thread: main",
        "JE08_DEBUG_PANIC is set",
        "src/support/crash.rs",
        &format!("je08: {}", env!("CARGO_PKG_VERSION")),
        "commit: ",
        "os: ",
        "backtrace:",
    ] {
        assert!(report.contains(part), "no {part:?} in:\n{report}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("A crash report was written to {}", reports[0].display())),
        "the person is told where: {stderr}"
    );
    let logs = log_files(&dir.0);
    let log = std::fs::read_to_string(&logs[0]).expect("the run's log");
    assert!(log.contains("ERROR") && log.contains("je08 stopped"), "{log}");

    // The next start of the window tells about it, once.
    // SAFETY: nextest runs each test in its own process, and no other
    // thread of this test reads the environment.
    unsafe {
        std::env::set_var("JE08_LOG_DIR", dir.0.join("logs"));
    }
    assert_eq!(je08::support::crash::untold(), Some(reports[0].clone()));
    assert_eq!(je08::support::crash::untold(), None, "told once");

    let zip = dir.0.join("diagnostics.zip");
    let out = run(je08(&dir.0).args(["diagnostics"]).arg(&zip));
    assert!(out.status.success(), "{}", said(&out));
    let entries = unzip(&zip);
    let name = format!(
        "crash-reports/{}",
        reports[0].file_name().unwrap().to_string_lossy()
    );
    let carried = entries.iter().find(|(n, _)| *n == name);
    assert_eq!(carried.map(|(_, t)| t.as_str()), Some(report.as_str()), "{name}");
}

#[test]
fn each_run_logs_info_to_a_file_of_its_own_and_old_files_are_pruned() {
    use je08::support::log_file::{KEEP_BYTES, KEEP_FILES, file_name};
    let dir = TempDir::new("support-logs");
    let logs = dir.0.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    // 40 files of earlier runs, the newest of them huge.
    let old: Vec<PathBuf> = (0..40)
        .map(|i| {
            let at = chrono::DateTime::from_timestamp(1_600_000_000 + i * 60, 0).unwrap();
            let path = logs.join(file_name(at, 7));
            std::fs::write(&path, "old run\n").unwrap();
            path
        })
        .collect();

    // A one-shot command with nothing to say at `info` leaves no file.
    let out = run(je08(&dir.0).args(["log", "--limit", "1"]));
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(log_files(&dir.0).len(), 40, "no file for a silent run");

    let mut runs = Vec::new();
    for round in 0..2 {
        if round == 1 {
            // Sparse: the folder's byte cap, not the disk, is under test.
            let f = std::fs::File::options().write(true).open(&old[39]).unwrap();
            f.set_len(KEEP_BYTES - 1024).unwrap();
        }
        let before = log_files(&dir.0);
        let mut sim = start_sim(&dir.0, &["--id", "4711"]);
        let end = Instant::now() + Duration::from_secs(20);
        let file = loop {
            let new: Vec<PathBuf> = log_files(&dir.0)
                .into_iter()
                .filter(|f| !before.contains(f))
                .collect();
            let text = new
                .first()
                .map(|f| std::fs::read_to_string(f).unwrap_or_default());
            if let Some(text) = text.filter(|t| t.contains("meter ready")) {
                assert!(text.contains(" INFO "), "{text}");
                assert!(text.contains("4711"), "{text}");
                break new[0].clone();
            }
            assert!(Instant::now() < end, "no log file with the ready line");
            std::thread::sleep(Duration::from_millis(50));
        };
        let _ = sim.child.kill();
        let mut stderr = String::new();
        let _ = sim.child.stderr.take().unwrap().read_to_string(&mut stderr);
        assert!(!stderr.contains("meter ready"), "stderr keeps warn: {stderr}");
        runs.push(file);
    }
    assert_ne!(runs[0], runs[1], "one file per run");
    let kept = log_files(&dir.0);
    assert_eq!(kept.len(), KEEP_FILES, "{kept:#?}");
    assert!(kept.contains(&runs[0]) && kept.contains(&runs[1]));
    assert!(!old[0].exists(), "the oldest went first");
    assert!(!old[39].exists(), "the folder's byte cap made the huge file go");
    let total: u64 = kept.iter().map(|f| f.metadata().unwrap().len()).sum();
    assert!(total <= KEEP_BYTES, "{total} bytes");
}

#[test]
fn the_diagnostics_zip_holds_every_part_and_no_secret_used_at_log_trace() {
    let dir = TempDir::new("support-zip");
    let data = dir.0.join("data");
    std::fs::create_dir_all(&data).unwrap();
    // Settings as the window saved them.
    let prefs = format!(
        "(lang:Some(En),meters:[(address:\"10.0.0.21:502\",name:\"\",notes:\"\",id:Some(4711))],\
         plot_window_s:60,broker_url:\"mqtt://op:{PLANTED}@10.0.0.2:1883\")"
    );
    let app_ron = format!("{{\"je08.prefs\":{prefs:?}}}");
    std::fs::write(data.join("app.ron"), app_ron).unwrap();

    let sim = start_sim(&dir.0, &["--id", "4711", "--password", METER_PASSWORD]);
    for args in [
        vec!["--log", "trace", "mode", &sim.http, "configuration"],
        vec![
            "--log",
            "trace",
            "config",
            "get",
            &sim.http,
            "protocols",
            "--json",
        ],
        vec!["--log", "trace", "mode", &sim.http, "application"],
    ] {
        let out = run(je08(&dir.0).args(&args).env("JE08_PASSWORD", METER_PASSWORD));
        assert!(out.status.success(), "{args:?}: {}", said(&out));
    }
    let broker = Mosquitto::start(&BrokerSetup {
        password: Some(("op".into(), BROKER_PASSWORD.into())),
        ..BrokerSetup::default()
    });
    let url = broker.url(false).to_string();
    let out = run(je08(&dir.0).args([
        "--log",
        "trace",
        "discover",
        "--no-mdns",
        "--timeout",
        "1",
        "--broker",
        &url,
        "--user",
        "op",
        "--mqtt-password",
        BROKER_PASSWORD,
    ]));
    assert!(out.status.success(), "{}", said(&out));

    // A meters list someone edited by hand (written last: `discover` saves its own).
    let meters = serde_json::json!({"format": 1, "meters": [
        {"id": 4711, "name": "QGBT-1", "notes": "panel 3", "addresses": ["10.0.0.21"],
         "wifi_password": PLANTED}
    ]});
    std::fs::write(data.join("meters.json"), meters.to_string()).unwrap();
    let zip = dir.0.join("out").join("support.zip");
    std::fs::create_dir_all(zip.parent().unwrap()).unwrap();
    let out = run(je08(&dir.0).args(["diagnostics", "--json"]).arg(&zip));
    assert!(out.status.success(), "{}", said(&out));
    let said_json: Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(said_json["secrets_removed"], 2, "{said_json}");

    let entries = unzip(&zip);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    for name in ["versions.txt", "settings.json", "meters.json", "README.txt"] {
        assert!(names.contains(&name), "no {name} in {names:?}");
    }
    let logs: Vec<&(String, String)> = entries.iter().filter(|(n, _)| n.starts_with("logs/")).collect();
    assert!(logs.len() >= 5, "the runs' logs: {names:?}");
    assert!(
        logs.iter().any(|(_, t)| t.contains("TRACE")),
        "the trace runs' lines are there"
    );
    let text = |name: &str| &entries.iter().find(|(n, _)| n == name).unwrap().1;
    assert!(text("versions.txt").contains(&format!("je08: {}", env!("CARGO_PKG_VERSION"))));
    let settings: Value = serde_json::from_str(text("settings.json")).unwrap();
    assert_eq!(settings["broker_url"], "mqtt://op:***@10.0.0.2:1883");
    assert_eq!(settings["meters"][0]["id"], 4711);
    let meters: Value = serde_json::from_str(text("meters.json")).unwrap();
    assert_eq!(meters["meters"][0]["wifi_password"], "(removed)");
    assert_eq!(meters["meters"][0]["name"], "QGBT-1");
    assert_no_secret(&entries);
    assert!(
        !names.iter().any(|n| n.starts_with("crash-reports/")),
        "no crash: none"
    );
}

#[test]
fn the_about_window_shows_the_version_and_the_window_saves_diagnostics() {
    use egui_kittest::kittest::Queryable as _;
    use je08::state::intent::{Action, SupportIntent};

    let dir = TempDir::new("support-window");
    // SAFETY: nextest runs each test in its own process, and this runs
    // before the test starts any thread.
    unsafe {
        std::env::set_var("JE08_LOG_DIR", dir.0.join("logs"));
        std::env::set_var("JE08_DATA_DIR", dir.0.join("data"));
    }
    let (_rt, mut harness) = super::ui::english_window();
    super::kit::click(&mut harness, "Help");
    super::kit::click(&mut harness, "About je08");
    harness.get_by_label(je08::support::build_info::VERSION);
    harness.get_by_label(je08::support::build_info::COMMIT);
    harness.get_by_label(&dir.0.join("logs").display().to_string());
    harness.get_by_label_contains("MIT or Apache-2.0");
    harness.get_by_label_contains("Third-party software in je08");
    harness.state_mut().view.support.last_crash = Some(dir.0.join("logs/crash-x.txt"));
    super::kit::frames(&mut harness, 2);
    harness.get_by_label_contains("je08 closed unexpectedly last time. The crash report is at");

    // A broker password typed into the MQTT view (kept in memory only).
    super::kit::click(&mut harness, "MQTT broker");
    harness.state_mut().view.mqtt.form.url = "mqtt://127.0.0.1:1".into();
    harness.state_mut().view.mqtt.form.user = "op".into();
    harness.state_mut().view.mqtt.form.password.0 = BROKER_PASSWORD.into();
    harness.state_mut().apply(Action::ConnectBroker);
    super::kit::frames(&mut harness, 3);

    let zip = dir.0.join("window.zip");
    harness
        .state_mut()
        .apply(Action::Support(SupportIntent::SaveDiagnostics(Some(zip.clone()))));
    super::kit::step_until(&mut harness, "the diagnostics to be saved", |app| {
        app.view.support.saved.is_some()
    });
    let saved = harness.state().view.support.saved.clone();
    assert_eq!(saved, Some(Ok(zip.clone())));
    harness.get_by_label_contains(&format!("Diagnostics saved to {}", zip.display()));
    let entries = unzip(&zip);
    let settings = &entries
        .iter()
        .find(|(n, _)| n == "settings.json")
        .expect("settings")
        .1;
    assert!(settings.contains("mqtt://127.0.0.1:1"), "{settings}");
    assert_no_secret(&entries);
}
