//! Recording live readings of several meters to CSV.
//!
//! One row per meter and interval, ISO 8601 UTC timestamps, units in the
//! header. Rows are buffered in memory and written to the file as whole
//! lines every `flush_every`, so a crash loses at most that much and never
//! leaves half a line. The meter zeroes its energy counters on every reboot:
//! the recorder notices the drop and keeps a continuous total beside the
//! meter's own, saying so in the `note` column.

use std::fmt;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use futures::future::join_all;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::i18n::{Describe, Msg, Tr};
use je08_client::endpoint::Endpoint;
use je08_client::modbus::{ClientConfig, ModbusClient};
use je08_protocol::codec::decode;
use je08_protocol::readings::Snapshot;

/// The CSV header; units after the last underscore.
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

fn fmt(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}")
}

/// One CSV row for a reading; updates the continuity state.
fn reading_row(meter: &Endpoint, s: &Snapshot, track: &mut MeterTrack) -> (Vec<String>, bool) {
    let m = &s.measurements;
    let rebooted = track.last_uptime.is_some_and(|u| s.device.uptime_s < u);
    track.last_uptime = Some(s.device.uptime_s);
    let (kwh, a) = track.kwh.update(m.energy_kwh.total, rebooted);
    let (kvarh, b) = track.kvarh.update(m.energy_kvarh.total, rebooted);
    let bridged = a || b;
    let v = m.voltage_v.to_array();
    let i = m.current_a.to_array();
    let row = vec![
        Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        meter.to_string(),
        s.device.id.to_string(),
        fmt(v[0], 0),
        fmt(v[1], 0),
        fmt(v[2], 0),
        fmt(i[0], 1),
        fmt(i[1], 1),
        fmt(i[2], 1),
        fmt(m.active_power_kw.total, 1),
        fmt(m.reactive_power_kvar.total, 1),
        fmt(m.apparent_power_kva.total, 1),
        fmt(m.power_factor.total, 3),
        fmt(m.frequency_hz, 2),
        m.temperature_c.map_or_else(String::new, |t| fmt(t, 1)),
        fmt(m.energy_kwh.total, 1),
        fmt(kwh, 1),
        fmt(m.energy_kvarh.total, 1),
        fmt(kvarh, 1),
        s.device.uptime_s.to_string(),
        "ok".to_string(),
        if bridged {
            NOTE_CONTINUED.to_string()
        } else {
            String::new()
        },
    ];
    (row, bridged)
}

fn failure_row(meter: &Endpoint, error: &str) -> Vec<String> {
    let mut row = vec![String::new(); HEADER.len()];
    row[0] = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    row[1] = meter.to_string();
    row[HEADER.len() - 2] = "unreachable".to_string();
    row[HEADER.len() - 1] = error.to_string();
    row
}

/// Buffers whole CSV lines and appends them to the file on flush.
struct Sink {
    file: File,
    path: String,
    buffer: csv::Writer<Vec<u8>>,
}

impl Sink {
    fn create(path: &Path) -> Result<Self, RecordError> {
        let path = path.display().to_string();
        let file = File::create(&path).map_err(|e| failed(&path, e))?;
        let mut sink = Self {
            file,
            path,
            buffer: csv::Writer::from_writer(Vec::new()),
        };
        sink.push(HEADER.iter().map(|s| s.to_string()).collect())?;
        sink.flush()?;
        Ok(sink)
    }

    fn push(&mut self, row: Vec<String>) -> Result<(), RecordError> {
        self.buffer.write_record(&row).map_err(|e| failed(&self.path, e))
    }

    /// Write every buffered line in one write and push it to the disk.
    fn flush(&mut self) -> Result<(), RecordError> {
        let full = std::mem::replace(&mut self.buffer, csv::Writer::from_writer(Vec::new()));
        let bytes = full.into_inner().map_err(|e| failed(&self.path, e))?;
        if bytes.is_empty() {
            return Ok(());
        }
        self.file.write_all(&bytes).map_err(|e| failed(&self.path, e))?;
        self.file.sync_data().map_err(|e| failed(&self.path, e))
    }
}

/// Writing `path` failed with `detail`.
fn failed(path: &str, detail: impl fmt::Display) -> RecordError {
    RecordError::File {
        path: path.to_owned(),
        detail: detail.to_string(),
    }
}

/// Record `meters` to a new CSV file at `out` until `options.duration` has
/// passed or `cancel` fires; `on_row` sees every row (for a live view).
pub async fn record(
    meters: &[Endpoint],
    out: &Path,
    options: RecordOptions,
    mut on_row: impl FnMut(&[String]) + Send,
    cancel: &CancellationToken,
) -> Result<RecordSummary, RecordError> {
    let mut sink = Sink::create(out)?;
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
            sink.push(row)?;
            summary.rows += 1;
        }
        if last_flush.elapsed() >= options.flush_every {
            sink.flush()?;
            last_flush = tokio::time::Instant::now();
        }
    }
    sink.flush()?;
    for client in &mut clients {
        client.disconnect().await;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

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
