//! `je08 reset-energy`: zero a meter's kWh and/or kVArh accumulators.
//!
//! Irreversible, so it asks for confirmation on a terminal; without a
//! terminal it refuses unless `--yes` is given.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use anyhow::bail;

use crate::commissioning::journal;
use je08_client::journal::Origin;
use je08_client::params::{EnergyCounters, EnergyReset, reset_energy};

use super::meter::Target;

/// Options of `je08 reset-energy`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["kwh", "kvarh", "all"]))]
pub struct Args {
    /// Which meter.
    #[command(flatten)]
    pub target: Target,
    /// Zero the active energy (kWh) of phases A, B, C and the total.
    #[arg(long)]
    pub kwh: bool,
    /// Zero the reactive energy (kVArh) of phases A, B, C and the total.
    #[arg(long)]
    pub kvarh: bool,
    /// Zero both.
    #[arg(long)]
    pub all: bool,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
}

fn confirm(question: &str) -> anyhow::Result<bool> {
    errprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

fn line(name: &str, unit: &str, r: Option<EnergyReset>) -> Option<String> {
    r.map(|r| {
        let verdict = if r.took_effect() { "reset" } else { "NOT reset" };
        format!(
            "  {name:<16} total {:.1} {unit} -> {:.1} {unit}  {verdict}",
            r.before, r.after
        )
    })
}

/// Confirm, fire the trigger(s), read back and report.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let which = EnergyCounters {
        kwh: args.kwh || args.all,
        kvarh: args.kvarh || args.all,
    };
    let what = match (which.kwh, which.kvarh) {
        (true, true) => "every kWh and kVArh accumulator",
        (true, false) => "every kWh accumulator",
        _ => "every kVArh accumulator",
    };
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "refusing to zero {what} of meter {} without confirmation: stdin is not a terminal; add --yes to confirm",
                args.target.meter
            );
        }
        let question = format!(
            "Zero {what} (phases A, B, C and total) of meter {}? This cannot be undone.",
            args.target.meter
        );
        if !confirm(&question)? {
            errln!("nothing was changed");
            return Ok(ExitCode::FAILURE);
        }
    }
    let mut client = args.target.client();
    let outcome = reset_energy(&mut client, which).await;
    journal::energy_reset(
        Origin::Cli,
        &args.target.meter.to_string(),
        &format!("zero {what}"),
        &outcome,
    );
    let outcome = outcome?;
    client.disconnect().await;
    outln!("meter {}:", args.target.meter)?;
    for l in [
        line("active energy", "kWh", outcome.kwh),
        line("reactive energy", "kVArh", outcome.kvarh),
    ]
    .into_iter()
    .flatten()
    {
        outln!("{l}")?;
    }
    if outcome.is_ok() {
        Ok(ExitCode::SUCCESS)
    } else {
        errln!(
            "error: meter {}: the energy total did not go down after the reset; the meter may have ignored it — read the meter and try again",
            args.target.meter
        );
        Ok(ExitCode::FAILURE)
    }
}
