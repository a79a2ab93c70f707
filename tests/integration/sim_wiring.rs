//! The simulator's wiring-fault scenarios, read over Modbus TCP, diagnosed
//! by the wiring check: the physics of the simulator and the analysis agree.

use std::time::Duration;

use je08_protocol::analysis::wiring::{Expectation, FindingKind, Phase, Severity, WiringReport, check};
use je08_protocol::codec::{RegisterBlock, decode};
use je08_protocol::readings::Measurements;
use je08_protocol::registers::addr;
use je08_sim::{MeterOptions, Scenario, spawn_meter};
use tokio_modbus::client::Reader as _;

const DEADLINE: Duration = Duration::from_secs(10);

/// Ten full-map reads of a fresh meter in `scenario`, checked against
/// 500 A CTs.
async fn diagnose(scenario: Scenario) -> WiringReport {
    diagnose_with(scenario, 500).await
}

/// The same, for CTs of `ct_primary_a` fitted.
async fn diagnose_with(scenario: Scenario, ct_primary_a: u32) -> WiringReport {
    let sim = spawn_meter(MeterOptions::scenario(300, scenario))
        .await
        .expect("simulator starts");
    let mut ctx = tokio::time::timeout(DEADLINE, tokio_modbus::client::tcp::connect(sim.modbus))
        .await
        .expect("connect in time")
        .expect("connect");
    let mut samples: Vec<Measurements> = Vec::new();
    let mut settings = None;
    for _ in 0..10 {
        let words = tokio::time::timeout(DEADLINE, ctx.read_holding_registers(0, 110))
            .await
            .expect("answer in time")
            .expect("transport")
            .expect("no exception");
        let snapshot = decode(&RegisterBlock::try_from(words.as_slice()).expect("110 words"));
        settings = Some(snapshot.settings);
        samples.push(snapshot.measurements);
    }
    let expect = Expectation {
        ct_primary_a: Some(ct_primary_a),
        ..Expectation::default()
    };
    check(&samples, &settings.expect("read"), &expect)
}

fn faults(report: &WiringReport) -> Vec<&FindingKind> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Fault)
        .map(|f| &f.kind)
        .collect()
}

#[tokio::test]
async fn balanced_and_no_sensor_meters_are_healthy() {
    for scenario in [Scenario::Balanced, Scenario::NoTempSensor] {
        let report = diagnose(scenario).await;
        assert!(report.healthy, "{scenario}: {:#?}", report.findings);
        let angle = report.load_angle_deg.expect("a load angle");
        assert!((20.0..32.0).contains(&angle), "{scenario}: load angle {angle}");
    }
}

#[tokio::test]
async fn reversed_ct_b_is_found_and_fixed_by_inverting_b() {
    let report = diagnose(Scenario::ReversedCtB).await;
    assert_eq!(
        faults(&report),
        vec![&FindingKind::ReversedCt { phase: Phase::B }],
        "{report:#?}"
    );
    assert_eq!(report.register_fix(), vec![(addr::INVERTE_TC_FASE_B, 1)]);
}

#[tokio::test]
async fn swapped_cts_a_and_b_are_found() {
    let report = diagnose(Scenario::SwappedCtAb).await;
    let found = faults(&report);
    for (channel, carries) in [(Phase::A, Phase::B), (Phase::B, Phase::A)] {
        assert!(
            found.iter().any(|k| matches!(
                k,
                FindingKind::CtOnWrongPhase { channel: c, carries: w, reversed: false }
                    if *c == channel && *w == carries
            )),
            "channel {channel:?} carrying {carries:?} not found in {report:#?}"
        );
    }
}

#[tokio::test]
async fn missing_vc_is_found() {
    let report = diagnose(Scenario::MissingVc).await;
    assert!(
        faults(&report)
            .iter()
            .any(|k| matches!(k, FindingKind::MissingVoltage { phase: Phase::C, .. })),
        "{report:#?}"
    );
}

#[tokio::test]
async fn wrong_ct_ratio_is_found_against_the_fitted_ct() {
    let report = diagnose_with(Scenario::WrongCtRatio, 300).await;
    assert!(
        report.findings.iter().any(|f| f.kind
            == FindingKind::CtRatioMismatch {
                configured_a: 500,
                expected_a: 300
            }),
        "{report:#?}"
    );
    assert!(
        report.register_fix().contains(&(addr::RELACAO_TC, 60)),
        "{report:#?}"
    );
}
