//! The two embedded faces (DejaVu Sans regular and bold, cut to Latin-1
//! and a few symbols: assets/fonts/README.md): measuring text and turning
//! it into positioned glyphs. Latin text needs no shaping, so one glyph
//! per character with the font's advance is exact (kerning is not
//! applied).

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Which face a run of text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Body text.
    Regular,
    /// Titles, headings, table headers, labels.
    Bold,
}

impl Face {
    fn bytes(self) -> &'static [u8] {
        match self {
            Self::Regular => REGULAR,
            Self::Bold => BOLD,
        }
    }

    fn font_ref(self) -> Option<FontRef<'static>> {
        FontRef::new(self.bytes()).ok()
    }

    /// The face as krilla embeds it (subset to the glyphs used).
    pub fn krilla(self) -> Option<Font> {
        Font::new(self.bytes().into(), 0)
    }

    /// Width of `text` at `size` points.
    pub fn width(self, text: &str, size: f32) -> f32 {
        let Some(font) = self.font_ref() else {
            return 0.0;
        };
        let upem = units_per_em(&font);
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(0.0)
            })
            .sum::<f32>()
            * size
            / upem
    }

    /// `text` with every character the face lacks replaced by `?`, so
    /// that every glyph drawn maps back to the character shown.
    pub fn printable(self, text: &str) -> String {
        let Some(font) = self.font_ref() else {
            return String::new();
        };
        let charmap = font.charmap();
        text.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if charmap.map(c).is_some() => c,
                _ => '?',
            })
            .collect()
    }

    /// One glyph per character of `text` (already [`Face::printable`]),
    /// advances in ems.
    pub fn glyphs(self, text: &str) -> Vec<KrillaGlyph> {
        let Some(font) = self.font_ref() else {
            return Vec::new();
        };
        let upem = units_per_em(&font);
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        text.char_indices()
            .filter_map(|(at, c)| {
                let glyph = charmap.map(c)?;
                let advance = metrics.advance_width(glyph).unwrap_or(0.0) / upem;
                Some(KrillaGlyph::new(
                    GlyphId::new(glyph.to_u32()),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    at..at + c.len_utf8(),
                    None,
                ))
            })
            .collect()
    }
}

fn units_per_em(font: &FontRef<'_>) -> f32 {
    f32::from(
        font.metrics(Size::unscaled(), LocationRef::default())
            .units_per_em
            .max(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_load_and_cover_portuguese() {
        for face in [Face::Regular, Face::Bold] {
            assert!(face.krilla().is_some());
            let text = "Relação técnica: ação, não, põe, à, ç, ü, é, °, Ω, φ, –, “”, …";
            assert_eq!(face.printable(text), text);
            assert_eq!(face.glyphs(text).len(), text.chars().count());
        }
    }

    #[test]
    fn missing_characters_become_question_marks_and_widths_grow() {
        assert_eq!(Face::Regular.printable("a你b"), "a?b");
        let one = Face::Regular.width("m", 10.0);
        assert!(one > 5.0 && one < 12.0, "{one}");
        assert!(Face::Bold.width("mm", 10.0) > Face::Regular.width("mm", 10.0));
    }
}
