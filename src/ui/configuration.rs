//! The Configuration tab: the meter's interface password, mode switching
//! (asked first: a reboot zeroes the energy counters), the connectivity,
//! protocols and CT blocks as forms saved whole over the HTTP API, and
//! certificates picked, pre-flighted and uploaded.

use std::path::PathBuf;

use crate::backend::secrets::Storage;
use eframe::egui::{self, RichText};

use super::config_forms;
use super::job_status::job_ui;
use super::widgets::OK_COLOR;
use crate::backend::FilePurpose;
use crate::backend::web::{ConfigBlock, Stage, WebJob, WebOutcome};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::configuration::{ConfigState, MeterWeb, known_mode, meter_web, start};
use crate::state::intent::{Action, Confirm};
use crate::state::model::{MeterRow, Model, WebKind};
use je08_protocol::http_api::{CertKind, FACTORY_PASSWORD, Mode};

/// The interface password field, "remember" and where it is stored;
/// shared with the Firmware tab.
pub fn password_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow, web: &mut MeterWeb) {
    super::whereabouts_ui::send_warning_ui(ui, tr, meter);
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
            .hint_text(tr.f(Msg::InterfacePasswordHint, &[FACTORY_PASSWORD]))
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
    meter: &MeterRow,
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
                ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
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
    meter: &MeterRow,
    model: &Model,
    web: &MeterWeb,
    busy: bool,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new(tr.t(Msg::ModeSection)).strong().size(16.0));
    let mode = known_mode(meter, web);
    match mode {
        Some(m) => ui.label(RichText::new(tr.f(Msg::MeterIsInMode, &[&m.describe(tr)])).strong()),
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
        ui.colored_label(OK_COLOR, tr.f(Msg::NowInMode, &[&info.mode.describe(tr)]));
    }
}

fn blocks_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
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
    block_section(ui, tr.t(Msg::BlockConnectivity), false, |ui| {
        let checked = forms.connectivity.check();
        config_forms::connectivity_form_ui(ui, tr, &mut forms.connectivity, checked.as_ref().err());
        save(ui, checked.ok().map(ConfigBlock::Connectivity), actions);
    });
    block_section(ui, tr.t(Msg::BlockProtocols), false, |ui| {
        let checked = forms.protocols.check();
        config_forms::protocols_form_ui(ui, tr, &mut forms.protocols, checked.as_ref().err());
        save(ui, checked.ok().map(ConfigBlock::Protocols), actions);
    });
    block_section(ui, tr.t(Msg::BlockCt), true, |ui| {
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
    meter: &MeterRow,
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
            ui.colored_label(ui.visuals().error_fg_color, unreadable.describe(tr));
        }
        Some(Ok(report)) if report.is_ok() => {
            ui.colored_label(OK_COLOR, tr.t(Msg::CertsOk));
            for c in &report.certificates {
                ui.weak(format!(
                    "{} · {} · {} – {}",
                    c.subject,
                    c.key.describe(tr),
                    c.not_before,
                    c.not_after
                ));
            }
        }
        Some(Ok(report)) => {
            for p in &report.problems {
                ui.colored_label(ui.visuals().error_fg_color, p.describe(tr));
            }
        }
    }
}

/// One configuration block as a collapsible section titled in bold.
fn block_section(ui: &mut egui::Ui, title: &str, open: bool, add: impl FnOnce(&mut egui::Ui)) {
    egui::CollapsingHeader::new(RichText::new(title).strong())
        .default_open(open)
        .show(ui, add);
}
