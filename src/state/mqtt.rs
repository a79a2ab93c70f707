//! State of the MQTT view: the broker form, the connection's fleet and
//! failure, and the commands sent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::backend::mqtt_view::{BrokerSettings, FleetUpdate};
use crate::backend::secrets::Storage;
use crate::backend::{FilePurpose, JobId, JobOutcome};
use je08_net::mqtt_link::LinkError;
use je08_protocol::http_api::Secret;
use je08_protocol::mqtt::Command as MqttCommand;

/// State of the MQTT view.
#[derive(Debug, Default)]
pub struct MqttState {
    /// Broker URL.
    pub url: String,
    /// User name.
    pub username: String,
    /// Password (never persisted outside the keychain).
    pub password: String,
    /// Keep the password in the OS keychain.
    pub remember: bool,
    /// Where the password is kept, as last reported.
    pub storage: Option<Storage>,
    /// CA certificate for mqtts://.
    pub ca: Option<PathBuf>,
    /// Client certificate.
    pub cert: Option<PathBuf>,
    /// Client key.
    pub key: Option<PathBuf>,
    /// A connection was requested.
    pub active: bool,
    /// The last fleet snapshot.
    pub fleet: Option<FleetUpdate>,
    /// Why the connection could not start.
    pub failure: Option<LinkError>,
    /// Commands sent: job → (meter id, command, outcome).
    pub jobs: BTreeMap<JobId, (String, MqttCommand, Option<JobOutcome>)>,
}

impl MqttState {
    /// Start with the last broker URL.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_string(),
            ..Self::default()
        }
    }

    /// The keychain account for this broker's password.
    pub fn account(&self) -> String {
        format!("broker:{}:{}", self.url.trim(), self.username.trim())
    }

    /// A secret lookup or store finished.
    pub fn secret_event(&mut self, account: &str, secret: Option<Secret>, storage: Storage) {
        if account != self.account() {
            return;
        }
        if let Some(secret) = secret {
            self.password = secret.expose().to_owned();
        }
        self.storage = Some(storage);
    }

    /// A TLS file dialog closed.
    pub fn picked(&mut self, purpose: FilePurpose, path: Option<PathBuf>) {
        let Some(path) = path else { return };
        match purpose {
            FilePurpose::BrokerCa => self.ca = Some(path),
            FilePurpose::BrokerCert => self.cert = Some(path),
            FilePurpose::BrokerKey => self.key = Some(path),
            _ => {}
        }
    }

    /// A command job ended.
    pub fn finished(&mut self, job: JobId, outcome: &JobOutcome) {
        if let Some(entry) = self.jobs.get_mut(&job) {
            entry.2 = Some(outcome.clone());
        }
    }

    /// The settings typed in the view.
    pub fn settings(&self) -> BrokerSettings {
        BrokerSettings {
            url: self.url.trim().to_string(),
            username: self.username.trim().to_string(),
            password: self.password.clone(),
            ca: self.ca.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
        }
    }
}
