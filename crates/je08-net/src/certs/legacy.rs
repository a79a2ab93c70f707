//! Certificates as the OpenSSL command line makes them and webpki will not
//! take: X.509 v1 (what `openssl x509 -req` signs without `-extfile`, as in
//! Mosquitto's mosquitto-tls page and the ESP8266 BearSSL examples), and
//! certificates without a subjectAltName. OpenSSL, Mosquitto and the meter
//! (BearSSL) accept a v1 certificate signed directly by a trusted CA, and
//! match the host name against the CN when there is no subjectAltName; je08
//! does the same, with the same checks: issuer, signature, dates, name.

use rustls::CertificateError;
use rustls::pki_types::{CertificateDer, ServerName};
use x509_parser::oid_registry::{
    OID_PKCS1_MD5WITHRSAENC, OID_PKCS1_SHA1WITHRSA, OID_SHA1_WITH_RSA, OID_SIG_DSA_WITH_SHA1,
};
use x509_parser::prelude::{FromDer, X509Certificate, X509Version};

/// The certificate parses and is X.509 v1 or v2 (webpki reads only v3).
pub(crate) fn is_legacy(der: &CertificateDer<'_>) -> bool {
    matches!(X509Certificate::from_der(der), Ok((_, cert)) if cert.version() != X509Version::V3)
}

/// Verify a legacy certificate as OpenSSL does: a certificate of `roots`
/// with its issuer's name, which may act as a CA, signed it, and `now`
/// (Unix seconds) is within its dates. A signature over SHA-1 or MD5 is
/// refused, as webpki refuses it in a v3 certificate.
pub(crate) fn verify(
    leaf: &CertificateDer<'_>,
    roots: &[CertificateDer<'_>],
    now: i64,
) -> Result<(), CertificateError> {
    let (_, cert) = X509Certificate::from_der(leaf).map_err(|_| CertificateError::BadEncoding)?;
    let algorithm = &cert.signature_algorithm.algorithm;
    let weak = [
        OID_PKCS1_SHA1WITHRSA,
        OID_PKCS1_MD5WITHRSAENC,
        OID_SHA1_WITH_RSA,
        OID_SIG_DSA_WITH_SHA1,
    ];
    if weak.contains(algorithm) {
        return Err(CertificateError::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id: algorithm.as_bytes().to_vec(),
            supported_algorithms: Vec::new(),
        });
    }
    let signed = roots
        .iter()
        .filter_map(|root| X509Certificate::from_der(root).ok().map(|(_, ca)| ca))
        .filter(|ca| ca.subject().as_raw() == cert.issuer().as_raw())
        .filter(|ca| !matches!(ca.basic_constraints(), Ok(Some(bc)) if !bc.value.ca))
        .any(|ca| cert.verify_signature(Some(ca.public_key())).is_ok());
    if !signed {
        return Err(CertificateError::UnknownIssuer);
    }
    let validity = cert.validity();
    if now < validity.not_before.timestamp() {
        return Err(CertificateError::NotValidYet);
    }
    if now > validity.not_after.timestamp() {
        return Err(CertificateError::Expired);
    }
    Ok(())
}

/// The certificate has no subjectAltName and its (last) CN is `name`: a
/// host name compared without regard to case, or the same IP address.
pub(crate) fn common_name_is(der: &CertificateDer<'_>, name: &ServerName<'_>) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    if !matches!(cert.subject_alternative_name(), Ok(None)) {
        return false;
    }
    let Some(cn) = cert
        .subject()
        .iter_common_name()
        .last()
        .and_then(|cn| cn.as_str().ok())
    else {
        return false;
    };
    match name {
        ServerName::DnsName(host) => cn.eq_ignore_ascii_case(host.as_ref()),
        ServerName::IpAddress(ip) => cn
            .parse::<std::net::IpAddr>()
            .is_ok_and(|cn| cn == std::net::IpAddr::from(*ip)),
        _ => false,
    }
}

/// The DER of the certificate's SubjectPublicKeyInfo and the bits of its
/// key, for handshake signatures made with a certificate webpki cannot read.
pub(crate) fn public_key(der: &CertificateDer<'_>) -> Option<(Vec<u8>, Vec<u8>)> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let spki = cert.public_key();
    Some((spki.raw.to_vec(), spki.subject_public_key.data.to_vec()))
}
