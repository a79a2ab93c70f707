//! `--samples` and `--interval`: the measurement window of the commands
//! that average live readings (wiring check, calibration, report).

use std::time::Duration;

use crate::commissioning::sampler::WindowOptions;

/// How many readings a command averages, and how far apart.
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// Samples in the measurement window.
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub samples: u64,
    /// Time between samples, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub interval: u64,
}

impl WindowArgs {
    /// The window the sampler takes.
    pub fn options(&self) -> WindowOptions {
        WindowOptions {
            samples: usize::try_from(self.samples).unwrap_or(usize::MAX),
            interval: Duration::from_millis(self.interval),
        }
    }
}
