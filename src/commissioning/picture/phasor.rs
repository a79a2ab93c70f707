//! The phasor diagram as a picture, drawn as the window draws it: voltages
//! on the outer ring, currents scaled to the largest current at 65 %, the
//! angles of each phase underneath.

use super::PHASE_RGB;
use super::canvas::{Align, Canvas, Rgb};
use je08_protocol::analysis::phasor::{self, Phasor};
use je08_protocol::readings::Measurements;

const GRID: Rgb = [200, 200, 200];
const TEXT: Rgb = [30, 30, 30];
/// Height of the angle table under the dial.
const TABLE: f32 = 72.0;

/// Draw the phasors of `m` on a picture `size` wide (and `size` plus the
/// angle table high), titled `title`; `rows` names the table's two rows
/// (voltage angle, current angle). `None`: too small.
pub fn render(m: &Measurements, size: u32, title: &str, rows: [&str; 2]) -> Option<Canvas> {
    if size < 120 {
        return None;
    }
    let mut c = Canvas::new(size, size + TABLE as u32)?;
    let set = phasor::phasors(m);
    let s = size as f32;
    let center = [s / 2.0, s / 2.0 + 10.0];
    let radius = s * 0.40;
    c.circle(center, radius, GRID, 1.0);
    c.circle(center, radius * 0.5, GRID, 0.5);
    for deg in (0..360).step_by(30) {
        let r = f64::from(deg).to_radians();
        let tip = [
            center[0] + radius * r.cos() as f32,
            center[1] - radius * r.sin() as f32,
        ];
        c.line(&[center, tip], GRID, 0.5);
    }
    let vmax = set.voltage.iter().map(|p| p.magnitude).fold(0.0, f64::max);
    let imax = set.current.iter().map(|p| p.magnitude).fold(0.0, f64::max);
    for (k, name) in ["A", "B", "C"].iter().enumerate() {
        let color = PHASE_RGB[k];
        let faded = color.map(|v| ((u16::from(v) * 4 + 255) / 5) as u8);
        arrow(
            &mut c,
            center,
            (set.voltage[k], vmax, radius),
            (color, 2.5),
            &format!("V{name}"),
        );
        arrow(
            &mut c,
            center,
            (set.current[k], imax, radius * 0.65),
            (faded, 1.5),
            &format!("I{name}"),
        );
    }
    c.text([s / 2.0, 14.0], title, 15.0, TEXT, Align::Center);
    let y0 = s + 14.0;
    for (r, label) in rows.iter().enumerate() {
        let y = y0 + 22.0 * r as f32;
        c.text([12.0, y], label, 13.0, TEXT, Align::Left);
        let list = if r == 0 { &set.voltage } else { &set.current };
        for (k, p) in list.iter().enumerate() {
            let x = s * (0.55 + 0.15 * k as f32);
            c.text(
                [x, y],
                &format!("{:.1}°", p.angle_deg),
                13.0,
                PHASE_RGB[k],
                Align::Right,
            );
        }
    }
    Some(c)
}

/// One arrow from `center` in `color` and `width`, `p` scaled so that
/// `max` reaches `radius`.
fn arrow(
    c: &mut Canvas,
    center: [f32; 2],
    (p, max, radius): (Phasor, f64, f32),
    (color, width): (Rgb, f32),
    label: &str,
) {
    if max <= 0.0 || p.magnitude <= 0.0 {
        return;
    }
    let (x, y) = p.xy();
    let scale = radius / max as f32;
    let tip = [center[0] + x as f32 * scale, center[1] - y as f32 * scale];
    let len = ((tip[0] - center[0]).powi(2) + (tip[1] - center[1]).powi(2)).sqrt();
    if len < 1.0 {
        return;
    }
    let dir = [(tip[0] - center[0]) / len, (tip[1] - center[1]) / len];
    let side = [-dir[1], dir[0]];
    c.line(&[center, tip], color, width);
    let back = |k: f32| {
        [
            tip[0] - dir[0] * 9.0 + side[0] * k,
            tip[1] - dir[1] * 9.0 + side[1] * k,
        ]
    };
    c.polygon(&[tip, back(4.0), back(-4.0)], color);
    c.text(
        [tip[0] + dir[0] * 12.0, tip[1] + dir[1] * 12.0],
        label,
        13.0,
        TEXT,
        Align::Center,
    );
}
