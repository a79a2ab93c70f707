//! Commissioning workflows against simulated meters over real sockets: the
//! wiring check (every scenario through the CLI, a sweep over load angles and
//! noise, no flicker, the one-click fix), calibration, profiles, recording
//! and reports.

use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::Duration;

use je08::commissioning::sampler::WindowOptions;
use je08::commissioning::wiring_check::run_check;
use je08_client::endpoint::Endpoint;
use je08_client::modbus::{ClientConfig, ModbusClient};
use je08_net::mqtt_link::BrokerLogin;
use je08_protocol::analysis::wiring::{Expectation, Severity};
use je08_protocol::http_api::{Mode, Secret};
use je08_protocol::registers::addr;
use je08_sim::mqtt::SimMqttOptions;
use je08_sim::{MeterOptions, ModelParams, Scenario, SimMeter, spawn_meter};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

async fn meter(options: MeterOptions) -> SimMeter {
    spawn_meter(options).await.expect("simulator starts")
}

async fn meter_with(id: u32, params: ModelParams) -> SimMeter {
    let mut options = MeterOptions::new(id);
    options.device.model = params;
    meter(options).await
}

fn client(at: SocketAddr) -> ModbusClient {
    ModbusClient::new(
        Endpoint {
            host: at.ip().to_string(),
            port: at.port(),
        },
        ClientConfig {
            timeout: Duration::from_secs(5),
            ..ClientConfig::default()
        },
    )
}

/// Run the `je08` binary without blocking the runtime.
async fn je08(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_je08"))
            .args(&args)
            .output()
            .expect("je08 runs")
    })
    .await
    .expect("join")
}

/// Owned command-line arguments.
pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn quick_window() -> WindowOptions {
    WindowOptions {
        samples: 5,
        interval: Duration::from_millis(5),
    }
}

/// `(kind, phase-ish fields, severity)` of every warning or fault.
fn problems(report: &Value) -> Vec<Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] != "info")
        .cloned()
        .collect()
}

async fn cli_check(sim: &SimMeter, extra: &[&str]) -> (Output, Value) {
    let mut a = args(&[
        "wiring-check",
        &sim.modbus.to_string(),
        "--json",
        "--samples",
        "5",
        "--interval",
        "5",
    ]);
    a.extend(extra.iter().map(|s| s.to_string()));
    let out = je08(a).await;
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON from je08 wiring-check ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, json)
}

#[tokio::test]
async fn every_scenario_through_the_cli_finds_its_fault_and_only_it() {
    for (i, scenario) in Scenario::ALL.into_iter().enumerate() {
        let sim = meter(MeterOptions::scenario(700 + i as u32, scenario)).await;
        let (out, report) = cli_check(&sim, &[]).await;
        let found = problems(&report);
        let kinds: Vec<&str> = found.iter().map(|f| f["kind"].as_str().unwrap_or("")).collect();
        match scenario {
            Scenario::Balanced | Scenario::NoTempSensor => {
                assert_eq!(report["healthy"], true, "{scenario}: {report:#}");
                assert!(found.is_empty(), "{scenario}: false alarm {found:#?}");
                assert_eq!(out.status.code(), Some(0), "{scenario}");
            }
            Scenario::ReversedCtB => {
                assert_eq!(kinds, ["reversed_ct"], "{scenario}: {report:#}");
                assert_eq!(found[0]["phase"], "B");
                assert_eq!(found[0]["severity"], "fault");
                assert_eq!(
                    found[0]["remedy"]["writes"],
                    serde_json::json!([[addr::INVERTE_TC_FASE_B, 1]])
                );
                assert_eq!(out.status.code(), Some(3), "findings");
            }
            Scenario::SwappedCtAb => {
                let mut pairs: Vec<(String, String)> = found
                    .iter()
                    .filter(|f| f["kind"] == "ct_on_wrong_phase")
                    .map(|f| (f["channel"].to_string(), f["carries"].to_string()))
                    .collect();
                pairs.sort();
                assert_eq!(
                    pairs,
                    [
                        ("\"A\"".to_string(), "\"B\"".to_string()),
                        ("\"B\"".to_string(), "\"A\"".to_string())
                    ],
                    "{scenario}: {report:#}"
                );
                assert!(
                    found.iter().all(|f| f["kind"] == "ct_on_wrong_phase"),
                    "{scenario}: {report:#}"
                );
                assert!(found.iter().all(|f| f["reversed"] == false));
            }
            Scenario::MissingVc => {
                assert!(
                    found.iter().any(|f| f["kind"] == "missing_voltage"
                        && f["phase"] == "C"
                        && f["severity"] == "fault"),
                    "{scenario}: {report:#}"
                );
                assert!(
                    !kinds.contains(&"reversed_ct") && !kinds.contains(&"ct_on_wrong_phase"),
                    "{scenario}: a missing voltage must not be blamed on a CT: {report:#}"
                );
            }
            Scenario::WrongCtRatio => {
                // The wiring is right; without the fitted CT given, the
                // ratio cannot be judged (sim_wiring checks it with one).
                assert!(
                    !kinds.contains(&"reversed_ct") && !kinds.contains(&"ct_on_wrong_phase"),
                    "{scenario}: {report:#}"
                );
            }
        }
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn healthy_wiring_gets_no_false_verdict_over_load_angles_and_noise() {
    let expect = Expectation::default();
    let cancel = CancellationToken::new();
    let mut id = 800;
    for noise in [0.0, 0.002, 0.01, 0.02] {
        for angle in [-20.0, -10.0, 0.0, 10.0, 25.8, 40.0, 50.0, 55.0] {
            let mut params = Scenario::Balanced.params();
            params.noise = noise;
            for (k, p) in params.phases.iter_mut().enumerate() {
                p.angle_deg = angle + [0.0, 2.0, -2.0][k];
            }
            id += 1;
            let sim = meter_with(id, params).await;
            let mut c = client(sim.modbus);
            let checked = run_check(&mut c, quick_window(), &expect, |_, _| {}, &cancel)
                .await
                .expect("check");
            let bad: Vec<_> = checked
                .report
                .findings
                .iter()
                .filter(|f| f.severity != Severity::Info)
                .collect();
            assert!(
                checked.report.healthy && bad.is_empty(),
                "noise {noise}, load angle {angle}°: false verdict {bad:#?}"
            );
            c.disconnect().await;
            sim.shutdown().await;
        }
    }
}

#[tokio::test]
async fn repeated_checks_on_a_noisy_meter_give_identical_verdicts() {
    let expect = Expectation::default();
    let cancel = CancellationToken::new();
    for (id, scenario) in [
        (900, Scenario::Balanced),
        (901, Scenario::ReversedCtB),
        (902, Scenario::SwappedCtAb),
    ] {
        let mut params = scenario.params();
        params.noise = 0.02;
        let sim = meter_with(id, params).await;
        let mut c = client(sim.modbus);
        let mut verdicts = Vec::new();
        for _ in 0..8 {
            let checked = run_check(&mut c, quick_window(), &expect, |_, _| {}, &cancel)
                .await
                .expect("check");
            let verdict: Vec<String> = checked
                .report
                .findings
                .iter()
                .map(|f| {
                    let v = serde_json::to_value(f).expect("finding JSON");
                    let fields = [
                        "kind", "phase", "channel", "carries", "reversed", "severity", "remedy",
                    ];
                    fields.map(|k| v[k].to_string()).join(" ")
                })
                .collect();
            verdicts.push((checked.report.healthy, verdict));
        }
        assert!(
            verdicts.windows(2).all(|w| w[0] == w[1]),
            "{scenario}: verdicts flicker: {verdicts:#?}"
        );
        c.disconnect().await;
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn fix_on_a_reversed_ct_inverts_saves_and_rechecks_healthy() {
    let sim = meter(MeterOptions::scenario(950, Scenario::ReversedCtB)).await;
    let (out, outcome) = cli_check(&sim, &["--fix", "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{outcome:#}");
    assert_eq!(outcome["before"]["report"]["healthy"], false);
    assert_eq!(outcome["written_ok"], true);
    assert_eq!(outcome["after"]["report"]["healthy"], true, "{outcome:#}");
    let fields = outcome["fields"].as_array().expect("fields");
    assert_eq!(fields.len(), 1, "{outcome:#}");
    assert_eq!(fields[0]["addr"], addr::INVERTE_TC_FASE_B);
    assert_eq!(fields[0]["read_back"], 1);
    assert_eq!(sim.device.registers().get(addr::INVERTE_TC_FASE_B), 1);
    // Without --yes and without a terminal nothing is written.
    let sim2 = meter(MeterOptions::scenario(951, Scenario::ReversedCtB)).await;
    let out = je08(args(&[
        "wiring-check",
        &sim2.modbus.to_string(),
        "--samples",
        "3",
        "--interval",
        "5",
        "--fix",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(5), "refused without --yes");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert_eq!(sim2.device.registers().get(addr::INVERTE_TC_FASE_B), 0);
    sim.shutdown().await;
    sim2.shutdown().await;
}

/// A meter whose phase-B current channel reads 4% high, phase-A voltage
/// channel 3% high, with 300 A on a 500 A CT (above 50% of nominal).
fn miscalibrated() -> ModelParams {
    let mut p = Scenario::Balanced.params();
    for load in &mut p.phases {
        load.current_a = 300.0;
    }
    p.current_hw_error = [1.0, 1.04, 1.0];
    p.voltage_hw_error = [1.03, 1.0, 1.0];
    p
}

/// The text of a PDF, laid out (`pdftotext -layout`).
pub fn pdf_text(path: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", &path.to_string_lossy(), "-"])
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

async fn mean_of(at: SocketAddr, f: impl Fn(&je08_protocol::readings::Measurements) -> f64) -> f64 {
    let mut c = client(at);
    let window = je08::commissioning::sampler::sample_window(
        &mut c,
        WindowOptions {
            samples: 20,
            interval: Duration::from_millis(2),
        },
        |_, _| {},
        &CancellationToken::new(),
    )
    .await
    .expect("window");
    c.disconnect().await;
    window.samples.iter().map(&f).sum::<f64>() / window.samples.len() as f64
}

#[tokio::test]
async fn calibration_brings_current_and_voltage_within_half_a_percent_and_certifies_it() {
    let sim = meter_with(960, miscalibrated()).await;
    let before = mean_of(sim.modbus, |m| m.current_a.b).await;
    assert!(
        (before / 300.0 - 1.04).abs() < 0.01,
        "the channel starts 4% high: {before}"
    );
    let dir = std::env::temp_dir().join(format!("je08-cal-{}", std::process::id()));
    let cert = dir.join("cert.pdf");
    let at = sim.modbus.to_string();
    let cert_arg = cert.to_string_lossy().to_string();
    let out = je08(args(&[
        "calibrate",
        &at,
        "--phase",
        "b",
        "--current",
        "300",
        "--samples",
        "10",
        "--interval",
        "5",
        "--yes",
        "--json",
        "--reference-instrument",
        "Fluke 435 série 12345 (certificado nº 7)",
        "--certificate",
        &cert_arg,
    ]))
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let outcome: Value = serde_json::from_slice(&out.stdout).expect("JSON outcome");
    assert_eq!(outcome["written_ok"], true);
    assert!(outcome["error_before_percent"].is_null());
    assert!(outcome["plan"]["error_before_percent"].as_f64().expect("before") > 3.0);
    assert!(
        outcome["error_after_percent"].as_f64().expect("after").abs() < 0.5,
        "{outcome:#}"
    );
    let gain = sim.device.registers().get(addr::GANHO_CORRENTE_B);
    assert_eq!(outcome["field"]["read_back"], gain);
    let after = mean_of(sim.modbus, |m| m.current_a.b).await;
    assert!(
        (after / 300.0 - 1.0).abs() < 0.005,
        "current after calibration {after}"
    );

    // Voltage of phase A against the sim's true 220 V.
    let out = je08(args(&[
        "calibrate",
        &at,
        "--phase",
        "a",
        "--voltage",
        "220",
        "--samples",
        "10",
        "--interval",
        "5",
        "--yes",
    ]))
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("GANHO_TENSAO_A") && text.contains("after:"),
        "{text}"
    );
    let volts = mean_of(sim.modbus, |m| m.voltage_v.a).await;
    assert!(
        (volts / 220.0 - 1.0).abs() < 0.005,
        "voltage after calibration {volts}"
    );

    let text = pdf_text(&cert);
    for needle in [
        "calibration certificate",
        "960",
        "Fluke 435 série 12345 (certificado nº 7)",
        "3.00",
        "UTC",
        "before",
        "after",
        "GANHO_CORRENTE_B",
        "1000",
        &gain.to_string(),
    ] {
        assert!(text.contains(needle), "certificate lacks {needle:?}:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    sim.shutdown().await;
}

#[tokio::test]
async fn calibration_is_refused_on_low_or_unstable_current_and_nothing_is_written() {
    // Balanced: 80 A on a 500 A CT, far below 50% of nominal.
    let low = meter(MeterOptions::scenario(970, Scenario::Balanced)).await;
    let mut unstable_params = miscalibrated();
    unstable_params.noise = 0.05;
    let unstable = meter_with(971, unstable_params).await;
    for (sim, phrase) in [(&low, "below"), (&unstable, "not stable")] {
        let before = sim.device.registers();
        let out = je08(args(&[
            "calibrate",
            &sim.modbus.to_string(),
            "--phase",
            "b",
            "--current",
            "300",
            "--samples",
            "8",
            "--interval",
            "5",
            "--yes",
        ]))
        .await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "refused: {err}");
        assert!(err.contains("refused") && err.contains(phrase), "{err}");
        assert!(err.contains("nothing was written"), "{err}");
        let after = sim.device.registers();
        for a in 1..=19 {
            assert_eq!(before.get(a), after.get(a), "register {a} changed: {err}");
        }
    }
    low.shutdown().await;
    unstable.shutdown().await;
}

fn csv_rows(path: &std::path::Path) -> Vec<csv::StringRecord> {
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    csv::Reader::from_reader(file)
        .records()
        .map(|r| r.expect("every written line is a whole CSV record"))
        .collect()
}

/// Poll the recording until `cond` holds on its rows.
async fn wait_rows(path: &std::path::Path, what: &str, cond: impl Fn(&[csv::StringRecord]) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !cond(&csv_rows(path)) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_killed_recording_keeps_whole_rows_and_continuous_energy_across_a_reboot() {
    use je08::commissioning::record::{HEADER, NOTE_CONTINUED};
    let mut options = MeterOptions::new(980);
    options.device.model.time_scale = 100_000.0;
    options.device.reboot_delay = Duration::from_millis(100);
    let sim = meter(options).await;
    let dir = std::env::temp_dir().join(format!("je08-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("rec.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["record", &sim.modbus.to_string(), "--out"])
        .arg(&path)
        .args(["--interval", "20", "--flush-every", "100", "--timeout", "300"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("je08 record starts");
    let col = |name: &str| HEADER.iter().position(|h| *h == name).expect("column");
    let (meter_kwh, cont_kwh, status, note) = (
        col("energy_meter_kWh"),
        col("energy_continuous_kWh"),
        col("status"),
        col("note"),
    );
    wait_rows(&path, "rows before the reboot", |rows| {
        rows.iter().filter(|r| &r[status] == "ok").count() >= 5
    })
    .await;
    sim.device.power_cycle();
    wait_rows(&path, "the reboot to be bridged and rows after it", |rows| {
        rows.iter()
            .position(|r| &r[note] == NOTE_CONTINUED)
            .is_some_and(|i| rows[i..].iter().filter(|r| &r[status] == "ok").count() >= 5)
    })
    .await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    let text = std::fs::read_to_string(&path).expect("readable");
    assert!(text.ends_with('\n'), "the file ends on a whole line");
    let header = text.lines().next().expect("header");
    assert!(
        header.contains("voltage_a_V") && header.contains("energy_continuous_kWh"),
        "{header}"
    );
    let rows = csv_rows(&path);
    let ok: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[status] == "ok").collect();
    for r in &rows {
        assert_eq!(r.len(), HEADER.len());
        chrono::DateTime::parse_from_rfc3339(&r[0]).expect("ISO 8601 timestamp");
    }
    let number = |r: &csv::StringRecord, c: usize| r[c].parse::<f64>().expect("number");
    let meter: Vec<f64> = ok.iter().map(|r| number(r, meter_kwh)).collect();
    let continuous: Vec<f64> = ok.iter().map(|r| number(r, cont_kwh)).collect();
    assert!(
        meter.windows(2).any(|w| w[1] < w[0]),
        "the meter's own counter dropped at the reboot: {meter:?}"
    );
    assert!(
        continuous.windows(2).all(|w| w[1] >= w[0]),
        "the continuous total never decreases: {continuous:?}"
    );
    assert!(
        continuous.last() > meter.last(),
        "the total kept the energy from before the reboot"
    );
    let _ = std::fs::remove_dir_all(&dir);
    sim.shutdown().await;
}

#[tokio::test]
async fn ctrl_c_during_a_whole_profile_save_returns_the_meter_to_application_mode() {
    let mut options = http_options(996);
    options.device.reboot_delay = Duration::from_millis(1500);
    let sim = meter(options).await;
    let boots = sim.device.power_state().boot_count;
    let dir = std::env::temp_dir().join(format!("je08-sigint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("never.toml");
    let child = Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["profile", "save", &both(&sim)])
        .arg(&file)
        .env(PASSWORD.0, PASSWORD.1)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("je08 profile save starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while sim.device.power_state().mode != Mode::Configuration {
        assert!(
            std::time::Instant::now() < deadline,
            "the meter never left application mode"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let interrupt = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupt.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("je08 ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "an interrupted save is not a success");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        stderr.contains("cancelled") && stderr.contains("back in application mode"),
        "{stderr}"
    );
    assert!(!file.exists(), "no profile is written");
    let state = sim.device.power_state();
    assert_eq!(
        (state.mode, state.boot_count),
        (Mode::Application, boots + 2),
        "rebooted into configuration mode and back"
    );
    let _ = std::fs::remove_dir_all(&dir);
    sim.shutdown().await;
}

/// Run the `je08` binary with extra environment variables (passwords).
pub async fn je08_env(args: Vec<String>, envs: &[(&str, &str)]) -> Output {
    let envs: Vec<(String, String)> = envs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_je08"))
            .args(&args)
            .envs(envs)
            .output()
            .expect("je08 runs")
    })
    .await
    .expect("join")
}

/// A simulator's MQTT client for `url` that reconnects quickly and
/// publishes every second.
pub fn quick_mqtt(url: &str) -> SimMqttOptions {
    let mut mqtt = SimMqttOptions::new(BrokerLogin::anonymous(url.parse().expect("url")));
    mqtt.timing.link.reconnect.initial = Duration::from_millis(100);
    mqtt.timing.link.reconnect.cap = Duration::from_secs(1);
    mqtt.interval = Duration::from_secs(1);
    mqtt
}

/// A meter with the HTTP API on a free port and quick reboots.
pub fn http_options(id: u32) -> MeterOptions {
    let mut options = MeterOptions::new(id);
    options.http_port = Some(0);
    options.device.reboot_delay = Duration::from_millis(200);
    options
}

/// `HOST:MODBUS_PORT,http=HTTP_PORT` of a simulator.
pub fn both(sim: &SimMeter) -> String {
    format!("{},http={}", sim.modbus, sim.http.expect("HTTP served").port())
}

/// The factory interface password, as the environment variable the CLI reads.
pub const PASSWORD: (&str, &str) = ("JE08_PASSWORD", "bintechnology");

#[tokio::test]
async fn a_profile_carries_http_blocks_as_templates_and_applies_to_many_meters_except_a_refusing_one() {
    let mut options = http_options(990);
    options.device.settings.ct_ratio = 200;
    options.device.settings.invert.b = true;
    options.device.network.device_name = "Line 3 meter 990".into();
    let mqtt = &mut options.device.protocols.mqtt;
    mqtt.client_id = "plant-990".into();
    mqtt.publish_topic = "plant/990/data".into();
    mqtt.subscribe_topic = "plant/990/cmd".into();
    mqtt.username = "meter".into();
    mqtt.password = Some(Secret::new("mqtt-secret-990"));
    mqtt.host = "127.0.0.1".into();
    mqtt.interval_s = 10;
    let source = meter(options).await;
    let mut targets = Vec::new();
    for id in [991, 992] {
        let mut options = http_options(id);
        options.device.protocols.mqtt.password = Some(Secret::new(format!("keep-{id}")));
        targets.push(meter(options).await);
    }
    let mut options = http_options(993);
    options.device.start_mode = Mode::Configuration;
    let in_configuration = meter(options).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let dir = std::env::temp_dir().join(format!("je08-profile-{}", std::process::id()));
    let file = dir.join("panel.toml");
    let file_arg = file.to_string_lossy().to_string();

    let out = je08_env(args(&["profile", "save", &both(&source), &file_arg]), &[PASSWORD]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&file).expect("profile written");
    for needle in [
        "format = 3",
        "ct_ratio = 200",
        "[http.connectivity]",
        "ssid = \"PLANT\"",
        "device_name = \"Line 3 meter {id}\"",
        "[http.protocols.mqtt]",
        "client_id = \"plant-{id}\"",
        "publish_topic = \"plant/{id}/data\"",
        "username = \"meter\"",
        "interval_s = 10",
    ] {
        assert!(text.contains(needle), "profile lacks {needle:?}:\n{text}");
    }
    for secret in [
        "mqtt-secret",
        "bintechnology",
        "password =",
        "\nip =",
        "meter 990",
        "plant/990",
        "plant-990",
        "[settings.gains",
    ] {
        assert!(!text.contains(secret), "{secret:?} in the profile:\n{text}");
    }
    assert_eq!(
        source.device.with(|d| d.mode()),
        Mode::Application,
        "source back in application mode"
    );

    let mut apply = args(&["profile", "apply", &file_arg]);
    apply.extend(targets.iter().map(both));
    apply.push(both(&in_configuration));
    apply.push(format!("{closed},http={}", closed.port()));
    apply.extend(args(&["--json", "--timeout", "2000", "--http-timeout", "2000"]));
    let boots = |t: &SimMeter| t.device.with(|d| d.boot_count());

    let mut dry = apply.clone();
    dry.push("--dry-run".into());
    let out = je08_env(dry, &[PASSWORD]).await;
    let preview: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(preview[0]["status"], "would_change", "{preview:#}");
    assert_eq!(preview[0]["http_checked"], false, "{preview:#}");
    assert_eq!(
        targets[0].device.registers().get(addr::RELACAO_TC),
        100,
        "dry run wrote nothing"
    );
    assert_eq!(boots(&targets[0]), 1, "a dry run never reboots");

    apply.push("--yes".into());
    let out = je08_env(apply, &[PASSWORD]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed meter makes the exit status 1"
    );
    let results: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    for (i, t) in targets.iter().enumerate() {
        let id = t.id();
        assert_eq!(results[i]["status"], "changed", "{results:#}");
        assert_eq!(results[i]["device_id"], id);
        assert_eq!(results[i]["http_checked"], true);
        let name = results[i]["diff"]
            .as_array()
            .expect("diff")
            .iter()
            .find(|d| d["field"] == "device_name")
            .cloned()
            .expect("device name in the diff");
        assert_eq!(name["read_back"], format!("Line 3 meter {id}"), "{name:#}");
        let regs = t.device.registers();
        assert_eq!(
            (regs.get(addr::RELACAO_TC), regs.get(addr::INVERTE_TC_FASE_B)),
            (200, 1)
        );
        let (mode, network, protocols) = t
            .device
            .with(|d| (d.mode(), d.network.clone(), d.protocols.clone()));
        assert_eq!(mode, Mode::Application, "back in application mode");
        assert_eq!(network.device_name, format!("Line 3 meter {id}"));
        assert_eq!(network.ip, "127.0.0.1", "each meter keeps its own address");
        assert_eq!(protocols.mqtt.client_id, format!("plant-{id}"));
        assert_eq!(protocols.mqtt.publish_topic, format!("plant/{id}/data"));
        assert_eq!(protocols.mqtt.subscribe_topic, format!("plant/{id}/cmd"));
        assert_eq!(
            (protocols.mqtt.username.as_str(), protocols.mqtt.interval_s),
            ("meter", 10)
        );
        assert_eq!(
            protocols.mqtt.password.as_ref().map(|p| p.expose().to_string()),
            Some(format!("keep-{id}")),
            "secrets stay on the meter"
        );
    }
    assert_eq!(results[2]["status"], "failed");
    let reason = results[2]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("wrong mode") && reason.contains("configuration mode"),
        "{reason}"
    );
    assert_eq!(
        in_configuration.device.with(|d| (
            d.mode(),
            d.saved_settings().ct_ratio,
            d.protocols_saved.mqtt.client_id.clone()
        )),
        (Mode::Configuration, 100, "je08-993".to_string()),
        "the refusing meter is untouched"
    );
    assert_eq!(results[3]["status"], "failed");
    let reason = results[3]["reason"].as_str().expect("reason");
    assert!(
        reason.contains(&closed.to_string()) && reason.contains("nothing was written"),
        "{reason}"
    );

    // The human table: an already-applied meter is ok, the refusing one FAILED.
    let again = je08_env(
        args(&[
            "profile",
            "apply",
            &file_arg,
            &both(&targets[0]),
            &both(&in_configuration),
            "--yes",
        ]),
        &[PASSWORD],
    )
    .await;
    let table = String::from_utf8_lossy(&again.stdout);
    let result = table.split("result:").nth(1).unwrap_or_default();
    assert!(
        result.contains("already as the profile")
            && result.contains("FAILED")
            && result.contains("wrong mode"),
        "{table}"
    );
    assert!(!table.contains("bintechnology"), "{table}");
    let _ = std::fs::remove_dir_all(&dir);
    source.shutdown().await;
    in_configuration.shutdown().await;
    for t in targets {
        t.shutdown().await;
    }
}

#[tokio::test]
async fn the_report_shows_as_found_as_left_the_fix_and_the_mqtt_check_per_meter() {
    let broker = je08_sim::broker::start_embedded_broker(0).await.expect("broker");
    let url = format!("mqtt://{broker}");
    let mut options = http_options(995);
    options.mqtt = Some(quick_mqtt(&url));
    let good = meter(options).await;
    let mut options = http_options(996);
    options.device.model = Scenario::ReversedCtB.params();
    let bad = meter(options).await;
    let dir = std::env::temp_dir().join(format!("je08-report-{}", std::process::id()));
    let out_file = dir.join("report.pdf");
    let out = je08_env(
        args(&[
            "report",
            &both(&good),
            &both(&bad),
            "127.0.0.1:1,http=1",
            "--out",
            &out_file.to_string_lossy(),
            "--samples",
            "4",
            "--interval",
            "5",
            "--fix",
            "--yes",
            "--http-blocks",
            "--broker",
            &url,
            "--mqtt-wait-s",
            "5",
        ]),
        &[PASSWORD],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "written with failed meters: findings; {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = pdf_text(&out_file);
    for needle in [
        "commissioning report",
        "995",
        "996",
        "as found",
        "as left",
        "healthy",
        "NOT healthy",
        "Wiring fix applied and saved",
        "Wiring check after the fix",
        "RELACAO_TC",
        "connectivity.device_name",
        "JE08-995",
        "protocols.mqtt.publish_topic",
        "NOT REACHED",
        "voltage (V)",
        "MQTT: seen",
        "je08/995/data",
        "MQTT: NOT seen",
        "je08/996/data",
    ] {
        assert!(text.contains(needle), "report lacks {needle:?}:\n{text}");
    }
    let inverted = text
        .lines()
        .filter(|l| l.contains("INVERTE_TC_FASE_B") && l.contains("changed"))
        .count();
    assert_eq!(inverted, 1, "as found 0, as left 1 on meter 996 only:\n{text}");
    assert!(!text.contains("bintechnology"), "{text}");
    assert_eq!(bad.device.registers().get(addr::INVERTE_TC_FASE_B), 1);
    assert_eq!(good.device.with(|d| d.mode()), Mode::Application);
    let _ = std::fs::remove_dir_all(&dir);
    good.shutdown().await;
    bad.shutdown().await;
}

#[tokio::test]
async fn the_report_in_portuguese_has_portuguese_headings_and_findings_and_no_english_ones() {
    let mut options = http_options(997);
    options.device.model = Scenario::ReversedCtB.params();
    let bad = meter(options).await;
    let dir = std::env::temp_dir().join(format!("je08-report-pt-{}", std::process::id()));
    let out_file = dir.join("relatorio.pdf");
    // A journal of its own: the report lists the day's entries of the
    // meter, and earlier runs' would lengthen it.
    let data = dir.join("data").to_string_lossy().into_owned();
    let out = je08_env(
        args(&[
            "report",
            &both(&bad),
            "127.0.0.1:1,http=1",
            "--out",
            &out_file.to_string_lossy(),
            "--samples",
            "4",
            "--interval",
            "5",
            "--fix",
            "--yes",
            "--lang",
            "pt-BR",
        ]),
        &[PASSWORD, ("JE08_DATA_DIR", &data)],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "written with a failed meter: findings; {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = pdf_text(&out_file);
    for needle in [
        "Relatório de comissionamento JE08",
        "997",
        "Configurações como encontradas / como deixadas (alterado)",
        "como encontrado",
        "Verificação de ligação",
        "NÃO saudável",
        "O TC da fase B",
        "Correção de ligação aplicada e salva",
        "Verificação de ligação após a correção",
        "Leituras",
        "tensão (V)",
        "NÃO ALCANÇADO",
        "conexão recusada",
        "INVERTE_TC_FASE_B",
        "RELACAO_TC",
        "aplicação",
        "página 1 de ",
    ] {
        assert!(text.contains(needle), "report lacks {needle:?}:\n{text}");
    }
    for english in [
        "commissioning report",
        "Settings as found",
        "as found",
        "Wiring check",
        "NOT healthy",
        "Wiring fix applied",
        "Readings",
        "voltage (V)",
        "NOT REACHED",
        "connection refused",
        "is reversed",
        "application",
        "page 1 of",
    ] {
        assert!(!text.contains(english), "report has {english:?}:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    bad.shutdown().await;
}

#[tokio::test]
async fn the_calibration_certificate_in_portuguese_has_portuguese_headings_and_no_english_ones() {
    let sim = meter_with(961, miscalibrated()).await;
    let dir = std::env::temp_dir().join(format!("je08-cal-pt-{}", std::process::id()));
    let cert = dir.join("certificado.pdf");
    let out = je08(args(&[
        "calibrate",
        &sim.modbus.to_string(),
        "--phase",
        "b",
        "--current",
        "300",
        "--samples",
        "10",
        "--interval",
        "5",
        "--yes",
        "--certificate",
        &cert.to_string_lossy(),
        "--lang",
        "pt-BR",
    ]))
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = pdf_text(&cert);
    for needle in [
        "Certificado de calibração JE08",
        "961",
        "Instrumento de referência",
        "(não informado)",
        "corrente da fase B",
        "Antes e depois",
        "antes",
        "depois",
        "ganho (GANHO_CORRENTE_B)",
        "UTC",
        "O novo ganho foi gravado",
        "página 1 de 1",
    ] {
        assert!(text.contains(needle), "certificate lacks {needle:?}:\n{text}");
    }
    for english in [
        "calibration certificate",
        "Reference instrument",
        "(not given)",
        "Before and after",
        "before",
        "gain (",
        "The new gain",
        "page 1 of",
    ] {
        assert!(!text.contains(english), "certificate has {english:?}:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    sim.shutdown().await;
}
