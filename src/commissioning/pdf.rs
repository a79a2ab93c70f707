//! A small document model rendered to PDF with the built-in base fonts
//! (Helvetica for text, Courier for tables) in WinAnsi encoding, so that no
//! font file is shipped and Portuguese accents print correctly.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// One block of a document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Large bold line.
    Title(String),
    /// Bold section heading.
    Heading(String),
    /// A paragraph, wrapped to the page width.
    Text(String),
    /// `label: value` lines.
    Fields(Vec<(String, String)>),
    /// A table in a fixed-width font; columns sized to their widest cell.
    Table {
        /// Column headings.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// Start a new page.
    PageBreak,
}

/// A document: a title (also the PDF metadata title), its page footer and
/// its blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// PDF metadata title.
    pub title: String,
    /// The footer after the title, in the document's language: `{0}` is the
    /// page number and `{1}` the page count (`page {0} of {1}`).
    pub page_of: String,
    /// Content.
    pub blocks: Vec<Block>,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BODY: f32 = 10.0;
const MONO: f32 = 8.5;
/// Courier advances 0.6 em per character.
const MONO_ADVANCE: f32 = 0.6;

/// Encode `text` in WinAnsi (Windows-1252); unmappable characters become `?`.
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            _ => b'?',
        })
        .collect()
}

/// Wrap `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

#[derive(Clone, Copy)]
enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Self::Regular => Name(b"F1"),
            Self::Bold => Name(b"F2"),
            Self::Mono => Name(b"F3"),
        }
    }
}

/// Lays lines out on pages.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        let mut layout = Self {
            pages: Vec::new(),
            y: 0.0,
        };
        layout.new_page();
        layout
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
    }

    fn line(&mut self, font: Font, size: f32, x: f32, text: &str) {
        let height = size * 1.35;
        if self.y - height < MARGIN {
            self.new_page();
        }
        self.y -= height;
        let y = self.y;
        if let Some(page) = self.pages.last_mut() {
            page.begin_text();
            page.set_font(font.name(), size);
            page.next_line(x, y);
            page.show(Str(&win_ansi(text)));
            page.end_text();
        }
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }
}

fn table_lines(header: &[String], rows: &[Vec<String>]) -> Vec<String> {
    let columns = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![0usize; columns];
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let fmt = |row: &[String]| {
        let cells: Vec<String> = (0..columns)
            .map(|i| {
                let cell = row.get(i).map_or("", String::as_str);
                format!("{cell:<w$}", w = widths[i])
            })
            .collect();
        cells.join("  ").trim_end().to_string()
    };
    let mut lines = vec![fmt(header)];
    lines.push(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    lines.extend(rows.iter().map(|r| fmt(r)));
    lines
}

/// Render `doc` to the bytes of a PDF file (A4, numbered pages).
pub fn render(doc: &Document) -> Vec<u8> {
    let mut layout = Layout::new();
    let text_width = ((PAGE_W - 2.0 * MARGIN) / (BODY * 0.5)) as usize;
    let mono_width = ((PAGE_W - 2.0 * MARGIN) / (MONO * MONO_ADVANCE)) as usize;
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                layout.line(Font::Bold, 16.0, MARGIN, t);
                layout.gap(6.0);
            }
            Block::Heading(t) => {
                layout.gap(6.0);
                layout.line(Font::Bold, 12.0, MARGIN, t);
                layout.gap(2.0);
            }
            Block::Text(t) => {
                for l in wrap(t, text_width) {
                    layout.line(Font::Regular, BODY, MARGIN, &l);
                }
                layout.gap(3.0);
            }
            Block::Fields(fields) => {
                let key_width = fields.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
                for (k, v) in fields {
                    let text = format!("{k:<key_width$}  {v}");
                    for l in wrap(&text, mono_width) {
                        layout.line(Font::Mono, MONO + 0.5, MARGIN, &l);
                    }
                }
                layout.gap(3.0);
            }
            Block::Table { header, rows } => {
                for l in table_lines(header, rows) {
                    let cut: String = l.chars().take(mono_width).collect();
                    layout.line(Font::Mono, MONO, MARGIN, &cut);
                }
                layout.gap(4.0);
            }
            Block::PageBreak => layout.new_page(),
        }
    }
    let count = layout.pages.len();
    for (i, page) in layout.pages.iter_mut().enumerate() {
        page.begin_text();
        page.set_font(Font::Regular.name(), 8.0);
        page.next_line(MARGIN, MARGIN / 2.0);
        let page_of = doc
            .page_of
            .replace("{0}", &(i + 1).to_string())
            .replace("{1}", &count.to_string());
        page.show(Str(&win_ansi(&format!("{} — {page_of}", doc.title))));
        page.end_text();
    }
    assemble(doc, layout.pages)
}

fn assemble(doc: &Document, pages: Vec<Content>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let fonts = [alloc(), alloc(), alloc()];
    let ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(i32::try_from(ids.len()).unwrap_or(i32::MAX));
    pdf.document_info(info)
        .title(TextStr(&doc.title))
        .producer(TextStr("je08 configurator"));
    for (font, base) in fonts
        .iter()
        .zip([&b"Helvetica"[..], b"Helvetica-Bold", b"Courier"])
    {
        pdf.type1_font(*font)
            .base_font(Name(base))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for ((page_id, content_id), content) in ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(*content_id);
        let mut resources = page.resources();
        let mut dict = resources.fonts();
        for (font, name) in fonts.iter().zip([Font::Regular, Font::Bold, Font::Mono]) {
            dict.pair(name.name(), *font);
        }
        dict.finish();
        resources.finish();
        page.finish();
        pdf.stream(*content_id, &content.finish());
    }
    pdf.finish()
}

/// Write `doc` as a PDF to `path` atomically (temporary file, then rename).
pub fn write(doc: &Document, path: &std::path::Path) -> std::io::Result<()> {
    je08_client::store::atomic::write_atomically(path, &render(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_ansi_keeps_portuguese_accents_and_symbols() {
        assert_eq!(win_ansi("Relação"), b"Rela\xe7\xe3o");
        assert_eq!(win_ansi("25 °C – ok"), b"25 \xb0C \x96 ok");
        assert_eq!(win_ansi("Ω"), b"?");
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn tables_align_columns() {
        let lines = table_lines(&["a".into(), "bb".into()], &[vec!["xxx".into(), "y".into()]]);
        assert_eq!(lines, ["a    bb", "---  --", "xxx  y"]);
    }
}
