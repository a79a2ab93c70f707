//! The commissioning MQTT check: does a meter's INFO and DATA reach the
//! broker? Subscribe to the meter's publish topic, ask for INFO and DATA on
//! its subscribe topic, and wait (within a deadline) for both to arrive.

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

use crate::i18n::{Describe, Msg, Tr};
use je08_client::mqtt::{Monitor, MonitorEvent, MonitorOptions, SendError};
use je08_net::backoff::BackoffPolicy;
use je08_net::mqtt_link::{BrokerLogin, LinkError, LinkOptions, LinkTiming, RECONNECT, SetupError};
use je08_protocol::mqtt::{
    Command, DEFAULT_PUBLISH_TOPIC, DEFAULT_SUBSCRIBE_TOPIC, DecodeError, render_topic,
};

/// Where to look for one meter.
#[derive(Debug, Clone)]
pub struct MqttTarget {
    /// Device id.
    pub id: u32,
    /// Its publish topic (template with `{id}` or rendered).
    pub publish_topic: String,
    /// Its subscribe topic (template with `{id}` or rendered).
    pub subscribe_topic: String,
}

impl MqttTarget {
    /// A meter with the default topics of spec §3.
    pub fn with_default_topics(id: u32) -> Self {
        Self {
            id,
            publish_topic: DEFAULT_PUBLISH_TOPIC.to_owned(),
            subscribe_topic: DEFAULT_SUBSCRIBE_TOPIC.to_owned(),
        }
    }
}

/// What the MQTT check saw for one meter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MqttCheck {
    /// Broker URL.
    pub broker: String,
    /// Topic watched.
    pub topic: String,
    /// An INFO packet arrived.
    pub info_seen: bool,
    /// A DATA packet arrived.
    pub data_seen: bool,
    /// Seconds until both arrived (when they did).
    pub within_s: Option<f64>,
    /// Why the check could not run or what is missing.
    #[serde(serialize_with = "english")]
    pub problem: Option<MqttProblem>,
}

/// Why an MQTT check did not see the meter's packets.
#[derive(Debug, Clone, PartialEq)]
pub enum MqttProblem {
    /// The check's own client could not be set up.
    Setup(SetupError),
    /// The broker was not reached.
    NotReached(SendError),
    /// A command to the meter was not delivered.
    NotDelivered(SendError),
    /// A payload on the meter's topic is not a JE08 packet.
    Malformed(DecodeError),
    /// INFO or DATA (or both) did not arrive in time.
    Missing {
        /// INFO arrived.
        info: bool,
        /// DATA arrived.
        data: bool,
        /// The deadline, seconds.
        seconds: u64,
        /// What else went wrong meanwhile.
        because: Option<Box<MqttProblem>>,
    },
}

impl Describe for MqttProblem {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Setup(err) => tr.f(Msg::MqttCheckSetup, &[&err.describe(tr)]),
            Self::NotReached(err) => tr.f(Msg::MqttCheckNotReached, &[&err.describe(tr)]),
            Self::NotDelivered(err) => tr.f(Msg::MqttCheckNotDelivered, &[&err.describe(tr)]),
            Self::Malformed(err) => tr.f(Msg::MqttCheckMalformed, &[&err.describe(tr)]),
            Self::Missing {
                info,
                data,
                seconds,
                because,
            } => {
                let missing = match (info, data) {
                    (false, false) => Msg::MqttCheckNoInfoNoData,
                    (false, true) => Msg::MqttCheckNoInfo,
                    _ => Msg::MqttCheckNoData,
                };
                let why = tr.f(missing, &[&seconds.to_string()]);
                match because {
                    Some(because) => format!("{why} ({})", because.describe(tr)),
                    None => why,
                }
            }
        }
    }
}

impl Describe for MqttCheck {
    /// One line for people: seen within how long, or not and why.
    fn describe(&self, tr: Tr) -> String {
        if self.seen() {
            tr.f(
                Msg::RepMqttSeen,
                &[
                    &self.topic,
                    &self.broker,
                    &format!("{:.1}", self.within_s.unwrap_or_default()),
                ],
            )
        } else {
            let why = self
                .problem
                .as_ref()
                .map_or_else(|| tr.t(Msg::RepNoPacket).to_owned(), |p| p.describe(tr));
            tr.f(Msg::RepMqttNotSeen, &[&self.topic, &self.broker, &why])
        }
    }
}

je08_protocol::english_display!(MqttProblem, MqttCheck);

/// A problem on the wire (JSON) is its English sentence.
fn english<S: serde::Serializer>(problem: &Option<MqttProblem>, s: S) -> Result<S::Ok, S::Error> {
    match problem {
        Some(problem) => s.collect_str(problem),
        None => s.serialize_none(),
    }
}

impl MqttProblem {
    /// The broker link's own error behind this problem, when there is one.
    pub fn link_error(&self) -> Option<&LinkError> {
        match self {
            Self::NotReached(SendError::NotConnected(Some(err)))
            | Self::NotDelivered(SendError::NotConnected(Some(err))) => Some(err),
            Self::Missing {
                because: Some(because),
                ..
            } => because.link_error(),
            _ => None,
        }
    }
}

impl MqttCheck {
    /// INFO and DATA both arrived.
    pub fn seen(&self) -> bool {
        self.info_seen && self.data_seen
    }
}

/// The check's own client: a fresh client id, reconnects capped at 10 s.
fn link(login: BrokerLogin) -> Result<LinkOptions, SetupError> {
    let client_id = format!("je08-report-{:08x}", rand::random::<u32>());
    let timing = LinkTiming {
        reconnect: BackoffPolicy {
            cap: Duration::from_secs(10),
            ..RECONNECT
        },
        ..LinkTiming::default()
    };
    LinkOptions::builder(login, client_id).timing(timing).build()
}

/// Log in with `login`, request INFO and DATA from the meter and wait up to
/// `deadline` for both on its publish topic.
pub async fn check_meter(login: BrokerLogin, target: &MqttTarget, deadline: Duration) -> MqttCheck {
    let id = target.id.to_string();
    let topic = render_topic(&target.publish_topic, &id);
    let mut result = MqttCheck {
        broker: login.broker.to_string(),
        topic: topic.clone(),
        info_seen: false,
        data_seen: false,
        within_s: None,
        problem: None,
    };
    let link = match link(login) {
        Ok(link) => link,
        Err(e) => {
            result.problem = Some(MqttProblem::Setup(e));
            return result;
        }
    };
    let mut options = MonitorOptions::new(link);
    options.filter = Some(topic.clone());
    options.command_topic = render_topic(&target.subscribe_topic, &id);
    options.history = 1;
    options.max_meters = 4;
    let monitor = Monitor::start(options);
    let start = Instant::now();
    let mut events = monitor.subscribe();
    if let Err(e) = monitor.wait_connected(deadline).await {
        result.problem = Some(MqttProblem::NotReached(e));
        return result;
    }
    // The subscription was queued at ConnAck, before these publishes.
    let left = deadline.saturating_sub(start.elapsed());
    for command in [Command::GetInfo, Command::GetData] {
        if let Err(e) = monitor.send(&topic, command, left).await {
            result.problem = Some(MqttProblem::NotDelivered(e));
        }
    }
    let waited = tokio::time::timeout(deadline.saturating_sub(start.elapsed()), async {
        loop {
            match events.recv().await {
                Ok(MonitorEvent::Info { id, .. }) if id == topic => result.info_seen = true,
                Ok(MonitorEvent::Data { id, .. }) if id == topic => result.data_seen = true,
                Ok(MonitorEvent::Malformed { error, .. }) => {
                    result.problem = Some(MqttProblem::Malformed(error));
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            if result.seen() {
                return;
            }
        }
    })
    .await;
    if waited.is_ok() && result.seen() {
        result.within_s = Some(start.elapsed().as_secs_f64());
        result.problem = None;
    } else {
        result.problem = Some(MqttProblem::Missing {
            info: result.info_seen,
            data: result.data_seen,
            seconds: deadline.as_secs_f64().round() as u64,
            because: result.problem.take().map(Box::new),
        });
    }
    result
}
