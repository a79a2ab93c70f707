//! The Configuration tab: mode switching (with the warning that a reboot
//! zeroes the energy counters), the connectivity, protocols and CT blocks,
//! and certificates picked with a file dialog.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::app::Action;
use super::i18n::{Msg, Tr};
use super::model::MeterEntry;
use crate::backend::FilePurpose;

/// State of the Configuration tab.
#[derive(Debug, Clone, Default)]
pub struct ConfigState {
    /// Picked CA certificate.
    pub ca: Option<PathBuf>,
    /// Picked client certificate.
    pub client_cert: Option<PathBuf>,
    /// Picked client key.
    pub client_key: Option<PathBuf>,
    /// Pre-flight of the picked files.
    pub report: Option<Result<crate::certs::Report, String>>,
}

impl ConfigState {
    /// The pre-flight to run for the files picked so far (needs a CA).
    pub fn check_command(&self) -> Option<crate::backend::Command> {
        let ca = self.ca.clone()?;
        let identity = self.client_cert.clone().zip(self.client_key.clone());
        Some(crate::backend::Command::CheckCerts { ca, identity })
    }

    /// A file dialog for a certificate closed.
    pub fn picked(&mut self, purpose: FilePurpose, path: Option<PathBuf>) {
        let Some(path) = path else { return };
        match purpose {
            FilePurpose::CaCert => self.ca = Some(path),
            FilePurpose::ClientCert => self.client_cert = Some(path),
            FilePurpose::ClientKey => self.client_key = Some(path),
            _ => {}
        }
    }
}

/// Draw the Configuration tab.
pub fn configuration_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    _meter: &MeterEntry,
    state: &mut ConfigState,
    actions: &mut Vec<Action>,
) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(RichText::new(tr.t(Msg::ModeSection)).strong().size(16.0));
            egui::Frame::group(ui.style())
                .fill(ui.visuals().warn_fg_color.gamma_multiply(0.12))
                .show(ui, |ui| {
                    ui.label(RichText::new(tr.t(Msg::RebootWarning)).strong());
                });
            ui.horizontal(|ui| {
                ui.add_enabled(false, egui::Button::new(tr.t(Msg::EnterConfigMode)));
                ui.add_enabled(false, egui::Button::new(tr.t(Msg::LeaveConfigMode)));
            });
            ui.weak(tr.t(Msg::ModeFromCli));
            ui.add_space(10.0);
            for block in [Msg::BlockConnectivity, Msg::BlockProtocols, Msg::BlockCt] {
                egui::CollapsingHeader::new(RichText::new(tr.t(block)).strong())
                    .default_open(false)
                    .show(ui, |ui| {
                        ui.weak(tr.t(Msg::ConfigFromCli));
                    });
            }
            ui.add_space(10.0);
            ui.label(RichText::new(tr.t(Msg::Certificates)).strong().size(16.0));
            ui.weak(tr.t(Msg::CertificatesHint));
            egui::Grid::new("certs")
                .num_columns(3)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    for (label, purpose, path) in [
                        (Msg::CaCert, FilePurpose::CaCert, &state.ca),
                        (Msg::ClientCert, FilePurpose::ClientCert, &state.client_cert),
                        (Msg::ClientKey, FilePurpose::ClientKey, &state.client_key),
                    ] {
                        ui.label(tr.t(label));
                        match path {
                            Some(p) => ui.monospace(p.display().to_string()),
                            None => ui.weak(tr.t(Msg::NoFile)),
                        };
                        if ui.button(tr.t(Msg::ChooseFile)).clicked() {
                            actions.push(Action::PickFile(purpose));
                        }
                        ui.end_row();
                    }
                });
            cert_report_ui(ui, tr, state.report.as_ref());
            ui.weak(tr.t(Msg::CertsFromCli));
        });
}

fn cert_report_ui(ui: &mut egui::Ui, tr: Tr, report: Option<&Result<crate::certs::Report, String>>) {
    match report {
        None => {}
        Some(Err(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
        Some(Ok(report)) if report.is_ok() => {
            ui.colored_label(super::widgets::OK_COLOR, tr.t(Msg::CertsOk));
            for c in &report.certificates {
                ui.weak(format!(
                    "{} · {} · {} → {}",
                    c.subject, c.key, c.not_before, c.not_after
                ));
            }
        }
        Some(Ok(report)) => {
            for p in &report.problems {
                ui.colored_label(ui.visuals().error_fg_color, &p.message);
            }
        }
    }
}
