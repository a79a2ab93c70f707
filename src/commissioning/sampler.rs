//! A window of live samples read from one meter at a fixed interval.

use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::i18n::{Describe, Msg, Tr};
use je08_client::modbus::{ModbusClient, ModbusError};
use je08_protocol::codec::decode;
use je08_protocol::readings::{Measurements, Settings, Snapshot};

/// How many samples to take and how far apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WindowOptions {
    /// Samples in the window (at least 1).
    pub samples: usize,
    /// Time between two samples.
    pub interval: Duration,
}

impl Default for WindowOptions {
    /// Ten samples one second apart.
    fn default() -> Self {
        Self {
            samples: 10,
            interval: Duration::from_secs(1),
        }
    }
}

/// Samples taken with one set of settings in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleWindow {
    /// The readings, oldest first.
    pub samples: Vec<Measurements>,
    /// The settings in force during the whole window.
    pub settings: Settings,
    /// The last full read (identity, readings, settings).
    pub last: Snapshot,
}

/// Why a window could not be taken; said in words by its [`Describe`].
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum SampleError {
    /// A read failed (the client's error names the meter and what to do).
    #[from]
    Modbus(ModbusError),
    /// The user cancelled.
    Cancelled,
    /// Someone changed the meter's settings while sampling.
    SettingsChanged {
        /// The meter.
        meter: String,
    },
}

impl Describe for SampleError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Modbus(err) => err.describe(tr),
            Self::Cancelled => tr.t(Msg::Cancelled).to_owned(),
            Self::SettingsChanged { meter } => tr.f(Msg::SampleSettingsChanged, &[meter]),
        }
    }
}

je08_protocol::english_display!(errors: SampleError);

/// Read `options.samples` full maps `options.interval` apart. `progress`
/// is called with (samples taken, samples wanted) after each read.
pub async fn sample_window(
    client: &mut ModbusClient,
    options: WindowOptions,
    mut progress: impl FnMut(usize, usize) + Send,
    cancel: &CancellationToken,
) -> Result<SampleWindow, SampleError> {
    let wanted = options.samples.max(1);
    let mut ticker = tokio::time::interval(options.interval.max(Duration::from_millis(1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut samples = Vec::with_capacity(wanted);
    let mut first_settings: Option<Settings> = None;
    let mut last = None;
    while samples.len() < wanted {
        tokio::select! {
            _ = cancel.cancelled() => return Err(SampleError::Cancelled),
            _ = ticker.tick() => {}
        }
        let block = tokio::select! {
            _ = cancel.cancelled() => return Err(SampleError::Cancelled),
            block = client.read_map() => block?,
        };
        let snapshot = decode(&block);
        match first_settings {
            None => first_settings = Some(snapshot.settings),
            Some(s) if s != snapshot.settings => {
                return Err(SampleError::SettingsChanged {
                    meter: client.meter().to_string(),
                });
            }
            Some(_) => {}
        }
        samples.push(snapshot.measurements.clone());
        last = Some(snapshot);
        progress(samples.len(), wanted);
    }
    match (first_settings, last) {
        (Some(settings), Some(last)) => Ok(SampleWindow {
            samples,
            settings,
            last,
        }),
        // The loop takes at least one sample.
        _ => Err(SampleError::Cancelled),
    }
}
