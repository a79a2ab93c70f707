//! The formats recordings, journal exports and plot data are saved in.
//!
//! - [`Format::Csv`]: `,` separator, `.` decimal point, UTC ISO 8601 times
//!   and machine headers (`voltage_a_V`) — for scripts; the files are what
//!   they were before the other formats existed.
//! - [`Format::CsvLocale`]: the conventions of the language the person
//!   uses — the window's language setting, or `--lang` on the command line
//!   (English by default, so a script gets the same file everywhere).
//!   Português (Brasil): `;` separator and decimal comma, as Excel with
//!   Brazilian settings reads them; English: `,` and `.`. Either way times
//!   are the computer's local time with the offset
//!   (`2026-12-05 08:30:00 -03:00`), headers are words with units in that
//!   language, and the file starts with a UTF-8 byte-order mark.
//! - [`Format::Xlsx`]: an Excel workbook, one sheet per meter, see [`xlsx`].
//!
//! Whole exports go through [`save`] (atomic); a recording streams its rows
//! (see [`crate::commissioning::record`]).

pub mod csv_text;
pub mod table;
pub mod xlsx;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::i18n::{Describe, Lang, Msg, Tr};
use csv_text::CsvStyle;
pub use table::{Cell, Column, Kind, PlainTime, Sheet, Table};

/// A file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, clap::ValueEnum)]
pub enum Format {
    /// CSV for scripts: `,`, `.`, UTC times.
    #[default]
    #[value(name = "csv")]
    Csv,
    /// CSV in the language's conventions (pt-BR: `;`, decimal comma, local time).
    #[value(name = "csv-locale")]
    CsvLocale,
    /// An Excel workbook, one sheet per meter.
    #[value(name = "xlsx")]
    Xlsx,
}

impl Format {
    /// Every format, in menu order.
    pub const ALL: [Format; 3] = [Format::Csv, Format::CsvLocale, Format::Xlsx];

    /// The format `explicit` names, else `.xlsx` files are XLSX and the rest plain CSV.
    pub fn for_path(explicit: Option<Format>, path: &Path) -> Format {
        explicit.unwrap_or_else(|| {
            let xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
            if xlsx { Format::Xlsx } else { Format::Csv }
        })
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv | Format::CsvLocale => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// What the format is called in a menu.
    pub fn label(self, tr: Tr) -> &'static str {
        tr.t(match self {
            Format::Csv => Msg::FormatCsv,
            Format::CsvLocale => Msg::FormatCsvLocale,
            Format::Xlsx => Msg::FormatXlsx,
        })
    }

    /// How a CSV of this format is written (`None`: not a CSV).
    pub fn csv_style(self, lang: Lang) -> Option<CsvStyle> {
        match self {
            Format::Csv => Some(CsvStyle::PLAIN),
            Format::CsvLocale => Some(CsvStyle::locale(lang)),
            Format::Xlsx => None,
        }
    }
}

/// Why an export could not be written; said in words by its [`Describe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    /// The file.
    pub path: String,
    /// What the operating system or the encoder said.
    pub detail: String,
}

impl ExportError {
    /// Writing `path` failed with `detail`.
    pub fn new(path: &Path, detail: impl std::fmt::Display) -> Self {
        Self {
            path: path.display().to_string(),
            detail: detail.to_string(),
        }
    }
}

impl Describe for ExportError {
    fn describe(&self, tr: Tr) -> String {
        tr.f(Msg::ExportWrite, &[&self.path, &self.detail])
    }
}

je08_protocol::english_display!(errors: ExportError);

/// `table` in `format`; a localized CSV's and a workbook's headers in `lang`.
pub fn encode(table: &Table, format: Format, lang: Lang) -> Result<Vec<u8>, String> {
    match format.csv_style(lang) {
        Some(style) => csv_text::bytes(table, style).map_err(|e| e.to_string()),
        None => xlsx::bytes(table, Tr(lang)).map_err(|e| e.to_string()),
    }
}

/// Write `table` to `path` in `format`, atomically: the file is whole or
/// untouched.
pub fn save(path: &Path, table: &Table, format: Format, lang: Lang) -> Result<(), ExportError> {
    let bytes = encode(table, format, lang).map_err(|e| ExportError::new(path, e))?;
    je08_client::store::atomic::write_atomically(path, &bytes).map_err(|e| ExportError::new(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_picks_xlsx_unless_a_format_is_named() {
        assert_eq!(Format::for_path(None, Path::new("a.XLSX")), Format::Xlsx);
        assert_eq!(Format::for_path(None, Path::new("a.csv")), Format::Csv);
        assert_eq!(Format::for_path(None, Path::new("a")), Format::Csv);
        assert_eq!(
            Format::for_path(Some(Format::CsvLocale), Path::new("a.xlsx")),
            Format::CsvLocale
        );
    }
}
