//! Hostile and broken brokers: a retained message too large to accept, a
//! flood of topics that name no meter, a broker certificate for another
//! name (all through a real Mosquitto), and a half-open broker (a small
//! fake on 127.0.0.1 that accepts the connection and then goes silent).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use je08_client::mqtt::{Monitor, MonitorEvent, MonitorOptions};
use je08_net::mqtt_link::{LinkError, LinkOptions, LinkTiming};
use je08_protocol::codec::RegisterBlock;
use je08_protocol::mqtt::encode_data;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::mqtt::{
    BrokerSetup, Mosquitto, Pki, Proc, SOON, eventually, link, link_as, next_event, quick, raw_client,
    sim_meter, tls, tls_login,
};

/// Size of the poisoned retained message: well over the 64 KiB limit.
const BIG: usize = 100 * 1024;

/// Publish a retained `BIG`-byte message on `topic` with a client whose own
/// limit allows it, and wait until the broker has it.
async fn retain_big(port: u16, topic: &str) {
    let mut opts = MqttOptions::new(format!("big-{:08x}", rand::random::<u32>()), "127.0.0.1", port);
    opts.set_max_packet_size(4 * BIG, 4 * BIG);
    let (client, mut eventloop) = AsyncClient::new(opts, 8);
    client
        .publish(topic, QoS::AtLeastOnce, true, vec![b'x'; BIG])
        .await
        .unwrap();
    tokio::time::timeout(SOON, async {
        loop {
            if let Event::Incoming(Packet::PubAck(_)) = eventloop.poll().await.expect("publisher connected") {
                return;
            }
        }
    })
    .await
    .expect("the broker stored the retained message");
    let _ = client.disconnect().await;
}

/// The first `Down` error of `events`.
async fn first_down(events: &mut tokio::sync::broadcast::Receiver<MonitorEvent>) -> (LinkError, Duration) {
    let MonitorEvent::Down { error, retry_in } =
        next_event(events, |e| matches!(e, MonitorEvent::Down { .. })).await
    else {
        unreachable!()
    };
    (error, retry_in)
}

/// At most this many connections in the 5 s window: the test backoff (100 ms
/// doubling to 2 s, jittered into the upper half) allows about 9; a
/// reconnect at each ConnAck makes 50 or more.
const MAX_CONNECTS_IN_5_S: u64 = 12;

#[tokio::test]
async fn oversized_retained_message_backs_off_and_is_named() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    retain_big(broker.port, "je08/7777/data").await;
    let monitor = Monitor::start(MonitorOptions::new(link(broker.url(false))));
    let mut events = monitor.subscribe();
    let (error, _) = first_down(&mut events).await;
    let LinkError::Oversized { bytes, filters, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(*bytes > BIG, "{bytes}");
    assert_eq!(filters, &["je08/+/data"]);
    let said = error.to_string();
    assert!(
        said.contains("larger than the 64 KiB") && said.contains("je08/+/data"),
        "{said}"
    );
    // An observation window, not synchronisation: count connections over 5 s.
    let before = monitor.counters().connects;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let connects = monitor.counters().connects - before;
    assert!(connects <= MAX_CONNECTS_IN_5_S, "{connects} connections in 5 s");
    assert!(monitor.meters().is_empty());
    // What the MQTT view shows between attempts.
    eventually("the view's error is the oversized message", || {
        matches!(monitor.last_error(), Some(LinkError::Oversized { .. }))
    })
    .await;
}

#[tokio::test]
async fn sim_backs_off_on_an_oversized_retained_command() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    retain_big(broker.port, "je08/2120/cmd").await;
    let meter = sim_meter(2120, broker.url(false), None).await;
    let stats = meter.mqtt.stats();
    eventually("the sim names the oversized message", || {
        matches!(stats.last_error(), Some(LinkError::Oversized { .. }))
    })
    .await;
    let before = stats.connects();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let connects = stats.connects() - before;
    assert!(connects <= MAX_CONNECTS_IN_5_S, "{connects} connections in 5 s");
}

#[test]
fn cli_watch_reports_an_oversized_retained_message_without_a_hot_loop() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(retain_big(broker.port, "je08/7777/data"));
    let client_id = format!("watch-{:08x}", rand::random::<u32>());
    let mut watch = Proc(
        Command::new(env!("CARGO_BIN_EXE_je08"))
            .args(["mqtt", "watch", "--broker", &broker.url(false).to_string()])
            .args(["--client-id", &client_id])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // An observation window: the command's backoff (250 ms doubling,
    // jittered into the upper half) allows 6 connections in 5 s; a
    // reconnect at each ConnAck makes 20 or more.
    std::thread::sleep(Duration::from_secs(5));
    let mut pipe = watch.0.stderr.take().unwrap();
    let _ = watch.0.kill();
    let _ = watch.0.wait();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut pipe, &mut stderr).unwrap();
    let connects = broker
        .log()
        .lines()
        .filter(|l| l.contains("New client connected") && l.contains(&client_id))
        .count();
    assert!(
        (1..=8).contains(&connects),
        "{connects} connections in 5 s\n{stderr}"
    );
    assert!(
        stderr.contains("larger than the 64 KiB this client accepts")
            && stderr.contains("a retained message on je08/+/data?"),
        "{stderr}"
    );
}

#[tokio::test]
async fn hostile_topics_keep_the_monitor_bounded() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let monitor = Monitor::start(MonitorOptions::new(link(broker.url(false))));
    monitor.wait_connected(SOON).await.unwrap();
    let rss_before = rss_kib();
    let (flood, _) = raw_client(broker.port, None).await;
    let data = encode_data(&RegisterBlock::default());
    let long = "7".repeat(1000);
    let mut topics = Vec::with_capacity(20_000);
    topics.extend((0..4_000).map(|i| format!("je08/meter-{i}/data")));
    topics.extend((0..2_000).map(|i| format!("je08/{:011}/data", 5_000_000_000u64 + i)));
    topics.extend((0..2_000).map(|i| format!("je08/{long}{i}/data")));
    topics.extend((0..12_000).map(|i| format!("je08/{}/data", 100_000 + i)));
    for topic in &topics {
        flood
            .publish(topic.as_str(), QoS::AtMostOnce, false, data.clone())
            .await
            .unwrap();
    }
    eventually("every message counted", || monitor.counters().messages == 20_000).await;
    let counters = monitor.counters();
    let meters = monitor.meters();
    assert_eq!(meters.len(), 10_000, "the default cap of meters");
    assert!(
        meters
            .iter()
            .all(|m| m.id.len() <= 10 && m.id.parse::<u32>().is_ok())
    );
    assert_eq!(counters.malformed, 8_000, "{counters:?}");
    assert_eq!(counters.ignored_over_cap, 2_000, "{counters:?}");
    let grown_mib = rss_kib().saturating_sub(rss_before) / 1024;
    eprintln!("monitor RSS grew by {grown_mib} MiB for 20 000 topics (10 000 meters kept)");
    assert!(grown_mib < 200, "{grown_mib} MiB");
}

/// This process's resident set, in KiB (0 where /proc is not available).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn tls_hostname_mismatch_names_the_expected_host() {
    let pki = Pki::new("fleet CA");
    let (cert, key) = pki.server_named(&["broker.example"]);
    let broker = Mosquitto::start(&BrokerSetup {
        tls: Some((pki.ca_pem.clone(), cert, key)),
        ..BrokerSetup::default()
    });
    let opts = link_as(tls_login(broker.url(true), tls(&pki.ca_pem, None)));
    let monitor = Monitor::start(MonitorOptions::new(opts));
    let mut events = monitor.subscribe();
    let (error, retry_in) = first_down(&mut events).await;
    assert_eq!(
        error,
        LinkError::WrongName {
            broker: broker.url(true).to_string(),
            host: "127.0.0.1".into(),
            presented: vec!["broker.example".into()],
        }
    );
    let said = error.to_string();
    assert!(
        said.contains("is for broker.example, not for 127.0.0.1")
            && said.contains("give the broker a certificate for 127.0.0.1"),
        "{said}"
    );
    assert!(
        !said.contains("DnsName") && !said.contains("NotValidForName"),
        "{said}"
    );
    assert!(
        retry_in >= Duration::from_secs(1),
        "a configuration error waits the cap"
    );
}

/// A fake broker on 127.0.0.1: accepts, answers CONNECT with CONNACK, then
/// reads and never answers (never closes either). Returns its port and the
/// number of connections it accepted.
async fn half_open_broker() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                if !matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {
                    return;
                }
                // CONNACK: session not present, accepted.
                if socket.write_all(&[0x20, 0x02, 0x00, 0x00]).await.is_err() {
                    return;
                }
                // Silent from now on; the connection ends when the client closes it.
                while matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
            });
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn half_open_broker_is_detected_by_keep_alive_and_backs_off() {
    let (port, accepted) = half_open_broker().await;
    let url = format!("mqtt://127.0.0.1:{port}").parse().unwrap();
    let timing = LinkTiming {
        keep_alive: Duration::from_secs(1),
        ..quick()
    };
    let login = je08_net::mqtt_link::BrokerLogin::anonymous(url);
    let opts = LinkOptions::builder(login, "half-open-test")
        .timing(timing)
        .build()
        .unwrap();
    let monitor = Monitor::start(MonitorOptions::new(opts));
    let mut events = monitor.subscribe();
    let mut delays = Vec::new();
    for _ in 0..3 {
        let (error, retry_in) = first_down(&mut events).await;
        assert_eq!(
            error,
            LinkError::Unresponsive {
                broker: format!("mqtt://127.0.0.1:{port}"),
                secs: 1,
            }
        );
        assert!(
            error
                .to_string()
                .contains("the broker did not answer the keep-alive ping within 1 s"),
            "{error}"
        );
        delays.push(retry_in);
    }
    // Each silent connection counts as a failure: 100 ms, 200 ms, 400 ms
    // nominal (jittered into the upper half), never back to 100 ms.
    assert!(delays[2] >= Duration::from_millis(200), "{delays:?}");
    eventually("a new connection after each detection", || {
        accepted.load(Ordering::Relaxed) >= 4
    })
    .await;
}

#[test]
fn the_mqtt_view_says_why_an_oversized_retained_message_drops_the_connection() {
    use egui_kittest::kittest::Queryable as _;
    use je08::backend::Backend;
    use je08::backend::modbus_link::default_connector;
    use je08::ui::app::ConfiguratorApp;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let broker = Mosquitto::start(&BrokerSetup::default());
    rt.block_on(retain_big(broker.port, "je08/7777/data"));
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, crate::ui::english());
    app.connect_broker(broker.url(false).to_string());
    let mut harness = crate::ui::harness(app);
    crate::kit::click(&mut harness, "MQTT broker");
    crate::kit::step_until(&mut harness, "the oversized message reported", |app| {
        app.view
            .mqtt
            .fleet
            .as_ref()
            .is_some_and(|f| matches!(f.error, Some(LinkError::Oversized { .. })))
    });
    // The view shows the sentence while the connection is down (most of
    // the time: each attempt lives a few milliseconds).
    let deadline = std::time::Instant::now() + SOON;
    while harness
        .query_by_label_contains("larger than the 64 KiB this client accepts")
        .is_none()
    {
        assert!(std::time::Instant::now() < deadline, "the view never said why");
        crate::kit::frames(&mut harness, 1);
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[tokio::test]
async fn a_connection_that_answers_pings_resets_the_backoff() {
    let mut broker = Mosquitto::start(&BrokerSetup::default());
    let timing = LinkTiming {
        keep_alive: Duration::from_secs(1),
        ..quick()
    };
    let login = je08_net::mqtt_link::BrokerLogin::anonymous(broker.url(false));
    let opts = LinkOptions::builder(login, format!("pinged-{:08x}", rand::random::<u32>()))
        .timing(timing)
        .build()
        .unwrap();
    let monitor = Monitor::start(MonitorOptions::new(opts));
    for round in 0..3 {
        eventually("connected", || monitor.connected()).await;
        // Long enough for a keep-alive ping and its answer.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let mut events = monitor.subscribe();
        broker.restart();
        let (error, retry_in) = first_down(&mut events).await;
        assert!(
            retry_in <= Duration::from_millis(100),
            "round {round}: a working connection starts the backoff again, not {retry_in:?} ({error})"
        );
    }
}
