//! The simulator's Wi-Fi, over real sockets: a factory meter answers on its
//! own access point; a station answers only at the address of the network it
//! joined (its lease, or its static loopback IP with DHCP off); a station
//! that cannot join answers nowhere, blinks three times, and the long button
//! press brings back the factory access point. Also `je08 sim --factory`,
//! `--ap-bind` and `--load` on the command line.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Stdio;
use std::time::Duration;

use je08_client::http::MeterHttp;
use je08_client::modbus::{ClientConfig, ModbusClient};
use je08_protocol::http_api::{
    Connectivity, FACTORY_PASSWORD, Info, Mode, Secret, WifiMode, WifiState, factory_ssid,
};
use je08_protocol::registers::addr;
use je08_sim::wifi::{Air, WifiNetwork};
use je08_sim::{MeterOptions, SimMeter, spawn_meter};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::discovery::random_loopback;
use crate::http::{DEADLINE, ID};

pub(super) const PLANT_PASSWORD: &str = "plant-wifi-pass";

/// Three distinct loopback addresses: access point, network lease, spare.
fn addresses() -> [IpAddr; 3] {
    let [_, b, c, _] = random_loopback().octets();
    [2, 3, 4].map(|d| IpAddr::V4(Ipv4Addr::new(127, b, c, d)))
}

/// A factory meter (access point, configuration mode) answering at `ap`,
/// with network PLANT in range leasing `lease`.
async fn factory_meter(ap: IpAddr, lease: IpAddr) -> SimMeter {
    spawn_meter(factory_options(ID, ap, lease))
        .await
        .expect("spawn meter")
}

/// The options of [`factory_meter`] for meter `id`.
pub(super) fn factory_options(id: u32, ap: IpAddr, lease: IpAddr) -> MeterOptions {
    let mut options = MeterOptions::new(id);
    options.device.network = Connectivity::factory(id);
    options.device.start_mode = Mode::Configuration;
    options.device.reboot_delay = Duration::from_millis(150);
    options.wifi = Some(Air {
        ap,
        networks: vec![
            format!("PLANT:{PLANT_PASSWORD}@{lease}")
                .parse::<WifiNetwork>()
                .unwrap(),
        ],
    });
    options.http_port = Some(0);
    options.ota_port = Some(0);
    options.control_port = Some(0);
    options
}

/// Our HTTP client for the meter's HTTP port at `ip`.
fn http_at(meter: &SimMeter, ip: IpAddr) -> MeterHttp {
    let port = meter.http.expect("http served").port();
    MeterHttp::new(&ip.to_string(), port, Some(Secret::new(FACTORY_PASSWORD)))
}

/// One Modbus read of the whole map at `addr`, if it answers.
async fn modbus_at(addr: SocketAddr) -> Option<je08_protocol::codec::RegisterBlock> {
    let config = ClientConfig {
        timeout: Duration::from_secs(5),
        ..ClientConfig::default()
    };
    ModbusClient::new(addr.into(), config).read_map().await.ok()
}

/// Poll `check` until it holds, within [`DEADLINE`].
async fn until<F: AsyncFnMut() -> bool>(what: &str, mut check: F) {
    let wait = async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(DEADLINE, wait)
        .await
        .unwrap_or_else(|_| panic!("{what}: not within {DEADLINE:?}"));
}

/// The meter's `/api/info` at `ip`, once it answers there.
async fn info_at(meter: &SimMeter, ip: IpAddr) -> Info {
    let http = http_at(meter, ip);
    let mut found = None;
    until(&format!("/api/info at {ip}"), async || {
        found = http.info().await.ok();
        found.is_some()
    })
    .await;
    found.unwrap()
}

/// Whether anything answers at `ip` (Modbus or HTTP).
async fn answers_at(meter: &SimMeter, ip: IpAddr) -> bool {
    http_at(meter, ip).info().await.is_ok()
        || modbus_at(SocketAddr::new(ip, meter.modbus.port()))
            .await
            .is_some()
}

/// A request to the control interface.
async fn control(meter: &SimMeter, path: &str, body: Option<Value>) -> Value {
    let url = format!("http://{}{path}", meter.control.expect("control served"));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let request = match body {
        Some(body) => client.post(url).json(&body),
        None => client.get(url),
    };
    request.send().await.expect("control").json().await.expect("json")
}

/// Wait until the control interface says online in `mode`; its state.
async fn online_in(meter: &SimMeter, mode: Mode) -> Value {
    let mut state = Value::Null;
    until(&format!("online in {mode:?}"), async || {
        state = control(meter, "/state", None).await;
        state["online"] == true && state["mode"] == mode.as_str()
    })
    .await;
    state
}

/// PUT a station block for PLANT (`password`, DHCP or the static `ip`) at
/// the access point and reboot into application mode.
pub(super) async fn commission(meter: &SimMeter, ap: IpAddr, password: &str, static_ip: Option<IpAddr>) {
    let http = http_at(meter, ap);
    let mut block = Connectivity::factory(meter.id());
    block.wifi_mode = WifiMode::St;
    block.ssid = "PLANT".into();
    block.password = Some(Secret::new(password));
    block.dhcp = static_ip.is_none();
    if let Some(IpAddr::V4(ip)) = static_ip {
        let [a, b, c, _] = ip.octets();
        block.ip = ip.to_string();
        block.gateway = Ipv4Addr::new(a, b, c, 1).to_string();
        block.dns = block.gateway.clone();
    }
    http.set_connectivity(&block).await.expect("PUT connectivity");
    http.request_mode(Mode::Application).await.expect("reboot");
}

#[tokio::test]
async fn factory_meter_answers_on_its_access_point_in_configuration_mode() {
    let [ap, lease, _] = addresses();
    let meter = factory_meter(ap, lease).await;
    let info = info_at(&meter, ap).await;
    assert_eq!(info.mode, Mode::Configuration);
    assert_eq!(info.wifi.mode, WifiMode::Ap);
    assert_eq!(info.wifi.state, WifiState::Ap);
    assert_eq!(info.wifi.ssid, factory_ssid(ID));
    let state = control(&meter, "/state", None).await;
    assert_eq!(
        state["led"]["pattern"],
        json!({"kind": "inverted_blinks", "count": 1})
    );
    assert!(
        !answers_at(&meter, lease).await,
        "nothing on a network it has not joined"
    );
}

#[tokio::test]
async fn station_with_the_right_password_answers_only_at_its_lease() {
    let [ap, lease, _] = addresses();
    let meter = factory_meter(ap, lease).await;
    commission(&meter, ap, PLANT_PASSWORD, None).await;
    let at_lease = SocketAddr::new(lease, meter.modbus.port());
    until("Modbus at the lease", async || {
        modbus_at(at_lease).await.is_some()
    })
    .await;
    let info = info_at(&meter, lease).await;
    assert_eq!(info.mode, Mode::Application);
    assert_eq!(
        (info.wifi.mode, info.wifi.state),
        (WifiMode::St, WifiState::Connected)
    );
    assert_eq!(info.ip, lease.to_string());
    until("nothing at the access point address", async || {
        !answers_at(&meter, ap).await
    })
    .await;
    let state = control(&meter, "/state", None).await;
    assert_eq!(state["led"]["pattern"], json!({"kind": "blinks", "count": 2}));
}

#[tokio::test]
async fn station_with_dhcp_off_answers_at_its_static_loopback_ip() {
    let [ap, lease, fixed] = addresses();
    let meter = factory_meter(ap, lease).await;
    commission(&meter, ap, PLANT_PASSWORD, Some(fixed)).await;
    let at_fixed = SocketAddr::new(fixed, meter.modbus.port());
    until("Modbus at the static IP", async || {
        modbus_at(at_fixed).await.is_some()
    })
    .await;
    assert_eq!(info_at(&meter, fixed).await.ip, fixed.to_string());
    until("nothing at the lease or the access point", async || {
        !answers_at(&meter, lease).await && !answers_at(&meter, ap).await
    })
    .await;
}

#[tokio::test]
async fn wrong_password_serves_nothing_until_the_button_brings_back_the_access_point() {
    let [ap, lease, _] = addresses();
    let meter = factory_meter(ap, lease).await;
    commission(&meter, ap, "not-the-password", None).await;
    let state = online_in(&meter, Mode::Application).await;
    assert_eq!(state["led"]["pattern"], json!({"kind": "blinks", "count": 3}));
    until("nothing anywhere", async || {
        !answers_at(&meter, ap).await && !answers_at(&meter, lease).await
    })
    .await;
    let pressed = control(&meter, "/button", Some(json!({"held_ms": 21_000}))).await;
    assert_eq!(pressed["outcome"], json!({"action": "factory_network_reset"}));
    let state = online_in(&meter, Mode::Configuration).await;
    assert_eq!(
        state["led"]["pattern"],
        json!({"kind": "inverted_blinks", "count": 1})
    );
    let info = info_at(&meter, ap).await;
    assert_eq!((info.mode, info.wifi.mode), (Mode::Configuration, WifiMode::Ap));
    assert_eq!(info.wifi.ssid, factory_ssid(ID));
}

/// Start `je08 sim ARGS` (free ports) and return it with its ready line.
async fn sim(args: &[&str]) -> (tokio::process::Child, Value) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["sim", "--modbus-port", "0", "--http-port", "0", "--ota-port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("je08 sim starts");
    let stdout = child.stdout.take().unwrap();
    let line = tokio::time::timeout(DEADLINE, BufReader::new(stdout).lines().next_line())
        .await
        .expect("ready in time")
        .unwrap()
        .expect("a ready line");
    (child, serde_json::from_str(&line).unwrap())
}

#[tokio::test]
async fn cli_factory_sim_answers_at_its_ap_bind_address() {
    let [ap, _, _] = addresses();
    let (_child, ready) = sim(&["--id", "4660", "--factory", "--ap-bind", &ap.to_string()]).await;
    let http: SocketAddr = ready["http"].as_str().unwrap().parse().unwrap();
    assert_eq!(http.ip(), ap);
    let info = MeterHttp::new(&ap.to_string(), http.port(), Some(Secret::new(FACTORY_PASSWORD)))
        .info()
        .await
        .expect("/api/info at the access point");
    assert_eq!((info.mode, info.wifi.mode), (Mode::Configuration, WifiMode::Ap));
    assert_eq!(info.wifi.ssid, factory_ssid(4660));
}

#[tokio::test]
async fn cli_load_sets_the_current_to_its_share_of_the_ct_rating() {
    let [bind, _, _] = addresses();
    let (_child, ready) = sim(&["--bind", &bind.to_string(), "--load", "60"]).await;
    let modbus: SocketAddr = ready["modbus"].as_str().unwrap().parse().unwrap();
    let block = modbus_at(modbus).await.expect("Modbus read");
    // The balanced scenario fits 500 A CTs (ratio 100): 60 % is 300 A, within
    // the model's channel errors (< 2 %) and noise.
    for register in [addr::IA_RMS, addr::IB_RMS, addr::IC_RMS] {
        let amps = block.value(register);
        assert!(
            (amps - 300.0).abs() < 300.0 * 0.03,
            "register {register}: {amps} A"
        );
    }
}

#[tokio::test]
async fn cli_mdns_refuses_a_wifi_address_off_loopback() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["sim", "--mdns"])
        .args(super::kit::FREE_PORTS)
        .args(["--wifi", "PLANT:plant-wifi-pass@10.1.2.3"])
        .output()
        .await
        .expect("je08 sim runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("10.1.2.3 was given with --wifi"), "{stderr}");
}
