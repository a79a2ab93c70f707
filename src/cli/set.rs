//! `je08 set`: change a meter's CT, inversion and gain settings.
//!
//! Every value is validated before anything is sent; then the change is
//! written (one request), saved with SAVE_PARAMS, read back and compared.
//! Exit status 1 on a read-back mismatch, 5 on a refused value (see
//! [`super::exit`]). `--json` prints the field-by-field outcome
//! (docs/cli-json.md).

use std::process::ExitCode;

use anyhow::bail;

use crate::commissioning::journal::{self, asked_settings};
use je08_client::journal::{Kind, Origin};
use je08_client::params::{ApplyOptions, SettingsOutcome, apply_settings};
use je08_protocol::registers::addr;
use je08_protocol::validate::{WritePlan, validate_write};
use serde_json::{Value, json};

use super::exit::{Outcome, fail, refused};
use super::meter::Target;

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    /// Invert the phase's current (register value 1).
    On,
    /// Normal polarity (0).
    Off,
}

/// Options of `je08 set`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which meter.
    #[command(flatten)]
    pub target: Target,
    /// CT ratio N, meaning N×5 A : 5 A (100 = 500 A / 5 A); 20–400.
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "ct_primary",
        allow_negative_numbers = true
    )]
    pub ct_ratio: Option<i64>,
    /// CT primary current in amps (a multiple of 5, e.g. 500 for a 500/5 A CT); 100–2000.
    #[arg(long, value_name = "A", allow_negative_numbers = true)]
    pub ct_primary: Option<i64>,
    /// Invert phase A's current.
    #[arg(long, value_name = "on|off")]
    pub invert_a: Option<OnOff>,
    /// Invert phase B's current.
    #[arg(long, value_name = "on|off")]
    pub invert_b: Option<OnOff>,
    /// Invert phase C's current.
    #[arg(long, value_name = "on|off")]
    pub invert_c: Option<OnOff>,
    /// Voltage gain of phase A (1000 = ×1.000); 500–1500.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gain_voltage_a: Option<i64>,
    /// Voltage gain of phase B; 500–1500.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gain_voltage_b: Option<i64>,
    /// Voltage gain of phase C; 500–1500.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gain_voltage_c: Option<i64>,
    /// Current gain of phase A (1000 = ×1.000); 100–1500.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gain_current_a: Option<i64>,
    /// Current gain of phase B; 100–1500.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gain_current_b: Option<i64>,
    /// Current gain of phase C; 100–1500.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gain_current_c: Option<i64>,
    /// Frequency gain; 0–65535.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub gain_frequency: Option<i64>,
    /// Restore the default gains first (DEFAULT_PARAMS), then apply the
    /// other options.
    #[arg(long)]
    pub defaults: bool,
    /// Do not trigger SAVE_PARAMS: the change is lost at the next reboot.
    #[arg(long)]
    pub no_save: bool,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The command-line option that sets a register, for messages.
fn option_name(a: u16) -> &'static str {
    match a {
        addr::RELACAO_TC => "--ct-ratio",
        addr::INVERTE_TC_FASE_A => "--invert-a",
        addr::INVERTE_TC_FASE_B => "--invert-b",
        addr::INVERTE_TC_FASE_C => "--invert-c",
        addr::GANHO_TENSAO_A => "--gain-voltage-a",
        addr::GANHO_TENSAO_B => "--gain-voltage-b",
        addr::GANHO_TENSAO_C => "--gain-voltage-c",
        addr::GANHO_CORRENTE_A => "--gain-current-a",
        addr::GANHO_CORRENTE_B => "--gain-current-b",
        addr::GANHO_CORRENTE_C => "--gain-current-c",
        addr::GANHO_FREQUENCIA => "--gain-frequency",
        _ => "",
    }
}

/// A plain-words name of a settings register.
fn describe(a: u16) -> &'static str {
    match a {
        addr::RELACAO_TC => "CT ratio",
        addr::INVERTE_TC_FASE_A => "invert CT A",
        addr::INVERTE_TC_FASE_B => "invert CT B",
        addr::INVERTE_TC_FASE_C => "invert CT C",
        addr::GANHO_TENSAO_A => "voltage gain A",
        addr::GANHO_TENSAO_B => "voltage gain B",
        addr::GANHO_TENSAO_C => "voltage gain C",
        addr::GANHO_CORRENTE_A => "current gain A",
        addr::GANHO_CORRENTE_B => "current gain B",
        addr::GANHO_CORRENTE_C => "current gain C",
        addr::GANHO_FREQUENCIA => "frequency gain",
        _ => "",
    }
}

/// The requested writes, validated: the first bad value refuses them all.
pub fn plan(args: &Args) -> anyhow::Result<WritePlan> {
    let invert = |v: Option<OnOff>| v.map(|o| i64::from(o == OnOff::On));
    let ct_ratio = match args.ct_primary {
        None => args.ct_ratio,
        Some(amps) if amps % 5 != 0 || amps <= 0 => bail!(
            "--ct-primary {amps}: the CT primary must be a positive multiple of 5 A (the meter stores N for N×5 A : 5 A); allowed 100–2000 A; nothing was written"
        ),
        Some(amps) => {
            let n = amps / 5;
            if let Err(e) = validate_write(addr::RELACAO_TC, n) {
                bail!("--ct-primary {amps} A means a CT ratio of {n}: {e} (100–2000 A); nothing was written");
            }
            Some(n)
        }
    };
    let requested: Vec<(u16, i64)> = [
        (addr::RELACAO_TC, ct_ratio),
        (addr::INVERTE_TC_FASE_A, invert(args.invert_a)),
        (addr::INVERTE_TC_FASE_B, invert(args.invert_b)),
        (addr::INVERTE_TC_FASE_C, invert(args.invert_c)),
        (addr::GANHO_TENSAO_A, args.gain_voltage_a),
        (addr::GANHO_TENSAO_B, args.gain_voltage_b),
        (addr::GANHO_TENSAO_C, args.gain_voltage_c),
        (addr::GANHO_CORRENTE_A, args.gain_current_a),
        (addr::GANHO_CORRENTE_B, args.gain_current_b),
        (addr::GANHO_CORRENTE_C, args.gain_current_c),
        (addr::GANHO_FREQUENCIA, args.gain_frequency),
    ]
    .into_iter()
    .filter_map(|(a, v)| v.map(|v| (a, v)))
    .collect();
    for &(a, v) in &requested {
        if let Err(e) = validate_write(a, v) {
            bail!("{} {v}: {e}; nothing was written", option_name(a));
        }
    }
    Ok(WritePlan::new(&requested)?)
}

/// Validate, write, save, read back and report.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let address = args.target.meter.to_string();
    let plan = plan(&args)
        .inspect_err(|e| {
            journal::refused_before_sending(Origin::Cli, Kind::Settings, &address, "set", &e.to_string())
        })
        .map_err(refused)?;
    if plan.is_empty() && !args.defaults {
        return Err(refused(anyhow::anyhow!(
            "nothing to set: give at least one of --ct-ratio, --ct-primary, --invert-a/b/c, --gain-voltage-a/b/c, --gain-current-a/b/c, --gain-frequency or --defaults"
        )));
    }
    let mut client = args.target.client();
    let options = ApplyOptions {
        restore_defaults: args.defaults,
        save: !args.no_save,
    };
    let outcome = apply_settings(&mut client, &plan, options).await;
    journal::settings(
        Origin::Cli,
        &address,
        &asked_settings(&plan, args.defaults),
        &outcome,
    );
    let outcome = outcome?;
    client.disconnect().await;
    let meter = args.target.meter.to_string();
    if args.json {
        outln!("{}", report_json(&meter, &outcome))?;
    } else {
        out!("{}", report(&meter, &outcome))?;
    }
    if outcome.is_ok() {
        Ok(ExitCode::SUCCESS)
    } else {
        let message = format!(
            "meter {meter}: {} setting(s) did not read back as written; the meter may have refused them or another client changed them — read the meter (je08 read) and try again",
            outcome.mismatches.len()
        );
        Ok(fail(args.json, Outcome::Failed, Some(&meter), &message))
    }
}

/// The JSON outcome of a settings change (docs/cli-json.md, `set`).
pub fn report_json(meter: &str, outcome: &SettingsOutcome) -> Value {
    let fields: Vec<Value> = outcome
        .relevant()
        .map(|f| {
            json!({
                "register": f.addr,
                "name": f.name,
                "description": describe(f.addr),
                "before": f.before,
                "wanted": f.wanted,
                "read_back": f.read_back,
                "changed": f.changed(),
                "ok": f.ok(),
            })
        })
        .collect();
    json!({
        "meter": meter,
        "ok": outcome.is_ok(),
        "defaults_restored": outcome.defaults_restored,
        "saved": outcome.saved,
        "fields": fields,
    })
}

/// Field-by-field report of a settings change.
pub fn report(meter: &str, outcome: &SettingsOutcome) -> String {
    use std::fmt::Write as _;
    let mut out = format!("meter {meter}:\n");
    if outcome.defaults_restored {
        out.push_str("  default gains restored (DEFAULT_PARAMS)\n");
    }
    for f in outcome.relevant() {
        let status = match (f.ok(), f.changed(), f.wanted) {
            (false, _, Some(w)) => format!("MISMATCH: wrote {w}, read back {}", f.read_back),
            (true, true, _) => "changed".to_string(),
            _ => "unchanged (already set)".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<16} {:<18} (register {:>2})  {:>5} -> {:<5}  {status}",
            describe(f.addr),
            f.name,
            f.addr,
            f.before,
            f.read_back
        );
    }
    if outcome.relevant().next().is_none() {
        out.push_str("  no setting changed\n");
    }
    out.push_str(if outcome.saved {
        "  saved (SAVE_PARAMS): kept across reboots\n"
    } else {
        "  NOT saved (--no-save): in effect now, lost at the next reboot\n"
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn args(line: &[&str]) -> Args {
        Cli::try_parse_from(std::iter::once("set").chain(line.iter().copied()))
            .unwrap()
            .args
    }

    #[test]
    fn a_bad_value_names_option_register_and_range() {
        let err = plan(&args(&["m", "--gain-voltage-a", "1600"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--gain-voltage-a 1600"), "{err}");
        assert!(
            err.contains("GANHO_TENSAO_A") && err.contains("500–1500"),
            "{err}"
        );
        let err = plan(&args(&["m", "--ct-ratio", "10"])).unwrap_err().to_string();
        assert!(err.contains("20–400"), "{err}");
        let err = plan(&args(&["m", "--gain-current-b", "-3"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("100–1500"), "{err}");
    }

    #[test]
    fn ct_primary_must_be_a_multiple_of_five_in_range() {
        let p = plan(&args(&["m", "--ct-primary", "500"])).unwrap();
        assert_eq!(p.writes(), &[(addr::RELACAO_TC, 100)]);
        let err = plan(&args(&["m", "--ct-primary", "502"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("multiple of 5"), "{err}");
        let err = plan(&args(&["m", "--ct-primary", "2500"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("100–2000 A"), "{err}");
    }

    #[test]
    fn inversions_and_gains_map_to_their_registers() {
        let p = plan(&args(&[
            "m",
            "--invert-b",
            "on",
            "--invert-c",
            "off",
            "--gain-frequency",
            "990",
        ]))
        .unwrap();
        assert_eq!(p.writes(), &[(addr::GANHO_FREQUENCIA, 990), (18, 1), (19, 0)]);
    }
}
