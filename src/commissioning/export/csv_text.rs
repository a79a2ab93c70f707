//! The two CSV flavours: plain (`,`, `.`, UTC ISO 8601, machine headers —
//! what scripts read, byte for byte as before) and localized (the language's
//! separator and decimal mark, local time with its offset, headers in words
//! with units, a UTF-8 byte-order mark so Excel reads the accents).

use chrono::{DateTime, Local, SecondsFormat, Utc};

use super::table::{Cell, Column, Kind, PlainTime, Table};
use crate::i18n::{Lang, Tr};

/// The byte-order mark starting a localized CSV.
pub const BOM: &str = "\u{feff}";

/// How a CSV writes its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvStyle {
    /// Field separator.
    pub delimiter: u8,
    /// Decimal comma instead of point.
    pub decimal_comma: bool,
    /// The plain flavour (else localized, in this language).
    pub plain: bool,
    /// The language of a localized CSV's headers.
    pub lang: Lang,
}

impl CsvStyle {
    /// `,`, `.`, UTC, machine headers.
    pub const PLAIN: Self = Self {
        delimiter: b',',
        decimal_comma: false,
        plain: true,
        lang: Lang::En,
    };

    /// The conventions of `lang`: Portuguese `;` and a decimal comma,
    /// English `,` and `.`; local time with its offset either way.
    pub fn locale(lang: Lang) -> Self {
        let pt = lang == Lang::PtBr;
        Self {
            delimiter: if pt { b';' } else { b',' },
            decimal_comma: pt,
            plain: false,
            lang,
        }
    }

    /// A CSV writer with this separator.
    pub fn writer<W: std::io::Write>(&self, out: W) -> csv::Writer<W> {
        csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(out)
    }

    /// The columns this flavour writes.
    fn keeps(&self, column: &Column) -> bool {
        self.plain || !column.plain_only
    }

    /// The header row.
    pub fn header(&self, columns: &[Column]) -> Vec<String> {
        columns
            .iter()
            .filter(|c| self.keeps(c))
            .map(|c| {
                if self.plain {
                    c.key.to_string()
                } else {
                    c.header(Tr(self.lang))
                }
            })
            .collect()
    }

    /// One row's fields.
    pub fn row(&self, columns: &[Column], cells: &[Cell]) -> Vec<String> {
        columns
            .iter()
            .zip(cells)
            .filter(|(c, _)| self.keeps(c))
            .map(|(c, cell)| self.cell(c.kind, cell))
            .collect()
    }

    /// One field.
    pub fn cell(&self, kind: Kind, cell: &Cell) -> String {
        match cell {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Integer(n) => n.to_string(),
            Cell::Number(x) => {
                let decimals = match kind {
                    Kind::Number(d) => usize::from(d),
                    _ => 3,
                };
                let s = format!("{x:.decimals$}");
                if self.decimal_comma {
                    s.replace('.', ",")
                } else {
                    s
                }
            }
            Cell::Time(t) => match (self.plain, kind) {
                (true, Kind::Time(PlainTime::Rfc3339)) => t.to_rfc3339(),
                (true, _) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
                (false, _) => local_text(*t),
            },
        }
    }
}

/// `2026-12-05 08:30:00 -03:00`: the computer's local time with its offset.
pub fn local_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// The whole table as CSV bytes: a header, then every sheet's rows.
pub fn bytes(table: &Table, style: CsvStyle) -> Result<Vec<u8>, csv::Error> {
    let start = if style.plain {
        Vec::new()
    } else {
        BOM.as_bytes().to_vec()
    };
    let mut w = style.writer(start);
    w.write_record(style.header(&table.columns))?;
    for row in &table.rows {
        w.write_record(style.row(&table.columns, &row.cells))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Rows of a plain CSV with `columns` (header first) as typed cells.
pub fn read_plain(columns: &[Column], text: &[u8]) -> Result<Vec<Vec<Cell>>, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text);
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| e.to_string())?;
        let row = columns
            .iter()
            .zip(record.iter())
            .map(|(column, field)| parse_plain(column.kind, field))
            .collect::<Option<Vec<Cell>>>()
            .ok_or_else(|| format!("line {}: a value does not fit its column", n + 2))?;
        rows.push(row);
    }
    Ok(rows)
}

/// One plain field as a cell of `kind`.
fn parse_plain(kind: Kind, field: &str) -> Option<Cell> {
    if field.is_empty() {
        return Some(Cell::Empty);
    }
    Some(match kind {
        Kind::Time(_) => Cell::Time(DateTime::parse_from_rfc3339(field).ok()?.to_utc()),
        Kind::Number(_) => Cell::Number(field.parse().ok()?),
        Kind::Integer => Cell::Integer(field.parse().ok()?),
        Kind::Text => Cell::Text(field.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Msg;

    const COLUMNS: [Column; 4] = [
        Column::new("time_utc", Msg::ColTime, None, Kind::Time(PlainTime::Millis)),
        Column::new("voltage_a_V", Msg::ColVoltageA, Some("V"), Kind::Number(1)),
        Column::new("device_id", Msg::ColDeviceId, None, Kind::Integer),
        Column::plain_only("note", Msg::ColNote, None, Kind::Text),
    ];

    fn table() -> Table {
        let t = DateTime::parse_from_rfc3339("2026-12-05T11:30:00.250Z")
            .unwrap()
            .to_utc();
        let mut table = Table::new(&COLUMNS);
        table.push(
            "m",
            vec![
                Cell::Time(t),
                Cell::Number(1234.56),
                Cell::Integer(1001),
                Cell::Text("a;b".into()),
            ],
        );
        table
    }

    #[test]
    fn plain_is_commas_points_and_utc() {
        let text = String::from_utf8(bytes(&table(), CsvStyle::PLAIN).unwrap()).unwrap();
        assert_eq!(
            text,
            "time_utc,voltage_a_V,device_id,note\n2026-12-05T11:30:00.250Z,1234.6,1001,a;b\n"
        );
    }

    #[test]
    fn a_plain_csv_reads_back_as_the_same_cells() {
        let table = table();
        let text = bytes(&table, CsvStyle::PLAIN).unwrap();
        let mut rows = read_plain(&COLUMNS, &text).unwrap();
        // Written with one decimal.
        rows[0][1] = Cell::Number(1234.56);
        assert_eq!(rows, vec![table.rows[0].cells.clone()]);
    }

    #[test]
    fn brazilian_is_semicolons_decimal_commas_and_local_time() {
        let text = String::from_utf8(bytes(&table(), CsvStyle::locale(Lang::PtBr)).unwrap()).unwrap();
        let t = DateTime::parse_from_rfc3339("2026-12-05T11:30:00.250Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            text,
            format!(
                "{BOM}Horário;Tensão A (V);Id do medidor\n{};1234,6;1001\n",
                local_text(t)
            )
        );
    }
}
