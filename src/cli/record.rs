//! `je08 record`: record live readings of one or more meters to CSV or XLSX until
//! the duration passes or Ctrl-C / SIGTERM. Exit status 0 when the
//! duration passed or SIGTERM stopped it (how a service manager ends a
//! recording), 130 after Ctrl-C; the file is complete either way.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::commissioning::export::Format;
use crate::commissioning::record::{RecordOptions, record};
use je08_client::endpoint::{AddressError, Endpoint};
use je08_client::modbus::DEFAULT_PORT;

use super::exit::Outcome;
use super::lang::LangArg;

/// Options of `je08 record`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meters, HOST or HOST:PORT (Modbus TCP port 502 by default).
    #[arg(value_name = "HOST[:PORT]", required = true, value_parser = parse_meter)]
    pub meters: Vec<Endpoint>,
    /// The file to create (a `.xlsx` name makes a workbook unless --format says otherwise).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// csv: `,` `.` and UTC times, for scripts; csv-locale: the --lang conventions
    /// (pt-BR: `;`, decimal comma, local time); xlsx: a workbook, one sheet per meter,
    /// written when the recording ends (rows wait in FILE.partial.csv until then).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Language of csv-locale and xlsx headers and number conventions.
    #[arg(long, value_enum, value_name = "LANG", default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Time between readings, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    pub interval: u64,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Write to the file at least this often, in milliseconds (a crash loses at most this much).
    #[arg(long, value_name = "MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub flush_every: u64,
    /// Deadline of each Modbus request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub timeout: u64,
}

fn parse_meter(text: &str) -> Result<Endpoint, AddressError> {
    Endpoint::parse(text, DEFAULT_PORT)
}

/// Record until done or interrupted.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let duration = match args.duration {
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => anyhow::bail!("--duration {s}: give a positive number of seconds"),
        None => None,
    };
    let options = RecordOptions {
        interval: Duration::from_millis(args.interval),
        duration,
        flush_every: Duration::from_millis(args.flush_every),
        timeout: Duration::from_millis(args.timeout),
    };
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let interrupted = Arc::new(AtomicBool::new(false));
    let ctrl_c = Arc::clone(&interrupted);
    tokio::spawn(async move {
        let term = async {
            #[cfg(unix)]
            if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                s.recv().await;
                return;
            }
            std::future::pending::<()>().await;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => ctrl_c.store(true, Ordering::Relaxed),
            _ = term => {}
        }
        stop.cancel();
    });
    errln!(
        "recording {} meter(s) to {} (Ctrl-C to stop)",
        args.meters.len(),
        args.out.display()
    );
    let format = (Format::for_path(args.format, &args.out), args.lang.tr().0);
    let summary = record(&args.meters, &args.out, format, options, |_| {}, &cancel).await?;
    errln!(
        "{} rows written ({} failed reads, {} energy counter resets bridged)",
        summary.rows,
        summary.failed_reads,
        summary.resets_bridged
    );
    Ok(if interrupted.load(Ordering::Relaxed) {
        Outcome::Interrupted.into()
    } else {
        ExitCode::SUCCESS
    })
}
