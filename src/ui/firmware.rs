//! The Firmware tab: pick an image and see its validation report (magic,
//! segments, checksum, slot size, version marker); only a valid image can
//! be sent. Sending asks first (entering update mode reboots the meter),
//! then runs as a job with progress and Cancel, and ends by confirming the
//! version the meter runs.

use eframe::egui::{self, RichText};

use super::configuration::password_ui;
use super::job_status::job_ui;
use super::widgets::OK_COLOR;
use crate::backend::FilePurpose;
use crate::backend::web::{FlashMethod, Stage, WebOutcome};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::configuration::{MeterWeb, start};
use crate::state::firmware::FirmwareState;
use crate::state::intent::{Action, Confirm};
use crate::state::model::{MeterRow, Model, WebKind};
use je08_protocol::firmware::FirmwareReport;

/// Draw the Firmware tab.
pub fn firmware_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    model: &Model,
    web: &mut MeterWeb,
    state: &mut FirmwareState,
    actions: &mut Vec<Action>,
) {
    start(web, meter.key, actions);
    ui.label(RichText::new(tr.t(Msg::FirmwareImage)).strong().size(16.0));
    let running = web
        .info
        .as_ref()
        .map(|i| i.esp_version.clone())
        .or_else(|| meter.latest.as_deref().map(|s| s.device.esp_version.to_string()));
    if let Some(version) = running {
        ui.label(tr.f(Msg::CurrentVersion, &[&version]));
    }
    ui.horizontal(|ui| {
        match &state.path {
            Some(p) => ui.monospace(p.display().to_string()),
            None => ui.weak(tr.t(Msg::NoFile)),
        };
        if ui.button(tr.t(Msg::ChooseFile)).clicked() {
            actions.push(Action::PickFile(FilePurpose::Firmware));
        }
    });
    ui.add_space(8.0);
    match &state.report {
        None if state.path.is_some() => {
            ui.spinner();
        }
        None => {}
        Some(Err(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
        }
        Some(Ok(report)) => report_ui(ui, tr, report),
    }
    ui.add_space(8.0);
    password_ui(ui, tr, meter, web);
    ui.horizontal(|ui| {
        ui.label(tr.t(Msg::Transport));
        ui.radio_value(&mut state.method, FlashMethod::Http, tr.t(Msg::TransportHttp));
        ui.radio_value(&mut state.method, FlashMethod::Espota, tr.t(Msg::TransportEspota));
    });
    ui.weak(tr.t(Msg::FlashRebootWarning));
    let busy = model.busy(meter.key);
    ui.horizontal(|ui| {
        let image = state.valid_image();
        let send = egui::Button::new(RichText::new(tr.t(Msg::PushFirmware)).size(16.0));
        if ui.add_enabled(image.is_some() && !busy, send).clicked()
            && let Some(path) = image
        {
            actions.push(Action::Ask(Confirm::Flash(meter.key, path.clone(), state.method)));
        }
        if matches!(&state.report, Some(Ok(r)) if !r.valid) {
            ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::InvalidNotSent));
        }
    });
    let cancelled = |stage| match stage {
        None | Some(Stage::Reading) => Msg::NothingChanged,
        Some(_) => Msg::FlashCancelled,
    };
    if let Some(WebOutcome::Flashed(info)) =
        job_ui(ui, tr, model, meter.key, WebKind::Flash, cancelled, actions)
    {
        ui.colored_label(
            OK_COLOR,
            RichText::new(tr.f(Msg::FlashedVersion, &[&info.esp_version])).strong(),
        );
    }
}

fn report_ui(ui: &mut egui::Ui, tr: Tr, report: &FirmwareReport) {
    let version = report
        .version
        .map_or_else(|| tr.t(Msg::VersionUnknown).to_string(), |v| v.to_string());
    if report.valid {
        ui.colored_label(
            OK_COLOR,
            tr.f(Msg::ImageValid, &[&version, &report.size.to_string()]),
        );
    } else {
        ui.colored_label(
            ui.visuals().error_fg_color,
            tr.f(Msg::ImageInvalid, &[&report.size.to_string()]),
        );
    }
    egui::Grid::new("fw_checks")
        .num_columns(3)
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for check in &report.checks {
                ui.label(check.check.describe(tr));
                if check.ok {
                    ui.colored_label(OK_COLOR, tr.t(Msg::Passed));
                } else {
                    ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::Failed));
                }
                ui.label(check.finding.describe(tr));
                ui.end_row();
            }
        });
}
