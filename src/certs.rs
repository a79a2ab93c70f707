//! Certificate pre-flight and TLS client set-up for MQTT.
//!
//! [`check`] looks at a CA certificate and an optional client certificate
//! and key the way a JE08 (ESP8266, BearSSL) will: PEM that parses, a key
//! that matches its certificate, validity dates, a chain that verifies
//! against the CA, RSA ≤ 2048 bits or EC P-256, and files of at most 4096
//! bytes. Every problem is one sentence that names the file. The check is
//! pure (bytes and a clock in, a report out); [`PemFile::read`] loads files.
//!
//! [`client_tls_config`] builds the rustls configuration (ring provider) that
//! both the simulator and the configurator use to reach a broker over TLS.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::{CertificateError, RootCertStore};
use serde::Serialize;
use thiserror::Error;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION, OID_SIG_ED25519,
};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

/// Largest certificate or key file a JE08 stores (spec §4, `/api/certs`).
pub const MAX_FILE_BYTES: usize = 4096;
/// Largest RSA modulus the ESP8266 handles in a TLS handshake.
pub const MAX_RSA_BITS: usize = 2048;
/// Files larger than this are not read at all.
const READ_LIMIT: u64 = 1024 * 1024;

/// A PEM file's name (as the user gave it) and content.
#[derive(Clone)]
pub struct PemFile {
    /// Name used in messages (usually the path as typed).
    pub name: String,
    /// The raw bytes.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for PemFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print content: it may be a private key.
        write!(f, "PemFile({}, {} bytes)", self.name, self.bytes.len())
    }
}

impl PemFile {
    /// Wrap bytes already in memory.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    /// Read a file; an unreadable or huge file is a [`Problem`].
    pub fn read(path: &Path) -> Result<Self, Problem> {
        let name = path.display().to_string();
        let fail = |why: String| Problem {
            file: name.clone(),
            message: format!("{name} cannot be read: {why}."),
        };
        let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
        if meta.len() > READ_LIMIT {
            return Err(fail(format!(
                "it is {} bytes, far too large for a PEM file",
                meta.len()
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        Ok(Self { name, bytes })
    }
}

/// One problem found by [`check`]: a sentence that names the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Error)]
#[error("{message}")]
pub struct Problem {
    /// The file concerned.
    pub file: String,
    /// One sentence, naming the file and saying what is wrong.
    pub message: String,
}

/// What [`check`] learnt about one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    /// The file it came from.
    pub file: String,
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Start of validity (UTC).
    pub not_before: String,
    /// End of validity (UTC).
    pub not_after: String,
    /// Key type and size, e.g. `EC P-256` or `RSA 2048 bits`.
    pub key: String,
}

/// The outcome of a pre-flight check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The certificates that parsed (CA first).
    pub certificates: Vec<CertSummary>,
    /// Everything wrong, in the order found; empty when all is well.
    pub problems: Vec<Problem>,
}

impl Report {
    /// No problem found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, file: &PemFile, message: String) {
        self.problems.push(Problem {
            file: file.name.clone(),
            message,
        });
    }
}

/// A public key's type, as far as the meter cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa(usize),
    EcP256,
    EcP384,
    Ed25519,
    Other,
}

impl KeyKind {
    fn of(spki: &SubjectPublicKeyInfo<'_>) -> Self {
        let alg = &spki.algorithm;
        if alg.algorithm == OID_PKCS1_RSAENCRYPTION {
            match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => Self::Rsa(bit_length(rsa.modulus)),
                _ => Self::Other,
            }
        } else if alg.algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY {
            match alg.parameters.as_ref().and_then(|p| p.as_oid().ok()) {
                Some(curve) if curve == OID_EC_P256 => Self::EcP256,
                Some(curve) if curve == OID_NIST_EC_P384 => Self::EcP384,
                _ => Self::Other,
            }
        } else if alg.algorithm == OID_SIG_ED25519 {
            Self::Ed25519
        } else {
            Self::Other
        }
    }

    fn usable_by_meter(self) -> bool {
        matches!(self, Self::EcP256) || matches!(self, Self::Rsa(bits) if bits <= MAX_RSA_BITS)
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa(bits) => write!(f, "RSA {bits} bits"),
            Self::EcP256 => f.write_str("EC P-256"),
            Self::EcP384 => f.write_str("EC P-384"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Other => f.write_str("an unsupported key type"),
        }
    }
}

/// Significant bits of a big-endian unsigned integer.
fn bit_length(bytes: &[u8]) -> usize {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => &[],
    };
    match trimmed.first() {
        Some(first) => trimmed.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

fn utc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| format!("timestamp {ts}"))
}

fn unix_seconds(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The PEM sections of a file, or a problem sentence.
fn sections(file: &PemFile) -> Result<Vec<(SectionKind, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(&file.bytes) {
        match item {
            Ok(section) => out.push(section),
            Err(err) => return Err(format!("{} is not valid PEM ({err}).", file.name)),
        }
    }
    if out.is_empty() {
        return Err(format!(
            "{} contains no PEM section (no -----BEGIN line).",
            file.name
        ));
    }
    Ok(out)
}

fn kind_name(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Certificate => "a certificate",
        SectionKind::PublicKey => "a public key",
        SectionKind::RsaPrivateKey | SectionKind::PrivateKey | SectionKind::EcPrivateKey => "a private key",
        SectionKind::Crl => "a revocation list",
        SectionKind::Csr => "a certificate signing request",
        SectionKind::EchConfigList => "an ECH configuration",
        _ => "an unexpected PEM section",
    }
}

/// The certificates of a file (first = leaf), or a problem sentence.
fn certificates(file: &PemFile) -> Result<Vec<CertificateDer<'static>>, String> {
    let sections = sections(file)?;
    if let Some((kind, _)) = sections.iter().find(|(k, _)| *k != SectionKind::Certificate) {
        return Err(format!(
            "{} holds {} where a certificate was expected.",
            file.name,
            kind_name(*kind)
        ));
    }
    Ok(sections
        .into_iter()
        .map(|(_, der)| CertificateDer::from(der))
        .collect())
}

/// The private key of a file, or a problem sentence.
fn private_key(file: &PemFile) -> Result<PrivateKeyDer<'static>, String> {
    let sections = sections(file)?;
    let mut keys = sections.into_iter().filter_map(|(kind, der)| match kind {
        SectionKind::RsaPrivateKey => Some(PrivateKeyDer::Pkcs1(der.into())),
        SectionKind::PrivateKey => Some(PrivateKeyDer::Pkcs8(der.into())),
        SectionKind::EcPrivateKey => Some(PrivateKeyDer::Sec1(der.into())),
        _ => None,
    });
    let Some(key) = keys.next() else {
        return Err(format!("{} holds no private key.", file.name));
    };
    if keys.next().is_some() {
        return Err(format!("{} holds more than one private key.", file.name));
    }
    Ok(key)
}

/// Check one parsed certificate: dates and key; returns its summary.
fn check_certificate(
    report: &mut Report,
    file: &PemFile,
    der: &CertificateDer<'_>,
    now: i64,
    role: &str,
) -> Option<KeyKind> {
    let cert = match X509Certificate::from_der(der) {
        Ok((_, cert)) => cert,
        Err(err) => {
            report.problem(
                file,
                format!("{} holds a certificate that cannot be parsed ({err}).", file.name),
            );
            return None;
        }
    };
    let validity = cert.validity();
    let (not_before, not_after) = (validity.not_before.timestamp(), validity.not_after.timestamp());
    let key = KeyKind::of(cert.public_key());
    report.certificates.push(CertSummary {
        file: file.name.clone(),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: utc(not_before),
        not_after: utc(not_after),
        key: key.to_string(),
    });
    if now < not_before {
        report.problem(
            file,
            format!("{} ({role}) is not valid until {}.", file.name, utc(not_before)),
        );
    }
    if now > not_after {
        report.problem(
            file,
            format!("{} ({role}) expired on {}.", file.name, utc(not_after)),
        );
    }
    if !key.usable_by_meter() {
        report.problem(
            file,
            format!(
                "{} ({role}) uses {key}; the meter handles only RSA up to {MAX_RSA_BITS} bits or EC P-256.",
                file.name
            ),
        );
    }
    Some(key)
}

fn check_size(report: &mut Report, file: &PemFile) {
    if file.bytes.len() > MAX_FILE_BYTES {
        report.problem(
            file,
            format!(
                "{} is {} bytes; the meter stores at most {MAX_FILE_BYTES} bytes per file.",
                file.name,
                file.bytes.len()
            ),
        );
    }
}

/// Check that `key` is the private key of `cert`.
fn check_key_matches(
    report: &mut Report,
    cert_file: &PemFile,
    key_file: &PemFile,
    cert: &CertificateDer<'_>,
    key: &PrivateKeyDer<'_>,
) {
    let Ok((_, parsed)) = X509Certificate::from_der(cert) else {
        return; // already reported
    };
    let signing = match rustls::crypto::ring::sign::any_supported_type(key) {
        Ok(k) => k,
        Err(_) => {
            report.problem(
                key_file,
                format!(
                    "{} holds a key that cannot be used for TLS (RSA 2048–4096 bits or EC P-256/P-384 expected).",
                    key_file.name
                ),
            );
            return;
        }
    };
    let Some(public) = signing.public_key() else {
        return;
    };
    if public.as_ref() != parsed.public_key().raw {
        report.problem(
            key_file,
            format!("{} is not the private key of {}.", key_file.name, cert_file.name),
        );
        return;
    }
    if let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(public.as_ref()) {
        let kind = KeyKind::of(&spki);
        if !kind.usable_by_meter() {
            report.problem(
                key_file,
                format!(
                    "{} is {kind}; the meter handles only RSA up to {MAX_RSA_BITS} bits or EC P-256.",
                    key_file.name
                ),
            );
        }
    }
}

/// One sentence for a chain verification failure.
fn chain_message(err: &rustls::Error, cert: &PemFile, ca: &PemFile) -> Option<String> {
    let (c, a) = (&cert.name, &ca.name);
    let text = match err {
        rustls::Error::InvalidCertificate(e) => match e {
            // Dates are reported from the certificates themselves.
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => return None,
            // A different issuer name, or the same name with another key.
            CertificateError::UnknownIssuer
            | CertificateError::BadSignature
            | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                format!("{c} is not signed by the CA in {a}.")
            }
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                format!("{c} is not allowed for TLS client authentication (extended key usage).")
            }
            other => format!("{c} does not verify against {a} ({other:?})."),
        },
        other => format!("{c} does not verify against {a} ({other})."),
    };
    Some(text)
}

/// Check the CA and, when given, the client certificate and key, at `now`.
pub fn check(ca: &PemFile, identity: Option<(&PemFile, &PemFile)>, now: SystemTime) -> Report {
    let mut report = Report::default();
    let now_s = unix_seconds(now);
    check_size(&mut report, ca);
    let ca_certs = match certificates(ca) {
        Ok(certs) => certs,
        Err(msg) => {
            report.problem(ca, msg);
            Vec::new()
        }
    };
    for der in &ca_certs {
        check_certificate(&mut report, ca, der, now_s, "CA certificate");
    }
    let Some((cert_file, key_file)) = identity else {
        return report;
    };
    check_size(&mut report, cert_file);
    check_size(&mut report, key_file);
    let chain = certificates(cert_file).map_err(|msg| report.problem(cert_file, msg));
    let key = private_key(key_file).map_err(|msg| report.problem(key_file, msg));
    let Ok(chain) = chain else { return report };
    for der in &chain {
        check_certificate(&mut report, cert_file, der, now_s, "client certificate");
    }
    let Some(leaf) = chain.first() else { return report };
    if let Ok(key) = &key {
        check_key_matches(&mut report, cert_file, key_file, leaf, key);
    }
    if ca_certs.is_empty() {
        return report;
    }
    match verify_client_chain(&ca_certs, &chain, now) {
        Ok(()) => {}
        Err(ChainError::BadCa(why)) => {
            report.problem(ca, format!("{} cannot serve as a CA ({why}).", ca.name))
        }
        Err(ChainError::Verify(err)) => {
            if let Some(msg) = chain_message(&err, cert_file, ca) {
                report.problem(cert_file, msg);
            }
        }
    }
    report
}

enum ChainError {
    BadCa(String),
    Verify(rustls::Error),
}

fn verify_client_chain(
    ca_certs: &[CertificateDer<'static>],
    chain: &[CertificateDer<'static>],
    now: SystemTime,
) -> Result<(), ChainError> {
    let mut roots = RootCertStore::empty();
    for der in ca_certs {
        roots
            .add(der.clone())
            .map_err(|e| ChainError::BadCa(e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| ChainError::BadCa(e.to_string()))?;
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    verifier
        .verify_client_cert(&chain[0], &chain[1..], UnixTime::since_unix_epoch(since_epoch))
        .map(|_| ())
        .map_err(ChainError::Verify)
}

/// Why a TLS client configuration could not be built.
#[derive(Debug, Error)]
pub enum TlsSetupError {
    /// A file is not usable PEM of the expected kind.
    #[error("{0}")]
    Pem(String),
    /// rustls refused the material.
    #[error("{file}: {reason}")]
    Rejected {
        /// The file at fault.
        file: String,
        /// What rustls said.
        reason: String,
    },
}

/// Build a rustls client configuration (ring provider, TLS 1.2 and 1.3)
/// trusting the CA(s) in `ca`, with an optional client certificate chain and
/// key for brokers that require client authentication.
pub fn client_tls_config(
    ca: &PemFile,
    identity: Option<(&PemFile, &PemFile)>,
) -> Result<rustls::ClientConfig, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    for der in certificates(ca).map_err(TlsSetupError::Pem)? {
        roots.add(der).map_err(|e| TlsSetupError::Rejected {
            file: ca.name.clone(),
            reason: format!("not a usable CA certificate ({e})"),
        })?;
    }
    let builder =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsSetupError::Rejected {
                file: ca.name.clone(),
                reason: e.to_string(),
            })?
            .with_root_certificates(roots);
    match identity {
        None => Ok(builder.with_no_client_auth()),
        Some((cert, key)) => {
            let chain = certificates(cert).map_err(TlsSetupError::Pem)?;
            let key_der = private_key(key).map_err(TlsSetupError::Pem)?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| TlsSetupError::Rejected {
                    file: key.name.clone(),
                    reason: format!("does not fit {} ({e})", cert.name),
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
        date_time_ymd,
    };

    struct Ca {
        pem: String,
        issuer: Issuer<'static, KeyPair>,
    }

    fn ca_with(key: KeyPair) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let pem = params.self_signed(&key).unwrap().pem();
        Ca {
            pem,
            issuer: Issuer::new(params, key),
        }
    }

    fn ca() -> Ca {
        ca_with(KeyPair::generate().unwrap())
    }

    fn client(ca: &Ca, key: &KeyPair, dates: Option<(i32, i32)>) -> String {
        let mut params = CertificateParams::new(vec!["meter".to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, "je08 meter");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        if let Some((from, to)) = dates {
            params.not_before = date_time_ymd(from, 1, 1);
            params.not_after = date_time_ymd(to, 1, 1);
        }
        params.signed_by(key, &ca.issuer).unwrap().pem()
    }

    fn file(name: &str, text: &str) -> PemFile {
        PemFile::new(name, text.as_bytes())
    }

    fn messages(report: &Report) -> Vec<String> {
        report.problems.iter().map(|p| p.message.clone()).collect()
    }

    #[test]
    fn a_good_set_passes() {
        let ca = ca();
        let key = KeyPair::generate().unwrap();
        let cert = client(&ca, &key, None);
        let report = check(
            &file("ca.pem", &ca.pem),
            Some((
                &file("client.pem", &cert),
                &file("client.key", &key.serialize_pem()),
            )),
            SystemTime::now(),
        );
        assert!(report.is_ok(), "{:?}", report.problems);
        assert_eq!(report.certificates.len(), 2);
        assert_eq!(report.certificates[0].key, "EC P-256");
        assert!(report.certificates[1].subject.contains("je08 meter"));
        let ca_only = check(&file("ca.pem", &ca.pem), None, SystemTime::now());
        assert!(ca_only.is_ok());
        client_tls_config(
            &file("ca.pem", &ca.pem),
            Some((
                &file("client.pem", &cert),
                &file("client.key", &key.serialize_pem()),
            )),
        )
        .unwrap();
    }

    #[test]
    fn wrong_key_and_wrong_ca_are_named() {
        let ca1 = ca();
        let ca2 = ca();
        let key = KeyPair::generate().unwrap();
        let other = KeyPair::generate().unwrap();
        let cert = client(&ca1, &key, None);
        let report = check(
            &file("other-ca.pem", &ca2.pem),
            Some((
                &file("client.pem", &cert),
                &file("client.key", &other.serialize_pem()),
            )),
            SystemTime::now(),
        );
        assert_eq!(
            messages(&report),
            vec![
                "client.key is not the private key of client.pem.",
                "client.pem is not signed by the CA in other-ca.pem.",
            ]
        );
        assert!(
            client_tls_config(
                &file("ca.pem", &ca1.pem),
                Some((
                    &file("client.pem", &cert),
                    &file("client.key", &other.serialize_pem())
                )),
            )
            .is_err()
        );
    }

    #[test]
    fn dates_are_checked() {
        let ca = ca();
        let key = KeyPair::generate().unwrap();
        let key_pem = key.serialize_pem();
        let expired = client(&ca, &key, Some((2020, 2021)));
        let report = check(
            &file("ca.pem", &ca.pem),
            Some((&file("old.pem", &expired), &file("k.pem", &key_pem))),
            SystemTime::now(),
        );
        assert_eq!(
            messages(&report),
            vec!["old.pem (client certificate) expired on 2021-01-01 00:00:00 UTC."]
        );
        let future = client(&ca, &key, Some((2090, 2091)));
        let report = check(
            &file("ca.pem", &ca.pem),
            Some((&file("new.pem", &future), &file("k.pem", &key_pem))),
            SystemTime::now(),
        );
        assert_eq!(
            messages(&report),
            vec!["new.pem (client certificate) is not valid until 2090-01-01 00:00:00 UTC."]
        );
    }

    #[test]
    fn key_types_the_meter_cannot_use_are_refused() {
        let ca = ca();
        let p384 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let cert = client(&ca, &p384, None);
        let report = check(
            &file("ca.pem", &ca.pem),
            Some((&file("c.pem", &cert), &file("k.pem", &p384.serialize_pem()))),
            SystemTime::now(),
        );
        assert_eq!(
            messages(&report),
            vec![
                "c.pem (client certificate) uses EC P-384; the meter handles only RSA up to 2048 bits or EC P-256.",
                "k.pem is EC P-384; the meter handles only RSA up to 2048 bits or EC P-256.",
            ]
        );
        let rsa4096 = KeyPair::from_pem(include_str!("../tests/fixtures/test-rsa4096.key")).unwrap();
        let big_ca = ca_with(rsa4096);
        let report = check(&file("big-ca.pem", &big_ca.pem), None, SystemTime::now());
        assert_eq!(
            messages(&report),
            vec![
                "big-ca.pem (CA certificate) uses RSA 4096 bits; the meter handles only RSA up to 2048 bits or EC P-256."
            ]
        );
        let rsa2048 = KeyPair::from_pem(include_str!("../tests/fixtures/test-rsa2048.key")).unwrap();
        let cert = client(&big_ca, &rsa2048, None);
        let report = check(
            &file("ca.pem", &ca.pem),
            Some((&file("c.pem", &cert), &file("k.pem", &rsa2048.serialize_pem()))),
            SystemTime::now(),
        );
        assert_eq!(report.certificates[1].key, "RSA 2048 bits");
        assert_eq!(
            messages(&report),
            vec!["c.pem is not signed by the CA in ca.pem."]
        );
    }

    #[test]
    fn malformed_files_and_size_are_named() {
        let ca = ca();
        let key = KeyPair::generate().unwrap();
        let report = check(&file("ca.pem", "hello"), None, SystemTime::now());
        assert_eq!(
            messages(&report),
            vec!["ca.pem contains no PEM section (no -----BEGIN line)."]
        );
        let report = check(&file("ca.pem", &key.serialize_pem()), None, SystemTime::now());
        assert_eq!(
            messages(&report),
            vec!["ca.pem holds a private key where a certificate was expected."]
        );
        let broken = ca.pem.replace("MI", "@@");
        assert_eq!(
            check(&file("ca.pem", &broken), None, SystemTime::now())
                .problems
                .len(),
            1
        );
        let report = check(
            &file("ca.pem", &ca.pem),
            Some((&file("c.pem", &ca.pem), &file("k.pem", &ca.pem))),
            SystemTime::now(),
        );
        assert!(messages(&report).contains(&"k.pem holds no private key.".to_string()));
        let padded = format!("{}{}", ca.pem, "\n".repeat(5000));
        let report = check(&file("ca.pem", &padded), None, SystemTime::now());
        assert_eq!(
            messages(&report),
            vec![format!(
                "ca.pem is {} bytes; the meter stores at most 4096 bytes per file.",
                padded.len()
            )]
        );
    }

    #[test]
    fn debug_never_shows_content() {
        let f = file("k.pem", "-----BEGIN PRIVATE KEY-----secret");
        assert_eq!(format!("{f:?}"), "PemFile(k.pem, 33 bytes)");
    }

    #[test]
    fn bit_length_counts_significant_bits() {
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01]), 1);
        assert_eq!(bit_length(&[0, 0]), 0);
    }
}
