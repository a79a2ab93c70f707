//! Why the broker connection is down ([`LinkError`]), in the user's
//! language. The window's wording drops the command-line hints of the
//! English `Display` (`--ca`, `--cert/--key`); what the broker, rustls or
//! the operating system said stays as it was.

use crate::i18n::{Msg, Tr};
use je08_net::mqtt_link::LinkError;

/// The sentence shown in the MQTT view.
pub fn describe(tr: Tr, error: &LinkError) -> String {
    match error {
        LinkError::Setup(detail) => tr.f(Msg::MqttSetup, &[detail]),
        LinkError::Refused(broker) => tr.f(Msg::MqttRefused, &[broker]),
        LinkError::Timeout(broker) => tr.f(Msg::MqttTimeout, &[broker]),
        LinkError::Network { broker, reason } => tr.f(Msg::MqttNetwork, &[broker, reason]),
        LinkError::UnknownCa(broker) => tr.f(Msg::MqttUnknownCa, &[broker]),
        LinkError::BrokerCertExpired(broker) => tr.f(Msg::MqttCertExpired, &[broker]),
        LinkError::WrongName(broker) => tr.f(Msg::MqttWrongName, &[broker]),
        LinkError::ClientCertRejected { broker, alert } => {
            tr.f(Msg::MqttClientCertRejected, &[broker, alert])
        }
        LinkError::Tls { broker, reason } => tr.f(Msg::MqttTls, &[broker, reason]),
        LinkError::BadCredentials(broker) => tr.f(Msg::MqttBadCredentials, &[broker]),
        LinkError::NotAuthorized(broker) => tr.f(Msg::MqttNotAuthorized, &[broker]),
        LinkError::ConnAckRefused { broker, code } => tr.f(Msg::MqttConnAckRefused, &[broker, code]),
        LinkError::Lost { broker, reason } => tr.f(Msg::MqttLost, &[broker, reason]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn every_error() -> Vec<LinkError> {
        let b = || "mqtt://10.0.0.9:1883".to_owned();
        vec![
            LinkError::Setup("\"x\" is not a broker URL".into()),
            LinkError::Refused(b()),
            LinkError::Timeout(b()),
            LinkError::Network {
                broker: b(),
                reason: "No route to host (os error 113)".into(),
            },
            LinkError::UnknownCa(b()),
            LinkError::BrokerCertExpired(b()),
            LinkError::WrongName(b()),
            LinkError::ClientCertRejected {
                broker: b(),
                alert: "BadCertificate".into(),
            },
            LinkError::Tls {
                broker: b(),
                reason: "HandshakeFailure".into(),
            },
            LinkError::BadCredentials(b()),
            LinkError::NotAuthorized(b()),
            LinkError::ConnAckRefused {
                broker: b(),
                code: "ServiceUnavailable".into(),
            },
            LinkError::Lost {
                broker: b(),
                reason: "connection reset".into(),
            },
        ]
    }

    #[test]
    fn every_broker_failure_reads_in_both_languages_without_command_line_flags() {
        for error in every_error() {
            let en = describe(Tr(Lang::En), &error);
            let pt = describe(Tr(Lang::PtBr), &error);
            assert!(!en.contains("--"), "{en}");
            assert_ne!(en, pt, "{en} is not translated");
            assert!(
                pt.contains("mqtt://10.0.0.9:1883") || pt.contains("is not a broker URL"),
                "{pt}"
            );
            if !matches!(
                error,
                LinkError::UnknownCa(_) | LinkError::ClientCertRejected { .. } | LinkError::Setup(_)
            ) {
                assert_eq!(en, error.to_string(), "the window's English is the log's");
            }
        }
        assert_eq!(
            describe(Tr(Lang::PtBr), &LinkError::BadCredentials("mqtt://b:1883".into())),
            "mqtt://b:1883 rejeitou o usuário ou a senha"
        );
    }
}
