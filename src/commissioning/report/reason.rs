//! A failure reduced to its reason, for a document a customer reads: the
//! typed errors keep the library's or the operating system's own words
//! (`detail`, in English) for the command line and the log; the report
//! says only why, in its own language ("no answer in time", "connection
//! refused", …).

use crate::commissioning::sampler::SampleError;
use crate::commissioning::wiring_check::FixError;
use crate::i18n::{Msg, Tr};
use je08_client::http::HttpError;
use je08_client::modbus::ModbusError;
use je08_net::mqtt_link::LinkError;

/// Why something failed, in a few words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No answer within the deadline.
    Timeout,
    /// The port is closed.
    Refused,
    /// No route, powered off, another network.
    Unreachable,
    /// The host name did not resolve.
    NoName,
    /// The interface password was refused.
    WrongPassword,
    /// The meter is in a mode that does not serve the request.
    WrongMode,
    /// The answer was not understood.
    BadAnswer,
    /// An established connection broke.
    ConnectionLost,
    /// The user cancelled.
    Cancelled,
    /// Another client changed the settings meanwhile.
    SettingsChanged,
    /// The MQTT broker's port is closed.
    BrokerRefused,
    /// The TLS handshake with the MQTT broker failed.
    TlsFailed,
    /// Anything else.
    Other,
}

impl Reason {
    /// The reason in `tr`'s language.
    pub fn text(self, tr: Tr) -> &'static str {
        tr.t(match self {
            Self::Timeout => Msg::ReasonTimeout,
            Self::Refused => Msg::ReasonRefused,
            Self::Unreachable => Msg::ReasonUnreachable,
            Self::NoName => Msg::ReasonNoName,
            Self::WrongPassword => Msg::ReasonWrongPassword,
            Self::WrongMode => Msg::ReasonWrongMode,
            Self::BadAnswer => Msg::ReasonBadAnswer,
            Self::ConnectionLost => Msg::ReasonConnectionLost,
            Self::Cancelled => Msg::ReasonCancelled,
            Self::SettingsChanged => Msg::ReasonSettingsChanged,
            Self::BrokerRefused => Msg::ReasonBrokerRefused,
            Self::TlsFailed => Msg::ReasonTlsFailed,
            Self::Other => Msg::ReasonOther,
        })
    }

    /// Why an HTTP request failed.
    pub fn of_http(err: &HttpError) -> Self {
        match err {
            HttpError::Unauthorized { .. } => Self::WrongPassword,
            HttpError::WrongMode { .. } => Self::WrongMode,
            HttpError::Timeout { .. } => Self::Timeout,
            HttpError::Unreachable { detail, .. } => Self::of_connect(detail),
            HttpError::Protocol { .. } | HttpError::BadInfo { .. } | HttpError::BodyTooLarge { .. } => {
                Self::BadAnswer
            }
            _ => Self::Other,
        }
    }

    /// Why a Modbus request failed.
    pub fn of_modbus(err: &ModbusError) -> Self {
        match err {
            ModbusError::Timeout { .. } => Self::Timeout,
            ModbusError::Refused { .. } => Self::Refused,
            ModbusError::Unreachable { detail, .. } => Self::of_connect(detail),
            ModbusError::Io { .. } => Self::ConnectionLost,
            ModbusError::Exception { .. } | ModbusError::Protocol { .. } => Self::BadAnswer,
        }
    }

    /// Why sampling failed.
    pub fn of_sample(err: &SampleError) -> Self {
        match err {
            SampleError::Modbus(e) => Self::of_modbus(e),
            SampleError::Cancelled => Self::Cancelled,
            SampleError::SettingsChanged { .. } => Self::SettingsChanged,
        }
    }

    /// Why the wiring fix failed.
    pub fn of_fix(err: &FixError) -> Self {
        match err {
            FixError::Params(p) => p.modbus().map_or(Self::SettingsChanged, Self::of_modbus),
            FixError::Recheck(e) => Self::of_sample(e),
            FixError::NothingToFix | FixError::Invalid(_) => Self::Other,
        }
    }

    /// Why the link to an MQTT broker failed, for the errors that carry a
    /// library's or the operating system's words; `None` for the others,
    /// whose sentences are already the reason in the user's language.
    pub fn of_link(err: &LinkError) -> Option<Self> {
        match err {
            LinkError::Refused(_) => Some(Self::BrokerRefused),
            LinkError::Timeout(_) => Some(Self::Timeout),
            LinkError::Network { reason, .. } => Some(match Self::of_connect(reason) {
                Self::Refused => Self::BrokerRefused,
                other => other,
            }),
            LinkError::Tls { .. } | LinkError::ClientCertRejected { .. } => Some(Self::TlsFailed),
            _ => None,
        }
    }

    /// Why a TCP connection could not be made, from the operating system's
    /// words as the library passed them on (Linux, macOS and Windows
    /// spellings and error numbers).
    fn of_connect(detail: &str) -> Self {
        let d = detail.to_ascii_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| d.contains(w));
        if any(&["refused", "os error 111)", "os error 61)", "os error 10061)"]) {
            Self::Refused
        } else if any(&[
            "timed out",
            "timeout",
            "os error 110)",
            "os error 60)",
            "os error 10060)",
        ]) {
            Self::Timeout
        } else if any(&[
            "dns error",
            "failed to lookup",
            "name or service not known",
            "no such host",
            "nodename nor servname",
            "temporary failure in name resolution",
        ]) {
            Self::NoName
        } else {
            Self::Unreachable
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn unreachable(detail: &str) -> Reason {
        Reason::of_http(&HttpError::Unreachable {
            meter: "10.0.0.7:80".into(),
            detail: detail.into(),
        })
    }

    #[test]
    fn connect_failures_are_told_apart_on_every_platform() {
        let chain = "error sending request for url (http://127.0.0.1:9/api/info): client error (Connect): tcp connect error: ";
        assert_eq!(
            unreachable(&format!("{chain}Connection refused (os error 111)")),
            Reason::Refused
        );
        assert_eq!(
            unreachable(
                "No connection could be made because the target machine actively refused it. (os error 10061)"
            ),
            Reason::Refused
        );
        assert_eq!(
            unreachable(&format!("{chain}Connection timed out (os error 110)")),
            Reason::Timeout
        );
        assert_eq!(
            unreachable(
                "client error (Connect): dns error: failed to lookup address information: Name or service not known"
            ),
            Reason::NoName
        );
        assert_eq!(
            unreachable(&format!("{chain}No route to host (os error 113)")),
            Reason::Unreachable
        );
    }

    #[test]
    fn every_reason_reads_in_both_languages_without_library_words() {
        let all = [
            Reason::Timeout,
            Reason::Refused,
            Reason::Unreachable,
            Reason::NoName,
            Reason::WrongPassword,
            Reason::WrongMode,
            Reason::BadAnswer,
            Reason::ConnectionLost,
            Reason::Cancelled,
            Reason::SettingsChanged,
            Reason::BrokerRefused,
            Reason::TlsFailed,
            Reason::Other,
        ];
        for r in all {
            let (en, pt) = (r.text(Tr(Lang::En)), r.text(Tr(Lang::PtBr)));
            assert_ne!(en, pt, "{r:?}");
            assert!(!pt.contains("error") && !pt.contains("tcp"), "{pt}");
        }
    }
}
