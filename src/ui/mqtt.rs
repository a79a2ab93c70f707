//! The MQTT view: connect to a broker (URL, TLS files, credentials), list
//! every meter the broker carries with its freshness, send commands.

use std::collections::BTreeMap;

use crate::backend::secrets::Storage;
use std::time::Instant;

use eframe::egui::{self, RichText};

use super::widgets::{self, OK_COLOR, fmt};
use crate::backend::mqtt_view::FleetUpdate;
use crate::backend::{Command, FilePurpose, JobId, JobOutcome};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::intent::{Action, Confirm};
use crate::state::mqtt::MqttState;
use je08_client::mqtt::{DEFAULT_INTERVAL, MeterView, STALE_AFTER_INTERVALS};
use je08_protocol::mqtt::Command as MqttCommand;

fn command_msg(c: &MqttCommand) -> Msg {
    match c {
        MqttCommand::GetInfo => Msg::MqttGetInfo,
        MqttCommand::GetData => Msg::MqttGetData,
        MqttCommand::ResetKwh => Msg::ResetKwh,
        MqttCommand::ResetKvarh => Msg::ResetKvarh,
    }
}

/// Draw the MQTT view.
pub fn mqtt_ui(ui: &mut egui::Ui, tr: Tr, state: &mut MqttState, actions: &mut Vec<Action>) {
    ui.heading(tr.t(Msg::MqttView));
    broker_form_ui(ui, tr, state, actions);
    ui.separator();
    status_ui(ui, tr, state);
    if let Some(fleet) = &state.fleet {
        fleet_ui(ui, tr, fleet, &state.jobs, actions);
    }
}

fn broker_form_ui(ui: &mut egui::Ui, tr: Tr, state: &mut MqttState, actions: &mut Vec<Action>) {
    egui::Grid::new("broker")
        .num_columns(3)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            ui.label(tr.t(Msg::BrokerUrl));
            ui.add(egui::TextEdit::singleline(&mut state.form.url).desired_width(320.0))
                .accessible_name(tr.t(Msg::BrokerUrl));
            ui.label("");
            ui.end_row();
            ui.label(tr.t(Msg::Username));
            ui.add(egui::TextEdit::singleline(&mut state.form.user).desired_width(200.0))
                .accessible_name(tr.t(Msg::Username));
            ui.label("");
            ui.end_row();
            ui.label(tr.t(Msg::Password));
            ui.add(
                egui::TextEdit::singleline(&mut state.form.password.0)
                    .password(true)
                    .desired_width(200.0),
            )
            .accessible_name(tr.t(Msg::Password));
            if ui.button(tr.t(Msg::UseSavedPassword)).clicked() {
                actions.push(Action::Send(Command::LoadSecret {
                    account: state.account(),
                }));
            }
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut state.remember, tr.t(Msg::RememberInKeychain));
            ui.label("");
            ui.end_row();
            for (label, purpose, path) in [
                (Msg::CaCert, FilePurpose::BrokerCa, &state.form.ca),
                (Msg::ClientCert, FilePurpose::BrokerCert, &state.form.cert),
                (Msg::ClientKey, FilePurpose::BrokerKey, &state.form.key),
            ] {
                ui.label(tr.t(label));
                match path {
                    Some(p) => ui.monospace(p.display().to_string()),
                    None => ui.weak(tr.t(Msg::NoFileTls)),
                };
                if ui.button(tr.t(Msg::ChooseFile)).clicked() {
                    actions.push(Action::PickFile(purpose));
                }
                ui.end_row();
            }
        });
    match &state.storage {
        Some(Storage::NoKeychain(why)) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{} ({why})", tr.t(Msg::NoKeychain)),
            );
        }
        Some(Storage::Keychain) => {
            ui.weak(tr.t(Msg::StoredInKeychain));
        }
        _ => {}
    }
    if let Err(problem) = state.form.login() {
        ui.colored_label(ui.visuals().error_fg_color, problem.describe(tr));
    }
    ui.horizontal(|ui| {
        let connect = egui::Button::new(RichText::new(tr.t(Msg::Connect)).size(15.0));
        let command = state.connect_command();
        if ui.add_enabled(command.is_some(), connect).clicked() {
            actions.push(Action::ConnectBroker);
        }
        if ui
            .add_enabled(state.active, egui::Button::new(tr.t(Msg::Disconnect)))
            .clicked()
        {
            state.active = false;
            state.fleet = None;
            actions.push(Action::Send(Command::MqttDisconnect));
        }
    });
}

fn status_ui(ui: &mut egui::Ui, tr: Tr, state: &MqttState) {
    if let Some(why) = &state.failure {
        ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
        return;
    }
    if !state.active {
        ui.weak(tr.t(Msg::NotConnected));
        return;
    }
    match &state.fleet {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr.t(Msg::Connecting));
            });
        }
        Some(f) if f.connected => {
            ui.colored_label(
                OK_COLOR,
                tr.f(Msg::BrokerConnected, &[&f.meters.len().to_string()]),
            );
        }
        Some(f) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                f.error
                    .as_ref()
                    .map_or_else(|| tr.t(Msg::Connecting).into(), |e| e.describe(tr)),
            );
        }
    }
}

/// Seconds since `view` last published, as of now.
pub fn age_now(view: &MeterView, snapshot_at: Instant) -> f64 {
    view.age_s + snapshot_at.elapsed().as_secs_f64()
}

/// Whether the meter has missed more than three publishing intervals.
pub fn is_stale(view: &MeterView, age_s: f64) -> bool {
    let interval = view.interval_s.unwrap_or(DEFAULT_INTERVAL.as_secs_f64());
    age_s > interval * f64::from(STALE_AFTER_INTERVALS)
}

fn fleet_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    fleet: &FleetUpdate,
    jobs: &BTreeMap<JobId, (String, MqttCommand, Option<JobOutcome>)>,
    actions: &mut Vec<Action>,
) {
    if fleet.meters.is_empty() {
        ui.weak(tr.t(Msg::NoMqttMeters));
        return;
    }
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("fleet")
                .num_columns(8)
                .striped(true)
                .spacing([14.0, 6.0])
                .show(ui, |ui| {
                    for h in [
                        Msg::DeviceId,
                        Msg::Name,
                        Msg::Firmware,
                        Msg::LastSeen,
                        Msg::Freshness,
                        Msg::ActivePower,
                        Msg::Voltage,
                        Msg::Commands,
                    ] {
                        ui.label(RichText::new(tr.t(h)).strong());
                    }
                    ui.end_row();
                    for view in &fleet.meters {
                        ui.monospace(&view.id);
                        ui.label(view.info.as_ref().map_or("—".to_string(), |i| i.name.clone()));
                        ui.label(
                            view.info
                                .as_ref()
                                .map_or("—".to_string(), |i| i.version.to_string()),
                        );
                        let age = age_now(view, fleet.at);
                        ui.label(tr.f(Msg::SecondsAgo, &[&format!("{age:.0}")]));
                        if is_stale(view, age) {
                            ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::Stale));
                        } else {
                            ui.colored_label(OK_COLOR, tr.t(Msg::Fresh));
                        }
                        let m = view.latest.as_ref().map(|s| &s.data.measurements);
                        widgets::big_value_ui(ui, &fmt(m.map(|m| m.active_power_kw.total), 1), "kW", 16.0);
                        widgets::big_value_ui(ui, &fmt(m.map(|m| m.line_voltage_v.mean), 0), "V", 16.0);
                        ui.horizontal(|ui| {
                            for command in MqttCommand::ALL {
                                if ui.small_button(tr.t(command_msg(&command))).clicked() {
                                    match command {
                                        MqttCommand::ResetKwh | MqttCommand::ResetKvarh => {
                                            actions.push(Action::Ask(Confirm::MqttCommand(
                                                view.id.clone(),
                                                command.clone(),
                                            )));
                                        }
                                        _ => actions.push(Action::MqttSend(view.id.clone(), command)),
                                    }
                                }
                            }
                            if let Some((_, (_, command, outcome))) =
                                jobs.iter().rev().find(|(_, (id, _, _))| *id == view.id)
                            {
                                match outcome {
                                    None => {
                                        ui.spinner();
                                    }
                                    Some(JobOutcome::Failed(why)) => {
                                        ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::Failed))
                                            .on_hover_text(why.describe(tr));
                                    }
                                    Some(_) => {
                                        ui.colored_label(
                                            OK_COLOR,
                                            format!(
                                                "{}: {}",
                                                tr.t(command_msg(command)),
                                                tr.t(Msg::Confirmed)
                                            ),
                                        );
                                    }
                                }
                            }
                        });
                        ui.end_row();
                    }
                });
        });
    ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
}
