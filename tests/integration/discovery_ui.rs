//! The window finds meters: loopback mDNS (source and mode from the TXT
//! record), a range scan typed by the user, MQTT sightings, and the
//! `/api/info` probe that tells configuration mode from unreachable.
//! Simulators over real loopback sockets; every wait polls with a deadline.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use je08::backend::discovery::{Request, Update};
use je08::backend::modbus_link::default_connector;
use je08::backend::{Backend, Command, Event, JobOutcome, MeterKey};
use je08::state::led::{LedPattern, pattern};
use je08::state::model::MeterRow;
use je08::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_client::discovery::mdns::MdnsInterface;
use je08_protocol::mode::Mode;
use je08_protocol::mode::Mode as DeviceMode;
use je08_sim::mdns::MdnsAdvertiser;
use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};

use super::discovery::{mdns_available, random_id, random_loopback};
use super::ui::{english, harness};

/// Generous: mDNS on a loaded machine, scans with several-second per-host deadlines.
const DEADLINE: Duration = Duration::from_secs(30);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

struct Window {
    rt: tokio::runtime::Runtime,
    harness: Harness<'static, ConfiguratorApp>,
}

impl Window {
    fn new(rt: tokio::runtime::Runtime, setup: impl FnOnce(&mut ConfiguratorApp)) -> Self {
        let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
        let mut app = ConfiguratorApp::new(backend, english());
        setup(&mut app);
        Self {
            rt,
            harness: harness(app),
        }
    }

    /// Run frames until `done` holds, within [`DEADLINE`].
    fn until(&mut self, what: &str, done: impl Fn(&ConfiguratorApp) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        while !done(self.harness.state()) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; rows: {:#?}",
                rows(self.harness.state())
            );
            self.harness.step();
            std::thread::sleep(Duration::from_millis(20));
        }
        for _ in 0..3 {
            self.harness.step();
        }
    }

    /// Stop `sim` and wait until the session of meter `id` has lost it.
    fn stop_meter(&mut self, sim: SimMeter, id: u32) {
        self.rt.block_on(sim.shutdown());
        self.until("the session to notice", |app| {
            row(app, id).is_some_and(|m| m.link != je08::backend::LinkState::Online)
        });
    }

    /// Wait until the session of meter `id` reads it at `address`.
    fn until_online_at(&mut self, id: u32, address: std::net::SocketAddr, what: &str) {
        self.until(what, |app| {
            row(app, id).is_some_and(|m| {
                m.address == address.to_string() && m.link == je08::backend::LinkState::Online
            })
        });
    }

    fn row(&self, id: u32) -> MeterRow {
        row(self.harness.state(), id).cloned().unwrap()
    }
}

fn row(app: &ConfiguratorApp, id: u32) -> Option<&MeterRow> {
    app.model.meters.iter().find(|m| m.device_id == Some(id))
}

/// Each row as a failed wait prints it: id, address, mode, session, link.
fn rows(app: &ConfiguratorApp) -> Vec<String> {
    app.model
        .meters
        .iter()
        .map(|m| {
            format!(
                "{:?} {} {:?} session={} {:?}",
                m.device_id,
                m.address,
                m.mode(),
                m.session,
                m.link
            )
        })
        .collect()
}

async fn meter(id: u32, mode: DeviceMode, mdns: Option<Arc<MdnsAdvertiser>>) -> SimMeter {
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.bind = IpAddr::V4(random_loopback());
    options.http_port = Some(0);
    options.device.start_mode = mode;
    options.device.reboot_delay = Duration::from_millis(200);
    options.mdns = mdns;
    spawn_meter(options).await.unwrap()
}

#[test]
fn the_window_lists_meters_advertised_on_loopback_with_their_mode() {
    if !mdns_available("the_window_lists_meters_advertised_on_loopback_with_their_mode") {
        return;
    }
    let rt = runtime();
    let advertiser = rt.block_on(async { MdnsAdvertiser::loopback().unwrap() });
    let (app_id, config_id) = (random_id(), random_id());
    let running = rt.block_on(meter(app_id, DeviceMode::Application, Some(advertiser.clone())));
    let configuring = rt.block_on(meter(
        config_id,
        DeviceMode::Configuration,
        Some(advertiser.clone()),
    ));
    let mut w = Window::new(rt, |app| app.browse_mdns(Some(vec![MdnsInterface::Loopback])));
    w.until("both meters over mDNS", |app| {
        row(app, app_id).is_some_and(|m| m.mode() == Some(Mode::Application))
            && row(app, config_id).is_some_and(|m| m.mode() == Some(Mode::Configuration))
    });
    for id in [app_id, config_id] {
        let m = w.row(id);
        assert!(m.sources.contains(&Source::Mdns), "{:?}", m.sources);
        assert!(!m.session, "no session before the user asks for one");
    }
    w.harness.get_by_label("mDNS: browsing on loopback");
    w.harness.get_by_label(&format!("JE08-{config_id}"));
    assert!(w.harness.query_all_by_label("configuration").count() >= 1);
    assert!(w.harness.query_all_by_label("not connected").count() >= 2);
    w.until("the LED mirror of the configuration-mode meter", |app| {
        row(app, config_id).is_some_and(|m| m.wifi().is_some())
    });
    let m = w.row(config_id);
    assert!(
        matches!(
            pattern(m.mode(), m.wifi()),
            LedPattern::Blinks { inverted: true, .. }
        ),
        "configuration mode: LED on with short off pulses"
    );

    // Selecting the application-mode meter opens its session.
    let key = w.row(app_id).key;
    w.harness
        .state_mut()
        .apply(je08::state::intent::Action::Select(key));
    w.until("the selected meter's first reading", |app| {
        row(app, app_id).is_some_and(|m| m.session && m.latest.is_some())
    });
    assert!(!w.row(config_id).session, "the other meter still has none");
    assert_eq!(
        w.harness
            .state()
            .model
            .meters
            .iter()
            .filter(|m| m.device_id == Some(app_id))
            .count(),
        1,
        "one row per meter"
    );

    // It reboots into configuration mode: Modbus closes, the row says so (not "offline").
    running.device.reboot(DeviceMode::Configuration);
    w.until("configuration mode after the reboot", |app| {
        row(app, app_id).is_some_and(|m| m.mode() == Some(Mode::Configuration))
    });
    assert!(!w.row(app_id).unreachable());
    w.rt.block_on(async {
        running.shutdown().await;
        configuring.shutdown().await;
        advertiser.shutdown().await;
    });
}

#[test]
fn a_scan_of_a_loopback_range_finds_a_meter() {
    let rt = runtime();
    let id = random_id();
    let sim = rt.block_on(meter(id, DeviceMode::Application, None));
    let IpAddr::V4(ip) = sim.modbus.ip() else {
        unreachable!()
    };
    let [a, b, c, _] = ip.octets();
    let mut w = Window::new(rt, |_| {});
    w.harness.get_by_label("Range").click();
    w.harness.step();
    w.harness.get_by_label("Range").type_text("10.0.0.0/8");
    w.harness.step();
    w.harness.get_by_label("Scan").click();
    w.harness.step();
    w.harness.step();
    w.harness.get_by_label_contains("at most 4096");
    assert!(
        w.harness.state().view.discovery.scan.is_none(),
        "a bad range starts nothing"
    );

    w.harness.state_mut().view.discovery.range = format!("{a}.{b}.{c}.1-6:{}", sim.modbus.port());
    w.harness.step();
    w.harness.get_by_label("Scan").click();
    w.until("the scan to finish", |app| {
        app.view
            .discovery
            .scan
            .as_ref()
            .is_some_and(|s| s.outcome.is_some())
    });
    let scan = w.harness.state().view.discovery.scan.clone().unwrap();
    assert_eq!(scan.outcome, Some(JobOutcome::Done(None)));
    assert_eq!((scan.probed, scan.total, scan.found), (6, 6, 1));
    w.harness.get_by_label_contains("done, 1 found in 6 addresses");
    w.until("the scanned meter in the list", |app| row(app, id).is_some());
    let m = w.row(id);
    assert_eq!(m.sources, [Source::Scan].into());
    assert_eq!(m.address, sim.modbus.to_string());
    assert_eq!(m.mode(), Some(Mode::Application));
    assert!(!m.session);
    w.rt.block_on(sim.shutdown());
}

#[test]
fn a_meter_seen_only_on_the_broker_is_listed_with_source_mqtt() {
    use je08_net::mqtt_link::BrokerLogin;
    use je08_protocol::mqtt::BrokerUrl;
    use je08_sim::broker::start_embedded_broker;
    use je08_sim::mqtt::SimMqttOptions;
    let rt = runtime();
    let broker = rt.block_on(start_embedded_broker(0)).unwrap();
    let url = BrokerUrl {
        tls: false,
        host: broker.ip().to_string(),
        port: broker.port(),
    };
    let id = random_id();
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.bind = IpAddr::V4(random_loopback());
    let mut mqtt = SimMqttOptions::new(BrokerLogin::anonymous(url.clone()));
    mqtt.interval = Duration::from_secs(1);
    options.mqtt = Some(mqtt);
    let sim = rt.block_on(spawn_meter(options)).unwrap();
    let mut w = Window::new(rt, |app| app.connect_broker(url.to_string()));
    w.until("the meter from the broker", |app| row(app, id).is_some());
    let m = w.row(id);
    assert_eq!(m.sources, [Source::Mqtt].into());
    assert_eq!(
        m.mode(),
        Some(Mode::Application),
        "a meter publishing is in application mode"
    );
    assert!(!m.session);
    assert!(w.harness.query_all_by_label_contains(&id.to_string()).count() >= 1);
    w.harness.get_by_label("MQTT");
    w.rt.block_on(sim.shutdown());
}

/// The probe the window sends when Modbus goes silent: `/api/info` of a
/// meter in configuration mode answers with that mode; a closed port is
/// reported as a failure within the deadline.
#[test]
fn the_info_probe_tells_configuration_mode_from_unreachable() {
    let rt = runtime();
    let sim = rt.block_on(meter(random_id(), DeviceMode::Configuration, None));
    let http = sim.http.unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut backend = Backend::start(
        rt.handle(),
        default_connector(),
        Arc::new(move || {
            let _ = tx.send(());
        }),
    );
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for (key, port) in [(1, http.port()), (2, dead.port())] {
        backend
            .try_send(Command::Discovery(Request::ProbeInfo {
                meter: MeterKey(key),
                host: http.ip().to_string(),
                port,
            }))
            .unwrap();
    }
    let deadline = Instant::now() + DEADLINE;
    let mut answers = std::collections::BTreeMap::new();
    while answers.len() < 2 {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            rx.recv_timeout(left).is_ok(),
            "probes answered in time: {answers:?}"
        );
        for event in backend.drain() {
            if let Event::Discovery(Update::Info { meter, result, .. }) = event {
                answers.insert(meter.0, result);
            }
        }
    }
    let info = answers[&1].as_ref().expect("the meter answers over HTTP");
    assert_eq!((info.id, info.mode), (sim.id(), DeviceMode::Configuration));
    assert!(answers[&2].is_err());
    rt.block_on(sim.shutdown());
}

/// A simulated meter `id` serving Modbus at `ip:port`.
async fn meter_at(id: u32, ip: std::net::Ipv4Addr, port: u16) -> SimMeter {
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.bind = IpAddr::V4(ip);
    options.modbus_port = port;
    spawn_meter(options).await.unwrap()
}

/// A stand-in for a hostile device on the plant network: it keeps
/// publishing an MQTT INFO packet that claims meter `id` lives at `claimed`.
fn forge_info(
    rt: &tokio::runtime::Runtime,
    broker: std::net::SocketAddr,
    id: u32,
    claimed: std::net::Ipv4Addr,
) {
    use je08_protocol::mqtt::InfoPacket;
    use je08_protocol::readings::Version;
    use rumqttc::QoS;
    let (client, _) = rt.block_on(super::mqtt::raw_client(broker.port(), None));
    let payload = InfoPacket {
        name: format!("JE08-{id}"),
        ip: claimed,
        mac: "5C:CF:7F:66:66:66".into(),
        devtype: "JE08".into(),
        subtype: "WATT METER".into(),
        version: Version(300),
    }
    .encode();
    rt.spawn(async move {
        loop {
            let topic = format!("je08/{id}/data");
            if client
                .publish(topic, QoS::AtMostOnce, false, payload.clone())
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
}

/// The window with a broker connected and a session to `sim` added by
/// hand; then a one-address scan so discovery knows the meter's Modbus port.
fn window_with_session(
    rt: tokio::runtime::Runtime,
    broker: std::net::SocketAddr,
    sim: &SimMeter,
    id: u32,
) -> Window {
    use je08::state::intent::Action;
    let url = format!("mqtt://{broker}");
    let mut w = Window::new(rt, |app| app.connect_broker(url));
    let address = sim.modbus.to_string();
    w.harness
        .state_mut()
        .apply(Action::Add(address.clone(), Source::Manual));
    w.until("the session's first reading", |app| {
        row(app, id).is_some_and(|m| m.session && m.latest.is_some())
    });
    let ip = sim.modbus.ip();
    w.harness.state_mut().view.discovery.range = format!("{ip}:{}", sim.modbus.port());
    w.harness.state_mut().apply(Action::Scan);
    w.until("the scan's sighting of the meter", |app| {
        row(app, id).is_some_and(|m| {
            m.found
                .entry
                .as_ref()
                .is_some_and(|e| e.ports.modbus == Some(sim.modbus.port()))
        })
    });
    w
}

/// A broker, a meter, and the window reading it (see [`window_with_session`]).
fn window_with_a_meter() -> (Window, std::net::SocketAddr, SimMeter, u32) {
    let rt = runtime();
    let broker = rt.block_on(je08_sim::broker::start_embedded_broker(0)).unwrap();
    let id = random_id();
    let real = rt.block_on(meter(id, DeviceMode::Application, None));
    let w = window_with_session(rt, broker, &real, id);
    (w, broker, real, id)
}

/// Wait until sightings at two addresses are more than the registry's
/// "simultaneous" window apart, so the next one reads as a move.
fn let_the_old_sighting_age() {
    std::thread::sleep(Duration::from_secs(11));
}

#[test]
fn a_forged_info_packet_moves_no_password_and_an_impostor_is_not_followed() {
    use je08::backend::identity::MoveRefused;
    use je08::state::whereabouts::MoveCheck;
    let (mut w, broker, real, id) = window_with_a_meter();
    let chosen = real.modbus;
    let http_before = w.row(id).http_address();
    assert!(
        http_before.starts_with(&format!("{}:", chosen.ip())),
        "{http_before}"
    );

    // The meter goes away; a device with another id answers Modbus at the
    // same port elsewhere, and a forged INFO packet claims meter `id` is there.
    w.stop_meter(real, id);
    let_the_old_sighting_age();
    let forged_ip = random_loopback();
    let impostor_id = random_id();
    let impostor = w.rt.block_on(meter_at(impostor_id, forged_ip, chosen.port()));
    forge_info(&w.rt, broker, id, forged_ip);

    w.until("the claim checked and refused", |app| {
        row(app, id).is_some_and(|m| {
            matches!(
                m.moved.as_ref().map(|m| &m.check),
                Some(MoveCheck::Refused { .. })
            )
        })
    });
    let m = w.row(id);
    assert_eq!(
        m.address,
        chosen.to_string(),
        "the row keeps the address the user chose"
    );
    assert_eq!(
        m.http_address(),
        http_before,
        "the password still goes to the chosen host"
    );
    let Some(MoveCheck::Refused { why, .. }) = m.moved.as_ref().map(|m| m.check.clone()) else {
        unreachable!()
    };
    assert!(
        matches!(why, MoveRefused::OtherId { found, expected, .. } if found == impostor_id && expected == id),
        "{why:?}"
    );
    assert_eq!(m.moved.as_ref().unwrap().ip, IpAddr::V4(forged_ip));
    w.harness
        .get_by_label_contains(&format!("seen at {forged_ip} since"));
    w.harness
        .get_by_label_contains(&format!("is meter {impostor_id}, not {id}"));
    assert_eq!(m.device_id, Some(id));

    // The meter itself turns up there (a new DHCP lease): the user confirms.
    w.rt.block_on(impostor.shutdown());
    let moved = w.rt.block_on(meter_at(id, forged_ip, chosen.port()));
    // The card's buttons take their own clicks (the card is clickable too).
    w.harness.get_by_label("Rename / notes").click();
    w.harness.step();
    assert!(w.harness.state().view.edit.is_some(), "Rename opens the editor");
    w.harness.get_by_label("Use this address").click();
    w.until_online_at(id, moved.modbus, "the session at the confirmed address");
    assert_eq!(w.row(id).moved, None);
    w.rt.block_on(moved.shutdown());
}

#[test]
fn a_meter_that_moved_is_followed_once_it_proves_to_be_the_same_meter() {
    let (mut w, broker, real, id) = window_with_a_meter();
    let port = real.modbus.port();
    w.stop_meter(real, id);
    let_the_old_sighting_age();
    let new_ip = random_loopback();
    let moved = w.rt.block_on(meter_at(id, new_ip, port));
    forge_info(&w.rt, broker, id, new_ip);
    w.until_online_at(id, moved.modbus, "the session to follow the verified meter");
    assert_eq!(w.row(id).moved, None);
    w.rt.block_on(moved.shutdown());
}

#[test]
fn one_id_live_at_two_addresses_is_a_conflict_and_nothing_follows() {
    let (mut w, broker, real, id) = window_with_a_meter();
    let chosen = real.modbus;
    let forged_ip = random_loopback();
    forge_info(&w.rt, broker, id, forged_ip);
    w.until("the conflict", |app| row(app, id).is_some_and(|m| m.conflict()));
    let m = w.row(id);
    let addresses = m.addresses();
    assert!(
        addresses.contains(&chosen.ip()) && addresses.contains(&IpAddr::V4(forged_ip)),
        "{addresses:?}"
    );
    w.harness.get_by_label_contains("another device claims its id");

    // The Configuration tab says so before anything is sent.
    w.harness.state_mut().apply(je08::state::intent::Action::Page(
        je08::state::navigation::Page::Meter,
    ));
    w.harness.state_mut().apply(je08::state::intent::Action::Tab(
        je08::state::navigation::Tab::Configuration,
    ));
    w.harness.step();
    w.harness
        .get_by_label_contains("the address you chose: check that it is this meter");
    assert!(w.row(id).http_address().starts_with(&format!("{}:", chosen.ip())));

    // Even when the session loses the meter, nothing follows the claim.
    w.stop_meter(real, id);
    for _ in 0..50 {
        w.harness.step();
        std::thread::sleep(Duration::from_millis(40));
    }
    let m = w.row(id);
    assert_eq!(m.address, chosen.to_string());
    assert!(m.conflict());
    assert!(
        !matches!(
            m.moved.as_ref().map(|m| &m.check),
            Some(je08::state::whereabouts::MoveCheck::Checking)
        ),
        "no identity check while the id is in conflict"
    );
}
