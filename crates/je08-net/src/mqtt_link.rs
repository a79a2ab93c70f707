//! One MQTT connection kept alive: the plumbing shared by the simulator's
//! meter client and the configurator's monitor.
//!
//! rumqttc reconnects at once when polled after an error; [`Link::run`]
//! paces reconnection with capped exponential backoff with jitter,
//! resubscribes on every ConnAck (sessions are clean), counts reconnect
//! attempts and turns every connection error into a specific [`LinkError`]
//! (refused, unreachable, TLS trust/expiry/name, rejected client
//! certificate, bad credentials, not authorized). It lives outside
//! `client` and `sim` because both sides need exactly this behaviour.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rumqttc::{
    AsyncClient, ConnAck, ConnectReturnCode, ConnectionError, Event, EventLoop, MqttOptions, Outgoing,
    Packet, Publish, QoS, TlsConfiguration, Transport,
};
use rustls::{AlertDescription, CertificateError};
use thiserror::Error;

use crate::backoff::{Backoff, BackoffPolicy};
use crate::certs::{PemFile, client_tls_config};
use je08_protocol::mqtt::BrokerUrl;

/// A password that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wrap a password.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret itself, for the CONNECT packet only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// TLS material: the CA that signs the broker's certificate and, for
/// brokers that require it, a client certificate and key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// CA certificate(s) trusted for the broker.
    pub ca: PemFile,
    /// Client certificate (chain) and private key.
    pub identity: Option<(PemFile, PemFile)>,
}

impl TlsFiles {
    /// Read the PEM files named on a command line: none for plain TCP, a CA
    /// alone for server-only TLS, or a CA with a certificate and key.
    pub fn load(
        ca: Option<&std::path::Path>,
        cert: Option<&std::path::Path>,
        key: Option<&std::path::Path>,
    ) -> Result<Option<Self>, LinkError> {
        let read = |p: &std::path::Path| PemFile::read(p).map_err(|e| LinkError::Setup(e.to_string()));
        let identity = match (cert, key) {
            (None, None) => None,
            (Some(c), Some(k)) => Some((read(c)?, read(k)?)),
            _ => {
                return Err(LinkError::Setup(
                    "a client certificate needs its key: give both --cert and --key".into(),
                ));
            }
        };
        match ca {
            Some(ca) => Ok(Some(Self {
                ca: read(ca)?,
                identity,
            })),
            None if identity.is_some() => Err(LinkError::Setup(
                "a client certificate is only used over TLS: give --ca (and an mqtts:// URL)".into(),
            )),
            None => Ok(None),
        }
    }
}

/// Everything needed to reach a broker.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Broker address; `mqtts://` requires `tls`.
    pub broker: BrokerUrl,
    /// MQTT client id (unique per connection on the broker).
    pub client_id: String,
    /// User name, if the broker wants one.
    pub username: Option<String>,
    /// Password for `username`.
    pub password: Option<Password>,
    /// TLS material for `mqtts://`.
    pub tls: Option<TlsFiles>,
    /// Keep-alive interval (the broker drops us after 1.5× without traffic).
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

impl LinkOptions {
    /// Defaults: 30 s keep-alive, 10 s connect deadline, backoff 250 ms → 30 s.
    pub fn new(broker: BrokerUrl, client_id: impl Into<String>) -> Self {
        Self {
            broker,
            client_id: client_id.into(),
            username: None,
            password: None,
            tls: None,
            keep_alive: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            backoff_initial: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(30),
            queue: 256,
        }
    }

    /// The rumqttc options (clean session, TLS through rustls + ring).
    pub fn mqtt_options(&self) -> Result<MqttOptions, LinkError> {
        let mut opts = MqttOptions::new(&self.client_id, &self.broker.host, self.broker.port);
        opts.set_keep_alive(self.keep_alive.max(Duration::from_secs(5)));
        opts.set_clean_session(true);
        opts.set_max_packet_size(64 * 1024, 64 * 1024);
        if let Some(user) = &self.username {
            let password = self.password.as_ref().map(|p| p.expose()).unwrap_or("");
            opts.set_credentials(user, password);
        }
        match (&self.broker.tls, &self.tls) {
            (false, None) => {}
            (false, Some(_)) => {
                return Err(LinkError::Setup(format!(
                    "{} is plain TCP but TLS files were given: use an mqtts:// URL",
                    self.broker
                )));
            }
            (true, None) => {
                return Err(LinkError::Setup(format!(
                    "{} uses TLS: give the CA certificate that signs the broker's certificate (--ca)",
                    self.broker
                )));
            }
            (true, Some(files)) => {
                let identity = files.identity.as_ref().map(|(c, k)| (c, k));
                let config =
                    client_tls_config(&files.ca, identity).map_err(|e| LinkError::Setup(e.to_string()))?;
                opts.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(Arc::new(
                    config,
                ))));
            }
        }
        Ok(opts)
    }
}

/// Why the connection to the broker is down. Each message says what failed
/// and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    /// The options cannot work (missing CA for mqtts://, unreadable PEM…).
    #[error("{0}")]
    Setup(String),
    /// Nothing listens at the broker address.
    #[error("connection refused by {0}: is the broker running and is the port right?")]
    Refused(String),
    /// No answer within the deadline.
    #[error("no answer from {0} within the deadline: check the address and the network")]
    Timeout(String),
    /// Another network error.
    #[error("cannot reach {broker}: {reason}")]
    Network {
        /// Broker URL.
        broker: String,
        /// The operating system's words.
        reason: String,
    },
    /// The broker's certificate is not signed by the configured CA.
    #[error("TLS: the certificate of {0} is not signed by the given CA (wrong --ca file?)")]
    UnknownCa(String),
    /// The broker's certificate has expired or is not valid yet.
    #[error("TLS: the certificate of {0} has expired or is not valid yet")]
    BrokerCertExpired(String),
    /// The broker's certificate is for another host name.
    #[error("TLS: the certificate of {0} is not valid for that host name")]
    WrongName(String),
    /// The broker refused our client certificate (missing, unknown CA, expired…).
    #[error("TLS: {broker} rejected the client certificate ({alert}); check --cert/--key")]
    ClientCertRejected {
        /// Broker URL.
        broker: String,
        /// The TLS alert received.
        alert: String,
    },
    /// Another TLS failure.
    #[error("TLS with {broker} failed: {reason}")]
    Tls {
        /// Broker URL.
        broker: String,
        /// rustls' words.
        reason: String,
    },
    /// ConnAck "bad user name or password".
    #[error("{0} rejected the user name or password")]
    BadCredentials(String),
    /// ConnAck "not authorized".
    #[error("{0} says this client is not authorized (check the user and the broker's ACL)")]
    NotAuthorized(String),
    /// Another ConnAck refusal.
    #[error("{broker} refused the connection ({code})")]
    ConnAckRefused {
        /// Broker URL.
        broker: String,
        /// The return code.
        code: String,
    },
    /// The connection dropped after being up (broker restart, network).
    #[error("connection to {broker} lost: {reason}")]
    Lost {
        /// Broker URL.
        broker: String,
        /// What rumqttc said.
        reason: String,
    },
}

impl LinkError {
    /// Errors that retrying will not fix without a configuration change
    /// (certificates, credentials, authorization).
    pub fn needs_configuration(&self) -> bool {
        matches!(
            self,
            LinkError::Setup(_)
                | LinkError::UnknownCa(_)
                | LinkError::BrokerCertExpired(_)
                | LinkError::WrongName(_)
                | LinkError::ClientCertRejected { .. }
                | LinkError::BadCredentials(_)
                | LinkError::NotAuthorized(_)
        )
    }
}

/// Find a rustls error anywhere in an error's source chain (rumqttc wraps
/// it in `io::Error`s).
fn find_rustls<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(r) = find_rustls(inner)
        {
            return Some(r);
        }
        current = e.source();
    }
    None
}

fn find_io_kind(err: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        current = e.source();
    }
    None
}

fn classify_rustls(broker: String, err: &rustls::Error) -> LinkError {
    match err {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer
            | CertificateError::BadSignature
            | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                LinkError::UnknownCa(broker)
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => LinkError::BrokerCertExpired(broker),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                LinkError::WrongName(broker)
            }
            other => LinkError::Tls {
                broker,
                reason: format!("invalid broker certificate ({other:?})"),
            },
        },
        rustls::Error::AlertReceived(alert) => match alert {
            AlertDescription::CertificateRequired
            | AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::AccessDenied
            | AlertDescription::HandshakeFailure => LinkError::ClientCertRejected {
                broker,
                alert: format!("{alert:?}"),
            },
            other => LinkError::Tls {
                broker,
                reason: format!("alert {other:?}"),
            },
        },
        other => LinkError::Tls {
            broker,
            reason: other.to_string(),
        },
    }
}

/// Turn a rumqttc error into a specific [`LinkError`]. `was_up` tells a
/// dropped connection from a failed attempt.
pub fn classify(broker: &BrokerUrl, err: &ConnectionError, was_up: bool) -> LinkError {
    let b = broker.to_string();
    if let ConnectionError::ConnectionRefused(code) = err {
        return match code {
            ConnectReturnCode::BadUserNamePassword => LinkError::BadCredentials(b),
            ConnectReturnCode::NotAuthorized => LinkError::NotAuthorized(b),
            other => LinkError::ConnAckRefused {
                broker: b,
                code: format!("{other:?}"),
            },
        };
    }
    if let Some(r) = find_rustls(err) {
        return classify_rustls(b, r);
    }
    if let ConnectionError::Tls(t) = err {
        return LinkError::Tls {
            broker: b,
            reason: t.to_string(),
        };
    }
    if was_up {
        return LinkError::Lost {
            broker: b,
            reason: err.to_string(),
        };
    }
    match (err, find_io_kind(err)) {
        (ConnectionError::NetworkTimeout, _) => LinkError::Timeout(b),
        (_, Some(std::io::ErrorKind::ConnectionRefused)) => LinkError::Refused(b),
        (_, Some(std::io::ErrorKind::TimedOut)) => LinkError::Timeout(b),
        _ => LinkError::Network {
            broker: b,
            reason: err.to_string(),
        },
    }
}

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
    stats: Arc<LinkStats>,
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("broker", &self.options.broker)
            .finish()
    }
}

impl Link {
    /// Prepare a link; nothing is sent until [`Link::run`].
    pub fn new(options: LinkOptions, subscriptions: Vec<(String, QoS)>) -> Result<Self, LinkError> {
        let mqtt = options.mqtt_options()?;
        let (client, mut eventloop) = AsyncClient::new(mqtt, options.queue.max(1));
        let mut net = eventloop.network_options();
        net.set_connection_timeout(options.connect_timeout.as_secs().max(1));
        eventloop.set_network_options(net);
        Ok(Self {
            client,
            eventloop,
            options,
            subscriptions,
            stats: Arc::default(),
        })
    }

    /// The counters, shared with the running link.
    pub fn stats(&self) -> Arc<LinkStats> {
        self.stats.clone()
    }

    /// Drive the connection forever, calling `on_event` for everything the
    /// owner cares about. Cancel by dropping the future (abort the task).
    pub async fn run(mut self, mut on_event: impl FnMut(LinkEvent<'_>)) {
        let mut backoff = Backoff::new(BackoffPolicy {
            initial: self.options.backoff_initial,
            cap: self.options.backoff_cap,
            jitter: true,
        });
        let mut up = false;
        loop {
            match self.eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                    up = true;
                    backoff.succeed();
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
                        tracing::warn!(broker = %self.options.broker, "the broker refused a subscription");
                    }
                }
                Ok(Event::Outgoing(Outgoing::Publish(pkid))) if pkid != 0 => on_event(LinkEvent::Sent(pkid)),
                Ok(_) => {}
                Err(err) => {
                    let error = classify(&self.options.broker, &err, up);
                    up = false;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connack_codes_and_tls_errors_are_specific() {
        let broker: BrokerUrl = "mqtts://127.0.0.1:8883".parse().unwrap();
        let bad = classify(
            &broker,
            &ConnectionError::ConnectionRefused(ConnectReturnCode::BadUserNamePassword),
            false,
        );
        assert_eq!(bad, LinkError::BadCredentials("mqtts://127.0.0.1:8883".into()));
        assert!(bad.needs_configuration());
        let tls = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        let err = ConnectionError::Tls(rumqttc::TlsError::Io(tls));
        assert!(matches!(classify(&broker, &err, false), LinkError::UnknownCa(_)));
        let refused = ConnectionError::Io(std::io::ErrorKind::ConnectionRefused.into());
        let e = classify(&broker, &refused, false);
        assert!(matches!(e, LinkError::Refused(_)) && !e.needs_configuration());
        assert!(matches!(
            classify(&broker, &refused, true),
            LinkError::Lost { .. }
        ));
    }

    #[test]
    fn passwords_never_print() {
        let mut o = LinkOptions::new("mqtt://h".parse().unwrap(), "c");
        o.password = Some(Password::new("hunter2"));
        assert!(!format!("{o:?}").contains("hunter2"));
    }

    #[test]
    fn mqtts_without_ca_is_a_setup_error() {
        let o = LinkOptions::new("mqtts://h".parse().unwrap(), "c");
        assert!(matches!(o.mqtt_options(), Err(LinkError::Setup(_))));
    }
}
