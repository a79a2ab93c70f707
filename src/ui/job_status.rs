//! The progress line of an HTTP job (stage, progress bar, Cancel) and its
//! failure, in the user's language, once it ends; shared by the
//! Configuration and Firmware tabs.

use eframe::egui;

use crate::backend::web::{Stage, WebOutcome};
use crate::backend::{JobOutcome, MeterKey};
use crate::i18n::{Describe, Msg, Tr};
use crate::state::intent::Action;
use crate::state::model::{JobKind, Model, WebKind};

fn stage_text(tr: Tr, stage: Option<Stage>) -> String {
    match stage {
        None | Some(Stage::Reading) => tr.t(Msg::StageReading).to_string(),
        Some(Stage::Rebooting(mode)) => tr.f(Msg::StageRebooting, &[&mode.describe(tr)]),
        Some(Stage::Saving) => tr.t(Msg::StageSaving).to_string(),
        Some(Stage::Sending) => tr.t(Msg::StageSending).to_string(),
        Some(Stage::Confirming) => tr.t(Msg::StageConfirming).to_string(),
    }
}

/// Draw the newest job of `kind` on `meter`: while it runs, its stage,
/// progress and a Cancel button; when it failed or was cancelled, why
/// (`cancelled` picks the text from the last stage reached). Returns what a
/// successful job found, for the caller to show.
pub fn job_ui<'m>(
    ui: &mut egui::Ui,
    tr: Tr,
    model: &'m Model,
    meter: MeterKey,
    kind: WebKind,
    cancelled: impl Fn(Option<Stage>) -> Msg,
    actions: &mut Vec<Action>,
) -> Option<&'m WebOutcome> {
    let (id, job) = model.latest_job(meter, JobKind::Web(kind))?;
    match &job.outcome {
        None => {
            // A fixed-width bar (indeterminate until a fraction is known),
            // then Cancel, then the stage: the button never moves under the
            // pointer as stages and fractions change.
            ui.horizontal(|ui| {
                let bar = match job.fraction {
                    Some(f) => egui::ProgressBar::new(f).show_percentage(),
                    None => egui::ProgressBar::new(0.0).animate(true),
                };
                ui.add(bar.desired_width(260.0));
                if ui.button(tr.t(Msg::Cancel)).clicked() {
                    actions.push(Action::Cancel(id));
                }
                ui.label(stage_text(tr, job.stage));
            });
            None
        }
        Some(JobOutcome::Web(found)) => Some(&**found),
        Some(JobOutcome::WebFailed(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
            None
        }
        Some(JobOutcome::Cancelled) => {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(cancelled(job.stage)));
            None
        }
        Some(_) => None,
    }
}
