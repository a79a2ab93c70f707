//! What the certificate pre-flight found wrong ([`Problem`]: a file and an
//! [`Issue`]), machine-readable; its `Describe` says it in the reader's
//! language, naming the file, and its English (`Display`) is the sentence of
//! `je08 certs check`, which the JSON report keeps as `message`.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use je08_protocol::i18n::{Describe, Tr};

use super::{KeyKind, MAX_RSA_BITS, utc};
use crate::texts::NetMsg;

/// One problem found by [`check`](super::check) or
/// [`PemFile::read`](super::PemFile::read): the file and what is wrong with
/// it. Displayed (and serialised as `message`) as one English sentence that
/// names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file concerned.
    pub file: String,
    /// What is wrong with it.
    pub issue: Issue,
}

/// Which certificate of a set a date or key problem concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The CA certificate the broker's certificate is signed by.
    Ca,
    /// The client certificate the meter presents.
    Client,
}

impl Describe for Role {
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::Ca => NetMsg::CertRoleCa,
            Self::Client => NetMsg::CertRoleClient,
        })
        .to_owned()
    }
}

/// A PEM section found where a certificate was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `PUBLIC KEY`.
    PublicKey,
    /// `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`.
    PrivateKey,
    /// `X509 CRL`.
    RevocationList,
    /// `CERTIFICATE REQUEST`.
    SigningRequest,
    /// `ECHCONFIG`.
    EchConfig,
    /// Any other section.
    Unexpected,
}

impl Describe for Section {
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::PublicKey => NetMsg::CertSectionPublicKey,
            Self::PrivateKey => NetMsg::CertSectionPrivateKey,
            Self::RevocationList => NetMsg::CertSectionCrl,
            Self::SigningRequest => NetMsg::CertSectionCsr,
            Self::EchConfig => NetMsg::CertSectionEch,
            Self::Unexpected => NetMsg::CertSectionOther,
        })
        .to_owned()
    }
}

/// What is wrong with a file. `detail` strings quote a library or the
/// operating system as they said it (untranslated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// The file could not be read.
    Unreadable {
        /// What the operating system said.
        detail: String,
    },
    /// The file is far too large to be PEM, so it was not read.
    FarTooLarge {
        /// Its size in bytes.
        size: u64,
    },
    /// The file is larger than a meter's slot.
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The largest file a meter stores.
        max: usize,
    },
    /// The PEM is malformed.
    NotPem {
        /// What the PEM parser said.
        detail: String,
    },
    /// No `-----BEGIN` line at all.
    NoPemSection,
    /// Another kind of PEM section where a certificate was expected.
    NotACertificate {
        /// What was found.
        found: Section,
    },
    /// No private key in the key file.
    NoPrivateKey,
    /// A private key locked with a passphrase (`ENCRYPTED PRIVATE KEY`, or
    /// `RSA PRIVATE KEY` with `Proc-Type: 4,ENCRYPTED`).
    EncryptedKey,
    /// More than one private key in the key file.
    SeveralPrivateKeys,
    /// A certificate section whose content does not parse.
    Unparsable {
        /// What the X.509 parser said.
        detail: String,
    },
    /// The certificate is not valid yet.
    NotYetValid {
        /// Which certificate.
        role: Role,
        /// Start of validity (Unix seconds).
        from: i64,
    },
    /// The certificate has expired.
    Expired {
        /// Which certificate.
        role: Role,
        /// End of validity (Unix seconds).
        on: i64,
    },
    /// The certificate's key is of a type or size the meter cannot use.
    CertKeyUnusable {
        /// Which certificate.
        role: Role,
        /// Its key.
        key: KeyKind,
    },
    /// The private key cannot be used for TLS at all.
    KeyNotForTls,
    /// The private key belongs to another certificate.
    KeyMismatch {
        /// The client certificate's file.
        cert: String,
    },
    /// The private key is of a type or size the meter cannot use.
    KeyUnusable {
        /// The key.
        key: KeyKind,
    },
    /// The client certificate is not signed by the CA.
    NotSignedByCa {
        /// The CA certificate's file.
        ca: String,
    },
    /// The client certificate's extended key usage excludes client
    /// authentication.
    NotForClientAuth,
    /// The client certificate is itself a CA certificate.
    CaAsClient,
    /// The client certificate is signed over SHA-1 or MD5.
    WeakSignature,
    /// The client certificate does not verify against the CA for another
    /// reason.
    DoesNotVerify {
        /// The CA certificate's file.
        ca: String,
        /// What the TLS library said.
        detail: String,
    },
    /// The CA file cannot be used as a trust anchor.
    NotACa {
        /// What the TLS library said.
        detail: String,
    },
}

impl Describe for Problem {
    fn describe(&self, tr: Tr) -> String {
        let file = self.file.as_str();
        let n = |v: &dyn ToString| v.to_string();
        let max_rsa = n(&MAX_RSA_BITS);
        match &self.issue {
            Issue::Unreadable { detail } => tr.f(NetMsg::CertUnreadable, &[file, detail]),
            Issue::FarTooLarge { size } => tr.f(NetMsg::CertFarTooLarge, &[file, &n(size)]),
            Issue::TooLarge { size, max } => tr.f(NetMsg::CertTooLarge, &[file, &n(size), &n(max)]),
            Issue::NotPem { detail } => tr.f(NetMsg::CertNotPem, &[file, detail]),
            Issue::NoPemSection => tr.f(NetMsg::CertNoPemSection, &[file]),
            Issue::NotACertificate { found } => {
                tr.f(NetMsg::CertNotACertificate, &[file, &found.describe(tr)])
            }
            Issue::NoPrivateKey => tr.f(NetMsg::CertNoPrivateKey, &[file]),
            Issue::EncryptedKey => tr.f(NetMsg::CertEncryptedKey, &[file]),
            Issue::SeveralPrivateKeys => tr.f(NetMsg::CertSeveralPrivateKeys, &[file]),
            Issue::Unparsable { detail } => tr.f(NetMsg::CertUnparsable, &[file, detail]),
            Issue::NotYetValid { role, from } => {
                tr.f(NetMsg::CertNotYetValid, &[file, &role.describe(tr), &utc(*from)])
            }
            Issue::Expired { role, on } => tr.f(NetMsg::CertExpired, &[file, &role.describe(tr), &utc(*on)]),
            Issue::CertKeyUnusable { role, key } => tr.f(
                NetMsg::CertCertKeyUnusable,
                &[file, &role.describe(tr), &key.describe(tr), &max_rsa],
            ),
            Issue::KeyNotForTls => tr.f(NetMsg::CertKeyNotForTls, &[file]),
            Issue::KeyMismatch { cert } => tr.f(NetMsg::CertKeyMismatch, &[file, cert]),
            Issue::KeyUnusable { key } => tr.f(NetMsg::CertKeyUnusable, &[file, &key.describe(tr), &max_rsa]),
            Issue::NotSignedByCa { ca } => tr.f(NetMsg::CertNotSignedByCa, &[file, ca]),
            Issue::NotForClientAuth => tr.f(NetMsg::CertNotForClientAuth, &[file]),
            Issue::CaAsClient => tr.f(NetMsg::CertCaAsClient, &[file]),
            Issue::WeakSignature => tr.f(NetMsg::CertWeakSignature, &[file]),
            Issue::DoesNotVerify { ca, detail } => tr.f(NetMsg::CertDoesNotVerify, &[file, ca, detail]),
            Issue::NotACa { detail } => tr.f(NetMsg::CertNotACa, &[file, detail]),
        }
    }
}

je08_protocol::english_display!(errors: Problem);

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Problem", 2)?;
        s.serialize_field("file", &self.file)?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, date_time_ymd};

    use super::*;
    use crate::certs::{KeyKind, PemFile, check};
    use je08_protocol::i18n::Lang;
    use je08_protocol::i18n::{Describe, Tr};

    fn ca(key: KeyPair) -> (String, Issuer<'static, KeyPair>) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let pem = params.self_signed(&key).unwrap().pem();
        (pem, Issuer::new(params, key))
    }

    fn file(name: &str, text: &str) -> PemFile {
        PemFile::new(name, text.as_bytes())
    }

    #[test]
    fn every_problem_of_bad_files_reads_in_portuguese() {
        let (ca_pem, issuer) = ca(KeyPair::generate().unwrap());
        let (other_ca, _) = ca(KeyPair::generate().unwrap());
        let p384 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let mut params = CertificateParams::new(vec!["meter".to_string()]).unwrap();
        let current = params.signed_by(&p384, &issuer).unwrap().pem();
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2021, 1, 1);
        let expired = params.signed_by(&p384, &issuer).unwrap().pem();
        let stranger = KeyPair::generate().unwrap().serialize_pem();
        let now = SystemTime::now();
        let reports = [
            check(&file("ca.pem", "hello"), None, now),
            check(&file("ca.pem", &stranger), None, now),
            check(
                &file("ca.pem", &format!("{ca_pem}{}", "\n".repeat(5000))),
                None,
                now,
            ),
            check(
                &file("other-ca.pem", &other_ca),
                Some((&file("c.pem", &current), &file("k.pem", &stranger))),
                now,
            ),
            check(
                &file("ca.pem", &ca_pem),
                Some((&file("c.pem", &expired), &file("k.pem", &p384.serialize_pem()))),
                now,
            ),
            check(
                &file("ca.pem", &ca_pem),
                Some((&file("c.pem", &ca_pem), &file("k.pem", &ca_pem))),
                now,
            ),
        ];
        let problems: Vec<&Problem> = reports.iter().flat_map(|r| &r.problems).collect();
        let unreadable = PemFile::read(std::path::Path::new("/nonexistent/je08/ca.pem")).unwrap_err();
        let problems: Vec<&Problem> = problems.into_iter().chain([&unreadable]).collect();
        assert!(problems.len() >= 9, "{problems:?}");
        let pt = Tr(Lang::PtBr);
        for problem in &problems {
            let en = problem.to_string();
            assert_ne!(problem.describe(pt), en, "{en} is not translated");
        }
        let said: Vec<String> = problems.iter().map(|p| p.describe(pt)).collect();
        for expected in [
            "ca.pem não contém nenhuma seção PEM (nenhuma linha -----BEGIN).",
            "ca.pem contém uma chave privada onde se esperava um certificado.",
            "k.pem não é a chave privada de c.pem.",
            "c.pem (certificado do cliente) expirou em 2021-01-01 00:00:00 UTC.",
            "c.pem não é assinado pela CA de other-ca.pem.",
            "k.pem é EC P-384; o medidor aceita apenas RSA de até 2048 bits ou EC P-256.",
            "k.pem não contém chave privada.",
        ] {
            assert!(
                said.iter().any(|s| s == expected),
                "{expected:?} not in {said:#?}"
            );
        }
    }

    #[test]
    fn key_names_translate_only_words() {
        assert_eq!(KeyKind::Rsa(2048).describe(Tr(Lang::PtBr)), "RSA 2048 bits");
        assert_eq!(KeyKind::EcP256.describe(Tr(Lang::PtBr)), "EC P-256");
        assert_eq!(
            KeyKind::Other.describe(Tr(Lang::PtBr)),
            "um tipo de chave não suportado"
        );
        assert_eq!(KeyKind::Other.to_string(), "an unsupported key type");
    }
}
