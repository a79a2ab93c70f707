//! What the virtual meter's MQTT client connects with (spec §3, §4): the
//! protocols block and the certificate slots that are active since the last
//! boot, plus connection timing, which is firmware behaviour and not a
//! setting of the meter.
//!
//! A start option (`je08 sim --broker URL`, [`MeterOptions::mqtt`]) does not
//! run a client of its own: [`SimMqttOptions::seed`] writes it into the
//! meter's protocols block and certificate slots before power-on, so
//! `GET /api/config/protocols` reports what the meter really uses and a
//! later `PUT` replaces it at the next boot.
//!
//! [`MeterOptions::mqtt`]: super::MeterOptions::mqtt

use std::time::Duration;

use super::device::{Device, DeviceConfig};
use je08_net::certs::PemFile;
use je08_net::mqtt_link::{
    BrokerLogin, Credentials, DEFAULT_QUEUE, LinkOptions, LinkTiming, Password, SetupError, TlsFiles,
};
use je08_protocol::http_api::{CertKind, MqttConfig, Secret, TlsConfig};
use je08_protocol::mqtt::{BrokerUrl, DEFAULT_PUBLISH_TOPIC, DEFAULT_SUBSCRIBE_TOPIC, render_topic};

/// Longest DATA interval a meter accepts (spec §3: 1–3600 s).
const MAX_INTERVAL_S: u64 = 3600;

/// A start option: the broker a virtual meter is commissioned with.
#[derive(Debug, Clone)]
pub struct SimMqttOptions {
    /// Broker, credentials and TLS files; the client id is `je08-<id>`.
    pub login: BrokerLogin,
    /// How the client paces its connection.
    pub timing: SimMqttTiming,
    /// Publish topic template (`{id}` → device id).
    pub publish_topic: String,
    /// Subscribe topic template (`{id}` → device id).
    pub subscribe_topic: String,
    /// Time between DATA publications (whole seconds, 1–3600).
    pub interval: Duration,
}

impl SimMqttOptions {
    /// Defaults of spec §3: `je08/{id}/data`, `je08/{id}/cmd`, every 5 s;
    /// the default timing.
    pub fn new(login: BrokerLogin) -> Self {
        Self {
            login,
            timing: SimMqttTiming::default(),
            publish_topic: DEFAULT_PUBLISH_TOPIC.to_string(),
            subscribe_topic: DEFAULT_SUBSCRIBE_TOPIC.to_string(),
            interval: Duration::from_secs(5),
        }
    }

    /// Write these settings into the protocols block (MQTT enabled) and the
    /// certificate slots the meter powers on with. Fails when the URL and
    /// the TLS material do not go together.
    pub fn seed(&self, config: &mut DeviceConfig) -> Result<(), SetupError> {
        self.login.check()?;
        let id = config.id.to_string();
        let (broker, credentials) = (&self.login.broker, &self.login.credentials);
        let mqtt = &mut config.protocols.mqtt;
        mqtt.enabled = true;
        mqtt.host.clone_from(&broker.host);
        mqtt.port = u32::from(broker.port);
        mqtt.client_id = client_id(&id);
        mqtt.username = credentials.user.clone().unwrap_or_default();
        mqtt.password = credentials.password.as_ref().map(|p| Secret::new(p.expose()));
        mqtt.publish_topic = render_topic(&self.publish_topic, &id);
        mqtt.subscribe_topic = render_topic(&self.subscribe_topic, &id);
        let whole_s = self.interval.as_secs() + u64::from(self.interval.subsec_nanos() > 0);
        mqtt.interval_s = u32::try_from(whole_s.clamp(1, MAX_INTERVAL_S)).unwrap_or(1);
        mqtt.tls = TlsConfig {
            enabled: broker.tls,
            verify_server: true,
            client_auth: credentials.tls.as_ref().is_some_and(|t| t.identity().is_some()),
        };
        if let Some(files) = &credentials.tls {
            let pem = |f: &PemFile| Secret::new(String::from_utf8_lossy(&f.bytes));
            config.certs.insert(CertKind::Ca, pem(files.ca()));
            if let Some((cert, key)) = files.identity() {
                config.certs.insert(CertKind::ClientCert, pem(cert));
                config.certs.insert(CertKind::ClientKey, pem(key));
            }
        }
        Ok(())
    }
}

/// How the virtual meter's client paces its connection: keep-alive,
/// deadlines, reconnect backoff and its request queue (firmware behaviour,
/// not settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimMqttTiming {
    /// Keep-alive, connect deadline and backoff.
    pub link: LinkTiming,
    /// Bound of the request queue towards the broker.
    pub queue: usize,
}

impl Default for SimMqttTiming {
    /// The defaults of [`LinkTiming`] and [`DEFAULT_QUEUE`].
    fn default() -> Self {
        Self {
            link: LinkTiming::default(),
            queue: DEFAULT_QUEUE,
        }
    }
}

/// What one boot into application mode connects with.
#[derive(Debug, Clone)]
pub struct SessionPlan {
    /// Broker, credentials, TLS and timing.
    pub link: LinkOptions,
    /// Rendered publish topic.
    pub publish_topic: String,
    /// Rendered subscribe topic.
    pub subscribe_topic: String,
    /// Time between DATA publications.
    pub interval: Duration,
}

/// The broker the block `mqtt` names, when MQTT is enabled in it.
pub fn broker_of(mqtt: &MqttConfig) -> Option<BrokerUrl> {
    let port = u16::try_from(mqtt.port).ok()?;
    mqtt.enabled.then(|| BrokerUrl {
        tls: mqtt.tls.enabled,
        host: mqtt.host.clone(),
        port,
    })
}

/// The client id of meter `id` (what the firmware uses when none is set).
fn client_id(id: &str) -> String {
    format!("je08-{id}")
}

/// The session the device's active protocols block and certificate slots
/// call for: `None` while MQTT is disabled, an error (never a secret) when
/// the settings cannot work.
pub fn plan(device: &Device, timing: SimMqttTiming) -> Result<Option<SessionPlan>, SetupError> {
    let mqtt = &device.protocols.mqtt;
    if !mqtt.enabled {
        return Ok(None);
    }
    let broker = broker_of(mqtt).ok_or(SetupError::NotATcpPort { port: mqtt.port })?;
    let id = device.id().to_string();
    let client_id = if mqtt.client_id.is_empty() {
        client_id(&id)
    } else {
        mqtt.client_id.clone()
    };
    let credentials = Credentials {
        user: (!mqtt.username.is_empty()).then(|| mqtt.username.clone()),
        password: mqtt.password.as_ref().map(|p| Password::new(p.expose())),
        tls: tls_files(device, &broker, mqtt.tls)?,
    };
    let link = LinkOptions::builder(BrokerLogin { broker, credentials }, client_id)
        .timing(timing.link)
        .queue(timing.queue)
        .build()?;
    Ok(Some(SessionPlan {
        link,
        publish_topic: render_topic(&mqtt.publish_topic, &id),
        subscribe_topic: render_topic(&mqtt.subscribe_topic, &id),
        interval: Duration::from_secs(u64::from(mqtt.interval_s).clamp(1, MAX_INTERVAL_S)),
    }))
}

/// The TLS material of the certificate slots, as `tls` asks for it. The
/// broker's certificate is always verified against the CA slot (the
/// simulator does not model `verify_server: false`).
fn tls_files(device: &Device, broker: &BrokerUrl, tls: TlsConfig) -> Result<Option<TlsFiles>, SetupError> {
    if !tls.enabled {
        return Ok(None);
    }
    let slot = |kind: CertKind| {
        device
            .certs
            .get(&kind)
            .map(|pem| PemFile::new(format!("the {kind} slot"), pem.expose().as_bytes()))
    };
    let ca = slot(CertKind::Ca).ok_or_else(|| SetupError::CaRequired {
        broker: broker.to_string(),
    })?;
    let identity = if tls.client_auth {
        match (slot(CertKind::ClientCert), slot(CertKind::ClientKey)) {
            (Some(cert), Some(key)) => Some((cert, key)),
            _ => return Err(SetupError::ClientAuthWithoutIdentity),
        }
    } else {
        None
    };
    TlsFiles::new(ca, identity).map(Some)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn options(url: &str) -> SimMqttOptions {
        let mut login = BrokerLogin::anonymous(url.parse().unwrap());
        login.credentials.user = Some("meter".into());
        login.credentials.password = Some(Password::new("s3cret"));
        let mut options = SimMqttOptions::new(login);
        options.timing.link.reconnect.cap = Duration::from_secs(2);
        options
    }

    #[test]
    fn a_start_option_seeds_the_block_the_client_then_follows() {
        let mut options = options("mqtt://127.0.0.1:1999");
        options.interval = Duration::from_millis(1500);
        let mut config = DeviceConfig::new(42);
        options.seed(&mut config).unwrap();
        let m = &config.protocols.mqtt;
        assert!(m.enabled && !m.tls.enabled);
        assert_eq!((m.host.as_str(), m.port, m.interval_s), ("127.0.0.1", 1999, 2));
        assert_eq!(m.client_id, "je08-42");
        assert_eq!(
            (m.publish_topic.as_str(), m.subscribe_topic.as_str()),
            ("je08/42/data", "je08/42/cmd")
        );
        assert!(config.protocols.validate().is_ok());

        let device = Device::new(config, Instant::now());
        let plan = plan(&device, options.timing).unwrap().expect("enabled");
        let login = plan.link.login();
        assert_eq!(login.broker.to_string(), "mqtt://127.0.0.1:1999");
        assert_eq!(login.credentials.user.as_deref(), Some("meter"));
        assert_eq!(
            login.credentials.password.as_ref().map(Password::expose),
            Some("s3cret")
        );
        assert_eq!(plan.link.timing().reconnect.cap, Duration::from_secs(2));
        assert_eq!(plan.interval, Duration::from_secs(2));
        assert!(!format!("{plan:?}").contains("s3cret"));
    }

    #[test]
    fn disabled_means_no_session_and_tls_needs_its_slots() {
        let mut device = Device::new(DeviceConfig::new(7), Instant::now());
        assert!(plan(&device, SimMqttTiming::default()).unwrap().is_none());
        device.protocols.mqtt.enabled = true;
        device.protocols.mqtt.host = "127.0.0.1".into();
        device.protocols.mqtt.tls.enabled = true;
        let err = plan(&device, SimMqttTiming::default()).unwrap_err();
        assert!(matches!(err, SetupError::CaRequired { .. }), "{err}");
        device.certs.insert(CertKind::Ca, Secret::new("not pem"));
        device.protocols.mqtt.tls.client_auth = true;
        let err = plan(&device, SimMqttTiming::default()).unwrap_err();
        assert_eq!(err, SetupError::ClientAuthWithoutIdentity);
        device.protocols.mqtt.tls.client_auth = false;
        let err = plan(&device, SimMqttTiming::default()).unwrap_err();
        assert!(
            matches!(&err, SetupError::Pem(p) if p.file == "the ca slot"),
            "{err}"
        );
    }

    #[test]
    fn mqtts_without_a_ca_cannot_seed() {
        let options = options("mqtts://127.0.0.1:8883");
        assert!(matches!(
            options.seed(&mut DeviceConfig::new(1)),
            Err(SetupError::CaRequired { .. })
        ));
    }
}
