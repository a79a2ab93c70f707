//! The commissioning report's options as typed on the Batch page (HTTP
//! settings, broker of the MQTT check) and their check.

use std::path::PathBuf;

use super::config_forms::PasswordText;
use crate::backend::commissioning::ReportChecks;
use crate::i18n::Msg;
use je08_protocol::mqtt::BrokerUrl;

/// The report's options as typed.
#[derive(Debug, Default)]
pub struct ReportForm {
    /// Read each meter's HTTP settings (two reboots each).
    pub http_blocks: bool,
    /// Broker URL of the MQTT check (empty: each meter's own).
    pub broker: String,
    /// MQTT user name.
    pub user: String,
    /// MQTT password (in memory only).
    pub password: PasswordText,
    /// CA certificate of an `mqtts://` broker.
    pub ca: Option<PathBuf>,
    /// Client certificate, for brokers that require one.
    pub cert: Option<PathBuf>,
    /// Private key of the client certificate.
    pub key: Option<PathBuf>,
}

impl ReportForm {
    /// The checks as typed, or what is wrong with them.
    pub fn checks(&self) -> Result<ReportChecks, Msg> {
        let url = self.broker.trim();
        let broker = if url.is_empty() {
            None
        } else {
            Some(url.parse::<BrokerUrl>().map_err(|_| Msg::BadBrokerUrl)?)
        };
        match (broker.as_ref().map(|b| b.tls), &self.ca) {
            (Some(true), None) => return Err(Msg::BrokerNeedsCa),
            (Some(false), Some(_)) => return Err(Msg::CaNeedsMqtts),
            _ => {}
        }
        let identity = match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
            (None, None) => None,
            _ => return Err(Msg::CertNeedsKey),
        };
        if identity.is_some() && self.ca.is_none() {
            return Err(Msg::IdentityNeedsTls);
        }
        let user = Some(self.user.trim().to_string()).filter(|u| !u.is_empty());
        Ok(ReportChecks {
            http_blocks: self.http_blocks,
            broker,
            user,
            password: self.password.secret(),
            ca: self.ca.clone(),
            identity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_broker_is_optional_and_checked_with_its_ca() {
        let mut form = ReportForm::default();
        let checks = form.checks().expect("empty is valid");
        assert!(checks.broker.is_none() && checks.user.is_none() && checks.password.is_none());
        form.broker = "http://host".into();
        assert_eq!(form.checks().err(), Some(Msg::BadBrokerUrl));
        form.broker = "mqtt://user:pw@host".into();
        assert_eq!(form.checks().err(), Some(Msg::BadBrokerUrl));
        form.broker = " mqtts://host ".into();
        assert_eq!(form.checks().err(), Some(Msg::BrokerNeedsCa));
        form.ca = Some("ca.pem".into());
        assert_eq!(
            form.checks().ok().and_then(|c| c.broker).map(|b| b.port),
            Some(8883)
        );
        form.broker = "mqtt://host".into();
        assert_eq!(form.checks().err(), Some(Msg::CaNeedsMqtts));
        form.broker.clear();
        form.user = " meter ".into();
        form.password = PasswordText("secret".into());
        let checks = form.checks().expect("the meters' own broker over TLS");
        assert_eq!(checks.user.as_deref(), Some("meter"));
        assert!(!format!("{checks:?}").contains("secret"), "{checks:?}");
    }

    #[test]
    fn a_client_certificate_comes_with_its_key_over_tls() {
        let mut form = ReportForm {
            broker: "mqtts://host".into(),
            ca: Some("ca.pem".into()),
            cert: Some("client.pem".into()),
            ..ReportForm::default()
        };
        assert_eq!(form.checks().err(), Some(Msg::CertNeedsKey));
        form.key = Some("client.key".into());
        assert_eq!(
            form.checks().expect("valid").identity,
            Some(("client.pem".into(), "client.key".into()))
        );
        form.ca = None;
        form.broker.clear();
        assert_eq!(form.checks().err(), Some(Msg::IdentityNeedsTls));
    }
}
