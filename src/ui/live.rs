//! The Live tab: every reading per phase and total in big numbers, the
//! phasor diagram, energy counters with guarded resets, and the plots.

use eframe::egui::{self, RichText};

use super::widgets::{self, PHASE_COLORS, fmt};
use super::{phasor_ui, plots};
use crate::backend::JobOutcome;
use crate::backend::exports::{Job, Origin, Picture};
use crate::backend::link::EnergyKind;
use crate::i18n::{Describe, Msg, Tr};
use crate::state::exports::ExportState;
use crate::state::intent::{Action, Confirm};
use crate::state::live::LiveState;
use crate::state::model::{JobKind, MeterRow, Model};
use je08_protocol::readings::{PerPhase, PerPhaseTotal, Snapshot};

const VALUE_SIZE: f32 = 24.0;

/// Draw the Live tab.
pub fn live_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    (meter, model): (&MeterRow, &Model),
    state: &mut LiveState,
    exports: &mut ExportState,
    actions: &mut Vec<Action>,
) {
    let Some(snapshot) = meter.latest.as_deref() else {
        ui.add_space(20.0);
        ui.vertical_centered(|ui| ui.label(tr.t(Msg::WaitingForData)));
        return;
    };
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    readings_grid_ui(ui, tr, snapshot);
                    ui.add_space(8.0);
                    scalars_ui(ui, tr, snapshot);
                });
                ui.add_space(16.0);
                ui.vertical(|ui| {
                    ui.label(RichText::new(tr.t(Msg::Phasors)).strong());
                    phasor_ui::phasor_ui(ui, tr, &snapshot.measurements, 300.0);
                    if ui.button(tr.t(Msg::SavePhasorPicture)).clicked() {
                        let job = Job::Picture(phasor_picture(tr, meter, snapshot));
                        actions.push(Action::Export(Origin::PhasorPicture, job, "phasors".into()));
                    }
                    widgets::saved_ui(ui, tr, exports.saved_by(Origin::PhasorPicture));
                });
            });
            ui.add_space(8.0);
            energy_ui(ui, tr, meter, model, snapshot, actions);
            ui.add_space(8.0);
            plots::plots_ui(ui, tr, meter, state, exports, actions);
        });
}

/// The phasor diagram of `snapshot` as a picture to save.
fn phasor_picture(tr: Tr, meter: &MeterRow, snapshot: &Snapshot) -> Picture {
    Picture::Phasor {
        measurements: Box::new(snapshot.measurements.clone()),
        title: format!("{} · {}", tr.t(Msg::Phasors), meter.title()),
        rows: [
            tr.t(Msg::VoltageAngle).to_string(),
            tr.t(Msg::CurrentAngle).to_string(),
        ],
    }
}

fn header_cell(ui: &mut egui::Ui, text: &str, color: Option<egui::Color32>) {
    let mut rt = RichText::new(text).strong().size(15.0);
    if let Some(c) = color {
        rt = rt.color(c);
    }
    ui.label(rt);
}

fn phase_row(ui: &mut egui::Ui, label: &str, unit: &str, values: PerPhase, decimals: usize) {
    ui.label(RichText::new(label).size(15.0));
    for v in values.to_array() {
        widgets::big_value_ui(ui, &fmt(Some(v), decimals), unit, VALUE_SIZE);
    }
    ui.label("");
    ui.end_row();
}

fn total_row(ui: &mut egui::Ui, label: &str, unit: &str, values: PerPhaseTotal, decimals: usize) {
    ui.label(RichText::new(label).size(15.0));
    for v in [values.a, values.b, values.c, values.total] {
        widgets::big_value_ui(ui, &fmt(Some(v), decimals), unit, VALUE_SIZE);
    }
    ui.end_row();
}

fn readings_grid_ui(ui: &mut egui::Ui, tr: Tr, s: &Snapshot) {
    let m = &s.measurements;
    egui::Grid::new("readings")
        .num_columns(5)
        .spacing([18.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            header_cell(ui, tr.t(Msg::PhaseA), Some(PHASE_COLORS[0]));
            header_cell(ui, tr.t(Msg::PhaseB), Some(PHASE_COLORS[1]));
            header_cell(ui, tr.t(Msg::PhaseC), Some(PHASE_COLORS[2]));
            header_cell(ui, tr.t(Msg::Total), None);
            ui.end_row();
            phase_row(ui, tr.t(Msg::Voltage), "V", m.voltage_v, 0);
            let line = m.line_voltage_v;
            ui.label(RichText::new(tr.t(Msg::LineVoltage)).size(15.0));
            for (name, v) in [("AB", line.ab), ("BC", line.bc), ("CA", line.ca)] {
                ui.horizontal(|ui| {
                    ui.weak(name);
                    widgets::big_value_ui(ui, &fmt(Some(v), 0), "V", VALUE_SIZE);
                });
            }
            widgets::big_value_ui(ui, &fmt(Some(line.mean), 0), "V", VALUE_SIZE);
            ui.end_row();
            phase_row(ui, tr.t(Msg::Current), "A", m.current_a, 1);
            total_row(ui, tr.t(Msg::ActivePower), "kW", m.active_power_kw, 1);
            total_row(ui, tr.t(Msg::ReactivePower), "kVAr", m.reactive_power_kvar, 1);
            total_row(ui, tr.t(Msg::ApparentPower), "kVA", m.apparent_power_kva, 1);
            total_row(ui, tr.t(Msg::PowerFactor), "", m.power_factor, 3);
        });
}

fn scalars_ui(ui: &mut egui::Ui, tr: Tr, s: &Snapshot) {
    let m = &s.measurements;
    ui.horizontal(|ui| {
        tile_ui(ui, tr.t(Msg::Frequency), &fmt(Some(m.frequency_hz), 2), "Hz");
        match m.temperature_c {
            Some(t) => tile_ui(ui, tr.t(Msg::Temperature), &fmt(Some(t), 1), "°C"),
            None => tile_ui(ui, tr.t(Msg::Temperature), tr.t(Msg::NoSensor), ""),
        }
    });
}

fn tile_ui(ui: &mut egui::Ui, label: &str, value: &str, unit: &str) {
    egui::Frame::group(ui.style()).inner_margin(10.0).show(ui, |ui| {
        ui.vertical(|ui| {
            ui.weak(label);
            widgets::big_value_ui(ui, value, unit, 30.0);
        });
    });
}

fn energy_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    model: &Model,
    s: &Snapshot,
    actions: &mut Vec<Action>,
) {
    let m = &s.measurements;
    ui.label(RichText::new(tr.t(Msg::Energy)).strong().size(16.0));
    ui.weak(tr.t(Msg::EnergyNote));
    egui::Grid::new("energy")
        .num_columns(6)
        .spacing([18.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            for (label, unit, values, kind, reset) in [
                (
                    Msg::ActiveEnergy,
                    "kWh",
                    m.energy_kwh,
                    EnergyKind::ActiveKwh,
                    Msg::ResetKwh,
                ),
                (
                    Msg::ReactiveEnergy,
                    "kVArh",
                    m.energy_kvarh,
                    EnergyKind::ReactiveKvarh,
                    Msg::ResetKvarh,
                ),
            ] {
                total_cells(ui, tr.t(label), unit, values);
                let job = model.latest_job(meter.key, JobKind::ResetEnergy(kind));
                let running = job.is_some_and(|(_, j)| j.outcome.is_none());
                ui.horizontal(|ui| {
                    if ui.add_enabled(!running, egui::Button::new(tr.t(reset))).clicked() {
                        actions.push(Action::Ask(Confirm::ResetEnergy(meter.key, kind)));
                    }
                    match job.and_then(|(_, j)| j.outcome.as_ref()) {
                        _ if running => {
                            ui.spinner();
                        }
                        Some(JobOutcome::Done(_)) => {
                            ui.colored_label(widgets::OK_COLOR, tr.t(Msg::ResetDone));
                        }
                        Some(JobOutcome::LinkFailed(why)) => {
                            ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
                        }
                        Some(JobOutcome::Cancelled) => {
                            ui.weak(tr.t(Msg::Cancelled));
                        }
                        _ => {}
                    }
                });
                ui.end_row();
            }
        });
}

fn total_cells(ui: &mut egui::Ui, label: &str, unit: &str, values: PerPhaseTotal) {
    ui.label(RichText::new(label).size(15.0));
    for v in [values.a, values.b, values.c, values.total] {
        widgets::big_value_ui(ui, &fmt(Some(v), 1), unit, 20.0);
    }
}
