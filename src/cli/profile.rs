//! `je08 profile save|apply`: configuration profiles for many meters.
//!
//! `save` reads the Modbus settings and (unless `--modbus-only`) the HTTP
//! blocks, which needs a reboot into configuration mode and back. It writes
//! a profile for other meters, without calibration gains, or with
//! `--backup` the backup of that one meter, with its gains. `apply` first
//! says which kind of file it read and shows a dry-run diff per meter;
//! without `--dry-run` it then writes (a backup only to its own meter,
//! after a question naming its gains) and reads back each meter and prints
//! a result table. Exit status 1 when any meter failed.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::commissioning::profile::{
    ApplyStatus, FileKind, MeterResult, Profile, Step, apply, capture, capture_all, gains_text,
};
use crate::i18n::{Msg, Tr};
use je08_client::endpoint::MeterAddress;

use super::advice;
use super::batch::{AccessArgs, parse_meter_address};
use super::confirm::ask;
use super::progress::{Batch, Style};

/// `save` or `apply`.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Save a meter's configuration (Modbus settings without calibration
    /// gains and HTTP blocks, no secrets, identity as {id} templates) to a
    /// TOML profile, or with --backup its own backup with its gains.
    #[command(
        after_help = "Examples:\n  je08 profile save 10.0.0.21 panel.toml\n  je08 profile save 10.0.0.21 meter-21.toml --backup"
    )]
    Save {
        /// The meter, HOST[:MODBUS_PORT][,http=HTTP_PORT].
        #[arg(value_name = "HOST", value_parser = parse_meter_address)]
        meter: MeterAddress,
        /// The profile file to write.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
        /// A description stored in the profile.
        #[arg(long, default_value = "")]
        description: String,
        /// Only the Modbus settings: no HTTP, no reboot.
        #[arg(long)]
        modbus_only: bool,
        /// Save a backup of this one meter, with its calibration gains
        /// (registers 9–15), applied only to this device id. Without it the
        /// profile holds no gains: each meter keeps its own calibration.
        #[arg(long)]
        backup: bool,
        /// Deadlines and the interface password.
        #[command(flatten)]
        access: AccessArgs,
    },
    /// Apply a profile to meters: dry-run diff, write, read back, result table.
    #[command(
        after_help = "Examples:\n  je08 profile apply panel.toml 10.0.0.21 10.0.0.22 --dry-run\n  je08 profile apply panel.toml 10.0.0.21 10.0.0.22 --yes --json"
    )]
    Apply {
        /// The profile file.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
        /// The meters, HOST[:MODBUS_PORT][,http=HTTP_PORT].
        #[arg(value_name = "HOST", required = true, value_parser = parse_meter_address)]
        meters: Vec<MeterAddress>,
        /// Only show what would change (no write, no reboot).
        #[arg(long)]
        dry_run: bool,
        /// Do not ask before writing.
        #[arg(long)]
        yes: bool,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Deadlines and the interface password.
        #[command(flatten)]
        access: AccessArgs,
    },
}

fn status(s: ApplyStatus) -> &'static str {
    match s {
        ApplyStatus::Ok => "ok",
        ApplyStatus::Changed => "changed",
        ApplyStatus::WouldChange => "would change",
        ApplyStatus::Failed => "FAILED",
        ApplyStatus::Cancelled => "cancelled",
    }
}

fn details(r: &MeterResult, http_pending: bool) -> String {
    let mut text = match &r.reason {
        Some(reason) => match advice::for_apply(reason) {
            Some(advice) => format!("{reason}; {advice}"),
            None => reason.to_string(),
        },
        None if r.diff.is_empty() => "already as the profile".to_string(),
        None => r
            .diff
            .iter()
            .map(|d| {
                let name = if d.block == "modbus" {
                    d.field.clone()
                } else {
                    format!("{}.{}", d.block, d.field)
                };
                format!(
                    "{name} {} -> {}",
                    d.current,
                    d.read_back.as_ref().unwrap_or(&d.wanted)
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    if http_pending && r.status != ApplyStatus::Failed && !r.http_checked {
        text.push_str(" (HTTP blocks: compared when writing, in configuration mode)");
    }
    text
}

/// The result table. `http_pending`: the profile has HTTP blocks that a dry
/// run cannot compare.
pub fn table(results: &[MeterResult], http_pending: bool) -> String {
    let mut out = String::new();
    let width = results.iter().map(|r| r.meter.len()).max().unwrap_or(0).max(5);
    let _ = writeln!(
        out,
        "{:<width$} {:>10}  {:<13} details",
        "meter", "device id", "result"
    );
    for r in results {
        let id = r.device_id.map_or_else(|| "-".to_string(), |i| i.to_string());
        let _ = writeln!(
            out,
            "{:<width$} {id:>10}  {:<13} {}",
            r.meter,
            status(r.status),
            details(r, http_pending)
        );
    }
    out
}

/// Save or apply.
pub async fn run(action: Action) -> anyhow::Result<ExitCode> {
    match action {
        Action::Save {
            meter,
            file,
            description,
            modbus_only,
            backup,
            access,
        } => {
            let profile = if modbus_only {
                let access = access.access(false, "")?;
                let mut client = je08_client::modbus::ModbusClient::new(meter.modbus.clone(), access.modbus);
                let profile = capture(&mut client, description).await;
                client.disconnect().await;
                profile?
            } else {
                let access = access.access(true, &meter.http.to_string())?;
                super::web::warn_reboot(
                    &meter.http,
                    "enter configuration mode (to read its HTTP blocks) and back",
                );
                let cancel = super::interrupt::cancel_on_ctrl_c("the profile capture");
                capture_all(&meter, &access, description, |_, _| {}, &cancel).await?
            };
            let profile = if backup {
                profile
            } else {
                profile.for_other_meters()
            };
            profile.save(&file)?;
            outln!(
                "saved to {} from meter {} (device id {}): {}",
                file.display(),
                meter,
                profile.meta.source_device_id,
                profile.kind()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Apply {
            file,
            meters,
            dry_run,
            yes,
            json,
            access,
        } => {
            let profile = Profile::load(&file)?;
            let http = profile.http.is_some();
            let names: Vec<String> = meters.iter().map(|m| m.http.to_string()).collect();
            let access = access.access(http, &names.join(", "))?;
            let cancel = super::interrupt::cancel_on_ctrl_c("the profile apply");
            let quiet = |_: &MeterAddress, _| {};
            let kind = profile.kind();
            if json {
                errln!("{kind}");
            } else {
                outln!("{kind}")?;
            }
            let preview = apply(&profile, &meters, true, &access, &quiet, &cancel).await;
            if dry_run {
                if json {
                    outln!("{}", serde_json::to_string_pretty(&preview)?)?;
                } else {
                    out!("{}", table(&preview, http))?;
                }
                return Ok(exit(&preview));
            }
            if !json {
                outln!("dry run:")?;
                out!("{}", table(&preview, http))?;
            }
            let to_visit = preview
                .iter()
                .filter(|r| r.status == ApplyStatus::WouldChange || (http && r.status == ApplyStatus::Ok))
                .count();
            let question = question(&kind, to_visit, http);
            if to_visit > 0 && !ask(&question, yes, "refusing to change meters")? {
                errln!("nothing was changed");
                return Ok(ExitCode::FAILURE);
            }
            let progress = Batch::new(Style::detect(json), &names);
            let step = |m: &MeterAddress, step: Step| {
                let Some(i) = meters.iter().position(|x| std::ptr::eq(x, m)) else {
                    return;
                };
                match step {
                    Step::Done => progress.done(i, "finished"),
                    step => progress.step(i, step_text(step)),
                }
            };
            let results = apply(&profile, &meters, false, &access, &step, &cancel).await;
            progress.finish();
            if json {
                outln!("{}", serde_json::to_string_pretty(&results)?)?;
            } else {
                outln!("result:")?;
                out!("{}", table(&results, false))?;
            }
            Ok(exit(&results))
        }
    }
}

/// What a meter is doing, for the progress of `apply`.
fn step_text(step: Step) -> &'static str {
    match step {
        Step::Planning => "reading and validating",
        Step::WritingModbus => "writing the Modbus settings",
        Step::EnteringConfiguration => "rebooting into configuration mode",
        Step::WritingHttp => "writing the HTTP blocks",
        Step::ReturningToApplication => "rebooting into application mode",
        Step::Done => "finished",
    }
}

/// The question before writing: a backup names each gain it restores;
/// with HTTP blocks, the reboot and the restarting energy counters.
fn question(kind: &FileKind, to_visit: usize, http: bool) -> String {
    const REBOOT: &str =
        "Each reboots into configuration mode and back; its kWh and kVArh accumulators restart from zero.";
    match (kind, http) {
        (FileKind::Backup { id, gains }, http) => {
            let ask = Tr::EN.f(Msg::ConfirmBackup, &[&id.to_string(), &gains_text(gains)]);
            if http { format!("{ask} {REBOOT}") } else { ask }
        }
        (FileKind::Profile { .. }, true) => format!("Write the profile to {to_visit} meter(s)? {REBOOT}"),
        (FileKind::Profile { .. }, false) => format!("Write the profile to {to_visit} meter(s) and save it?"),
    }
}

fn exit(results: &[MeterResult]) -> ExitCode {
    if results
        .iter()
        .any(|r| matches!(r.status, ApplyStatus::Failed | ApplyStatus::Cancelled))
    {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
