//! A trend plot as a picture: the same series the window's plot draws
//! (time in seconds before the right edge, one line per phase or total),
//! with a grid, tick values, axis names, a legend and a title.

use super::canvas::{Align, Canvas, Rgb};

/// One line of the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Line colour.
    pub color: Rgb,
    /// Points `[x, y]`, x in seconds (the right edge is 0).
    pub points: Vec<[f64; 2]>,
}

/// What the picture shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// Above the plot (quantity, meter).
    pub title: String,
    /// Under the x axis.
    pub x_label: String,
    /// Beside the y axis (the unit).
    pub y_label: String,
    /// The visible x range, left to right.
    pub x_range: [f64; 2],
    /// The lines.
    pub series: Vec<Series>,
}

const GRID: Rgb = [225, 225, 225];
const AXIS: Rgb = [90, 90, 90];
const TEXT: Rgb = [30, 30, 30];
const MARGIN: [f32; 4] = [72.0, 20.0, 44.0, 52.0]; // left, right, top, bottom

/// Draw `trend` on a `width` × `height` picture (`None`: too small).
pub fn render(trend: &Trend, width: u32, height: u32) -> Option<Canvas> {
    let mut c = Canvas::new(width, height)?;
    let (left, right) = (MARGIN[0], c.width() - MARGIN[1]);
    let (top, bottom) = (MARGIN[2], c.height() - MARGIN[3]);
    if right - left < 40.0 || bottom - top < 40.0 {
        return None;
    }
    let [x0, x1] = trend.x_range;
    let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
    let [y0, y1] = y_range(trend);
    let sx = |x: f64| left + ((x - x0) / (x1 - x0)) as f32 * (right - left);
    let sy = |y: f64| bottom - ((y - y0) / (y1 - y0)) as f32 * (bottom - top);

    for y in ticks(y0, y1) {
        c.line(&[[left, sy(y)], [right, sy(y)]], GRID, 1.0);
        c.text(
            [left - 6.0, sy(y)],
            &tick_text(y, y1 - y0),
            13.0,
            TEXT,
            Align::Right,
        );
    }
    for x in ticks(x0, x1) {
        c.line(&[[sx(x), top], [sx(x), bottom]], GRID, 1.0);
        c.text(
            [sx(x), bottom + 14.0],
            &tick_text(x, x1 - x0),
            13.0,
            TEXT,
            Align::Center,
        );
    }
    c.line(&[[left, top], [left, bottom], [right, bottom]], AXIS, 1.0);
    for s in &trend.series {
        let pts: Vec<[f32; 2]> = s
            .points
            .iter()
            .filter(|p| p[0] >= x0 && p[0] <= x1 && p[1].is_finite())
            .map(|p| [sx(p[0]), sy(p[1])])
            .collect();
        c.line(&pts, s.color, 2.0);
    }
    let mut lx = left + 10.0;
    for s in &trend.series {
        c.line(&[[lx, top + 12.0], [lx + 18.0, top + 12.0]], s.color, 3.0);
        c.text([lx + 24.0, top + 12.0], &s.name, 13.0, TEXT, Align::Left);
        lx += 34.0 + c.text_width(&s.name, 13.0);
    }
    c.text([c.width() / 2.0, 20.0], &trend.title, 16.0, TEXT, Align::Center);
    c.text(
        [(left + right) / 2.0, c.height() - 14.0],
        &trend.x_label,
        13.0,
        TEXT,
        Align::Center,
    );
    c.text([8.0, top - 14.0], &trend.y_label, 13.0, TEXT, Align::Left);
    Some(c)
}

/// The y range: the data's, padded by 5 % (at least ±1 around a flat line).
fn y_range(trend: &Trend) -> [f64; 2] {
    let ys = trend
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p[1]))
        .filter(|y| y.is_finite());
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    if !lo.is_finite() {
        return [0.0, 1.0];
    }
    let pad = ((hi - lo) * 0.05).max(if hi > lo { 0.0 } else { 1.0 });
    [lo - pad, hi + pad]
}

/// Round values between `lo` and `hi`, about five of them.
pub fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let raw = span / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let mut out = Vec::new();
    let mut v = (lo / step).ceil() * step;
    while v <= hi + step * 1e-9 && out.len() < 50 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}

/// A tick value with as many decimals as a range of `span` needs.
fn tick_text(v: f64, span: f64) -> String {
    let decimals = if span >= 50.0 {
        0
    } else if span >= 5.0 {
        1
    } else if span >= 0.5 {
        2
    } else {
        3
    };
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(ticks(-60.0, 0.0), vec![-60.0, -40.0, -20.0, 0.0]);
        let t = ticks(218.3, 221.7);
        assert!(t.iter().all(|v| (218.3..=221.7).contains(v)), "{t:?}");
        assert!(t.len() >= 3 && t.len() <= 11, "{t:?}");
        assert!(ticks(1.0, 1.0).is_empty());
    }
}
