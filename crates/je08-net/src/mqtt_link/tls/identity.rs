//! The client certificate je08 presents when webpki cannot read it (an
//! X.509 v1 certificate, see `certs::legacy`): rustls' own set-up would
//! refuse it, so the key is checked against the certificate here and the
//! pair is offered as it is. The broker (OpenSSL) accepts such certificates.

use std::sync::Arc;

use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

use crate::certs::legacy;

/// Why the key cannot go with the certificate.
pub(super) enum IdentityError {
    /// The TLS library cannot load the key; its words.
    Unusable(String),
    /// The key is not the certificate's.
    Mismatch,
}

/// A certificate chain whose leaf webpki cannot read, with its key.
#[derive(Debug)]
pub(super) struct LegacyIdentity(Arc<CertifiedKey>);

impl LegacyIdentity {
    /// Pair `chain` with `key` after checking the key is the leaf's.
    pub(super) fn new(
        provider: &CryptoProvider,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, IdentityError> {
        let signing = provider
            .key_provider
            .load_private_key(key)
            .map_err(|e| IdentityError::Unusable(e.to_string()))?;
        let leaf_key = chain.first().and_then(legacy::public_key).map(|(spki, _)| spki);
        match (signing.public_key(), leaf_key) {
            (Some(public), Some(leaf)) if public.as_ref() == leaf.as_slice() => {}
            _ => return Err(IdentityError::Mismatch),
        }
        Ok(Self(Arc::new(CertifiedKey::new(chain, signing))))
    }
}

impl ResolvesClientCert for LegacyIdentity {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}
