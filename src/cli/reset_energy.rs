//! `je08 reset-energy`: zero a meter's kWh and/or kVArh accumulators.
//!
//! Irreversible, so it asks for confirmation on a terminal; without a
//! terminal it refuses unless `--yes` is given (exit status 5). `--json`
//! prints each counter before and after (docs/cli-json.md).

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use crate::commissioning::journal;
use je08_client::journal::Origin;
use je08_client::params::{EnergyCounters, EnergyReset, reset_energy};
use serde_json::{Value, json};

use super::exit::{Outcome, fail, refused};
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
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
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
            return Err(refused(anyhow::anyhow!(
                "refusing to zero {what} of meter {} without confirmation: stdin is not a terminal; add --yes to confirm",
                args.target.meter
            )));
        }
        let question = format!(
            "Zero {what} (phases A, B, C and total) of meter {}? This cannot be undone.",
            args.target.meter
        );
        if !confirm(&question)? {
            return Err(refused(anyhow::anyhow!("nothing was changed: not confirmed")));
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
    let meter = args.target.meter.to_string();
    if args.json {
        outln!(
            "{}",
            json!({
                "meter": meter,
                "ok": outcome.is_ok(),
                "kwh": counter_json(outcome.kwh, "kwh"),
                "kvarh": counter_json(outcome.kvarh, "kvarh"),
            })
        )?;
    } else {
        outln!("meter {meter}:")?;
        for l in [
            line("active energy", "kWh", outcome.kwh),
            line("reactive energy", "kVArh", outcome.kvarh),
        ]
        .into_iter()
        .flatten()
        {
            outln!("{l}")?;
        }
    }
    if outcome.is_ok() {
        Ok(ExitCode::SUCCESS)
    } else {
        let message = format!(
            "meter {meter}: the energy total did not go down after the reset; the meter may have ignored it — read the meter and try again"
        );
        Ok(fail(args.json, Outcome::Failed, Some(&meter), &message))
    }
}

/// One counter's reset as JSON, the unit in the keys (`before_kwh`, `after_kwh`, `reset`).
fn counter_json(r: Option<EnergyReset>, unit: &str) -> Value {
    r.map_or(Value::Null, |r| {
        json!({
            format!("before_{unit}"): r.before,
            format!("after_{unit}"): r.after,
            "reset": r.took_effect(),
        })
    })
}
