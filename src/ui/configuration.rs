//! The Configuration tab: the meter's interface password, mode switching
//! (asked first: a reboot zeroes the energy counters), the connectivity,
//! protocols and CT blocks as forms saved whole over the HTTP API, and
//! certificates picked, pre-flighted and uploaded.

use std::collections::HashMap;
use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::app::{Action, Confirm};
use super::cert_text;
use super::config_forms::{self, Forms, PasswordText};
use super::job_status::job_ui;
use super::model::{MeterEntry, Model, WebKind};
use super::web_failure_text;
use super::widgets::OK_COLOR;
use crate::backend::secrets::Storage;
use crate::backend::web::{ConfigBlock, Stage, WebJob, WebOutcome};
use crate::backend::{Command, FilePurpose, JobOutcome, MeterKey};
use crate::i18n::mode_name;
use crate::i18n::{Msg, Tr};
use je08_protocol::http_api::{CertKind, CertStatus, Info, Mode, Secret};

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
    /// The password to send, when one is typed.
    pub fn secret(&self) -> Option<Secret> {
        self.password.secret()
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
    fn upload_job(&self) -> Option<WebJob> {
        if !matches!(&self.report, Some(Ok(r)) if r.is_ok()) {
            return None;
        }
        Some(WebJob::UploadCerts {
            ca: self.ca.clone()?,
            identity: self.client_cert.clone().zip(self.client_key.clone()),
        })
    }

    /// This meter's state (created on first use).
    pub fn meter(&mut self, meter: &MeterEntry) -> &mut MeterWeb {
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
                            connectivity: config_forms::ConnectivityForm::new(&c.connectivity),
                            protocols: config_forms::ProtocolsForm::new(&c.protocols),
                            ct: config_forms::CtForm::new(&c.ct),
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

fn meter_web<'a>(meters: &'a mut HashMap<MeterKey, MeterWeb>, meter: &MeterEntry) -> &'a mut MeterWeb {
    meters.entry(meter.key).or_insert_with(|| MeterWeb {
        account: format!("meter:{}", meter.http_address()),
        ..MeterWeb::default()
    })
}

/// The meter's mode as best known: HTTP first, else what the list shows.
pub fn known_mode(meter: &MeterEntry, web: &MeterWeb) -> Option<Mode> {
    web.info.as_ref().map(|i| i.mode).or(match meter.mode() {
        Some(super::model::Mode::Application) => Some(Mode::Application),
        Some(super::model::Mode::Configuration) => Some(Mode::Configuration),
        Some(super::model::Mode::Update) => Some(Mode::Update),
        None => None,
    })
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

/// The interface password field, "remember" and where it is stored;
/// shared with the Firmware tab.
pub fn password_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterEntry, web: &mut MeterWeb) {
    ui.horizontal(|ui| {
        ui.weak(tr.f(
            Msg::HttpEndpoint,
            &[&meter.http_address(), &meter.ota_port().to_string()],
        ));
    });
    ui.horizontal(|ui| {
        let label = ui.label(tr.t(Msg::InterfacePassword));
        let edit = egui::TextEdit::singleline(&mut web.password.0)
            .password(true)
            .hint_text(tr.t(Msg::InterfacePasswordHint))
            .desired_width(220.0);
        let response = ui.add(edit).labelled_by(label.id);
        if response.changed() {
            web.stored = false;
        }
        if ui
            .checkbox(&mut web.remember, tr.t(Msg::RememberInKeychain))
            .changed()
        {
            web.stored = false;
        }
    });
    match &web.storage {
        Some(Storage::Keychain) if web.remember || web.stored => {
            ui.weak(tr.t(Msg::StoredInKeychain));
        }
        Some(Storage::NoKeychain(_)) if web.remember => {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::NoKeychain));
        }
        _ => {}
    }
}

/// Draw the Configuration tab.
pub fn configuration_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterEntry,
    model: &Model,
    state: &mut ConfigState,
    actions: &mut Vec<Action>,
) {
    let upload = state.upload_job();
    let busy = model.busy(meter.key);
    let ConfigState {
        ca,
        client_cert,
        client_key,
        report,
        meters,
    } = state;
    let files = [
        (Msg::CaCert, FilePurpose::CaCert, &*ca),
        (Msg::ClientCert, FilePurpose::ClientCert, &*client_cert),
        (Msg::ClientKey, FilePurpose::ClientKey, &*client_key),
    ];
    let web = meter_web(meters, meter);
    start(web, meter.key, actions);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            password_ui(ui, tr, meter, web);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!busy, egui::Button::new(tr.t(Msg::ReadSettings)))
                    .clicked()
                {
                    actions.push(Action::Web(meter.key, WebJob::Read));
                }
            });
            if let Some(WebOutcome::Read {
                refused: Some(why), ..
            }) = job_ui(
                ui,
                tr,
                model,
                meter.key,
                WebKind::Read,
                |_| Msg::NothingChanged,
                actions,
            ) {
                ui.colored_label(ui.visuals().error_fg_color, web_failure_text::describe(tr, why));
            }
            ui.add_space(10.0);
            mode_ui(ui, tr, meter, model, web, busy, actions);
            ui.add_space(10.0);
            blocks_ui(ui, tr, meter, model, web, busy, actions);
            ui.add_space(10.0);
            ui.label(RichText::new(tr.t(Msg::Certificates)).strong().size(16.0));
            ui.weak(tr.t(Msg::CertificatesHint));
            pickers_ui(ui, tr, &files, actions);
            cert_report_ui(ui, tr, report.as_ref());
            certs_ui(ui, tr, meter, model, web, busy, upload, actions);
        });
}

fn mode_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterEntry,
    model: &Model,
    web: &MeterWeb,
    busy: bool,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new(tr.t(Msg::ModeSection)).strong().size(16.0));
    let mode = known_mode(meter, web);
    match mode {
        Some(m) => ui.label(RichText::new(tr.f(Msg::MeterIsInMode, &[mode_name(tr, m)])).strong()),
        None => ui.weak(tr.t(Msg::ModeNotKnown)),
    };
    egui::Frame::group(ui.style())
        .fill(ui.visuals().warn_fg_color.gamma_multiply(0.12))
        .show(ui, |ui| {
            ui.label(RichText::new(tr.t(Msg::RebootWarning)).strong());
        });
    ui.horizontal(|ui| {
        let enter = !busy && mode != Some(Mode::Configuration);
        if ui
            .add_enabled(enter, egui::Button::new(tr.t(Msg::EnterConfigMode)))
            .clicked()
        {
            actions.push(Action::Ask(Confirm::SwitchMode(meter.key, Mode::Configuration)));
        }
        let leave = !busy && mode != Some(Mode::Application);
        if ui
            .add_enabled(leave, egui::Button::new(tr.t(Msg::LeaveConfigMode)))
            .clicked()
        {
            actions.push(Action::Ask(Confirm::SwitchMode(meter.key, Mode::Application)));
        }
    });
    if let Some(WebOutcome::Switched(info)) = job_ui(
        ui,
        tr,
        model,
        meter.key,
        WebKind::SwitchMode,
        |stage| match stage {
            Some(Stage::Rebooting(_)) => Msg::SwitchCancelled,
            _ => Msg::NothingChanged,
        },
        actions,
    ) {
        ui.colored_label(OK_COLOR, tr.f(Msg::NowInMode, &[mode_name(tr, info.mode)]));
    }
}

fn blocks_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterEntry,
    model: &Model,
    web: &mut MeterWeb,
    busy: bool,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new(tr.t(Msg::SettingsBlocks)).strong().size(16.0));
    let Some(forms) = &mut web.forms else {
        ui.weak(tr.t(Msg::BlocksNeedConfigMode));
        return;
    };
    ui.weak(tr.t(Msg::BlocksApplyAtReboot));
    let save = |ui: &mut egui::Ui, block: Option<ConfigBlock>, actions: &mut Vec<Action>| {
        ui.horizontal(|ui| {
            let ok = block.is_some();
            if ui
                .add_enabled(ok && !busy, egui::Button::new(tr.t(Msg::SaveBlock)))
                .clicked()
                && let Some(block) = block
            {
                actions.push(Action::Web(meter.key, WebJob::Save(block)));
            }
            if !ok {
                ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::FixErrorsFirst));
            }
        });
    };
    egui::CollapsingHeader::new(RichText::new(tr.t(Msg::BlockConnectivity)).strong())
        .default_open(false)
        .show(ui, |ui| {
            let checked = forms.connectivity.check();
            config_forms::connectivity_form_ui(ui, tr, &mut forms.connectivity, checked.as_ref().err());
            save(ui, checked.ok().map(ConfigBlock::Connectivity), actions);
        });
    egui::CollapsingHeader::new(RichText::new(tr.t(Msg::BlockProtocols)).strong())
        .default_open(false)
        .show(ui, |ui| {
            let checked = forms.protocols.check();
            config_forms::protocols_form_ui(ui, tr, &mut forms.protocols, checked.as_ref().err());
            save(ui, checked.ok().map(ConfigBlock::Protocols), actions);
        });
    egui::CollapsingHeader::new(RichText::new(tr.t(Msg::BlockCt)).strong())
        .default_open(true)
        .show(ui, |ui| {
            let checked = forms.ct.check();
            config_forms::ct_form_ui(ui, tr, &mut forms.ct, checked.as_ref().err());
            save(ui, checked.ok().map(ConfigBlock::Ct), actions);
        });
    if let Some(WebOutcome::Saved(_)) = job_ui(
        ui,
        tr,
        model,
        meter.key,
        WebKind::Save,
        |_| Msg::SaveCancelled,
        actions,
    ) {
        ui.colored_label(OK_COLOR, tr.t(Msg::BlockSaved));
    }
}

#[allow(clippy::too_many_arguments)]
fn certs_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterEntry,
    model: &Model,
    web: &MeterWeb,
    busy: bool,
    upload: Option<WebJob>,
    actions: &mut Vec<Action>,
) {
    let in_config = web.info.as_ref().map(|i| i.mode) == Some(Mode::Configuration);
    ui.horizontal(|ui| {
        let enabled = upload.is_some() && !busy;
        if ui
            .add_enabled(enabled, egui::Button::new(tr.t(Msg::UploadCerts)))
            .clicked()
            && let Some(job) = upload
        {
            actions.push(Action::Web(meter.key, job));
        }
        if !in_config {
            ui.weak(tr.t(Msg::CertsNeedConfigMode));
        }
    });
    if let Some(WebOutcome::Certs(_)) = job_ui(
        ui,
        tr,
        model,
        meter.key,
        WebKind::UploadCerts,
        |_| Msg::SaveCancelled,
        actions,
    ) {
        ui.colored_label(OK_COLOR, tr.t(Msg::CertsUploaded));
    }
    if let Some(status) = &web.certs {
        let slots: Vec<String> = CertKind::ALL
            .into_iter()
            .map(|kind| {
                let name = tr.t(match kind {
                    CertKind::Ca => Msg::CaCert,
                    CertKind::ClientCert => Msg::ClientCert,
                    CertKind::ClientKey => Msg::ClientKey,
                });
                let slot = status.slot(kind);
                if slot.loaded {
                    tr.f(Msg::SlotLoaded, &[name, &slot.bytes.to_string()])
                } else {
                    tr.f(Msg::SlotEmpty, &[name])
                }
            })
            .collect();
        ui.label(tr.f(Msg::OnTheMeter, &[&slots.join(" · ")]));
    }
}

fn pickers_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    files: &[(Msg, FilePurpose, &Option<PathBuf>)],
    actions: &mut Vec<Action>,
) {
    egui::Grid::new("certs")
        .num_columns(3)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for (label, purpose, path) in files {
                ui.label(tr.t(*label));
                match path {
                    Some(p) => ui.monospace(p.display().to_string()),
                    None => ui.weak(tr.t(Msg::NoFile)),
                };
                if ui.button(tr.t(Msg::ChooseFile)).clicked() {
                    actions.push(Action::PickFile(*purpose));
                }
                ui.end_row();
            }
        });
}

fn cert_report_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    report: Option<&Result<je08_net::certs::Report, je08_net::certs::Problem>>,
) {
    match report {
        None => {}
        Some(Err(unreadable)) => {
            ui.colored_label(ui.visuals().error_fg_color, cert_text::describe(tr, unreadable));
        }
        Some(Ok(report)) if report.is_ok() => {
            ui.colored_label(OK_COLOR, tr.t(Msg::CertsOk));
            for c in &report.certificates {
                ui.weak(format!(
                    "{} · {} · {} – {}",
                    c.subject,
                    cert_text::key_name(tr, c.key),
                    c.not_before,
                    c.not_after
                ));
            }
        }
        Some(Ok(report)) => {
            for p in &report.problems {
                ui.colored_label(ui.visuals().error_fg_color, cert_text::describe(tr, p));
            }
        }
    }
}
