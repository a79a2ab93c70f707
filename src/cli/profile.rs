//! `je08 profile save|apply`: configuration profiles for many meters.
//!
//! `apply` first shows a diff per meter; without `--dry-run` it then writes,
//! saves and reads back each meter and prints a result table. Exit status 1
//! when any meter failed.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::client::endpoint::Endpoint;
use crate::client::modbus::{ClientConfig, DEFAULT_PORT};
use crate::commissioning::profile::{ApplyStatus, MeterResult, Profile, apply, capture};

use super::confirm::ask;
use super::meter::Target;

/// Options of `je08 profile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// `save` or `apply`.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Save a meter's settings (registers 9–19) to a TOML profile.
    Save {
        /// Which meter.
        #[command(flatten)]
        target: Target,
        /// The profile file to write.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
        /// A description stored in the profile.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Apply a profile to meters: diff, write, save, read back, result table.
    Apply {
        /// The profile file.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
        /// The meters, HOST or HOST:PORT.
        #[arg(value_name = "HOST[:PORT]", required = true, value_parser = parse_meter)]
        meters: Vec<Endpoint>,
        /// Only show what would change.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask before writing.
        #[arg(long)]
        yes: bool,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Deadline of each Modbus request, in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 1000,
              value_parser = clap::value_parser!(u64).range(1..=60_000))]
        timeout: u64,
    },
}

fn parse_meter(text: &str) -> Result<Endpoint, String> {
    Endpoint::parse(text, DEFAULT_PORT)
}

fn status(s: ApplyStatus) -> &'static str {
    match s {
        ApplyStatus::Ok => "ok",
        ApplyStatus::Changed => "changed",
        ApplyStatus::WouldChange => "would change",
        ApplyStatus::Failed => "FAILED",
    }
}

/// The result table.
pub fn table(results: &[MeterResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<24} {:>10}  {:<13} details",
        "meter", "device id", "result"
    );
    for r in results {
        let id = r.device_id.map_or_else(|| "-".to_string(), |i| i.to_string());
        let details = match &r.reason {
            Some(reason) => reason.clone(),
            None if r.diff.is_empty() => "already as the profile".to_string(),
            None => r
                .diff
                .iter()
                .map(|d| match d.read_back {
                    Some(rb) => format!("{} {} -> {rb}", d.name, d.current),
                    None => format!("{} {} -> {}", d.name, d.current, d.wanted),
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        let _ = writeln!(
            out,
            "{:<24} {id:>10}  {:<13} {details}",
            r.meter,
            status(r.status)
        );
    }
    out
}

/// Save or apply.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::Save {
            target,
            file,
            description,
        } => {
            let mut client = target.client();
            let profile = capture(&mut client, description).await?;
            client.disconnect().await;
            profile.save(&file)?;
            println!(
                "profile of meter {} (device id {}) saved to {}",
                target.meter,
                profile.meta.source_device_id,
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Action::Apply {
            file,
            meters,
            dry_run,
            yes,
            json,
            timeout,
        } => {
            let profile = Profile::load(&file)?;
            let config = ClientConfig {
                timeout: Duration::from_millis(timeout),
                ..ClientConfig::default()
            };
            let preview = apply(&profile, &meters, true, config).await;
            if dry_run {
                if json {
                    println!("{}", serde_json::to_string_pretty(&preview)?);
                } else {
                    print!("{}", table(&preview));
                }
                return Ok(exit(&preview));
            }
            if !json {
                println!("dry run:");
                print!("{}", table(&preview));
            }
            let to_change = preview
                .iter()
                .filter(|r| r.status == ApplyStatus::WouldChange)
                .count();
            if to_change > 0
                && !ask(
                    &format!("Write the profile to {to_change} meter(s) and save it?"),
                    yes,
                    "refusing to change meters",
                )?
            {
                eprintln!("nothing was changed");
                return Ok(ExitCode::FAILURE);
            }
            let results = apply(&profile, &meters, false, config).await;
            if json {
                println!("{}", serde_json::to_string_pretty(&results)?);
            } else {
                println!("result:");
                print!("{}", table(&results));
            }
            Ok(exit(&results))
        }
    }
}

fn exit(results: &[MeterResult]) -> ExitCode {
    if results.iter().any(|r| r.status == ApplyStatus::Failed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
