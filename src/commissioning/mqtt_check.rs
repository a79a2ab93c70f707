//! The commissioning MQTT check: does a meter's INFO and DATA reach the
//! broker? Subscribe to the meter's publish topic, ask for INFO and DATA on
//! its subscribe topic, and wait (within a deadline) for both to arrive.

use je08_net::backoff::BackoffPolicy;
use je08_net::mqtt_link::RECONNECT;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

use je08_client::mqtt::{Monitor, MonitorEvent, MonitorOptions};
use je08_net::mqtt_link::{BrokerLogin, LinkOptions, LinkTiming, SetupError};
use je08_protocol::mqtt::{Command, DEFAULT_PUBLISH_TOPIC, DEFAULT_SUBSCRIBE_TOPIC, render_topic};

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
    pub problem: Option<String>,
}

impl MqttCheck {
    /// INFO and DATA both arrived.
    pub fn seen(&self) -> bool {
        self.info_seen && self.data_seen
    }

    /// One line for people.
    pub fn summary(&self) -> String {
        if self.seen() {
            format!(
                "seen: INFO and DATA on {} via {} within {:.1} s",
                self.topic,
                self.broker,
                self.within_s.unwrap_or_default()
            )
        } else {
            format!(
                "NOT seen on {} via {}: {}",
                self.topic,
                self.broker,
                self.problem.as_deref().unwrap_or("no packet")
            )
        }
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
            result.problem = Some(format!("cannot start the MQTT client: {e}"));
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
        result.problem = Some(format!("broker not reached: {e}"));
        return result;
    }
    // The subscription was queued at ConnAck, before these publishes.
    let left = deadline.saturating_sub(start.elapsed());
    for command in [Command::GetInfo, Command::GetData] {
        if let Err(e) = monitor.send(&topic, command, left).await {
            result.problem = Some(format!("command not delivered: {e}"));
        }
    }
    let waited = tokio::time::timeout(deadline.saturating_sub(start.elapsed()), async {
        loop {
            match events.recv().await {
                Ok(MonitorEvent::Info { id, .. }) if id == topic => result.info_seen = true,
                Ok(MonitorEvent::Data { id, .. }) if id == topic => result.data_seen = true,
                Ok(MonitorEvent::Malformed { error, .. }) => {
                    result.problem = Some(format!("malformed payload: {error}"));
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
        let missing: Vec<&str> = [("INFO", result.info_seen), ("DATA", result.data_seen)]
            .into_iter()
            .filter(|(_, seen)| !seen)
            .map(|(name, _)| name)
            .collect();
        let why = format!(
            "no {} within {:.0} s",
            missing.join(" and "),
            deadline.as_secs_f64()
        );
        result.problem = Some(match result.problem.take() {
            Some(p) => format!("{why} ({p})"),
            None => why,
        });
    }
    result
}
