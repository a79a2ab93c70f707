//! What an export holds before it has a format: typed columns (a machine
//! key, a header in words, a unit, a kind), typed cells, and sheets (one per
//! meter). Every format writes the same table.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use crate::i18n::{Msg, Tr};

/// How a time is written in the plain CSV (kept as each file always had it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainTime {
    /// `2026-12-05T11:30:00.123Z` (recordings).
    Millis,
    /// chrono's RFC 3339, `2026-12-05T11:30:00.123456789+00:00` (the journal).
    Rfc3339,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A moment, stored in UTC.
    Time(PlainTime),
    /// A number written with this many decimals.
    Number(u8),
    /// A whole number.
    Integer,
    /// Words.
    Text,
}

/// One column of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The plain CSV header (scripts rely on it).
    pub key: Cow<'static, str>,
    /// The header in words (localized CSV, XLSX).
    pub label: Msg,
    /// A second word after the label ("Voltage" "Phase A").
    pub part: Option<Msg>,
    /// The unit, shown as "Label (unit)".
    pub unit: Option<&'static str>,
    /// What the cells hold.
    pub kind: Kind,
    /// Only in the plain CSV (a column the other formats say another way).
    pub plain_only: bool,
}

impl Column {
    /// A column written in every format.
    pub const fn new(key: &'static str, label: Msg, unit: Option<&'static str>, kind: Kind) -> Self {
        Self {
            key: Cow::Borrowed(key),
            label,
            part: None,
            unit,
            kind,
            plain_only: false,
        }
    }

    /// A column written only in the plain CSV (one the other formats say another way).
    pub const fn plain_only(key: &'static str, label: Msg, unit: Option<&'static str>, kind: Kind) -> Self {
        Self {
            key: Cow::Borrowed(key),
            label,
            part: None,
            unit,
            kind,
            plain_only: true,
        }
    }

    /// The same column with a second word in its header.
    pub fn with_part(self, part: Msg) -> Self {
        Self {
            part: Some(part),
            ..self
        }
    }

    /// The header in words, with the unit: "Voltage A (V)".
    pub fn header(&self, tr: Tr) -> String {
        let mut text = tr.t(self.label).to_string();
        if let Some(part) = self.part {
            text.push(' ');
            text.push_str(tr.t(part));
        }
        if let Some(unit) = self.unit {
            text.push_str(&format!(" ({unit})"));
        }
        text
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing (a value the meter did not give).
    Empty,
    /// Words.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A number (written with its column's decimals).
    Number(f64),
    /// A moment.
    Time(DateTime<Utc>),
}

/// One row and the sheet (meter) it belongs on.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The sheet's name before [`sheet_names`] makes it valid.
    pub sheet: String,
    /// The cells, as many as the columns.
    pub cells: Vec<Cell>,
}

/// Rows of one sheet, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet<'a> {
    /// The sheet's name before [`sheet_names`] makes it valid.
    pub name: &'a str,
    /// Its rows.
    pub rows: Vec<&'a [Cell]>,
}

/// A whole export: columns and rows, each naming its sheet. A CSV keeps
/// the rows' order; a workbook puts each sheet's rows on its own sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The rows, in order.
    pub rows: Vec<Row>,
}

impl Table {
    /// An empty table with `columns`.
    pub fn new(columns: &[Column]) -> Self {
        Self {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Add `cells` as the last row, on sheet `sheet`.
    pub fn push(&mut self, sheet: &str, cells: Vec<Cell>) {
        self.rows.push(Row {
            sheet: sheet.to_string(),
            cells,
        });
    }

    /// The rows grouped by sheet, sheets in the order they first appear.
    pub fn sheets(&self) -> Vec<Sheet<'_>> {
        let mut sheets: Vec<Sheet<'_>> = Vec::new();
        for row in &self.rows {
            match sheets.iter_mut().find(|s| s.name == row.sheet) {
                Some(sheet) => sheet.rows.push(&row.cells),
                None => sheets.push(Sheet {
                    name: &row.sheet,
                    rows: vec![&row.cells],
                }),
            }
        }
        sheets
    }
}

/// The longest sheet name Excel accepts.
pub const SHEET_NAME_MAX: usize = 31;

/// Valid, distinct sheet names for `names`, in order: the characters Excel
/// refuses (`[]:*?/\`) become `-`, apostrophes are dropped from both ends,
/// names are cut to 31 characters, an empty name becomes `Sheet`, and a
/// name already taken (Excel ignores case) gets ` (2)`, ` (3)`…
pub fn sheet_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for name in names {
        let clean: String = name
            .chars()
            .map(|c| {
                if "[]:*?/\\".contains(c) || c.is_control() {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        let clean = clean.trim().trim_matches('\'').trim();
        let base = if clean.is_empty() { "Sheet" } else { clean };
        let mut candidate = cut(base, SHEET_NAME_MAX);
        let mut n = 2;
        while taken.contains(&candidate.to_lowercase()) || candidate.eq_ignore_ascii_case("History") {
            let suffix = format!(" ({n})");
            candidate = format!("{}{suffix}", cut(base, SHEET_NAME_MAX - suffix.len()));
            n += 1;
        }
        taken.push(candidate.to_lowercase());
        out.push(candidate);
    }
    out
}

/// The first `max` characters of `s`, without trailing spaces.
fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect::<String>().trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_short_and_distinct() {
        let long = "a".repeat(40);
        let names = sheet_names([
            "1001 127.0.0.1:5020",
            "[x]*?/\\",
            "'quoted'",
            "",
            long.as_str(),
            long.as_str(),
            "History",
            "SHEET",
        ]);
        assert_eq!(names[0], "1001 127.0.0.1-5020");
        assert_eq!(names[1], "-x-----");
        assert_eq!(names[2], "quoted");
        assert_eq!(names[3], "Sheet");
        assert_eq!(names[4], "a".repeat(31));
        assert_eq!(names[5], format!("{} (2)", "a".repeat(27)));
        assert_eq!(names[6], "History (2)");
        assert_eq!(names[7], "SHEET (2)");
        for n in &names {
            assert!(n.chars().count() <= SHEET_NAME_MAX, "{n}");
        }
    }
}
