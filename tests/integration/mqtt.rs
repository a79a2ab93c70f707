//! MQTT against a real Mosquitto: each test starts its own broker on a free
//! loopback port with a generated configuration (anonymous, password file,
//! TLS server-only or with client certificates), and kills it on drop.

use je08_net::backoff::BackoffPolicy;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use je08_client::mqtt::{Monitor, MonitorEvent, MonitorOptions};
use je08_net::certs::PemFile;
use je08_net::mqtt_link::{BrokerLogin, LinkError, LinkOptions, LinkTiming, Password, TlsFiles};
use je08_protocol::codec::RegisterBlock;
use je08_protocol::mqtt::{BrokerUrl, Command as MqttCommand, InfoPacket, encode_data};
use je08_protocol::readings::Version;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    date_time_ymd,
};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use tokio::sync::mpsc;

/// Generous deadline for anything that should happen "soon" on a loaded
/// 2-core CI machine.
pub const SOON: Duration = Duration::from_secs(20);

/// Poll `cond` until it holds or `SOON` passes.
pub async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + SOON;
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "je08-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a test broker authenticates clients.
#[derive(Clone, Default)]
pub struct BrokerSetup {
    /// `user:password` required (password file).
    pub password: Option<(String, String)>,
    /// TLS: CA, server certificate and key (PEM text).
    pub tls: Option<(String, String, String)>,
    /// Require a client certificate signed by the CA.
    pub require_certificate: bool,
}

/// A Mosquitto process; killed on drop.
pub struct Mosquitto {
    pub port: u16,
    child: Child,
    dir: TempDir,
    config: PathBuf,
}

/// A loopback TCP port that was free a moment ago (nothing listens on it).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl Mosquitto {
    /// Start a broker on a free port and wait until it accepts connections.
    pub fn start(setup: &BrokerSetup) -> Self {
        let broker = Self::configure(free_port(), setup);
        broker.wait_ready();
        broker
    }

    /// Write the configuration for `port` and start the process.
    fn configure(port: u16, setup: &BrokerSetup) -> Self {
        let dir = TempDir::new("mosquitto");
        let mut conf = format!("listener {port} 127.0.0.1\npersistence false\nuser root\n");
        match &setup.password {
            None => conf.push_str("allow_anonymous true\n"),
            Some((user, password)) => {
                let file = dir.0.join("passwd");
                let status = Command::new("mosquitto_passwd")
                    .args(["-b", "-c"])
                    .arg(&file)
                    .args([user, password])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("mosquitto_passwd");
                assert!(status.success());
                conf.push_str(&format!(
                    "allow_anonymous false\npassword_file {}\n",
                    file.display()
                ));
            }
        }
        if let Some((ca, cert, key)) = &setup.tls {
            conf.push_str(&format!(
                "cafile {}\ncertfile {}\nkeyfile {}\n",
                dir.write("ca.pem", ca).display(),
                dir.write("server.pem", cert).display(),
                dir.write("server.key", key).display()
            ));
            if setup.require_certificate {
                conf.push_str("require_certificate true\n");
            }
        }
        let config = dir.write("mosquitto.conf", &conf);
        let child = Self::spawn(&config, &dir.0);
        Self {
            port,
            child,
            dir,
            config,
        }
    }

    fn spawn(config: &Path, dir: &Path) -> Child {
        let log = std::fs::File::create(dir.join("log")).unwrap();
        Command::new("/usr/sbin/mosquitto")
            .arg("-c")
            .arg(config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start /usr/sbin/mosquitto")
    }

    fn wait_ready(&self) {
        let end = Instant::now() + SOON;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < end,
                "mosquitto did not start: {}",
                std::fs::read_to_string(self.dir.0.join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stop the broker (the port is closed when this returns).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Start it again on the same port with the same configuration.
    pub fn restart(&mut self) {
        self.stop();
        self.child = Self::spawn(&self.config, &self.dir.0);
        self.wait_ready();
    }

    /// What the broker logged so far (connections, disconnections, errors).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.0.join("log")).unwrap_or_default()
    }

    pub fn url(&self, tls: bool) -> BrokerUrl {
        let scheme = if tls { "mqtts" } else { "mqtt" };
        format!("{scheme}://127.0.0.1:{}", self.port).parse().unwrap()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A test PKI: one CA, and certificates it signs.
pub struct Pki {
    pub ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_pem = params.self_signed(&key).unwrap().pem();
        Self {
            ca_pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// (certificate, key) for the broker at 127.0.0.1, optionally expired.
    pub fn server(&self, expired: bool) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, "test broker");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if expired {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2021, 1, 1);
        }
        (
            params.signed_by(&key, &self.issuer).unwrap().pem(),
            key.serialize_pem(),
        )
    }

    /// (certificate, key) for a broker whose certificate names only `names`.
    pub fn server_named(&self, names: &[&str]) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let names = names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        (
            params.signed_by(&key, &self.issuer).unwrap().pem(),
            key.serialize_pem(),
        )
    }

    /// (certificate, key) for a client.
    pub fn client(&self) -> (String, String) {
        self.client_with(false)
    }

    /// (certificate, key) for a client, optionally expired.
    pub fn client_with(&self, expired: bool) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "je08 client");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        if expired {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2021, 1, 1);
        }
        (
            params.signed_by(&key, &self.issuer).unwrap().pem(),
            key.serialize_pem(),
        )
    }

    /// Broker setup with TLS from this PKI.
    pub fn broker(&self, expired: bool, require_certificate: bool) -> BrokerSetup {
        let (cert, key) = self.server(expired);
        BrokerSetup {
            tls: Some((self.ca_pem.clone(), cert, key)),
            require_certificate,
            ..BrokerSetup::default()
        }
    }
}

/// Quick reconnects, for tests.
pub fn quick() -> LinkTiming {
    LinkTiming {
        reconnect: BackoffPolicy {
            initial: Duration::from_millis(100),
            cap: Duration::from_secs(2),
            jitter: true,
        },
        ..LinkTiming::default()
    }
}

/// Options for a test client of `login` with a random id and quick backoff.
pub fn link_as(login: BrokerLogin) -> LinkOptions {
    LinkOptions::builder(login, format!("test-{:08x}", rand::random::<u32>()))
        .timing(quick())
        .build()
        .expect("usable options")
}

/// Options for an anonymous test client of `url` (see [`link_as`]).
pub fn link(url: BrokerUrl) -> LinkOptions {
    link_as(BrokerLogin::anonymous(url))
}

/// TLS material from PEM text: a CA and an optional client identity.
pub fn tls(ca: &str, identity: Option<&(String, String)>) -> TlsFiles {
    let identity = identity.map(|(c, k)| {
        (
            PemFile::new("client.pem", c.as_bytes()),
            PemFile::new("client.key", k.as_bytes()),
        )
    });
    TlsFiles::new(PemFile::new("ca.pem", ca.as_bytes()), identity).expect("usable TLS files")
}

/// A login to `url` over TLS with `files`.
pub fn tls_login(url: BrokerUrl, files: TlsFiles) -> BrokerLogin {
    let mut login = BrokerLogin::anonymous(url);
    login.credentials.tls = Some(files);
    login
}

/// A plain rumqttc client standing in for a meter or a tool; its incoming
/// publishes arrive on the returned channel.
pub async fn raw_client(
    port: u16,
    subscribe: Option<&str>,
) -> (AsyncClient, mpsc::UnboundedReceiver<(String, Vec<u8>)>) {
    let opts = MqttOptions::new(format!("raw-{:08x}", rand::random::<u32>()), "127.0.0.1", port);
    let (client, mut eventloop) = AsyncClient::new(opts, 64);
    let (tx, rx) = mpsc::unbounded_channel();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
    if let Some(filter) = subscribe {
        client.subscribe(filter, QoS::AtLeastOnce).await.unwrap();
    }
    let subscribing = subscribe.is_some();
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let _ = tx.send((p.topic.clone(), p.payload.to_vec()));
                }
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    let _ = ready_tx.send(());
                }
                Ok(Event::Incoming(Packet::ConnAck(_))) if !subscribing => {
                    let _ = ready_tx.send(());
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    tokio::time::timeout(SOON, ready_rx.recv())
        .await
        .expect("raw client ready");
    (client, rx)
}

pub async fn next_event(
    events: &mut tokio::sync::broadcast::Receiver<MonitorEvent>,
    mut want: impl FnMut(&MonitorEvent) -> bool,
) -> MonitorEvent {
    tokio::time::timeout(SOON, async {
        loop {
            match events.recv().await {
                Ok(e) if want(&e) => return e,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
    })
    .await
    .expect("event in time")
}

#[tokio::test]
async fn monitor_decodes_data_info_and_counts_malformed() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let monitor = Monitor::start(MonitorOptions::new(link(broker.url(false))));
    let mut events = monitor.subscribe();
    eventually("monitor connected", || monitor.connected()).await;
    let (meter, _) = raw_client(broker.port, None).await;

    let mut block = RegisterBlock::default();
    block.set(61, 221);
    block.set(87, 6001);
    block.set_integer(49, 123_456);
    meter
        .publish("je08/42/data", QoS::AtMostOnce, false, encode_data(&block))
        .await
        .unwrap();
    let MonitorEvent::Data { id, sample, .. } =
        next_event(&mut events, |e| matches!(e, MonitorEvent::Data { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(id, "42");
    assert_eq!(sample.data.measurements.voltage_v.a, 221.0);
    assert_eq!(sample.data.measurements.frequency_hz, 60.01);
    assert_eq!(sample.data.measurements.energy_kwh.total, 12_345.6);

    // The manual's INFO, with its unquoted MAC.
    let manual_info = r#"{"INFO":{"DEVNAME":"QGBT","DEVIP":"10.0.0.7","DEVMAC":AA:BB:CC:DD:EE:FF,"DEVTYPE":"JE08","DEVSUBTYPE":"WATT METER","VERSION":"03.00"}}"#;
    meter
        .publish("je08/42/data", QoS::AtLeastOnce, false, manual_info)
        .await
        .unwrap();
    let MonitorEvent::Info { info, .. } =
        next_event(&mut events, |e| matches!(e, MonitorEvent::Info { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        info,
        InfoPacket {
            name: "QGBT".into(),
            ip: "10.0.0.7".parse().unwrap(),
            mac: "AA:BB:CC:DD:EE:FF".into(),
            devtype: "JE08".into(),
            subtype: "WATT METER".into(),
            version: Version(300),
        }
    );
    for _ in 0..20 {
        meter
            .publish("je08/43/data", QoS::AtLeastOnce, false, "not json")
            .await
            .unwrap();
    }
    eventually("malformed counted", || monitor.counters().malformed == 20).await;
    let views = monitor.meters();
    assert_eq!(
        views.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        ["42", "43"]
    );
    assert_eq!(views[1].malformed, 20);
    assert!(views[0].info.is_some() && views[0].latest.is_some());
}

#[tokio::test]
async fn commands_go_to_the_meter_topic_with_qos1() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let (_meter, mut inbox) = raw_client(broker.port, Some("je08/77/cmd")).await;
    let monitor = Monitor::start(MonitorOptions::new(link(broker.url(false))));
    monitor.wait_connected(SOON).await.unwrap();
    for command in MqttCommand::ALL {
        monitor.send("77", command.clone(), SOON).await.unwrap();
        let (topic, payload) = tokio::time::timeout(SOON, inbox.recv()).await.unwrap().unwrap();
        assert_eq!(topic, "je08/77/cmd");
        assert_eq!(payload, command.payload().as_bytes());
    }
}

#[tokio::test]
async fn tls_server_only_and_with_client_certificate() {
    let pki = Pki::new("fleet CA");
    let broker = Mosquitto::start(&pki.broker(false, false));
    let opts = link_as(tls_login(broker.url(true), tls(&pki.ca_pem, None)));
    let monitor = Monitor::start(MonitorOptions::new(opts));
    monitor.wait_connected(SOON).await.unwrap();

    let strict = Mosquitto::start(&pki.broker(false, true));
    let identity = pki.client();
    let opts = link_as(tls_login(strict.url(true), tls(&pki.ca_pem, Some(&identity))));
    let monitor = Monitor::start(MonitorOptions::new(opts));
    monitor.wait_connected(SOON).await.unwrap();
    assert_eq!(monitor.counters().reconnects, 0);
}

/// Configuration errors wait the full (test) cap of 2 s, jittered into
/// 1–2 s: at most 4 attempts fit in the 3 s window. A hot loop makes
/// hundreds.
const MAX_SLOW_ATTEMPTS: u64 = 4;

/// Start a monitor that cannot connect; return its first error and the
/// number of attempts it made over 3 s.
async fn failing(opts: LinkOptions) -> (LinkError, u64) {
    let monitor = Monitor::start(MonitorOptions::new(opts));
    let mut events = monitor.subscribe();
    let MonitorEvent::Down { error, .. } =
        next_event(&mut events, |e| matches!(e, MonitorEvent::Down { .. })).await
    else {
        unreachable!()
    };
    // An observation window, not synchronisation: count attempts over 3 s.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!monitor.connected());
    (error, monitor.counters().reconnects)
}

#[tokio::test]
async fn wrong_ca_is_specific_and_not_a_hot_loop() {
    let pki = Pki::new("fleet CA");
    let other = Pki::new("some other CA");
    let broker = Mosquitto::start(&pki.broker(false, false));
    let opts = link_as(tls_login(broker.url(true), tls(&other.ca_pem, None)));
    let (error, attempts) = failing(opts).await;
    assert!(matches!(error, LinkError::UnknownCa(_)), "{error:?}");
    assert!(attempts <= MAX_SLOW_ATTEMPTS, "{attempts} attempts in 3 s");
}

#[tokio::test]
async fn expired_broker_certificate_is_specific_and_not_a_hot_loop() {
    let pki = Pki::new("fleet CA");
    let expired = Mosquitto::start(&pki.broker(true, false));
    let opts = link_as(tls_login(expired.url(true), tls(&pki.ca_pem, None)));
    let (error, attempts) = failing(opts).await;
    assert!(matches!(error, LinkError::BrokerCertExpired(_)), "{error:?}");
    assert!(attempts <= MAX_SLOW_ATTEMPTS, "{attempts} attempts in 3 s");
}

#[tokio::test]
async fn missing_client_certificate_is_specific_and_not_a_hot_loop() {
    let pki = Pki::new("fleet CA");
    let strict = Mosquitto::start(&pki.broker(false, true));
    let opts = link_as(tls_login(strict.url(true), tls(&pki.ca_pem, None)));
    let (error, attempts) = failing(opts).await;
    assert!(matches!(error, LinkError::ClientCertRejected { .. }), "{error:?}");
    assert!(attempts <= MAX_SLOW_ATTEMPTS, "{attempts} attempts in 3 s");
}

#[tokio::test]
async fn expired_client_certificate_is_rejected_specifically_and_not_a_hot_loop() {
    let pki = Pki::new("fleet CA");
    let strict = Mosquitto::start(&pki.broker(false, true));
    let opts = link_as(tls_login(
        strict.url(true),
        tls(&pki.ca_pem, Some(&pki.client_with(true))),
    ));
    let (error, attempts) = failing(opts).await;
    assert!(matches!(error, LinkError::ClientCertRejected { .. }), "{error:?}");
    assert!(attempts <= MAX_SLOW_ATTEMPTS, "{attempts} attempts in 3 s");
}

#[tokio::test]
async fn bad_password_is_specific_and_not_a_hot_loop() {
    let guarded = Mosquitto::start(&BrokerSetup {
        password: Some(("op".into(), "right".into())),
        ..BrokerSetup::default()
    });
    let as_op = |password: &str| {
        let mut login = BrokerLogin::anonymous(guarded.url(false));
        login.credentials.user = Some("op".into());
        login.credentials.password = Some(Password::new(password));
        link_as(login)
    };
    let (error, attempts) = failing(as_op("wrong")).await;
    assert!(
        matches!(error, LinkError::BadCredentials(_) | LinkError::NotAuthorized(_)),
        "{error:?}"
    );
    assert!(attempts <= MAX_SLOW_ATTEMPTS, "{attempts} attempts in 3 s");
    Monitor::start(MonitorOptions::new(as_op("right")))
        .wait_connected(SOON)
        .await
        .unwrap();
}

#[tokio::test]
async fn refused_connections_back_off() {
    let port = free_port();
    let url: BrokerUrl = format!("mqtt://127.0.0.1:{port}").parse().unwrap();
    let (error, attempts) = failing(link(url)).await;
    assert!(matches!(error, LinkError::Refused(_)), "{error:?}");
    // 100 ms doubling (jittered into the upper half): at most ~6 in 3 s.
    assert!((1..=8).contains(&attempts), "{attempts} attempts in 3 s");
}

#[tokio::test]
async fn monitor_recovers_when_the_broker_starts_late_and_restarts() {
    let port = free_port();
    let url: BrokerUrl = format!("mqtt://127.0.0.1:{port}").parse().unwrap();
    let monitor = Monitor::start(MonitorOptions::new(link(url)));
    eventually("a failed attempt", || monitor.counters().reconnects >= 1).await;
    let mut broker = Mosquitto::configure(port, &BrokerSetup::default());
    broker.wait_ready();
    eventually("connected after a late start", || monitor.connected()).await;

    broker.restart();
    eventually("reconnected after a restart", || {
        monitor.counters().connects >= 2 && monitor.connected()
    })
    .await;
    // The subscription was renewed on the new connection.
    let (meter, _) = raw_client(broker.port, None).await;
    let data = encode_data(&RegisterBlock::default());
    let mut events = monitor.subscribe();
    let end = Instant::now() + SOON;
    loop {
        meter
            .publish("je08/5/data", QoS::AtMostOnce, false, data.clone())
            .await
            .unwrap();
        if tokio::time::timeout(
            Duration::from_millis(200),
            next_event(&mut events, |e| matches!(e, MonitorEvent::Data { .. })),
        )
        .await
        .is_ok()
        {
            break;
        }
        assert!(Instant::now() < end, "no DATA after the restart");
    }
}

// ---------------------------------------------------------------------------
// The simulator's MQTT client, seen through Mosquitto.

use je08_protocol::mqtt::{Message, data_keys, decode_message};
use je08_protocol::registers::addr;
use je08_sim::mqtt::SimMqttOptions;
use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};
use tokio_modbus::client::Reader as _;

/// A virtual meter publishing every second to `url`.
pub async fn sim_meter(id: u32, url: BrokerUrl, tls_files: Option<TlsFiles>) -> SimMeter {
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.device.model.time_scale = 3600.0;
    let mut login = BrokerLogin::anonymous(url);
    login.credentials.tls = tls_files;
    let mut mqtt = SimMqttOptions::new(login);
    mqtt.timing.link = quick();
    mqtt.interval = Duration::from_secs(1);
    options.mqtt = Some(mqtt);
    spawn_meter(options).await.expect("simulator starts")
}

/// The next `(topic, payload)` a raw client received, within `SOON`.
pub async fn next_payload(inbox: &mut mpsc::UnboundedReceiver<(String, Vec<u8>)>) -> (String, Vec<u8>) {
    tokio::time::timeout(SOON, inbox.recv())
        .await
        .expect("a message in time")
        .expect("open")
}

#[tokio::test]
async fn sim_publishes_data_with_exactly_the_39_keys() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let (_tool, mut inbox) = raw_client(broker.port, Some("je08/+/data")).await;
    let meter = sim_meter(2101, broker.url(false), None).await;
    let (topic, payload) = next_payload(&mut inbox).await;
    assert_eq!(topic, "je08/2101/data");
    let json: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let data = json["DATA"].as_object().expect("a DATA object");
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = data_keys().collect();
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert!(data.values().all(|v| v.is_i64()));
    let Ok(Message::Data(packet)) = decode_message(&payload) else {
        panic!("undecodable DATA")
    };
    assert!(
        packet.measurements.voltage_v.a > 100.0,
        "{:?}",
        packet.measurements.voltage_v
    );
    assert!(packet.measurements.frequency_hz > 45.0);
    assert!(meter.mqtt.stats().data_published() >= 1);
}

#[tokio::test]
async fn sim_answers_get_info_and_get_data_and_counts_unknown_commands() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let meter = sim_meter(2102, broker.url(false), None).await;
    let stats = meter.mqtt.stats();
    eventually("sim connected", || stats.connected()).await;
    let monitor = Monitor::start(MonitorOptions::new(link(broker.url(false))));
    monitor.wait_connected(SOON).await.unwrap();
    let mut events = monitor.subscribe();
    monitor.send("2102", MqttCommand::GetInfo, SOON).await.unwrap();
    let MonitorEvent::Info { id, info, .. } =
        next_event(&mut events, |e| matches!(e, MonitorEvent::Info { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(id, "2102");
    assert_eq!(info.devtype, "JE08");
    assert_eq!(info.subtype, "WATT METER");
    assert_eq!(info.version, Version(300));
    assert_eq!(info.mac, meter.device.with(|d| d.mac_string()));

    let before = stats.data_published();
    monitor.send("2102", MqttCommand::GetData, SOON).await.unwrap();
    eventually("DATA on request", || stats.data_published() > before).await;

    let (tool, _) = raw_client(broker.port, None).await;
    for junk in ["{\"GET\":\"ALL\"}", "reboot", "{\"RST\":\"kwh\"}"] {
        tool.publish("je08/2102/cmd", QoS::AtLeastOnce, false, junk)
            .await
            .unwrap();
    }
    eventually("unknown commands counted", || stats.ignored() == 3).await;
    assert_eq!(stats.commands(), 2);
}

async fn energy_registers(addr_: std::net::SocketAddr) -> (i64, i64) {
    let mut ctx = tokio::time::timeout(SOON, tokio_modbus::client::tcp::connect(addr_))
        .await
        .unwrap()
        .unwrap();
    let words = tokio::time::timeout(SOON, ctx.read_holding_registers(0, 110))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let block = RegisterBlock::try_from(words.as_slice()).unwrap();
    (block.integer(addr::KWHT_HIGH), block.integer(addr::KVARHT_HIGH))
}

#[tokio::test]
async fn resets_over_mqtt_change_what_modbus_reads() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let meter = sim_meter(2103, broker.url(false), None).await;
    let stats = meter.mqtt.stats();
    eventually("sim connected", || stats.connected()).await;
    let monitor = Monitor::start(MonitorOptions::new(link(broker.url(false))));
    monitor.wait_connected(SOON).await.unwrap();

    // Let energy accumulate (1 s of real time is 1 h of meter time).
    let mut before = (0, 0);
    let end = Instant::now() + SOON;
    while before.0 < 50 || before.1 < 50 {
        assert!(Instant::now() < end, "no energy accumulated: {before:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        before = energy_registers(meter.modbus).await;
    }
    // Freeze the accumulators so that only the commands change them.
    meter.device.with(|d| {
        d.tick(Instant::now());
        d.model_mut().params_mut().time_scale = 0.0;
    });
    let frozen = energy_registers(meter.modbus).await;
    assert!(frozen.0 >= before.0 && frozen.1 >= before.1);

    monitor.send("2103", MqttCommand::ResetKwh, SOON).await.unwrap();
    eventually("command applied", || stats.commands() == 1).await;
    assert_eq!(
        energy_registers(meter.modbus).await,
        (0, frozen.1),
        "only kWh zeroed"
    );

    monitor.send("2103", MqttCommand::ResetKvarh, SOON).await.unwrap();
    eventually("command applied", || stats.commands() == 2).await;
    assert_eq!(energy_registers(meter.modbus).await, (0, 0), "kVArh zeroed too");
}

#[tokio::test]
async fn sim_over_tls_with_client_certificate() {
    let pki = Pki::new("fleet CA");
    let broker = Mosquitto::start(&pki.broker(false, true));
    let identity = pki.client();
    let meter = sim_meter(2104, broker.url(true), Some(tls(&pki.ca_pem, Some(&identity)))).await;
    let opts = link_as(tls_login(broker.url(true), tls(&pki.ca_pem, Some(&pki.client()))));
    let monitor = Monitor::start(MonitorOptions::new(opts));
    let mut events = monitor.subscribe();
    let MonitorEvent::Data { id, .. } =
        next_event(&mut events, |e| matches!(e, MonitorEvent::Data { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(id, "2104");
    assert_eq!(meter.mqtt.stats().reconnects(), 0);
}

#[tokio::test]
async fn sim_recovers_when_the_broker_starts_late_and_restarts() {
    let port = free_port();
    let url: BrokerUrl = format!("mqtt://127.0.0.1:{port}").parse().unwrap();
    let meter = sim_meter(2105, url, None).await;
    let stats = meter.mqtt.stats();
    eventually("a failed attempt", || stats.reconnects() >= 1).await;
    assert!(
        matches!(stats.last_error(), Some(LinkError::Refused(_))),
        "{:?}",
        stats.last_error()
    );
    let mut broker = Mosquitto::configure(port, &BrokerSetup::default());
    broker.wait_ready();
    eventually("sim connected after a late start", || stats.connected()).await;
    broker.restart();
    eventually("sim reconnected after a restart", || {
        stats.connects() >= 2 && stats.connected()
    })
    .await;
    // Commands work on the new connection: the subscription was renewed.
    let monitor = Monitor::start(MonitorOptions::new(link(broker.url(false))));
    monitor.wait_connected(SOON).await.unwrap();
    let mut events = monitor.subscribe();
    monitor.send("2105", MqttCommand::GetInfo, SOON).await.unwrap();
    next_event(&mut events, |e| matches!(e, MonitorEvent::Info { .. })).await;
}

#[tokio::test]
async fn sim_leaves_the_broker_outside_application_mode() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let meter = sim_meter(2106, broker.url(false), None).await;
    let stats = meter.mqtt.stats();
    eventually("sim connected", || stats.connected()).await;
    meter.device.reboot(je08_protocol::mode::Mode::Configuration);
    eventually("disconnected in configuration mode", || !stats.connected()).await;
    meter.device.reboot(je08_protocol::mode::Mode::Application);
    eventually("connected again in application mode", || {
        stats.connected() && stats.connects() >= 2
    })
    .await;
}

#[tokio::test]
async fn embedded_broker_carries_sim_data_to_the_monitor() {
    let addr_ = je08_sim::broker::start_embedded_broker(0).await.unwrap();
    assert!(addr_.ip().is_loopback());
    let url: BrokerUrl = format!("mqtt://{addr_}").parse().unwrap();
    let _meter = sim_meter(2107, url.clone(), None).await;
    let monitor = Monitor::start(MonitorOptions::new(link(url)));
    let mut events = monitor.subscribe();
    let MonitorEvent::Data { id, .. } =
        next_event(&mut events, |e| matches!(e, MonitorEvent::Data { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(id, "2107");
}

/// A child process killed on drop.
pub(super) struct Proc(pub(super) std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn cli_watch_json_prints_the_data_of_a_sim() {
    use std::io::{BufRead as _, BufReader};
    let broker = Mosquitto::start(&BrokerSetup::default());
    let url = broker.url(false).to_string();
    let exe = env!("CARGO_BIN_EXE_je08");
    let mut watch = Proc(
        Command::new(exe)
            .args(["mqtt", "watch", "--broker", &url, "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let _sim = Proc(
        Command::new(exe)
            .args(["sim", "--id", "2108"])
            .args(super::kit::FREE_PORTS)
            .args(["--interval", "1", "--mqtt", &url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = watch.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(SOON).expect("a JSON line from je08 mqtt watch");
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(json["type"], "data");
    assert_eq!(json["device"], "2108");
    assert_eq!(json["topic"], "je08/2108/data");
    assert!(json["voltage_v"]["a"].as_f64().unwrap() > 100.0, "{json}");
    assert!(json["energy_kwh"]["total"].is_number());
    assert!(json["rssi_dbm"].is_number() && json["uptime_s"].is_number());
}

#[test]
fn cli_sim_logs_in_with_the_shared_broker_flags_and_the_former_spellings() {
    use std::io::{BufRead as _, BufReader};
    let guarded = Mosquitto::start(&BrokerSetup {
        password: Some(("op".into(), "right".into())),
        ..BrokerSetup::default()
    });
    let url = guarded.url(false).to_string();
    let exe = env!("CARGO_BIN_EXE_je08");
    let mut watch = Proc(
        Command::new(exe)
            .args(["mqtt", "watch", "--broker", &url, "--user", "op", "--json"])
            .args(["--mqtt-password", "right"])
            .env_remove("JE08_MQTT_PASSWORD")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let sim = |id: &str, login: &[&str]| {
        Proc(
            Command::new(exe)
                .args(["sim", "--id", id, "--modbus-port", "0", "--http-port", "0"])
                .args(["--ota-port", "0", "--interval", "1"])
                .args(login)
                .env("JE08_MQTT_PASSWORD", "right")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let _current = sim("2111", &["--broker", &url, "--user", "op"]);
    let _former = sim("2112", &["--mqtt", &url, "--mqtt-user", "op"]);
    let stdout = watch.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = std::collections::BTreeSet::new();
    let end = std::time::Instant::now() + SOON;
    while seen.len() < 2 {
        let left = end.saturating_duration_since(std::time::Instant::now());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("DATA from both sims in time; seen {seen:?}"));
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        seen.insert(json["device"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(seen, ["2111", "2112"].map(String::from).into());
}

#[tokio::test]
async fn cli_send_wait_prints_the_meters_answer() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let meter = sim_meter(2109, broker.url(false), None).await;
    let stats = meter.mqtt.stats();
    eventually("sim connected", || stats.connected()).await;
    let url = broker.url(false).to_string();
    let exe = env!("CARGO_BIN_EXE_je08");
    let run = |command: &'static str| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(exe)
                .args([
                    "mqtt", "send", "--broker", &url, "--device", "2109", "--wait", command,
                ])
                .stdin(Stdio::null())
                .output()
                .unwrap()
        })
    };
    let out = tokio::time::timeout(SOON, run("get-info"))
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["type"], "info");
    assert_eq!(json["device"], "2109");
    assert_eq!(json["info"]["devtype"], "JE08");

    let out = tokio::time::timeout(SOON, run("reset-kwh"))
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["type"], "data");
    assert!(json["energy_kwh"]["total"].as_f64().unwrap() < 1.0, "{json}");

    // A meter that does not exist: acknowledged by the broker, no answer.
    let out = Command::new(exe)
        .args([
            "mqtt",
            "send",
            "--broker",
            &url,
            "--device",
            "999",
            "--wait",
            "--timeout",
            "1",
            "get-info",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not answer"));
}

#[test]
fn cli_reports_a_refused_broker_in_one_line_and_bad_credentials_with_status_2() {
    let port = free_port();
    let exe = env!("CARGO_BIN_EXE_je08");
    let out = Command::new(exe)
        .args([
            "mqtt",
            "send",
            "--broker",
            &format!("mqtt://127.0.0.1:{port}"),
            "--device",
            "1",
            "--timeout",
            "2",
            "get-info",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");

    let guarded = Mosquitto::start(&BrokerSetup {
        password: Some(("op".into(), "right".into())),
        ..BrokerSetup::default()
    });
    let out = Command::new(exe)
        .args([
            "mqtt",
            "watch",
            "--broker",
            &guarded.url(false).to_string(),
            "--user",
            "op",
        ])
        .env("JE08_MQTT_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("; check --user and --mqtt-password"),
        "the command line's advice ends the line: {stderr}"
    );
    assert!(
        !stderr.contains("wrong"),
        "the password must not be printed: {stderr}"
    );
}

#[test]
fn cli_sim_with_embedded_broker_announces_it_and_watch_reads_it() {
    use std::io::{BufRead as _, BufReader};
    let exe = env!("CARGO_BIN_EXE_je08");
    let mut sim = Proc(
        Command::new(exe)
            .args(["sim", "--id", "2110"])
            .args(super::kit::FREE_PORTS)
            .args(["--interval", "1", "--embedded-broker"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let first_line = |child: &mut Proc| {
        let stdout = child.0.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(SOON).expect("a line in time");
        serde_json::from_str::<serde_json::Value>(&line).unwrap()
    };
    let ready = first_line(&mut sim);
    assert_eq!(ready["event"], "ready");
    let broker = ready["broker"].as_str().expect("a broker key").to_string();
    assert!(broker.starts_with("127.0.0.1:"), "{ready}");
    assert_eq!(ready["mqtt"], format!("mqtt://{broker}"));
    let mut watch = Proc(
        Command::new(exe)
            .args(["mqtt", "watch", "--broker", &format!("mqtt://{broker}"), "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let data = first_line(&mut watch);
    assert_eq!(data["device"], "2110");
    assert_eq!(data["type"], "data");
}
