//! `je08 provision` end to end: a factory meter on its own access point is
//! taken onto network PLANT by the command line, found there by a scan and
//! confirmed over Modbus; a wrong Wi-Fi password ends in the recovery advice.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Output;
use std::time::Duration;

use je08_client::http::{HttpError, MeterHttp};
use je08_protocol::http_api::{FACTORY_PASSWORD, Secret};
use je08_protocol::registers::addr;
use je08_sim::{SimMeter, spawn_meter};
use serde_json::json;

use std::sync::Arc;

use je08_sim::mdns::MdnsAdvertiser;

use crate::discovery::{mdns_available, random_id, random_loopback};
use crate::http::ID;
use crate::sim_wifi::{PLANT_PASSWORD, factory_options};

const NEW_PASSWORD: &str = "new-interface-pass-77";

/// Access point, lease and a spare address, all in one /29.
fn addresses() -> (Ipv4Addr, [IpAddr; 3]) {
    let [_, b, c, _] = random_loopback().octets();
    let net = Ipv4Addr::new(127, b, c, 0);
    (net, [2, 3, 4].map(|d| IpAddr::V4(Ipv4Addr::new(127, b, c, d))))
}

/// `--find` for a scan of `net`/29 on the meter's Modbus port.
fn scan_of(meter: &SimMeter, net: Ipv4Addr) -> String {
    format!("scan:{net}/29:{}", meter.modbus.port())
}

/// The journal folder of the `je08 provision` runs of this test process.
fn data_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("je08-provision-data-{}", std::process::id()))
}

/// Run `je08 provision AP --ssid PLANT --find FIND ARGS` against `meter`.
async fn provision(meter: &SimMeter, ap: IpAddr, find: &str, wifi_password: &str, args: &[&str]) -> Output {
    let http_port = meter.http.expect("http served").port();
    tokio::time::timeout(
        Duration::from_secs(90),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
            .arg("provision")
            .arg(format!("{ap}:{http_port}"))
            .args(["--ssid", "PLANT", "--find", find])
            .args(args)
            .env("JE08_WIFI_PASSWORD", wifi_password)
            .env("JE08_NEW_PASSWORD", NEW_PASSWORD)
            .env("JE08_DATA_DIR", data_dir())
            .env_remove("JE08_PASSWORD")
            .stdin(std::process::Stdio::null())
            .output(),
    )
    .await
    .expect("je08 provision finishes")
    .unwrap()
}

/// Neither password appears anywhere in what the command printed.
fn assert_no_secrets(output: &Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(NEW_PASSWORD), "interface password printed: {text}");
        assert!(!text.contains(PLANT_PASSWORD), "Wi-Fi password printed: {text}");
    }
}

/// An authenticated request at `ip` with `password` (a certificate status:
/// any mode answers it once the password is right).
async fn refused(meter: &SimMeter, ip: IpAddr, password: &str) -> bool {
    let port = meter.http.expect("http served").port();
    let http = MeterHttp::new(&ip.to_string(), port, Some(Secret::new(password)));
    matches!(http.cert_status().await, Err(HttpError::Unauthorized { .. }))
}

async fn joined(static_ip: bool) {
    let (net, [ap, lease, fixed]) = addresses();
    let meter = spawn_meter(factory_options(ID, ap, lease))
        .await
        .expect("spawn meter");
    let mut args = vec!["--json", "--yes", "--name", "Plant-7"];
    let [a, b, c, _] = net.octets();
    let gateway = Ipv4Addr::new(a, b, c, 1).to_string();
    let fixed_arg = format!("{fixed}/8");
    let at = if static_ip {
        args.extend(["--static", &fixed_arg, "--gateway", &gateway, "--dns", &gateway]);
        fixed
    } else {
        lease
    };
    let output = provision(&meter, ap, &scan_of(&meter, net), PLANT_PASSWORD, &args).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "nothing but JSON in --json mode: {stderr}");
    assert_no_secrets(&output);
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let http_port = meter.http.expect("http served").port();
    assert_eq!(
        printed,
        json!({
            "id": ID,
            "address": SocketAddr::new(at, meter.modbus.port()).to_string(),
            "http": SocketAddr::new(at, http_port).to_string(),
            "wifi": "station",
            "result": "joined",
        })
    );
    assert!(
        refused(&meter, at, FACTORY_PASSWORD).await,
        "the factory password still works"
    );
    assert!(
        !refused(&meter, at, NEW_PASSWORD).await,
        "the new password is refused"
    );
    let info = MeterHttp::new(&at.to_string(), http_port, None)
        .info()
        .await
        .expect("info");
    assert_eq!(info.name, "Plant-7");
    // Journaled once, as done, where it joined, without either password.
    let journal =
        std::fs::read_to_string(data_dir().join("journal").join("journal.jsonl")).expect("a journal");
    let at_modbus = SocketAddr::new(at, meter.modbus.port()).to_string();
    let entry = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["kind"] == "provisioning" && e["address"] == at_modbus.as_str())
        .unwrap_or_else(|| panic!("no provisioning entry for {at_modbus}:\n{journal}"));
    assert_eq!(entry["outcome"], "done", "{entry}");
    assert!(!journal.contains(NEW_PASSWORD) && !journal.contains(PLANT_PASSWORD));
}

#[tokio::test]
async fn provision_takes_a_factory_meter_onto_the_plant_network_by_dhcp() {
    joined(false).await;
}

#[tokio::test]
async fn provision_with_a_static_address_is_found_there() {
    joined(true).await;
}

#[tokio::test]
async fn provision_with_a_wrong_wifi_password_says_the_led_blinks_three_times_and_how_to_recover() {
    let (net, [ap, lease, _]) = addresses();
    let meter = spawn_meter(factory_options(ID, ap, lease))
        .await
        .expect("spawn meter");
    let output = provision(
        &meter,
        ap,
        &scan_of(&meter, net),
        "not-the-password",
        &["--json", "--yes", "--wait-s", "3"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "not found: unreachable; {stderr}");
    let error: serde_json::Value = serde_json::from_str(stderr.trim()).expect("a JSON error");
    assert_eq!(error["error"]["kind"], "unreachable");
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    for words in [
        "blinks three times",
        "could not join",
        "hold its button",
        "over 20 s",
        "BIN_XXXX",
    ] {
        assert!(stderr.contains(words), "{words:?} missing: {stderr}");
    }
    assert!(!stderr.contains(NEW_PASSWORD), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_finds_the_joined_meter_by_mdns_on_loopback() {
    if !mdns_available("provision_finds_the_joined_meter_by_mdns_on_loopback") {
        return;
    }
    let advertiser = MdnsAdvertiser::loopback().unwrap();
    let (_, [ap, lease, _]) = addresses();
    let id = random_id();
    let mut options = factory_options(id, ap, lease);
    options.mdns = Some(Arc::clone(&advertiser));
    let meter = spawn_meter(options).await.expect("spawn meter");
    let output = provision(
        &meter,
        ap,
        "mdns",
        PLANT_PASSWORD,
        &["--json", "--yes", "--mdns-interface", "lo", "--wait-s", "30"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_no_secrets(&output);
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(printed["id"], id);
    assert_eq!(
        printed["address"],
        SocketAddr::new(lease, meter.modbus.port()).to_string()
    );
    assert_eq!(printed["result"], "joined");
    meter.shutdown().await;
    advertiser.shutdown().await;
}

#[tokio::test]
async fn provision_applies_a_profile_once_the_meter_has_joined() {
    let mut source = je08_sim::MeterOptions::new(ID + 1);
    source.device.settings.ct_ratio = 200;
    let source = spawn_meter(source).await.expect("spawn source");
    let dir = std::env::temp_dir().join(format!("je08-provision-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("panel.toml").to_string_lossy().into_owned();
    let saved = tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
        .args([
            "profile",
            "save",
            &source.modbus.to_string(),
            &file,
            "--modbus-only",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );

    let (net, [ap, lease, _]) = addresses();
    let meter = spawn_meter(factory_options(ID, ap, lease))
        .await
        .expect("spawn meter");
    assert_ne!(meter.device.registers().get(addr::RELACAO_TC), 200);
    let find = scan_of(&meter, net);
    let output = provision(&meter, ap, &find, PLANT_PASSWORD, &["--yes", "--profile", &file]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for step in [
        "writing the Wi-Fi settings",
        "rebooting into application mode",
        "applying the profile",
    ] {
        assert!(stderr.contains(step), "{step:?} not shown: {stderr}");
    }
    assert!(
        !stderr.contains('\u{1b}'),
        "no escape codes off a terminal: {stderr:?}"
    );
    assert_no_secrets(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("meter {ID} joined \"PLANT\"")),
        "{stdout}"
    );
    assert_eq!(meter.device.registers().get(addr::RELACAO_TC), 200);
    // The profile's application is journaled with the CT ratio read back.
    let journal =
        std::fs::read_to_string(data_dir().join("journal").join("journal.jsonl")).expect("a journal");
    let applied = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .rfind(|e| e["kind"] == "profile" && e["device_id"] == ID)
        .unwrap_or_else(|| panic!("no profile entry:\n{journal}"));
    assert_eq!(applied["outcome"], "done", "{applied}");
    let ct = applied["changes"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["field"].as_str().is_some_and(|f| f.ends_with("RELACAO_TC")))
        })
        .unwrap_or_else(|| panic!("no CT ratio change: {applied}"));
    assert_eq!(ct["confirmed"], "200", "{ct}");
    let _ = std::fs::remove_dir_all(&dir);
    source.shutdown().await;
}

#[tokio::test]
async fn provision_without_yes_and_without_a_terminal_changes_nothing() {
    let (net, [ap, lease, _]) = addresses();
    let meter = spawn_meter(factory_options(ID, ap, lease))
        .await
        .expect("spawn meter");
    let output = provision(&meter, ap, &scan_of(&meter, net), PLANT_PASSWORD, &["--json"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    let port = meter.http.expect("http served").port();
    let info = MeterHttp::new(&ap.to_string(), port, None)
        .info()
        .await
        .expect("still on its access point");
    assert_eq!(info.mode, je08_protocol::http_api::Mode::Configuration);
    assert!(
        !refused(&meter, ap, FACTORY_PASSWORD).await,
        "the factory password still works"
    );
}

#[tokio::test]
async fn provision_applies_a_profile_with_http_blocks_and_keeps_the_plant_wifi_and_the_new_password() {
    // A meter configured by hand for the panel: MQTT every 10 s on its own
    // topic, saved as a profile with its HTTP blocks.
    let mut source = crate::commissioning::http_options(ID + 2);
    let mqtt = &mut source.device.protocols.mqtt;
    mqtt.client_id = format!("panel-{}", ID + 2);
    mqtt.publish_topic = format!("panel/{}/data", ID + 2);
    mqtt.host = "127.0.0.1".into();
    mqtt.interval_s = 10;
    source.device.network.ssid = "OFFICE".into();
    let source = spawn_meter(source).await.expect("spawn source");
    let dir = std::env::temp_dir().join(format!("je08-provision-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("panel.toml").to_string_lossy().into_owned();
    let saved = crate::commissioning::je08_env(
        crate::commissioning::args(&["profile", "save", &crate::commissioning::both(&source), &file]),
        &[crate::commissioning::PASSWORD],
    )
    .await;
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("[http.protocols.mqtt]"), "{text}");

    let (net, [ap, lease, _]) = addresses();
    let meter = spawn_meter(factory_options(ID, ap, lease))
        .await
        .expect("spawn meter");
    let output = provision(
        &meter,
        ap,
        &scan_of(&meter, net),
        PLANT_PASSWORD,
        &["--json", "--yes", "--profile", &file],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_no_secrets(&output);
    // What the meter saved (its blocks are read over HTTP only in
    // configuration mode; it is back in application mode).
    let (protocols, connectivity) = meter
        .device
        .with(|d| (d.protocols_saved.clone(), d.network_saved.clone()));
    assert_eq!(protocols.mqtt.interval_s, 10);
    assert_eq!(protocols.mqtt.publish_topic, format!("panel/{ID}/data"));
    assert_eq!(
        connectivity.ssid, "PLANT",
        "the profile's Wi-Fi gave way to the plant's"
    );
    assert!(connectivity.dhcp);
    assert!(refused(&meter, lease, FACTORY_PASSWORD).await);
    assert!(
        !refused(&meter, lease, NEW_PASSWORD).await,
        "the new password is kept"
    );
    let _ = std::fs::remove_dir_all(&dir);
    source.shutdown().await;
}
