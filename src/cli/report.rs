//! `je08 report`: a commissioning report (PDF) for one meter or a batch.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use crate::analysis::wiring::Expectation;
use crate::client::endpoint::Endpoint;
use crate::client::modbus::{ClientConfig, DEFAULT_PORT, ModbusClient};
use crate::commissioning::sampler::WindowOptions;
use crate::commissioning::wiring_check::run_check;
use crate::commissioning::{pdf, report};

/// Options of `je08 report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meters, HOST or HOST:PORT.
    #[arg(value_name = "HOST[:PORT]", required = true, value_parser = parse_meter)]
    pub meters: Vec<Endpoint>,
    /// The PDF file to write.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// Samples of the wiring check window.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub samples: usize,
    /// Time between samples, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub interval: u64,
}

fn parse_meter(text: &str) -> Result<Endpoint, String> {
    Endpoint::parse(text, DEFAULT_PORT)
}

/// Check every meter and write the report.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cancel = CancellationToken::new();
    let window = WindowOptions {
        samples: args.samples.max(1),
        interval: Duration::from_millis(args.interval.max(1)),
    };
    let mut checks = Vec::new();
    for meter in &args.meters {
        let mut client = ModbusClient::new(meter.clone(), ClientConfig::default());
        let result = run_check(&mut client, window, &Expectation::default(), |_, _| {}, &cancel).await;
        client.disconnect().await;
        checks.push(result.map_err(|e| (meter.to_string(), e.to_string())));
    }
    pdf::write(&report::document(&checks), &args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("report written to {}", args.out.display());
    Ok(if checks.iter().all(Result::is_ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
