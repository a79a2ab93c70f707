//! The left panel: every known meter with its sources, address, mode,
//! firmware, last-seen time and status LED; add by address; rename, notes,
//! forget.

use eframe::egui::{self, RichText};

use super::{find_meters, widgets};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::intent::{Action, Confirm};
use crate::state::led;
use crate::state::model::{MeterRow, Model};
use crate::state::view::ViewState;
use je08_client::discovery::Source;

/// Draw the meters list.
pub fn meters_list_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    model: &Model,
    view: &mut ViewState,
    actions: &mut Vec<Action>,
) {
    ui.add_space(4.0);
    ui.heading(tr.t(Msg::Meters));
    // Button first, right to left: the field takes exactly the width left,
    // whatever the button's text is in this language (a guessed width made
    // the panel grow a little on every frame).
    ui.horizontal(|ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let add = ui.button(tr.t(Msg::Add)).clicked();
            let field = egui::TextEdit::singleline(&mut view.add_address)
                .hint_text(tr.t(Msg::AddressHint))
                .desired_width(ui.available_width());
            let response = ui.add(field);
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if add || enter {
                actions.push(Action::Add(view.add_address.clone(), Source::Manual));
            }
        });
    });
    find_meters::find_ui(ui, tr, &mut view.discovery, actions);
    ui.separator();
    if model.meters.is_empty() {
        ui.weak(tr.t(Msg::NoMetersYet));
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for meter in &model.meters {
                meter_row_ui(ui, tr, meter, view, actions);
            }
        });
}

fn meter_row_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    view: &mut ViewState,
    actions: &mut Vec<Action>,
) {
    let selected = view.selected == Some(meter.key);
    let fill = if selected {
        ui.visuals().selection.bg_fill.gamma_multiply(0.35)
    } else {
        ui.visuals().faint_bg_color
    };
    let frame = egui::Frame::group(ui.style()).fill(fill).inner_margin(8.0);
    // The card senses clicks *under* its buttons: a Ui with a sense is
    // hit-tested before its children, so "Rename", "Forget" and "Use this
    // address" get their own clicks.
    let card = egui::UiBuilder::new().sense(egui::Sense::click());
    let inner = ui.scope_builder(card, |ui| {
        frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let pattern = led::pattern(meter.mode(), meter.wifi());
                widgets::led_ui(ui, pattern, tr.t(Msg::LedHint));
                ui.add(egui::Label::new(RichText::new(meter.title()).strong().size(16.0)).truncate());
            });
            egui::Grid::new(("meter_row", meter.key.0))
                .num_columns(2)
                .spacing([8.0, 2.0])
                .show(ui, |ui| {
                    ui.weak(tr.t(Msg::Address));
                    ui.monospace(if meter.address.is_empty() {
                        "—"
                    } else {
                        &meter.address
                    });
                    ui.end_row();
                    let seen_at = meter.addresses();
                    if seen_at.len() > 1 {
                        ui.weak(tr.t(Msg::Addresses));
                        let all: Vec<String> = seen_at.iter().map(ToString::to_string).collect();
                        ui.add(egui::Label::new(RichText::new(all.join(", ")).monospace()).truncate());
                        ui.end_row();
                    }
                    super::whereabouts_ui::card_rows_ui(ui, tr, meter, actions);
                    ui.weak(tr.t(Msg::Mode));
                    ui.label(match meter.mode() {
                        Some(mode) => mode.describe(tr),
                        None if meter.unreachable() => tr.t(Msg::Unreachable).to_owned(),
                        None => tr.t(Msg::Unknown).to_owned(),
                    });
                    ui.end_row();
                    ui.weak(tr.t(Msg::Firmware));
                    ui.label(meter.firmware().unwrap_or_else(|| "—".into()));
                    ui.end_row();
                    ui.weak(tr.t(Msg::Sources));
                    let sources: Vec<&str> = meter.sources.iter().map(|s| tr.t(source_msg(*s))).collect();
                    ui.label(sources.join(", "));
                    ui.end_row();
                    ui.weak(tr.t(Msg::LastSeen));
                    ui.horizontal(|ui| {
                        widgets::age_ui(ui, tr, meter.last_seen);
                        if meter.stale() {
                            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::NotSeenRecently));
                        }
                    });
                    ui.end_row();
                    if !meter.session {
                        ui.weak(tr.t(Msg::Connection));
                        ui.weak(tr.t(Msg::NoSession));
                        ui.end_row();
                    }
                });
            if !meter.notes.is_empty() {
                ui.label(RichText::new(&meter.notes).italics().weak());
            }
            if selected {
                details_ui(ui, tr, meter, view, actions);
            }
        })
    });
    if inner.response.clicked() && !selected {
        actions.push(Action::Select(meter.key));
    }
    ui.add_space(4.0);
}

fn details_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow, view: &mut ViewState, actions: &mut Vec<Action>) {
    let mut close = false;
    let mut open = None;
    match &mut view.edit {
        Some((key, name, notes)) if *key == meter.key => {
            ui.label(tr.t(Msg::Name));
            ui.text_edit_singleline(name);
            ui.label(tr.t(Msg::Notes));
            ui.add(egui::TextEdit::multiline(notes).desired_rows(2));
            ui.horizontal(|ui| {
                if ui.button(tr.t(Msg::Save)).clicked() {
                    actions.push(Action::SaveDetails(meter.key, name.clone(), notes.clone()));
                    close = true;
                } else if ui.button(tr.t(Msg::Cancel)).clicked() {
                    close = true;
                }
            });
        }
        _ => {
            ui.horizontal(|ui| {
                if ui.small_button(tr.t(Msg::RenameNotes)).clicked() {
                    open = Some((meter.key, meter.name.clone(), meter.notes.clone()));
                }
                if ui.small_button(tr.t(Msg::Forget)).clicked() {
                    actions.push(Action::Ask(Confirm::Forget(meter.key)));
                }
            });
        }
    }
    if close {
        view.edit = None;
    } else if open.is_some() {
        view.edit = open;
    }
}

fn source_msg(source: Source) -> Msg {
    match source {
        Source::Manual => Msg::SourceManual,
        Source::Remembered => Msg::SourceRemembered,
        Source::Demo => Msg::SourceDemo,
        Source::Mdns => Msg::SourceMdns,
        Source::Scan => Msg::SourceScan,
        Source::Mqtt => Msg::SourceMqtt,
    }
}
