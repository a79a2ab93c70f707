//! A white picture to draw lines, shapes and text on (tiny-skia for the
//! anti-aliased shapes, ab_glyph with the window's own Ubuntu font for the
//! text), saved as PNG.

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _, point};
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, PremultipliedColorU8, Stroke, Transform};

/// An opaque colour.
pub type Rgb = [u8; 3];

/// Where a text sits relative to its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The text starts at the point.
    Left,
    /// The text is centred on the point.
    Center,
    /// The text ends at the point.
    Right,
}

/// A picture being drawn.
pub struct Canvas {
    pixmap: Pixmap,
    font: FontRef<'static>,
}

impl Canvas {
    /// A white picture of `width` × `height` pixels (`None`: an impossible size).
    pub fn new(width: u32, height: u32) -> Option<Self> {
        let mut pixmap = Pixmap::new(width, height)?;
        pixmap.fill(tiny_skia::Color::WHITE);
        let font = FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).ok()?;
        Some(Self { pixmap, font })
    }

    /// Width in pixels.
    pub fn width(&self) -> f32 {
        self.pixmap.width() as f32
    }

    /// Height in pixels.
    pub fn height(&self) -> f32 {
        self.pixmap.height() as f32
    }

    fn paint(color: Rgb) -> Paint<'static> {
        let mut paint = Paint::default();
        paint.set_color_rgba8(color[0], color[1], color[2], 255);
        paint.anti_alias = true;
        paint
    }

    /// A polyline through `points` (fewer than two draw nothing).
    pub fn line(&mut self, points: &[[f32; 2]], color: Rgb, width: f32) {
        let mut pb = PathBuilder::new();
        let mut iter = points.iter().filter(|p| p[0].is_finite() && p[1].is_finite());
        let Some(first) = iter.next() else { return };
        pb.move_to(first[0], first[1]);
        for p in iter {
            pb.line_to(p[0], p[1]);
        }
        if let Some(path) = pb.finish() {
            let stroke = Stroke {
                width,
                ..Stroke::default()
            };
            self.pixmap
                .stroke_path(&path, &Self::paint(color), &stroke, Transform::identity(), None);
        }
    }

    /// A filled polygon.
    pub fn polygon(&mut self, points: &[[f32; 2]], color: Rgb) {
        let mut pb = PathBuilder::new();
        let Some(first) = points.first() else { return };
        pb.move_to(first[0], first[1]);
        for p in &points[1..] {
            pb.line_to(p[0], p[1]);
        }
        pb.close();
        if let Some(path) = pb.finish() {
            self.pixmap.fill_path(
                &path,
                &Self::paint(color),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    /// A circle's outline.
    pub fn circle(&mut self, center: [f32; 2], radius: f32, color: Rgb, width: f32) {
        if let Some(path) = PathBuilder::from_circle(center[0], center[1], radius) {
            let stroke = Stroke {
                width,
                ..Stroke::default()
            };
            self.pixmap
                .stroke_path(&path, &Self::paint(color), &stroke, Transform::identity(), None);
        }
    }

    /// The width of `text` at `size` pixels.
    pub fn text_width(&self, text: &str, size: f32) -> f32 {
        let font = self.font.as_scaled(PxScale::from(size));
        let mut width = 0.0;
        let mut last = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(prev) = last {
                width += font.kern(prev, id);
            }
            width += font.h_advance(id);
            last = Some(id);
        }
        width
    }

    /// `text` at `size` pixels, vertically centred on `at`.
    pub fn text(&mut self, at: [f32; 2], text: &str, size: f32, color: Rgb, align: Align) {
        let scaled = self.font.as_scaled(PxScale::from(size));
        let width = self.text_width(text, size);
        let mut x = match align {
            Align::Left => at[0],
            Align::Center => at[0] - width / 2.0,
            Align::Right => at[0] - width,
        };
        let baseline = at[1] + (scaled.ascent() + scaled.descent()) / 2.0;
        let (w, h) = (self.pixmap.width(), self.pixmap.height());
        let pixels = self.pixmap.pixels_mut();
        let mut last = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(prev) = last {
                x += scaled.kern(prev, id);
            }
            let glyph = id.with_scale_and_position(size, point(x, baseline));
            x += scaled.h_advance(id);
            last = Some(id);
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i64 + i64::from(gx);
                let py = bounds.min.y as i64 + i64::from(gy);
                if px < 0 || py < 0 || px >= i64::from(w) || py >= i64::from(h) {
                    return;
                }
                let pixel = &mut pixels[(py as usize) * (w as usize) + px as usize];
                *pixel = blend(*pixel, color, coverage.clamp(0.0, 1.0));
            });
        }
    }

    /// The picture as a PNG file's bytes (8-bit RGBA).
    pub fn png(&self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.pixmap.width(), self.pixmap.height());
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        // Every pixel is opaque, so premultiplied and straight RGBA are the same bytes.
        writer
            .write_image_data(self.pixmap.data())
            .map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
        Ok(out)
    }
}

/// `color` over the opaque `under` with `coverage`.
fn blend(under: PremultipliedColorU8, color: Rgb, coverage: f32) -> PremultipliedColorU8 {
    let mix = |a: u8, b: u8| (f32::from(a) * (1.0 - coverage) + f32::from(b) * coverage).round() as u8;
    PremultipliedColorU8::from_rgba(
        mix(under.red(), color[0]),
        mix(under.green(), color[1]),
        mix(under.blue(), color[2]),
        255,
    )
    .unwrap_or(under)
}
