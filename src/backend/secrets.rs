//! Secrets (meter interface passwords, broker credentials): kept in memory
//! for the session, and in the OS keychain only when the user asks to
//! remember them. Never written to a settings file, never logged. Keychain
//! calls may block (D-Bus), so callers run them off the UI thread.

use std::collections::HashMap;
use std::sync::Mutex;

/// Keychain service name under which every secret is filed.
pub const SERVICE: &str = "je08-configurator";

/// Where a secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// In the OS keychain (and in memory).
    Keychain,
    /// In memory for this session only.
    Session,
    /// Remembering was asked for but no keychain is available; the message
    /// says why. The secret is kept for this session only.
    NoKeychain(String),
    /// Nothing stored under that account.
    Absent,
}

/// Session memory plus the OS keychain.
#[derive(Default)]
pub struct SecretStore {
    session: Mutex<HashMap<String, String>>,
}

impl SecretStore {
    /// Keep `secret` for `account`; with `remember` also in the keychain.
    pub fn store(&self, account: &str, secret: &str, remember: bool) -> Storage {
        if let Ok(mut map) = self.session.lock() {
            map.insert(account.to_string(), secret.to_string());
        }
        if !remember {
            return Storage::Session;
        }
        match keyring::Entry::new(SERVICE, account).and_then(|e| e.set_password(secret)) {
            Ok(()) => Storage::Keychain,
            Err(err) => Storage::NoKeychain(err.to_string()),
        }
    }

    /// Find the secret for `account`: session memory first, then the keychain.
    pub fn load(&self, account: &str) -> (Option<String>, Storage) {
        if let Some(secret) = self.session.lock().ok().and_then(|m| m.get(account).cloned()) {
            return (Some(secret), Storage::Session);
        }
        match keyring::Entry::new(SERVICE, account).and_then(|e| e.get_password()) {
            Ok(secret) => (Some(secret), Storage::Keychain),
            Err(keyring::Error::NoEntry) => (None, Storage::Absent),
            Err(err) => (None, Storage::NoKeychain(err.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_secrets_stay_in_memory() {
        let store = SecretStore::default();
        assert_eq!(store.store("broker:test", "s3cret", false), Storage::Session);
        assert_eq!(
            store.load("broker:test"),
            (Some("s3cret".into()), Storage::Session)
        );
    }
}
