//! `je08 report`: a commissioning report (PDF) for one meter or a batch:
//! identity, firmware, settings as found and as left, wiring-check verdicts
//! (and the fix with `--fix`), readings, and the MQTT check when a broker is
//! given (`--broker`) or configured on the meter (`--http-blocks`).
//!
//! The header fields (`--site`, `--panel`, `--customer`, `--technician`)
//! are remembered between reports (`report_header.rs`).
//!
//! Exit status 0 when every meter was reached (and seen on MQTT when
//! checked), 3 (findings) when the report was written with a failed meter.
//! `--json` prints a summary per meter with its whole report
//! (docs/cli-json.md).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use super::window::WindowArgs;
use crate::commissioning::pdf;
use crate::commissioning::report::{InspectOptions, MeterReport, NotReached, document, inspect};
use crate::commissioning::wiring_check::WiringCheck;
use je08_client::endpoint::MeterAddress;

use super::batch::{AccessArgs, parse_meter_address};
use super::broker_login::{BrokerLoginArgs, setup_failed};
use super::confirm::ask_to_change;
use super::exit::Outcome;
use super::lang::LangArg;
use super::progress::{Batch, Style};
use super::report_header::HeaderArgs;
use super::wiring_check::fix_question;

/// Options of `je08 report`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("broker", |a| a.help(
    "MQTT check through this broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (else through \
     each meter's own broker when --http-blocks finds one, logged in with the user, password \
     and TLS files given here)"
)))]
pub struct Args {
    /// The meters, HOST[:MODBUS_PORT][,http=HTTP_PORT].
    #[arg(value_name = "HOST", required = true, value_parser = parse_meter_address)]
    pub meters: Vec<MeterAddress>,
    /// The PDF file to write.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// The wiring check's window of readings.
    #[command(flatten)]
    pub window: WindowArgs,
    /// Apply the wiring check's register fix when it proposes one (asks
    /// first unless --yes); the report shows what changed.
    #[arg(long)]
    pub fix: bool,
    /// Do not ask before applying the fix.
    #[arg(long, requires = "fix")]
    pub yes: bool,
    /// Also read the HTTP blocks (connectivity, protocols): each meter
    /// reboots into configuration mode and back first, so its energy
    /// accumulators restart from zero.
    #[arg(long)]
    pub http_blocks: bool,
    /// The broker of the MQTT check (or each meter's own) and how to log in.
    #[command(flatten)]
    pub broker: BrokerLoginArgs,
    /// How long to wait for each meter's INFO and DATA, in seconds.
    #[arg(long, value_name = "S", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub mqtt_wait_s: u64,
    /// Site, panel, customer and technician (remembered between reports).
    #[command(flatten)]
    pub header: HeaderArgs,
    /// Language of the PDF (`en` or `pt-BR`; English unless given, whatever the OS locale).
    #[arg(long, value_enum, value_name = "LANG", default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Deadlines and the interface password.
    #[command(flatten)]
    pub access: AccessArgs,
    /// Print a JSON summary of every meter on stdout (and no progress).
    #[arg(long)]
    pub json: bool,
}

fn confirm_fix(yes: bool) -> impl Fn(&WiringCheck) -> bool + Send + Sync {
    move |check: &WiringCheck| match ask_to_change(&check.meter, &fix_question(check), yes) {
        Ok(answer) => answer,
        Err(e) => {
            errln!("{e}");
            false
        }
    }
}

/// Check every meter and write the report.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cancel = super::interrupt::cancel_on_ctrl_c("the report");
    let mut options = InspectOptions::new(args.window.options());
    options.http_blocks = args.http_blocks;
    options.fix = args.fix;
    options.mqtt_deadline = Duration::from_secs(args.mqtt_wait_s);
    options
        .set_mqtt_login(args.broker.broker.clone(), &args.broker.credentials())
        .map_err(setup_failed)?;
    let names: Vec<String> = args.meters.iter().map(|m| m.http.to_string()).collect();
    let access = args.access.access(args.http_blocks, &names.join(", "))?;
    if args.http_blocks {
        errln!(
            "warning: each meter reboots into configuration mode and back to read its HTTP blocks; its kWh and kVArh accumulators restart from zero"
        );
    }
    let confirm = confirm_fix(args.yes);
    // A question about a fix and redrawn bars would share the terminal.
    let style = match Style::detect(args.json) {
        Style::Bars if args.fix && !args.yes => Style::Lines,
        style => style,
    };
    let progress = Batch::new(style, &names);
    let mut reports = Vec::new();
    for (i, meter) in args.meters.iter().enumerate() {
        progress.step(i, "checking");
        let report = inspect(meter, &access, &options, &confirm, &cancel).await;
        progress.done(i, &verdict(&report));
        reports.push(report);
    }
    progress.finish();
    let header = args.header.header();
    pdf::write(&document(args.lang.tr(), &header, &reports, &[]), &args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let ok = reports.iter().all(passed);
    if args.json {
        let meters: Vec<serde_json::Value> = reports.iter().map(meter_json).collect();
        outln!(
            "{}",
            serde_json::json!({"out": args.out.display().to_string(), "ok": ok, "meters": meters})
        )?;
    } else {
        outln!("report written to {}", args.out.display())?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        Outcome::Findings.into()
    })
}

/// Healthy wiring after the fix (or as found when there was none).
fn wiring_healthy(r: &MeterReport) -> bool {
    r.fix
        .as_ref()
        .map_or(r.check.report.healthy, |f| f.after.report.healthy)
}

/// Reached, and seen on MQTT when that was checked.
fn passed(report: &Result<MeterReport, NotReached>) -> bool {
    report
        .as_ref()
        .is_ok_and(|r| r.mqtt.as_ref().is_none_or(|m| m.seen()))
}

/// One meter's line of progress once inspected.
fn verdict(report: &Result<MeterReport, NotReached>) -> String {
    match report {
        Ok(r) => format!(
            "wiring {}{}",
            if wiring_healthy(r) {
                "healthy"
            } else {
                "NOT healthy"
            },
            r.mqtt
                .as_ref()
                .map_or_else(String::new, |m| format!(", MQTT {m}"))
        ),
        Err(NotReached { why, .. }) => format!("NOT REACHED: {why}"),
    }
}

/// One meter in `je08 report --json`.
fn meter_json(report: &Result<MeterReport, NotReached>) -> serde_json::Value {
    match report {
        Ok(r) => serde_json::json!({
            "meter": r.meter,
            "reached": true,
            "ok": passed(report),
            "wiring_healthy": wiring_healthy(r),
            "mqtt_seen": r.mqtt.as_ref().map(|m| m.seen()),
            "error": null,
            "report": r,
        }),
        Err(NotReached { meter, why }) => serde_json::json!({
            "meter": meter,
            "reached": false,
            "ok": false,
            "wiring_healthy": null,
            "mqtt_seen": null,
            "error": why.to_string(),
            "report": null,
        }),
    }
}
