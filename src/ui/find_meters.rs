//! The "Find meters" panel: mDNS state, a range scan with progress and
//! Cancel. What discovery finds is folded into the meters list by
//! `state::discovered`.

use crate::backend::discovery::MdnsStatus;
use eframe::egui;
use je08_client::discovery::mdns::MdnsInterface;

use crate::backend::JobOutcome;
use crate::i18n::{Describe, Msg, Tr};
use crate::state::discovered::DiscoveryState;
use crate::state::intent::Action;

/// The "Find meters" panel: mDNS state, a range to scan, progress and cancel.
pub fn find_ui(ui: &mut egui::Ui, tr: Tr, state: &mut DiscoveryState, actions: &mut Vec<Action>) {
    egui::CollapsingHeader::new(tr.t(Msg::FindMeters))
        .default_open(true)
        .show(ui, |ui| {
            match &state.mdns {
                Some(MdnsStatus::Browsing(interfaces)) if interfaces.is_empty() => {
                    ui.weak(tr.t(Msg::MdnsAllInterfaces))
                }
                Some(MdnsStatus::Browsing(interfaces)) => {
                    let names: Vec<String> = interfaces.iter().map(MdnsInterface::to_string).collect();
                    ui.weak(tr.f(Msg::MdnsOn, &[&names.join(", ")]))
                }
                Some(MdnsStatus::Failed(why)) => ui.colored_label(
                    ui.visuals().warn_fg_color,
                    tr.f(Msg::MdnsFailed, &[&why.describe(tr)]),
                ),
                Some(MdnsStatus::Off) | None => ui.weak(tr.t(Msg::MdnsOff)),
            };
            let running = state.scan.as_ref().is_some_and(|s| s.outcome.is_none());
            // Button first, right to left, so the field takes exactly the
            // width left (see the address row of the meters list).
            ui.horizontal(|ui| {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let mut scan = false;
                    if running {
                        if let Some(job) = state.scan.as_ref().map(|s| s.job)
                            && ui.button(tr.t(Msg::Cancel)).clicked()
                        {
                            actions.push(Action::Cancel(job));
                        }
                    } else {
                        scan = ui.button(tr.t(Msg::Scan)).clicked();
                    }
                    let field = egui::TextEdit::singleline(&mut state.range)
                        .hint_text(tr.t(Msg::ScanRangeHint))
                        .desired_width(ui.available_width());
                    let response = ui
                        .add_enabled(!running, field)
                        .accessible_name(tr.t(Msg::ScanRange));
                    let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if scan || (enter && !running) {
                        actions.push(Action::Scan);
                    }
                });
            });
            if let Some(why) = &state.range_error {
                ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
            }
            if let Some(scan) = &state.scan {
                let fraction = if scan.total == 0 {
                    1.0
                } else {
                    scan.probed as f32 / scan.total as f32
                };
                let counts = [
                    scan.range.as_str(),
                    &scan.probed.to_string(),
                    &scan.total.to_string(),
                    &scan.found.to_string(),
                ];
                let text = match &scan.outcome {
                    None => tr.f(Msg::ScanProgress, &counts),
                    Some(JobOutcome::Cancelled) => tr.f(Msg::ScanCancelled, &counts),
                    Some(JobOutcome::Failed(why)) => why.describe(tr),
                    Some(_) => tr.f(Msg::ScanDone, &counts),
                };
                ui.add(egui::ProgressBar::new(fraction).text(text));
            }
        });
}
