//! The simulator's MQTT client follows the protocols block and certificate
//! slots saved over HTTP, like the meter: a change made in configuration
//! mode takes effect at the next boot into application mode. Then the
//! commissioning report's MQTT check through the meter's own broker, end to
//! end: seen when the saved broker carries the meter, not seen (within its
//! deadline) when the saved broker is down or silent.

use std::time::{Duration, Instant};

use je08_client::http::MeterHttp;
use je08_client::mqtt::{Monitor, MonitorEvent, MonitorOptions};
use je08_net::mqtt_link::Password;
use je08_protocol::http_api::{CertKind, Mode, Protocols};
use je08_protocol::mqtt::{Message, decode_message};
use je08_sim::mqtt::SimMqttOptions;
use je08_sim::{SimMeter, spawn_meter};
use rumqttc::QoS;

use super::commissioning::{PASSWORD, args, both, http_options, je08_env, pdf_text};
use super::http::{DEADLINE, client};
use super::mqtt::{
    BrokerSetup, Mosquitto, Pki, SOON, eventually, free_port, link_as, next_payload, raw_client, tls,
    tls_login,
};

/// A meter with the HTTP API and no MQTT start option: MQTT off, as from
/// the factory.
async fn unconfigured(id: u32) -> SimMeter {
    spawn_meter(http_options(id)).await.expect("simulator starts")
}

/// Over HTTP: configuration mode, change the protocols block with `edit`,
/// save it, and back to application mode. Returns the block as saved.
async fn save_protocols(http: &MeterHttp, edit: impl FnOnce(&mut Protocols)) -> Protocols {
    http.switch_mode(Mode::Configuration, DEADLINE)
        .await
        .expect("configuration mode");
    let mut block = http.protocols().await.expect("GET protocols");
    edit(&mut block);
    http.set_protocols(&block).await.expect("PUT protocols");
    let saved = http.protocols().await.expect("GET protocols");
    http.switch_mode(Mode::Application, DEADLINE)
        .await
        .expect("application mode");
    saved
}

/// MQTT on, to plain `127.0.0.1:port`, with site topics and a 1 s interval.
fn site_broker(block: &mut Protocols, id: u32, port: u16) {
    let m = &mut block.mqtt;
    m.enabled = true;
    m.host = "127.0.0.1".into();
    m.port = u32::from(port);
    m.client_id = format!("site-meter-{id}");
    m.publish_topic = format!("site/{id}/data");
    m.subscribe_topic = format!("site/{id}/cmd");
    m.interval_s = 1;
}

#[tokio::test]
async fn a_start_option_is_what_the_protocols_block_and_certificate_slots_report() {
    let pki = Pki::new("seed CA");
    let mut options = http_options(2206);
    options.device.start_mode = Mode::Configuration;
    let mut seed = tls_login(
        "mqtts://127.0.0.1:8883".parse().expect("url"),
        tls(&pki.ca_pem, None),
    );
    seed.credentials.user = Some("meter".into());
    seed.credentials.password = Some(Password::new("seed-secret"));
    options.mqtt = Some(SimMqttOptions::new(seed));
    let sim = spawn_meter(options).await.expect("simulator starts");
    assert_eq!(sim.ready_line().mqtt.as_deref(), Some("mqtts://127.0.0.1:8883"));
    let http = client(&sim);
    let m = http.protocols().await.expect("GET protocols").mqtt;
    assert!(m.enabled && m.tls.enabled && m.tls.verify_server && !m.tls.client_auth);
    assert_eq!((m.host.as_str(), m.port, m.interval_s), ("127.0.0.1", 8883, 5));
    assert_eq!(
        (m.client_id.as_str(), m.username.as_str()),
        ("je08-2206", "meter")
    );
    assert_eq!(m.publish_topic, "je08/2206/data");
    assert!(m.password.is_none(), "write-only");
    let slots = http.cert_status().await.expect("GET certs");
    assert!(slots.ca.loaded && !slots.client_cert.loaded && !slots.client_key.loaded);
    sim.shutdown().await;
}

#[tokio::test]
async fn mqtt_saved_over_http_runs_from_the_next_boot_into_application_mode() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let (tool, mut inbox) = raw_client(broker.port, Some("site/#")).await;
    let sim = unconfigured(2201).await;
    let stats = sim.mqtt.stats();
    let http = client(&sim);

    http.switch_mode(Mode::Configuration, DEADLINE)
        .await
        .expect("configuration mode");
    let mut block = http.protocols().await.expect("GET protocols");
    assert!(!block.mqtt.enabled, "MQTT is off from the factory");
    site_broker(&mut block, 2201, broker.port);
    http.set_protocols(&block).await.expect("PUT protocols");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(stats.connects(), 0, "saved, but not applied before a reboot");
    http.switch_mode(Mode::Application, DEADLINE)
        .await
        .expect("application mode");

    let (topic, payload) = next_payload(&mut inbox).await;
    assert_eq!(topic, "site/2201/data");
    assert!(matches!(decode_message(&payload), Ok(Message::Data(_))));
    tool.publish("site/2201/cmd", QoS::AtLeastOnce, false, "{\"GET\":\"INFO\"}")
        .await
        .expect("publish");
    let end = Instant::now() + SOON;
    let info = loop {
        assert!(Instant::now() < end, "no INFO on site/2201/data");
        let (topic, payload) = next_payload(&mut inbox).await;
        if let Ok(Message::Info(info)) = decode_message(&payload) {
            assert_eq!(topic, "site/2201/data");
            break info;
        }
    };
    assert_eq!(
        (info.devtype.as_str(), info.subtype.as_str()),
        ("JE08", "WATT METER")
    );

    // Disabled in the saved block: after the next boot no client runs.
    let saved = save_protocols(&http, |b| b.mqtt.enabled = false).await;
    assert!(!saved.mqtt.enabled);
    let connects = stats.connects();
    while inbox.try_recv().is_ok() {}
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(!stats.connected());
    assert_eq!(stats.connects(), connects, "no connection while MQTT is off");
    assert!(inbox.try_recv().is_err(), "nothing published while MQTT is off");
    sim.shutdown().await;
}

#[tokio::test]
async fn tls_with_a_client_certificate_comes_from_the_certificate_slots() {
    let pki = Pki::new("site CA");
    let broker = Mosquitto::start(&pki.broker(false, true));
    let sim = unconfigured(2202).await;
    let http = client(&sim);
    let (cert, key) = pki.client();
    http.switch_mode(Mode::Configuration, DEADLINE)
        .await
        .expect("configuration mode");
    for (kind, pem) in [
        (CertKind::Ca, &pki.ca_pem),
        (CertKind::ClientCert, &cert),
        (CertKind::ClientKey, &key),
    ] {
        http.upload_cert(kind, pem).await.expect("upload");
    }
    use_tls_broker(&http, broker.port).await;
    http.switch_mode(Mode::Application, DEADLINE)
        .await
        .expect("application mode");

    let opts = link_as(tls_login(broker.url(true), tls(&pki.ca_pem, Some(&pki.client()))));
    let monitor = Monitor::start(MonitorOptions::new(opts));
    let mut events = monitor.subscribe();
    let id = tokio::time::timeout(SOON, async {
        loop {
            if let Ok(MonitorEvent::Data { id, .. }) = events.recv().await {
                return id;
            }
        }
    })
    .await
    .expect("DATA over TLS in time");
    assert_eq!(id, "2202");
    assert_eq!(
        sim.mqtt.stats().reconnects(),
        0,
        "{:?}",
        sim.mqtt.stats().last_error()
    );
    sim.shutdown().await;
}

/// Run `je08 report --http-blocks` on `meters`; the PDF's text and the
/// exit code. The whole run must finish within `limit`.
async fn report(meters: &[&SimMeter], mqtt_wait_s: u64, limit: Duration) -> (String, Option<i32>) {
    let dir = super::mqtt::TempDir::new("report-own-broker");
    let out_file = dir.0.join("report.pdf");
    let mut list = args(&["report"]);
    list.extend(meters.iter().map(|m| both(m)));
    list.extend(args(&[
        "--out",
        &out_file.to_string_lossy(),
        "--samples",
        "4",
        "--interval",
        "250",
        "--http-blocks",
        "--mqtt-wait-s",
        &mqtt_wait_s.to_string(),
    ]));
    let out = tokio::time::timeout(limit, je08_env(list, &[PASSWORD]))
        .await
        .expect("the report finishes within its deadlines");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out_file.exists(), "no PDF written: {stderr}");
    assert!(!stderr.contains(PASSWORD.1), "{stderr}");
    (pdf_text(&out_file), out.status.code())
}

#[tokio::test]
async fn report_sees_the_meter_through_its_own_saved_broker() {
    let broker = je08_sim::broker::start_embedded_broker(0).await.expect("broker");
    let sim = unconfigured(2203).await;
    save_protocols(&client(&sim), |b| site_broker(b, 2203, broker.port())).await;
    eventually("the meter on its saved broker", || sim.mqtt.stats().connected()).await;

    let (text, code) = report(&[&sim], 10, Duration::from_secs(90)).await;
    assert_eq!(code, Some(0), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "MQTT: seen: INFO and DATA on site/2203/data",
        &format!("mqtt://127.0.0.1:{}", broker.port()),
        "protocols.mqtt.publish_topic",
    ] {
        assert!(flat.contains(needle), "report lacks {needle:?}:\n{text}");
    }
    assert!(!flat.contains("NOT seen"), "{text}");
    sim.shutdown().await;
}

#[tokio::test]
async fn report_says_not_seen_when_the_saved_broker_is_down_or_silent() {
    // Down: nothing listens. Silent: TCP is accepted, CONNECT never answered.
    let down = free_port();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    let refused = unconfigured(2204).await;
    let unanswered = unconfigured(2205).await;
    save_protocols(&client(&refused), |b| site_broker(b, 2204, down)).await;
    save_protocols(&client(&unanswered), |b| site_broker(b, 2205, silent_port)).await;
    eventually("a failed attempt", || refused.mqtt.stats().reconnects() >= 1).await;

    let started = Instant::now();
    let (text, code) = report(&[&refused, &unanswered], 3, Duration::from_secs(90)).await;
    assert_eq!(
        code,
        Some(3),
        "an unseen meter is a finding of the report:\n{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "MQTT: NOT seen on site/2204/data",
        &format!("mqtt://127.0.0.1:{down}"),
        "MQTT: NOT seen on site/2205/data",
        &format!("mqtt://127.0.0.1:{silent_port}"),
        "broker not reached",
    ] {
        assert!(flat.contains(needle), "report lacks {needle:?}:\n{text}");
    }
    assert!(!flat.contains("MQTT: seen"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "two meters with a 3 s MQTT deadline took {:?}",
        started.elapsed()
    );
    drop(silent);
    refused.shutdown().await;
    unanswered.shutdown().await;
}

/// Point the meter behind `http` (in configuration mode) at a TLS broker on
/// 127.0.0.1:`port` that asks for its client certificate, publishing every second.
pub(super) async fn use_tls_broker(http: &MeterHttp, port: u16) {
    let mut block = http.protocols().await.expect("GET protocols");
    block.mqtt.enabled = true;
    block.mqtt.host = "127.0.0.1".into();
    block.mqtt.port = u32::from(port);
    block.mqtt.interval_s = 1;
    block.mqtt.tls.enabled = true;
    block.mqtt.tls.client_auth = true;
    http.set_protocols(&block).await.expect("PUT protocols");
}
