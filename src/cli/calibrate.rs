//! `je08 calibrate`: the calibration wizard on the command line.
//!
//! Samples a window, checks the preconditions (current above 50% of the CT
//! rating and stable), shows the planned gain, asks, writes it (SAVE_PARAMS,
//! read back), measures again and prints the error before and after;
//! optionally writes a PDF certificate.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use super::window::WindowArgs;
use crate::commissioning::calibrate::{
    CalibrationOutcome, CalibrationRequest, Prepared, certificate, execute, prepare,
};
use crate::commissioning::pdf;
use je08_protocol::analysis::calibration::{Preconditions, Quantity};
use je08_protocol::analysis::wiring::Phase;
use je08_protocol::registers::label;

use super::confirm::ask_to_change;
use super::lang::LangArg;
use super::meter::Target;
use super::report_header::HeaderArgs;

/// A phase on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PhaseArg {
    /// Phase A.
    A,
    /// Phase B.
    B,
    /// Phase C.
    C,
}

impl From<PhaseArg> for Phase {
    fn from(p: PhaseArg) -> Self {
        match p {
            PhaseArg::A => Phase::A,
            PhaseArg::B => Phase::B,
            PhaseArg::C => Phase::C,
        }
    }
}

/// Options of `je08 calibrate`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("quantity").required(true).args(["voltage", "current"])))]
pub struct Args {
    /// Which meter.
    #[command(flatten)]
    pub target: Target,
    /// Phase to calibrate.
    #[arg(long, value_enum)]
    pub phase: PhaseArg,
    /// Calibrate the voltage: the phase-to-neutral volts read on the reference instrument.
    #[arg(long, value_name = "V")]
    pub voltage: Option<f64>,
    /// Calibrate the current: the primary amps read on the reference instrument.
    #[arg(long, value_name = "A")]
    pub current: Option<f64>,
    /// The windows measured before and after the change.
    #[command(flatten)]
    pub window: WindowArgs,
    /// The reference instrument (make, model, serial, certificate), for the certificate.
    #[arg(long, value_name = "TEXT")]
    pub reference_instrument: Option<String>,
    /// Write the new gain without asking.
    #[arg(long)]
    pub yes: bool,
    /// Write a PDF calibration certificate to this file.
    #[arg(long, value_name = "FILE.pdf")]
    pub certificate: Option<PathBuf>,
    /// Site, panel, customer and technician on the certificate (remembered
    /// with those of `je08 report`).
    #[command(flatten)]
    pub header: HeaderArgs,
    /// Language of the PDF (`en` or `pt-BR`; English unless given, whatever the OS locale).
    #[arg(long, value_enum, value_name = "LANG", default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

impl Args {
    fn request(&self) -> CalibrationRequest {
        let (quantity, reference) = match (self.voltage, self.current) {
            (Some(v), _) => (Quantity::Voltage, v),
            (None, Some(a)) => (Quantity::Current, a),
            (None, None) => (Quantity::Voltage, f64::NAN),
        };
        CalibrationRequest {
            phase: self.phase.into(),
            quantity,
            reference,
            window: self.window.options(),
            preconditions: Preconditions::default(),
        }
    }
}

/// The plan, for people.
pub fn render_plan(p: &Prepared) -> String {
    let plan = &p.plan;
    let unit = plan.quantity.unit();
    format!(
        "meter {} (device id {}): phase {} {:?}\n  measured {:.3} {unit} (spread {:.3}%, {} samples), reference {:.3} {unit}: error {:+.3}%\n  {} (register {}): {} -> {}\n",
        p.meter,
        p.snapshot.device.id,
        plan.phase,
        plan.quantity,
        plan.measured.mean,
        100.0 * plan.measured.relative_spread(),
        plan.measured.count,
        plan.reference,
        plan.error_before_percent,
        label(plan.register),
        plan.register,
        plan.old_gain,
        plan.new_gain,
    )
}

/// The outcome, for people.
pub fn render_outcome(o: &CalibrationOutcome) -> String {
    let unit = o.plan.quantity.unit();
    let saved = if o.written_ok {
        "written, saved (SAVE_PARAMS) and read back"
    } else {
        "NOT confirmed: the gain did not read back as written"
    };
    format!(
        "  gain {saved}\n  before: {:.3} {unit}  error {:+.3}%\n  after:  {:.3} {unit}  error {:+.3}%\n",
        o.plan.measured.mean, o.plan.error_before_percent, o.measured_after.mean, o.error_after_percent
    )
}

/// Sample, plan, confirm, write, measure again, report.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let request = args.request();
    let mut client = args.target.client();
    let cancel = super::interrupt::cancel_on_ctrl_c("the calibration");
    let style = super::progress::Style::detect(args.json);
    let before = sampling(style, &format!("measuring {}", args.target.meter));
    let prepared = prepare(&mut client, request, before, &cancel).await?;
    if !args.json {
        out!("{}", render_plan(&prepared))?;
    }
    let question = format!(
        "Write {} = {} to meter {} and save it?",
        label(prepared.plan.register),
        prepared.plan.new_gain,
        prepared.meter
    );
    if !ask_to_change(&prepared.meter, &question, args.yes)? {
        errln!("nothing was changed");
        return Ok(ExitCode::FAILURE);
    }
    let outcome = execute(
        &mut client,
        prepared,
        args.reference_instrument.clone(),
        je08_client::journal::Origin::Cli,
        sampling(style, &format!("measuring {} again", args.target.meter)),
        &cancel,
    )
    .await?;
    client.disconnect().await;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&outcome)?)?;
    } else {
        out!("{}", render_outcome(&outcome))?;
    }
    if let Some(path) = &args.certificate {
        pdf::write(
            &certificate(args.lang.tr(), &args.header.header(), &outcome),
            path,
        )
        .with_context(|| format!("cannot write the certificate {}", path.display()))?;
        if !args.json {
            outln!("  certificate written to {}", path.display())?;
        }
    }
    if !outcome.written_ok {
        bail!(
            "meter {}: the new gain did not read back as written; read the meter (je08 read) and try again",
            outcome.meter
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress callback showing `label`'s samples (a bar on a terminal,
/// lines per quarter otherwise, nothing with `--json`).
pub(super) fn sampling(
    style: super::progress::Style,
    label: &str,
) -> impl FnMut(usize, usize) + Send + use<> {
    let counter = super::progress::Transfer::counting(style, label, Some("samples"));
    move |done, total| counter.update(done as u64, total as u64)
}
