//! Blocks placed on A4 pages as a display list (points, origin at the top
//! left, y downwards): wrapping, page breaks, table header rows repeated
//! on each page a table runs onto, and the footers once the page count is
//! known.

use super::fonts::Face;
use super::{Block, Document, Signatures, Table};

/// A4 width in points.
pub const PAGE_W: f32 = 595.28;
/// A4 height in points.
pub const PAGE_H: f32 = 841.89;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_W - 50.0;
const TOP: f32 = 50.0;
const BOTTOM: f32 = PAGE_H - 62.0;
const WIDTH: f32 = RIGHT - LEFT;

const BODY: f32 = 9.5;
const SMALL: f32 = 8.0;
const CELL: f32 = 8.5;
const PAD: f32 = 3.0;
/// Height of a signature block.
const SIGNATURES: f32 = 150.0;

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);
/// Text.
pub const INK: Rgb = (20, 20, 20);
/// Notes and the footer.
pub const GREY: Rgb = (100, 100, 100);
/// Table rules.
pub const RULE: Rgb = (40, 40, 40);
/// Table header shading.
const SHADE: Rgb = (225, 228, 234);

/// One drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A line of text; `y` is its baseline.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Face.
        face: Face,
        /// Size in points.
        size: f32,
        /// Colour.
        color: Rgb,
        /// The text (printable in `face`).
        text: String,
    },
    /// A straight line or an open or closed polyline.
    Stroke {
        /// Corners.
        points: Vec<(f32, f32)>,
        /// Join the last point to the first.
        closed: bool,
        /// Line width.
        width: f32,
        /// Colour.
        color: Rgb,
    },
    /// A filled polygon.
    Fill {
        /// Corners.
        points: Vec<(f32, f32)>,
        /// Colour.
        color: Rgb,
    },
}

/// A page's drawing operations.
pub type Page = Vec<Op>;

/// Lay `doc` out on pages, footers included.
pub fn lay_out(doc: &Document) -> Vec<Page> {
    let mut layout = Layout {
        pages: vec![Vec::new()],
        y: TOP,
    };
    for (i, block) in doc.blocks.iter().enumerate() {
        if let Block::Heading(_) = block {
            // A heading stays with the start of what follows it.
            let next = doc.blocks.get(i + 1).map_or(0.0, first_height);
            layout.room(leading(12.0) + 11.0 + next);
        }
        layout.block(block);
    }
    let count = layout.pages.len();
    for (i, page) in layout.pages.iter_mut().enumerate() {
        footer(page, doc, i + 1, count);
    }
    layout.pages
}

fn footer(page: &mut Page, doc: &Document, number: usize, count: usize) {
    let y = PAGE_H - 45.0;
    page.push(line((LEFT, y), (RIGHT, y), 0.5, GREY));
    let page_of = doc
        .page_of
        .replace("{0}", &number.to_string())
        .replace("{1}", &count.to_string());
    let right = Face::Regular.printable(&page_of);
    let width = Face::Regular.width(&right, SMALL);
    let title = fit(Face::Regular, SMALL, &doc.title, WIDTH - width - 20.0);
    page.push(text(LEFT, y + 13.0, Face::Regular, SMALL, GREY, title));
    page.push(text(RIGHT - width, y + 13.0, Face::Regular, SMALL, GREY, right));
}

fn text(x: f32, y: f32, face: Face, size: f32, color: Rgb, s: String) -> Op {
    Op::Text {
        x,
        y,
        face,
        size,
        color,
        text: s,
    }
}

/// A straight line.
pub fn line(from: (f32, f32), to: (f32, f32), width: f32, color: Rgb) -> Op {
    Op::Stroke {
        points: vec![from, to],
        closed: false,
        width,
        color,
    }
}

/// `s` cut with "…" to fit `width`.
fn fit(face: Face, size: f32, s: &str, width: f32) -> String {
    let s = face.printable(s);
    if face.width(&s, size) <= width {
        return s;
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if face.width(&out, size) + face.width("…", size) > width {
            out.pop();
            break;
        }
    }
    out + "…"
}

/// `s` wrapped at spaces into lines no wider than `width` (a word wider
/// than a line is cut); blank lines of `s` are kept.
pub fn wrap(face: Face, size: f32, s: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in s.split('\n') {
        let mut line = String::new();
        for word in face.printable(paragraph).split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if face.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if face.width(&line, size) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// The height of the part of `block` that must not be parted from the
/// heading before it: a table's header row and first row, a paragraph's
/// first two lines, a drawing or a signature block whole.
fn first_height(block: &Block) -> f32 {
    match block {
        Block::Table(t) => {
            let edges = t.edges();
            let header = Row::new(Face::Bold, &t.header, &edges).height;
            let first = t
                .rows
                .first()
                .map_or(0.0, |r| Row::new(Face::Regular, r, &edges).height);
            header + first
        }
        Block::Phasors(_) => super::phasor::HEIGHT,
        Block::Signatures(_) => SIGNATURES,
        Block::Text(_) | Block::Fields(_) => 2.0 * leading(BODY),
        Block::Note(_) => 2.0 * leading(SMALL),
        Block::Title(_) | Block::Heading(_) | Block::PageBreak => 0.0,
    }
}

fn leading(size: f32) -> f32 {
    size * 1.32
}

struct Layout {
    pages: Vec<Page>,
    y: f32,
}

impl Layout {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Start a new page unless `height` more points fit on this one (or
    /// this page is still empty).
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn lines(&mut self, face: Face, size: f32, color: Rgb, x: f32, width: f32, s: &str) {
        for l in wrap(face, size, s, width) {
            self.room(leading(size));
            self.y += leading(size);
            let y = self.y - size * 0.3;
            self.page().push(text(x, y, face, size, color, l));
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Title(t) => {
                self.lines(Face::Bold, 17.0, INK, LEFT, WIDTH, t);
                self.y += 4.0;
                let y = self.y;
                self.page().push(line((LEFT, y), (RIGHT, y), 1.2, RULE));
                self.y += 8.0;
            }
            Block::Heading(t) => {
                self.y += 8.0;
                self.lines(Face::Bold, 12.0, INK, LEFT, WIDTH, t);
                self.y += 3.0;
            }
            Block::Text(t) => {
                self.lines(Face::Regular, BODY, INK, LEFT, WIDTH, t);
                self.y += 4.0;
            }
            Block::Note(t) => {
                self.lines(Face::Regular, SMALL, GREY, LEFT, WIDTH, t);
                self.y += 3.0;
            }
            Block::Fields(fields) => self.fields(fields),
            Block::Table(t) => self.table(t),
            Block::Phasors(p) => {
                let height = super::phasor::HEIGHT;
                self.room(height);
                let top = self.y;
                super::phasor::draw(self.page(), LEFT, top, WIDTH, p);
                self.y += height;
            }
            Block::Signatures(s) => self.signatures(s),
            Block::PageBreak => {
                if self.y > TOP {
                    self.new_page();
                }
            }
        }
    }

    fn fields(&mut self, fields: &[(String, String)]) {
        let label_w = fields
            .iter()
            .map(|(k, _)| Face::Bold.width(&Face::Bold.printable(k), BODY))
            .fold(0.0, f32::max)
            .min(WIDTH * 0.4)
            + 12.0;
        for (k, v) in fields {
            let labels = wrap(Face::Bold, BODY, k, label_w - 12.0);
            let values = wrap(Face::Regular, BODY, v, WIDTH - label_w);
            let rows = labels.len().max(values.len());
            self.room(leading(BODY) * rows as f32);
            let top = self.y;
            for (i, l) in labels.into_iter().enumerate() {
                let y = top + leading(BODY) * (i as f32 + 1.0) - BODY * 0.3;
                self.page().push(text(LEFT, y, Face::Bold, BODY, INK, l));
            }
            for (i, l) in values.into_iter().enumerate() {
                let y = top + leading(BODY) * (i as f32 + 1.0) - BODY * 0.3;
                self.page()
                    .push(text(LEFT + label_w, y, Face::Regular, BODY, INK, l));
            }
            self.y = top + leading(BODY) * rows as f32;
        }
        self.y += 4.0;
    }

    fn table(&mut self, t: &Table) {
        let columns = t.header.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let edges = t.edges();
        let header = Row::new(Face::Bold, &t.header, &edges);
        let rows: Vec<Row> = t
            .rows
            .iter()
            .map(|r| Row::new(Face::Regular, r, &edges))
            .collect();
        let first = rows.first().map_or(0.0, |r| r.height);
        self.room(header.height + first);
        if !t.header.is_empty() {
            self.row(&header, &edges, true);
        }
        for row in &rows {
            if self.y + row.height > BOTTOM && self.y > TOP {
                self.new_page();
                if !t.header.is_empty() {
                    self.row(&header, &edges, true);
                }
            }
            self.row(row, &edges, false);
        }
        self.y += 8.0;
    }

    fn row(&mut self, row: &Row, edges: &[f32], header: bool) {
        let (top, bottom) = (self.y, self.y + row.height);
        let (left, right) = (edges[0], edges[edges.len() - 1]);
        let page = self.page();
        if header {
            page.push(Op::Fill {
                points: vec![(left, top), (right, top), (right, bottom), (left, bottom)],
                color: SHADE,
            });
        }
        page.push(line((left, top), (right, top), 0.6, RULE));
        page.push(line((left, bottom), (right, bottom), 0.6, RULE));
        for x in edges {
            page.push(line((*x, top), (*x, bottom), 0.6, RULE));
        }
        for (i, cell) in row.cells.iter().enumerate() {
            for (k, l) in cell.iter().enumerate() {
                let y = top + PAD + leading(CELL) * (k as f32 + 1.0) - CELL * 0.3;
                page.push(text(edges[i] + PAD, y, row.face, CELL, INK, l.clone()));
            }
        }
        self.y = bottom;
    }

    fn signatures(&mut self, s: &Signatures) {
        let n = s.signers.len().max(1);
        let gap = 30.0;
        let column = (WIDTH - gap * (n as f32 - 1.0)) / n as f32;
        let height = SIGNATURES;
        self.room(height);
        let top = self.y + 10.0;
        for (i, (role, name)) in s.signers.iter().enumerate() {
            let x = LEFT + i as f32 * (column + gap);
            let page = self.page();
            page.push(text(
                x,
                top + 12.0,
                Face::Bold,
                11.0,
                INK,
                fit(Face::Bold, 11.0, role, column),
            ));
            for (k, (label, value)) in [(&s.name_label, name.as_str()), (&s.date_label, "")]
                .into_iter()
                .enumerate()
            {
                let y = top + 38.0 + 24.0 * k as f32;
                let label = format!("{}:", Face::Bold.printable(label));
                let lw = Face::Bold.width(&label, BODY) + 6.0;
                page.push(text(x, y, Face::Bold, BODY, INK, label));
                page.push(text(
                    x + lw,
                    y - 2.0,
                    Face::Regular,
                    BODY,
                    INK,
                    fit(Face::Regular, BODY, value, column - lw),
                ));
                page.push(line((x + lw, y + 2.0), (x + column, y + 2.0), 0.6, RULE));
            }
            let y = top + 125.0;
            page.push(line((x, y), (x + column, y), 0.8, RULE));
            page.push(text(
                x,
                y + 11.0,
                Face::Regular,
                SMALL,
                GREY,
                Face::Regular.printable(&s.signature_label),
            ));
        }
        self.y += height;
    }
}

impl Table {
    /// The x of each column's left edge, and the right edge of the last.
    fn edges(&self) -> Vec<f32> {
        let columns = self
            .header
            .len()
            .max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let weights: Vec<f32> = (0..columns)
            .map(|i| self.widths.get(i).copied().filter(|w| *w > 0.0).unwrap_or(1.0))
            .collect();
        let sum: f32 = weights.iter().sum();
        let mut edges = vec![LEFT];
        for w in &weights {
            let last = edges[edges.len() - 1];
            edges.push(last + WIDTH * w / sum);
        }
        edges
    }
}

/// A table row: each cell's wrapped lines and the row's height.
struct Row {
    face: Face,
    cells: Vec<Vec<String>>,
    height: f32,
}

impl Row {
    fn new(face: Face, cells: &[String], edges: &[f32]) -> Self {
        let most = ((BOTTOM - TOP - 40.0) / leading(CELL)) as usize;
        let cells: Vec<Vec<String>> = (0..edges.len() - 1)
            .map(|i| {
                let width = edges[i + 1] - edges[i] - 2.0 * PAD;
                let mut lines = wrap(face, CELL, cells.get(i).map_or("", String::as_str), width);
                if lines.len() > most {
                    lines.truncate(most);
                    lines[most - 1].push('…');
                }
                lines
            })
            .collect();
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        Self {
            face,
            cells,
            height: leading(CELL) * lines as f32 + 2.0 * PAD + 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(page: &Page) -> Vec<&str> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let lines = wrap(
            Face::Regular,
            10.0,
            "aa bb cc dd ee",
            Face::Regular.width("aa bb", 10.0) + 0.1,
        );
        assert_eq!(lines, ["aa bb", "cc dd", "ee"]);
        assert_eq!(wrap(Face::Regular, 10.0, "", 100.0), [""]);
        let long = wrap(
            Face::Regular,
            10.0,
            "abcdefghij",
            Face::Regular.width("abcd", 10.0) + 0.1,
        );
        assert_eq!(long, ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn a_long_table_repeats_its_header_and_every_page_has_its_number() {
        let doc = Document {
            title: "T".into(),
            language: "en".into(),
            page_of: "page {0} of {1}".into(),
            blocks: vec![Block::Table(Table::new(
                vec!["Head".into(), "Value".into()],
                (0..200).map(|i| vec![format!("r{i}"), "x".into()]).collect(),
            ))],
        };
        let pages = lay_out(&doc);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let count = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let t = texts(page);
            assert!(t.contains(&"Head"), "page {} lacks the header", i + 1);
            assert!(t.contains(&format!("page {} of {count}", i + 1).as_str()));
        }
        let all: Vec<&str> = pages.iter().flat_map(texts).collect();
        assert!((0..200).all(|i| all.contains(&format!("r{i}").as_str())));
    }

    #[test]
    fn a_heading_goes_to_the_page_of_the_table_it_heads() {
        for filler in 30..50 {
            let mut blocks: Vec<Block> = (0..filler).map(|i| Block::Text(format!("line {i}"))).collect();
            blocks.push(Block::Heading("Heading".into()));
            blocks.push(Block::Table(Table::new(
                vec!["Head".into()],
                vec![vec!["cell".into()]],
            )));
            let doc = Document {
                blocks,
                ..Document::default()
            };
            let pages = lay_out(&doc);
            let page_of = |what: &str| pages.iter().position(|p| texts(p).contains(&what));
            assert_eq!(page_of("Heading"), page_of("Head"), "after {filler} lines");
            assert_eq!(page_of("Head"), page_of("cell"), "after {filler} lines");
        }
    }

    #[test]
    fn nothing_is_drawn_below_the_body_except_the_footer() {
        let doc = Document {
            title: "T".into(),
            page_of: "{0}/{1}".into(),
            blocks: (0..300).map(|i| Block::Text(format!("line {i}"))).collect(),
            ..Document::default()
        };
        for page in lay_out(&doc) {
            for op in &page {
                if let Op::Text { y, text, .. } = op
                    && text.starts_with("line")
                {
                    assert!(*y <= BOTTOM, "{text} at {y}");
                }
            }
        }
    }
}
