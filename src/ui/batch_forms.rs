//! The Batch page's two forms: the options of the commissioning report
//! (HTTP settings, broker of the MQTT check) and the question asked before
//! a profile is saved (the whole configuration reboots the meter twice, the
//! Modbus settings alone do not).

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use crate::backend::commissioning::{CommFile, ProfileScope};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::commission::Intent;
use crate::state::intent::Action;
use crate::state::report_form::ReportForm;
use je08_protocol::http_api::FACTORY_PASSWORD;

/// Draw the report options; an invalid broker is said inline (the caller
/// disables the report button while [`ReportForm::checks`] fails).
pub fn report_options_ui(ui: &mut egui::Ui, tr: Tr, form: &mut ReportForm, actions: &mut Vec<Action>) {
    ui.label(RichText::new(tr.t(Msg::ReportOptions)).strong());
    egui::Grid::new("report_header")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let h = &mut form.header;
            for (msg, field) in [
                (Msg::RepSite, &mut h.site),
                (Msg::RepPanel, &mut h.panel),
                (Msg::RepCustomer, &mut h.customer),
                (Msg::RepTechnician, &mut h.technician),
            ] {
                let label = ui.label(tr.t(msg));
                ui.add(egui::TextEdit::singleline(field).desired_width(260.0))
                    .labelled_by(label.id);
                ui.end_row();
            }
        });
    ui.checkbox(&mut form.http_blocks, tr.t(Msg::ReportHttpBlocks));
    egui::Grid::new("report_mqtt")
        .num_columns(3)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let broker = &mut form.broker;
            let label = ui.label(tr.t(Msg::ReportBroker));
            ui.add(egui::TextEdit::singleline(&mut broker.url).desired_width(260.0))
                .labelled_by(label.id);
            ui.weak(tr.t(Msg::ReportBrokerHint));
            ui.end_row();
            let label = ui.label(tr.t(Msg::ReportMqttUser));
            ui.add(egui::TextEdit::singleline(&mut broker.user).desired_width(180.0))
                .labelled_by(label.id);
            ui.label("");
            ui.end_row();
            let label = ui.label(tr.t(Msg::ReportMqttPassword));
            ui.add(
                egui::TextEdit::singleline(&mut broker.password.0)
                    .password(true)
                    .desired_width(180.0),
            )
            .labelled_by(label.id);
            ui.label("");
            ui.end_row();
            for (label, none, purpose, file) in [
                (
                    Msg::ReportBrokerCa,
                    Msg::NoCaFile,
                    CommFile::BrokerCa,
                    &mut broker.ca,
                ),
                (
                    Msg::ClientCert,
                    Msg::NoClientCert,
                    CommFile::BrokerCert,
                    &mut broker.cert,
                ),
                (
                    Msg::ClientKey,
                    Msg::NoClientCert,
                    CommFile::BrokerKey,
                    &mut broker.key,
                ),
            ] {
                pem_file_row(ui, tr, (label, none), purpose, file, actions);
            }
        });
    match form.checks() {
        Err(why) => {
            ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
        }
        Ok(checks) if checks.broker.is_none() => {
            ui.weak(tr.t(if checks.http_blocks {
                Msg::MqttOwnBroker
            } else {
                Msg::NoMqttCheck
            }));
        }
        Ok(_) => {}
    }
}

/// A PEM file of the report's broker: its name (or what none means), a
/// button for the file dialog and one to clear it.
fn pem_file_row(
    ui: &mut egui::Ui,
    tr: Tr,
    (label, none): (Msg, Msg),
    purpose: CommFile,
    file: &mut Option<PathBuf>,
    actions: &mut Vec<Action>,
) {
    ui.label(tr.t(label));
    match file {
        Some(p) => ui.monospace(p.display().to_string()),
        None => ui.weak(tr.t(none)),
    };
    ui.horizontal(|ui| {
        if ui.button(tr.t(Msg::ChooseFile)).clicked() {
            actions.push(Action::Commission(Intent::ChooseFile(purpose, None)));
        }
        if file.is_some() && ui.button(tr.t(Msg::ClearFile)).clicked() {
            *file = None;
        }
    });
    ui.end_row();
}

/// The question before a profile is saved from `meter`: the whole
/// configuration (two reboots, energy counters restart) or the Modbus
/// settings only. `no_password`: no interface password was typed.
pub fn save_scope_ui(ctx: &egui::Context, tr: Tr, meter: &str, no_password: bool, actions: &mut Vec<Action>) {
    let answer = |scope| Action::Commission(Intent::SaveProfile(scope));
    let modal = egui::Modal::new(egui::Id::unique("save_profile_scope")).show(ctx, |ui| {
        ui.set_max_width(480.0);
        ui.heading(tr.t(Msg::SaveScopeTitle));
        ui.label(RichText::new(meter).strong());
        ui.add_space(6.0);
        ui.label(tr.t(Msg::SaveScopeBody));
        if no_password {
            ui.label(tr.f(Msg::SaveScopeNoPassword, &[FACTORY_PASSWORD]));
        }
        ui.add_space(10.0);
        ui.horizontal_wrapped(|ui| {
            if ui.button(RichText::new(tr.t(Msg::SaveWhole)).strong()).clicked() {
                actions.push(answer(Some(ProfileScope::Whole)));
            }
            if ui.button(tr.t(Msg::SaveModbusOnly)).clicked() {
                actions.push(answer(Some(ProfileScope::ModbusOnly)));
            }
            if ui.button(tr.t(Msg::Cancel)).clicked() {
                actions.push(answer(None));
            }
        });
    });
    let answered = actions
        .iter()
        .any(|a| matches!(a, Action::Commission(Intent::SaveProfile(_))));
    if modal.should_close() && !answered {
        actions.push(answer(None));
    }
}
