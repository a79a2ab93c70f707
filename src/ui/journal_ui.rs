//! The Journal page: the activity journal of every meter, newest first,
//! filtered by meter, kind and days; one page at a time (older pages on
//! demand), drawn row by row only where visible, exportable as CSV.

use eframe::egui::{self, RichText};

use super::widgets::{format_combo, saved_ui};
use crate::backend::exports::{Job, Origin as ExportOrigin};
use crate::commissioning::journal_export;
use crate::i18n::{Msg, Tr};
use crate::state::exports::ExportState;
use crate::state::intent::Action;
use crate::state::journal_page::JournalPage;
use je08_client::journal::{Entry, Kind, Outcome};

/// Height of one row of the table.
const ROW: f32 = 20.0;
/// Widths of the time, meter, kind and result columns.
const COLUMNS: [f32; 4] = [150.0, 150.0, 110.0, 80.0];

/// Draw the page.
pub fn journal_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    page: &mut JournalPage,
    exports: &mut ExportState,
    actions: &mut Vec<Action>,
) {
    ui.weak(tr.t(Msg::JournalIntro));
    let search = filters_ui(ui, tr, page);
    let query = page.query();
    if let Err(why) = &query {
        ui.colored_label(ui.visuals().error_fg_color, why.say(tr));
    } else if search {
        actions.push(Action::JournalSearch(false));
    }
    status_ui(ui, tr, page, exports, actions);
    ui.separator();
    if let Some(Ok(found)) = &page.found {
        if found.entries.is_empty() {
            ui.weak(tr.t(Msg::JournalNone));
        } else {
            table_ui(ui, tr, &found.entries);
        }
    }
}

/// The filters; true when the person asked to search.
fn filters_ui(ui: &mut egui::Ui, tr: Tr, page: &mut JournalPage) -> bool {
    let mut search = false;
    ui.horizontal_wrapped(|ui| {
        let field = |ui: &mut egui::Ui, label: Msg, text: &mut String, width: f32, hint: &str| {
            let label = ui.label(tr.t(label));
            let edit = ui.add(
                egui::TextEdit::singleline(text)
                    .desired_width(width)
                    .hint_text(hint),
            );
            let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            edit.labelled_by(label.id);
            entered
        };
        search |= field(ui, Msg::JournalMeter, &mut page.meter, 80.0, "");
        let label = ui.label(tr.t(Msg::JournalKind));
        let combo = egui::ComboBox::from_id_salt("journal_kind")
            .selected_text(
                page.kind
                    .map_or(tr.t(Msg::JournalAnyKind), |k| journal_export::kind_word(tr, k)),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.kind, None, tr.t(Msg::JournalAnyKind));
                for kind in Kind::ALL {
                    ui.selectable_value(&mut page.kind, Some(kind), journal_export::kind_word(tr, kind));
                }
            });
        combo.response.labelled_by(label.id);
        let hint = tr.t(Msg::JournalDayHint);
        search |= field(ui, Msg::JournalFrom, &mut page.from, 90.0, hint);
        search |= field(ui, Msg::JournalTo, &mut page.to, 90.0, hint);
        search |= ui
            .add_enabled(!page.searching, egui::Button::new(tr.t(Msg::JournalSearch)))
            .clicked();
    });
    search
}

/// What is shown, paging, the export and why the journal could not be read.
fn status_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    page: &JournalPage,
    exports: &mut ExportState,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        if page.searching {
            ui.spinner();
            ui.weak(tr.t(Msg::JournalSearching));
        }
        match &page.found {
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, tr.f(Msg::HistoryUnreadable, &[why]));
            }
            Some(Ok(found)) => {
                let count = found.entries.len().to_string();
                ui.label(match page.pages_back {
                    0 => tr.f(Msg::JournalShown, &[&count]),
                    back => tr.f(Msg::JournalShownOlder, &[&count, &back.to_string()]),
                });
                if found.more {
                    ui.weak(tr.t(Msg::JournalMore));
                }
                if found.skipped > 0 {
                    ui.weak(tr.f(Msg::JournalSkipped, &[&found.skipped.to_string()]));
                }
                let idle = !page.searching;
                if page.pages_back > 0
                    && ui
                        .add_enabled(idle, egui::Button::new(tr.t(Msg::JournalNewest)))
                        .clicked()
                {
                    actions.push(Action::JournalSearch(false));
                }
                if ui
                    .add_enabled(
                        idle && page.older().is_some(),
                        egui::Button::new(tr.t(Msg::JournalOlder)),
                    )
                    .clicked()
                {
                    actions.push(Action::JournalSearch(true));
                }
                format_combo(ui, tr, "journal", &mut exports.format);
                if ui
                    .add_enabled(
                        !found.entries.is_empty(),
                        egui::Button::new(tr.t(Msg::HistoryExport)),
                    )
                    .clicked()
                {
                    let job = Job::Table {
                        table: journal_export::table(&found.entries),
                        format: exports.format,
                        lang: tr.0,
                    };
                    actions.push(Action::Export(ExportOrigin::Journal, job, "journal".into()));
                }
                saved_ui(ui, tr, exports.saved_by(ExportOrigin::Journal));
            }
            None => {}
        }
    });
}

/// The entries, one row each; only the visible rows are laid out. A row's
/// changes (before → asked → read back) and reason show on hover.
fn table_ui(ui: &mut egui::Ui, tr: Tr, entries: &[Entry]) {
    let header = [
        Msg::JournalColTime,
        Msg::JournalColMeter,
        Msg::JournalKind,
        Msg::JournalColResult,
    ];
    ui.horizontal(|ui| {
        for (msg, width) in header.into_iter().zip(COLUMNS) {
            ui.add_sized([width, ROW], egui::Label::new(RichText::new(tr.t(msg)).strong()));
        }
        ui.label(RichText::new(tr.t(Msg::JournalColWhat)).strong());
    });
    egui::ScrollArea::vertical()
        .id_salt("journal_rows")
        .auto_shrink([false, false])
        .show_rows(ui, ROW, entries.len(), |ui, rows| {
            for entry in &entries[rows] {
                row_ui(ui, tr, entry);
            }
        });
}

fn row_ui(ui: &mut egui::Ui, tr: Tr, entry: &Entry) {
    let meter = match entry.device_id {
        Some(id) => format!("{id} · {}", entry.address),
        None => entry.address.clone(),
    };
    let outcome = RichText::new(journal_export::outcome_word(tr, entry.outcome));
    let outcome = match entry.outcome {
        Outcome::Done => outcome,
        Outcome::Refused => outcome.color(ui.visuals().warn_fg_color),
        Outcome::Failed => outcome.color(ui.visuals().error_fg_color),
    };
    let cells = [
        RichText::new(&entry.time_local),
        RichText::new(meter),
        RichText::new(journal_export::kind_word(tr, entry.kind)),
        outcome,
    ];
    let row = ui.horizontal(|ui| {
        for (cell, width) in cells.into_iter().zip(COLUMNS) {
            ui.add_sized([width, ROW], egui::Label::new(cell).truncate());
        }
        ui.add(egui::Label::new(&entry.asked).truncate());
    });
    let mut details = journal_export::changes_text(entry);
    if let Some(reason) = &entry.reason {
        details.push_str(if details.is_empty() { "" } else { "\n" });
        details.push_str(reason);
    }
    if !details.is_empty() {
        row.response.on_hover_text(details);
    }
}
