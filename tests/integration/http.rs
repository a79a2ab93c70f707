//! The simulator's HTTP API over real HTTP: reqwest (our client and raw),
//! and curl for interoperability. Authentication, mode rules, whole-object
//! validation, write-only secrets, certificates, limits, settings applied at
//! the next reboot, faults.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::process::Command;

use je08_client::http::{HttpError, MeterHttp};
use je08_protocol::http_api::{Ct, FACTORY_PASSWORD, Mode, Secret, WifiMode};
use je08_protocol::registers::addr;
use je08_sim::{MeterOptions, SimMeter, spawn_meter};
use serde_json::{Value, json};

/// Device id of the test meters.
pub const ID: u32 = 0x0012_D687;
/// Generous deadline for reboots on a loaded CI machine.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A meter with HTTP, espota and control interface on loopback, a short
/// reboot delay, started in `mode`.
pub async fn meter(mode: Mode) -> SimMeter {
    let mut options = MeterOptions::new(ID);
    options.device.reboot_delay = Duration::from_millis(150);
    options.device.start_mode = mode;
    options.http_port = Some(0);
    options.ota_port = Some(0);
    options.control_port = Some(0);
    spawn_meter(options).await.expect("spawn meter")
}

/// The meter's HTTP address.
pub fn http_addr(meter: &SimMeter) -> SocketAddr {
    meter.http.expect("http served")
}

/// Our client with the factory password.
pub fn client(meter: &SimMeter) -> MeterHttp {
    let a = http_addr(meter);
    MeterHttp::new(&a.ip().to_string(), a.port(), Some(Secret::new(FACTORY_PASSWORD)))
}

/// Our client with another password.
pub fn client_with(meter: &SimMeter, password: &str) -> MeterHttp {
    let a = http_addr(meter);
    MeterHttp::new(&a.ip().to_string(), a.port(), Some(Secret::new(password)))
}

fn url(meter: &SimMeter, path: &str) -> String {
    format!("http://{}{path}", http_addr(meter))
}

fn raw() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .expect("client")
}

/// `(status, JSON body)` of a raw request.
pub async fn call(
    meter: &SimMeter,
    method: reqwest::Method,
    path: &str,
    password: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = raw().request(method, url(meter, path));
    if let Some(p) = password {
        req = req.basic_auth("admin", Some(p));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A self-signed CA certificate in PEM.
pub fn ca_pem() -> String {
    rcgen::generate_simple_self_signed(vec!["broker".to_owned()])
        .expect("rcgen")
        .cert
        .pem()
}

/// Run curl (asynchronously: the simulator shares this runtime) and return
/// `(body, HTTP status code)`.
pub async fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-s", "--noproxy", "*", "--max-time", "10", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .await
        .expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or((&text, ""));
    (body.to_owned(), code.to_owned())
}

#[tokio::test]
async fn info_needs_no_password_in_every_mode() {
    for mode in [Mode::Application, Mode::Configuration, Mode::Update] {
        let m = meter(mode).await;
        let info = client_with(&m, "wrong password").info().await.expect("info");
        assert_eq!(info.mode, mode);
        assert_eq!(info.devtype, "JE08");
        assert_eq!(info.subtype, "WATT METER");
        assert_eq!(info.id, ID);
        assert_eq!(info.esp_version, "3.00");
        let (body, code) = curl(&[&url(&m, "/api/info")]).await;
        assert_eq!(code, "200");
        let v: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["mode"], mode.as_str());
        assert_eq!(v["wifi"]["mode"], "st");
    }
}

#[tokio::test]
async fn wrong_password_is_401_and_changes_nothing() {
    let m = meter(Mode::Configuration).await;
    let before = client(&m).ct().await.expect("ct");
    let bad = client_with(&m, "not the password");
    let err = bad
        .set_ct(&Ct {
            ratio: 250,
            invert: [true, false, false],
        })
        .await
        .expect_err("refused");
    assert!(matches!(err, HttpError::Unauthorized { .. }), "{err}");
    assert!(
        err.to_string().contains("refused the interface password"),
        "{err}"
    );
    let (status, body) = call(&m, reqwest::Method::GET, "/api/config/ct", None, None).await;
    assert_eq!(status, 401);
    assert!(body["error"].is_string());
    let resp = raw().get(url(&m, "/api/certs")).send().await.expect("send");
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    // Mode changes and reboots need the password too.
    let (status, _) = call(&m, reqwest::Method::POST, "/api/reboot", Some("nope"), None).await;
    assert_eq!(status, 401);
    assert_eq!(client(&m).ct().await.expect("ct"), before);
    assert_eq!(m.device.power_state().boot_count, 1);
}

#[tokio::test]
async fn wrong_mode_is_409_naming_the_mode() {
    let m = meter(Mode::Application).await;
    for path in [
        "/api/config/connectivity",
        "/api/config/protocols",
        "/api/config/ct",
        "/api/certs",
    ] {
        let (status, body) = call(&m, reqwest::Method::GET, path, Some(FACTORY_PASSWORD), None).await;
        assert_eq!(status, 409, "{path}");
        assert!(
            body["error"].as_str().expect("error").contains("configuration"),
            "{body}"
        );
    }
    let err = client(&m).protocols().await.expect_err("409");
    assert!(
        matches!(
            err,
            HttpError::WrongMode {
                needed: Mode::Configuration,
                ..
            }
        ),
        "{err}"
    );
    let (_, code) = curl(&[
        "-u",
        &format!("admin:{FACTORY_PASSWORD}"),
        "-F",
        "firmware=@/dev/null",
        &url(&m, "/update"),
    ])
    .await;
    assert_eq!(code, "409");
}

#[tokio::test]
async fn bad_values_are_422_naming_the_field_and_change_nothing() {
    let m = meter(Mode::Configuration).await;
    let c = client(&m);
    let protocols = c.protocols().await.expect("protocols");
    let mut bad = serde_json::to_value(&protocols).expect("json");
    bad["mqtt"]["port"] = json!(0);
    bad["mqtt"]["interval_s"] = json!(5000);
    let (status, body) = call(
        &m,
        reqwest::Method::PUT,
        "/api/config/protocols",
        Some(FACTORY_PASSWORD),
        Some(bad.clone()),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "mqtt.port");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["mqtt.port", "mqtt.interval_s"]);
    assert_eq!(c.protocols().await.expect("protocols"), protocols);

    let (status, body) = call(
        &m,
        reqwest::Method::PUT,
        "/api/config/ct",
        Some(FACTORY_PASSWORD),
        Some(json!({"ratio": 10, "invert": [false, false, false]})),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("ratio")));

    let mut conn = serde_json::to_value(c.connectivity().await.expect("conn")).expect("json");
    let before = conn.clone();
    conn["netmask"] = json!("255.0.255.0");
    conn["device_name"] = json!("Renamed");
    let (status, body) = call(
        &m,
        reqwest::Method::PUT,
        "/api/config/connectivity",
        Some(FACTORY_PASSWORD),
        Some(conn),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("netmask")));
    let after = serde_json::to_value(c.connectivity().await.expect("conn")).expect("json");
    assert_eq!(after, before, "a refused PUT changed the block");

    // Bad JSON is 400; the client refuses bad values before sending.
    let resp = raw()
        .put(url(&m, "/api/config/ct"))
        .basic_auth("admin", Some(FACTORY_PASSWORD))
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    let err = c
        .set_ct(&Ct {
            ratio: 401,
            invert: [false; 3],
        })
        .await
        .expect_err("local");
    assert!(matches!(err, HttpError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("ratio"), "{err}");
}

#[tokio::test]
async fn passwords_are_write_only() {
    let m = meter(Mode::Configuration).await;
    let c = client(&m);
    let mut conn = c.connectivity().await.expect("conn");
    assert!(conn.password.is_none() && conn.interface_password.is_none());
    conn.wifi_mode = WifiMode::St;
    conn.ssid = "PLANT-NET".into();
    conn.password = Some(Secret::new("plant wifi key"));
    conn.ip = "10.1.2.3".into();
    conn.gateway = "10.1.2.1".into();
    conn.dns = "10.1.2.1".into();
    c.set_connectivity(&conn).await.expect("put");
    let (status, body) = call(
        &m,
        reqwest::Method::GET,
        "/api/config/connectivity",
        Some(FACTORY_PASSWORD),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body["password"].is_null() && body["interface_password"].is_null(),
        "{body}"
    );
    assert!(!body.to_string().contains("plant wifi key"));
    let stored = m.device.with(|d| d.network_saved.clone());
    assert_eq!(
        stored.password.as_ref().map(Secret::expose),
        Some("plant wifi key")
    );
    // A PUT with null keeps the stored secret.
    conn.password = None;
    conn.device_name = "Panel 7".into();
    c.set_connectivity(&conn).await.expect("put");
    let stored = m.device.with(|d| d.network_saved.clone());
    assert_eq!(
        stored.password.as_ref().map(Secret::expose),
        Some("plant wifi key")
    );
    assert_eq!(stored.device_name, "Panel 7");
}

#[tokio::test]
async fn certificates_upload_status_delete_and_limits() {
    let m = meter(Mode::Configuration).await;
    let c = client(&m);
    let pem = ca_pem();
    c.upload_cert(je08_protocol::http_api::CertKind::Ca, &pem)
        .await
        .expect("upload");
    let (status, body) = call(
        &m,
        reqwest::Method::GET,
        "/api/certs",
        Some(FACTORY_PASSWORD),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["ca"], json!({"loaded": true, "bytes": pem.len()}));
    assert_eq!(body["client_key"]["loaded"], false);
    assert!(!body.to_string().contains("BEGIN"), "content leaked: {body}");

    // curl: malformed PEM → 422, too large → 413, key in the wrong slot → 422.
    let dir = std::env::temp_dir().join(format!("je08-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "-----BEGIN CERTIFICATE-----\n!!!\n").expect("write");
    let big = dir.join("big.pem");
    std::fs::write(&big, format!("{pem}{}", "A".repeat(5000))).expect("write");
    let user = format!("admin:{FACTORY_PASSWORD}");
    let (body, code) = curl(&[
        "-u",
        &user,
        "-T",
        junk.to_str().expect("path"),
        &url(&m, "/api/certs/client_cert"),
    ])
    .await;
    assert_eq!(code, "422", "{body}");
    assert!(body.contains("\"field\":\"client_cert\""), "{body}");
    let (_, code) = curl(&[
        "-u",
        &user,
        "-T",
        big.to_str().expect("path"),
        &url(&m, "/api/certs/ca"),
    ])
    .await;
    assert_eq!(code, "413");
    let (_, code) = curl(&["-u", &user, "-X", "DELETE", &url(&m, "/api/certs/ca")]).await;
    assert_eq!(code, "200");
    assert!(!c.cert_status().await.expect("status").ca.loaded);
    let (_, code) = curl(&["-u", &user, "-X", "DELETE", &url(&m, "/api/certs/nonsense")]).await;
    assert_eq!(code, "404");
}

#[tokio::test]
async fn settings_apply_at_the_next_reboot() {
    let m = meter(Mode::Configuration).await;
    let c = client(&m);
    let mut conn = c.connectivity().await.expect("conn");
    conn.device_name = "Panel 9".into();
    conn.interface_password = Some(Secret::new("new-password-1"));
    c.set_connectivity(&conn).await.expect("put");
    c.set_ct(&Ct {
        ratio: 250,
        invert: [true, false, true],
    })
    .await
    .expect("ct");
    // Not yet active: old name, old password still work.
    let info = c.info().await.expect("info");
    assert_ne!(info.name, "Panel 9");
    c.ct().await.expect("old password still valid until the reboot");
    let regs = m.device.registers();
    assert_ne!(regs.get(addr::RELACAO_TC), 250);
    let info = c.switch_mode(Mode::Application, DEADLINE).await.expect("switch");
    assert_eq!(info.name, "Panel 9");
    let regs = m.device.registers();
    assert_eq!(regs.get(addr::RELACAO_TC), 250);
    assert_eq!(regs.get(addr::INVERTE_TC_FASE_A), 1);
    assert_eq!(regs.get(addr::INVERTE_TC_FASE_B), 0);
    assert_eq!(regs.get(addr::INVERTE_TC_FASE_C), 1);
    let err = c
        .request_mode(Mode::Configuration)
        .await
        .expect_err("old password");
    assert!(matches!(err, HttpError::Unauthorized { .. }), "{err}");
    client_with(&m, "new-password-1")
        .switch_mode(Mode::Configuration, DEADLINE)
        .await
        .expect("new password");
}

#[tokio::test]
async fn faults_refuse_and_stall_give_typed_errors() {
    let m = meter(Mode::Application).await;
    let c = client(&m).with_timeout(Duration::from_millis(500));
    c.info().await.expect("info");
    m.device.set_refuse(true);
    let mut refused = false;
    for _ in 0..200 {
        if let Err(HttpError::Unreachable { .. }) = c.info().await {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "the listener stayed open under the refuse fault");
    m.device.set_refuse(false);
    let back = async {
        loop {
            if c.info().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(DEADLINE, back)
        .await
        .expect("back on the same port");
    m.device.set_stall(true);
    let err = c.info().await.expect_err("stalled");
    assert!(matches!(err, HttpError::Timeout { .. }), "{err}");
    m.device.set_stall(false);
    c.info().await.expect("answers again");
}

/// Run `je08` with trace logging; `(success, stdout + stderr)`.
async fn je08_traced(args: &[&str], env_password: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_je08"));
    cmd.arg("--log").arg("trace").args(args).env("RUST_LOG", "trace");
    match env_password {
        Some(p) => cmd.env("JE08_PASSWORD", p),
        None => cmd.env_remove("JE08_PASSWORD"),
    };
    let out = cmd.output().await.expect("run je08");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn cli_commands_work_and_never_print_the_password() {
    let secret = "Kx7-cli-secret-0815";
    let wrong = "Wr0ng-guess-4242";
    let m = meter(Mode::Application).await;
    m.device.with(|d| {
        d.network.interface_password = Some(Secret::new(secret));
        d.network_saved.interface_password = Some(Secret::new(secret));
    });
    let host = http_addr(&m).to_string();
    let basic = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("admin:{secret}"))
    };
    let ct_file = std::env::temp_dir().join(format!("je08-ct-{}.json", std::process::id()));
    std::fs::write(&ct_file, r#"{"ratio": 150, "invert": [false, true, false]}"#).expect("write");
    let ct_path = ct_file.to_str().expect("path");
    let steps: Vec<(Vec<&str>, Option<&str>, bool, &str)> = vec![
        (
            vec!["info", &host, "--json"],
            Some(secret),
            true,
            "\"mode\":\"application\"",
        ),
        (
            vec!["mode", &host, "configuration", "--password", secret],
            None,
            true,
            "configuration mode",
        ),
        (
            vec!["config", "get", &host, "connectivity", "--json"],
            Some(secret),
            true,
            "\"interface_password\":null",
        ),
        (
            vec!["config", "set", &host, "ct", ct_path],
            Some(secret),
            true,
            "next reboot",
        ),
        (
            vec!["config", "get", &host, "ct", "--json"],
            Some(secret),
            true,
            "\"ratio\":150",
        ),
        (vec!["certs", "status", &host], Some(secret), true, "ca"),
        (
            vec!["config", "get", &host, "--password", wrong],
            None,
            false,
            "refused the interface password",
        ),
        (
            vec!["mode", &host, "application"],
            Some(secret),
            true,
            "application mode",
        ),
        (vec!["info", &host], None, true, "application"),
    ];
    for (args, env, ok, expect) in steps {
        let (success, text) = je08_traced(&args, env).await;
        assert_eq!(success, ok, "{args:?}: {text}");
        assert!(text.contains(expect), "{args:?}: {text}");
        assert!(!text.contains(secret), "{args:?} printed the password: {text}");
        assert!(
            !text.contains(wrong),
            "{args:?} printed the wrong password: {text}"
        );
        assert!(!text.contains(&basic), "{args:?} printed the credentials: {text}");
    }
    assert_eq!(m.device.registers().get(addr::RELACAO_TC), 150);

    // The simulator itself, given a password on the command line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["--log", "trace", "sim", "--modbus-port", "0", "--http-port", "0"])
        .args(["--ota-port", "0", "--password", secret])
        .env("RUST_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn je08 sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let ready = tokio::time::timeout(DEADLINE, lines.next_line())
        .await
        .expect("ready in time")
        .expect("read")
        .expect("a line");
    let ready: Value = serde_json::from_str(&ready).expect("ready json");
    let sim_http = ready["http"].as_str().expect("http address").to_owned();
    let (ok, text) = je08_traced(&["config", "get", &sim_http, "--password", secret], None).await;
    assert!(!ok && text.contains("configuration mode"), "{text}");
    child.start_kill().expect("kill");
    let out = child.wait_with_output().await.expect("wait");
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG") || logs.contains("INFO"),
        "no logs: {logs}"
    );
    assert!(!logs.contains(secret), "the simulator logged the password");
}

#[tokio::test]
async fn reboot_and_mode_over_curl() {
    let m = meter(Mode::Configuration).await;
    let user = format!("admin:{FACTORY_PASSWORD}");
    let (body, code) = curl(&["-u", &user, "-X", "POST", &url(&m, "/api/reboot")]).await;
    assert_eq!(code, "202", "{body}");
    assert!(body.contains("\"rebooting_into\":\"application\""), "{body}");
    let back = m
        .device
        .wait_power(DEADLINE, |p| p.online && p.boot_count == 2)
        .await
        .expect("back");
    assert_eq!(back.mode, Mode::Application);
    let (body, code) = curl(&[
        "-u",
        &user,
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"mode":"update"}"#,
        &url(&m, "/api/mode"),
    ])
    .await;
    assert_eq!(code, "202", "{body}");
    let back = m
        .device
        .wait_power(DEADLINE, |p| p.online && p.boot_count == 3)
        .await
        .expect("back");
    assert_eq!(back.mode, Mode::Update);
    let (body, code) = curl(&["-u", &user, "-d", r#"{"mode":"sleep"}"#, &url(&m, "/api/mode")]).await;
    assert_eq!(code, "422", "{body}");
    assert!(body.contains("\"field\":\"mode\""), "{body}");
}

/// A meter that reboots cannot answer a next request on the same
/// connection: the answer that sends it down closes its connection, and an
/// answer that does not keeps it open.
#[tokio::test]
async fn an_answer_that_reboots_the_meter_closes_its_connection() {
    let m = meter(Mode::Application).await;
    let client = raw();
    let info = client.get(url(&m, "/api/info")).send().await.expect("info");
    assert_eq!(info.status().as_u16(), 200);
    assert!(info.headers().get("connection").is_none(), "{:?}", info.headers());
    let switch = client
        .post(url(&m, "/api/mode"))
        .basic_auth("admin", Some(FACTORY_PASSWORD))
        .json(&serde_json::json!({"mode": "configuration"}))
        .send()
        .await
        .expect("mode");
    assert_eq!(switch.status().as_u16(), 202);
    assert_eq!(
        switch.headers().get("connection").map(|v| v.as_bytes()),
        Some(&b"close"[..]),
        "{:?}",
        switch.headers()
    );
}
