//! One MQTT connection kept alive: the plumbing shared by the simulator's
//! meter client and the configurator's monitor.
//!
//! A connection starts from [`LinkOptions`] (a [`BrokerLogin`], a client id
//! and [`LinkTiming`], made and checked by [`LinkOptions::builder`]).
//! rumqttc reconnects at once when polled after an error; [`Link::run`]
//! paces reconnection with capped exponential backoff with jitter,
//! resubscribes on every ConnAck (sessions are clean), counts reconnect
//! attempts and turns every connection error into a specific [`LinkError`]
//! (refused, unreachable, TLS trust/expiry/name, rejected client
//! certificate, bad credentials, not authorized, a packet over
//! [`MAX_PACKET`], a broker silent past the keep-alive). A ConnAck alone
//! does not reset the backoff: a connection counts as working once the
//! broker has answered after a whole keep-alive interval, so a connection
//! that dies right after each ConnAck (a poisoned retained message, a
//! half-open broker) backs off like a failed attempt. It lives outside
//! `client` and `sim` because both sides need exactly this behaviour.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rumqttc::{AsyncClient, ConnAck, Event, EventLoop, Outgoing, Packet, Publish, QoS};
use tokio::time::Instant;

use crate::backoff::Backoff;

mod error;
mod login;
mod options;
mod tls;

pub use error::{LinkError, SetupError, classify};
pub use login::{BrokerLogin, CredentialFiles, Credentials, Password};
pub use options::{DEFAULT_QUEUE, LinkOptions, LinkOptionsBuilder, LinkTiming, MAX_PACKET, RECONNECT};
pub use tls::TlsFiles;

/// Shared counters of one link, readable while it runs.
#[derive(Debug, Default)]
pub struct LinkStats {
    connected: AtomicBool,
    connects: AtomicU64,
    failures: AtomicU64,
}

impl LinkStats {
    /// Whether the broker has acknowledged the current connection.
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Successful connections (ConnAck accepted) so far.
    pub fn connects(&self) -> u64 {
        self.connects.load(Ordering::Relaxed)
    }

    /// Failed attempts and lost connections so far; each one is followed
    /// by a backoff delay, so this is the number of reconnect attempts.
    pub fn reconnects(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
}

/// What the link reports to its owner.
#[derive(Debug)]
pub enum LinkEvent<'a> {
    /// The broker accepted the connection; subscriptions were re-sent.
    Connected(&'a ConnAck),
    /// A message arrived on a subscribed topic.
    Message(&'a Publish),
    /// A QoS 1 publish left with this packet id.
    Sent(u16),
    /// The broker acknowledged the QoS 1 publish with this packet id.
    Acked(u16),
    /// The connection is down; the link waits `retry_in` before retrying.
    Down {
        /// Why.
        error: &'a LinkError,
        /// Backoff delay before the next attempt.
        retry_in: Duration,
    },
}

/// A running connection: the client half to publish with, and the event
/// loop half that [`Link::run`] drives.
pub struct Link {
    /// Publish/subscribe handle (cheap to clone).
    pub client: AsyncClient,
    eventloop: EventLoop,
    options: LinkOptions,
    subscriptions: Vec<(String, QoS)>,
    filters: Vec<String>,
    stats: Arc<LinkStats>,
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("broker", self.options.broker())
            .finish()
    }
}

impl Link {
    /// Prepare a link; nothing is sent until [`Link::run`].
    pub fn new(options: LinkOptions, subscriptions: Vec<(String, QoS)>) -> Self {
        let (client, mut eventloop) = AsyncClient::new(options.mqtt_options(), options.queue);
        let mut net = eventloop.network_options();
        net.set_connection_timeout(options.timing.connect_timeout.as_secs().max(1));
        eventloop.set_network_options(net);
        let filters = subscriptions.iter().map(|(filter, _)| filter.clone()).collect();
        Self {
            client,
            eventloop,
            options,
            subscriptions,
            filters,
            stats: Arc::default(),
        }
    }

    /// The counters, shared with the running link.
    pub fn stats(&self) -> Arc<LinkStats> {
        self.stats.clone()
    }

    /// Drive the connection forever, calling `on_event` for everything the
    /// owner cares about. Cancel by dropping the future (abort the task).
    pub async fn run(mut self, mut on_event: impl FnMut(LinkEvent<'_>)) {
        let mut backoff = Backoff::new(self.options.timing.reconnect);
        let mut health = Health::Down;
        let keep_alive = self.options.keep_alive();
        loop {
            let polled = self.eventloop.poll().await;
            if let Ok(Event::Incoming(packet)) = &polled
                && !matches!(packet, Packet::ConnAck(_))
                && health.heard_after(keep_alive)
            {
                backoff.succeed();
            }
            match polled {
                Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                    health = Health::Up(Instant::now());
                    // Subscribe before announcing the connection, so that
                    // anything the owner publishes next is queued after it.
                    for (filter, qos) in &self.subscriptions {
                        if let Err(err) = self.client.try_subscribe(filter.clone(), *qos) {
                            tracing::warn!(%filter, %err, "cannot queue the subscription");
                        }
                    }
                    self.stats.connected.store(true, Ordering::Relaxed);
                    self.stats.connects.fetch_add(1, Ordering::Relaxed);
                    on_event(LinkEvent::Connected(&ack));
                }
                Ok(Event::Incoming(Packet::Publish(publish))) => on_event(LinkEvent::Message(&publish)),
                Ok(Event::Incoming(Packet::PubAck(ack))) => on_event(LinkEvent::Acked(ack.pkid)),
                Ok(Event::Incoming(Packet::SubAck(ack))) => {
                    if ack
                        .return_codes
                        .iter()
                        .any(|c| matches!(c, rumqttc::SubscribeReasonCode::Failure))
                    {
                        tracing::warn!(broker = %self.options.broker(), "the broker refused a subscription");
                    }
                }
                Ok(Event::Outgoing(Outgoing::Publish(pkid))) if pkid != 0 => on_event(LinkEvent::Sent(pkid)),
                Ok(_) => {}
                Err(err) => {
                    let error = classify(&self.options, &self.filters, &err, health != Health::Down);
                    health = Health::Down;
                    self.stats.connected.store(false, Ordering::Relaxed);
                    self.stats.failures.fetch_add(1, Ordering::Relaxed);
                    let delay = if error.needs_configuration() {
                        // Retrying will not help soon: go straight to the cap.
                        backoff.fail_to_cap()
                    } else {
                        backoff.fail()
                    };
                    on_event(LinkEvent::Down {
                        error: &error,
                        retry_in: delay,
                    });
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}

/// Whether the current connection is up and has proved it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    /// No connection.
    Down,
    /// Acknowledged at this instant; not yet heard from after a keep-alive.
    Up(Instant),
    /// The broker answered after a whole keep-alive interval.
    Working,
}

impl Health {
    /// Note a packet from the broker; true when it proves the connection
    /// works for the first time (up for at least `keep_alive`).
    fn heard_after(&mut self, keep_alive: Duration) -> bool {
        match *self {
            Health::Up(since) if since.elapsed() >= keep_alive => {
                *self = Health::Working;
                true
            }
            _ => false,
        }
    }
}
