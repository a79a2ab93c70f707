//! What the virtual meter's MQTT client connects with (spec §3, §4): the
//! protocols block and the certificate slots that are active since the last
//! boot, plus connection timing, which is firmware behaviour and not a
//! setting of the meter.
//!
//! A start option (`je08 sim --mqtt URL`, [`MeterOptions::mqtt`]) does not
//! run a client of its own: [`SimMqttOptions::seed`] writes it into the
//! meter's protocols block and certificate slots before power-on, so
//! `GET /api/config/protocols` reports what the meter really uses and a
//! later `PUT` replaces it at the next boot.
//!
//! [`MeterOptions::mqtt`]: super::MeterOptions::mqtt

use std::time::Duration;

use super::device::{Device, DeviceConfig};
use je08_net::certs::PemFile;
use je08_net::mqtt_link::{LinkError, LinkOptions, Password, TlsFiles};
use je08_protocol::http_api::{CertKind, MqttConfig, Secret, TlsConfig};
use je08_protocol::mqtt::{BrokerUrl, DEFAULT_PUBLISH_TOPIC, DEFAULT_SUBSCRIBE_TOPIC, render_topic};

/// Longest DATA interval a meter accepts (spec §3: 1–3600 s).
const MAX_INTERVAL_S: u64 = 3600;

/// A start option: the broker a virtual meter is commissioned with.
#[derive(Debug, Clone)]
pub struct SimMqttOptions {
    /// Broker, credentials, TLS files and connection timing; an empty client
    /// id becomes `je08-<id>`.
    pub link: LinkOptions,
    /// Publish topic template (`{id}` → device id).
    pub publish_topic: String,
    /// Subscribe topic template (`{id}` → device id).
    pub subscribe_topic: String,
    /// Time between DATA publications (whole seconds, 1–3600).
    pub interval: Duration,
}

impl SimMqttOptions {
    /// Defaults of spec §3: `je08/{id}/data`, `je08/{id}/cmd`, every 5 s.
    pub fn new(link: LinkOptions) -> Self {
        Self {
            link,
            publish_topic: DEFAULT_PUBLISH_TOPIC.to_string(),
            subscribe_topic: DEFAULT_SUBSCRIBE_TOPIC.to_string(),
            interval: Duration::from_secs(5),
        }
    }

    /// Write these settings into the protocols block (MQTT enabled) and the
    /// certificate slots the meter powers on with. Fails on options that
    /// cannot work (mqtts:// without a CA, unusable PEM…).
    pub fn seed(&self, config: &mut DeviceConfig) -> Result<(), LinkError> {
        self.link.mqtt_options()?;
        let id = config.id.to_string();
        let link = &self.link;
        let mqtt = &mut config.protocols.mqtt;
        mqtt.enabled = true;
        mqtt.host.clone_from(&link.broker.host);
        mqtt.port = u32::from(link.broker.port);
        mqtt.client_id = if link.client_id.is_empty() {
            format!("je08-{id}")
        } else {
            link.client_id.clone()
        };
        mqtt.username = link.username.clone().unwrap_or_default();
        mqtt.password = link.password.as_ref().map(|p| Secret::new(p.expose()));
        mqtt.publish_topic = render_topic(&self.publish_topic, &id);
        mqtt.subscribe_topic = render_topic(&self.subscribe_topic, &id);
        let whole_s = self.interval.as_secs() + u64::from(self.interval.subsec_nanos() > 0);
        mqtt.interval_s = u32::try_from(whole_s.clamp(1, MAX_INTERVAL_S)).unwrap_or(1);
        mqtt.tls = TlsConfig {
            enabled: link.broker.tls,
            verify_server: true,
            client_auth: link.tls.as_ref().is_some_and(|t| t.identity.is_some()),
        };
        if let Some(files) = &link.tls {
            let pem = |f: &PemFile| Secret::new(String::from_utf8_lossy(&f.bytes));
            config.certs.insert(CertKind::Ca, pem(&files.ca));
            if let Some((cert, key)) = &files.identity {
                config.certs.insert(CertKind::ClientCert, pem(cert));
                config.certs.insert(CertKind::ClientKey, pem(key));
            }
        }
        Ok(())
    }

    /// The connection timing of [`Self::link`].
    pub fn timing(&self) -> SimMqttTiming {
        SimMqttTiming::of(&self.link)
    }
}

/// How the virtual meter's client paces its connection: keep-alive,
/// deadlines and reconnect backoff (firmware behaviour, not settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimMqttTiming {
    /// Keep-alive interval.
    pub keep_alive: Duration,
    /// Deadline for TCP + TLS + CONNECT/ConnAck.
    pub connect_timeout: Duration,
    /// First reconnect delay.
    pub backoff_initial: Duration,
    /// Largest reconnect delay.
    pub backoff_cap: Duration,
    /// Bound of the request queue towards the broker.
    pub queue: usize,
}

impl SimMqttTiming {
    /// The timing fields of `link`.
    pub fn of(link: &LinkOptions) -> Self {
        Self {
            keep_alive: link.keep_alive,
            connect_timeout: link.connect_timeout,
            backoff_initial: link.backoff_initial,
            backoff_cap: link.backoff_cap,
            queue: link.queue,
        }
    }

    fn apply(self, link: &mut LinkOptions) {
        link.keep_alive = self.keep_alive;
        link.connect_timeout = self.connect_timeout;
        link.backoff_initial = self.backoff_initial;
        link.backoff_cap = self.backoff_cap;
        link.queue = self.queue;
    }
}

impl Default for SimMqttTiming {
    /// The defaults of [`LinkOptions::new`] (10 s deadline, 250 ms → 30 s).
    fn default() -> Self {
        let link = LinkOptions::new(
            BrokerUrl {
                tls: false,
                host: String::new(),
                port: 0,
            },
            "",
        );
        Self::of(&link)
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

/// The session the device's active protocols block and certificate slots
/// call for: `None` while MQTT is disabled, an error (a sentence, never a
/// secret) when the settings cannot work.
pub fn plan(device: &Device, timing: SimMqttTiming) -> Result<Option<SessionPlan>, LinkError> {
    let mqtt = &device.protocols.mqtt;
    if !mqtt.enabled {
        return Ok(None);
    }
    let broker = broker_of(mqtt)
        .ok_or_else(|| LinkError::Setup(format!("mqtt.port {} is not a TCP port", mqtt.port)))?;
    let id = device.id().to_string();
    let client_id = if mqtt.client_id.is_empty() {
        format!("je08-{id}")
    } else {
        mqtt.client_id.clone()
    };
    let mut link = LinkOptions::new(broker, client_id);
    link.username = (!mqtt.username.is_empty()).then(|| mqtt.username.clone());
    link.password = mqtt.password.as_ref().map(|p| Password::new(p.expose()));
    link.tls = tls_files(device, mqtt.tls)?;
    timing.apply(&mut link);
    link.mqtt_options()?;
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
fn tls_files(device: &Device, tls: TlsConfig) -> Result<Option<TlsFiles>, LinkError> {
    if !tls.enabled {
        return Ok(None);
    }
    let slot = |kind: CertKind| {
        device
            .certs
            .get(&kind)
            .map(|pem| PemFile::new(format!("the {kind} slot"), pem.expose().as_bytes()))
    };
    let ca = slot(CertKind::Ca).ok_or_else(|| {
        LinkError::Setup(
            "MQTT TLS is enabled but no CA certificate is uploaded (the ca slot is empty)".into(),
        )
    })?;
    let identity = if tls.client_auth {
        match (slot(CertKind::ClientCert), slot(CertKind::ClientKey)) {
            (Some(cert), Some(key)) => Some((cert, key)),
            _ => {
                return Err(LinkError::Setup(
                    "MQTT client_auth is on but the client_cert or client_key slot is empty".into(),
                ));
            }
        }
    } else {
        None
    };
    Ok(Some(TlsFiles { ca, identity }))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn link(url: &str) -> LinkOptions {
        let mut link = LinkOptions::new(url.parse().unwrap(), "");
        link.username = Some("meter".into());
        link.password = Some(Password::new("s3cret"));
        link.backoff_cap = Duration::from_secs(2);
        link
    }

    #[test]
    fn a_start_option_seeds_the_block_the_client_then_follows() {
        let mut options = SimMqttOptions::new(link("mqtt://127.0.0.1:1999"));
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
        let plan = plan(&device, options.timing()).unwrap().expect("enabled");
        assert_eq!(plan.link.broker.to_string(), "mqtt://127.0.0.1:1999");
        assert_eq!(plan.link.username.as_deref(), Some("meter"));
        assert_eq!(plan.link.password.as_ref().map(Password::expose), Some("s3cret"));
        assert_eq!(plan.link.backoff_cap, Duration::from_secs(2));
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
        assert!(err.to_string().contains("ca slot"), "{err}");
        device.certs.insert(CertKind::Ca, Secret::new("not pem"));
        device.protocols.mqtt.tls.client_auth = true;
        let err = plan(&device, SimMqttTiming::default()).unwrap_err();
        assert!(err.to_string().contains("client_cert"), "{err}");
    }

    #[test]
    fn mqtts_without_a_ca_cannot_seed() {
        let options = SimMqttOptions::new(link("mqtts://127.0.0.1:8883"));
        assert!(matches!(
            options.seed(&mut DeviceConfig::new(1)),
            Err(LinkError::Setup(_))
        ));
    }
}
