//! The Batch page: tick meters, then apply a profile or a meter's backup
//! (which kind of file, dry-run diff per meter first, then Apply with a
//! result table), save a profile from the
//! selected meter (the whole configuration or the Modbus settings only,
//! asked first), write a commissioning report (with optional HTTP-settings
//! and MQTT checks) or record the ticked meters.

use eframe::egui::{self, RichText};

use super::batch_forms::{report_options_ui, save_scope_ui};
use super::recording_ui::recording_ui;
use super::widgets::{self, OK_COLOR, wrapped_cell_ui};
use super::wiring_ui::running_ui;
use crate::backend::MeterKey;
use crate::backend::commissioning::{CommFile, ProfileScope};
use crate::commissioning::export::Format;
use crate::commissioning::profile::{ApplyStatus, FileKind, MeterResult};
use crate::commissioning::report::NotReached;
use crate::i18n::{Describe, Msg, Tr};
use crate::state::commission::{BatchState, CommishState, Intent};
use crate::state::intent::Action;
use crate::state::model::Model;
use je08_protocol::http_api::FACTORY_PASSWORD;

/// Draw the Batch page; `current` is the meter selected in the list.
pub fn batch_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    model: &Model,
    current: Option<MeterKey>,
    state: &mut CommishState,
    format: &mut Format,
    actions: &mut Vec<Action>,
) {
    ui.heading(tr.t(Msg::BatchTitle));
    ui.label(tr.t(Msg::BatchIntro));
    let batch = &mut state.batch;
    batch.selected.retain(|k| model.meter(*k).is_some());
    ui.horizontal(|ui| {
        if ui.small_button(tr.t(Msg::SelectAll)).clicked() {
            batch.selected = model.meters.iter().map(|m| m.key).collect();
        }
        if ui.small_button(tr.t(Msg::SelectNone)).clicked() {
            batch.selected.clear();
        }
    });
    egui::Grid::new("batch_meters")
        .num_columns(3)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for m in &model.meters {
                let mut on = batch.selected.contains(&m.key);
                if ui.checkbox(&mut on, m.title()).changed() {
                    if on {
                        batch.selected.insert(m.key);
                    } else {
                        batch.selected.remove(&m.key);
                    }
                }
                ui.monospace(&m.address);
                widgets::link_badge_ui(ui, tr, m);
                ui.end_row();
            }
        });
    ui.horizontal(|ui| {
        let label = ui.label(tr.t(Msg::BatchPassword));
        ui.add(
            egui::TextEdit::singleline(&mut batch.password.0)
                .password(true)
                .desired_width(180.0),
        )
        .labelled_by(label.id);
        ui.weak(tr.f(Msg::BatchPasswordHint, &[FACTORY_PASSWORD]));
    });
    let ticked = batch.selected.len();
    let idle = batch.running.is_none();
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        let text = tr.f(Msg::ApplyProfileTo, &[&ticked.to_string()]);
        if ui
            .add_enabled(idle && ticked > 0, egui::Button::new(text))
            .clicked()
        {
            actions.push(Action::Commission(Intent::ChooseFile(
                CommFile::OpenProfile,
                None,
            )));
        }
        let source = current.and_then(|k| model.meter(k));
        let text = tr.f(
            Msg::SaveProfileFrom,
            &[&source.map_or_else(|| "—".to_string(), |m| m.title())],
        );
        if ui
            .add_enabled(idle && source.is_some(), egui::Button::new(text))
            .clicked()
        {
            actions.push(Action::Commission(Intent::ChooseFile(
                CommFile::SaveProfile,
                current,
            )));
        }
        let text = tr.f(Msg::ReportFor, &[&ticked.to_string()]);
        let valid = batch.report.checks().is_ok();
        if ui
            .add_enabled(idle && ticked > 0 && valid, egui::Button::new(text))
            .clicked()
        {
            actions.push(Action::Commission(Intent::ChooseFile(CommFile::Report, None)));
        }
    });
    report_options_ui(ui, tr, &mut batch.report, actions);
    if let Some((key, _)) = &batch.pending_save {
        let meter = model
            .meter(*key)
            .map_or_else(String::new, |m| format!("{} ({})", m.title(), m.address));
        save_scope_ui(ui.ctx(), tr, &meter, batch.password.0.is_empty(), actions);
    }
    if let Some(running) = batch.running {
        let what = match batch.saving {
            Some(ProfileScope::Whole) => Msg::SavingWhole,
            _ => Msg::Working,
        };
        ui.horizontal(|ui| running_ui(ui, tr, running, what, actions));
    }
    if let Some(why) = &batch.error {
        ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
    }
    if let Some((path, http)) = &batch.saved_profile {
        let msg = if *http {
            Msg::ProfileSavedWhole
        } else {
            Msg::ProfileSavedModbus
        };
        ui.colored_label(OK_COLOR, tr.f(msg, &[&path.display().to_string()]));
    }
    if let Some((path, unreachable)) = &batch.saved {
        ui.colored_label(OK_COLOR, tr.f(Msg::SavedTo, &[&path.display().to_string()]));
        for NotReached { meter, why } in unreachable {
            let text = tr.f(Msg::NotReached, &[meter, &why.describe(tr)]);
            ui.colored_label(ui.visuals().warn_fg_color, text);
        }
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .max_height((ui.available_height() - 120.0).max(120.0))
        .show(ui, |ui| profile_ui(ui, tr, batch, actions));
    ui.separator();
    ui.label(RichText::new(tr.t(Msg::RecordSelected)).strong());
    let recording = (None, state.recording.get(&None));
    recording_ui(ui, tr, recording, ticked > 0, format, actions);
}

fn profile_ui(ui: &mut egui::Ui, tr: Tr, batch: &BatchState, actions: &mut Vec<Action>) {
    let Some((profile, addresses, preview)) = &batch.preview else {
        return;
    };
    ui.separator();
    if let Some(path) = &batch.profile_path {
        ui.label(RichText::new(tr.f(Msg::ProfileFile, &[&path.display().to_string()])).strong());
    }
    if !profile.meta.description.is_empty() {
        ui.label(&profile.meta.description);
    }
    ui.label(tr.f(Msg::ProfileFrom, &[&profile.meta.source_device_id.to_string()]));
    // Which kind of file: a profile (each meter keeps its calibration) or
    // the backup of one meter, whose gains are named before Apply.
    let kind = profile.kind();
    match kind {
        FileKind::Profile { gains_ignored: false } => ui.label(kind.describe(tr)),
        _ => ui.colored_label(ui.visuals().warn_fg_color, kind.describe(tr)),
    };
    ui.label(RichText::new(tr.t(Msg::DryRun)).strong());
    results_ui(ui, tr, "profile_preview", preview);
    // The HTTP blocks can be read only in configuration mode, so a dry run
    // cannot tell whether they differ: Apply compares them meter by meter.
    let http_unknown = profile.http.is_some();
    if http_unknown {
        ui.weak(tr.t(Msg::HttpComparedOnApply));
    }
    let changes = preview
        .iter()
        .any(|r| r.status == ApplyStatus::WouldChange || (http_unknown && r.status == ApplyStatus::Ok));
    let text = tr.f(Msg::ApplyNow, &[&addresses.len().to_string()]);
    if ui
        .add_enabled(batch.running.is_none() && changes, egui::Button::new(text))
        .clicked()
    {
        actions.push(Action::Commission(Intent::ApplyProfile));
    }
    if let Some(applied) = &batch.applied {
        ui.label(RichText::new(tr.t(Msg::ApplyResult)).strong());
        results_ui(ui, tr, "profile_applied", applied);
    }
}

fn results_ui(ui: &mut egui::Ui, tr: Tr, id: &str, results: &[MeterResult]) {
    egui::Grid::new(id)
        .num_columns(4)
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for h in [Msg::Address, Msg::DeviceId, Msg::Result, Msg::Changes] {
                ui.label(RichText::new(tr.t(h)).strong());
            }
            ui.end_row();
            for r in results {
                ui.monospace(&r.meter);
                ui.monospace(r.device_id.map_or_else(|| "—".into(), |d| d.to_string()));
                let (color, msg) = match r.status {
                    ApplyStatus::Ok => (OK_COLOR, Msg::StatusOk),
                    ApplyStatus::Changed => (OK_COLOR, Msg::StatusChanged),
                    ApplyStatus::WouldChange => (ui.visuals().warn_fg_color, Msg::StatusWouldChange),
                    ApplyStatus::Failed => (ui.visuals().error_fg_color, Msg::StatusFailed),
                    ApplyStatus::Cancelled => (ui.visuals().warn_fg_color, Msg::Cancelled),
                };
                ui.colored_label(color, tr.t(msg));
                let detail = match &r.reason {
                    Some(why) => why.describe(tr),
                    None => r
                        .diff
                        .iter()
                        .map(|d| match &d.read_back {
                            Some(back) => format!("{}: {} -> {} ({back})", d.field, d.current, d.wanted),
                            None => format!("{}: {} -> {}", d.field, d.current, d.wanted),
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                wrapped_cell_ui(ui, 420.0, &detail);
                ui.end_row();
            }
        });
}
