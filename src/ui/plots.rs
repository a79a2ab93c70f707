//! Time-series plots of the live history: a quantity selector, a selectable
//! window, pause, min/max decimation to the plot's pixel width, and the
//! exports of what is visible (its samples in a chosen format, its picture).

use std::time::SystemTime;

use eframe::egui::{self, RichText};
use egui_plot::{Legend, Line, Plot};

use super::widgets::{PHASE_COLORS, format_combo, saved_ui};
use crate::backend::exports::{Job, Origin, Picture, SaveFailure};
use crate::i18n::{Msg, Tr};
use crate::state::exports::ExportState;
use crate::state::intent::Action;
use crate::state::live::{LiveState, Quantity, WINDOWS};
use crate::state::model::MeterRow;
use crate::state::plot_export;

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Draw the plot controls, the plot and its export buttons.
pub fn plots_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterRow,
    state: &mut LiveState,
    exports: &mut ExportState,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new(tr.t(Msg::Trends)).strong().size(16.0));
    ui.horizontal_wrapped(|ui| {
        for q in Quantity::ALL {
            ui.selectable_value(&mut state.quantity, q, tr.t(q.msg()));
        }
    });
    ui.horizontal(|ui| {
        ui.label(tr.t(Msg::Window));
        for w in WINDOWS {
            let text = if w < 3600 {
                tr.f(Msg::Minutes, &[&(w / 60).to_string()])
            } else {
                tr.t(Msg::OneHour).into()
            };
            ui.selectable_value(&mut state.window_s, w, text);
        }
        ui.separator();
        let paused = state.paused_at.is_some();
        let label = if paused {
            tr.t(Msg::Resume)
        } else {
            tr.t(Msg::Pause)
        };
        if ui.button(label).clicked() {
            state.paused_at = if paused {
                None
            } else {
                Some(meter.history.last_time().unwrap_or_else(now_s))
            };
        }
        if paused {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::Paused));
        }
    });
    let right = state
        .paused_at
        .unwrap_or_else(|| meter.history.last_time().unwrap_or_else(now_s));
    let left = right - f64::from(state.window_s);
    let buckets = (ui.available_width() as usize / 2).max(50);
    let names = [
        tr.t(Msg::PhaseA),
        tr.t(Msg::PhaseB),
        tr.t(Msg::PhaseC),
        tr.t(Msg::Total),
    ];
    let lines: Vec<(usize, Vec<[f64; 2]>)> = state
        .quantity
        .channels()
        .into_iter()
        .map(|(channel, k)| {
            let pts = meter
                .history
                .decimated(channel, left, right, buckets)
                .into_iter()
                .map(|[t, v]| [t - right, v])
                .collect();
            (k, pts)
        })
        .collect();
    export_buttons_ui(ui, tr, (meter, &*state), [left, right], &lines, exports, actions);
    let unit = state.quantity.unit();
    Plot::new(("trend", meter.key.0))
        .height(220.0)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .default_x_bounds(-f64::from(state.window_s), 0.0)
        .x_axis_label(tr.t(Msg::SecondsAxis))
        .y_axis_label(unit)
        .show(ui, |plot| {
            for (k, pts) in lines {
                plot.line(Line::new(names[k], pts).color(PHASE_COLORS[k]).width(1.5));
            }
        });
}

/// The format, "Export visible data" (the samples between `left` and
/// `right`) and "Save picture" (the plotted `lines`), with their results.
fn export_buttons_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    (meter, state): (&MeterRow, &LiveState),
    [left, right]: [f64; 2],
    lines: &[(usize, Vec<[f64; 2]>)],
    exports: &mut ExportState,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        format_combo(ui, tr, "plot", &mut exports.format);
        if ui.button(tr.t(Msg::ExportVisible)).clicked() {
            let table =
                plot_export::visible_table(&meter.history, state.quantity, [left, right], &meter.title());
            match table {
                Some(table) => {
                    let job = Job::Table {
                        table,
                        format: exports.format,
                        lang: tr.0,
                    };
                    actions.push(Action::Export(Origin::PlotData, job, "trend".into()));
                }
                None => exports.saved = Some((Origin::PlotData, Err(SaveFailure::NothingVisible))),
            }
        }
        if ui.button(tr.t(Msg::SavePicture)).clicked() {
            let picture = plot_export::trend_picture(
                tr,
                state.quantity,
                &meter.title(),
                state.window_s,
                lines.to_vec(),
            );
            actions.push(Action::Export(
                Origin::PlotPicture,
                Job::Picture(Picture::Trend(picture)),
                "trend".into(),
            ));
        }
    });
    saved_ui(ui, tr, exports.saved_by(Origin::PlotData));
    saved_ui(ui, tr, exports.saved_by(Origin::PlotPicture));
}
