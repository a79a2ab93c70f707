//! The display list painted with krilla: A4 pages, the two fonts embedded
//! (subset), PDF/A-2u with the title, language and creation date in the
//! metadata.

use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::{SerializeSettings, text::Font};

use super::fonts::Face;
use super::layout::{Op, PAGE_H, PAGE_W, Page, Rgb};
use super::{Document, RenderError};

/// Paint `pages` into a PDF.
pub fn draw(doc: &Document, pages: &[Page]) -> Result<Vec<u8>, RenderError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_U)
        .finish()
        .map_err(|e| RenderError(format!("{e:?}")))?;
    let mut document = krilla::Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    document.set_metadata(metadata(doc));
    let fonts = [Face::Regular, Face::Bold].map(|f| f.krilla());
    let [Some(regular), Some(bold)] = fonts else {
        return Err(RenderError("the embedded fonts do not load".into()));
    };
    let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| RenderError("page size".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(size.clone());
        let mut surface = page.surface();
        for op in ops {
            paint(&mut surface, op, &regular, &bold);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| RenderError(format!("{e:?}")))
}

fn metadata(doc: &Document) -> Metadata {
    use chrono::{Datelike as _, Timelike as _};
    let now = chrono::Utc::now();
    let date = DateTime::new(u16::try_from(now.year()).unwrap_or(2000))
        .month(now.month() as u8)
        .day(now.day() as u8)
        .hour(now.hour() as u8)
        .minute(now.minute() as u8)
        .second(now.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    Metadata::new()
        .title(doc.title.clone())
        .language(if doc.language.is_empty() {
            "en".into()
        } else {
            doc.language.clone()
        })
        .creator(format!("je08 {}", env!("CARGO_PKG_VERSION")))
        .producer("je08 (krilla)".into())
        .creation_date(date)
}

fn color(c: Rgb) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

fn paint(surface: &mut Surface<'_>, op: &Op, regular: &Font, bold: &Font) {
    match op {
        Op::Text {
            x,
            y,
            face,
            size,
            color: c,
            text,
        } => {
            let font = match face {
                Face::Regular => regular,
                Face::Bold => bold,
            };
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: color(*c),
                opacity: NormalizedF32::ONE,
                rule: FillRule::NonZero,
            }));
            let glyphs = face.glyphs(text);
            surface.draw_glyphs(Point::from_xy(*x, *y), &glyphs, font.clone(), text, *size, false);
        }
        Op::Stroke {
            points,
            closed,
            width,
            color: c,
        } => {
            let Some(path) = path(points, *closed) else {
                return;
            };
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: color(*c),
                width: *width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
        Op::Fill { points, color: c } => {
            let Some(path) = path(points, true) else {
                return;
            };
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: color(*c),
                opacity: NormalizedF32::ONE,
                rule: FillRule::NonZero,
            }));
            surface.draw_path(&path);
        }
    }
}

fn path(points: &[(f32, f32)], closed: bool) -> Option<krilla::geom::Path> {
    let (first, rest) = points.split_first()?;
    let mut builder = PathBuilder::new();
    builder.move_to(first.0, first.1);
    for p in rest {
        builder.line_to(p.0, p.1);
    }
    if closed {
        builder.close();
    }
    builder.finish()
}
