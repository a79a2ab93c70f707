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
    let dial = Dial::new(ui, &set, size);
    dial.painter
        .circle_stroke(dial.center, dial.radius * 0.5, Stroke::new(0.5, dial.grid));
    for deg in (0..360).step_by(30) {
        let r = f64::from(deg).to_radians();
        let dir = vec2(r.cos() as f32, -(r.sin() as f32));
        dial.painter.line_segment(
            [dial.center, dial.center + dir * dial.radius],
            Stroke::new(0.5, dial.grid),
        );
    }
    for (k, name) in PHASES.iter().enumerate() {
        let current_color = PHASE_COLORS[k].gamma_multiply(0.8);
        dial.phase(&set, k, [PHASE_COLORS[k], current_color], [2.5, 1.5], name);
    }
    if !set.voltage_angles_measured {
        ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::PhasorNominal));
    }
    egui::Grid::new("phasor_angles")
        .num_columns(4)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            ui.weak("");
            for (k, p) in PHASES.iter().enumerate() {
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
    let dial = Dial::new(ui, &set, size);
    for (k, color) in PHASE_COLORS.iter().take(3).enumerate() {
        let faint = color.gamma_multiply(0.3);
        dial.phase(expected, k, [faint, faint], [5.0, 5.0], "");
    }
    for (k, name) in PHASES.iter().enumerate() {
        let color = PHASE_COLORS[k];
        dial.phase(&set, k, [color, color], [2.5, 1.5], name);
    }
    ui.weak(tr.t(Msg::PhasorLegend));
}

/// Phase names, in register order.
const PHASES: [&str; 3] = ["A", "B", "C"];

/// The square a diagram is drawn in: its outer ring, and the scale that
/// puts the largest voltage on the ring and the largest current at 65 %.
struct Dial {
    painter: egui::Painter,
    center: Pos2,
    radius: f32,
    grid: Color32,
    text_color: Color32,
    vmax: f64,
    imax: f64,
}

impl Dial {
    /// Allocate a `size`-point square and draw the outer ring, scaled for `set`.
    fn new(ui: &mut egui::Ui, set: &PhasorSet, size: f32) -> Self {
        let (rect, _) = ui.allocate_exact_size(vec2(size, size), egui::Sense::hover());
        let dial = Self {
            painter: ui.painter_at(rect),
            center: rect.center(),
            radius: size * 0.42,
            grid: ui.visuals().weak_text_color().gamma_multiply(0.5),
            text_color: ui.visuals().text_color(),
            vmax: set.voltage.iter().map(|p| p.magnitude).fold(0.0, f64::max),
            imax: set.current.iter().map(|p| p.magnitude).fold(0.0, f64::max),
        };
        dial.painter
            .circle_stroke(dial.center, dial.radius, Stroke::new(1.0, dial.grid));
        dial
    }

    /// Draw phase `k`'s voltage and current arrows of `set` with the given
    /// `[voltage, current]` colours and widths, labelled `V{name}`/`I{name}`
    /// (no labels when `name` is empty).
    fn phase(&self, set: &PhasorSet, k: usize, colors: [Color32; 2], widths: [f32; 2], name: &str) {
        let labels = if name.is_empty() {
            [String::new(), String::new()]
        } else {
            [format!("V{name}"), format!("I{name}")]
        };
        self.arrow(
            set.voltage[k],
            self.vmax,
            self.radius,
            colors[0],
            widths[0],
            &labels[0],
        );
        self.arrow(
            set.current[k],
            self.imax,
            self.radius * 0.65,
            colors[1],
            widths[1],
            &labels[1],
        );
    }

    /// One arrow from the centre, `p` scaled so that `max` reaches `radius`.
    fn arrow(&self, p: Phasor, max: f64, radius: f32, color: Color32, width: f32, label: &str) {
        if max <= 0.0 || p.magnitude <= 0.0 {
            return;
        }
        let (x, y) = p.xy();
        let scale = radius / max as f32;
        let center = self.center;
        let tip = center + vec2(x as f32 * scale, -(y as f32) * scale);
        let dir = (tip - center).normalized();
        self.painter
            .line_segment([center, tip], Stroke::new(width, color));
        let side = vec2(-dir.y, dir.x);
        let head = [tip, tip - dir * 9.0 + side * 4.0, tip - dir * 9.0 - side * 4.0];
        self.painter
            .add(egui::Shape::convex_polygon(head.to_vec(), color, Stroke::NONE));
        self.painter.text(
            tip + dir * 10.0,
            egui::Align2::CENTER_CENTER,
            label,
            egui::FontId::proportional(13.0),
            if width > 2.0 { self.text_color } else { color },
        );
    }
}
