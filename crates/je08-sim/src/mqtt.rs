//! The virtual meter's MQTT client (spec §3).
//!
//! Like the meter, it follows its own settings: at every boot into
//! application mode (power-on, reboot, mode switch) it reads the protocols
//! block and certificate slots active since that boot (see
//! [`super::mqtt_settings`]); with `mqtt.enabled` it keeps a connection to
//! `mqtt.host:mqtt.port` (plain TCP or TLS with the CA slot, plus the client
//! certificate and key slots when `client_auth`; capped exponential backoff
//! with jitter; resubscribe on every ConnAck — see [`je08_net::mqtt_link`]),
//! otherwise no client runs. A block saved over HTTP takes effect at the next
//! boot, never while running (spec §4).
//!
//! While connected it publishes `{"DATA":{…}}` (QoS 0) every interval on its
//! publish topic from the same registers Modbus reads, and obeys its
//! subscribe topic: `{"GET":"INFO"}` → INFO (QoS 1), `{"GET":"DATA"}` → DATA
//! now, `{"RST":"KWH"}` / `{"RST":"KVARH"}` → zero the accumulators Modbus
//! reads. Anything else is ignored and counted. A reboot or a mode change
//! drops the connection. DATA is not queued while disconnected (as on the
//! device).

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rumqttc::QoS;

use super::handle::SimDevice;
use super::mqtt_settings::{SessionPlan, plan};
pub use super::mqtt_settings::{SimMqttOptions, SimMqttTiming};
use super::server::OwnedTask;
use je08_net::mqtt_link::{Link, LinkError, LinkEvent};
use je08_protocol::mode::Mode;
use je08_protocol::mqtt::{Command, Incoming, InfoPacket, encode_data, parse_command};
use je08_protocol::readings::Version;

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
    task: OwnedTask,
}

impl SimMqtt {
    /// Start the client of `device`; it connects whenever the device is in
    /// application mode with MQTT enabled, pacing itself with `timing`.
    pub fn spawn(device: SimDevice, timing: SimMqttTiming) -> Self {
        let stats = Arc::new(SimMqttStats::default());
        let task = tokio::spawn(supervise(device, timing, stats.clone()));
        Self {
            stats,
            task: OwnedTask::new(task),
        }
    }

    /// The client's counters.
    pub fn stats(&self) -> Arc<SimMqttStats> {
        self.stats.clone()
    }

    /// Disconnect and stop.
    pub async fn shutdown(self) {
        self.task.shutdown().await;
    }
}

fn set_error(stats: &SimMqttStats, error: Option<LinkError>) {
    *stats
        .last_error
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = error;
}

/// At every boot into application mode, run the session the active
/// settings call for until the device leaves application mode or reboots.
async fn supervise(device: SimDevice, timing: SimMqttTiming, stats: Arc<SimMqttStats>) {
    let mut power = device.subscribe_power();
    loop {
        let Ok(boot) = power
            .wait_for(|p| p.serving(Mode::Application))
            .await
            .map(|p| p.boot_count)
        else {
            return;
        };
        let left = power.wait_for(|p| !p.serving(Mode::Application) || p.boot_count != boot);
        // A station that could not join its network reaches no broker.
        match device.with(|d| {
            if d.address().is_some() {
                plan(d, timing)
            } else {
                Ok(None)
            }
        }) {
            Ok(Some(plan)) => {
                tokio::select! {
                    _ = session(&device, &plan, &stats) => {}
                    _ = left => {}
                }
            }
            Ok(None) => {
                set_error(&stats, None);
                let _ = left.await;
            }
            Err(error) => {
                tracing::warn!(%error, "MQTT enabled but not usable; no client until the settings change");
                set_error(&stats, Some(error.into()));
                let _ = left.await;
            }
        }
        stats.connected.store(false, Ordering::Relaxed);
    }
}

fn info_packet(device: &SimDevice) -> InfoPacket {
    device.with(|d| InfoPacket {
        name: d.name().to_string(),
        ip: d.reported_ip().parse().unwrap_or(Ipv4Addr::UNSPECIFIED),
        mac: d.mac_string(),
        devtype: "JE08".to_string(),
        subtype: "WATT METER".to_string(),
        version: Version(d.esp_version),
    })
}

/// One boot's connection: connect (retrying), publish, obey commands.
async fn session(device: &SimDevice, plan: &SessionPlan, stats: &Arc<SimMqttStats>) {
    let publish_topic = plan.publish_topic.clone();
    let subscribe = vec![(plan.subscribe_topic.clone(), QoS::AtLeastOnce)];
    let link = Link::new(plan.link.clone(), subscribe);
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
                set_error(&stats, None);
                if logged.take().is_some() {
                    tracing::info!("MQTT connected again");
                }
            }
            LinkEvent::Down { error, retry_in } => {
                stats.connected.store(false, Ordering::Relaxed);
                stats.reconnects.fetch_add(1, Ordering::Relaxed);
                set_error(&stats, Some(error.clone()));
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
        tokio::time::Instant::now() + plan.interval,
        plan.interval.max(Duration::from_millis(10)),
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
