//! A broker login as typed in the window ([`BrokerForm`]: URL, user,
//! password and the PEM files), shared by the MQTT view and the Batch
//! page's report, and the one function that reads it
//! ([`BrokerForm::login`]): the URL parsed and the files checked to go
//! together, as the user types. The files themselves are read by the
//! backend.

use std::path::PathBuf;

use super::config_forms::PasswordText;
use crate::i18n::{Describe, Tr};
use je08_net::mqtt_link::{CredentialFiles, Password, SetupError};
use je08_protocol::mqtt::{BadBrokerUrl, BrokerUrl, without_password};

/// A broker login as typed. Its `Debug` shows the URL without a password
/// typed into it.
#[derive(Clone, Default)]
pub struct BrokerForm {
    /// Broker URL (empty: none given).
    pub url: String,
    /// User name (empty: none).
    pub user: String,
    /// Password (in memory only; empty: none).
    pub password: PasswordText,
    /// CA certificate of an `mqtts://` broker.
    pub ca: Option<PathBuf>,
    /// Client certificate, for brokers that require one.
    pub cert: Option<PathBuf>,
    /// Private key of the client certificate.
    pub key: Option<PathBuf>,
}

impl std::fmt::Debug for BrokerForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerForm")
            .field("url", &self.url_to_remember())
            .field("user", &self.user)
            .field("password", &self.password)
            .field("ca", &self.ca)
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish()
    }
}

/// A broker form as typed, checked.
#[derive(Debug, Clone)]
pub struct TypedLogin {
    /// The broker; `None` while the URL is empty.
    pub broker: Option<BrokerUrl>,
    /// How to log in, PEM files not read yet.
    pub credentials: CredentialFiles,
}

/// Why a broker form cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerFormProblem {
    /// The URL is not a broker URL.
    BadUrl(BadBrokerUrl),
    /// The PEM files do not go together, or not with the URL.
    Login(SetupError),
}

impl Describe for BrokerFormProblem {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::BadUrl(error) => error.describe(tr),
            Self::Login(error) => error.describe(tr),
        }
    }
}

impl BrokerForm {
    /// The URL as it may be kept in the preferences or shown: a password
    /// typed into it (which [`login`](Self::login) refuses, pointing to the
    /// password field) replaced by `***`.
    pub fn url_to_remember(&self) -> String {
        without_password(self.url.trim())
    }

    /// The login as typed: the broker (none while the URL is empty), the
    /// user and password (none while empty) and the PEM files, checked to
    /// go together and with the URL.
    pub fn login(&self) -> Result<TypedLogin, BrokerFormProblem> {
        let url = self.url.trim();
        let broker = if url.is_empty() {
            None
        } else {
            Some(url.parse::<BrokerUrl>().map_err(BrokerFormProblem::BadUrl)?)
        };
        let user = self.user.trim();
        let credentials = CredentialFiles {
            user: (!user.is_empty()).then(|| user.to_owned()),
            password: (!self.password.0.is_empty()).then(|| Password::new(self.password.0.clone())),
            ca: self.ca.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
        };
        credentials
            .check(broker.as_ref())
            .map_err(BrokerFormProblem::Login)?;
        Ok(TypedLogin { broker, credentials })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_broker_is_optional_and_checked_with_its_ca() {
        let mut form = BrokerForm::default();
        let typed = form.login().expect("empty is valid");
        assert!(typed.broker.is_none() && typed.credentials.is_empty());
        form.url = "http://host".into();
        assert!(matches!(form.login(), Err(BrokerFormProblem::BadUrl(_))));
        form.url = "mqtt://user:pw@host".into();
        assert!(matches!(form.login(), Err(BrokerFormProblem::BadUrl(_))));
        form.url = " mqtts://host ".into();
        assert!(matches!(
            form.login(),
            Err(BrokerFormProblem::Login(SetupError::CaRequired { .. }))
        ));
        form.ca = Some("ca.pem".into());
        assert_eq!(
            form.login().ok().and_then(|t| t.broker).map(|b| b.port),
            Some(8883)
        );
        form.url = "mqtt://host".into();
        assert!(matches!(
            form.login(),
            Err(BrokerFormProblem::Login(SetupError::TlsForPlainBroker { .. }))
        ));
        form.url.clear();
        form.user = " meter ".into();
        form.password = PasswordText("secret".into());
        let typed = form.login().expect("the meters' own broker over TLS");
        assert_eq!(typed.credentials.user.as_deref(), Some("meter"));
        assert!(!format!("{form:?}{typed:?}").contains("secret"), "{typed:?}");
        form.url = "mqtt://meter:hunter2@host".into();
        let Err(problem) = form.login() else {
            panic!("a password in the URL is refused")
        };
        for said in [
            problem.describe(Tr(Lang::En)),
            problem.describe(Tr(Lang::PtBr)),
            format!("{problem:?}"),
            format!("{form:?}"),
            form.url_to_remember(),
        ] {
            assert!(!said.contains("hunter2"), "{said}");
        }
        assert!(
            problem
                .describe(Tr(Lang::En))
                .contains("a user and password go in their own fields"),
            "{problem:?}"
        );
    }

    #[test]
    fn a_client_certificate_comes_with_its_key_over_tls() {
        let mut form = BrokerForm {
            url: "mqtts://host".into(),
            ca: Some("ca.pem".into()),
            cert: Some("client.pem".into()),
            ..BrokerForm::default()
        };
        assert_eq!(
            form.login().err(),
            Some(BrokerFormProblem::Login(SetupError::IdentityIncomplete))
        );
        form.key = Some("client.key".into());
        let typed = form.login().expect("valid");
        assert_eq!(
            (typed.credentials.cert, typed.credentials.key),
            (Some("client.pem".into()), Some("client.key".into()))
        );
        form.ca = None;
        form.url.clear();
        assert_eq!(
            form.login().err(),
            Some(BrokerFormProblem::Login(SetupError::IdentityWithoutTls))
        );
    }

    #[test]
    fn problems_read_in_both_languages() {
        for problem in [
            BrokerFormProblem::BadUrl("http://host".parse::<BrokerUrl>().unwrap_err()),
            BrokerFormProblem::Login(SetupError::IdentityIncomplete),
        ] {
            assert_ne!(problem.describe(Tr(Lang::En)), problem.describe(Tr(Lang::PtBr)));
        }
    }
}
