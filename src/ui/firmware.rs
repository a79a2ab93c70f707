//! The Firmware tab: pick an image and see its validation report (magic,
//! segments, checksum, slot size, version marker) before anything is sent.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::app::Action;
use super::i18n::{Msg, Tr};
use super::model::MeterEntry;
use super::widgets::OK_COLOR;
use crate::backend::FilePurpose;
use crate::protocol::firmware::FirmwareReport;

/// State of the Firmware tab.
#[derive(Debug, Clone, Default)]
pub struct FirmwareState {
    /// The picked image.
    pub path: Option<PathBuf>,
    /// Its validation report, or why it could not be read.
    pub report: Option<Result<FirmwareReport, String>>,
}

impl FirmwareState {
    /// A file was picked; its report is on the way.
    pub fn picked(&mut self, path: PathBuf) {
        self.path = Some(path);
        self.report = None;
    }

    /// The validation of `path` finished.
    pub fn checked(&mut self, path: PathBuf, report: Result<FirmwareReport, String>) {
        if self.path.as_ref() == Some(&path) {
            self.report = Some(report);
        }
    }
}

/// Draw the Firmware tab.
pub fn firmware_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterEntry,
    state: &mut FirmwareState,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new(tr.t(Msg::FirmwareImage)).strong().size(16.0));
    if let Some(s) = meter.latest.as_deref() {
        ui.label(tr.f(Msg::CurrentVersion, &[&s.device.esp_version.to_string()]));
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
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
        Some(Ok(report)) => report_ui(ui, tr, report),
    }
    ui.add_space(8.0);
    ui.add_enabled(false, egui::Button::new(tr.t(Msg::PushFirmware)));
    ui.weak(tr.t(Msg::PushFromCli));
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
                ui.label(check.check.label());
                if check.ok {
                    ui.colored_label(OK_COLOR, tr.t(Msg::Passed));
                } else {
                    ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::Failed));
                }
                ui.label(&check.reason);
                ui.end_row();
            }
        });
}
