//! The MQTT side of the app: one broker monitor at a time (from
//! `je08_client::mqtt`), its fleet forwarded to the UI as coalesced
//! snapshots, meters seen only through DATA asked for their INFO once, and
//! commands sent with QoS 1 as cancellable jobs.

use std::time::{Duration, Instant};

use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use super::{Event, EventSink, JobFailure, JobId, JobOutcome};
use je08_client::mqtt::{INFO_PACE, MeterView, Monitor, MonitorEvent, MonitorOptions, ask_unknown_meters};
use je08_net::mqtt_link::{BrokerLogin, CredentialFiles, LinkError, LinkOptions, SetupError};
use je08_protocol::mqtt::{BrokerUrl, Command as MqttCommand};

/// What the UI shows about the broker.
#[derive(Debug, Clone)]
pub struct FleetUpdate {
    /// Connected right now.
    pub connected: bool,
    /// The last connection error (the window words it in its language).
    pub error: Option<LinkError>,
    /// Every meter the broker carries, sorted by id.
    pub meters: Vec<MeterView>,
    /// When this snapshot was taken (ages in `meters` are relative to it).
    pub at: Instant,
}

/// The monitor's options: `credentials` read and checked for `broker`, as
/// this window's client. Reads the PEM files: the dispatcher runs it with
/// `spawn_blocking`, so that a slow file system stalls only this.
pub fn options(broker: BrokerUrl, credentials: &CredentialFiles) -> Result<MonitorOptions, SetupError> {
    tracing::info!(%broker, user = ?credentials.user, "connecting to MQTT broker");
    let login = BrokerLogin::load(broker, credentials)?;
    let client_id = format!("je08-configurator-{}", std::process::id());
    Ok(MonitorOptions::new(
        LinkOptions::builder(login, client_id).build()?,
    ))
}

/// A running broker connection.
pub struct MqttSession {
    monitor: std::sync::Arc<Monitor>,
    stop: CancellationToken,
}

impl MqttSession {
    /// Connect (in the background) with `options` (see [`options`]) and
    /// forward fleet updates to `sink`.
    pub fn start(options: MonitorOptions, sink: EventSink) -> Self {
        let monitor = std::sync::Arc::new(Monitor::start(options));
        let stop = CancellationToken::new();
        tokio::spawn(forward(monitor.clone(), sink, stop.clone()));
        // A meter first seen through DATA is asked who it is, once.
        let (asking, until) = (monitor.clone(), stop.clone());
        tokio::spawn(async move {
            until
                .run_until_cancelled(ask_unknown_meters(asking, INFO_PACE))
                .await
        });
        Self { monitor, stop }
    }

    /// Send every meter seen on the broker (DATA, INFO) to discovery, until
    /// the session ends.
    pub fn forward_sightings(&self, sightings: tokio::sync::mpsc::Sender<je08_client::discovery::Sighting>) {
        let (events, stop) = (self.monitor.subscribe(), self.stop.clone());
        tokio::spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = je08_client::discovery::mqtt::forward_monitor(events, sightings) => {}
            }
        });
    }

    /// Publish a command to meter `id` and report the broker's acknowledgement.
    pub fn send(
        &self,
        job: JobId,
        id: String,
        command: MqttCommand,
        token: CancellationToken,
        sink: EventSink,
    ) {
        let monitor = self.monitor.clone();
        tokio::spawn(async move {
            let outcome = tokio::select! {
                () = token.cancelled() => JobOutcome::Cancelled,
                r = monitor.send(&id, command, Duration::from_secs(5)) => match r {
                    Ok(()) => JobOutcome::Done(None),
                    Err(err) => JobOutcome::Failed(JobFailure::MqttSend(err)),
                },
            };
            sink.send(Event::Finished { job, outcome });
        });
    }
}

impl Drop for MqttSession {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn update(monitor: &Monitor) -> FleetUpdate {
    FleetUpdate {
        connected: monitor.connected(),
        error: monitor.last_error(),
        meters: monitor.meters(),
        at: Instant::now(),
    }
}

/// Coalesce monitor events into at most a few UI updates per second.
async fn forward(monitor: std::sync::Arc<Monitor>, sink: EventSink, stop: CancellationToken) {
    let mut events = monitor.subscribe();
    sink.send(Event::Mqtt(update(&monitor)));
    loop {
        let first = tokio::select! {
            () = stop.cancelled() => return,
            e = events.recv() => e,
        };
        if let Err(RecvError::Closed) = first {
            return;
        }
        let quiet = matches!(first, Ok(MonitorEvent::Data { .. } | MonitorEvent::Info { .. }));
        if quiet {
            // Let a burst of packets arrive before redrawing.
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
            while events.try_recv().is_ok() {}
        }
        sink.send(Event::Mqtt(update(&monitor)));
    }
}
