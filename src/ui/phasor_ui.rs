//! The phasor diagram: voltages on the outer ring, currents scaled to the
//! largest current, angles from [`je08_protocol::analysis::phasor`].

use eframe::egui::{self, Color32, Pos2, Stroke, vec2};

use super::widgets::PHASE_COLORS;
use crate::i18n::{Msg, Tr};
use je08_protocol::analysis::phasor::{self, Phasor, PhasorSet};
use je08_protocol::readings::Measurements;

/// Draw the diagram in a `size`-point square, with the angle table below.
pub fn phasor_ui(ui: &mut egui::Ui, tr: Tr, m: &Measurements, size: f32) {
    let set = phasor::phasors(m);
    let (rect, _) = ui.allocate_exact_size(vec2(size, size), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let center = rect.center();
    let radius = size * 0.42;
    let grid = ui.visuals().weak_text_color().gamma_multiply(0.5);
    painter.circle_stroke(center, radius, Stroke::new(1.0, grid));
    painter.circle_stroke(center, radius * 0.5, Stroke::new(0.5, grid));
    for deg in (0..360).step_by(30) {
        let r = f64::from(deg).to_radians();
        let dir = vec2(r.cos() as f32, -(r.sin() as f32));
        painter.line_segment([center, center + dir * radius], Stroke::new(0.5, grid));
    }
    let vmax = set.voltage.iter().map(|p| p.magnitude).fold(0.0, f64::max);
    let imax = set.current.iter().map(|p| p.magnitude).fold(0.0, f64::max);
    let text_color = ui.visuals().text_color();
    for (k, name) in ["A", "B", "C"].iter().enumerate() {
        arrow(
            &painter,
            center,
            set.voltage[k],
            vmax,
            radius,
            PHASE_COLORS[k],
            2.5,
            &format!("V{name}"),
            text_color,
        );
        arrow(
            &painter,
            center,
            set.current[k],
            imax,
            radius * 0.65,
            PHASE_COLORS[k].gamma_multiply(0.8),
            1.5,
            &format!("I{name}"),
            text_color,
        );
    }
    if !set.voltage_angles_measured {
        ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::PhasorNominal));
    }
    egui::Grid::new("phasor_angles")
        .num_columns(4)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            ui.weak("");
            for (k, p) in ["A", "B", "C"].iter().enumerate() {
                ui.colored_label(PHASE_COLORS[k], *p);
            }
            ui.end_row();
            ui.weak(tr.t(Msg::VoltageAngle));
            for p in set.voltage {
                ui.monospace(format!("{:>7.1}°", p.angle_deg));
            }
            ui.end_row();
            ui.weak(tr.t(Msg::CurrentAngle));
            for p in set.current {
                ui.monospace(format!("{:>7.1}°", p.angle_deg));
            }
            ui.end_row();
        });
}

/// Draw the measured phasors (solid) over those a correct wiring would
/// give (`expected`, faint), in a `size`-point square.
pub fn phasor_compare_ui(ui: &mut egui::Ui, tr: Tr, m: &Measurements, expected: &PhasorSet, size: f32) {
    let set = phasor::phasors(m);
    let (rect, _) = ui.allocate_exact_size(vec2(size, size), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let center = rect.center();
    let radius = size * 0.42;
    let grid = ui.visuals().weak_text_color().gamma_multiply(0.5);
    painter.circle_stroke(center, radius, Stroke::new(1.0, grid));
    let vmax = set.voltage.iter().map(|p| p.magnitude).fold(0.0, f64::max);
    let imax = set.current.iter().map(|p| p.magnitude).fold(0.0, f64::max);
    let text_color = ui.visuals().text_color();
    for (k, color) in PHASE_COLORS.iter().take(3).enumerate() {
        let faint = color.gamma_multiply(0.3);
        arrow(
            &painter,
            center,
            expected.voltage[k],
            vmax,
            radius,
            faint,
            5.0,
            "",
            text_color,
        );
        arrow(
            &painter,
            center,
            expected.current[k],
            imax,
            radius * 0.65,
            faint,
            5.0,
            "",
            text_color,
        );
    }
    for (k, name) in ["A", "B", "C"].iter().enumerate() {
        let color = PHASE_COLORS[k];
        arrow(
            &painter,
            center,
            set.voltage[k],
            vmax,
            radius,
            color,
            2.5,
            &format!("V{name}"),
            text_color,
        );
        arrow(
            &painter,
            center,
            set.current[k],
            imax,
            radius * 0.65,
            color,
            1.5,
            &format!("I{name}"),
            text_color,
        );
    }
    ui.weak(tr.t(Msg::PhasorLegend));
}

#[allow(clippy::too_many_arguments)]
fn arrow(
    painter: &egui::Painter,
    center: Pos2,
    p: Phasor,
    max: f64,
    radius: f32,
    color: Color32,
    width: f32,
    label: &str,
    text_color: Color32,
) {
    if max <= 0.0 || p.magnitude <= 0.0 {
        return;
    }
    let (x, y) = p.xy();
    let scale = radius / max as f32;
    let tip = center + vec2(x as f32 * scale, -(y as f32) * scale);
    let dir = (tip - center).normalized();
    painter.line_segment([center, tip], Stroke::new(width, color));
    let side = vec2(-dir.y, dir.x);
    let head = [tip, tip - dir * 9.0 + side * 4.0, tip - dir * 9.0 - side * 4.0];
    painter.add(egui::Shape::convex_polygon(head.to_vec(), color, Stroke::NONE));
    painter.text(
        tip + dir * 10.0,
        egui::Align2::CENTER_CENTER,
        label,
        egui::FontId::proportional(13.0),
        if width > 2.0 { text_color } else { color },
    );
}
