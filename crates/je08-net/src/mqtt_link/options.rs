//! Everything one connection needs ([`LinkOptions`]): a [`BrokerLogin`], a
//! client id, [`LinkTiming`] and the request queue's bound. Options are
//! only made by [`LinkOptionsBuilder::build`], which checks the login's URL
//! against its TLS material, so a [`Link`](super::Link) never starts with
//! options that cannot work.

use std::time::Duration;

use rumqttc::{MqttOptions, TlsConfiguration, Transport};

use super::{BrokerLogin, SetupError};
use crate::backoff::BackoffPolicy;
use je08_protocol::mqtt::BrokerUrl;

/// Bound of the request queue towards the broker, unless told otherwise.
pub const DEFAULT_QUEUE: usize = 256;

/// Largest MQTT packet sent or accepted, in bytes. A DATA packet is under
/// 2 KiB; a larger incoming packet ends the connection before its payload is
/// read ([`LinkError::Oversized`](super::LinkError::Oversized)).
pub const MAX_PACKET: usize = 64 * 1024;

/// Shortest keep-alive interval (rumqttc counts it in whole seconds).
const MIN_KEEP_ALIVE: Duration = Duration::from_secs(1);

/// How a connection paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkTiming {
    /// Keep-alive interval, at least 1 s (the broker drops us after 1.5×
    /// without traffic; a broker that leaves a ping unanswered for one
    /// interval is taken for gone).
    pub keep_alive: Duration,
    /// Deadline for TCP + TLS + CONNECT/ConnAck.
    pub connect_timeout: Duration,
    /// How reconnection is paced after a failure.
    pub reconnect: BackoffPolicy,
}

/// How the MQTT transport paces reconnection after a failure: 250 ms
/// doubling to a 30 s cap, with jitter.
pub const RECONNECT: BackoffPolicy = BackoffPolicy {
    initial: Duration::from_millis(250),
    cap: Duration::from_secs(30),
    jitter: true,
};

impl Default for LinkTiming {
    /// 30 s keep-alive, 10 s connect deadline, [`RECONNECT`].
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            reconnect: RECONNECT,
        }
    }
}

/// Everything needed to keep one connection to a broker (see
/// [`LinkOptions::builder`]).
#[derive(Debug, Clone)]
pub struct LinkOptions {
    pub(super) login: BrokerLogin,
    pub(super) client_id: String,
    pub(super) timing: LinkTiming,
    pub(super) queue: usize,
}

impl LinkOptions {
    /// Options for `login` as MQTT client `client_id` (unique per connection
    /// on the broker), with the default timing and queue.
    pub fn builder(login: BrokerLogin, client_id: impl Into<String>) -> LinkOptionsBuilder {
        LinkOptionsBuilder(Self {
            login,
            client_id: client_id.into(),
            timing: LinkTiming::default(),
            queue: DEFAULT_QUEUE,
        })
    }

    /// The broker and the login.
    pub fn login(&self) -> &BrokerLogin {
        &self.login
    }

    /// The broker.
    pub fn broker(&self) -> &BrokerUrl {
        &self.login.broker
    }

    /// How the connection paces itself.
    pub fn timing(&self) -> LinkTiming {
        self.timing
    }

    /// The keep-alive interval in force (the timing's, at least 1 s).
    pub fn keep_alive(&self) -> Duration {
        self.timing.keep_alive.max(MIN_KEEP_ALIVE)
    }

    /// The rumqttc options (clean session, TLS through rustls + ring).
    pub(super) fn mqtt_options(&self) -> MqttOptions {
        let broker = &self.login.broker;
        let mut opts = MqttOptions::new(&self.client_id, &broker.host, broker.port);
        opts.set_keep_alive(self.keep_alive());
        opts.set_clean_session(true);
        opts.set_max_packet_size(MAX_PACKET, MAX_PACKET);
        let credentials = &self.login.credentials;
        if let Some(user) = &credentials.user {
            let password = credentials.password.as_ref().map_or("", |p| p.expose());
            opts.set_credentials(user, password);
        }
        if let Some(files) = &credentials.tls {
            opts.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
                files.config(),
            )));
        }
        opts
    }
}

/// Makes [`LinkOptions`]; [`build`](Self::build) checks them.
#[derive(Debug, Clone)]
#[must_use]
pub struct LinkOptionsBuilder(LinkOptions);

impl LinkOptionsBuilder {
    /// Pace the connection with `timing`.
    pub fn timing(mut self, timing: LinkTiming) -> Self {
        self.0.timing = timing;
        self
    }

    /// Bound the request queue towards the broker to `queue` requests.
    pub fn queue(mut self, queue: usize) -> Self {
        self.0.queue = queue.max(1);
        self
    }

    /// The options, when the login's URL and TLS material go together.
    pub fn build(self) -> Result<LinkOptions, SetupError> {
        self.0.login.check()?;
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mqtts_without_a_ca_is_refused_at_build() {
        let login = BrokerLogin::anonymous("mqtts://h".parse().unwrap());
        assert!(matches!(
            LinkOptions::builder(login, "c").build(),
            Err(SetupError::CaRequired { .. })
        ));
    }
}
