//! A small document model rendered to an A4 PDF/A-2u file with krilla and
//! two embedded, subsetted fonts (DejaVu Sans regular and bold): titles,
//! headings, wrapped paragraphs, label/value fields, ruled tables whose
//! header row repeats after a page break, a phasor diagram drawn as
//! vectors, a signature block, and "page k of n" in every footer.
//!
//! [`layout`] places the blocks on pages as a display list (so the page
//! count is known before the footers are written); [`draw`] paints that
//! list with krilla.

mod draw;
mod fonts;
mod layout;
mod phasor;

use je08_protocol::analysis::phasor::PhasorSet;

/// One block of a document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Large bold line.
    Title(String),
    /// Bold section heading (kept on the page of what follows it).
    Heading(String),
    /// A paragraph, wrapped to the page width.
    Text(String),
    /// A smaller, grey paragraph (remarks, technical details).
    Note(String),
    /// `label: value` lines: labels in bold in a column of their own.
    Fields(Vec<(String, String)>),
    /// A ruled table.
    Table(Table),
    /// A phasor diagram: measured against expected.
    Phasors(Phasors),
    /// Signature lines side by side, kept on one page.
    Signatures(Signatures),
    /// Start a new page.
    PageBreak,
}

/// A ruled table: a shaded header row (repeated on every page the table
/// runs onto), rows whose cells wrap within their column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Relative column widths (in points when they add up to the text
    /// width, 495 pt; empty: equal columns).
    pub widths: Vec<f32>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with equal columns.
    pub fn new(header: Vec<String>, rows: Vec<Vec<String>>) -> Self {
        Self {
            header,
            widths: Vec::new(),
            rows,
        }
    }

    /// The same table with relative column widths.
    #[must_use]
    pub fn widths(mut self, widths: &[f32]) -> Self {
        self.widths = widths.to_vec();
        self
    }
}

/// A phasor diagram: the expected phasors (wide, faint) under the measured
/// ones (solid arrows labelled `VA`, `IA`…), with a legend beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Phasors {
    /// What the meter measured.
    pub measured: PhasorSet,
    /// What a correct wiring would give for the same magnitudes.
    pub expected: PhasorSet,
    /// Lines printed beside the dial (what solid and faint mean, a remark).
    pub legend: Vec<String>,
}

/// A signature block: one column per signer.
#[derive(Debug, Clone, PartialEq)]
pub struct Signatures {
    /// The word before the signer's name ("Name").
    pub name_label: String,
    /// The word before the date ("Date").
    pub date_label: String,
    /// The word under the signature line ("Signature").
    pub signature_label: String,
    /// Each signer: role (a heading) and name (blank: a line to fill in).
    pub signers: Vec<(String, String)>,
}

/// A document: a title (also the PDF metadata title and the footer's
/// left part), its language, its page footer and its blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// PDF metadata title.
    pub title: String,
    /// The document's language as an RFC 3066 tag (`en`, `pt-BR`).
    pub language: String,
    /// The footer after the title, in the document's language: `{0}` is the
    /// page number and `{1}` the page count (`page {0} of {1}`).
    pub page_of: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// Every line of text of `doc` as laid out, in page order: what a reader
/// sees on one line (a cell's text cut by wrapping shows as two).
#[cfg(test)]
pub fn laid_out_lines(doc: &Document) -> Vec<String> {
    layout::lay_out(doc)
        .iter()
        .flatten()
        .filter_map(|op| match op {
            layout::Op::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The RFC 3066 tag of `tr`'s language, for [`Document::language`].
pub fn language(tr: crate::i18n::Tr) -> &'static str {
    match tr.0 {
        crate::i18n::Lang::En => "en",
        crate::i18n::Lang::PtBr => "pt-BR",
    }
}

/// The document could not be made into a PDF (a krilla validation or
/// export failure: a defect of this program, not of the user's input).
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be made: {0}")]
pub struct RenderError(String);

/// Render `doc` to the bytes of a PDF file (A4, numbered pages, fonts
/// embedded, PDF/A-2u).
pub fn render(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let pages = layout::lay_out(doc);
    draw::draw(doc, &pages)
}

/// Write `doc` as a PDF to `path` atomically (temporary file, then rename).
pub fn write(doc: &Document, path: &std::path::Path) -> std::io::Result<()> {
    let bytes = render(doc).map_err(std::io::Error::other)?;
    je08_client::store::atomic::write_atomically(path, &bytes)
}
