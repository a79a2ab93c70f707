//! The Modbus client against the in-process simulator over real TCP:
//! whole-map reads, settings round trips, refusals, exceptions by name,
//! energy resets and the simulator's own injected faults.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use je08_client::modbus::{ClientConfig, Exception, ModbusClient, ModbusError};
use je08_client::params::{ApplyOptions, EnergyCounters, apply_settings, reset_energy};
use je08_protocol::codec::{RegisterBlock, decode};
use je08_protocol::registers::addr;
use je08_protocol::validate::WritePlan;
use je08_sim::{MeterOptions, SimMeter, spawn_meter};

/// Generous deadline for waits on the simulator.
const DEADLINE: Duration = Duration::from_secs(10);

async fn meter(id: u32) -> SimMeter {
    spawn_meter(MeterOptions::new(id))
        .await
        .expect("simulator starts")
}

fn client(addr: SocketAddr) -> ModbusClient {
    ModbusClient::new(
        addr.into(),
        ClientConfig {
            timeout: Duration::from_secs(5),
            ..ClientConfig::default()
        },
    )
}

/// Registers 0–19: triggers and settings, everything a write can touch.
fn writable_area(block: &RegisterBlock) -> Vec<u16> {
    block.0[..20].to_vec()
}

#[tokio::test]
async fn the_whole_map_reads_in_one_request_and_decodes_sensibly() {
    let sim = meter(1001).await;
    let mut c = client(sim.modbus);
    let block = c.read_map().await.unwrap();
    assert_eq!(c.stats().answered, 1, "one request for the whole map");
    let s = decode(&block);
    assert_eq!(s.device.id, 1001);
    assert_eq!(s.device.esp_version.to_string(), "3.00");
    assert_eq!(s.settings.ct_ratio, 100);
    assert_eq!(s.settings.ct_primary_a(), 500);
    let m = &s.measurements;
    for v in m.voltage_v.to_array() {
        assert!((90.0..300.0).contains(&v), "phase voltage {v}");
    }
    assert!((45.0..65.0).contains(&m.frequency_hz), "{}", m.frequency_hz);
    assert!(m.power_factor.total.abs() <= 1.0);
    assert!(
        m.line_voltage_v.mean > m.voltage_v.a,
        "line voltage above phase voltage"
    );
    // Settings, id and versions are what the simulator holds.
    let truth = sim.device.registers();
    for a in (9..=19).chain([
        addr::DEVICE_ID_HIGH,
        addr::DEVICE_ID_LOW,
        addr::ESP_VERSION,
        addr::STM32_VERSION,
    ]) {
        assert_eq!(block.get(a), truth.get(a), "register {a}");
    }
    // The connection is kept for the next request.
    c.read_map().await.unwrap();
    assert_eq!(c.stats().connects, 1);
}

#[tokio::test]
async fn settings_round_trip_reaches_the_meter_and_is_saved() {
    let sim = meter(1002).await;
    let mut c = client(sim.modbus);
    let plan = WritePlan::new(&[
        (addr::RELACAO_TC, 120),
        (addr::INVERTE_TC_FASE_B, 1),
        (addr::GANHO_TENSAO_A, 1010),
    ])
    .unwrap();
    let outcome = apply_settings(&mut c, &plan, ApplyOptions::default())
        .await
        .unwrap();
    assert!(outcome.is_ok(), "{:?}", outcome.mismatches);
    assert!(outcome.saved);
    assert_eq!(outcome.after.ct_ratio, 120);
    let changed: Vec<u16> = outcome.relevant().map(|f| f.addr).collect();
    assert_eq!(changed, vec![10, 16, 18]);
    assert!(outcome.relevant().all(|f| f.ok() && f.changed()));
    let (live, saved) = sim.device.with(|d| (d.live_settings(), d.saved_settings()));
    assert_eq!(live.ct_ratio, 120);
    assert!(live.invert.b && !live.invert.a);
    assert_eq!(live.gains.voltage.a, 1010);
    assert_eq!(saved, live, "SAVE_PARAMS persisted the change");
}

#[tokio::test]
async fn no_save_leaves_the_saved_settings_alone() {
    let sim = meter(1003).await;
    let mut c = client(sim.modbus);
    let plan = WritePlan::new(&[(addr::RELACAO_TC, 60)]).unwrap();
    let options = ApplyOptions {
        save: false,
        ..ApplyOptions::default()
    };
    let outcome = apply_settings(&mut c, &plan, options).await.unwrap();
    assert!(outcome.is_ok() && !outcome.saved);
    let (live, saved) = sim.device.with(|d| (d.live_settings(), d.saved_settings()));
    assert_eq!(live.ct_ratio, 60);
    assert_eq!(saved.ct_ratio, 100);
}

#[tokio::test]
async fn defaults_restore_the_gains() {
    let sim = meter(1004).await;
    let mut c = client(sim.modbus);
    let plan = WritePlan::new(&[(addr::GANHO_CORRENTE_C, 1200), (addr::GANHO_FREQUENCIA, 990)]).unwrap();
    apply_settings(&mut c, &plan, ApplyOptions::default())
        .await
        .unwrap();
    let options = ApplyOptions {
        restore_defaults: true,
        save: true,
    };
    let outcome = apply_settings(&mut c, &WritePlan::default(), options)
        .await
        .unwrap();
    assert!(outcome.defaults_restored);
    assert_eq!(outcome.after.gains.current.c, 1000);
    assert_eq!(outcome.after.gains.frequency, 1000);
    let changed: Vec<u16> = outcome.relevant().map(|f| f.addr).collect();
    assert_eq!(changed, vec![9, 15]);
    assert_eq!(sim.device.with(|d| d.saved_settings()).gains.current.c, 1000);
}

#[tokio::test]
async fn every_exception_code_is_shown_by_name() {
    let sim = meter(1005).await;
    let mut c = client(sim.modbus);
    let before = c.read_map().await.unwrap();

    let err = c.read_registers(105, 10).await.unwrap_err();
    assert_eq!(err.exception(), Some(Exception::ILLEGAL_DATA_ADDRESS));
    let text = err.to_string();
    assert!(text.contains("illegal data address (02)"), "{text}");
    assert!(
        text.contains(&sim.modbus.to_string()) && text.contains("registers 105–114"),
        "{text}"
    );

    let err = c.write_register(addr::RELACAO_TC, 10).await.unwrap_err();
    assert_eq!(err.exception(), Some(Exception::ILLEGAL_DATA_VALUE));
    assert!(err.to_string().contains("illegal data value (03)"), "{err}");
    assert!(err.to_string().contains("register 16 (RELACAO_TC)"), "{err}");

    // Function 1 (read coils) and a user-defined function (0x41) are not
    // ones the meter implements.
    for function in [0x01, 0x41] {
        let err = c.call_raw(function, &[0, 0, 0, 1]).await.unwrap_err();
        assert_eq!(err.exception(), Some(Exception::ILLEGAL_FUNCTION), "{err}");
        assert!(err.to_string().contains("illegal function (01)"), "{err}");
    }

    // An exception is an answer: the connection stays up and nothing changed.
    assert!(c.is_connected());
    assert_eq!(c.stats().connects, 1);
    let after = c.read_map().await.unwrap();
    assert_eq!(writable_area(&before), writable_area(&after));
}

#[tokio::test]
async fn a_multi_write_with_one_bad_value_changes_nothing() {
    let sim = meter(1006).await;
    let mut c = client(sim.modbus);
    let before = c.read_map().await.unwrap();
    // GANHO_TENSAO_A..RELACAO_TC with GANHO_TENSAO_B = 1600 out of range.
    let values = [900, 900, 1600, 900, 900, 900, 150];
    let err = c
        .write_registers(addr::GANHO_TENSAO_A, &values)
        .await
        .unwrap_err();
    assert_eq!(err.exception(), Some(Exception::ILLEGAL_DATA_VALUE), "{err}");
    let after = c.read_map().await.unwrap();
    assert_eq!(
        writable_area(&before),
        writable_area(&after),
        "a partial write leaked"
    );
}

#[tokio::test]
async fn energy_resets_zero_the_chosen_accumulators() {
    let mut options = MeterOptions::new(1007);
    options.device.model.time_scale = 3600.0;
    let sim = spawn_meter(options).await.unwrap();
    let mut c = client(sim.modbus);
    let started = Instant::now();
    loop {
        let s = decode(&c.read_map().await.unwrap());
        if s.measurements.energy_kwh.total >= 1.0 && s.measurements.energy_kvarh.total >= 1.0 {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "energy never accumulated");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let outcome = reset_energy(
        &mut c,
        EnergyCounters {
            kwh: true,
            kvarh: false,
        },
    )
    .await
    .unwrap();
    let kwh = outcome.kwh.unwrap();
    assert!(outcome.is_ok() && kwh.after < kwh.before, "{kwh:?}");
    assert!(outcome.kvarh.is_none());
    let s = decode(&c.read_map().await.unwrap());
    assert!(
        s.measurements.energy_kvarh.total >= 1.0,
        "kVArh must be untouched"
    );
    let outcome = reset_energy(
        &mut c,
        EnergyCounters {
            kwh: true,
            kvarh: true,
        },
    )
    .await
    .unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(outcome.kvarh.unwrap().after < outcome.kvarh.unwrap().before);
}

#[tokio::test]
async fn a_stalled_meter_times_out_and_the_client_recovers() {
    let sim = meter(1008).await;
    let mut c = ModbusClient::new(
        sim.modbus.into(),
        ClientConfig {
            timeout: Duration::from_millis(300),
            ..ClientConfig::default()
        },
    );
    c.read_map().await.unwrap();
    sim.device.set_stall(true);
    let err = c.read_map().await.unwrap_err();
    assert!(matches!(err, ModbusError::Timeout { .. }), "{err}");
    assert!(!c.is_connected());
    sim.device.set_stall(false);
    let started = Instant::now();
    loop {
        match c.read_map().await {
            Ok(block) => {
                assert_eq!(decode(&block).device.id, 1008);
                break;
            }
            Err(e) => assert!(started.elapsed() < DEADLINE, "never recovered: {e}"),
        }
    }
}
