//! Calibration against the simulator over Modbus TCP: the gain computed by
//! the calibration maths removes the simulated hardware error.

use std::time::Duration;

use je08_protocol::analysis::calibration::{Preconditions, Quantity, plan};
use je08_protocol::analysis::wiring::Phase;
use je08_protocol::codec::{RegisterBlock, decode};
use je08_protocol::readings::{Measurements, Settings};
use je08_protocol::registers::addr;
use je08_protocol::validate::trigger_value;
use je08_sim::{MeterOptions, Scenario, spawn_meter};
use tokio_modbus::client::{Context, Reader as _, Writer as _};

const DEADLINE: Duration = Duration::from_secs(10);

async fn window(ctx: &mut Context, n: usize) -> (Vec<Measurements>, Settings, RegisterBlock) {
    let mut samples = Vec::with_capacity(n);
    let mut last = RegisterBlock::default();
    for _ in 0..n {
        let words = tokio::time::timeout(DEADLINE, ctx.read_holding_registers(0, 110))
            .await
            .expect("answer in time")
            .expect("transport")
            .expect("no exception");
        last = RegisterBlock::try_from(words.as_slice()).expect("110 words");
        samples.push(decode(&last).measurements);
    }
    (samples, decode(&last).settings, last)
}

fn mean(samples: &[Measurements], f: impl Fn(&Measurements) -> f64) -> f64 {
    samples.iter().map(f).sum::<f64>() / samples.len() as f64
}

#[tokio::test]
async fn calibrated_gains_remove_the_hardware_error() {
    // 100 A : 5 A CTs fitted and configured, so 80 A is above 50 % of nominal.
    let mut options = MeterOptions::scenario(400, Scenario::Balanced);
    options.device.model.physical_ct_ratio = 20;
    options.device.settings.ct_ratio = 20;
    let params = options.device.model.clone();
    let sim = spawn_meter(options).await.expect("simulator starts");
    let mut ctx = tokio::time::timeout(DEADLINE, tokio_modbus::client::tcp::connect(sim.modbus))
        .await
        .expect("connect in time")
        .expect("connect");

    let true_va = params.phases[0].voltage_v;
    let true_ib = params.phases[1].current_a;
    let (before, settings, block) = window(&mut ctx, 10).await;
    assert!(
        (mean(&before, |m| m.voltage_v.a) - true_va).abs() > 2.0,
        "the simulated hardware error is visible"
    );
    let pre = Preconditions::default();
    let volts = plan(Phase::A, Quantity::Voltage, true_va, &before, &settings, &pre).expect("plan V");
    let amps = plan(Phase::B, Quantity::Current, true_ib, &before, &settings, &pre).expect("plan I");
    assert_eq!(volts.register, addr::GANHO_TENSAO_A);
    assert_eq!(amps.register, addr::GANHO_CORRENTE_B);
    for (register, gain) in [(volts.register, volts.new_gain), (amps.register, amps.new_gain)] {
        tokio::time::timeout(DEADLINE, ctx.write_single_register(register, gain))
            .await
            .expect("answer in time")
            .expect("transport")
            .expect("accepted");
    }
    let save = trigger_value(block.get(addr::SAVE_PARAMS));
    tokio::time::timeout(DEADLINE, ctx.write_single_register(addr::SAVE_PARAMS, save))
        .await
        .expect("answer in time")
        .expect("transport")
        .expect("accepted");

    let (after, settings, _) = window(&mut ctx, 10).await;
    assert_eq!(settings.gains.voltage.a, volts.new_gain);
    assert_eq!(settings.gains.current.b, amps.new_gain);
    let va = mean(&after, |m| m.voltage_v.a);
    let ib = mean(&after, |m| m.current_a.b);
    assert!(
        (va - true_va).abs() <= 1.0,
        "VA {va} V after calibration, true {true_va} V"
    );
    assert!(
        (ib - true_ib).abs() <= 0.3,
        "IB {ib} A after calibration, true {true_ib} A"
    );
}
