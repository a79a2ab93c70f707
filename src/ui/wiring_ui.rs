//! The Wiring tab: run the wiring check as a backend job, show each finding
//! in words with its confidence and what to do, the one-click register fix
//! with its read-back and re-check, and the phasors measured against those
//! a correct wiring would give.

use eframe::egui::{self, RichText};

use super::widgets::{OK_COLOR, wrapped_cell_ui};
use crate::backend::LinkState;
use crate::commissioning::wiring_check::{FixOutcome, WiringCheck};
use crate::commissioning::wiring_text::{self, finding_text, rewire_text};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::commission::{Intent, Running, WiringState};
use crate::state::intent::Action;
use crate::state::model::MeterRow;
use je08_protocol::analysis::phasor;
use je08_protocol::analysis::wiring::{Finding, Remedy, Severity};
use je08_protocol::registers::label;

/// Draw the Wiring tab.
pub fn wiring_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    state: &mut WiringState,
    samples: &mut usize,
    actions: &mut Vec<Action>,
) {
    ui.label(tr.t(Msg::WiringIntro));
    ui.add_space(4.0);
    let expect = state.expectation();
    ui.horizontal(|ui| {
        let label = ui.label(tr.t(Msg::SamplesOneSecond));
        ui.add(egui::DragValue::new(samples).range(3..=120))
            .labelled_by(label.id);
        ui.separator();
        let label = ui.label(tr.t(Msg::CtFitted));
        ui.add(egui::TextEdit::singleline(&mut state.ct_primary).desired_width(70.0))
            .labelled_by(label.id);
        if expect.is_none() {
            ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::CtFittedInvalid));
        }
    });
    ui.horizontal(|ui| {
        let online = meter.link == LinkState::Online;
        let enabled = online && state.running.is_none() && expect.is_some();
        if ui
            .add_enabled(enabled, egui::Button::new(tr.t(Msg::RunWiringCheck)))
            .clicked()
        {
            actions.push(Action::Commission(Intent::CheckWiring(meter.key)));
        }
        if !online {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::MeterNotOnline));
        }
        if let Some(running) = state.running {
            running_ui(ui, tr, running, Msg::SamplingMeter, actions);
        }
    });
    if let Some(why) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
    }
    if state.cancelled {
        ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::Cancelled));
    }
    ui.separator();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(fix) = &state.fix {
                fix_ui(ui, tr, fix);
                ui.separator();
            }
            if let Some(check) = &state.check {
                let busy = state.running.is_some();
                check_ui(ui, tr, meter, check, busy, actions);
            }
        });
}

/// A progress bar with a Cancel button. The bar keeps its width while the
/// fraction is still unknown, so the button never moves under the pointer.
pub fn running_ui(ui: &mut egui::Ui, tr: Tr, running: Running, what: Msg, actions: &mut Vec<Action>) {
    let bar = match running.fraction {
        Some(f) => egui::ProgressBar::new(f).show_percentage(),
        None => egui::ProgressBar::new(0.0).animate(true),
    };
    ui.add(bar.desired_width(160.0));
    ui.label(tr.t(what));
    if ui.button(tr.t(Msg::Cancel)).clicked() {
        actions.push(Action::Commission(Intent::Cancel(running.job)));
    }
}

fn severity_text(ui: &egui::Ui, tr: Tr, s: Severity) -> RichText {
    let text = RichText::new(wiring_text::severity_text(tr, s));
    match s {
        Severity::Info => text,
        Severity::Warning => text.color(ui.visuals().warn_fg_color),
        Severity::Fault => text.color(ui.visuals().error_fg_color).strong(),
    }
}

fn check_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    check: &WiringCheck,
    busy: bool,
    actions: &mut Vec<Action>,
) {
    let report = &check.report;
    let samples = report.samples.to_string();
    if report.healthy {
        ui.colored_label(OK_COLOR, tr.f(Msg::WiringHealthy, &[&samples]));
    } else {
        let problems = report
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info)
            .count();
        ui.colored_label(
            ui.visuals().error_fg_color,
            tr.f(Msg::WiringProblems, &[&problems.to_string(), &samples]),
        );
    }
    if let Some(angle) = report.load_angle_deg {
        ui.label(tr.f(
            Msg::LoadAngleIs,
            &[
                &format!("{angle:.1}"),
                &format!("{:.2}", angle.to_radians().cos()),
            ],
        ));
    }
    let fix = report.register_fix();
    if !report.findings.is_empty() {
        egui::Grid::new("wiring_findings")
            .num_columns(4)
            .striped(true)
            .spacing([14.0, 6.0])
            .show(ui, |ui| {
                for h in [Msg::Severity, Msg::Confidence, Msg::Finding, Msg::WhatToDo] {
                    ui.label(RichText::new(tr.t(h)).strong());
                }
                ui.end_row();
                for f in &report.findings {
                    ui.label(severity_text(ui, tr, f.severity));
                    ui.monospace(format!("{:.0} %", 100.0 * f.confidence));
                    wrapped_cell_ui(ui, 380.0, &finding_text(tr, f)).on_hover_text(&f.message);
                    remedy_ui(ui, tr, f, meter, busy, actions);
                    ui.end_row();
                }
            });
    }
    if !fix.is_empty() {
        let list: Vec<String> = fix.iter().map(|(a, v)| format!("{} = {v}", label(*a))).collect();
        ui.weak(tr.f(Msg::FixWillWrite, &[&list.join(", ")]));
    }
    ui.add_space(8.0);
    ui.label(RichText::new(tr.t(Msg::PhasorsExpected)).strong());
    let m = &check.snapshot.measurements;
    let load = report.load_angle_deg.unwrap_or_else(|| {
        m.reactive_power_kvar
            .total
            .atan2(m.active_power_kw.total)
            .to_degrees()
    });
    let expected = phasor::expected(m, load);
    super::phasor_ui::phasor_compare_ui(ui, tr, m, &expected, 300.0);
}

fn remedy_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    f: &Finding,
    meter: &MeterRow,
    busy: bool,
    actions: &mut Vec<Action>,
) {
    match &f.remedy {
        Remedy::Nothing => {
            ui.weak(tr.t(Msg::NothingToDo));
        }
        Remedy::WriteRegisters { writes } => {
            ui.horizontal(|ui| {
                let online = meter.link == LinkState::Online;
                if ui
                    .add_enabled(online && !busy, egui::Button::new(tr.t(Msg::Fix)))
                    .clicked()
                {
                    actions.push(Action::Commission(Intent::FixWiring(meter.key)));
                }
                let list: Vec<String> = writes
                    .iter()
                    .map(|(a, v)| format!("{} = {v}", label(*a)))
                    .collect();
                ui.monospace(list.join(", "));
            });
        }
        Remedy::Rewire { instruction } => {
            wrapped_cell_ui(ui, 380.0, &rewire_text(tr, f)).on_hover_text(instruction);
        }
    }
}

fn fix_ui(ui: &mut egui::Ui, tr: Tr, fix: &FixOutcome) {
    ui.label(RichText::new(tr.t(Msg::FixApplied)).strong());
    if fix.written_ok {
        ui.colored_label(OK_COLOR, tr.t(Msg::WriteConfirmed));
    } else {
        ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::WriteMismatch));
    }
    egui::Grid::new("wiring_fix")
        .num_columns(5)
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for h in [
                Msg::Register,
                Msg::Before,
                Msg::Written,
                Msg::ReadBack,
                Msg::Result,
            ] {
                ui.label(RichText::new(tr.t(h)).strong());
            }
            ui.end_row();
            for f in &fix.fields {
                ui.monospace(&f.name);
                ui.monospace(f.before.to_string());
                ui.monospace(f.wanted.map_or_else(|| "—".into(), |w| w.to_string()));
                ui.monospace(f.read_back.to_string());
                if f.ok() {
                    ui.colored_label(OK_COLOR, tr.t(Msg::Confirmed));
                } else {
                    ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::Differs));
                }
                ui.end_row();
            }
        });
    if fix.after.report.healthy {
        ui.colored_label(OK_COLOR, tr.t(Msg::RecheckClean));
    } else {
        ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::RecheckNotClean));
    }
}
