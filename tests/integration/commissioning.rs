//! Commissioning workflows against simulated meters over real sockets: the
//! wiring check (every scenario through the CLI, a sweep over load angles and
//! noise, no flicker, the one-click fix), calibration, profiles, recording
//! and reports.

use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::Duration;

use je08::analysis::wiring::{Expectation, Severity};
use je08::client::endpoint::Endpoint;
use je08::client::modbus::{ClientConfig, ModbusClient};
use je08::commissioning::sampler::WindowOptions;
use je08::commissioning::wiring_check::run_check;
use je08::protocol::registers::addr;
use je08::sim::{MeterOptions, ModelParams, Scenario, SimMeter, spawn_meter};
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

fn args(list: &[&str]) -> Vec<String> {
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
                assert_eq!(out.status.code(), Some(2));
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
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert_eq!(sim2.device.registers().get(addr::INVERTE_TC_FASE_B), 0);
    sim.shutdown().await;
    sim2.shutdown().await;
}
