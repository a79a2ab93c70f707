//! Recording live readings of several meters to a file in one of the
//! export formats ([`Format`]).
//!
//! One row per meter and interval; the plain CSV has ISO 8601 UTC
//! timestamps and units in the header keys. Rows are buffered in memory and
//! written to the file as whole lines every `flush_every`, so a crash loses
//! at most that much and never leaves half a line. A workbook can only be
//! written whole: its rows go to a plain CSV beside it
//! (`FILE.xlsx.partial.csv`) the same way, which becomes the workbook (one
//! sheet per meter) when the recording ends and is then removed. The meter zeroes its energy counters on every reboot:
//! the recorder notices the drop and keeps a continuous total beside the
//! meter's own, saying so in the `note` column.

use std::fmt;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use futures::future::join_all;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::export::csv_text::{self, BOM, CsvStyle};
use super::export::{self, Cell, Column, Format, Kind, PlainTime, Table};
use crate::i18n::{Describe, Lang, Msg, Tr};
use je08_client::endpoint::Endpoint;
use je08_client::modbus::{ClientConfig, ModbusClient};
use je08_protocol::codec::decode;
use je08_protocol::readings::Snapshot;

/// The columns of a recording: plain CSV key (units after the last
/// underscore), header in words, unit, kind.
pub const COLUMNS: [Column; 22] = [
    Column::new("timestamp_utc", Msg::ColTime, None, Kind::Time(PlainTime::Millis)),
    Column::new("meter", Msg::ColMeter, None, Kind::Text),
    Column::new("device_id", Msg::ColDeviceId, None, Kind::Integer),
    Column::new("voltage_a_V", Msg::ColVoltageA, Some("V"), Kind::Number(0)),
    Column::new("voltage_b_V", Msg::ColVoltageB, Some("V"), Kind::Number(0)),
    Column::new("voltage_c_V", Msg::ColVoltageC, Some("V"), Kind::Number(0)),
    Column::new("current_a_A", Msg::ColCurrentA, Some("A"), Kind::Number(1)),
    Column::new("current_b_A", Msg::ColCurrentB, Some("A"), Kind::Number(1)),
    Column::new("current_c_A", Msg::ColCurrentC, Some("A"), Kind::Number(1)),
    Column::new(
        "active_power_total_kW",
        Msg::ColActiveTotal,
        Some("kW"),
        Kind::Number(1),
    ),
    Column::new(
        "reactive_power_total_kVAr",
        Msg::ColReactiveTotal,
        Some("kVAr"),
        Kind::Number(1),
    ),
    Column::new(
        "apparent_power_total_kVA",
        Msg::ColApparentTotal,
        Some("kVA"),
        Kind::Number(1),
    ),
    Column::new("power_factor_total", Msg::ColPfTotal, None, Kind::Number(3)),
    Column::new("frequency_Hz", Msg::Frequency, Some("Hz"), Kind::Number(2)),
    Column::new("temperature_C", Msg::Temperature, Some("°C"), Kind::Number(1)),
    Column::new(
        "energy_meter_kWh",
        Msg::ColEnergyMeter,
        Some("kWh"),
        Kind::Number(1),
    ),
    Column::new(
        "energy_continuous_kWh",
        Msg::ColEnergyContinuous,
        Some("kWh"),
        Kind::Number(1),
    ),
    Column::new(
        "reactive_energy_meter_kVArh",
        Msg::ColReactiveEnergyMeter,
        Some("kVArh"),
        Kind::Number(1),
    ),
    Column::new(
        "reactive_energy_continuous_kVArh",
        Msg::ColReactiveEnergyContinuous,
        Some("kVArh"),
        Kind::Number(1),
    ),
    Column::new("uptime_s", Msg::ColUptime, Some("s"), Kind::Integer),
    Column::new("status", Msg::ColStatus, None, Kind::Text),
    Column::new("note", Msg::ColNote, None, Kind::Text),
];

/// The plain CSV header (the columns' keys; a test holds them equal).
pub const HEADER: [&str; 22] = [
    "timestamp_utc",
    "meter",
    "device_id",
    "voltage_a_V",
    "voltage_b_V",
    "voltage_c_V",
    "current_a_A",
    "current_b_A",
    "current_c_A",
    "active_power_total_kW",
    "reactive_power_total_kVAr",
    "apparent_power_total_kVA",
    "power_factor_total",
    "frequency_Hz",
    "temperature_C",
    "energy_meter_kWh",
    "energy_continuous_kWh",
    "reactive_energy_meter_kVArh",
    "reactive_energy_continuous_kVArh",
    "uptime_s",
    "status",
    "note",
];

/// Index of the `status` column (`ok` or `unreachable`).
pub const STATUS: usize = 20;

/// Note written when a counter drop was bridged.
pub const NOTE_CONTINUED: &str = "meter rebooted or counters reset: energy counter continued";

/// Keeps one energy total continuous across counter resets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ContinuousCounter {
    offset: f64,
    last_raw: Option<f64>,
}

impl ContinuousCounter {
    /// Feed the meter's value; `rebooted` when the uptime went back. Returns
    /// the continuous total and whether a reset was bridged.
    pub fn update(&mut self, raw: f64, rebooted: bool) -> (f64, bool) {
        let mut bridged = false;
        if let Some(last) = self.last_raw
            && (raw + 0.05 < last || rebooted)
        {
            self.offset += last;
            bridged = true;
        }
        self.last_raw = Some(raw);
        (self.offset + raw, bridged)
    }
}

/// Continuity state of one meter.
#[derive(Debug, Clone, Copy, Default)]
struct MeterTrack {
    kwh: ContinuousCounter,
    kvarh: ContinuousCounter,
    last_uptime: Option<u32>,
}

/// Options of a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordOptions {
    /// Time between two readings of each meter.
    pub interval: Duration,
    /// Stop after this long; `None`: until cancelled.
    pub duration: Option<Duration>,
    /// Write buffered rows to the file this often.
    pub flush_every: Duration,
    /// Deadline of each Modbus request.
    pub timeout: Duration,
}

impl Default for RecordOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            duration: None,
            flush_every: Duration::from_secs(2),
            timeout: Duration::from_secs(1),
        }
    }
}

/// What a recording did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordSummary {
    /// Rows written (readings and failures).
    pub rows: u64,
    /// Rows where the meter could not be read.
    pub failed_reads: u64,
    /// Counter resets bridged.
    pub resets_bridged: u64,
}

/// Why a recording stopped with an error; said in words by its [`Describe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// The file could not be created or written.
    File {
        /// The file.
        path: String,
        /// What the operating system (or the CSV writer) said.
        detail: String,
    },
}

impl Describe for RecordError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::File { path, detail } => tr.f(Msg::RecordWrite, &[path, detail]),
        }
    }
}

je08_protocol::english_display!(errors: RecordError);

/// One row for a reading; updates the continuity state.
fn reading_row(meter: &Endpoint, s: &Snapshot, track: &mut MeterTrack) -> (Vec<Cell>, bool) {
    let m = &s.measurements;
    let rebooted = track.last_uptime.is_some_and(|u| s.device.uptime_s < u);
    track.last_uptime = Some(s.device.uptime_s);
    let (kwh, a) = track.kwh.update(m.energy_kwh.total, rebooted);
    let (kvarh, b) = track.kvarh.update(m.energy_kvarh.total, rebooted);
    let bridged = a || b;
    let v = m.voltage_v.to_array();
    let i = m.current_a.to_array();
    let row = vec![
        Cell::Time(Utc::now()),
        Cell::Text(meter.to_string()),
        Cell::Integer(i64::from(s.device.id)),
        Cell::Number(v[0]),
        Cell::Number(v[1]),
        Cell::Number(v[2]),
        Cell::Number(i[0]),
        Cell::Number(i[1]),
        Cell::Number(i[2]),
        Cell::Number(m.active_power_kw.total),
        Cell::Number(m.reactive_power_kvar.total),
        Cell::Number(m.apparent_power_kva.total),
        Cell::Number(m.power_factor.total),
        Cell::Number(m.frequency_hz),
        m.temperature_c.map_or(Cell::Empty, Cell::Number),
        Cell::Number(m.energy_kwh.total),
        Cell::Number(kwh),
        Cell::Number(m.energy_kvarh.total),
        Cell::Number(kvarh),
        Cell::Integer(i64::from(s.device.uptime_s)),
        Cell::Text("ok".to_string()),
        if bridged {
            Cell::Text(NOTE_CONTINUED.to_string())
        } else {
            Cell::Empty
        },
    ];
    (row, bridged)
}

fn failure_row(meter: &Endpoint, error: &str) -> Vec<Cell> {
    let mut row = vec![Cell::Empty; COLUMNS.len()];
    row[0] = Cell::Time(Utc::now());
    row[1] = Cell::Text(meter.to_string());
    row[STATUS] = Cell::Text("unreachable".to_string());
    row[STATUS + 1] = Cell::Text(error.to_string());
    row
}

/// A new CSV file a recording appends whole lines to, in `style`.
struct CsvFile {
    file: File,
    path: String,
    style: CsvStyle,
    buffer: csv::Writer<Vec<u8>>,
}

impl CsvFile {
    /// A new file starting with the header (and a localized CSV's byte-order mark).
    fn create(path: &Path, style: CsvStyle) -> Result<Self, RecordError> {
        let path = path.display().to_string();
        let file = File::create(&path).map_err(|e| failed(&path, e))?;
        let start = if style.plain {
            Vec::new()
        } else {
            BOM.as_bytes().to_vec()
        };
        let mut sink = Self {
            file,
            path,
            style,
            buffer: style.writer(start),
        };
        let header = style.header(&COLUMNS);
        sink.buffer
            .write_record(&header)
            .map_err(|e| failed(&sink.path, e))?;
        sink.flush()?;
        Ok(sink)
    }

    fn push(&mut self, row: &[Cell]) -> Result<(), RecordError> {
        let fields = self.style.row(&COLUMNS, row);
        self.buffer
            .write_record(&fields)
            .map_err(|e| failed(&self.path, e))
    }

    /// Write every buffered line in one write and push it to the disk.
    fn flush(&mut self) -> Result<(), RecordError> {
        let full = std::mem::replace(&mut self.buffer, self.style.writer(Vec::new()));
        let bytes = full.into_inner().map_err(|e| failed(&self.path, e))?;
        if bytes.is_empty() {
            return Ok(());
        }
        self.file.write_all(&bytes).map_err(|e| failed(&self.path, e))?;
        self.file.sync_data().map_err(|e| failed(&self.path, e))
    }
}

/// Where a recording's rows go: a CSV written as it goes, or, for a
/// workbook, a plain CSV beside it (`FILE.xlsx.partial.csv`, so a crash
/// keeps every row) turned into the workbook at the end and then removed.
struct Sink {
    csv: CsvFile,
    workbook: Option<(PathBuf, PathBuf, Lang)>,
}

impl Sink {
    fn create(out: &Path, format: Format, lang: Lang) -> Result<Self, RecordError> {
        match format.csv_style(lang) {
            Some(style) => Ok(Self {
                csv: CsvFile::create(out, style)?,
                workbook: None,
            }),
            None => {
                let partial = partial_path(out);
                Ok(Self {
                    csv: CsvFile::create(&partial, CsvStyle::PLAIN)?,
                    workbook: Some((out.to_path_buf(), partial, lang)),
                })
            }
        }
    }

    /// Flush, and make the workbook of a workbook recording.
    fn finish(self) -> Result<(), RecordError> {
        let Self { mut csv, workbook } = self;
        csv.flush()?;
        // Closed before it is read and removed (Windows cannot remove an open file).
        drop(csv);
        let Some((out, partial, lang)) = workbook else {
            return Ok(());
        };
        let text = std::fs::read(&partial).map_err(|e| failed(&partial.display().to_string(), e))?;
        let rows =
            csv_text::read_plain(&COLUMNS, &text).map_err(|e| failed(&partial.display().to_string(), e))?;
        export::save(&out, &by_meter(rows), Format::Xlsx, lang).map_err(|e| failed(&e.path, e.detail))?;
        std::fs::remove_file(&partial).map_err(|e| failed(&partial.display().to_string(), e))
    }
}

/// Where a workbook recording keeps its rows until it ends.
pub fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial.csv");
    PathBuf::from(name)
}

/// Rows on one sheet per meter, named by the meter's device id (once a
/// reading gave it) and address.
pub fn by_meter(rows: Vec<Vec<Cell>>) -> Table {
    let text = |row: &[Cell], at: usize| match row.get(at) {
        Some(Cell::Text(m)) => m.clone(),
        _ => String::new(),
    };
    let mut ids: Vec<(String, i64)> = Vec::new();
    for row in &rows {
        if let Some(Cell::Integer(id)) = row.get(2) {
            let meter = text(row, 1);
            if !ids.iter().any(|(m, _)| *m == meter) {
                ids.push((meter, *id));
            }
        }
    }
    let mut table = Table::new(&COLUMNS);
    for row in rows {
        let meter = text(&row, 1);
        let sheet = match ids.iter().find(|(m, _)| *m == meter) {
            Some((_, id)) => format!("{id} {meter}"),
            None => meter,
        };
        table.push(&sheet, row);
    }
    table
}

/// Writing `path` failed with `detail`.
fn failed(path: &str, detail: impl fmt::Display) -> RecordError {
    RecordError::File {
        path: path.to_owned(),
        detail: detail.to_string(),
    }
}

/// Record `meters` to a new file at `out` in `format` (a localized CSV's
/// and a workbook's headers in `lang`) until `options.duration` has passed
/// or `cancel` fires; `on_row` sees every row (for a live view).
pub async fn record(
    meters: &[Endpoint],
    out: &Path,
    (format, lang): (Format, Lang),
    options: RecordOptions,
    mut on_row: impl FnMut(&[Cell]) + Send,
    cancel: &CancellationToken,
) -> Result<RecordSummary, RecordError> {
    let mut sink = Sink::create(out, format, lang)?;
    let mut clients: Vec<ModbusClient> = meters
        .iter()
        .map(|m| {
            ModbusClient::new(
                m.clone(),
                ClientConfig {
                    timeout: options.timeout,
                    ..ClientConfig::default()
                },
            )
        })
        .collect();
    let mut tracks = vec![MeterTrack::default(); meters.len()];
    let mut summary = RecordSummary {
        rows: 0,
        failed_reads: 0,
        resets_bridged: 0,
    };
    let started = tokio::time::Instant::now();
    let mut ticker = tokio::time::interval(options.interval.max(Duration::from_millis(10)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_flush = tokio::time::Instant::now();
    loop {
        if options.duration.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = ticker.tick() => {}
        }
        for client in &mut clients {
            // A meter that failed is retried at once on the next tick.
            if !client.is_connected() {
                client.reset_backoff();
            }
        }
        let reads = join_all(clients.iter_mut().map(|c| c.read_map())).await;
        for ((meter, track), read) in meters.iter().zip(tracks.iter_mut()).zip(reads) {
            let row = match read {
                Ok(block) => {
                    let (row, bridged) = reading_row(meter, &decode(&block), track);
                    summary.resets_bridged += u64::from(bridged);
                    row
                }
                Err(e) => {
                    summary.failed_reads += 1;
                    failure_row(meter, &e.to_string())
                }
            };
            on_row(&row);
            sink.csv.push(&row)?;
            summary.rows += 1;
        }
        if last_flush.elapsed() >= options.flush_every {
            sink.csv.flush()?;
            last_flush = tokio::time::Instant::now();
        }
    }
    for client in &mut clients {
        client.disconnect().await;
    }
    let finish = tokio::task::spawn_blocking(move || sink.finish());
    finish
        .await
        .map_err(|e| failed(&out.display().to_string(), e))??;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_the_columns_keys() {
        let columns = COLUMNS;
        let keys: Vec<&str> = columns.iter().map(|c| c.key.as_ref()).collect();
        assert_eq!(keys, HEADER);
        assert_eq!(HEADER[STATUS], "status");
    }

    #[test]
    fn a_counter_drop_is_bridged_and_the_total_never_decreases() {
        let mut c = ContinuousCounter::default();
        assert_eq!(c.update(10.0, false), (10.0, false));
        assert_eq!(c.update(12.0, false), (12.0, false));
        assert_eq!(c.update(0.0, false), (12.0, true));
        assert_eq!(c.update(3.0, false), (15.0, false));
        // A reboot seen on the uptime, with the counter already past the old value.
        assert_eq!(c.update(4.0, true), (19.0, true));
    }
}
