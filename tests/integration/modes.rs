//! Operating modes: round trips through the API and through simulated
//! button presses on the control interface, with the status LED checked at
//! each step; network reset to factory settings; the HTTP server offline
//! during a reboot and back on the same port.

use std::time::Duration;

use je08_client::http::HttpError;
use je08_protocol::http_api::{Connectivity, Mode, Secret, WifiMode};
use je08_sim::SimMeter;
use serde_json::{Value, json};

use crate::http::{DEADLINE, ID, client, client_with, meter};

async fn control(m: &SimMeter, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let addr = m.control.expect("control served");
    let mut req = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
        .request(method, format!("http://{addr}{path}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("control");
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.expect("json")
}

/// Poll the control state until online in `mode`; return it.
async fn online_in(m: &SimMeter, mode: Mode) -> Value {
    let wait = async {
        loop {
            let s = control(m, reqwest::Method::GET, "/state", None).await;
            if s["online"] == true && s["mode"] == mode.as_str() {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(DEADLINE, wait).await.expect("back online")
}

async fn press(m: &SimMeter, seconds: u64) -> Value {
    control(
        m,
        reqwest::Method::POST,
        "/button",
        Some(json!({"held_ms": seconds * 1000})),
    )
    .await
}

#[tokio::test]
async fn api_round_trip_with_led() {
    let m = meter(Mode::Application).await;
    let c = client(&m);
    // A commissioned meter: station connected, 2 blinks.
    let s = control(&m, reqwest::Method::GET, "/state", None).await;
    assert_eq!(s["led"]["pattern"], json!({"kind": "blinks", "count": 2}));
    let info = c
        .switch_mode(Mode::Configuration, DEADLINE)
        .await
        .expect("to configuration");
    assert_eq!(info.mode, Mode::Configuration);
    let s = online_in(&m, Mode::Configuration).await;
    assert_eq!(
        s["led"]["pattern"],
        json!({"kind": "inverted_blinks", "count": 2})
    );
    let info = c.switch_mode(Mode::Update, DEADLINE).await.expect("to update");
    assert_eq!(info.mode, Mode::Update);
    let s = online_in(&m, Mode::Update).await;
    assert_eq!(s["led"]["pattern"], json!({"kind": "update"}));
    let info = c
        .switch_mode(Mode::Application, DEADLINE)
        .await
        .expect("to application");
    assert_eq!(info.mode, Mode::Application);
    let s = online_in(&m, Mode::Application).await;
    assert_eq!(s["led"]["pattern"], json!({"kind": "blinks", "count": 2}));
    assert_eq!(s["boot_count"], 4);
}

#[tokio::test]
async fn button_presses_4_10_25_seconds() {
    let m = meter(Mode::Application).await;
    // 4 s: LED on while held, nothing happens.
    let r = press(&m, 4).await;
    assert_eq!(r["outcome"], json!({"action": "nothing"}));
    assert_eq!(r["led_while_held"], json!([[0, true]]));
    let s = online_in(&m, Mode::Application).await;
    assert_eq!(s["boot_count"], 1);
    // 10 s: LED off from 5 s; application → configuration.
    let r = press(&m, 10).await;
    assert_eq!(
        r["outcome"],
        json!({"action": "switch_mode", "mode": "configuration"})
    );
    assert_eq!(r["led_while_held"], json!([[0, true], [5000, false]]));
    let s = online_in(&m, Mode::Configuration).await;
    assert_eq!(
        s["led"]["pattern"],
        json!({"kind": "inverted_blinks", "count": 2})
    );
    // 10 s again: back to application.
    press(&m, 10).await;
    let s = online_in(&m, Mode::Application).await;
    assert_eq!(s["led"]["pattern"], json!({"kind": "blinks", "count": 2}));
    // A non-factory password, then 25 s: factory network (own AP, 1
    // inverted blink), configuration mode, factory password.
    m.device.with(|d| {
        d.network_saved.interface_password = Some(Secret::new("plant-secret-9"));
    });
    let r = press(&m, 25).await;
    assert_eq!(r["outcome"], json!({"action": "factory_network_reset"}));
    assert_eq!(
        r["led_while_held"],
        json!([[0, true], [5000, false], [20001, true]])
    );
    let s = online_in(&m, Mode::Configuration).await;
    assert_eq!(
        s["led"]["pattern"],
        json!({"kind": "inverted_blinks", "count": 1})
    );
    let info = client(&m).info().await.expect("info");
    assert_eq!(info.wifi.ssid, format!("BIN_{:04X}", ID & 0xFFFF));
    client(&m)
        .connectivity()
        .await
        .expect("factory password works again");
}

#[tokio::test]
async fn network_reset_restores_factory_settings() {
    let m = meter(Mode::Configuration).await;
    let c = client(&m);
    let mut conn = c.connectivity().await.expect("conn");
    conn.wifi_mode = WifiMode::St;
    conn.ssid = "PLANT".into();
    conn.password = Some(Secret::new("plant wifi key"));
    conn.ip = "10.0.0.40".into();
    conn.gateway = "10.0.0.1".into();
    conn.interface_password = Some(Secret::new("commissioned-1"));
    c.set_connectivity(&conn).await.expect("put");
    c.switch_mode(Mode::Application, DEADLINE).await.expect("apply");
    let c2 = client_with(&m, "commissioned-1");
    assert_eq!(c2.info().await.expect("info").wifi.mode, WifiMode::St);
    let info = c2
        .network_reset(Some((&c2, DEADLINE)))
        .await
        .expect("reset")
        .expect("waited");
    assert_eq!(info.mode, Mode::Configuration);
    let conn = client(&m).connectivity().await.expect("factory password");
    assert_eq!(conn, Connectivity::factory(ID).redacted());
    assert_eq!(info.ip, "192.168.1.1");
    let err = c2.connectivity().await.expect_err("old password gone");
    assert!(matches!(err, HttpError::Unauthorized { .. }), "{err}");
}

#[tokio::test]
async fn http_is_offline_during_a_reboot_and_back_on_the_same_port() {
    let m = meter(Mode::Application).await;
    m.device.with(|d| d.reboot_delay = Duration::from_secs(2));
    let c = client(&m).with_timeout(Duration::from_secs(2));
    c.request_mode(Mode::Configuration).await.expect("202");
    let mut refused = false;
    for _ in 0..100 {
        match c.info().await {
            Err(HttpError::Unreachable { .. }) => {
                refused = true;
                break;
            }
            Ok(info) if info.mode == Mode::Configuration => break,
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    assert!(refused, "never saw the connection refused while rebooting");
    let back = async {
        loop {
            if let Ok(info) = c.info().await {
                return info;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let info = tokio::time::timeout(DEADLINE, back)
        .await
        .expect("back on the same port");
    assert_eq!(info.mode, Mode::Configuration);
}

#[tokio::test]
async fn control_interface_power_cycle_and_faults() {
    let m = meter(Mode::Configuration).await;
    control(&m, reqwest::Method::POST, "/power-cycle", None).await;
    let s = online_in(&m, Mode::Application).await;
    assert_eq!(s["boot_count"], 2);
    let f = control(
        &m,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"delay_ms": 200, "stall": false})),
    )
    .await;
    assert_eq!(f["delay_ms"], 200);
    assert_eq!(f["stall"], false);
    client(&m).info().await.expect("late but answered");
    let f = control(
        &m,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"delay_ms": null, "drop_connections": true})),
    )
    .await;
    assert_eq!(f["delay_ms"], Value::Null);
    assert_eq!(f["drop_generation"], 1);
    client(&m).info().await.expect("answers after the drop");
}
