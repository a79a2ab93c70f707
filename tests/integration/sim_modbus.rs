//! The simulator's Modbus TCP server over real sockets: map, scenarios,
//! exceptions, all-or-nothing writes, triggers, reboots, faults, several
//! clients, and the `je08 sim` binary read by mbpoll.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use je08_protocol::codec::{RegisterBlock, decode};
use je08_protocol::mode::Mode;
use je08_protocol::readings::ResetCause;
use je08_protocol::registers::addr;
use je08_protocol::validate::trigger_value;
use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};
use tokio_modbus::client::{Context, Reader as _, Writer as _};
use tokio_modbus::slave::SlaveContext as _;
use tokio_modbus::{ExceptionCode, Slave};

/// Generous deadline for anything that waits on the simulator.
const DEADLINE: Duration = Duration::from_secs(10);

async fn meter(options: MeterOptions) -> SimMeter {
    spawn_meter(options).await.expect("simulator starts")
}

async fn connect(addr: SocketAddr) -> Context {
    tokio::time::timeout(DEADLINE, tokio_modbus::client::tcp::connect(addr))
        .await
        .expect("connect within the deadline")
        .expect("connect")
}

async fn read_map(ctx: &mut Context) -> RegisterBlock {
    let words = tokio::time::timeout(DEADLINE, ctx.read_holding_registers(0, 110))
        .await
        .expect("answer within the deadline")
        .expect("transport")
        .expect("no exception");
    RegisterBlock::try_from(words.as_slice()).expect("110 registers")
}

async fn write(ctx: &mut Context, start: u16, values: &[u16]) -> Result<(), ExceptionCode> {
    tokio::time::timeout(DEADLINE, ctx.write_multiple_registers(start, values))
        .await
        .expect("answer within the deadline")
        .expect("transport")
}

/// Poll `cond` until it holds or the deadline passes.
async fn eventually<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !cond().await {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Connect as soon as the port accepts again (after a reboot).
async fn connect_when_back(addr: SocketAddr) -> Context {
    let start = Instant::now();
    loop {
        if let Ok(ctx) = tokio_modbus::client::tcp::connect(addr).await {
            return ctx;
        }
        assert!(start.elapsed() < DEADLINE, "port {addr} never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn refused(addr: SocketAddr) -> bool {
    matches!(
        tokio::net::TcpStream::connect(addr).await,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

fn quick_reboots(mut options: MeterOptions) -> MeterOptions {
    options.device.reboot_delay = Duration::from_millis(200);
    options
}

#[tokio::test]
async fn whole_map_reads_plausible_values_by_functions_3_and_4() {
    let sim = meter(MeterOptions::new(0x0012_D687)).await;
    let mut ctx = connect(sim.modbus).await;
    let s = decode(&read_map(&mut ctx).await);
    assert_eq!(s.device.id, 0x0012_D687);
    assert_eq!(s.device.esp_version.to_string(), "3.00");
    assert_eq!(s.device.reset_reason.causes(), vec![ResetCause::PowerOn]);
    let m = &s.measurements;
    for v in m.voltage_v.to_array() {
        assert!((200.0..240.0).contains(&v), "phase voltage {v}");
    }
    assert!((370.0..400.0).contains(&m.line_voltage_v.mean));
    assert!((59.5..60.5).contains(&m.frequency_hz));
    for pf in m.power_factor.phases() {
        assert!((0.85..0.95).contains(&pf), "power factor {pf}");
    }
    assert!(m.active_power_kw.total > 40.0);
    assert_eq!(m.temperature_c.map(f64::round), Some(32.0));
    assert_eq!(s.settings.ct_ratio, 100);

    let input = tokio::time::timeout(DEADLINE, ctx.read_input_registers(104, 6))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(&input[..2], &[0x0012, 0xD687]);
    // Any unit id is answered.
    let mut other = connect(sim.modbus).await;
    other.set_slave(Slave(42));
    assert_eq!(decode(&read_map(&mut other).await).device.id, 0x0012_D687);
}

#[tokio::test]
async fn scenarios_show_their_faults() {
    let reversed = meter(MeterOptions::scenario(2, Scenario::ReversedCtB)).await;
    let m = decode(&read_map(&mut connect(reversed.modbus).await).await).measurements;
    assert!(m.active_power_kw.a > 0.0 && m.active_power_kw.b < 0.0);
    assert!(m.power_factor.b < 0.0);

    let missing = meter(MeterOptions::scenario(3, Scenario::MissingVc)).await;
    let m = decode(&read_map(&mut connect(missing.modbus).await).await).measurements;
    assert_eq!(m.voltage_v.c, 0.0);
    assert!(m.line_voltage_v.bc < 250.0 && m.line_voltage_v.ab > 370.0);

    let no_sensor = meter(MeterOptions::scenario(4, Scenario::NoTempSensor)).await;
    let m = decode(&read_map(&mut connect(no_sensor.modbus).await).await).measurements;
    assert_eq!(m.temperature_c, None);
}

#[tokio::test]
async fn each_exception_answers_the_right_request() {
    let sim = meter(MeterOptions::new(5)).await;
    let mut ctx = connect(sim.modbus).await;
    let read = async |ctx: &mut Context, start, count| {
        tokio::time::timeout(DEADLINE, ctx.read_holding_registers(start, count))
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        read(&mut ctx, 100, 11).await,
        Err(ExceptionCode::IllegalDataAddress)
    );
    assert_eq!(
        read(&mut ctx, 110, 1).await,
        Err(ExceptionCode::IllegalDataAddress)
    );
    assert_eq!(read(&mut ctx, 0, 0).await, Err(ExceptionCode::IllegalDataValue));
    assert_eq!(read(&mut ctx, 0, 126).await, Err(ExceptionCode::IllegalDataValue));
    let single = tokio::time::timeout(DEADLINE, ctx.write_single_register(addr::VA_RMS, 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(single, Err(ExceptionCode::IllegalDataAddress));
    assert_eq!(
        write(&mut ctx, 3, &[0]).await,
        Err(ExceptionCode::IllegalDataAddress)
    );
    assert_eq!(
        write(&mut ctx, 10, &[1600]).await,
        Err(ExceptionCode::IllegalDataValue)
    );
    assert_eq!(
        write(&mut ctx, 16, &[10]).await,
        Err(ExceptionCode::IllegalDataValue)
    );
    assert_eq!(
        write(&mut ctx, 17, &[2]).await,
        Err(ExceptionCode::IllegalDataValue)
    );
    let coils = tokio::time::timeout(DEADLINE, ctx.read_coils(0, 8))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(coils, Err(ExceptionCode::IllegalFunction));
    // The connection is still usable after every exception.
    assert_eq!(decode(&read_map(&mut ctx).await).device.id, 5);
}

#[tokio::test]
async fn multi_write_with_one_bad_value_changes_nothing() {
    let sim = meter(MeterOptions::new(6)).await;
    let mut ctx = connect(sim.modbus).await;
    let before = read_map(&mut ctx).await;
    assert_eq!(
        write(
            &mut ctx,
            addr::GANHO_TENSAO_A,
            &[1100, 1200, 1300, 1400, 1500, 1501]
        )
        .await,
        Err(ExceptionCode::IllegalDataValue)
    );
    assert_eq!(
        write(&mut ctx, addr::RELACAO_TC, &[200, 1, 1, 1, 0]).await,
        Err(ExceptionCode::IllegalDataAddress)
    );
    let after = read_map(&mut ctx).await;
    assert_eq!(decode(&after).settings, decode(&before).settings);
    assert_eq!(write(&mut ctx, addr::RELACAO_TC, &[200, 1, 0, 1]).await, Ok(()));
    let s = decode(&read_map(&mut ctx).await).settings;
    assert_eq!(s.ct_ratio, 200);
    assert!(s.invert.a && !s.invert.b && s.invert.c);
}

#[tokio::test]
async fn saved_settings_survive_a_reboot_and_unsaved_ones_do_not() {
    let sim = meter(quick_reboots(MeterOptions::new(7))).await;
    let mut ctx = connect(sim.modbus).await;
    write(&mut ctx, addr::RELACAO_TC, &[150]).await.unwrap();
    let save = read_map(&mut ctx).await.get(addr::SAVE_PARAMS);
    write(&mut ctx, addr::SAVE_PARAMS, &[trigger_value(save)])
        .await
        .unwrap();
    write(&mut ctx, addr::GANHO_CORRENTE_B, &[1200]).await.unwrap();
    assert_eq!(decode(&read_map(&mut ctx).await).settings.gains.current.b, 1200);

    sim.device.reboot(Mode::Application);
    sim.device
        .wait_power(DEADLINE, |p| p.serving(Mode::Application) && p.boot_count == 2)
        .await
        .expect("back online");
    let mut ctx = connect_when_back(sim.modbus).await;
    let s = decode(&read_map(&mut ctx).await);
    assert_eq!(s.settings.ct_ratio, 150, "saved");
    assert_eq!(s.settings.gains.current.b, 1000, "not saved, lost");
    assert_eq!(s.device.reset_reason.causes(), vec![ResetCause::Software]);
}

#[tokio::test]
async fn energy_triggers_zero_their_accumulators() {
    let mut options = MeterOptions::new(8);
    options.device.model.time_scale = 36_000.0; // 10 h per second
    let sim = meter(options).await;
    let mut ctx = connect(sim.modbus).await;
    let start = Instant::now();
    let mut block = read_map(&mut ctx).await;
    while block.integer(addr::KWHT_HIGH) == 0 || block.integer(addr::KVARHT_HIGH) == 0 {
        assert!(start.elapsed() < DEADLINE, "no energy accumulated");
        tokio::time::sleep(Duration::from_millis(20)).await;
        block = read_map(&mut ctx).await;
    }
    // Freeze the accumulators so the zeroed values stay exactly zero.
    sim.device.with(|d| d.model_mut().params_mut().time_scale = 0.0);
    let zera = block.get(addr::ZERA_KWH);
    write(&mut ctx, addr::ZERA_KWH, &[trigger_value(zera)])
        .await
        .unwrap();
    let after = read_map(&mut ctx).await;
    assert_eq!(after.get(addr::ZERA_KWH), trigger_value(zera));
    let m = decode(&after).measurements;
    assert_eq!(m.energy_kwh.total, 0.0);
    assert_eq!(m.energy_kwh.a, 0.0);
    assert!(m.energy_kvarh.total > 0.0, "kVArh untouched");
    write(
        &mut ctx,
        addr::ZERA_KVARH,
        &[trigger_value(after.get(addr::ZERA_KVARH))],
    )
    .await
    .unwrap();
    assert_eq!(
        decode(&read_map(&mut ctx).await).measurements.energy_kvarh.total,
        0.0
    );
}

#[tokio::test]
async fn reboot_closes_the_port_and_reopens_the_same_one() {
    let mut options = MeterOptions::new(9);
    options.device.reboot_delay = Duration::from_millis(300);
    let sim = meter(options).await;
    let mut ctx = connect(sim.modbus).await;
    read_map(&mut ctx).await;
    sim.device.reboot(Mode::Configuration);
    eventually("the port to refuse", || refused(sim.modbus)).await;
    sim.device
        .wait_power(DEADLINE, |p| p.online)
        .await
        .expect("boots");
    assert!(refused(sim.modbus).await, "no Modbus in configuration mode");
    sim.device.reboot(Mode::Application);
    eventually("the port to accept", || async {
        tokio::net::TcpStream::connect(sim.modbus).await.is_ok()
    })
    .await;
    let s = decode(&read_map(&mut connect(sim.modbus).await).await);
    assert!(s.device.uptime_s < 5);
    // The old connection died with the reboot.
    let old = tokio::time::timeout(DEADLINE, ctx.read_holding_registers(0, 1)).await;
    assert!(!matches!(old, Ok(Ok(Ok(_)))), "old connection still answered");
}

#[tokio::test]
async fn several_clients_at_once() {
    let sim = meter(MeterOptions::new(10)).await;
    let mut clients = Vec::new();
    for unit in 0..8u8 {
        let addr = sim.modbus;
        clients.push(tokio::spawn(async move {
            let mut ctx = connect(addr).await;
            ctx.set_slave(Slave(unit));
            for _ in 0..25 {
                assert_eq!(decode(&read_map(&mut ctx).await).device.id, 10);
            }
        }));
    }
    for client in clients {
        client.await.expect("client task");
    }
}

#[tokio::test]
async fn injected_faults_stall_drop_and_refuse() {
    let sim = meter(MeterOptions::new(11)).await;
    let mut ctx = connect(sim.modbus).await;
    read_map(&mut ctx).await;

    sim.device.set_stall(true);
    let stalled = tokio::time::timeout(Duration::from_millis(300), ctx.read_holding_registers(0, 1)).await;
    assert!(stalled.is_err(), "a stalled meter must not answer");
    sim.device.set_stall(false);
    let mut fresh = connect(sim.modbus).await;
    read_map(&mut fresh).await;

    sim.device.drop_connections();
    let start = Instant::now();
    while let Ok(Ok(Ok(_))) = tokio::time::timeout(DEADLINE, fresh.read_holding_registers(0, 1)).await {
        assert!(start.elapsed() < DEADLINE, "connection never dropped");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    read_map(&mut connect(sim.modbus).await).await;

    sim.device.set_refuse(true);
    eventually("the port to refuse", || refused(sim.modbus)).await;
    sim.device.set_refuse(false);
    eventually("the port to accept", || async {
        tokio::net::TcpStream::connect(sim.modbus).await.is_ok()
    })
    .await;
    read_map(&mut connect(sim.modbus).await).await;
}

/// Kills the child process however the test ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn je08_sim_binary_is_read_by_mbpoll() {
    let (_guard, ready) = start_sim(&["--modbus-port", "0", "--id", "4242"], 1);
    let ready = &ready[0];
    assert_eq!(ready["event"], "ready");
    assert_eq!(ready["id"], 4242);
    let modbus: SocketAddr = ready["modbus"]
        .as_str()
        .expect("modbus address")
        .parse()
        .expect("IP:PORT");
    let out = Command::new("mbpoll")
        .args([
            "-m", "tcp", "-a", "1", "-0", "-r", "0", "-c", "110", "-t", "4", "-1",
        ])
        .args([
            "-o",
            "5",
            "-p",
            &modbus.port().to_string(),
            &modbus.ip().to_string(),
        ])
        .output()
        .expect("run mbpoll");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "mbpoll failed: {text}");
    assert!(text.contains("[105]: \t4242"), "device id in {text}");
    assert!(text.contains("[16]: \t100"), "CT ratio in {text}");
    assert!(text.contains("[109]: \t300"), "ESP version in {text}");
}

/// Start `je08 sim` with `args` and read `count` ready lines.
fn start_sim(args: &[&str], count: usize) -> (ChildGuard, Vec<serde_json::Value>) {
    let child = Command::new(env!("CARGO_BIN_EXE_je08"))
        .arg("sim")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start je08 sim");
    let mut guard = ChildGuard(child);
    let stdout = guard.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let ready = (0..count)
        .map(|_| {
            let line = lines.next().expect("a ready line").expect("readable stdout");
            serde_json::from_str(&line).expect("JSON ready line")
        })
        .collect();
    (guard, ready)
}

#[tokio::test]
async fn je08_sim_count_serves_one_meter_per_loopback_address() {
    let (_guard, ready) = start_sim(&["--count", "3", "--modbus-port", "0", "--id", "500"], 3);
    for (i, line) in ready.iter().enumerate() {
        assert_eq!(line["event"], "ready");
        assert_eq!(line["id"], 500 + i as u64);
        let modbus: SocketAddr = line["modbus"].as_str().unwrap().parse().unwrap();
        assert_eq!(modbus.ip().to_string(), format!("127.0.0.{}", i + 2));
        let s = decode(&read_map(&mut connect(modbus).await).await);
        assert_eq!(s.device.id, 500 + i as u32);
    }
}
