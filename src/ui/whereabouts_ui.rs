//! Where a meter is seen versus where its row sends things: the "seen at
//! … since …" line with its check and a button to follow, and the warning
//! the Configuration and Firmware tabs show before anything is sent.

use eframe::egui;

use crate::i18n::{Describe, Msg, Tr};
use crate::state::intent::Action;
use crate::state::model::MeterRow;
use crate::state::whereabouts::MoveCheck;

/// Grid rows of the meter card: the id's conflict, or the address the
/// meter is now seen at with the state of its check and "Use this address".
pub fn card_rows_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow, actions: &mut Vec<Action>) {
    if meter.conflict() {
        ui.weak(tr.t(Msg::Warning));
        ui.colored_label(ui.visuals().error_fg_color, conflict_text(tr, meter));
        ui.end_row();
        return;
    }
    let Some(moved) = &meter.moved else {
        return;
    };
    let since = chrono::DateTime::<chrono::Local>::from(moved.since).format("%H:%M");
    ui.weak(tr.t(Msg::SeenElsewhere));
    ui.vertical(|ui| {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr.f(Msg::SeenAtSince, &[&moved.ip.to_string(), &since.to_string()]),
        );
        match &moved.check {
            MoveCheck::Checking => {
                ui.weak(tr.t(Msg::MoveChecking));
            }
            MoveCheck::Refused { why, .. } => {
                ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
            }
            MoveCheck::Waiting => {}
        }
        if let Some(modbus) = moved.modbus
            && ui
                .button(tr.t(Msg::UseThisAddress))
                .on_hover_text(tr.f(Msg::UseThisAddressHint, &[&modbus.to_string()]))
                .clicked()
        {
            actions.push(Action::FollowMove(meter.key));
        }
    });
    ui.end_row();
}

/// Shown above the interface password on the Configuration and Firmware
/// tabs: where things go when discovery sees the meter elsewhere.
pub fn send_warning_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow) {
    let target = meter.http_address();
    if meter.conflict() {
        ui.colored_label(
            ui.visuals().error_fg_color,
            tr.f(Msg::ConflictBeforeSending, &[&conflict_text(tr, meter), &target]),
        );
    } else if let Some(moved) = &meter.moved {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr.f(Msg::MovedBeforeSending, &[&moved.ip.to_string(), &target]),
        );
    }
}

fn conflict_text(tr: Tr, meter: &MeterRow) -> String {
    let addresses: Vec<String> = meter.addresses().iter().map(ToString::to_string).collect();
    tr.f(
        Msg::IdConflict,
        &[
            &meter.device_id.map(|id| id.to_string()).unwrap_or_default(),
            &addresses.join(", "),
        ],
    )
}
