//! Certificate pre-flight and TLS client set-up for MQTT.
//!
//! [`check`] looks at a CA certificate and an optional client certificate
//! and key the way a JE08 (ESP8266, BearSSL) will: PEM that parses, a key
//! that matches its certificate, validity dates, a chain that verifies
//! against the CA (an X.509 v1 certificate, as `openssl x509 -req` signs
//! without `-extfile`, is verified by `legacy` as OpenSSL does; a key
//! locked with a passphrase is refused), RSA ≤ 2048 bits or EC P-256, and
//! files of at most 4096 bytes. Every problem is a [`Problem`]: the file and a machine-readable
//! [`Issue`], displayed as one English sentence that names the file (the
//! window translates it). The check is pure (bytes and a clock in, a report
//! out); [`PemFile::read`] loads files. The PEM parsing is shared with
//! [`TlsFiles`](crate::mqtt_link::TlsFiles), which builds the rustls
//! configuration a broker connection uses.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::{CertificateError, RootCertStore};
use serde::{Serialize, Serializer};
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION, OID_SIG_ED25519,
};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::texts::NetMsg;
use je08_protocol::i18n::{Describe, Tr};

pub(crate) mod legacy;
mod problem;

pub use problem::{Issue, Problem, Role, Section};

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
        let fail = |issue| Problem {
            file: name.clone(),
            issue,
        };
        let unreadable = |e: std::io::Error| {
            fail(Issue::Unreadable {
                detail: e.to_string(),
            })
        };
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        if meta.len() > READ_LIMIT {
            return Err(fail(Issue::FarTooLarge { size: meta.len() }));
        }
        let bytes = std::fs::read(path).map_err(unreadable)?;
        Ok(Self { name, bytes })
    }

    /// A problem with this file.
    pub(crate) fn problem(&self, issue: Issue) -> Problem {
        Problem {
            file: self.name.clone(),
            issue,
        }
    }
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
    /// Key type and size (serialised as e.g. `EC P-256` or `RSA 2048 bits`).
    pub key: KeyKind,
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

    fn problem(&mut self, file: &PemFile, issue: Issue) {
        self.problems.push(file.problem(issue));
    }
}

/// A public key's type, as far as the meter cares (displayed and serialised
/// as e.g. `RSA 2048 bits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with a modulus of this many bits.
    Rsa(usize),
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
    /// Ed25519.
    Ed25519,
    /// Anything else.
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

    /// The meter can use it: RSA up to [`MAX_RSA_BITS`] or EC P-256.
    fn usable_by_meter(self) -> bool {
        matches!(self, Self::EcP256) || matches!(self, Self::Rsa(bits) if bits <= MAX_RSA_BITS)
    }
}

impl Describe for KeyKind {
    /// The key's type and size, e.g. `RSA 2048 bits` (only "unsupported" is
    /// words; the rest are names).
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Rsa(bits) => format!("RSA {bits} bits"),
            Self::EcP256 => "EC P-256".to_owned(),
            Self::EcP384 => "EC P-384".to_owned(),
            Self::Ed25519 => "Ed25519".to_owned(),
            Self::Other => tr.t(NetMsg::CertKeyOther).to_owned(),
        }
    }
}

je08_protocol::english_display!(KeyKind);

impl Serialize for KeyKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
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

/// A Unix time as dates read in reports: `2021-01-01 00:00:00 UTC`.
pub fn utc(ts: i64) -> String {
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

/// The file holds a private key locked with a passphrase: PKCS#8
/// `ENCRYPTED PRIVATE KEY`, or a legacy PEM key with `Proc-Type: 4,ENCRYPTED`
/// (`openssl genrsa -aes256 -traditional`, OpenSSL 1.x `genrsa -des3`).
fn is_encrypted_key(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")
}

/// The PEM sections of a file, or the problem.
fn sections(file: &PemFile) -> Result<Vec<(SectionKind, Vec<u8>)>, Problem> {
    if is_encrypted_key(&file.bytes) {
        return Err(file.problem(Issue::EncryptedKey));
    }
    let mut out = Vec::new();
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(&file.bytes) {
        match item {
            Ok(section) => out.push(section),
            Err(err) => {
                return Err(file.problem(Issue::NotPem {
                    detail: err.to_string(),
                }));
            }
        }
    }
    if out.is_empty() {
        return Err(file.problem(Issue::NoPemSection));
    }
    Ok(out)
}

/// A section other than a certificate, as problems name it.
fn section(kind: SectionKind) -> Section {
    match kind {
        SectionKind::PublicKey => Section::PublicKey,
        SectionKind::RsaPrivateKey | SectionKind::PrivateKey | SectionKind::EcPrivateKey => {
            Section::PrivateKey
        }
        SectionKind::Crl => Section::RevocationList,
        SectionKind::Csr => Section::SigningRequest,
        SectionKind::EchConfigList => Section::EchConfig,
        _ => Section::Unexpected,
    }
}

/// The certificates of a file (first = leaf), or the problem.
pub(crate) fn certificates(file: &PemFile) -> Result<Vec<CertificateDer<'static>>, Problem> {
    let sections = sections(file)?;
    if let Some((kind, _)) = sections.iter().find(|(k, _)| *k != SectionKind::Certificate) {
        return Err(file.problem(Issue::NotACertificate {
            found: section(*kind),
        }));
    }
    Ok(sections
        .into_iter()
        .map(|(_, der)| CertificateDer::from(der))
        .collect())
}

/// The private key of a file, or the problem.
pub(crate) fn private_key(file: &PemFile) -> Result<PrivateKeyDer<'static>, Problem> {
    let sections = sections(file)?;
    let mut keys = sections.into_iter().filter_map(|(kind, der)| match kind {
        SectionKind::RsaPrivateKey => Some(PrivateKeyDer::Pkcs1(der.into())),
        SectionKind::PrivateKey => Some(PrivateKeyDer::Pkcs8(der.into())),
        SectionKind::EcPrivateKey => Some(PrivateKeyDer::Sec1(der.into())),
        _ => None,
    });
    let Some(key) = keys.next() else {
        return Err(file.problem(Issue::NoPrivateKey));
    };
    if keys.next().is_some() {
        return Err(file.problem(Issue::SeveralPrivateKeys));
    }
    Ok(key)
}

/// Check one parsed certificate: dates and key; returns its summary.
fn check_certificate(
    report: &mut Report,
    file: &PemFile,
    der: &CertificateDer<'_>,
    now: i64,
    role: Role,
) -> Option<KeyKind> {
    let cert = match X509Certificate::from_der(der) {
        Ok((_, cert)) => cert,
        Err(err) => {
            report.problem(
                file,
                Issue::Unparsable {
                    detail: err.to_string(),
                },
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
        key,
    });
    if now < not_before {
        report.problem(
            file,
            Issue::NotYetValid {
                role,
                from: not_before,
            },
        );
    }
    if now > not_after {
        report.problem(file, Issue::Expired { role, on: not_after });
    }
    if !key.usable_by_meter() {
        report.problem(file, Issue::CertKeyUnusable { role, key });
    }
    Some(key)
}

fn check_size(report: &mut Report, file: &PemFile) {
    if file.bytes.len() > MAX_FILE_BYTES {
        report.problem(
            file,
            Issue::TooLarge {
                size: file.bytes.len(),
                max: MAX_FILE_BYTES,
            },
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
            report.problem(key_file, Issue::KeyNotForTls);
            return;
        }
    };
    let Some(public) = signing.public_key() else {
        return;
    };
    if public.as_ref() != parsed.public_key().raw {
        report.problem(
            key_file,
            Issue::KeyMismatch {
                cert: cert_file.name.clone(),
            },
        );
        return;
    }
    if let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(public.as_ref()) {
        let kind = KeyKind::of(&spki);
        if !kind.usable_by_meter() {
            report.problem(key_file, Issue::KeyUnusable { key: kind });
        }
    }
}

/// The issue of a chain verification failure (with the client certificate).
fn chain_issue(err: &rustls::Error, ca: &PemFile) -> Option<Issue> {
    let ca = ca.name.clone();
    let issue = match err {
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
                Issue::NotSignedByCa { ca }
            }
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                Issue::NotForClientAuth
            }
            CertificateError::UnsupportedSignatureAlgorithmContext { .. } => Issue::WeakSignature,
            // webpki's CaUsedAsEndEntity, which rustls passes on as "other".
            CertificateError::Other(other) if other.to_string() == "CaUsedAsEndEntity" => Issue::CaAsClient,
            other => Issue::DoesNotVerify {
                ca,
                detail: other.to_string(),
            },
        },
        other => Issue::DoesNotVerify {
            ca,
            detail: other.to_string(),
        },
    };
    Some(issue)
}

/// Check the CA and, when given, the client certificate and key, at `now`.
pub fn check(ca: &PemFile, identity: Option<(&PemFile, &PemFile)>, now: SystemTime) -> Report {
    let mut report = Report::default();
    let now_s = unix_seconds(now);
    check_size(&mut report, ca);
    let ca_certs = match certificates(ca) {
        Ok(certs) => certs,
        Err(problem) => {
            report.problems.push(problem);
            Vec::new()
        }
    };
    for der in &ca_certs {
        check_certificate(&mut report, ca, der, now_s, Role::Ca);
    }
    let Some((cert_file, key_file)) = identity else {
        return report;
    };
    check_size(&mut report, cert_file);
    check_size(&mut report, key_file);
    let chain = certificates(cert_file).map_err(|p| report.problems.push(p));
    let key = private_key(key_file).map_err(|p| report.problems.push(p));
    let Ok(chain) = chain else { return report };
    for der in &chain {
        check_certificate(&mut report, cert_file, der, now_s, Role::Client);
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
        Err(ChainError::BadCa(detail)) => report.problem(ca, Issue::NotACa { detail }),
        Err(ChainError::Verify(err)) => {
            if let Some(issue) = chain_issue(&err, ca) {
                report.problem(cert_file, issue);
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
    if legacy::is_legacy(&chain[0]) {
        return legacy::verify(&chain[0], ca_certs, unix_seconds(now))
            .map_err(|e| ChainError::Verify(rustls::Error::InvalidCertificate(e)));
    }
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    verifier
        .verify_client_cert(&chain[0], &chain[1..], UnixTime::since_unix_epoch(since_epoch))
        .map(|_| ())
        .map_err(ChainError::Verify)
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

    /// The English sentences, as `je08 certs check` prints them.
    fn messages(report: &Report) -> Vec<String> {
        report.problems.iter().map(Problem::to_string).collect()
    }

    /// Each problem's file and issue.
    fn issues(report: &Report) -> Vec<(&str, Issue)> {
        report
            .problems
            .iter()
            .map(|p| (p.file.as_str(), p.issue.clone()))
            .collect()
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
        assert_eq!(report.certificates[0].key, KeyKind::EcP256);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["certificates"][0]["key"], "EC P-256");
        assert!(report.certificates[1].subject.contains("je08 meter"));
        let ca_only = check(&file("ca.pem", &ca.pem), None, SystemTime::now());
        assert!(ca_only.is_ok());
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
            issues(&report),
            vec![
                (
                    "client.key",
                    Issue::KeyMismatch {
                        cert: "client.pem".into()
                    }
                ),
                (
                    "client.pem",
                    Issue::NotSignedByCa {
                        ca: "other-ca.pem".into()
                    }
                ),
            ]
        );
        assert_eq!(
            messages(&report),
            vec![
                "client.key is not the private key of client.pem.",
                "client.pem is not signed by the CA in other-ca.pem.",
            ]
        );
        assert_eq!(
            serde_json::to_value(&report.problems[0]).unwrap(),
            serde_json::json!({
                "file": "client.key",
                "message": "client.key is not the private key of client.pem.",
            }),
            "the JSON report keeps the file and the English sentence"
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
        let jan_2021 = 1_609_459_200;
        assert_eq!(
            issues(&report),
            vec![(
                "old.pem",
                Issue::Expired {
                    role: Role::Client,
                    on: jan_2021
                }
            )]
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
        assert!(
            matches!(
                issues(&report).as_slice(),
                [(
                    "new.pem",
                    Issue::NotYetValid {
                        role: Role::Client,
                        ..
                    }
                )]
            ),
            "{:?}",
            report.problems
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
            issues(&report),
            vec![
                (
                    "c.pem",
                    Issue::CertKeyUnusable {
                        role: Role::Client,
                        key: KeyKind::EcP384
                    }
                ),
                ("k.pem", Issue::KeyUnusable { key: KeyKind::EcP384 }),
            ]
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
            issues(&report),
            vec![(
                "big-ca.pem",
                Issue::CertKeyUnusable {
                    role: Role::Ca,
                    key: KeyKind::Rsa(4096)
                }
            )]
        );
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
        assert_eq!(report.certificates[1].key, KeyKind::Rsa(2048));
        assert_eq!(report.certificates[1].key.to_string(), "RSA 2048 bits");
        assert_eq!(
            issues(&report),
            vec![("c.pem", Issue::NotSignedByCa { ca: "ca.pem".into() })]
        );
    }

    #[test]
    fn malformed_files_and_size_are_named() {
        let ca = ca();
        let key = KeyPair::generate().unwrap();
        let report = check(&file("ca.pem", "hello"), None, SystemTime::now());
        assert_eq!(issues(&report), vec![("ca.pem", Issue::NoPemSection)]);
        assert_eq!(
            messages(&report),
            vec!["ca.pem contains no PEM section (no -----BEGIN line)."]
        );
        let report = check(&file("ca.pem", &key.serialize_pem()), None, SystemTime::now());
        assert_eq!(
            issues(&report),
            vec![(
                "ca.pem",
                Issue::NotACertificate {
                    found: Section::PrivateKey
                }
            )]
        );
        assert_eq!(
            messages(&report),
            vec!["ca.pem holds a private key where a certificate was expected."]
        );
        let broken = ca.pem.replace("MI", "@@");
        let report = check(&file("ca.pem", &broken), None, SystemTime::now());
        assert!(
            matches!(issues(&report).as_slice(), [("ca.pem", Issue::NotPem { .. })]),
            "{:?}",
            report.problems
        );
        let report = check(
            &file("ca.pem", &ca.pem),
            Some((&file("c.pem", &ca.pem), &file("k.pem", &ca.pem))),
            SystemTime::now(),
        );
        assert!(issues(&report).contains(&("k.pem", Issue::NoPrivateKey)));
        assert!(messages(&report).contains(&"k.pem holds no private key.".to_string()));
        let padded = format!("{}{}", ca.pem, "\n".repeat(5000));
        let report = check(&file("ca.pem", &padded), None, SystemTime::now());
        assert_eq!(
            issues(&report),
            vec![(
                "ca.pem",
                Issue::TooLarge {
                    size: padded.len(),
                    max: MAX_FILE_BYTES
                }
            )]
        );
        assert_eq!(
            messages(&report),
            vec![format!(
                "ca.pem is {} bytes; the meter stores at most 4096 bytes per file.",
                padded.len()
            )]
        );
    }

    #[test]
    fn unreadable_files_are_named() {
        let missing = std::env::temp_dir().join(format!("je08-no-such-{}.pem", std::process::id()));
        let problem = PemFile::read(&missing).unwrap_err();
        assert_eq!(problem.file, missing.display().to_string());
        assert!(matches!(problem.issue, Issue::Unreadable { .. }), "{problem:?}");
        assert!(
            problem
                .to_string()
                .starts_with(&format!("{} cannot be read: ", missing.display()))
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
