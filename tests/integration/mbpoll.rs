//! Interoperability with mbpoll (libmodbus), a client nobody here wrote:
//! it reads what our client reads, its writes (function 6 and 16) change the
//! settings our client sees, and the simulator's exceptions and
//! all-or-nothing multi-writes look right from its side too.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use je08_client::modbus::{ClientConfig, ModbusClient};
use je08_protocol::codec::RegisterBlock;
use je08_protocol::registers::addr;
use je08_sim::{MeterOptions, SimMeter, spawn_meter};
use tokio::process::Command;

async fn meter(id: u32) -> SimMeter {
    spawn_meter(MeterOptions::new(id))
        .await
        .expect("simulator starts")
}

async fn our_read(addr: SocketAddr) -> RegisterBlock {
    let config = ClientConfig {
        timeout: std::time::Duration::from_secs(5),
        ..ClientConfig::default()
    };
    ModbusClient::new(addr.into(), config)
        .read_map()
        .await
        .expect("our client reads")
}

/// Run mbpoll once against `addr` (holding registers, 0-based references)
/// with `options`, then the host, then `values` to write (none: read);
/// returns (success, stdout + stderr).
async fn mbpoll(addr: SocketAddr, options: &[&str], values: &[&str]) -> (bool, String) {
    let port = addr.port().to_string();
    let ip = addr.ip().to_string();
    let out = Command::new("mbpoll")
        .args([
            "-m", "tcp", "-a", "1", "-0", "-1", "-t", "4", "-o", "5", "-p", &port,
        ])
        .args(options)
        .arg(&ip)
        .args(values)
        .output()
        .await
        .expect("mbpoll is installed (apt-get install mbpoll)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// mbpoll's `[ref]: \tvalue` lines as a map of raw 16-bit words (mbpoll
/// adds the signed reading in parentheses: `[102]: \t65478 (-58)`).
fn values(text: &str) -> BTreeMap<u16, i64> {
    text.lines()
        .filter_map(|l| {
            let (r, v) = l.trim().split_once("]:")?;
            let word = v.split_whitespace().next()?;
            Some((r.trim_start_matches('[').parse().ok()?, word.parse().ok()?))
        })
        .collect()
}

async fn mbpoll_write(addr: SocketAddr, first: u16, values: &[&str]) -> (bool, String) {
    mbpoll(addr, &["-r", &first.to_string()], values).await
}

#[tokio::test]
async fn mbpoll_reads_what_our_client_reads() {
    let sim = meter(5151).await;
    let (ok, text) = mbpoll(sim.modbus, &["-r", "0", "-c", "110"], &[]).await;
    assert!(ok, "mbpoll failed: {text}");
    let theirs = values(&text);
    assert_eq!(theirs.len(), 110, "{text}");
    let ours = our_read(sim.modbus).await;
    // Registers that do not move between two reads: settings, triggers,
    // reserved, identity, versions, Wi-Fi mode.
    let stable = (0..=29).chain([
        addr::STM32_VERSION,
        addr::WIFI_MODE,
        addr::WIFI_RSSI,
        addr::DEVICE_ID_HIGH,
        addr::DEVICE_ID_LOW,
        addr::ESP_VERSION,
    ]);
    for a in stable {
        assert_eq!(theirs[&a], i64::from(ours.get(a)), "register {a}");
    }
    assert_eq!(theirs[&addr::DEVICE_ID_LOW], 5151);
}

#[tokio::test]
async fn mbpoll_writes_single_and_multiple_registers() {
    let sim = meter(5152).await;
    let (ok, text) = mbpoll_write(sim.modbus, addr::RELACAO_TC, &["150"]).await;
    assert!(ok, "single write failed: {text}");
    let (ok, text) = mbpoll_write(sim.modbus, addr::GANHO_TENSAO_A, &["900", "950", "1100"]).await;
    assert!(ok, "multiple write failed: {text}");
    let block = our_read(sim.modbus).await;
    assert_eq!(block.get(addr::RELACAO_TC), 150);
    assert_eq!([block.get(10), block.get(11), block.get(12)], [900, 950, 1100]);
    let live = sim.device.with(|d| d.live_settings());
    assert_eq!(live.ct_ratio, 150);
    assert_eq!(live.gains.current.a, 950);
}

#[tokio::test]
async fn mbpoll_gets_exceptions_and_multi_writes_are_all_or_nothing() {
    let sim = meter(5153).await;
    let before = our_read(sim.modbus).await;

    // Out of range: CT ratio 10 (allowed 20–400).
    let (ok, text) = mbpoll_write(sim.modbus, addr::RELACAO_TC, &["10"]).await;
    assert!(!ok, "an out-of-range write must fail: {text}");
    assert!(text.to_lowercase().contains("illegal data value"), "{text}");

    // One bad value among good ones (GANHO_CORRENTE_A = 1600).
    let (ok, text) = mbpoll_write(sim.modbus, addr::GANHO_TENSAO_A, &["900", "1600", "900"]).await;
    assert!(!ok, "a multi-write with a bad value must fail: {text}");
    assert!(text.to_lowercase().contains("illegal data value"), "{text}");

    // A read-only register.
    let (ok, text) = mbpoll_write(sim.modbus, addr::VA_RMS, &["1"]).await;
    assert!(!ok, "{text}");
    assert!(text.to_lowercase().contains("illegal data address"), "{text}");

    // Reading past the end of the map.
    let (ok, text) = mbpoll(sim.modbus, &["-r", "100", "-c", "20"], &[]).await;
    assert!(!ok, "{text}");
    assert!(text.to_lowercase().contains("illegal data address"), "{text}");

    let after = our_read(sim.modbus).await;
    assert_eq!(before.0[..20], after.0[..20], "a refused write changed the meter");
}
