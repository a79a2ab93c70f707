//! The Parameters tab: gains, CT ratio (as a ratio or as primary amps),
//! per-phase inversion. Every field is validated as it is typed against the
//! register map; an invalid form cannot be written. "Write" runs write →
//! SAVE_PARAMS → read back → compare and shows the outcome field by field.

use eframe::egui::{self, RichText};

use super::widgets::OK_COLOR;
use crate::backend::{JobOutcome, LinkState};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::intent::{Action, Confirm};
use crate::state::model::{JobKind, MeterRow, Model};
use crate::state::parameters::{Checked, CtMode, FieldError, ParamsForm, parse_ct};

/// Draw the Parameters tab.
pub fn parameters_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    model: &Model,
    form: &mut ParamsForm,
    actions: &mut Vec<Action>,
) {
    if let Some((id, job)) = model.latest_job(meter.key, JobKind::RestoreDefaults)
        && let Some(JobOutcome::Done(Some(s))) = &job.outcome
        && form.applied_job != Some(id)
    {
        form.applied_job = Some(id);
        form.load(s);
    }
    if form.loaded.is_none() {
        match meter.latest.as_deref() {
            Some(s) => form.load(&s.settings),
            None => {
                ui.label(tr.t(Msg::WaitingForData));
                return;
            }
        }
    }
    let checked = form.check();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(RichText::new(tr.t(Msg::Gains)).strong().size(16.0));
            ui.weak(tr.t(Msg::GainsHint));
            // Columns at least as wide as a field: a grid cell only offers
            // the width its column had last frame, which would squeeze the
            // first fields to the width of their "Phase A" header.
            egui::Grid::new("gains")
                .num_columns(4)
                .min_col_width(FIELD_WIDTH)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    ui.label("");
                    for p in [Msg::PhaseA, Msg::PhaseB, Msg::PhaseC] {
                        ui.label(RichText::new(tr.t(p)).strong());
                    }
                    ui.end_row();
                    ui.label(tr.t(Msg::VoltageGain));
                    for (k, phase) in PHASES.iter().enumerate() {
                        field_ui(
                            ui,
                            &tr.f(Msg::VoltageGainOf, &[phase]),
                            &mut form.voltage_gain[k],
                            checked.voltage[k].as_ref(),
                            tr,
                        );
                    }
                    ui.end_row();
                    ui.label(tr.t(Msg::CurrentGain));
                    for (k, phase) in PHASES.iter().enumerate() {
                        field_ui(
                            ui,
                            &tr.f(Msg::CurrentGainOf, &[phase]),
                            &mut form.current_gain[k],
                            checked.current[k].as_ref(),
                            tr,
                        );
                    }
                    ui.end_row();
                    ui.label(tr.t(Msg::FrequencyGain));
                    field_ui(
                        ui,
                        tr.t(Msg::FrequencyGain),
                        &mut form.frequency_gain,
                        checked.frequency.as_ref(),
                        tr,
                    );
                    ui.end_row();
                });
            ui.add_space(10.0);
            ui.label(RichText::new(tr.t(Msg::CurrentTransformer)).strong().size(16.0));
            ui.horizontal(|ui| {
                let before = form.ct_mode;
                ui.radio_value(&mut form.ct_mode, CtMode::Ratio, tr.t(Msg::CtAsRatio));
                ui.radio_value(&mut form.ct_mode, CtMode::PrimaryAmps, tr.t(Msg::CtAsAmps));
                if before != form.ct_mode
                    && let Ok(ratio) = parse_ct(before, &form.ct_text)
                {
                    form.ct_text = form.ct_display(ratio);
                }
            });
            ui.horizontal(|ui| {
                field_ui(ui, tr.t(Msg::CtRatio), &mut form.ct_text, checked.ct.as_ref(), tr);
                if let Ok(ratio) = parse_ct(form.ct_mode, &form.ct_text) {
                    ui.weak(tr.f(
                        Msg::CtMeans,
                        &[&ratio.to_string(), &(u32::from(ratio) * 5).to_string()],
                    ));
                }
            });
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.label(tr.t(Msg::InvertCurrent));
                for (flag, phase) in form.invert.iter_mut().zip(PHASES) {
                    ui.checkbox(flag, tr.f(Msg::PhaseN, &[phase]));
                }
            });
            ui.add_space(12.0);
            write_bar_ui(ui, tr, meter, model, form, &checked, actions);
            outcome_ui(ui, tr, meter, model);
        });
}

const PHASES: [&str; 3] = ["A", "B", "C"];

/// Width of a number field.
const FIELD_WIDTH: f32 = 110.0;

fn field_ui(ui: &mut egui::Ui, label: &str, text: &mut String, error: Option<&FieldError>, tr: Tr) {
    ui.vertical(|ui| {
        let mut edit = egui::TextEdit::singleline(text)
            .desired_width(FIELD_WIDTH)
            .font(egui::TextStyle::Monospace);
        if error.is_some() {
            edit = edit.text_color(ui.visuals().error_fg_color);
        }
        ui.add(edit).accessible_name(label);
        if let Some(err) = error {
            ui.colored_label(ui.visuals().error_fg_color, err.text(tr));
        }
    });
}

fn write_bar_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    model: &Model,
    form: &mut ParamsForm,
    checked: &Checked,
    actions: &mut Vec<Action>,
) {
    let online = meter.link == LinkState::Online;
    let busy = model.busy(meter.key);
    let changed = checked.settings.is_some() && checked.settings != form.loaded;
    ui.horizontal(|ui| {
        let can_write = online && !busy && checked.settings.is_some() && form.loaded.is_some();
        let write =
            egui::Button::new(RichText::new(tr.t(Msg::Write)).size(16.0)).min_size(egui::vec2(120.0, 30.0));
        if ui.add_enabled(can_write, write).clicked()
            && let (Some(base), Some(settings)) = (form.loaded, checked.settings)
        {
            actions.push(Action::Write(meter.key, base, settings));
        }
        if ui
            .add_enabled(online && !busy, egui::Button::new(tr.t(Msg::RestoreDefaults)))
            .clicked()
        {
            actions.push(Action::Ask(Confirm::RestoreDefaults(meter.key)));
        }
        if ui
            .add_enabled(
                meter.latest.is_some(),
                egui::Button::new(tr.t(Msg::ReloadFromMeter)),
            )
            .clicked()
            && let Some(s) = meter.latest.as_deref()
        {
            form.load(&s.settings);
        }
        if checked.settings.is_none() {
            ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::FixErrorsFirst));
        } else if !online {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::MeterNotOnline));
        } else if changed {
            ui.weak(tr.t(Msg::UnsavedChanges));
        }
        if busy {
            ui.spinner();
            if let Some((id, _)) = model
                .jobs
                .iter()
                .rev()
                .find(|(_, j)| j.meter == meter.key && j.outcome.is_none())
                && ui.button(tr.t(Msg::Cancel)).clicked()
            {
                actions.push(Action::Cancel(*id));
            }
        }
    });
}

fn outcome_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow, model: &Model) {
    let Some((_, job)) = model.latest_job(meter.key, JobKind::WriteSettings) else {
        return;
    };
    ui.add_space(8.0);
    match &job.outcome {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr.t(Msg::Writing));
            });
        }
        Some(JobOutcome::Written(fields)) => {
            let all_ok = fields.iter().all(|f| f.confirmed());
            if fields.is_empty() {
                ui.label(tr.t(Msg::NothingToWrite));
            } else if all_ok {
                ui.colored_label(OK_COLOR, tr.t(Msg::WriteConfirmed));
            } else {
                ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::WriteMismatch));
            }
            egui::Grid::new("write_outcome")
                .num_columns(4)
                .striped(true)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    for h in [Msg::Register, Msg::Written, Msg::ReadBack, Msg::Result] {
                        ui.label(RichText::new(tr.t(h)).strong());
                    }
                    ui.end_row();
                    for f in fields {
                        ui.monospace(f.name());
                        ui.monospace(f.wanted.to_string());
                        ui.monospace(f.actual.map_or_else(|| "—".into(), |a| a.to_string()));
                        if f.confirmed() {
                            ui.colored_label(OK_COLOR, tr.t(Msg::Confirmed));
                        } else {
                            ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::Differs));
                        }
                        ui.end_row();
                    }
                });
        }
        Some(JobOutcome::Done(_) | JobOutcome::Web(_)) => {
            ui.colored_label(OK_COLOR, tr.t(Msg::WriteConfirmed));
        }
        Some(JobOutcome::LinkFailed(why)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{}: {}", tr.t(Msg::WriteFailed), why.describe(tr)),
            );
        }
        Some(JobOutcome::Cancelled) => {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::WriteCancelled));
        }
        Some(
            JobOutcome::Failed(_)
            | JobOutcome::Commissioning(_)
            | JobOutcome::WebFailed(_)
            | JobOutcome::CommFailed(_),
        ) => {}
    }
}
