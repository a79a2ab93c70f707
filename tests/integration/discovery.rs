//! Discovery end to end: mDNS on the loopback interface only (the simulator
//! advertises, the configurator browses), address-range scans, the merged
//! list, and remembered meters.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use je08_client::discovery::mdns::{MdnsBrowser, MdnsInterface};
use je08_client::discovery::{DiscoveryList, Sighting};
use je08_protocol::discovery::Advert;
use je08_protocol::mode::Mode;
use je08_protocol::readings::Version;
use je08_sim::mdns::{MdnsAdvertiser, follow};
use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, timeout};

/// Generous deadline for anything to show up over mDNS on a loaded machine.
const MDNS_DEADLINE: Duration = Duration::from_secs(30);

/// How long a browse may go without the awaited news before it is started
/// afresh. The window does the same (`backend::discovery::MDNS_REFRESH`):
/// now and then one service of a meter stays unresolved by a browse (seen
/// here: its `_http._tcp` while its `_modbus._tcp` resolved), and a fresh
/// browser's queries get it.
const BROWSE_REFRESH: Duration = Duration::from_secs(5);

/// An mDNS browser on loopback that can be started afresh.
struct Browsing {
    _browser: MdnsBrowser,
    sink: mpsc::Sender<Sighting>,
}

impl Browsing {
    fn start(sink: mpsc::Sender<Sighting>) -> Self {
        let browser = MdnsBrowser::start(&[MdnsInterface::Loopback], sink.clone()).unwrap();
        Self {
            _browser: browser,
            sink,
        }
    }

    fn refresh(&mut self) {
        self._browser = MdnsBrowser::start(&[MdnsInterface::Loopback], self.sink.clone()).unwrap();
    }
}

/// Whether a multicast datagram sent on the loopback interface comes back.
/// Sends only on loopback (IP_MULTICAST_IF 127.0.0.1, TTL 0 beyond it).
fn loopback_multicast_works() -> Result<(), String> {
    use socket2::{Domain, Protocol, Socket, Type};
    let group = Ipv4Addr::new(224, 0, 0, 251);
    let lo = Ipv4Addr::LOCALHOST;
    let receiver = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).map_err(|e| e.to_string())?;
    receiver.set_reuse_address(true).map_err(|e| e.to_string())?;
    receiver
        .bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)).into())
        .map_err(|e| format!("bind: {e}"))?;
    receiver
        .join_multicast_v4(&group, &lo)
        .map_err(|e| format!("join {group} on lo: {e}"))?;
    let receiver: UdpSocket = receiver.into();
    let port = receiver.local_addr().map_err(|e| e.to_string())?.port();
    receiver
        .set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| e.to_string())?;
    let sender = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).map_err(|e| e.to_string())?;
    sender
        .set_multicast_if_v4(&lo)
        .map_err(|e| format!("multicast interface lo: {e}"))?;
    sender.set_multicast_ttl_v4(0).map_err(|e| e.to_string())?;
    sender.set_multicast_loop_v4(true).map_err(|e| e.to_string())?;
    sender
        .send_to(b"je08-probe", &SocketAddr::from((group, port)).into())
        .map_err(|e| format!("send: {e}"))?;
    let mut buf = [0u8; 32];
    match receiver.recv_from(&mut buf) {
        Ok((n, _)) if &buf[..n] == b"je08-probe" => Ok(()),
        Ok(_) => Err("unexpected datagram".into()),
        Err(e) => Err(format!("nothing came back: {e}")),
    }
}

/// True when the mDNS tests can run; otherwise says why on stderr.
pub(super) fn mdns_available(test: &str) -> bool {
    match loopback_multicast_works() {
        Ok(()) => true,
        Err(why) => {
            eprintln!("SKIPPED {test}: multicast on the loopback interface is unavailable ({why})");
            false
        }
    }
}

/// A device id unlikely to collide with another test process browsing the same loopback.
pub(super) fn random_id() -> u32 {
    rand::random_range(10_000_000..4_000_000_000)
}

/// A loopback address other than 127.0.0.1, distinct per call.
pub(super) fn random_loopback() -> Ipv4Addr {
    Ipv4Addr::new(127, rand::random_range(1..=254), rand::random_range(1..=254), 2)
}

/// Run `je08 discover --json ARGS` with its remembered meters in
/// `data_dir`; checks it succeeded and returns its rows and its stderr.
pub(super) async fn discover_json<I, S>(
    args: I,
    data_dir: &std::path::Path,
) -> (Vec<serde_json::Value>, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
            .args(["discover", "--json"])
            .args(args)
            .env("JE08_DATA_DIR", data_dir)
            .output(),
    )
    .await
    .expect("je08 discover finishes")
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    (rows.as_array().unwrap().clone(), stderr)
}

/// The row of meter `id` among `rows`.
pub(super) fn row_of(rows: &[serde_json::Value], id: u32) -> &serde_json::Value {
    rows.iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("meter {id} not listed: {rows:?}"))
}

fn advert(id: u32, mode: Mode) -> Advert {
    Advert {
        id,
        mac: "5C:CF:7F:00:00:01".into(),
        mode,
        firmware: Version(301),
        name: format!("Test meter {id}"),
        modbus_enabled: true,
        http_port: Some(18080),
        modbus_port: 11502,
        ota_port: Some(18266),
    }
}

/// Fold sightings into `list` until `done` holds for it, within
/// [`MDNS_DEADLINE`], starting the browse afresh every [`BROWSE_REFRESH`]
/// without it.
async fn wait_for(
    list: &mut DiscoveryList,
    (browsing, sightings): (&mut Browsing, &mut mpsc::Receiver<Sighting>),
    what: &str,
    done: impl Fn(&DiscoveryList) -> bool,
) {
    let deadline = Instant::now() + MDNS_DEADLINE;
    let mut refresh_at = Instant::now() + BROWSE_REFRESH;
    while !done(list) {
        let now = Instant::now();
        if now >= deadline {
            panic!("not seen within {MDNS_DEADLINE:?}: {what}; list: {list:#?}");
        }
        if now >= refresh_at {
            browsing.refresh();
            refresh_at = now + BROWSE_REFRESH;
        }
        match timeout(refresh_at.min(deadline) - now, sightings.recv()).await {
            Ok(Some(sighting)) => {
                list.apply(sighting);
            }
            Ok(None) => panic!("browser stopped while waiting for {what}"),
            Err(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mdns_on_loopback_follows_mode_and_address_and_is_withdrawn() {
    if !mdns_available("mdns_on_loopback_follows_mode_and_address_and_is_withdrawn") {
        return;
    }
    let id = random_id();
    let ip = random_loopback();
    let advertiser = MdnsAdvertiser::loopback().unwrap();
    let (state, state_rx) = watch::channel(advert(id, Mode::Application));
    let follower = tokio::spawn(follow(
        Arc::clone(&advertiser),
        state_rx,
        std::future::pending(),
        move |a: &Advert| Some((ip, a.clone())),
    ));

    let (sink, mut sightings) = mpsc::channel(256);
    let mut browsing = Browsing::start(sink);
    let mut list = DiscoveryList::default();
    wait_for(
        &mut list,
        (&mut browsing, &mut sightings),
        "application-mode adverts",
        |l| {
            l.get(id)
                .is_some_and(|e| e.ports.http.is_some() && e.ports.modbus.is_some())
        },
    )
    .await;
    let entry = list.get(id).unwrap();
    assert_eq!(entry.current_ip, Some(IpAddr::V4(ip)));
    assert_eq!(entry.mode, Some(Mode::Application));
    assert_eq!(entry.firmware, Some(Version(301)));
    assert_eq!(entry.name.as_deref(), Some(format!("Test meter {id}").as_str()));
    assert_eq!(entry.mac.as_deref(), Some("5C:CF:7F:00:00:01"));
    assert_eq!(entry.host.as_deref(), Some(format!("je08-{id}.local.").as_str()));
    assert_eq!((entry.ports.http, entry.ports.modbus), (Some(18080), Some(11502)));

    state.send_modify(|a| a.mode = Mode::Update);
    wait_for(
        &mut list,
        (&mut browsing, &mut sightings),
        "update mode with the OTA service",
        |l| {
            l.get(id)
                .is_some_and(|e| e.mode == Some(Mode::Update) && e.ports.ota == Some(18266))
        },
    )
    .await;
    state.send_modify(|a| a.mode = Mode::Configuration);
    wait_for(
        &mut list,
        (&mut browsing, &mut sightings),
        "configuration mode",
        |l| l.get(id).is_some_and(|e| e.mode == Some(Mode::Configuration)),
    )
    .await;

    // A new DHCP lease: the same meter at another address stays one row.
    let moved = random_loopback();
    advertiser
        .publish(moved, &advert(id, Mode::Application))
        .await
        .unwrap();
    wait_for(
        &mut list,
        (&mut browsing, &mut sightings),
        "the new address",
        |l| l.get(id).is_some_and(|e| e.current_ip == Some(IpAddr::V4(moved))),
    )
    .await;
    let entry = list.get(id).unwrap();
    let addresses: Vec<IpAddr> = entry.addresses.iter().map(|a| a.ip).collect();
    assert!(addresses.contains(&IpAddr::V4(ip)), "{addresses:?}");
    assert_eq!(list.entries().filter(|e| e.id == id).count(), 1);

    // Stopping the meter withdraws its advert (goodbye packets).
    let watcher = ServiceDaemon::new().unwrap();
    watcher.disable_interface(IfKind::All).unwrap();
    watcher.enable_interface(IfKind::LoopbackV4).unwrap();
    let http = "_http._tcp.local.";
    let mut events = watcher.browse(http).unwrap();
    let fullname = format!("je08-{id}._http._tcp.local.");
    let deadline = Instant::now() + MDNS_DEADLINE;
    let mut refresh_at = Instant::now() + BROWSE_REFRESH;
    let mut resolved = false;
    while !resolved {
        let now = Instant::now();
        assert!(now < deadline, "watcher never resolved {fullname}");
        if now >= refresh_at {
            // Started afresh, as `wait_for` does.
            let _ = watcher.stop_browse(http);
            events = watcher.browse(http).unwrap();
            refresh_at = now + BROWSE_REFRESH;
        }
        match timeout(refresh_at.min(deadline) - now, events.recv_async()).await {
            Ok(Ok(ServiceEvent::ServiceResolved(s))) => resolved = s.fullname == fullname,
            Ok(Ok(_)) | Err(_) => {}
            Ok(Err(e)) => panic!("watcher stopped: {e}"),
        }
    }
    drop(state);
    follower.await.unwrap();
    loop {
        match timeout(deadline - Instant::now(), events.recv_async()).await {
            Ok(Ok(ServiceEvent::ServiceRemoved(_, name))) if name == fullname => break,
            Ok(Ok(_)) => {}
            other => panic!("{fullname} was not withdrawn: {other:?}"),
        }
    }
    let _ = watcher.shutdown();
    advertiser.shutdown().await;
}

// ---------------------------------------------------------------------------
// With the simulator: range scans, and one meter seen by every source.

use std::collections::BTreeSet;

use futures::StreamExt as _;
use je08_client::discovery::Source;
use je08_client::discovery::mqtt::forward_monitor;
use je08_client::discovery::scan::{ScanOptions, scan};
use je08_client::mqtt::{Monitor, MonitorOptions};
use je08_net::mqtt_link::{BrokerLogin, LinkOptions};
use je08_protocol::discovery::ScanRange;
use je08_sim::mqtt::SimMqttOptions;
use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};

use crate::mqtt::{BrokerSetup, Mosquitto};

/// Scan options for a loaded test machine: refused ports answer at once
/// anyway, so a long per-host deadline costs nothing.
const TEST_SCAN: ScanOptions = ScanOptions {
    concurrency: 64,
    per_host: Duration::from_secs(3),
};

/// Meters `first_id`, `first_id + 1`, … on `ips`, all on one Modbus port.
async fn meters_on_one_port(ips: &[Ipv4Addr], first_id: u32) -> (Vec<SimMeter>, u16) {
    'attempt: for _ in 0..20 {
        let mut meters = Vec::new();
        let mut port = 0;
        for (index, ip) in ips.iter().enumerate() {
            let mut options = MeterOptions::scenario(first_id + index as u32, Scenario::Balanced);
            options.bind = IpAddr::V4(*ip);
            options.modbus_port = port;
            match spawn_meter(options).await {
                Ok(meter) => {
                    port = meter.modbus.port();
                    meters.push(meter);
                }
                Err(_) => {
                    for meter in meters {
                        meter.shutdown().await;
                    }
                    continue 'attempt;
                }
            }
        }
        return (meters, port);
    }
    panic!("no Modbus port free on every one of {ips:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_24_scan_finds_exactly_the_meters() {
    let ips: Vec<Ipv4Addr> = (2..=6).map(|last| Ipv4Addr::new(127, 0, 0, last)).collect();
    let first_id = random_id();
    let (meters, port) = meters_on_one_port(&ips, first_id).await;
    let range: ScanRange = format!("127.0.0.0/24:{port}").parse().unwrap();
    let started = Instant::now();
    let found: Vec<Sighting> = scan(range, TEST_SCAN).collect().await;
    eprintln!(
        "scan of {range} ({} addresses): {} meters in {:?}",
        range.host_count(),
        found.len(),
        started.elapsed()
    );
    let got: BTreeSet<(IpAddr, u32)> = found.iter().map(|s| (s.ip.unwrap(), s.id)).collect();
    let expected: BTreeSet<(IpAddr, u32)> = ips
        .iter()
        .zip(first_id..)
        .map(|(ip, id)| (IpAddr::V4(*ip), id))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(found.len(), 5, "one answer per meter");
    for sighting in &found {
        assert_eq!(sighting.source, Source::Scan);
        assert_eq!(sighting.ports.modbus, Some(port));
        assert_eq!(sighting.mode, Some(Mode::Application));
        assert_eq!(sighting.firmware, Some(Version(300)));
    }
    for meter in meters {
        meter.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_meter_seen_by_mdns_scan_and_mqtt_is_one_entry_that_follows_its_mode() {
    if !mdns_available("one_meter_seen_by_mdns_scan_and_mqtt_is_one_entry_that_follows_its_mode") {
        return;
    }
    let broker = Mosquitto::start(&BrokerSetup::default());
    let advertiser = MdnsAdvertiser::loopback().unwrap();
    let id = random_id();
    let ip = random_loopback();
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.bind = IpAddr::V4(ip);
    options.device.reboot_delay = Duration::from_millis(200);
    options.http_port = Some(0);
    options.mdns = Some(Arc::clone(&advertiser));
    let mut mqtt = SimMqttOptions::new(BrokerLogin::anonymous(broker.url(false)));
    mqtt.interval = Duration::from_secs(1);
    options.mqtt = Some(mqtt);
    let meter = spawn_meter(options).await.unwrap();

    let (sink, mut sightings) = mpsc::channel(256);
    let mut browsing = Browsing::start(sink.clone());
    let link = LinkOptions::builder(
        BrokerLogin::anonymous(broker.url(false)),
        format!("discovery-test-{id}"),
    )
    .build()
    .unwrap();
    let monitor = Monitor::start(MonitorOptions::new(link));
    tokio::spawn(forward_monitor(monitor.subscribe(), sink.clone()));
    let range: ScanRange = format!("{ip}:{}", meter.modbus.port()).parse().unwrap();
    let scan_sink = sink.clone();
    tokio::spawn(async move {
        let mut found = std::pin::pin!(scan(range, TEST_SCAN));
        while let Some(sighting) = found.next().await {
            let _ = scan_sink.send(sighting).await;
        }
    });

    let mut list = DiscoveryList::default();
    wait_for(
        &mut list,
        (&mut browsing, &mut sightings),
        "mdns, scan and mqtt sightings",
        |l| {
            l.get(id).is_some_and(|e| {
                [Source::Mdns, Source::Scan, Source::Mqtt]
                    .iter()
                    .all(|s| e.sources.contains_key(s))
            })
        },
    )
    .await;
    let entry = list.get(id).unwrap();
    assert_eq!(list.entries().filter(|e| e.id == id).count(), 1);
    assert_eq!(entry.current_ip, Some(IpAddr::V4(ip)));
    assert_eq!(entry.addresses.len(), 1, "{:?}", entry.addresses);
    assert_eq!(
        entry.addresses[0].sources,
        BTreeSet::from([Source::Mdns, Source::Scan])
    );
    assert_eq!(entry.mode, Some(Mode::Application));
    assert_eq!(entry.ports.modbus, Some(meter.modbus.port()));
    assert_eq!(entry.firmware, Some(Version(300)));

    // A reboot into configuration mode: the advert follows, the row stays one.
    meter.device.reboot(Mode::Configuration);
    wait_for(
        &mut list,
        (&mut browsing, &mut sightings),
        "configuration mode over mDNS",
        |l| l.get(id).is_some_and(|e| e.mode == Some(Mode::Configuration)),
    )
    .await;
    let http = meter.http.expect("HTTP served");
    assert_eq!(list.get(id).unwrap().ports.http, Some(http.port()));
    assert_eq!(
        list.len(),
        list.entries().map(|e| e.id).collect::<BTreeSet<_>>().len()
    );

    meter.shutdown().await;
    advertiser.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_command_lists_a_scanned_meter_with_its_remembered_name_despite_a_damaged_file() {
    let id = random_id();
    let ip = random_loopback();
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.bind = IpAddr::V4(ip);
    let meter = spawn_meter(options).await.unwrap();

    let dir = std::env::temp_dir().join(format!("je08-discover-{id}"));
    std::fs::create_dir_all(&dir).unwrap();
    let store = dir.join("meters.json");
    // A truncated file: the first entry is whole, the second cut off.
    let damaged = format!(
        "{{\"format\":\"je08-meters\",\"version\":1,\"meters\":[\n\
         {{\"id\":{id},\"name\":\"Feeder 2\",\"notes\":\"panel B\"}},\n{{\"id\":77,\"na"
    );
    std::fs::write(&store, &damaged).unwrap();

    let scan = format!("{ip}/32:{}", meter.modbus.port());
    let (rows, stderr) = discover_json(["--no-mdns", "--scan", &scan], &dir).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["id"], id);
    assert_eq!(rows[0]["remembered_name"], "Feeder 2");
    assert_eq!(rows[0]["notes"], "panel B");
    assert_eq!(rows[0]["current_ip"], ip.to_string());
    assert!(rows[0]["sources"]["scan"].is_string());
    assert!(stderr.contains("damaged"), "{stderr}");

    let set_aside: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("meters.json.corrupt-"))
        .collect();
    assert_eq!(set_aside.len(), 1);
    assert_eq!(std::fs::read_to_string(&set_aside[0]).unwrap(), damaged);
    let (kept, recovery) = je08_client::store::meters::MeterStore::open(store).unwrap();
    assert!(recovery.is_none(), "the salvaged file was saved back");
    let remembered = kept.get(id).unwrap();
    assert_eq!(remembered.addresses, [IpAddr::V4(ip)], "last address recorded");

    meter.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_and_discover_commands_meet_over_loopback_mdns() {
    if !mdns_available("sim_and_discover_commands_meet_over_loopback_mdns") {
        return;
    }
    use tokio::io::{AsyncBufReadExt as _, BufReader};
    let first_id = random_id();
    let mut sim = tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["sim", "--count", "2", "--mdns", "--modbus-port", "0"])
        .args(["--http-port", "0", "--ota-port", "0", "--id"])
        .arg(first_id.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(sim.stdout.take().unwrap()).lines();
    for _ in 0..2 {
        let line = timeout(MDNS_DEADLINE, lines.next_line())
            .await
            .expect("ready line in time")
            .unwrap()
            .expect("a ready line");
        assert!(line.contains("\"ready\""), "{line}");
    }

    let data_dir = std::env::temp_dir().join(format!("je08-d-{first_id}"));
    let (rows, _) = discover_json(["--mdns-interface", "lo", "--timeout", "5"], &data_dir).await;
    for (id, last) in [(first_id, 2), (first_id + 1, 3)] {
        let row = row_of(&rows, id);
        assert_eq!(row["current_ip"], format!("127.0.0.{last}"));
        assert_eq!(row["mode"], "application");
        assert!(row["sources"]["mdns"].is_string());
        assert!(row["ports"]["http"].is_u64() && row["ports"]["modbus"].is_u64());
    }
    let _ = sim.start_kill();
    let _ = sim.wait().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_command_finds_a_meter_publishing_on_a_broker() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let id = random_id();
    let ip = random_loopback();
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.bind = IpAddr::V4(ip);
    let mut mqtt = SimMqttOptions::new(BrokerLogin::anonymous(broker.url(false)));
    mqtt.interval = Duration::from_secs(1);
    options.mqtt = Some(mqtt);
    let meter = spawn_meter(options).await.unwrap();

    let data_dir = std::env::temp_dir().join(format!("je08-dm-{id}"));
    let url = broker.url(false).to_string();
    let (rows, _) = discover_json(["--no-mdns", "--timeout", "4", "--broker", &url], &data_dir).await;
    let row = row_of(&rows, id);
    assert!(row["sources"]["mqtt"].is_string(), "{row}");
    assert_eq!(row["mode"], "application");

    // A broker nobody listens on: a warning, no rows, still a clean exit.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["discover", "--no-mdns", "--timeout", "1", "--json", "--broker"])
        .arg(format!("mqtt://{dead}"))
        .env(
            "JE08_DATA_DIR",
            std::env::temp_dir().join(format!("je08-dm-{id}")),
        )
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the MQTT broker was not reached"), "{stderr}");
    meter.shutdown().await;
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("je08-dm-{id}")));
}

/// A meter found by a scan while a forged MQTT INFO packet claims its id
/// at another address: `je08 discover --json` marks the row as a conflict
/// with both addresses, and a meter seen at one address is no conflict.
#[tokio::test]
async fn discover_marks_an_id_claimed_at_two_addresses_as_a_conflict() {
    use je08_protocol::mqtt::InfoPacket;
    use rumqttc::QoS;
    let broker = je08_sim::broker::start_embedded_broker(0).await.unwrap();
    let (id, other_id) = (random_id(), random_id());
    let ip = random_loopback();
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.bind = IpAddr::V4(ip);
    let meter = spawn_meter(options).await.unwrap();
    let mut options = MeterOptions::scenario(other_id, Scenario::Balanced);
    options.bind = IpAddr::V4(ip);
    let neighbour = spawn_meter(options).await.unwrap();
    let forged_ip = random_loopback();
    let (client, _) = super::mqtt::raw_client(broker.port(), None).await;
    let payload = InfoPacket {
        name: "rogue".into(),
        ip: forged_ip,
        mac: "5C:CF:7F:66:66:66".into(),
        devtype: "JE08".into(),
        subtype: "WATT METER".into(),
        version: Version(300),
    }
    .encode();
    let forger = tokio::spawn(async move {
        loop {
            let _ = client
                .publish(format!("je08/{id}/data"), QoS::AtMostOnce, false, payload.clone())
                .await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let dir = std::env::temp_dir().join(format!("je08-conflict-{id}"));
    std::fs::create_dir_all(&dir).unwrap();
    let args = [
        "--no-mdns".to_owned(),
        "--timeout".into(),
        "3".into(),
        "--broker".into(),
        format!("mqtt://{broker}"),
        "--scan".into(),
        format!("{ip}/32:{}", meter.modbus.port()),
        "--scan".into(),
        format!("{ip}/32:{}", neighbour.modbus.port()),
    ];
    let (rows, stderr) = discover_json(args, &dir).await;
    forger.abort();
    let claimed = row_of(&rows, id);
    assert_eq!(claimed["conflict"], true, "{claimed}");
    let addresses: Vec<&str> = claimed["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ip"].as_str().unwrap())
        .collect();
    assert!(
        addresses.contains(&ip.to_string().as_str()) && addresses.contains(&forged_ip.to_string().as_str()),
        "{addresses:?}"
    );
    assert_eq!(row_of(&rows, other_id)["conflict"], false);
    assert!(
        stderr.contains(&format!("meter {id} is seen at")) && stderr.contains("another device claims its id"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    meter.shutdown().await;
    neighbour.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mdns_advert_moves_from_the_access_point_to_the_lease() {
    use crate::sim_wifi::{PLANT_PASSWORD, commission, factory_options};
    if !mdns_available("mdns_advert_moves_from_the_access_point_to_the_lease") {
        return;
    }
    let advertiser = MdnsAdvertiser::loopback().unwrap();
    let [_, b, c, _] = random_loopback().octets();
    let (ap, lease) = (
        IpAddr::V4(Ipv4Addr::new(127, b, c, 2)),
        IpAddr::V4(Ipv4Addr::new(127, b, c, 3)),
    );
    let id = random_id();
    let mut options = factory_options(id, ap, lease);
    options.mdns = Some(Arc::clone(&advertiser));
    let meter = je08_sim::spawn_meter(options).await.unwrap();

    let (sink, mut sightings) = mpsc::channel(256);
    let mut browsing = Browsing::start(sink);
    let mut list = DiscoveryList::default();
    wait_for(
        &mut list,
        (&mut browsing, &mut sightings),
        "the access point's advert",
        |l| l.get(id).is_some_and(|e| e.current_ip == Some(ap)),
    )
    .await;
    commission(&meter, ap, PLANT_PASSWORD, None).await;
    wait_for(
        &mut list,
        (&mut browsing, &mut sightings),
        "the advert at the lease in application mode",
        |l| {
            l.get(id)
                .is_some_and(|e| e.current_ip == Some(lease) && e.mode == Some(Mode::Application))
        },
    )
    .await;
    meter.shutdown().await;
    advertiser.shutdown().await;
}
