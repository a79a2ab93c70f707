//! `je08 firmware check` (validate an image offline) and `je08 flash`
//! (validate, enter update mode, push over HTTP or espota, confirm the new
//! version is running).

use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};

use crate::commissioning::journal;
use je08_client::flash::{Step, Via, flash};
use je08_client::journal::Origin;
use je08_protocol::firmware;
use je08_protocol::http_api::DEFAULT_OTA_PORT;

use super::exit::refused;
use super::progress::{Style, Transfer};
use super::web::{WebTarget, warn_reboot};

/// `je08 firmware` subcommands.
#[derive(Debug, Subcommand)]
pub enum FirmwareCommand {
    /// Validate an ESP8266 application image (magic, segments, checksum, size, version).
    #[command(after_help = "Examples:\n  je08 firmware check app.bin\n  je08 firmware check app.bin --json")]
    Check {
        /// Image file (.bin).
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Largest file read at all (the slot is 508 KiB).
const READ_LIMIT: u64 = 8 * 1024 * 1024;

fn read_image(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.len() > READ_LIMIT {
        anyhow::bail!(
            "{} is {} bytes: far larger than the {}-byte application slot",
            path.display(),
            meta.len(),
            firmware::MAX_IMAGE_BYTES
        );
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Run `je08 firmware`.
pub async fn run(command: FirmwareCommand) -> anyhow::Result<ExitCode> {
    match command {
        FirmwareCommand::Check { file, json } => {
            let image = read_image(&file)?;
            let report = firmware::validate(&image);
            if json {
                outln!("{}", serde_json::to_string(&report)?)?;
            } else {
                outln!("{}: {report}", file.display())?;
            }
            Ok(if report.valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// Transport of `je08 flash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// `POST /update` on the HTTP port (one outbound connection).
    Http,
    /// ArduinoOTA/espota over UDP, the meter connects back over TCP.
    Espota,
}

/// Options of `je08 flash`.
#[derive(Debug, clap::Args)]
pub struct FlashArgs {
    /// The meter.
    #[command(flatten)]
    pub target: WebTarget,
    /// Image file (.bin), validated before anything is sent.
    pub file: PathBuf,
    /// Transport.
    #[arg(long, value_enum, default_value_t = Method::Http)]
    pub method: Method,
    /// The meter's espota UDP port.
    #[arg(long, value_name = "P", default_value_t = DEFAULT_OTA_PORT)]
    pub ota_port: u16,
    /// How long to wait for each reboot, in seconds.
    #[arg(long, value_name = "S", default_value_t = 90)]
    pub wait_s: u64,
    /// Print the outcome as JSON (and no progress).
    #[arg(long)]
    pub json: bool,
}

/// Run `je08 flash`.
pub async fn run_flash(args: FlashArgs) -> anyhow::Result<ExitCode> {
    let image = read_image(&args.file)?;
    let report = firmware::validate(&image);
    if !report.valid {
        return Err(refused(anyhow::anyhow!(
            "{} is not a valid image: {report}; nothing was sent",
            args.file.display()
        )));
    }
    let password = args.target.secret()?;
    let client = args.target.client_with(password.clone());
    let via = match args.method {
        Method::Http => Via::Http,
        Method::Espota => Via::Espota(
            (args.target.meter.host.as_str(), args.ota_port)
                .to_socket_addrs()
                .with_context(|| format!("cannot resolve {}", args.target.meter.host))?
                .next()
                .with_context(|| format!("{} has no address", args.target.meter.host))?,
        ),
    };
    let meter = &args.target.meter;
    let style = Style::detect(args.json);
    let step = |step: Step| match step {
        Step::EnteringUpdate => warn_reboot(meter, "enter update mode"),
        Step::Sending => {}
        Step::Confirming if style != Style::Silent => {
            errln!("image sent; waiting for meter {meter} to restart");
        }
        Step::Confirming => {}
    };
    let transfer = Transfer::new(style, &format!("flashing {meter}"));
    let progress = |done, total| transfer.update(done, total);
    let bytes = image.len();
    let sha256 = journal::sha256_hex(&image);
    let image_version = report.version.as_ref().map(ToString::to_string);
    let before = client.info().await.ok().map(|i| i.esp_version.to_string());
    let after = flash(
        &client,
        password.as_ref(),
        image.into(),
        via,
        Duration::from_secs(args.wait_s),
        &step,
        &progress,
    )
    .await;
    let push = journal::FirmwarePush {
        address: &meter.to_string(),
        before: before.as_deref(),
        image_version: image_version.as_deref(),
        image_sha256: &sha256,
        method: if matches!(args.method, Method::Http) {
            "http"
        } else {
            "espota"
        },
    };
    journal::firmware(Origin::Cli, &push, after.as_ref());
    let after = after?;
    if args.json {
        outln!(
            "{}",
            serde_json::json!({
                "meter": meter.to_string(),
                "method": args.method.to_possible_value().map(|v| v.get_name().to_owned()),
                "image_bytes": bytes,
                "esp_version": after.esp_version,
                "mode": after.mode.to_string(),
                "info": after,
            })
        )?;
    } else {
        outln!(
            "meter {} runs firmware {} in {} mode",
            args.target.meter,
            after.esp_version,
            after.mode
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
