//! State of the Configuration tab: per meter its interface password, what
//! `/api/info` and the blocks said, the forms; the picked certificate files
//! and their pre-flight; what an HTTP job's end means for the forms.

use std::collections::HashMap;
use std::path::PathBuf;

use super::config_forms::{ConnectivityForm, CtForm, Forms, PasswordText, ProtocolsForm};
use super::intent::Action;
use super::model::MeterRow;
use crate::backend::secrets::Storage;
use crate::backend::web::{WebJob, WebOutcome};
use crate::backend::{Command, FilePurpose, JobOutcome, MeterKey};
use je08_protocol::http_api::{CertStatus, Info, Secret};
use je08_protocol::mode::Mode;

/// What the window knows of one meter's HTTP side.
#[derive(Debug, Default)]
pub struct MeterWeb {
    /// Interface password as typed (never shown back, never logged).
    pub password: PasswordText,
    /// Keep the password in the OS keychain.
    pub remember: bool,
    /// The password typed is already stored where `remember` asks.
    pub stored: bool,
    /// Keychain account of this meter's password.
    pub account: String,
    /// Where the password was last stored or found.
    pub storage: Option<Storage>,
    /// The first read and keychain lookup were asked for.
    pub started: bool,
    /// `/api/info` as last read.
    pub info: Option<Info>,
    /// The blocks as last read (configuration mode only).
    pub forms: Option<Forms>,
    /// Certificate slots as last read.
    pub certs: Option<CertStatus>,
}

impl MeterWeb {
    /// The password to send: the one typed, else the factory default.
    pub fn secret(&self) -> Secret {
        self.password.or_factory()
    }
}

/// State of the Configuration tab.
#[derive(Debug, Default)]
pub struct ConfigState {
    /// Picked CA certificate.
    pub ca: Option<PathBuf>,
    /// Picked client certificate.
    pub client_cert: Option<PathBuf>,
    /// Picked client key.
    pub client_key: Option<PathBuf>,
    /// Pre-flight of the picked files.
    pub report: Option<Result<je08_net::certs::Report, je08_net::certs::Problem>>,
    /// Per meter: password, mode, blocks.
    pub meters: HashMap<MeterKey, MeterWeb>,
}

impl ConfigState {
    /// The pre-flight to run for the files picked so far (needs a CA).
    pub fn check_command(&self) -> Option<Command> {
        let ca = self.ca.clone()?;
        let identity = self.client_cert.clone().zip(self.client_key.clone());
        Some(Command::CheckCerts { ca, identity })
    }

    /// A file dialog for a certificate closed.
    pub fn picked(&mut self, purpose: FilePurpose, path: Option<PathBuf>) {
        let Some(path) = path else { return };
        self.report = None;
        match purpose {
            FilePurpose::CaCert => self.ca = Some(path),
            FilePurpose::ClientCert => self.client_cert = Some(path),
            FilePurpose::ClientKey => self.client_key = Some(path),
            _ => {}
        }
    }

    /// The upload of the picked files, when their pre-flight passed.
    pub fn upload_job(&self) -> Option<WebJob> {
        if !matches!(&self.report, Some(Ok(r)) if r.is_ok()) {
            return None;
        }
        Some(WebJob::UploadCerts {
            ca: self.ca.clone()?,
            identity: self.client_cert.clone().zip(self.client_key.clone()),
        })
    }

    /// This meter's state (created on first use).
    pub fn meter(&mut self, meter: &MeterRow) -> &mut MeterWeb {
        meter_web(&mut self.meters, meter)
    }

    /// A keychain answer arrived; returns the meter to read again when its
    /// password was found and its settings are not loaded yet.
    pub fn secret_event(
        &mut self,
        account: &str,
        secret: Option<Secret>,
        storage: Storage,
    ) -> Option<MeterKey> {
        let (key, web) = self.meters.iter_mut().find(|(_, w)| w.account == account)?;
        web.storage = Some(storage);
        let secret = secret?;
        if !web.password.0.is_empty() {
            return None;
        }
        web.password = PasswordText(secret.expose().to_owned());
        web.stored = true;
        web.forms.is_none().then_some(*key)
    }

    /// An HTTP job on `meter` ended; returns the follow-up to run.
    pub fn finished(&mut self, meter: MeterKey, outcome: &JobOutcome) -> Option<WebJob> {
        let web = self.meters.get_mut(&meter)?;
        let JobOutcome::Web(found) = outcome else {
            return None;
        };
        match &**found {
            WebOutcome::Read { info, config, .. } => {
                web.info = Some(info.clone());
                match config {
                    Some(c) => {
                        web.forms = Some(Forms {
                            connectivity: ConnectivityForm::new(&c.connectivity),
                            protocols: ProtocolsForm::new(&c.protocols),
                            ct: CtForm::new(&c.ct),
                        });
                        web.certs = Some(c.certs);
                    }
                    None => web.forms = None,
                }
                None
            }
            WebOutcome::Switched(info) | WebOutcome::Flashed(info) => {
                web.info = Some(info.clone());
                web.forms = None;
                (info.mode == Mode::Configuration).then_some(WebJob::Read)
            }
            WebOutcome::Saved(block) => {
                if let Some(forms) = &mut web.forms {
                    forms.reload(block);
                }
                None
            }
            WebOutcome::Certs(status) => {
                web.certs = Some(*status);
                None
            }
        }
    }
}

/// The state of `meter` in `meters` (created on first use, with its
/// keychain account).
pub fn meter_web<'a>(meters: &'a mut HashMap<MeterKey, MeterWeb>, meter: &MeterRow) -> &'a mut MeterWeb {
    meters.entry(meter.key).or_insert_with(|| MeterWeb {
        account: format!("meter:{}", meter.http_address()),
        ..MeterWeb::default()
    })
}

/// The meter's mode as best known: HTTP first, else what the list shows.
pub fn known_mode(meter: &MeterRow, web: &MeterWeb) -> Option<Mode> {
    web.info.as_ref().map(|i| i.mode).or(meter.mode())
}

/// Ask for the first read and the keychain lookup once per meter.
pub fn start(web: &mut MeterWeb, meter: MeterKey, actions: &mut Vec<Action>) {
    if !web.started {
        web.started = true;
        actions.push(Action::Send(Command::LoadSecret {
            account: web.account.clone(),
        }));
        actions.push(Action::Web(meter, WebJob::Read));
    }
}
