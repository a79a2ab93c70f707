//! The virtual meter's MQTT client (spec §3).
//!
//! While the device is online in application mode it keeps a connection to
//! the broker (plain TCP or TLS, optional client certificate; capped
//! exponential backoff with jitter; resubscribe on every ConnAck — see
//! [`crate::mqtt_link`]), publishes `{"DATA":{…}}` (QoS 0) every interval on
//! its publish topic from the same registers Modbus reads, and obeys its
//! subscribe topic: `{"GET":"INFO"}` → INFO (QoS 1), `{"GET":"DATA"}` → DATA
//! now, `{"RST":"KWH"}` / `{"RST":"KVARH"}` → zero the accumulators Modbus
//! reads. Anything else is ignored and counted. A reboot or a mode change
//! drops the connection; it comes back when the device is in application
//! mode again. DATA is not queued while disconnected (as on the device).

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rumqttc::QoS;
use tokio::task::JoinHandle;

use super::handle::SimDevice;
use crate::mqtt_link::{Link, LinkError, LinkEvent, LinkOptions};
use crate::protocol::mode::Mode;
use crate::protocol::mqtt::{
    Command, DEFAULT_PUBLISH_TOPIC, DEFAULT_SUBSCRIBE_TOPIC, Incoming, InfoPacket, encode_data,
    parse_command, render_topic,
};
use crate::protocol::readings::Version;

/// How the virtual meter reaches its broker.
#[derive(Debug, Clone)]
pub struct SimMqttOptions {
    /// Broker, credentials, TLS; the client id defaults to `je08-<id>`.
    pub link: LinkOptions,
    /// Publish topic template (`{id}` → device id).
    pub publish_topic: String,
    /// Subscribe topic template (`{id}` → device id).
    pub subscribe_topic: String,
    /// Seconds between DATA publications.
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
}

/// Counters of a virtual meter's MQTT client.
#[derive(Debug, Default)]
pub struct SimMqttStats {
    connected: AtomicBool,
    connects: AtomicU64,
    reconnects: AtomicU64,
    data_published: AtomicU64,
    commands: AtomicU64,
    ignored: AtomicU64,
    last_error: std::sync::Mutex<Option<LinkError>>,
}

impl SimMqttStats {
    /// Connected to the broker now.
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Accepted connections so far.
    pub fn connects(&self) -> u64 {
        self.connects.load(Ordering::Relaxed)
    }

    /// Failed attempts and lost connections so far.
    pub fn reconnects(&self) -> u64 {
        self.reconnects.load(Ordering::Relaxed)
    }

    /// DATA packets handed to the broker connection.
    pub fn data_published(&self) -> u64 {
        self.data_published.load(Ordering::Relaxed)
    }

    /// Documented commands obeyed.
    pub fn commands(&self) -> u64 {
        self.commands.load(Ordering::Relaxed)
    }

    /// Payloads on the subscribe topic that were not a documented command.
    pub fn ignored(&self) -> u64 {
        self.ignored.load(Ordering::Relaxed)
    }

    /// The last connection error (cleared on connection).
    pub fn last_error(&self) -> Option<LinkError> {
        self.last_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// A running MQTT client of one virtual meter; stops when dropped.
#[derive(Debug)]
pub struct SimMqtt {
    stats: Arc<SimMqttStats>,
    task: Option<JoinHandle<()>>,
}

impl SimMqtt {
    /// Start the client for `device`. Fails only on unusable options
    /// (e.g. mqtts:// without a CA, unreadable certificates).
    pub fn spawn(device: SimDevice, mut options: SimMqttOptions) -> Result<Self, LinkError> {
        options.link.mqtt_options()?;
        if options.link.client_id.is_empty() {
            options.link.client_id = format!("je08-{}", device.id());
        }
        let stats = Arc::new(SimMqttStats::default());
        let task = tokio::spawn(supervise(device, options, stats.clone()));
        Ok(Self {
            stats,
            task: Some(task),
        })
    }

    /// The client's counters.
    pub fn stats(&self) -> Arc<SimMqttStats> {
        self.stats.clone()
    }

    /// Disconnect and stop.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for SimMqtt {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Run a connection whenever the device is online in application mode.
async fn supervise(device: SimDevice, options: SimMqttOptions, stats: Arc<SimMqttStats>) {
    let mut power = device.subscribe_power();
    loop {
        if power.wait_for(|p| p.serving(Mode::Application)).await.is_err() {
            return;
        }
        tokio::select! {
            _ = session(&device, &options, &stats) => {}
            _ = power.wait_for(|p| !p.serving(Mode::Application)) => {}
        }
        stats.connected.store(false, Ordering::Relaxed);
    }
}

fn info_packet(device: &SimDevice) -> InfoPacket {
    device.with(|d| InfoPacket {
        name: d.name().to_string(),
        ip: d.network.ip.parse().unwrap_or(Ipv4Addr::UNSPECIFIED),
        mac: d.mac_string(),
        devtype: "JE08".to_string(),
        subtype: "WATT METER".to_string(),
        version: Version(d.esp_version),
    })
}

/// One power-on period: connect (retrying), publish, obey commands.
async fn session(device: &SimDevice, options: &SimMqttOptions, stats: &Arc<SimMqttStats>) {
    let id = device.id().to_string();
    let publish_topic = render_topic(&options.publish_topic, &id);
    let subscribe_topic = render_topic(&options.subscribe_topic, &id);
    let link = match Link::new(options.link.clone(), vec![(subscribe_topic, QoS::AtLeastOnce)]) {
        Ok(link) => link,
        Err(err) => {
            tracing::error!(%err, "MQTT cannot start");
            return std::future::pending().await;
        }
    };
    let client = link.client.clone();
    let publish_data = {
        let (client, topic, device, stats) = (
            client.clone(),
            publish_topic.clone(),
            device.clone(),
            stats.clone(),
        );
        move || {
            if !stats.connected() {
                return;
            }
            let payload = encode_data(&device.registers());
            if client
                .try_publish(topic.clone(), QoS::AtMostOnce, false, payload)
                .is_ok()
            {
                stats.data_published.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    let on_event = {
        let (device, stats, publish_data) = (device.clone(), stats.clone(), publish_data.clone());
        let mut logged: Option<LinkError> = None;
        move |event: LinkEvent<'_>| match event {
            LinkEvent::Connected(_) => {
                stats.connected.store(true, Ordering::Relaxed);
                stats.connects.fetch_add(1, Ordering::Relaxed);
                *stats
                    .last_error
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                if logged.take().is_some() {
                    tracing::info!("MQTT connected again");
                }
            }
            LinkEvent::Down { error, retry_in } => {
                stats.connected.store(false, Ordering::Relaxed);
                stats.reconnects.fetch_add(1, Ordering::Relaxed);
                *stats
                    .last_error
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(error.clone());
                if logged.as_ref() != Some(error) {
                    tracing::warn!(%error, ?retry_in, "MQTT down; retrying with backoff");
                    logged = Some(error.clone());
                }
            }
            LinkEvent::Message(publish) => match parse_command(&publish.payload) {
                Incoming::Known(command) => {
                    stats.commands.fetch_add(1, Ordering::Relaxed);
                    match command {
                        Command::GetInfo => {
                            let payload = info_packet(&device).encode();
                            let _ =
                                client.try_publish(publish_topic.clone(), QoS::AtLeastOnce, false, payload);
                        }
                        Command::GetData => publish_data(),
                        Command::ResetKwh => device.with(|d| d.zero_kwh(Instant::now())),
                        Command::ResetKvarh => device.with(|d| d.zero_kvarh(Instant::now())),
                    }
                }
                Incoming::Unknown(text) => {
                    let n = stats.ignored.fetch_add(1, Ordering::Relaxed);
                    if n == 0 {
                        tracing::info!(payload = %text, "ignored an unknown command (further ones are only counted)");
                    }
                }
            },
            LinkEvent::Sent(_) | LinkEvent::Acked(_) => {}
        }
    };
    let mut ticker = tokio::time::interval_at(
        tokio::time::Instant::now() + options.interval,
        options.interval.max(Duration::from_millis(10)),
    );
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let run = link.run(on_event);
    tokio::pin!(run);
    loop {
        tokio::select! {
            _ = &mut run => return,
            _ = ticker.tick() => publish_data(),
        }
    }
}
