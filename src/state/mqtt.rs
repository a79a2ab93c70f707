//! State of the MQTT view: the broker form, the connection's fleet and
//! failure, and the commands sent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::broker_form::BrokerForm;
use super::config_forms::PasswordText;
use crate::backend::mqtt_view::FleetUpdate;
use crate::backend::secrets::Storage;
use crate::backend::{Command, FilePurpose, JobId, JobOutcome};
use je08_net::mqtt_link::SetupError;
use je08_protocol::http_api::Secret;
use je08_protocol::mqtt::Command as MqttCommand;

/// State of the MQTT view.
#[derive(Debug, Default)]
pub struct MqttState {
    /// The broker login as typed (the password is never persisted outside
    /// the keychain).
    pub form: BrokerForm,
    /// Keep the password in the OS keychain.
    pub remember: bool,
    /// Where the password is kept, as last reported.
    pub storage: Option<Storage>,
    /// A connection was requested.
    pub active: bool,
    /// The last fleet snapshot.
    pub fleet: Option<FleetUpdate>,
    /// Why the connection could not start.
    pub failure: Option<SetupError>,
    /// Commands sent: job → (meter id, command, outcome).
    pub jobs: BTreeMap<JobId, (String, MqttCommand, Option<JobOutcome>)>,
}

impl MqttState {
    /// Start with the last broker URL.
    pub fn new(url: &str) -> Self {
        Self {
            form: BrokerForm {
                url: url.to_string(),
                ..BrokerForm::default()
            },
            ..Self::default()
        }
    }

    /// The keychain account for this broker's password.
    pub fn account(&self) -> String {
        format!("broker:{}:{}", self.form.url.trim(), self.form.user.trim())
    }

    /// A secret lookup or store finished.
    pub fn secret_event(&mut self, account: &str, secret: Option<Secret>, storage: Storage) {
        if account != self.account() {
            return;
        }
        if let Some(secret) = secret {
            self.form.password = PasswordText(secret.expose().to_owned());
        }
        self.storage = Some(storage);
    }

    /// A TLS file dialog closed.
    pub fn picked(&mut self, purpose: FilePurpose, path: Option<PathBuf>) {
        let Some(path) = path else { return };
        match purpose {
            FilePurpose::BrokerCa => self.form.ca = Some(path),
            FilePurpose::BrokerCert => self.form.cert = Some(path),
            FilePurpose::BrokerKey => self.form.key = Some(path),
            _ => {}
        }
    }

    /// A command job ended.
    pub fn finished(&mut self, job: JobId, outcome: &JobOutcome) {
        if let Some(entry) = self.jobs.get_mut(&job) {
            entry.2 = Some(outcome.clone());
        }
    }

    /// The command connecting to the broker as typed; `None` while the form
    /// names no broker or has a problem ([`BrokerForm::login`] says which).
    pub fn connect_command(&self) -> Option<Command> {
        let typed = self.form.login().ok()?;
        Some(Command::MqttConnect {
            broker: typed.broker?,
            credentials: typed.credentials,
        })
    }
}
