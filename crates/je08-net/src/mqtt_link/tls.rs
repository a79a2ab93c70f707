//! TLS material of a broker login ([`TlsFiles`]): the CA that signs the
//! broker's certificate and, for brokers that require it, a client
//! certificate and key — checked once, when the value is made, by building
//! the rustls client configuration (ring provider, TLS 1.2 and 1.3) that
//! every connection then uses. The broker's certificate is checked by
//! `verifier` (webpki, plus X.509 v1 and CN matching as OpenSSL does); a
//! client certificate webpki cannot read is presented by `identity`.

use std::fmt;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::{ClientConfig, RootCertStore};

use super::SetupError;
use crate::certs::{Issue, PemFile, certificates, legacy, private_key};

mod identity;
mod verifier;

/// A CA certificate and an optional client certificate and key, known to
/// make a working rustls client configuration.
#[derive(Clone)]
pub struct TlsFiles {
    ca: PemFile,
    identity: Option<(PemFile, PemFile)>,
    config: Arc<ClientConfig>,
}

impl TlsFiles {
    /// Check the material: the CA file holds certificates usable as trust
    /// anchors; the client certificate file holds a chain and the key file
    /// its private key.
    pub fn new(ca: PemFile, identity: Option<(PemFile, PemFile)>) -> Result<Self, SetupError> {
        let config = client_config(&ca, identity.as_ref().map(|(c, k)| (c, k)))?;
        Ok(Self {
            ca,
            identity,
            config: Arc::new(config),
        })
    }

    /// The CA certificate(s) trusted for the broker.
    pub fn ca(&self) -> &PemFile {
        &self.ca
    }

    /// The client certificate (chain) and its private key, when given.
    pub fn identity(&self) -> Option<(&PemFile, &PemFile)> {
        self.identity.as_ref().map(|(c, k)| (c, k))
    }

    /// The rustls configuration built from the material.
    pub(super) fn config(&self) -> Arc<ClientConfig> {
        self.config.clone()
    }
}

impl fmt::Debug for TlsFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only (PemFile never prints content: it may be a private key).
        f.debug_struct("TlsFiles")
            .field("ca", &self.ca)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// The rustls client configuration trusting the CA(s) in `ca`, presenting
/// `identity` when given.
fn client_config(ca: &PemFile, identity: Option<(&PemFile, &PemFile)>) -> Result<ClientConfig, SetupError> {
    let not_a_ca = |detail: String| SetupError::Pem(ca.problem(Issue::NotACa { detail }));
    let ca_certs = certificates(ca).map_err(SetupError::Pem)?;
    let mut roots = RootCertStore::empty();
    for der in &ca_certs {
        roots.add(der.clone()).map_err(|e| not_a_ca(e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| not_a_ca(e.to_string()))?;
    let verifier =
        verifier::BrokerVerifier::new(webpki, ca_certs, provider.signature_verification_algorithms);
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| SetupError::TlsRefused {
            file: ca.name.clone(),
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let Some((cert, key)) = identity else {
        return Ok(builder.with_no_client_auth());
    };
    let chain = certificates(cert).map_err(SetupError::Pem)?;
    let key_der = private_key(key).map_err(SetupError::Pem)?;
    let mismatch = || {
        SetupError::Pem(key.problem(Issue::KeyMismatch {
            cert: cert.name.clone(),
        }))
    };
    if chain.first().is_some_and(legacy::is_legacy) {
        let identity = identity::LegacyIdentity::new(&provider, chain, key_der).map_err(|e| match e {
            identity::IdentityError::Mismatch => mismatch(),
            identity::IdentityError::Unusable(detail) => SetupError::TlsRefused {
                file: key.name.clone(),
                detail,
            },
        })?;
        return Ok(builder.with_client_cert_resolver(Arc::new(identity)));
    }
    builder
        .with_client_auth_cert(chain, key_der)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => mismatch(),
            other => SetupError::TlsRefused {
                file: key.name.clone(),
                detail: other.to_string(),
            },
        })
}

#[cfg(test)]
mod tests {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

    use super::*;

    fn file(name: &str, text: &str) -> PemFile {
        PemFile::new(name, text.as_bytes())
    }

    /// A CA's PEM and a client certificate it signed, with that client's key.
    fn ca_and_client() -> (String, String, KeyPair) {
        let ca_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = params.self_signed(&ca_key).unwrap().pem();
        let issuer = Issuer::new(params, ca_key);
        let key = KeyPair::generate().unwrap();
        let client = CertificateParams::new(vec!["meter".to_string()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap()
            .pem();
        (ca, client, key)
    }

    #[test]
    fn a_ca_and_a_matching_identity_make_a_configuration() {
        let (ca, client, key) = ca_and_client();
        let files = TlsFiles::new(
            file("ca.pem", &ca),
            Some((
                file("client.pem", &client),
                file("client.key", &key.serialize_pem()),
            )),
        )
        .unwrap();
        assert_eq!(files.ca().name, "ca.pem");
        assert_eq!(
            files.identity().map(|(c, k)| (c.name.as_str(), k.name.as_str())),
            Some(("client.pem", "client.key"))
        );
        assert!(TlsFiles::new(file("ca.pem", &ca), None).is_ok());
    }

    #[test]
    fn each_unusable_file_is_named() {
        let (ca, client, _) = ca_and_client();
        let other_key = KeyPair::generate().unwrap().serialize_pem();
        let problem = |result: Result<TlsFiles, SetupError>| match result {
            Err(SetupError::Pem(p)) => (p.file, p.issue),
            other => panic!("expected a PEM problem, got {other:?}"),
        };
        assert_eq!(
            problem(TlsFiles::new(
                file("ca.pem", &ca),
                Some((file("client.pem", &client), file("client.key", &other_key))),
            )),
            (
                "client.key".into(),
                Issue::KeyMismatch {
                    cert: "client.pem".into()
                }
            )
        );
        assert_eq!(
            problem(TlsFiles::new(file("ca.pem", &other_key), None)).0,
            "ca.pem"
        );
        assert_eq!(
            problem(TlsFiles::new(
                file("ca.pem", &ca),
                Some((file("client.pem", &client), file("client.key", &client))),
            )),
            ("client.key".into(), Issue::NoPrivateKey)
        );
    }
}
