//! The phasor diagram as vectors: a ring with 30° spokes, the expected
//! phasors as wide faint bars, the measured ones as arrows in the phase
//! colours of the window (A orange, B blue, C magenta), the legend on the
//! right. Voltages reach the ring, currents 65 % of it.

use super::Phasors;
use super::fonts::Face;
use super::layout::{GREY, INK, Op, Page, Rgb, line, wrap};
use je08_protocol::analysis::phasor::{Phasor, PhasorSet};

/// Height of the block in points.
pub const HEIGHT: f32 = 200.0;
const RADIUS: f32 = 82.0;
/// The window's phase colours.
const PHASE: [Rgb; 3] = [(214, 120, 40), (60, 140, 220), (190, 60, 170)];
const NAMES: [&str; 3] = ["A", "B", "C"];

/// Draw `p` in a block at (`left`, `top`), `width` wide.
pub fn draw(page: &mut Page, left: f32, top: f32, width: f32, p: &Phasors) {
    let center = (left + RADIUS + 14.0, top + HEIGHT / 2.0);
    let grid = (200, 200, 200);
    page.push(circle(center, RADIUS, 0.8, (150, 150, 150)));
    page.push(circle(center, RADIUS * 0.5, 0.4, grid));
    for deg in (0..360).step_by(30) {
        let tip = at(center, f64::from(deg), RADIUS);
        page.push(line(center, tip, 0.4, grid));
    }
    let scale = Scale::of(&[&p.measured, &p.expected]);
    for (k, color) in PHASE.iter().enumerate() {
        let faint = blend(*color, 0.3);
        for (phasor, max, reach) in scale.both(&p.expected, k) {
            if let Some(tip) = tip(center, phasor, max, reach) {
                page.push(line(center, tip, 5.0, faint));
            }
        }
    }
    for (k, (name, color)) in NAMES.iter().zip(PHASE).enumerate() {
        let [v, i] = scale.both(&p.measured, k);
        arrow(page, center, v, (2.0, color), &format!("V{name}"));
        arrow(page, center, i, (1.3, color), &format!("I{name}"));
    }
    let x = left + 2.0 * RADIUS + 50.0;
    let mut y = top + 16.0;
    for (name, color) in NAMES.iter().zip(PHASE) {
        page.push(line((x, y - 3.0), (x + 18.0, y - 3.0), 2.0, color));
        page.push(Op::Text {
            x: x + 24.0,
            y,
            face: Face::Bold,
            size: 9.0,
            color: INK,
            text: format!("V{name}  I{name}"),
        });
        y += 14.0;
    }
    y += 4.0;
    for legend in &p.legend {
        for l in wrap(Face::Regular, 8.5, legend, width - (x - left)) {
            page.push(Op::Text {
                x,
                y,
                face: Face::Regular,
                size: 8.5,
                color: GREY,
                text: l,
            });
            y += 11.5;
        }
        y += 3.0;
    }
}

/// The largest voltage and current of the sets drawn, so that measured and
/// expected share one scale.
struct Scale {
    vmax: f64,
    imax: f64,
}

impl Scale {
    fn of(sets: &[&PhasorSet]) -> Self {
        let max = |f: fn(&PhasorSet) -> [Phasor; 3]| {
            sets.iter()
                .flat_map(|s| f(s))
                .map(|p| p.magnitude)
                .fold(0.0, f64::max)
        };
        Self {
            vmax: max(|s| s.voltage),
            imax: max(|s| s.current),
        }
    }

    /// Phase `k`'s voltage and current with their scale and reach.
    fn both(&self, set: &PhasorSet, k: usize) -> [(Phasor, f64, f32); 2] {
        [
            (set.voltage[k], self.vmax, RADIUS),
            (set.current[k], self.imax, RADIUS * 0.65),
        ]
    }
}

fn at(center: (f32, f32), angle_deg: f64, length: f32) -> (f32, f32) {
    let r = angle_deg.to_radians();
    (
        center.0 + length * r.cos() as f32,
        center.1 - length * r.sin() as f32,
    )
}

fn tip(center: (f32, f32), p: Phasor, max: f64, reach: f32) -> Option<(f32, f32)> {
    (max > 0.0 && p.magnitude > 0.0).then(|| at(center, p.angle_deg, reach * (p.magnitude / max) as f32))
}

/// An arrow from `center` for `(phasor, max, reach)` in `(width, colour)`,
/// labelled at its tip.
fn arrow(
    page: &mut Page,
    center: (f32, f32),
    (p, max, reach): (Phasor, f64, f32),
    (width, color): (f32, Rgb),
    label: &str,
) {
    let Some(tip) = tip(center, p, max, reach) else {
        return;
    };
    let (dx, dy) = (tip.0 - center.0, tip.1 - center.1);
    let length = (dx * dx + dy * dy).sqrt();
    if length < 1.0 {
        return;
    }
    let (ux, uy) = (dx / length, dy / length);
    let head = 7.0_f32.min(length * 0.5);
    let base = (tip.0 - ux * head, tip.1 - uy * head);
    page.push(line(center, base, width, color));
    page.push(Op::Fill {
        points: vec![
            tip,
            (base.0 - uy * head * 0.45, base.1 + ux * head * 0.45),
            (base.0 + uy * head * 0.45, base.1 - ux * head * 0.45),
        ],
        color,
    });
    let size = 8.0;
    let w = Face::Bold.width(label, size);
    page.push(Op::Text {
        x: tip.0 + ux * 9.0 - w / 2.0,
        y: tip.1 + uy * 9.0 + size * 0.35,
        face: Face::Bold,
        size,
        color,
        text: label.to_owned(),
    });
}

fn circle(center: (f32, f32), radius: f32, width: f32, color: Rgb) -> Op {
    Op::Stroke {
        points: (0..96).map(|i| at(center, f64::from(i) * 3.75, radius)).collect(),
        closed: true,
        width,
        color,
    }
}

/// `c` mixed with white, `amount` of the colour kept.
fn blend(c: Rgb, amount: f32) -> Rgb {
    let mix = |x: u8| (255.0 - (255.0 - f32::from(x)) * amount).round() as u8;
    (mix(c.0), mix(c.1), mix(c.2))
}
