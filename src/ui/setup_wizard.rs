//! The "Set up new meters" page: the batch's answers on the left, the
//! meter in hand on the right (join its Wi-Fi, wait until it answers, set
//! it up, rejoin the plant network, next meter), the batch table below.

use eframe::egui::{self, RichText};

use crate::backend::secrets::Storage;
use crate::commissioning::provision::{Step, result_text};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::intent::{Action, SetupIntent};
use crate::state::setup::{SetupForm, SetupState, Stage};
use je08_client::discovery::mdns::MdnsInterface;
use je08_protocol::http_api::{FACTORY_PASSWORD, factory_ssid};

/// Draw the wizard; `mdns` is where the window browses mDNS (`None`: off).
pub fn setup_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    state: &mut SetupState,
    mdns: Option<&[MdnsInterface]>,
    actions: &mut Vec<Action>,
) {
    ui.heading(tr.t(Msg::SetupMeters));
    ui.label(tr.t(Msg::SetupIntro));
    ui.separator();
    let busy = state.job().is_some();
    ui.columns(2, |columns| {
        let form = (&mut state.form, state.storage.as_ref());
        columns[0].add_enabled_ui(!busy, |ui| form_ui(ui, tr, form, mdns, actions));
        meter_ui(&mut columns[1], tr, state, actions);
    });
    ui.separator();
    batch_table_ui(ui, tr, state, actions);
}

/// One labelled row of the form's grid.
fn field(ui: &mut egui::Ui, label: &str, edit: egui::TextEdit<'_>) {
    let label = ui.label(label);
    ui.add(edit.desired_width(200.0)).labelled_by(label.id);
    ui.end_row();
}

fn form_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    (form, storage): (&mut SetupForm, Option<&Storage>),
    mdns: Option<&[MdnsInterface]>,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new(tr.t(Msg::SetupForBatch)).strong());
    egui::Grid::new("setup_form")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            field(
                ui,
                tr.t(Msg::SetupApAddress),
                egui::TextEdit::singleline(&mut form.ap),
            );
            field(
                ui,
                tr.t(Msg::SetupPlantSsid),
                egui::TextEdit::singleline(&mut form.ssid),
            );
            field(
                ui,
                tr.t(Msg::SetupPlantPassword),
                egui::TextEdit::singleline(&mut form.wifi_password.0).password(true),
            );
        });
    ui.weak(tr.t(Msg::SetupPasswordInMemory));
    ui.horizontal(|ui| {
        ui.checkbox(&mut form.remember, tr.t(Msg::RememberInKeychain));
        if ui
            .add_enabled(
                !form.ssid.trim().is_empty(),
                egui::Button::new(tr.t(Msg::UseSavedPassword)),
            )
            .clicked()
        {
            actions.push(Action::Setup(SetupIntent::LoadPassword));
        }
    });
    match storage {
        Some(Storage::Keychain) => {
            ui.weak(tr.t(Msg::StoredInKeychain));
        }
        Some(Storage::NoKeychain(why)) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{} ({why})", tr.t(Msg::NoKeychain)),
            );
        }
        _ => {}
    }
    ui.add_space(6.0);
    ui.radio_value(&mut form.static_on, false, tr.t(Msg::SetupDhcp));
    ui.radio_value(&mut form.static_on, true, tr.t(Msg::SetupStatic));
    if form.static_on {
        egui::Grid::new("setup_static")
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                field(
                    ui,
                    tr.t(Msg::SetupStaticHint),
                    egui::TextEdit::singleline(&mut form.static_first),
                );
                field(
                    ui,
                    tr.t(Msg::CfgGateway),
                    egui::TextEdit::singleline(&mut form.gateway),
                );
                field(ui, tr.t(Msg::CfgDns), egui::TextEdit::singleline(&mut form.dns));
            });
    }
    ui.add_space(6.0);
    egui::Grid::new("setup_names")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            field(
                ui,
                tr.t(Msg::SetupNameTemplate),
                egui::TextEdit::singleline(&mut form.name_template).hint_text("QGBT-{n}"),
            );
            field(
                ui,
                tr.t(Msg::SetupNewPassword),
                egui::TextEdit::singleline(&mut form.new_password.0)
                    .password(true)
                    .hint_text(tr.f(Msg::SetupNewPasswordHint, &[FACTORY_PASSWORD])),
            );
        });
    ui.weak(tr.t(Msg::SetupNameHint));
    if form.new_password.0.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr.f(Msg::SetupKeepsFactoryPassword, &[FACTORY_PASSWORD]),
        );
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(tr.t(Msg::SetupProfile));
        match &form.profile {
            Some(path) => ui.monospace(path.display().to_string()),
            None => ui.weak(tr.t(Msg::SetupNoProfile)),
        };
        if ui.button(tr.t(Msg::ChooseFile)).clicked() {
            actions.push(Action::Setup(SetupIntent::PickProfile));
        }
        if form.profile.is_some() && ui.button(tr.t(Msg::SetupClearProfile)).clicked() {
            actions.push(Action::Setup(SetupIntent::ClearProfile));
        }
    });
    ui.add_space(6.0);
    ui.label(RichText::new(tr.t(Msg::SetupFindBy)).strong());
    match mdns {
        Some(interfaces) => {
            let place = match interfaces {
                [] => tr.t(Msg::MdnsAllInterfaces).to_owned(),
                some => some
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            ui.label(tr.f(Msg::SetupMdnsAs, &[&place]))
        }
        None => ui.weak(tr.t(Msg::SetupMdnsOff)),
    };
    egui::Grid::new("setup_find")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            field(
                ui,
                tr.t(Msg::SetupAlsoScan),
                egui::TextEdit::singleline(&mut form.scan).hint_text(tr.t(Msg::ScanRangeHint)),
            );
            let label = ui.label(tr.t(Msg::SetupWait));
            ui.add(egui::DragValue::new(&mut form.wait_s).range(5..=600))
                .labelled_by(label.id);
            ui.end_row();
        });
}

fn meter_ui(ui: &mut egui::Ui, tr: Tr, state: &SetupState, actions: &mut Vec<Action>) {
    ui.label(RichText::new(tr.f(Msg::SetupMeterN, &[&state.place().to_string()])).strong());
    let ssid = match &state.stage {
        Stage::Found(info) | Stage::Running { info, .. } => factory_ssid(info.id),
        _ => "BIN_XXXX".to_owned(),
    };
    ui.label(tr.f(Msg::SetupJoinAp, &[&ssid, FACTORY_PASSWORD]));
    ui.add_space(6.0);
    match &state.stage {
        Stage::Idle => button(ui, tr.t(Msg::SetupLook), SetupIntent::Look, actions),
        Stage::Looking { last, .. } => {
            let ap = &state.form.ap;
            ui.label(match last {
                None => tr.f(Msg::SetupWaitingFirst, &[ap]),
                Some(why) => tr.f(Msg::SetupWaiting, &[ap, &why.describe(tr)]),
            });
            button(ui, tr.t(Msg::SetupStopLooking), SetupIntent::Cancel, actions);
        }
        Stage::Found(info) => {
            ui.label(tr.f(
                Msg::SetupFound,
                &[
                    &info.id.to_string(),
                    &info.esp_version,
                    &info.wifi.ssid,
                    &info.mode.describe(tr),
                ],
            ));
            let addressing = match state.form.static_on {
                false => "DHCP".to_owned(),
                true => state.form.static_first.clone(),
            };
            ui.label(tr.f(
                Msg::SetupWillBe,
                &[&state.name_for(info), state.form.ssid.trim(), &addressing],
            ));
            ui.horizontal(|ui| {
                if ui.button(RichText::new(tr.t(Msg::SetupStart)).strong()).clicked() {
                    actions.push(Action::Setup(SetupIntent::Start));
                }
                if ui.button(tr.t(Msg::SetupLook)).clicked() {
                    actions.push(Action::Setup(SetupIntent::Look));
                }
            });
        }
        Stage::Running { info, name, step, .. } => {
            ui.label(RichText::new(format!("{} · {name}", info.id)).strong());
            let next = (*step as usize + 1).min(Step::COUNT);
            ui.add(egui::ProgressBar::new(step.fraction()).text(format!(
                "{next}/{} · {}",
                Step::COUNT,
                step.describe(tr)
            )));
            if *step >= Step::Find {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    tr.f(Msg::SetupRejoin, &[state.form.ssid.trim()]),
                );
            }
            button(ui, tr.t(Msg::Cancel), SetupIntent::Cancel, actions);
        }
        Stage::Joined(joined) => {
            ui.colored_label(
                super::widgets::OK_COLOR,
                tr.f(
                    Msg::SetupJoined,
                    &[&joined.id.to_string(), &joined.name, &joined.modbus.to_string()],
                ),
            );
            button(ui, tr.t(Msg::SetupNext), SetupIntent::Next, actions);
        }
        Stage::Failed(why) => {
            ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
            ui.horizontal(|ui| {
                if ui.button(tr.t(Msg::SetupRetry)).clicked() {
                    actions.push(Action::Setup(SetupIntent::Look));
                }
                if ui.button(tr.t(Msg::SetupNext)).clicked() {
                    actions.push(Action::Setup(SetupIntent::Next));
                }
            });
        }
    }
    if let Some(problem) = &state.problem {
        ui.colored_label(ui.visuals().error_fg_color, problem);
    }
}

/// A button its own width (the column would stretch it) that asks `intent`.
fn button(ui: &mut egui::Ui, text: &str, intent: SetupIntent, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        if ui.button(text).clicked() {
            actions.push(Action::Setup(intent));
        }
    });
}

fn batch_table_ui(ui: &mut egui::Ui, tr: Tr, state: &SetupState, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr.t(Msg::SetupBatch)).strong());
        if ui
            .add_enabled(
                !state.rows.is_empty(),
                egui::Button::new(tr.t(Msg::SetupExportCsv)),
            )
            .clicked()
        {
            actions.push(Action::Setup(SetupIntent::SaveCsv));
        }
        match &state.saved {
            Some(Ok(path)) => {
                ui.weak(tr.f(Msg::SetupExported, &[&path.display().to_string()]));
            }
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
            None => {}
        }
    });
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("setup_batch")
            .num_columns(7)
            .striped(true)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for head in [
                    "#",
                    "Id",
                    tr.t(Msg::Name),
                    tr.t(Msg::SetupNewAddress),
                    tr.t(Msg::Result),
                    tr.t(Msg::SetupTime),
                    tr.t(Msg::SetupTook),
                ] {
                    ui.label(RichText::new(head).strong());
                }
                ui.end_row();
                for row in &state.rows {
                    ui.label(row.n.to_string());
                    ui.monospace(row.id.to_string());
                    ui.label(&row.name);
                    ui.monospace(row.address.map(|a| a.to_string()).unwrap_or_default());
                    let text = result_text(row, tr);
                    match row.result {
                        Ok(()) => ui.colored_label(super::widgets::OK_COLOR, text),
                        Err(_) => super::widgets::wrapped_cell_ui(ui, 380.0, &text),
                    };
                    ui.label(row.at.format("%H:%M:%S").to_string());
                    ui.label(format!("{:.0} s", row.took.as_secs_f64()));
                    ui.end_row();
                }
            });
    });
}
