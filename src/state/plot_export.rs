//! What the trend plot's "Export visible data" and "Save picture" save:
//! the samples inside the plot's visible time window, undecimated, as an
//! export table (one sheet, the meter), and the plotted lines as a picture.

use chrono::{DateTime, Utc};

use super::history::{Channel, History};
use super::live::Quantity;
use crate::commissioning::export::{Cell, Column, Kind, PlainTime, Table};
use crate::commissioning::picture::PHASE_RGB;
use crate::commissioning::picture::trend::{Series, Trend};
use crate::i18n::{Msg, Tr};

/// The names of the series: phases A, B, C and the total.
const PARTS: [Msg; 4] = [Msg::PhaseA, Msg::PhaseB, Msg::PhaseC, Msg::Total];
const KEYS: [&str; 4] = ["a", "b", "c", "total"];

impl Quantity {
    /// Its name in a plain CSV key.
    fn key(self) -> &'static str {
        match self {
            Quantity::Voltage => "voltage",
            Quantity::Current => "current",
            Quantity::Active => "active_power",
            Quantity::Reactive => "reactive_power",
            Quantity::Apparent => "apparent_power",
            Quantity::PowerFactor => "power_factor",
            Quantity::Frequency => "frequency",
            Quantity::Temperature => "temperature",
        }
    }

    /// Decimals its values are written with.
    fn decimals(self) -> u8 {
        match self {
            Quantity::Voltage | Quantity::Current | Quantity::Temperature => 1,
            Quantity::Active | Quantity::Reactive | Quantity::Apparent | Quantity::Frequency => 2,
            Quantity::PowerFactor => 3,
        }
    }
}

/// The columns of an export of `quantity`: the time, then one per series
/// (`voltage_a_V`, "Voltage Phase A (V)").
pub fn columns(quantity: Quantity) -> Vec<Column> {
    let unit = Some(quantity.unit()).filter(|u| !u.is_empty());
    let suffix = unit
        .map(|u| format!("_{}", u.replace('°', "")))
        .unwrap_or_default();
    let mut columns = vec![Column::new(
        "timestamp_utc",
        Msg::ColTime,
        None,
        Kind::Time(PlainTime::Millis),
    )];
    let channels = quantity.channels();
    let single = channels.len() == 1;
    for (_, k) in channels {
        let base = Column::new("", quantity.msg(), unit, Kind::Number(quantity.decimals()));
        columns.push(if single {
            Column {
                key: format!("{}{suffix}", quantity.key()).into(),
                ..base
            }
        } else {
            Column {
                key: format!("{}_{}{suffix}", quantity.key(), KEYS[k]).into(),
                ..base.with_part(PARTS[k])
            }
        });
    }
    columns
}

/// Every sample of `quantity` in `history` between `from` and `to` (UNIX
/// seconds) on one sheet named `meter`; `None` when there is none.
pub fn visible_table(
    history: &History,
    quantity: Quantity,
    [from, to]: [f64; 2],
    meter: &str,
) -> Option<Table> {
    let channels: Vec<Channel> = quantity.channels().into_iter().map(|(c, _)| c).collect();
    let rows = history.rows(&channels, from, to);
    if rows.is_empty() {
        return None;
    }
    let mut table = Table::new(&columns(quantity));
    for (t, values) in rows {
        let mut cells = vec![time(t).map_or(Cell::Empty, Cell::Time)];
        cells.extend(values.into_iter().map(|v| {
            if v.is_finite() {
                Cell::Number(v)
            } else {
                Cell::Empty
            }
        }));
        table.push(meter, cells);
    }
    Some(table)
}

/// UNIX seconds as a UTC time.
fn time(t: f64) -> Option<DateTime<Utc>> {
    let ms = (t * 1000.0).round();
    if !ms.is_finite() {
        return None;
    }
    DateTime::from_timestamp_millis(ms as i64)
}

/// The picture of the plot: `lines` (series index 0–3, points `[x, y]`
/// with x in seconds before the right edge) over `window_s` seconds.
pub fn trend_picture(
    tr: Tr,
    quantity: Quantity,
    meter: &str,
    window_s: u32,
    lines: Vec<(usize, Vec<[f64; 2]>)>,
) -> Trend {
    Trend {
        title: format!("{} · {meter}", tr.t(quantity.msg())),
        x_label: tr.t(Msg::SecondsAxis).to_string(),
        y_label: quantity.unit().to_string(),
        x_range: [-f64::from(window_s), 0.0],
        series: lines
            .into_iter()
            .map(|(k, points)| Series {
                name: tr.t(PARTS[k]).to_string(),
                color: PHASE_RGB[k],
                points,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::readings::Measurements;

    #[test]
    fn visible_data_is_every_sample_of_the_window_with_units() {
        let mut h = History::with_capacity(100);
        for t in 0..30 {
            let mut m = Measurements::default();
            m.voltage_v.a = 220.0 + f64::from(t);
            h.push(1_796_000_000.0 + f64::from(t), &m);
        }
        let table = visible_table(&h, Quantity::Voltage, [1_796_000_010.0, 1_796_000_019.5], "m").unwrap();
        assert_eq!(table.rows.len(), 10);
        let keys: Vec<&str> = table.columns.iter().map(|c| c.key.as_ref()).collect();
        assert_eq!(
            keys,
            ["timestamp_utc", "voltage_a_V", "voltage_b_V", "voltage_c_V"]
        );
        assert_eq!(table.columns[1].header(Tr::EN), "Voltage Phase A (V)");
        assert_eq!(table.rows[0].cells[1], Cell::Number(230.0));
        let temp = columns(Quantity::Temperature);
        assert_eq!(temp[1].key, "temperature_C");
        assert_eq!(temp[1].header(Tr::EN), "Temperature (°C)");
        assert!(visible_table(&h, Quantity::Voltage, [0.0, 1.0], "m").is_none());
    }
}
