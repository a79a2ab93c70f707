//! The Calibration tab: a four-step wizard per phase and quantity.
//! 1. sample a window and check the preconditions (refused with the reason),
//! 2. the user types the reference value and the reference instrument,
//! 3. the proposed gain `old × reference / measured` (refused when out of
//!    range), 4. write → SAVE_PARAMS → read back → measure again, with the
//!    error before and after and a PDF certificate.

use eframe::egui::{self, RichText};

use super::widgets::OK_COLOR;
use super::wiring_ui::running_ui;
use crate::backend::LinkState;
use crate::backend::commissioning::CommFile;
use crate::commissioning::calibrate::{CalibrationOutcome, CalibrationRequest, Prepared};
use crate::commissioning::sampler::WindowOptions;
use crate::i18n::{Describe, Msg, Tr};
use crate::state::commission::{CalibrationState, Intent};
use crate::state::intent::Action;
use crate::state::model::MeterRow;
use je08_protocol::analysis::calibration::{Preconditions, Quantity, Refusal, check_preconditions, plan};
use je08_protocol::analysis::wiring::Phase;
use je08_protocol::registers::label;

/// Draw the Calibration tab.
pub fn calibration_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    state: &mut CalibrationState,
    window: WindowOptions,
    actions: &mut Vec<Action>,
) {
    ui.label(tr.t(Msg::CalibrationIntro));
    let locked = state.running.is_some() || state.window.is_some();
    ui.add_enabled_ui(!locked, |ui| {
        ui.horizontal(|ui| {
            ui.label(tr.t(Msg::PhaseLabel));
            for (k, phase) in Phase::ALL.iter().enumerate() {
                ui.radio_value(&mut state.phase, k, tr.f(Msg::PhaseN, &[&phase.to_string()]));
            }
            ui.separator();
            ui.radio_value(&mut state.current, false, tr.t(Msg::Voltage));
            ui.radio_value(&mut state.current, true, tr.t(Msg::Current));
        });
    });
    let phase = Phase::ALL[state.phase.min(2)];
    let quantity = if state.current {
        Quantity::Current
    } else {
        Quantity::Voltage
    };
    ui.separator();
    ui.label(RichText::new(tr.t(Msg::Step1)).strong());
    ui.horizontal(|ui| {
        let online = meter.link == LinkState::Online;
        let label = tr.f(Msg::SampleWindow, &[&window.samples.to_string()]);
        if ui
            .add_enabled(online && state.running.is_none(), egui::Button::new(label))
            .clicked()
        {
            actions.push(Action::Commission(Intent::SampleCalibration(meter.key)));
        }
        if state.window.is_some() && state.running.is_none() && ui.button(tr.t(Msg::StartOver)).clicked() {
            actions.push(Action::Commission(Intent::ResetCalibration(meter.key)));
        }
        if !online {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::MeterNotOnline));
        }
        if let Some(running) = state.running {
            running_ui(ui, tr, running, Msg::Working, actions);
        }
    });
    if let Some(why) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
    }
    if state.cancelled {
        ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::Cancelled));
    }
    let Some((meter_name, samples)) = state.window.clone() else {
        return;
    };
    let pre = Preconditions::default();
    let checked = match check_preconditions(phase, quantity, &samples.samples, &samples.settings, &pre) {
        Ok(c) => c,
        Err(refusal) => {
            refusal_ui(ui, tr, &refusal);
            return;
        }
    };
    let unit = quantity.unit();
    ui.colored_label(
        OK_COLOR,
        tr.f(
            Msg::ConditionsMet,
            &[
                &format!("{:.1}", checked.current.mean),
                &checked.rating_a.to_string(),
                &format!("{:.3} {unit}", checked.measured.mean),
                &format!("{:.2}", 100.0 * checked.measured.relative_spread()),
                &checked.measured.count.to_string(),
            ],
        ),
    );
    if let Some(outcome) = &state.outcome {
        outcome_ui(ui, tr, meter, state, outcome, actions);
        return;
    }
    ui.separator();
    ui.label(RichText::new(tr.t(Msg::Step2)).strong());
    let editable = state.running.is_none();
    egui::Grid::new("calibration_reference")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            let label = ui.label(tr.f(Msg::ReferenceValue, &[unit]));
            ui.add_enabled(
                editable,
                egui::TextEdit::singleline(&mut state.reference).desired_width(120.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.t(Msg::ReferenceInstrument));
            ui.add_enabled(
                editable,
                egui::TextEdit::singleline(&mut state.instrument)
                    .hint_text(tr.t(Msg::ReferenceInstrumentHint))
                    .desired_width(320.0),
            )
            .labelled_by(label.id);
            ui.end_row();
        });
    let typed = state.reference.trim().replace(',', ".");
    if typed.is_empty() {
        return;
    }
    let Ok(reference) = typed.parse::<f64>() else {
        ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::NotANumberDecimal));
        return;
    };
    ui.separator();
    ui.label(RichText::new(tr.t(Msg::Step3)).strong());
    let planned = match plan(
        phase,
        quantity,
        reference,
        &samples.samples,
        &samples.settings,
        &pre,
    ) {
        Ok(p) => p,
        Err(refusal) => {
            refusal_ui(ui, tr, &refusal);
            return;
        }
    };
    ui.label(tr.f(
        Msg::ProposedGain,
        &[
            &label(planned.register),
            &planned.old_gain.to_string(),
            &planned.new_gain.to_string(),
            &format!("{reference:.3}"),
            &format!("{:.3}", planned.measured.mean),
        ],
    ));
    ui.label(tr.f(
        Msg::ErrorBefore,
        &[&format!("{:+.3}", planned.error_before_percent)],
    ));
    let prepared = Prepared {
        meter: meter_name,
        request: CalibrationRequest {
            phase,
            quantity,
            reference,
            window,
            preconditions: pre,
        },
        plan: planned,
        snapshot: samples.last.clone(),
    };
    ui.separator();
    ui.label(RichText::new(tr.t(Msg::Step4)).strong());
    if ui
        .add_enabled(
            editable && meter.link == LinkState::Online,
            egui::Button::new(tr.t(Msg::WriteGain)),
        )
        .clicked()
    {
        actions.push(Action::Commission(Intent::Calibrate(
            meter.key,
            Box::new(prepared),
        )));
    }
}

fn refusal_ui(ui: &mut egui::Ui, tr: Tr, refusal: &Refusal) {
    let text = refusal.describe(tr);
    ui.colored_label(
        ui.visuals().error_fg_color,
        format!("{} {text}", tr.t(Msg::Refused)),
    );
}

fn outcome_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    state: &CalibrationState,
    o: &CalibrationOutcome,
    actions: &mut Vec<Action>,
) {
    ui.separator();
    let p = &o.plan;
    if o.written_ok {
        ui.colored_label(OK_COLOR, tr.t(Msg::GainWritten));
    } else {
        ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::WriteMismatch));
    }
    let unit = p.quantity.unit();
    egui::Grid::new("calibration_outcome")
        .num_columns(5)
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            ui.label("");
            for h in [Msg::GainOf, Msg::Reading, Msg::Reference, Msg::ErrorCol] {
                let text = tr.f(h, &[&label(p.register), unit]);
                ui.label(RichText::new(text).strong());
            }
            ui.end_row();
            ui.label(tr.t(Msg::Before));
            ui.monospace(p.old_gain.to_string());
            ui.monospace(format!("{:.3}", p.measured.mean));
            ui.monospace(format!("{:.3}", p.reference));
            ui.monospace(format!("{:+.3} %", p.error_before_percent));
            ui.end_row();
            ui.label(tr.t(Msg::After));
            let gain = o.field.as_ref().map_or(p.new_gain, |f| f.read_back);
            ui.monospace(gain.to_string());
            ui.monospace(format!("{:.3}", o.measured_after.mean));
            ui.monospace(format!("{:.3}", p.reference));
            let err = RichText::new(format!("{:+.3} %", o.error_after_percent)).monospace();
            ui.label(if o.error_after_percent.abs() < 0.5 {
                err.color(OK_COLOR)
            } else {
                err.color(ui.visuals().error_fg_color)
            });
            ui.end_row();
        });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                state.saving.is_none(),
                egui::Button::new(tr.t(Msg::SaveCertificate)),
            )
            .clicked()
        {
            actions.push(Action::Commission(Intent::ChooseFile(
                CommFile::Certificate,
                Some(meter.key),
            )));
        }
        if let Some(running) = state.saving {
            running_ui(ui, tr, running, Msg::Working, actions);
        }
        match &state.saved {
            Some(Ok(path)) => {
                ui.colored_label(OK_COLOR, tr.f(Msg::SavedTo, &[&path.display().to_string()]));
            }
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
            }
            None => {}
        }
    });
}
