//! `je08 wiring-check`: sample a live window, explain the wiring, and
//! optionally apply the one-click register fix and check again.
//!
//! Exit status: 0 healthy, 3 findings (faults or warnings), else as in
//! [`super::exit`].

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::bail;

use super::window::WindowArgs;
use crate::commissioning::wiring_check::{FixOutcome, WiringCheck, apply_fix, run_check};
use je08_protocol::analysis::wiring::{Expectation, Severity, WiringReport};
use je08_protocol::registers::label;

use super::confirm::ask_to_change;
use super::exit::Outcome;
use super::meter::Target;

/// Options of `je08 wiring-check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which meter.
    #[command(flatten)]
    pub target: Target,
    /// The window of readings checked.
    #[command(flatten)]
    pub window: WindowArgs,
    /// The CT primary really fitted (e.g. 500 for 500 A/5 A), to check RELACAO_TC.
    #[arg(long, value_name = "A", value_parser = clap::value_parser!(u32).range(5..=10_000))]
    pub ct_primary: Option<u32>,
    /// Print JSON (the wiring report, or the fix outcome with --fix).
    #[arg(long)]
    pub json: bool,
    /// Apply the register fix (INVERTE_TC / RELACAO_TC) when there is one,
    /// save it, read it back and check again.
    #[arg(long)]
    pub fix: bool,
    /// Do not ask before applying the fix.
    #[arg(long, requires = "fix")]
    pub yes: bool,
}

impl Args {
    fn expectation(&self) -> Expectation {
        Expectation {
            ct_primary_a: self.ct_primary,
            ..Expectation::default()
        }
    }
}

fn status(healthy: bool) -> ExitCode {
    if healthy {
        ExitCode::SUCCESS
    } else {
        Outcome::Findings.into()
    }
}

/// The question before a register fix is written: each register by name,
/// number and new value.
pub(super) fn fix_question(check: &WiringCheck) -> String {
    let list: Vec<String> = check
        .report
        .register_fix()
        .iter()
        .map(|(a, v)| format!("{} (register {a}) = {v}", label(*a)))
        .collect();
    format!(
        "Write {} to meter {}, save it and check again?",
        list.join(", "),
        check.meter
    )
}

/// Run the check, and the fix when asked.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut client = args.target.client();
    let cancel = super::interrupt::cancel_on_ctrl_c("the wiring check");
    let expect = args.expectation();
    let style = super::progress::Style::detect(args.json);
    let progress = super::calibrate::sampling(style, &format!("sampling {}", args.target.meter));
    let checked = run_check(&mut client, args.window.options(), &expect, progress, &cancel).await?;
    if !args.fix {
        client.disconnect().await;
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&checked.report)?)?;
        } else {
            out!("{}", render_check(&checked))?;
        }
        return Ok(status(checked.report.healthy));
    }
    let writes = checked.report.register_fix();
    if writes.is_empty() {
        client.disconnect().await;
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&checked.report)?)?;
        } else {
            out!("{}", render_check(&checked))?;
            outln!("  no register fix to apply: nothing was written")?;
        }
        return Ok(status(checked.report.healthy));
    }
    if !args.json {
        out!("{}", render_check(&checked))?;
    }
    if !ask_to_change(&checked.meter, &fix_question(&checked), args.yes)? {
        errln!("nothing was changed");
        return Ok(ExitCode::FAILURE);
    }
    let outcome = apply_fix(
        &mut client,
        je08_client::journal::Origin::Cli,
        checked,
        args.window.options(),
        &expect,
        super::calibrate::sampling(style, &format!("checking {} again", args.target.meter)),
        &cancel,
    )
    .await?;
    client.disconnect().await;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&outcome)?)?;
    } else {
        out!("{}", render_fix(&outcome))?;
    }
    if !outcome.written_ok {
        bail!(
            "meter {}: the fix did not read back as written; read the meter (je08 read) and try again",
            outcome.after.meter
        );
    }
    Ok(status(outcome.after.report.healthy))
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info ",
        Severity::Warning => "WARN ",
        Severity::Fault => "FAULT",
    }
}

/// The verdict lines of one report.
pub fn render_report(report: &WiringReport) -> String {
    let mut out = String::new();
    if let Some(angle) = report.load_angle_deg {
        let _ = writeln!(
            out,
            "  load angle {angle:.1}° (PF {:.2})",
            angle.to_radians().cos()
        );
    }
    for f in &report.findings {
        let _ = writeln!(
            out,
            "  {} {:>3.0}%  {}",
            severity(f.severity),
            100.0 * f.confidence,
            f.message
        );
        match &f.remedy {
            je08_protocol::analysis::wiring::Remedy::Nothing => {}
            je08_protocol::analysis::wiring::Remedy::WriteRegisters { writes } => {
                for (a, v) in writes {
                    let _ = writeln!(
                        out,
                        "             fix (--fix): write {} (register {a}) = {v}",
                        label(*a)
                    );
                }
            }
            je08_protocol::analysis::wiring::Remedy::Rewire { instruction } => {
                let _ = writeln!(out, "             rewire: {instruction}");
            }
        }
    }
    out.push_str(if report.healthy {
        "  verdict: wiring healthy, no fault found\n"
    } else {
        "  verdict: NOT healthy, see the findings above\n"
    });
    out
}

/// The human-readable rendering of one check.
pub fn render_check(c: &WiringCheck) -> String {
    format!(
        "meter {} (device id {}): wiring check over {} samples\n{}",
        c.meter,
        c.snapshot.device.id,
        c.report.samples,
        render_report(&c.report)
    )
}

/// Before/after rendering of a fix.
pub fn render_fix(o: &FixOutcome) -> String {
    let mut out = String::from("fix applied (saved with SAVE_PARAMS, read back):\n");
    for f in &o.fields {
        let verdict = if f.ok() { "ok" } else { "MISMATCH" };
        let _ = writeln!(
            out,
            "  {:<18} (register {:>2})  {:>5} -> {:<5} {verdict}",
            f.name, f.addr, f.before, f.read_back
        );
    }
    let _ = write!(out, "after the fix:\n{}", render_report(&o.after.report));
    out
}
