//! What the certificate pre-flight found wrong ([`Problem`]: a file and an
//! [`Issue`]), machine-readable so a window can say it in the user's
//! language; `Display` is the English sentence of `je08 certs check`, and the
//! JSON report keeps it as `message`.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::{KeyKind, MAX_RSA_BITS, utc};

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

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ca => "CA certificate",
            Self::Client => "client certificate",
        })
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

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PublicKey => "a public key",
            Self::PrivateKey => "a private key",
            Self::RevocationList => "a revocation list",
            Self::SigningRequest => "a certificate signing request",
            Self::EchConfig => "an ECH configuration",
            Self::Unexpected => "an unexpected PEM section",
        })
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

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.file;
        match &self.issue {
            Issue::Unreadable { detail } => write!(f, "{name} cannot be read: {detail}."),
            Issue::FarTooLarge { size } => write!(
                f,
                "{name} cannot be read: it is {size} bytes, far too large for a PEM file."
            ),
            Issue::TooLarge { size, max } => write!(
                f,
                "{name} is {size} bytes; the meter stores at most {max} bytes per file."
            ),
            Issue::NotPem { detail } => write!(f, "{name} is not valid PEM ({detail})."),
            Issue::NoPemSection => write!(f, "{name} contains no PEM section (no -----BEGIN line)."),
            Issue::NotACertificate { found } => {
                write!(f, "{name} holds {found} where a certificate was expected.")
            }
            Issue::NoPrivateKey => write!(f, "{name} holds no private key."),
            Issue::SeveralPrivateKeys => write!(f, "{name} holds more than one private key."),
            Issue::Unparsable { detail } => {
                write!(f, "{name} holds a certificate that cannot be parsed ({detail}).")
            }
            Issue::NotYetValid { role, from } => {
                write!(f, "{name} ({role}) is not valid until {}.", utc(*from))
            }
            Issue::Expired { role, on } => write!(f, "{name} ({role}) expired on {}.", utc(*on)),
            Issue::CertKeyUnusable { role, key } => write!(
                f,
                "{name} ({role}) uses {key}; the meter handles only RSA up to {MAX_RSA_BITS} bits or EC P-256."
            ),
            Issue::KeyNotForTls => write!(
                f,
                "{name} holds a key that cannot be used for TLS (RSA 2048–4096 bits or EC P-256/P-384 expected)."
            ),
            Issue::KeyMismatch { cert } => write!(f, "{name} is not the private key of {cert}."),
            Issue::KeyUnusable { key } => write!(
                f,
                "{name} is {key}; the meter handles only RSA up to {MAX_RSA_BITS} bits or EC P-256."
            ),
            Issue::NotSignedByCa { ca } => write!(f, "{name} is not signed by the CA in {ca}."),
            Issue::NotForClientAuth => write!(
                f,
                "{name} is not allowed for TLS client authentication (extended key usage)."
            ),
            Issue::DoesNotVerify { ca, detail } => {
                write!(f, "{name} does not verify against {ca} ({detail}).")
            }
            Issue::NotACa { detail } => write!(f, "{name} cannot serve as a CA ({detail})."),
        }
    }
}

impl std::error::Error for Problem {}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Problem", 2)?;
        s.serialize_field("file", &self.file)?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}
