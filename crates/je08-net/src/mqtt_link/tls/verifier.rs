//! How je08 checks a broker's certificate: webpki, as rustls does, plus
//! what OpenSSL, Mosquitto and the meter also accept (`certs::legacy`): an
//! X.509 v1 certificate signed by the CA, and the CN as the host name when
//! the certificate has no subjectAltName.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls13_signature_with_raw_key};
use rustls::pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, PeerMisbehaved, SignatureScheme};

use crate::certs::legacy;

/// webpki's verifier, widened to the certificates OpenSSL accepts.
#[derive(Debug)]
pub(super) struct BrokerVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    roots: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl BrokerVerifier {
    /// A verifier trusting `roots`, as `webpki` (built from the same roots) does.
    pub(super) fn new(
        webpki: Arc<WebPkiServerVerifier>,
        roots: Vec<CertificateDer<'static>>,
        algorithms: WebPkiSupportedAlgorithms,
    ) -> Self {
        Self {
            webpki,
            roots,
            algorithms,
        }
    }
}

fn seconds(now: UnixTime) -> i64 {
    i64::try_from(now.as_secs()).unwrap_or(i64::MAX)
}

impl ServerCertVerifier for BrokerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if legacy::is_legacy(end_entity) {
            legacy::verify(end_entity, &self.roots, seconds(now)).map_err(Error::InvalidCertificate)?;
            if !legacy::common_name_is(end_entity, server_name) {
                return Err(Error::InvalidCertificate(CertificateError::NotValidForName));
            }
            return Ok(ServerCertVerified::assertion());
        }
        match self
            .webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if legacy::common_name_is(end_entity, server_name) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let Some((_, key)) = legacy_key(cert)? else {
            return self.webpki.verify_tls12_signature(message, cert, dss);
        };
        let Some((_, algorithms)) = self.algorithms.mapping.iter().find(|(s, _)| *s == dss.scheme) else {
            return Err(PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme.into());
        };
        // A signature verifies only under the key's own algorithm.
        algorithms
            .iter()
            .find(|alg| alg.verify_signature(&key, message, dss.signature()).is_ok())
            .map(|_| HandshakeSignatureValid::assertion())
            .ok_or(Error::InvalidCertificate(CertificateError::BadSignature))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let Some((spki, _)) = legacy_key(cert)? else {
            return self.webpki.verify_tls13_signature(message, cert, dss);
        };
        verify_tls13_signature_with_raw_key(
            message,
            &SubjectPublicKeyInfoDer::from(spki),
            dss,
            &self.algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// A certificate's DER public key info and its key bits.
type PublicKey = (Vec<u8>, Vec<u8>);

/// For an X.509 v1 certificate (which webpki does not read), its public
/// key; `None` for any other certificate.
fn legacy_key(cert: &CertificateDer<'_>) -> Result<Option<PublicKey>, Error> {
    if !legacy::is_legacy(cert) {
        return Ok(None);
    }
    legacy::public_key(cert)
        .map(Some)
        .ok_or(Error::InvalidCertificate(CertificateError::BadEncoding))
}
