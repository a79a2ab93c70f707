//! `je08 certs check`: the certificate pre-flight on files, before they are
//! used with a broker or uploaded to a meter.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use crate::certs::{PemFile, Report, check};

/// Options of `je08 certs`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The `je08 certs` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Check a CA certificate and optionally a client certificate and key
    /// (exit status 1 when anything is wrong).
    Check(CheckArgs),
}

/// Options of `je08 certs check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// CA certificate (PEM).
    #[arg(long, value_name = "FILE")]
    pub ca: PathBuf,
    /// Client certificate (PEM).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Client private key (PEM); its content is never printed.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `je08 certs …`.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Action::Check(args) = args.action;
    let report = check_files(&args);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for c in &report.certificates {
            println!(
                "{}: {} (issuer {}), {}, valid {} to {}",
                c.file, c.subject, c.issuer, c.key, c.not_before, c.not_after
            );
        }
        for p in &report.problems {
            println!("problem: {}", p.message);
        }
        if report.is_ok() {
            println!("ok: the meter can use these files");
        }
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check_files(args: &CheckArgs) -> Report {
    let mut unreadable = Vec::new();
    let mut read = |p: &PathBuf| PemFile::read(p).map_err(|e| unreadable.push(e)).ok();
    let ca = read(&args.ca);
    let cert = args.cert.as_ref().and_then(&mut read);
    let key = args.key.as_ref().and_then(&mut read);
    let mut report = match (&ca, &cert, &key) {
        (Some(ca), Some(c), Some(k)) => check(ca, Some((c, k)), SystemTime::now()),
        (Some(ca), _, _) => check(ca, None, SystemTime::now()),
        _ => Report::default(),
    };
    unreadable.extend(report.problems);
    report.problems = unreadable;
    report
}
