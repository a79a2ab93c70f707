//! Small shared widgets: big readable values, the status LED, state badges.

use std::time::{Duration, SystemTime};

use eframe::egui::{self, Color32, RichText};

use crate::backend::LinkState;
use crate::backend::exports::SaveFailure;
use crate::commissioning::export::Format;
use crate::commissioning::picture::PHASE_RGB;
use crate::i18n::{Describe, Msg, Tr};
use crate::state::led::{self, LedPattern};
use crate::state::model::MeterRow;
use je08_protocol::mode::Mode;

/// Colours for phases A, B, C and the total (IEC-like: brown, black/grey, grey-blue).
pub const PHASE_COLORS: [Color32; 4] = [rgb(0), rgb(1), rgb(2), rgb(3)];

/// Colour `k` of [`PHASE_RGB`] (shared with the saved pictures).
const fn rgb(k: usize) -> Color32 {
    let [r, g, b] = PHASE_RGB[k];
    Color32::from_rgb(r, g, b)
}

/// Colour of a confirmed, good outcome.
pub const OK_COLOR: Color32 = Color32::from_rgb(60, 170, 90);

/// A large monospace number with its unit, right-aligned in its cell.
pub fn big_value_ui(ui: &mut egui::Ui, text: &str, unit: &str, size: f32) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(text).monospace().size(size).strong());
        ui.label(RichText::new(unit).size(size * 0.55).weak());
    });
}

/// Format with a fixed number of decimals, or an em dash for a missing value.
pub fn fmt(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "—".to_string(),
    }
}

/// Why a meter's Modbus session is offline, as the window says it.
pub enum Offline {
    /// The meter is in configuration or update mode, where Modbus is off by
    /// design: live readings pause (not an alarm).
    Paused(String),
    /// The session failed: the failure with its advice (an alarm).
    Failed(String),
}

/// Why `meter`'s Modbus session is offline, if it is: the mode the window
/// knows comes first, since the link's advice (address, port 502, Modbus
/// enabled) would be wrong for a meter in configuration or update mode.
pub fn offline(tr: Tr, meter: &MeterRow) -> Option<Offline> {
    let LinkState::Offline(why) = &meter.link else {
        return None;
    };
    Some(match meter.mode() {
        Some(mode @ (Mode::Configuration | Mode::Update)) => {
            Offline::Paused(tr.f(Msg::ReadingsPausedInMode, &[&mode.describe(tr)]))
        }
        _ => Offline::Failed(why.describe(tr)),
    })
}

/// The coloured badge for a meter's connection state: a dot and a word,
/// with why it is offline on hover.
pub fn link_badge_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow) {
    let (color, text) = match &meter.link {
        LinkState::Online => (OK_COLOR, tr.t(Msg::Online)),
        LinkState::Connecting => (Color32::from_rgb(200, 160, 40), tr.t(Msg::Connecting)),
        LinkState::Offline(_) => (Color32::from_rgb(220, 80, 70), tr.t(Msg::Offline)),
    };
    let response = ui
        .horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), 4.5, color);
            ui.label(RichText::new(text).color(color).strong());
        })
        .response;
    if let Some(Offline::Paused(why) | Offline::Failed(why)) = offline(tr, meter) {
        response.on_hover_text(why);
    }
}

/// A round LED mirroring the meter's status LED. Schedules one repaint at
/// the next on/off change, so it only costs frames while it is visible.
pub fn led_ui(ui: &mut egui::Ui, pattern: LedPattern, hover: &str) {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
    let t = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let (lit, until) = led::state_at(pattern, t);
    let color = match (pattern, lit) {
        (LedPattern::Unknown, _) => Color32::from_gray(90),
        (_, true) => Color32::from_rgb(70, 140, 255),
        (_, false) => Color32::from_rgb(25, 35, 60),
    };
    let painter = ui.painter();
    painter.circle_filled(rect.center(), 6.0, color);
    painter.circle_stroke(
        rect.center(),
        6.0,
        egui::Stroke::new(1.0, Color32::from_gray(140)),
    );
    if until.is_finite() && ui.is_rect_visible(rect) {
        ui.ctx()
            .request_repaint_after(Duration::from_secs_f64(until + 0.005));
    }
    response.on_hover_text(hover);
}

/// "12 s ago" / "3 min ago" for `when`; schedules a 1 Hz repaint while shown
/// and younger than a minute (coarser after that).
pub fn age_ui(ui: &mut egui::Ui, tr: Tr, when: Option<SystemTime>) {
    let Some(when) = when else {
        ui.weak(tr.t(Msg::Never));
        return;
    };
    let age = SystemTime::now()
        .duration_since(when)
        .unwrap_or_default()
        .as_secs();
    let text = if age < 60 {
        tr.f(Msg::SecondsAgo, &[&age.to_string()])
    } else if age < 3600 {
        tr.f(Msg::MinutesAgo, &[&(age / 60).to_string()])
    } else {
        tr.f(Msg::HoursAgo, &[&(age / 3600).to_string()])
    };
    ui.label(text);
    let next = if age < 60 { 1 } else { 60 - age % 60 };
    ui.ctx().request_repaint_after(Duration::from_secs(next));
}

/// A sentence in a table cell, wrapped at `width`: a grid cell only offers
/// the width its column had last frame, which would otherwise wrap a
/// sentence one word per line.
pub fn wrapped_cell_ui(ui: &mut egui::Ui, width: f32, text: &str) -> egui::Response {
    ui.scope(|ui| {
        ui.set_width(width);
        ui.add(egui::Label::new(text).wrap())
    })
    .inner
}

/// The export format chooser (remembered in the preferences) next to an export button.
pub fn format_combo(ui: &mut egui::Ui, tr: Tr, id: &str, format: &mut Format) {
    egui::ComboBox::new(("export-format", id), tr.t(Msg::ExportFormat))
        .selected_text(format.label(tr))
        .show_ui(ui, |ui| {
            for f in Format::ALL {
                ui.selectable_value(format, f, f.label(tr));
            }
        });
}

/// Where the last export of one button went, or why it failed.
pub fn saved_ui(ui: &mut egui::Ui, tr: Tr, saved: Option<&Result<std::path::PathBuf, SaveFailure>>) {
    match saved {
        Some(Ok(path)) => {
            ui.weak(tr.f(Msg::SavedTo, &[&path.display().to_string()]));
        }
        Some(Err(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, why.describe(tr));
        }
        None => {}
    }
}
