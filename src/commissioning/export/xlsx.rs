//! The XLSX flavour (rust_xlsxwriter): one worksheet per meter, a bold
//! frozen header row with units and a filter, typed cells (numbers as
//! numbers with their decimals, times as Excel date-times in the computer's
//! local time, the header naming the offset), columns wide enough to read.

use chrono::{DateTime, Local, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::table::{Cell, Column, Kind, Table, sheet_names};
use crate::i18n::Tr;

/// Number format of time cells.
pub const TIME_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";

/// Data rows per sheet (Excel's 1,048,576 rows less the header).
pub const MAX_ROWS: usize = 1_048_575;

/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 48;

/// The workbook's bytes; headers in `tr`'s language.
pub fn bytes(table: &Table, tr: Tr) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let columns: Vec<Column> = table.columns.iter().filter(|c| !c.plain_only).cloned().collect();
    let keep: Vec<bool> = table.columns.iter().map(|c| !c.plain_only).collect();
    // A sheet holds at most 1,048,576 rows: a longer meter goes on over "name (2)"…
    let sheets = table.sheets();
    let parts: Vec<(&str, &[&[Cell]])> = sheets
        .iter()
        .flat_map(|s| s.rows.chunks(MAX_ROWS).map(move |rows| (s.name, rows)))
        .collect();
    let mut names = sheet_names(parts.iter().map(|(name, _)| *name));
    if names.is_empty() {
        names.push("Sheet".into());
    }
    for (i, name) in names.iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        let part: &[&[Cell]] = parts.get(i).map_or(&[], |(_, rows)| *rows);
        let rows: Vec<Vec<&Cell>> = part
            .iter()
            .map(|r| r.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| c).collect())
            .collect();
        write_sheet(ws, &columns, &rows, tr)?;
    }
    book.save_to_buffer()
}

/// The header of `column`; a time column names the offset of its first time.
fn header(column: &Column, first_time: Option<DateTime<Utc>>, tr: Tr) -> String {
    match column.kind {
        Kind::Time(_) => {
            let at = first_time.unwrap_or_else(Utc::now);
            let offset = at.with_timezone(&Local).format("%:z");
            format!("{} (UTC{offset})", tr.t(column.label))
        }
        _ => column.header(tr),
    }
}

fn write_sheet(ws: &mut Worksheet, columns: &[Column], rows: &[Vec<&Cell>], tr: Tr) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let time = Format::new().set_num_format(TIME_FORMAT);
    for (c, column) in columns.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        let first_time = rows.iter().find_map(|r| match r.get(c) {
            Some(Cell::Time(t)) => Some(*t),
            _ => None,
        });
        let title = header(column, first_time, tr);
        ws.write_string_with_format(0, col, &title, &bold)?;
        let number = match column.kind {
            Kind::Number(d) if d > 0 => {
                Format::new().set_num_format(format!("0.{}", "0".repeat(usize::from(d))))
            }
            _ => Format::new().set_num_format("0"),
        };
        let mut width = title.chars().count();
        for (r, cells) in rows.iter().enumerate() {
            let row = u32::try_from(r + 1).unwrap_or(u32::MAX);
            let shown = match cells.get(c).copied().unwrap_or(&Cell::Empty) {
                Cell::Empty => 0,
                Cell::Text(s) => {
                    ws.write_string(row, col, s)?;
                    s.chars().count()
                }
                Cell::Integer(n) => {
                    // Exact in a double up to 2^53; ids, counts and uptimes are far below.
                    ws.write_number_with_format(row, col, *n as f64, &number)?;
                    n.to_string().len()
                }
                Cell::Number(x) => {
                    ws.write_number_with_format(row, col, *x, &number)?;
                    format!("{x:.3}").len()
                }
                Cell::Time(t) => {
                    ws.write_datetime_with_format(row, col, t.with_timezone(&Local).naive_local(), &time)?;
                    TIME_FORMAT.len()
                }
            };
            width = width.max(shown);
        }
        ws.set_column_width(col, (width.min(MAX_WIDTH) + 2) as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    ws.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}
