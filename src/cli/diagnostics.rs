//! `je08 diagnostics FILE.zip`: the zip the window's Help → Save
//! diagnostics… writes (logs, crash reports, versions, settings and the
//! meters list, without secrets), for sending to support.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::support::diagnostics;

/// Options of `je08 diagnostics`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The zip to write (replaced if it exists).
    #[arg(value_name = "FILE.zip")]
    pub out: PathBuf,
    /// Print what was written as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Write the zip and say where, and what it holds.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let out = args.out.clone();
    let saved = tokio::task::spawn_blocking(move || diagnostics::save(&out, None)).await??;
    if args.json {
        let json = serde_json::json!({
            "file": saved.path,
            "entries": saved.entries,
            "secrets_removed": saved.removed,
        });
        outln!("{json}")?;
    } else {
        outln!("diagnostics written to {}", saved.path.display())?;
        for entry in &saved.entries {
            outln!("  {entry}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
