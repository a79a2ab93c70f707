//! Recording: the file format, start (pick the file), rows written, stop.
//! Used on the meter page for one meter and on the batch page for the
//! ticked meters.

use eframe::egui::{self, RichText};

use super::widgets::{OK_COLOR, format_combo};
use crate::backend::MeterKey;
use crate::backend::commissioning::CommFile;
use crate::commissioning::export::Format;
use crate::i18n::{Describe, Msg, Tr};
use crate::state::commission::{Intent, RecordingState};
use crate::state::intent::Action;

/// Draw the recording controls for `meter` (`None`: the batch selection);
/// `can_start` is false when there is nothing to record; `format` is the
/// format of the next recording.
pub fn recording_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    (meter, state): (Option<MeterKey>, Option<&RecordingState>),
    can_start: bool,
    format: &mut Format,
    actions: &mut Vec<Action>,
) {
    let running = state.and_then(|s| s.running);
    ui.horizontal(|ui| match running {
        None => {
            let id = meter.map_or_else(|| "batch".to_string(), |k| k.0.to_string());
            format_combo(ui, tr, &id, format);
            if ui
                .add_enabled(can_start, egui::Button::new(tr.t(Msg::StartRecording)))
                .clicked()
            {
                let file = CommFile::Recording(*format);
                actions.push(Action::Commission(Intent::ChooseFile(file, meter)));
            }
        }
        Some(r) => {
            ui.spinner();
            ui.label(RichText::new(tr.t(Msg::RecordingNow)).strong());
            if ui.button(tr.t(Msg::StopRecording)).clicked() {
                actions.push(Action::Commission(Intent::Cancel(r.job)));
            }
        }
    });
    let Some(state) = state else {
        ui.weak(tr.t(Msg::RecordingHint));
        return;
    };
    if let Some(path) = &state.path {
        ui.label(tr.f(Msg::RecordingFile, &[&path.display().to_string()]));
    }
    if !state.meters.is_empty() {
        ui.label(tr.f(Msg::RecordingMeters, &[&state.meters.join(", ")]));
    }
    ui.label(tr.f(
        Msg::RowsWritten,
        &[&state.rows.to_string(), &state.failed.to_string()],
    ));
    if let Some(summary) = &state.summary {
        ui.colored_label(
            OK_COLOR,
            tr.f(
                Msg::RecordingStopped,
                &[&summary.rows.to_string(), &summary.resets_bridged.to_string()],
            ),
        );
    }
    if let Some(why) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
    }
}
