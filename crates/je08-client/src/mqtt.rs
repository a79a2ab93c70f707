//! The configurator's MQTT monitor: watches a fleet of meters through a
//! broker and sends them commands.
//!
//! It subscribes to a filter (default `je08/+/data`), decodes DATA into the
//! shared readings model and INFO into device identity, and keeps per meter
//! the latest values, a bounded history and a freshness estimate (the
//! publishing interval is inferred from arrivals; a meter is stale after 3
//! missed intervals). Memory is bounded under any flood: at most
//! `max_meters` meters (newcomers beyond that are counted and ignored) and
//! `history` packets per meter, and a message stored only when its topic
//! names a meter: at most [`MAX_TOPIC_BYTES`] long and, when the filter has
//! a `+`, with a device id there (decimal, at most [`MAX_ID_DIGITS`]
//! digits). Other messages are counted as malformed and logged once.
//! Consumers read a bounded broadcast channel and lose the oldest events
//! when they lag. A malformed payload is counted, and logged once per
//! meter, never per message.
//!
//! Commands go to the meter's subscribe topic (default `je08/<id>/cmd`) with
//! QoS 1; [`Monitor::send`] returns once the broker acknowledged, and never
//! retries on its own.

mod ask_info;
pub use ask_info::{INFO_PACE, MAX_ASKED, ask_unknown_meters};

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rumqttc::{AsyncClient, QoS};
use serde::Serialize;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

use super::texts::ClientMsg;
use je08_net::mqtt_link::{Link, LinkError, LinkEvent, LinkOptions, LinkStats};
use je08_protocol::i18n::{Describe, Tr};
use je08_protocol::mqtt::{
    Command, DEFAULT_DATA_FILTER, DEFAULT_SUBSCRIBE_TOPIC, DataPacket, DecodeError, InfoPacket, Message,
    decode_message, id_from_topic, render_topic,
};

/// How to watch a fleet.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    /// Broker, credentials, TLS.
    pub link: LinkOptions,
    /// Topic filter to watch (`None`: only send commands).
    pub filter: Option<String>,
    /// Command topic template; `{id}` is replaced by the meter id.
    pub command_topic: String,
    /// Most meters tracked at once.
    pub max_meters: usize,
    /// DATA packets kept per meter.
    pub history: usize,
    /// Events buffered for slow consumers before the oldest are dropped.
    pub event_buffer: usize,
}

impl MonitorOptions {
    /// Defaults: filter `je08/+/data`, commands to `je08/{id}/cmd`, 10 000
    /// meters, 32 packets of history each.
    pub fn new(link: LinkOptions) -> Self {
        Self {
            link,
            filter: Some(DEFAULT_DATA_FILTER.to_string()),
            command_topic: DEFAULT_SUBSCRIBE_TOPIC.to_string(),
            max_meters: 10_000,
            history: 32,
            event_buffer: 4096,
        }
    }
}

/// Whether a meter is publishing as often as it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// Heard from within 3 intervals.
    Fresh,
    /// Silent for more than 3 intervals.
    Stale,
}

/// Longest topic a message is stored under, in bytes: a meter's topic
/// setting holds at most 256 bytes, and its `{id}` adds at most 6.
pub const MAX_TOPIC_BYTES: usize = 262;
/// Most digits of a device id (HIGH × 65536 + LOW, a 32-bit number).
pub const MAX_ID_DIGITS: usize = 10;

/// The interval assumed until two DATA packets have arrived (spec §3 default).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// Missed intervals after which a meter is stale.
pub const STALE_AFTER_INTERVALS: u32 = 3;
const GAPS_KEPT: usize = 8;

/// One DATA packet with its arrival time.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// Arrival time at the monitor.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The decoded packet.
    #[serde(serialize_with = "serialize_shared")]
    pub data: Arc<DataPacket>,
}

fn serialize_shared<S: serde::Serializer>(data: &Arc<DataPacket>, s: S) -> Result<S::Ok, S::Error> {
    data.as_ref().serialize(s)
}

/// What the monitor knows about one meter.
#[derive(Debug)]
struct MeterState {
    topic: String,
    info: Option<InfoPacket>,
    history: VecDeque<Sample>,
    last_seen: Instant,
    last_data: Option<Instant>,
    gaps: VecDeque<Duration>,
    messages: u64,
    malformed: u64,
}

impl MeterState {
    fn interval(&self) -> Option<Duration> {
        if self.gaps.is_empty() {
            return None;
        }
        let mut sorted: Vec<Duration> = self.gaps.iter().copied().collect();
        sorted.sort();
        Some(sorted[sorted.len() / 2])
    }
}

/// A copy of one meter's state for display.
#[derive(Debug, Clone, Serialize)]
pub struct MeterView {
    /// Meter id (the topic level matched by `+`).
    pub id: String,
    /// Topic of the last message.
    pub topic: String,
    /// Latest DATA.
    pub latest: Option<Sample>,
    /// Identity, once an INFO arrived.
    pub info: Option<InfoPacket>,
    /// Inferred publishing interval (median of recent gaps), seconds.
    pub interval_s: Option<f64>,
    /// Seconds since the last message.
    pub age_s: f64,
    /// Fresh or stale.
    pub freshness: Freshness,
    /// Messages received.
    pub messages: u64,
    /// Malformed payloads received.
    pub malformed: u64,
}

/// Something the monitor saw, for live views (`je08 mqtt watch`).
#[derive(Debug, Clone)]
pub enum MonitorEvent {
    /// A DATA packet.
    Data {
        /// Meter id.
        id: String,
        /// Topic it came on.
        topic: String,
        /// The sample.
        sample: Sample,
    },
    /// An INFO packet.
    Info {
        /// Meter id.
        id: String,
        /// Topic it came on.
        topic: String,
        /// When it arrived.
        at: chrono::DateTime<chrono::Utc>,
        /// The identity.
        info: InfoPacket,
    },
    /// The first malformed payload of a meter (later ones are only counted).
    Malformed {
        /// Meter id.
        id: String,
        /// Topic.
        topic: String,
        /// What is wrong.
        error: DecodeError,
    },
    /// Connected (or reconnected) to the broker.
    Connected,
    /// The connection is down; the monitor retries by itself.
    Down {
        /// Why.
        error: LinkError,
        /// Delay before the next attempt.
        retry_in: Duration,
    },
}

/// Why a command could not be delivered; said in words by its [`Describe`]
/// (its English is its `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Not connected to the broker right now (and why, when known).
    NotConnected(Option<LinkError>),
    /// The request queue towards the broker is full.
    Busy,
    /// No acknowledgement from the broker in time; the command may or may not have arrived and is not resent.
    NoAck {
        /// Command.
        command: Command,
        /// Meter.
        id: String,
        /// Deadline.
        secs: u64,
    },
    /// The connection dropped while waiting for the acknowledgement.
    Lost {
        /// Command.
        command: Command,
        /// Meter.
        id: String,
    },
}

impl Describe for SendError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::NotConnected(None) => tr.t(ClientMsg::MqttNotConnected).to_owned(),
            Self::NotConnected(Some(why)) => tr.f(ClientMsg::MqttNotConnectedBecause, &[&why.describe(tr)]),
            Self::Busy => tr.t(ClientMsg::MqttBusy).to_owned(),
            Self::NoAck { command, id, secs } => tr.f(
                ClientMsg::MqttNoAck,
                &[&command.to_string(), id, &secs.to_string()],
            ),
            Self::Lost { command, id } => tr.f(ClientMsg::MqttLost, &[&command.to_string(), id]),
        }
    }
}

je08_protocol::english_display!(errors: SendError);

/// Counters over the monitor's life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MonitorCounters {
    /// Messages received on the filter.
    pub messages: u64,
    /// Payloads that were not valid JE08 packets, and messages on topics
    /// that name no meter (too long, or no device id where the filter's `+`
    /// is).
    pub malformed: u64,
    /// Messages from new meters ignored because `max_meters` was reached.
    pub ignored_over_cap: u64,
    /// Failed connection attempts and lost connections.
    pub reconnects: u64,
    /// Accepted connections.
    pub connects: u64,
}

#[derive(Debug)]
struct Waiter {
    pkid: Option<u16>,
    done: oneshot::Sender<Result<(), ()>>,
}

#[derive(Debug)]
struct Shared {
    filter: Option<String>,
    max_meters: usize,
    history: usize,
    meters: Mutex<HashMap<String, MeterState>>,
    messages: AtomicU64,
    malformed: AtomicU64,
    ignored: AtomicU64,
    cap_logged: std::sync::atomic::AtomicBool,
    topic_logged: std::sync::atomic::AtomicBool,
    last_error: Mutex<Option<LinkError>>,
    waiter: Mutex<Option<Waiter>>,
    events: broadcast::Sender<MonitorEvent>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poison| poison.into_inner())
}

impl Shared {
    /// Nothing seen yet; events go to `events`.
    fn new(
        filter: Option<String>,
        max_meters: usize,
        history: usize,
        events: broadcast::Sender<MonitorEvent>,
    ) -> Self {
        Self {
            filter,
            max_meters,
            history,
            meters: Mutex::default(),
            messages: AtomicU64::new(0),
            malformed: AtomicU64::new(0),
            ignored: AtomicU64::new(0),
            cap_logged: Default::default(),
            topic_logged: Default::default(),
            last_error: Mutex::default(),
            waiter: Mutex::default(),
            events,
        }
    }

    /// The meter `topic` is about, when it names one.
    fn meter_id<'t>(&self, topic: &'t str) -> Option<&'t str> {
        if topic.len() > MAX_TOPIC_BYTES {
            return None;
        }
        let Some(filter) = &self.filter else {
            return Some(topic);
        };
        let Some(id) = id_from_topic(filter, topic) else {
            return Some(topic);
        };
        let by_level = filter.split('/').any(|level| level == "+");
        if by_level && !is_device_id(id) {
            return None;
        }
        Some(id)
    }

    fn on_message(&self, topic: &str, payload: &[u8]) {
        self.messages.fetch_add(1, Ordering::Relaxed);
        let Some(id) = self.meter_id(topic) else {
            self.malformed.fetch_add(1, Ordering::Relaxed);
            if !self.topic_logged.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    topic = %topic.chars().take(80).collect::<String>(),
                    "a topic that names no meter (further ones are only counted as malformed)"
                );
            }
            return;
        };
        let decoded = decode_message(payload);
        let now = Instant::now();
        let at = chrono::Utc::now();
        let event = {
            let mut meters = lock(&self.meters);
            if !meters.contains_key(id) {
                if meters.len() >= self.max_meters {
                    self.ignored.fetch_add(1, Ordering::Relaxed);
                    if !self.cap_logged.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            max = self.max_meters,
                            "meter limit reached; further new meters are ignored"
                        );
                    }
                    return;
                }
                meters.insert(
                    id.to_string(),
                    MeterState {
                        topic: topic.to_string(),
                        info: None,
                        history: VecDeque::with_capacity(self.history.min(64)),
                        last_seen: now,
                        last_data: None,
                        gaps: VecDeque::with_capacity(GAPS_KEPT),
                        messages: 0,
                        malformed: 0,
                    },
                );
            }
            let Some(meter) = meters.get_mut(id) else { return };
            meter.messages += 1;
            meter.last_seen = now;
            if meter.topic != topic {
                meter.topic = topic.to_string();
            }
            match decoded {
                Ok(Message::Data(packet)) => {
                    if let Some(prev) = meter.last_data.replace(now) {
                        if meter.gaps.len() == GAPS_KEPT {
                            meter.gaps.pop_front();
                        }
                        meter.gaps.push_back(now - prev);
                    }
                    let sample = Sample {
                        at,
                        data: Arc::from(packet),
                    };
                    if self.history > 0 {
                        if meter.history.len() >= self.history {
                            meter.history.pop_front();
                        }
                        meter.history.push_back(sample.clone());
                    }
                    Some(MonitorEvent::Data {
                        id: id.to_string(),
                        topic: topic.to_string(),
                        sample,
                    })
                }
                Ok(Message::Info(info)) => {
                    meter.info = Some(info.clone());
                    Some(MonitorEvent::Info {
                        id: id.to_string(),
                        topic: topic.to_string(),
                        at,
                        info,
                    })
                }
                Ok(Message::Command(_)) => None,
                Err(error) => {
                    meter.malformed += 1;
                    self.malformed.fetch_add(1, Ordering::Relaxed);
                    (meter.malformed == 1).then(|| {
                        tracing::info!(meter = id, %topic, %error, "malformed payload (further ones from this meter are only counted)");
                        MonitorEvent::Malformed {
                            id: id.to_string(),
                            topic: topic.to_string(),
                            error,
                        }
                    })
                }
            }
        };
        if let Some(event) = event {
            // No receiver is fine: events are for live views only.
            let _ = self.events.send(event);
        }
    }

    fn on_link(&self, event: LinkEvent<'_>) {
        match event {
            LinkEvent::Connected(_) => {
                *lock(&self.last_error) = None;
                let _ = self.events.send(MonitorEvent::Connected);
            }
            LinkEvent::Message(p) => self.on_message(&p.topic, &p.payload),
            LinkEvent::Sent(pkid) => {
                if let Some(w) = lock(&self.waiter).as_mut()
                    && w.pkid.is_none()
                {
                    w.pkid = Some(pkid);
                }
            }
            LinkEvent::Acked(pkid) => {
                let mut waiter = lock(&self.waiter);
                if waiter.as_ref().is_some_and(|w| w.pkid == Some(pkid))
                    && let Some(w) = waiter.take()
                {
                    let _ = w.done.send(Ok(()));
                }
            }
            LinkEvent::Down { error, retry_in } => {
                if let Some(w) = lock(&self.waiter).take() {
                    let _ = w.done.send(Err(()));
                }
                let changed = lock(&self.last_error).replace(error.clone()).as_ref() != Some(error);
                if changed {
                    tracing::info!(%error, "MQTT connection down; retrying with backoff");
                }
                let _ = self.events.send(MonitorEvent::Down {
                    error: error.clone(),
                    retry_in,
                });
            }
        }
    }
}

/// A running monitor; the connection closes when it is dropped.
#[derive(Debug)]
pub struct Monitor {
    shared: Arc<Shared>,
    client: AsyncClient,
    stats: Arc<LinkStats>,
    command_topic: String,
    send_lock: tokio::sync::Mutex<()>,
    task: JoinHandle<()>,
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Monitor {
    /// Start watching; returns at once (the connection is made in the
    /// background and retried with backoff).
    pub fn start(options: MonitorOptions) -> Self {
        let subscriptions = options
            .filter
            .iter()
            .map(|f| (f.clone(), QoS::AtMostOnce))
            .collect();
        let link = Link::new(options.link, subscriptions);
        let (events, _) = broadcast::channel(options.event_buffer.max(1));
        let shared = Arc::new(Shared::new(
            options.filter,
            options.max_meters,
            options.history,
            events,
        ));
        let stats = link.stats();
        let client = link.client.clone();
        let run_shared = shared.clone();
        let task = tokio::spawn(link.run(move |event| run_shared.on_link(event)));
        Self {
            shared,
            client,
            stats,
            command_topic: options.command_topic,
            send_lock: tokio::sync::Mutex::new(()),
            task,
        }
    }

    /// Live events (bounded; a slow reader loses the oldest).
    pub fn subscribe(&self) -> broadcast::Receiver<MonitorEvent> {
        self.shared.events.subscribe()
    }

    /// Whether the broker currently accepts us.
    pub fn connected(&self) -> bool {
        self.stats.connected()
    }

    /// The last connection error, cleared on reconnection.
    pub fn last_error(&self) -> Option<LinkError> {
        lock(&self.shared.last_error).clone()
    }

    /// Wait until connected, or until `deadline`; returns the last error on
    /// timeout.
    pub async fn wait_connected(&self, deadline: Duration) -> Result<(), SendError> {
        let end = Instant::now() + deadline;
        let mut events = self.subscribe();
        while !self.connected() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(SendError::NotConnected(self.last_error()));
            }
            // Woken by any event; the poll below bounds the wait if none comes.
            let _ = tokio::time::timeout(left.min(Duration::from_millis(200)), events.recv()).await;
        }
        Ok(())
    }

    /// Counters since start.
    pub fn counters(&self) -> MonitorCounters {
        MonitorCounters {
            messages: self.shared.messages.load(Ordering::Relaxed),
            malformed: self.shared.malformed.load(Ordering::Relaxed),
            ignored_over_cap: self.shared.ignored.load(Ordering::Relaxed),
            reconnects: self.stats.reconnects(),
            connects: self.stats.connects(),
        }
    }

    /// Every tracked meter, sorted by id.
    pub fn meters(&self) -> Vec<MeterView> {
        let now = Instant::now();
        let meters = lock(&self.shared.meters);
        let mut views: Vec<MeterView> = meters.iter().map(|(id, m)| view(id, m, now)).collect();
        views.sort_by(|a, b| a.id.cmp(&b.id));
        views
    }

    /// One meter's state.
    pub fn meter(&self, id: &str) -> Option<MeterView> {
        lock(&self.shared.meters)
            .get(id)
            .map(|m| view(id, m, Instant::now()))
    }

    /// One meter's DATA history, oldest first.
    pub fn history(&self, id: &str) -> Vec<Sample> {
        lock(&self.shared.meters)
            .get(id)
            .map(|m| m.history.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Publish `command` to meter `id` (QoS 1) and wait for the broker's
    /// acknowledgement within `deadline`. Never retried.
    pub async fn send(&self, id: &str, command: Command, deadline: Duration) -> Result<(), SendError> {
        let _one_at_a_time = self.send_lock.lock().await;
        if !self.connected() {
            return Err(SendError::NotConnected(self.last_error()));
        }
        let (tx, rx) = oneshot::channel();
        *lock(&self.shared.waiter) = Some(Waiter { pkid: None, done: tx });
        let topic = render_topic(&self.command_topic, id);
        if self
            .client
            .try_publish(topic, QoS::AtLeastOnce, false, command.payload())
            .is_err()
        {
            lock(&self.shared.waiter).take();
            return Err(SendError::Busy);
        }
        let outcome = tokio::time::timeout(deadline, rx).await;
        lock(&self.shared.waiter).take();
        match outcome {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(_) => Err(SendError::Lost {
                command,
                id: id.to_string(),
            }),
            Err(_) => Err(SendError::NoAck {
                command,
                id: id.to_string(),
                secs: deadline.as_secs(),
            }),
        }
    }
}

/// Whether `id` is a device id as a meter writes it in its topics: decimal
/// digits only, at most [`MAX_ID_DIGITS`] of them, within 32 bits.
fn is_device_id(id: &str) -> bool {
    id.len() <= MAX_ID_DIGITS && id.bytes().all(|b| b.is_ascii_digit()) && id.parse::<u32>().is_ok()
}

fn view(id: &str, m: &MeterState, now: Instant) -> MeterView {
    let interval = m.interval();
    let age = now.saturating_duration_since(m.last_seen);
    let limit = interval.unwrap_or(DEFAULT_INTERVAL) * STALE_AFTER_INTERVALS;
    MeterView {
        id: id.to_string(),
        topic: m.topic.clone(),
        latest: m.history.back().cloned(),
        info: m.info.clone(),
        interval_s: interval.map(|d| d.as_secs_f64()),
        age_s: age.as_secs_f64(),
        freshness: if age > limit {
            Freshness::Stale
        } else {
            Freshness::Fresh
        },
        messages: m.messages,
        malformed: m.malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::codec::RegisterBlock;
    use je08_protocol::mqtt::encode_data;

    fn shared(max_meters: usize, history: usize) -> Shared {
        Shared::new(
            Some(DEFAULT_DATA_FILTER.into()),
            max_meters,
            history,
            broadcast::channel(16).0,
        )
    }

    #[test]
    fn memory_stays_bounded_under_a_flood() {
        let s = shared(100, 4);
        let data = encode_data(&RegisterBlock::default());
        for i in 0..1000 {
            for _ in 0..10 {
                s.on_message(&format!("je08/{i}/data"), data.as_bytes());
            }
        }
        let meters = lock(&s.meters);
        assert_eq!(meters.len(), 100);
        assert!(
            meters
                .values()
                .all(|m| m.history.len() == 4 && m.gaps.len() <= GAPS_KEPT)
        );
        assert_eq!(s.ignored.load(Ordering::Relaxed), 900 * 10);
    }

    #[test]
    fn topics_that_name_no_meter_are_counted_not_stored() {
        let s = shared(100, 4);
        let data = encode_data(&RegisterBlock::default());
        let long = "9".repeat(300);
        for topic in [
            "je08/kitchen/data".to_owned(),
            "je08/12345678901/data".to_owned(),
            "je08/4294967296/data".to_owned(),
            "je08/-7/data".to_owned(),
            "je08//data".to_owned(),
            format!("je08/{long}/data"),
        ] {
            s.on_message(&topic, data.as_bytes());
        }
        assert!(lock(&s.meters).is_empty());
        assert_eq!(s.malformed.load(Ordering::Relaxed), 6);
        s.on_message("je08/4294967295/data", data.as_bytes());
        assert_eq!(lock(&s.meters).keys().collect::<Vec<_>>(), ["4294967295"]);

        // Without a `+` the topic is the meter, within the length cap.
        let exact = Shared::new(Some("site/panel/data".into()), 10, 4, broadcast::channel(16).0);
        exact.on_message("site/panel/data", data.as_bytes());
        assert_eq!(
            lock(&exact.meters).keys().collect::<Vec<_>>(),
            ["site/panel/data"]
        );
    }

    #[test]
    fn malformed_payloads_are_counted_and_reported_once_per_meter() {
        let s = shared(10, 4);
        let mut rx = s.events.subscribe();
        for _ in 0..5 {
            s.on_message("je08/7/data", b"garbage");
        }
        s.on_message("je08/8/data", b"{\"DATA\":{}}");
        assert_eq!(s.malformed.load(Ordering::Relaxed), 6);
        assert_eq!(lock(&s.meters)["7"].malformed, 5);
        let mut reports = 0;
        while let Ok(e) = rx.try_recv() {
            assert!(matches!(e, MonitorEvent::Malformed { .. }));
            reports += 1;
        }
        assert_eq!(reports, 2);
    }

    #[test]
    fn freshness_uses_the_inferred_interval() {
        let now = Instant::now();
        let mut m = MeterState {
            topic: "je08/1/data".into(),
            info: None,
            history: VecDeque::new(),
            last_seen: now,
            last_data: Some(now),
            gaps: [1, 1, 1, 30, 1].iter().map(|s| Duration::from_secs(*s)).collect(),
            messages: 6,
            malformed: 0,
        };
        assert_eq!(m.interval(), Some(Duration::from_secs(1)));
        assert_eq!(
            view("1", &m, now + Duration::from_secs(2)).freshness,
            Freshness::Fresh
        );
        assert_eq!(
            view("1", &m, now + Duration::from_secs(4)).freshness,
            Freshness::Stale
        );
        m.gaps.clear();
        // Unknown interval: the spec's default of 5 s applies.
        assert_eq!(
            view("1", &m, now + Duration::from_secs(14)).freshness,
            Freshness::Fresh
        );
        assert_eq!(
            view("1", &m, now + Duration::from_secs(16)).freshness,
            Freshness::Stale
        );
    }
}
