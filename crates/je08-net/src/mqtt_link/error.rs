//! Why a broker cannot be reached: [`SetupError`] when the login or the
//! options cannot work (found before anything is sent), [`LinkError`] when
//! a connection attempt fails or a connection drops, and [`classify`],
//! which turns rumqttc's errors into the specific [`LinkError`].
//!
//! Both are said in words by their `Describe` (rows of
//! [`NetMsg`](crate::texts::NetMsg)); their English is their `Display`. The
//! words name what failed, never a command-line flag: the command line adds
//! its own advice when it prints them.

use rumqttc::{ConnectReturnCode, ConnectionError, StateError};
use rustls::{AlertDescription, CertificateError};

use super::{LinkOptions, MAX_PACKET};
use crate::certs::Problem;
use crate::texts::NetMsg;
use je08_protocol::i18n::{Describe, Tr};
use je08_protocol::mqtt::BrokerUrl;

/// Why a broker login or link options cannot work. Found before anything is
/// sent; retrying does not help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupError {
    /// An `mqtts://` broker without the CA certificate that signs its
    /// certificate.
    CaRequired {
        /// Broker URL.
        broker: String,
    },
    /// TLS files for a plain `mqtt://` broker.
    TlsForPlainBroker {
        /// Broker URL.
        broker: String,
    },
    /// A client certificate without its key, or a key without its
    /// certificate.
    IdentityIncomplete,
    /// A client certificate and key without a CA certificate, so without TLS.
    IdentityWithoutTls,
    /// Client authentication is asked for (a meter's `client_auth`) but the
    /// client certificate or its key is missing.
    ClientAuthWithoutIdentity,
    /// A broker port outside 1–65535.
    NotATcpPort {
        /// The port given.
        port: u32,
    },
    /// A PEM file that cannot be used: unreadable, not PEM, the wrong kind
    /// of section, a key that is not the certificate's…
    Pem(Problem),
    /// rustls refused the TLS material for another reason.
    TlsRefused {
        /// The file at fault.
        file: String,
        /// What rustls said.
        detail: String,
    },
}

impl Describe for SetupError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::CaRequired { broker } => tr.f(NetMsg::SetupCaRequired, &[broker]),
            Self::TlsForPlainBroker { broker } => tr.f(NetMsg::SetupTlsForPlainBroker, &[broker]),
            Self::IdentityIncomplete => tr.t(NetMsg::SetupIdentityIncomplete).to_owned(),
            Self::IdentityWithoutTls => tr.t(NetMsg::SetupIdentityWithoutTls).to_owned(),
            Self::ClientAuthWithoutIdentity => tr.t(NetMsg::SetupClientAuthWithoutIdentity).to_owned(),
            Self::NotATcpPort { port } => tr.f(NetMsg::SetupNotATcpPort, &[&port.to_string()]),
            Self::Pem(problem) => problem.describe(tr),
            Self::TlsRefused { file, detail } => tr.f(NetMsg::SetupTlsRefused, &[file, detail]),
        }
    }
}

je08_protocol::english_display!(errors: SetupError, LinkError);

/// Why the connection to the broker is down (or never came up).
#[derive(Debug, Clone, PartialEq, Eq, derive_more::From)]
pub enum LinkError {
    /// The login or the options cannot work.
    #[from]
    Setup(SetupError),
    /// Nothing listens at the broker address.
    Refused(String),
    /// No answer within the deadline.
    Timeout(String),
    /// Another network error.
    Network {
        /// Broker URL.
        broker: String,
        /// The operating system's words.
        reason: String,
    },
    /// The broker's certificate is not signed by the configured CA.
    UnknownCa(String),
    /// The broker's certificate has expired or is not valid yet.
    BrokerCertExpired(String),
    /// The broker's certificate is for another host name.
    WrongName {
        /// Broker URL.
        broker: String,
        /// The host name connected to, which the certificate should hold.
        host: String,
        /// The names the certificate holds (empty when unknown).
        presented: Vec<String>,
    },
    /// The broker's certificate is signed over SHA-1 or MD5.
    WeakSignature(String),
    /// The broker refused our client certificate (missing, unknown CA, expired…).
    ClientCertRejected {
        /// Broker URL.
        broker: String,
        /// The TLS alert received.
        alert: String,
    },
    /// Another TLS failure.
    Tls {
        /// Broker URL.
        broker: String,
        /// rustls' words.
        reason: String,
    },
    /// ConnAck "bad user name or password".
    BadCredentials(String),
    /// ConnAck "not authorized".
    NotAuthorized(String),
    /// Another ConnAck refusal.
    ConnAckRefused {
        /// Broker URL.
        broker: String,
        /// The return code.
        code: String,
    },
    /// The broker sent a packet larger than [`MAX_PACKET`]: the connection
    /// ends before its payload is read. The topic is not known (only the
    /// packet's size was read); a retained message comes again on every
    /// connection.
    Oversized {
        /// Broker URL.
        broker: String,
        /// The packet's announced size, in bytes.
        bytes: usize,
        /// The filters subscribed to, one of which the message matched.
        filters: Vec<String>,
    },
    /// The broker left a keep-alive ping unanswered: the connection is
    /// half-open (the broker or the path to it went silent without closing).
    Unresponsive {
        /// Broker URL.
        broker: String,
        /// The keep-alive interval, in seconds.
        secs: u64,
    },
    /// The connection dropped after being up (broker restart, network).
    Lost {
        /// Broker URL.
        broker: String,
        /// What rumqttc said.
        reason: String,
    },
}

impl LinkError {
    /// Errors that retrying will not fix without a configuration change
    /// (the login, certificates, credentials, authorization).
    pub fn needs_configuration(&self) -> bool {
        matches!(
            self,
            LinkError::Setup(_)
                | LinkError::UnknownCa(_)
                | LinkError::BrokerCertExpired(_)
                | LinkError::WrongName { .. }
                | LinkError::WeakSignature(_)
                | LinkError::ClientCertRejected { .. }
                | LinkError::BadCredentials(_)
                | LinkError::NotAuthorized(_)
        )
    }
}

impl Describe for LinkError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Setup(error) => error.describe(tr),
            Self::Refused(broker) => tr.f(NetMsg::LinkRefused, &[broker]),
            Self::Timeout(broker) => tr.f(NetMsg::LinkTimeout, &[broker]),
            Self::Network { broker, reason } => tr.f(NetMsg::LinkNetwork, &[broker, reason]),
            Self::UnknownCa(broker) => tr.f(NetMsg::LinkUnknownCa, &[broker]),
            Self::BrokerCertExpired(broker) => tr.f(NetMsg::LinkCertExpired, &[broker]),
            Self::WrongName {
                broker,
                host,
                presented,
            } if presented.is_empty() => tr.f(NetMsg::LinkWrongName, &[broker, host]),
            Self::WrongName {
                broker,
                host,
                presented,
            } => tr.f(NetMsg::LinkWrongNameFor, &[broker, host, &presented.join(", ")]),
            Self::WeakSignature(broker) => tr.f(NetMsg::LinkWeakSignature, &[broker]),
            Self::ClientCertRejected { broker, alert } => {
                tr.f(NetMsg::LinkClientCertRejected, &[broker, alert])
            }
            Self::Tls { broker, reason } => tr.f(NetMsg::LinkTls, &[broker, reason]),
            Self::BadCredentials(broker) => tr.f(NetMsg::LinkBadCredentials, &[broker]),
            Self::NotAuthorized(broker) => tr.f(NetMsg::LinkNotAuthorized, &[broker]),
            Self::ConnAckRefused { broker, code } => tr.f(NetMsg::LinkConnAckRefused, &[broker, code]),
            Self::Oversized {
                broker,
                bytes,
                filters,
            } => {
                let (bytes, limit) = (bytes.to_string(), (MAX_PACKET / 1024).to_string());
                if filters.is_empty() {
                    tr.f(NetMsg::LinkOversized, &[broker, &bytes, &limit])
                } else {
                    let filters = filters.join(", ");
                    tr.f(NetMsg::LinkOversizedRetained, &[broker, &bytes, &limit, &filters])
                }
            }
            Self::Unresponsive { broker, secs } => {
                tr.f(NetMsg::LinkUnresponsive, &[broker, &secs.to_string()])
            }
            Self::Lost { broker, reason } => tr.f(NetMsg::LinkLost, &[broker, reason]),
        }
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

/// A certificate's subject name without webpki's wrapping: `DnsName("a.b")`
/// is `a.b`, `IpAddress(10.0.0.1)` is `10.0.0.1`.
fn plain_name(presented: &str) -> String {
    let inner = presented
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(presented);
    inner.trim_matches('"').to_owned()
}

fn classify_rustls(broker: String, host: &str, err: &rustls::Error) -> LinkError {
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
            CertificateError::NotValidForName => LinkError::WrongName {
                broker,
                host: host.to_owned(),
                presented: Vec::new(),
            },
            CertificateError::NotValidForNameContext { expected, presented } => LinkError::WrongName {
                broker,
                host: expected.to_str().into_owned(),
                presented: presented.iter().map(|name| plain_name(name)).collect(),
            },
            CertificateError::UnsupportedSignatureAlgorithmContext { .. } => LinkError::WeakSignature(broker),
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

/// Turn a rumqttc error of the link made with `options`, subscribed to
/// `filters`, into a specific [`LinkError`]. `was_up` tells a dropped
/// connection from a failed attempt.
pub fn classify(options: &LinkOptions, filters: &[String], err: &ConnectionError, was_up: bool) -> LinkError {
    let broker: &BrokerUrl = options.broker();
    let b = broker.to_string();
    if let ConnectionError::MqttState(state) = err {
        match state {
            StateError::Deserialization(rumqttc::Error::PayloadSizeLimitExceeded(bytes)) => {
                return LinkError::Oversized {
                    broker: b,
                    bytes: *bytes,
                    filters: filters.to_vec(),
                };
            }
            StateError::AwaitPingResp => {
                return LinkError::Unresponsive {
                    broker: b,
                    secs: options.keep_alive().as_secs(),
                };
            }
            _ => {}
        }
    }
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
        return classify_rustls(b, &broker.host, r);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::Issue;
    use je08_protocol::i18n::Lang;

    const BROKER: &str = "mqtt://10.0.0.9:1883";

    /// Options for `url` (with a throwaway CA for `mqtts://`).
    fn options(url: &str) -> LinkOptions {
        let mut login = crate::mqtt_link::BrokerLogin::anonymous(url.parse().unwrap());
        if login.broker.tls {
            let key = rcgen::KeyPair::generate().unwrap();
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            let ca = params.self_signed(&key).unwrap().pem();
            let ca = crate::certs::PemFile::new("ca.pem", ca.as_bytes());
            login.credentials.tls = Some(crate::mqtt_link::TlsFiles::new(ca, None).unwrap());
        }
        LinkOptions::builder(login, "c").build().unwrap()
    }

    #[test]
    fn connack_codes_and_tls_errors_are_specific() {
        let broker = options("mqtts://127.0.0.1:8883");
        let classify = |err: &ConnectionError, was_up| classify(&broker, &[], err, was_up);
        let bad = classify(
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
        assert!(matches!(classify(&err, false), LinkError::UnknownCa(_)));
        let sha1 =
            rustls::Error::InvalidCertificate(CertificateError::UnsupportedSignatureAlgorithmContext {
                signature_algorithm_id: vec![6, 9, 42, 134, 72, 134, 247, 13, 1, 1, 5, 5, 0],
                supported_algorithms: Vec::new(),
            });
        let tls = std::io::Error::new(std::io::ErrorKind::InvalidData, sha1);
        let weak = classify(&ConnectionError::Tls(rumqttc::TlsError::Io(tls)), false);
        assert_eq!(weak, LinkError::WeakSignature("mqtts://127.0.0.1:8883".into()));
        assert!(weak.needs_configuration());
        assert_eq!(
            weak.to_string(),
            "TLS: the certificate of mqtts://127.0.0.1:8883 is signed over SHA-1 or MD5, which je08 does not \
             trust: sign the broker's certificate again with SHA-256"
        );
        let refused = ConnectionError::Io(std::io::ErrorKind::ConnectionRefused.into());
        let e = classify(&refused, false);
        assert!(matches!(e, LinkError::Refused(_)) && !e.needs_configuration());
        assert!(matches!(classify(&refused, true), LinkError::Lost { .. }));
    }

    #[test]
    fn a_wrong_name_says_the_names_without_library_words() {
        let broker = options("mqtts://127.0.0.1:8883");
        let wrong = rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap(),
            presented: vec!["DnsName(\"broker.example\")".into(), "IpAddress(10.0.0.9)".into()],
        });
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, wrong);
        let error = classify(
            &broker,
            &[],
            &ConnectionError::Tls(rumqttc::TlsError::Io(io)),
            false,
        );
        assert_eq!(
            error.to_string(),
            "TLS: the certificate of mqtts://127.0.0.1:8883 is for broker.example, 10.0.0.9, not for \
             127.0.0.1: connect with a name the certificate holds, or give the broker a certificate for 127.0.0.1"
        );
        assert!(error.needs_configuration());
    }

    #[test]
    fn an_oversized_packet_and_a_silent_broker_are_named() {
        let broker = options("mqtt://127.0.0.1:1883");
        let filters = ["je08/+/data".to_owned()];
        let big = ConnectionError::MqttState(StateError::Deserialization(
            rumqttc::Error::PayloadSizeLimitExceeded(102_417),
        ));
        let error = classify(&broker, &filters, &big, true);
        assert_eq!(
            error,
            LinkError::Oversized {
                broker: "mqtt://127.0.0.1:1883".into(),
                bytes: 102_417,
                filters: filters.to_vec(),
            }
        );
        assert!(
            !error.needs_configuration(),
            "the message may be cleared: keep retrying"
        );
        let silent = ConnectionError::MqttState(StateError::AwaitPingResp);
        assert_eq!(
            classify(&broker, &filters, &silent, true),
            LinkError::Unresponsive {
                broker: "mqtt://127.0.0.1:1883".into(),
                secs: 30,
            }
        );
    }

    /// Every failure, with the broker it names (None: it names none).
    fn every_error() -> Vec<(LinkError, Option<&'static str>)> {
        let b = || BROKER.to_owned();
        let tls_broker = "mqtts://10.0.0.9:8883";
        let setup = |e: SetupError| LinkError::Setup(e);
        vec![
            (
                setup(SetupError::CaRequired {
                    broker: tls_broker.into(),
                }),
                Some(tls_broker),
            ),
            (setup(SetupError::TlsForPlainBroker { broker: b() }), Some(BROKER)),
            (setup(SetupError::IdentityIncomplete), None),
            (setup(SetupError::IdentityWithoutTls), None),
            (setup(SetupError::ClientAuthWithoutIdentity), None),
            (setup(SetupError::NotATcpPort { port: 70_000 }), None),
            (
                setup(SetupError::Pem(Problem {
                    file: "client.key".into(),
                    issue: Issue::NoPrivateKey,
                })),
                None,
            ),
            (
                setup(SetupError::TlsRefused {
                    file: "client.key".into(),
                    detail: "no usable cipher suites".into(),
                }),
                None,
            ),
            (LinkError::Refused(b()), Some(BROKER)),
            (LinkError::Timeout(b()), Some(BROKER)),
            (
                LinkError::Network {
                    broker: b(),
                    reason: "No route to host (os error 113)".into(),
                },
                Some(BROKER),
            ),
            (LinkError::UnknownCa(b()), Some(BROKER)),
            (LinkError::BrokerCertExpired(b()), Some(BROKER)),
            (
                LinkError::WrongName {
                    broker: b(),
                    host: "10.0.0.9".into(),
                    presented: Vec::new(),
                },
                Some(BROKER),
            ),
            (
                LinkError::WrongName {
                    broker: b(),
                    host: "10.0.0.9".into(),
                    presented: vec!["broker.example".into()],
                },
                Some(BROKER),
            ),
            (
                LinkError::Oversized {
                    broker: b(),
                    bytes: 102_417,
                    filters: Vec::new(),
                },
                Some(BROKER),
            ),
            (
                LinkError::Oversized {
                    broker: b(),
                    bytes: 102_417,
                    filters: vec!["je08/+/data".into()],
                },
                Some(BROKER),
            ),
            (
                LinkError::Unresponsive {
                    broker: b(),
                    secs: 30,
                },
                Some(BROKER),
            ),
            (LinkError::WeakSignature(b()), Some(BROKER)),
            (
                LinkError::ClientCertRejected {
                    broker: b(),
                    alert: "BadCertificate".into(),
                },
                Some(BROKER),
            ),
            (
                LinkError::Tls {
                    broker: b(),
                    reason: "HandshakeFailure".into(),
                },
                Some(BROKER),
            ),
            (LinkError::BadCredentials(b()), Some(BROKER)),
            (LinkError::NotAuthorized(b()), Some(BROKER)),
            (
                LinkError::ConnAckRefused {
                    broker: b(),
                    code: "ServiceUnavailable".into(),
                },
                Some(BROKER),
            ),
            (
                LinkError::Lost {
                    broker: b(),
                    reason: "connection reset".into(),
                },
                Some(BROKER),
            ),
        ]
    }

    #[test]
    fn every_broker_failure_reads_in_both_languages_without_command_line_flags() {
        let pt = Tr(Lang::PtBr);
        for (error, broker) in every_error() {
            let en = error.describe(Tr::EN);
            let said = error.describe(pt);
            assert_eq!(en, error.to_string(), "Display is the English sentence");
            assert!(!en.contains("--"), "{en}");
            assert_ne!(en, said, "{en} is not translated");
            if let Some(broker) = broker {
                assert!(said.contains(broker), "{said} does not name {broker}");
            }
        }
        assert_eq!(
            LinkError::BadCredentials("mqtt://b:1883".into()).describe(pt),
            "mqtt://b:1883 rejeitou o usuário ou a senha"
        );
    }
}
