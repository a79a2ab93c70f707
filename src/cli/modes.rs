//! `je08 info`, `je08 mode`, `je08 reboot`, `je08 network-reset`: identity
//! and operating mode over the meter's HTTP API.

use std::process::ExitCode;
use std::time::Duration;

use crate::commissioning::journal;
use je08_client::endpoint::Endpoint;
use je08_client::journal::{Kind, Origin};
use je08_protocol::http_api::{Info, Mode};

use super::web::{WebTarget, parse_web_host, warn_reboot};

/// Options of `je08 info`.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// The meter.
    #[command(flatten)]
    pub target: WebTarget,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Options of `je08 mode`.
#[derive(Debug, clap::Args)]
pub struct ModeArgs {
    /// The meter.
    #[command(flatten)]
    pub target: WebTarget,
    /// Mode to reboot into.
    #[arg(value_parser = ["application", "configuration", "update"])]
    pub mode: String,
    /// How long to wait for the meter to come back, in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub wait_s: u64,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `je08 reboot`.
#[derive(Debug, clap::Args)]
pub struct RebootArgs {
    /// The meter.
    #[command(flatten)]
    pub target: WebTarget,
    /// How long to wait for the meter to come back, in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub wait_s: u64,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `je08 network-reset`.
#[derive(Debug, clap::Args)]
pub struct NetworkResetArgs {
    /// The meter.
    #[command(flatten)]
    pub target: WebTarget,
    /// Wait until the meter answers at this address afterwards (a real meter
    /// moves to 192.168.1.1 on its own BIN_XXXX network: join it first).
    #[arg(long, value_name = "HOST[:PORT]", value_parser = parse_web_host)]
    pub wait_at: Option<Endpoint>,
    /// How long to wait, in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub wait_s: u64,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Human-readable `/api/info`.
pub fn info_text(info: &Info) -> String {
    format!(
        "device      {} {} id {}\nname        {}\nmac         {}\nip          {}\nmode        {}\nfirmware    ESP {} / STM32 {}\nwi-fi       {:?} {:?} \"{}\" {} dBm\nuptime      {} s",
        info.devtype,
        info.subtype,
        info.id,
        info.name,
        info.mac,
        info.ip,
        info.mode,
        info.esp_version,
        info.stm32_version,
        info.wifi.mode,
        info.wifi.state,
        info.wifi.ssid,
        info.wifi.rssi,
        info.uptime_s
    )
}

/// A meter as it answered after a reboot, as JSON (docs/cli-json.md):
/// the address asked, its mode and firmware, and the whole `/api/info`.
fn after_json(meter: &str, info: &Info) -> serde_json::Value {
    serde_json::json!({
        "meter": meter,
        "mode": info.mode.to_string(),
        "esp_version": info.esp_version,
        "info": info,
    })
}

/// Run `je08 info`.
pub async fn run_info(args: InfoArgs) -> anyhow::Result<ExitCode> {
    let info = args.target.anonymous().info().await?;
    if args.json {
        outln!("{}", serde_json::to_string(&info)?)?;
    } else {
        outln!("{}", info_text(&info))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Run `je08 mode`.
pub async fn run_mode(args: ModeArgs) -> anyhow::Result<ExitCode> {
    let mode: Mode = args.mode.parse().map_err(anyhow::Error::msg)?;
    let client = args.target.client()?;
    warn_reboot(&args.target.meter, &format!("enter {mode} mode"));
    let info = client.switch_mode(mode, Duration::from_secs(args.wait_s)).await;
    let meter = args.target.meter.to_string();
    let info = journaled(Kind::Mode, &meter, &format!("enter {mode} mode"), info)?;
    said_after(&meter, &info, args.json, || {
        format!(
            "meter {meter} is in {} mode (firmware {})",
            info.mode, info.esp_version
        )
    })
}

/// Journal a mode switch or reboot as the meter answered it.
fn journaled(
    kind: Kind,
    meter: &str,
    asked: &str,
    info: Result<Info, je08_client::http::HttpError>,
) -> Result<Info, je08_client::http::HttpError> {
    journal::web_action(Origin::Cli, kind, meter, asked, info.as_ref().map(Some));
    info
}

/// Print where the meter is after a switch: JSON, or `line`.
fn said_after(
    meter: &str,
    info: &Info,
    json: bool,
    line: impl FnOnce() -> String,
) -> anyhow::Result<ExitCode> {
    if json {
        outln!("{}", after_json(meter, info))?;
    } else {
        outln!("{}", line())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Run `je08 reboot`.
pub async fn run_reboot(args: RebootArgs) -> anyhow::Result<ExitCode> {
    let client = args.target.client()?;
    warn_reboot(&args.target.meter, "restart in application mode");
    let info = client.reboot(Duration::from_secs(args.wait_s)).await;
    let meter = args.target.meter.to_string();
    let info = journaled(Kind::Reboot, &meter, "reboot", info)?;
    said_after(&meter, &info, args.json, || {
        format!("meter {meter} rebooted and is in {} mode", info.mode)
    })
}

/// Run `je08 network-reset`.
pub async fn run_network_reset(args: NetworkResetArgs) -> anyhow::Result<ExitCode> {
    let client = args.target.client()?;
    warn_reboot(
        &args.target.meter,
        "restore the factory network settings (own Wi-Fi BIN_XXXX, password bintechnology, 192.168.1.1) in configuration mode",
    );
    let after = args.wait_at.as_ref().map(|e| {
        je08_client::http::MeterHttp::new(&e.host, e.port, None)
            .with_timeout(Duration::from_millis(args.target.timeout))
    });
    let deadline = Duration::from_secs(args.wait_s);
    let info = client.network_reset(after.as_ref().map(|c| (c, deadline))).await;
    let asked = "restore the factory network settings";
    journal::web_action(
        Origin::Cli,
        Kind::NetworkReset,
        &args.target.meter.to_string(),
        asked,
        info.as_ref().map(Option::as_ref),
    );
    let info = info?;
    if args.json {
        outln!(
            "{}",
            serde_json::json!({
                "meter": args.target.meter.to_string(),
                "waited_at": args.wait_at.as_ref().map(ToString::to_string),
                "back": info.as_ref().map(|i| after_json(&args.wait_at.as_ref().map_or_else(String::new, ToString::to_string), i)),
            })
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    match info {
        Some(info) => outln!(
            "meter {} is back in {} mode with factory network settings (SSID {})",
            args.wait_at.map_or_else(String::new, |e| e.to_string()),
            info.mode,
            info.wifi.ssid
        ),
        None => outln!(
            "meter {} is restarting with factory network settings: join its Wi-Fi BIN_XXXX (password bintechnology) and reach it at 192.168.1.1",
            args.target.meter
        ),
    }?;
    Ok(ExitCode::SUCCESS)
}
