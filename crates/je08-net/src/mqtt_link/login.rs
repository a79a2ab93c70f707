//! How to log in to a broker: [`BrokerLogin`] (the broker's URL and the
//! [`Credentials`]: user, [`Password`], [`TlsFiles`]), and the same as a
//! person gives it, with the PEM files still paths ([`CredentialFiles`]).
//! Every place that reaches a broker — the command line, the window, the
//! commissioning report, the simulator — holds one of these.
//!
//! The rules, checked in one place: a client certificate comes with its key
//! and only over TLS; `mqtts://` needs the CA certificate that signs the
//! broker's certificate and `mqtt://` takes no TLS files.

use std::fmt;
use std::path::PathBuf;

use super::{SetupError, TlsFiles};
use crate::certs::PemFile;
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

/// Who logs in and how the broker is trusted: everything of a login but the
/// broker's URL.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// User name, if the broker wants one.
    pub user: Option<String>,
    /// Password of `user`.
    pub password: Option<Password>,
    /// TLS material, for `mqtts://`.
    pub tls: Option<TlsFiles>,
}

/// Credentials as a person gives them — on the command line or in a form —
/// with the PEM files still paths, not read yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialFiles {
    /// User name.
    pub user: Option<String>,
    /// Password of `user`.
    pub password: Option<Password>,
    /// CA certificate (PEM) that signs the broker's certificate.
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM), for brokers that require one.
    pub cert: Option<PathBuf>,
    /// Private key (PEM) of `cert`.
    pub key: Option<PathBuf>,
}

impl CredentialFiles {
    /// Nothing given: no user, no password, no file.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Whether the files go together — a client certificate with its key,
    /// and only with a CA — and, when the broker is known, with its URL.
    /// Reads nothing, so a form can say what is wrong as it is typed.
    pub fn check(&self, broker: Option<&BrokerUrl>) -> Result<(), SetupError> {
        if let Some(broker) = broker {
            tls_fits(broker, self.ca.is_some())?;
        }
        if self.cert.is_some() != self.key.is_some() {
            return Err(SetupError::IdentityIncomplete);
        }
        if self.cert.is_some() && self.ca.is_none() {
            return Err(SetupError::IdentityWithoutTls);
        }
        Ok(())
    }

    /// Read the PEM files and check them ([`TlsFiles::new`]).
    pub fn load(&self) -> Result<Credentials, SetupError> {
        self.check(None)?;
        let read = |path: &PathBuf| PemFile::read(path).map_err(SetupError::Pem);
        let tls = match &self.ca {
            None => None,
            Some(ca) => {
                let identity = match (&self.cert, &self.key) {
                    (Some(cert), Some(key)) => Some((read(cert)?, read(key)?)),
                    _ => None,
                };
                Some(TlsFiles::new(read(ca)?, identity)?)
            }
        };
        Ok(Credentials {
            user: self.user.clone(),
            password: self.password.clone(),
            tls,
        })
    }
}

/// A broker and how to log in to it.
#[derive(Debug, Clone)]
pub struct BrokerLogin {
    /// The broker; `mqtts://` needs `credentials.tls`.
    pub broker: BrokerUrl,
    /// User, password and TLS material.
    pub credentials: Credentials,
}

impl BrokerLogin {
    /// No user, no password, no TLS files (a plain `mqtt://` broker open to
    /// anyone).
    pub fn anonymous(broker: BrokerUrl) -> Self {
        Self {
            broker,
            credentials: Credentials::default(),
        }
    }

    /// Read and check the PEM files of `files` for `broker`.
    pub fn load(broker: BrokerUrl, files: &CredentialFiles) -> Result<Self, SetupError> {
        files.check(Some(&broker))?;
        Ok(Self {
            broker,
            credentials: files.load()?,
        })
    }

    /// Whether the URL and the TLS material go together.
    pub fn check(&self) -> Result<(), SetupError> {
        tls_fits(&self.broker, self.credentials.tls.is_some())
    }
}

/// `mqtts://` with TLS material, `mqtt://` without.
fn tls_fits(broker: &BrokerUrl, has_tls: bool) -> Result<(), SetupError> {
    match (broker.tls, has_tls) {
        (true, false) => Err(SetupError::CaRequired {
            broker: broker.to_string(),
        }),
        (false, true) => Err(SetupError::TlsForPlainBroker {
            broker: broker.to_string(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> BrokerUrl {
        text.parse().unwrap()
    }

    #[test]
    fn files_go_together_and_with_the_url() {
        let mut files = CredentialFiles::default();
        assert!(files.is_empty() && files.check(Some(&url("mqtt://h"))).is_ok());
        assert!(matches!(
            files.check(Some(&url("mqtts://h"))),
            Err(SetupError::CaRequired { .. })
        ));
        files.ca = Some("ca.pem".into());
        assert!(matches!(
            files.check(Some(&url("mqtt://h"))),
            Err(SetupError::TlsForPlainBroker { .. })
        ));
        assert!(files.check(None).is_ok(), "a CA fits a broker not known yet");
        files.cert = Some("client.pem".into());
        assert_eq!(files.check(None), Err(SetupError::IdentityIncomplete));
        files.key = Some("client.key".into());
        assert!(files.check(Some(&url("mqtts://h"))).is_ok());
        files.ca = None;
        assert_eq!(files.check(None), Err(SetupError::IdentityWithoutTls));
    }

    #[test]
    fn an_unreadable_file_is_a_pem_problem_naming_it() {
        let files = CredentialFiles {
            ca: Some("/nonexistent/je08/ca.pem".into()),
            ..CredentialFiles::default()
        };
        match BrokerLogin::load(url("mqtts://h"), &files) {
            Err(SetupError::Pem(problem)) => assert_eq!(problem.file, "/nonexistent/je08/ca.pem"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn passwords_never_print() {
        let files = CredentialFiles {
            user: Some("op".into()),
            password: Some(Password::new("hunter2")),
            ..CredentialFiles::default()
        };
        let login = BrokerLogin::load(url("mqtt://h"), &files).unwrap();
        let options = crate::mqtt_link::LinkOptions::builder(login.clone(), "c")
            .build()
            .unwrap();
        assert!(!format!("{files:?}{login:?}{options:?}").contains("hunter2"));
        assert_eq!(
            login.credentials.password.as_ref().map(Password::expose),
            Some("hunter2")
        );
    }
}
