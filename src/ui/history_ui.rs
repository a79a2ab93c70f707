//! The History tab: the meter's entries of the activity journal, newest
//! first (time, origin, what was asked, before → asked → read back per
//! field, the outcome and why), refreshed on opening and after each job,
//! exportable in any export format (one sheet per meter in a workbook).

use eframe::egui::{self, RichText};

use super::widgets::{format_combo, saved_ui};
use crate::backend::Command;
use crate::backend::exports::{Job, Origin as ExportOrigin};
use crate::backend::history::Request;
use crate::commissioning::journal_export;
use crate::i18n::{Msg, Tr};
use crate::state::intent::Action;
use crate::state::model::MeterRow;
use crate::state::view::ViewState;
use je08_client::journal::{Origin, Outcome};

/// Draw the tab.
pub fn history_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    view: &mut ViewState,
    actions: &mut Vec<Action>,
) {
    ui.weak(tr.t(Msg::HistoryIntro));
    let entries = view.history.get(&meter.key);
    ui.horizontal(|ui| {
        if ui.button(tr.t(Msg::HistoryRefresh)).clicked() {
            actions.push(Action::Send(load(meter)));
        }
        let shown = entries.and_then(|e| e.as_ref().ok()).filter(|e| !e.is_empty());
        let format = &mut view.exports.format;
        format_combo(ui, tr, "history", format);
        if ui
            .add_enabled(shown.is_some(), egui::Button::new(tr.t(Msg::HistoryExport)))
            .clicked()
            && let Some(entries) = shown
        {
            let job = Job::Table {
                table: journal_export::table(entries),
                format: *format,
                lang: tr.0,
            };
            actions.push(Action::Export(ExportOrigin::History, job, "journal".into()));
        }
        saved_ui(ui, tr, view.exports.saved_by(ExportOrigin::History));
    });
    ui.separator();
    match entries {
        None => {}
        Some(Err(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, tr.f(Msg::HistoryUnreadable, &[why]));
        }
        Some(Ok(entries)) if entries.is_empty() => {
            ui.weak(tr.t(Msg::HistoryNone));
        }
        Some(Ok(entries)) => {
            egui::ScrollArea::vertical().id_salt("history").show(ui, |ui| {
                for entry in entries {
                    let head = format!(
                        "{} · {} · {} · {}",
                        entry.time_local,
                        match entry.origin {
                            Origin::Cli => "je08 (CLI)",
                            Origin::Window => "je08 (window)",
                        },
                        entry.asked,
                        entry.outcome.as_str()
                    );
                    match entry.outcome {
                        Outcome::Done => ui.label(RichText::new(head).strong()),
                        _ => ui.colored_label(ui.visuals().error_fg_color, head),
                    };
                    let changes = journal_export::changes_text(entry);
                    if !changes.is_empty() {
                        ui.monospace(changes);
                    }
                    if let Some(reason) = &entry.reason {
                        ui.label(reason);
                    }
                    ui.add_space(4.0);
                }
            });
        }
    }
}

/// The request reading `meter`'s entries.
pub fn load(meter: &MeterRow) -> Command {
    Command::History(Request::Load {
        meter: meter.key,
        device_id: meter.device_id,
        address: meter.address.clone(),
    })
}
