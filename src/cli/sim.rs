//! `je08 sim`: serve virtual meters until Ctrl-C.
//!
//! Prints one JSON [`ReadyLine`](crate::sim::ReadyLine) per meter on stdout
//! when it is ready; logs go to stderr.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::sim::{MeterOptions, Scenario, SimMeter, spawn_meter};

/// Options of `je08 sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to serve on [default: 127.0.0.1; with --count > 1, 127.0.0.2,
    /// 127.0.0.3, … one per meter].
    #[arg(long)]
    pub bind: Option<IpAddr>,
    /// Modbus TCP port (0 = any free port; 502 needs privileges). With
    /// --count and an explicit --bind, meter i uses port P+i.
    #[arg(long, default_value_t = 1502)]
    pub modbus_port: u16,
    /// Device id of the (first) meter; further meters get id+1, id+2, …
    #[arg(long, default_value_t = 1001)]
    pub id: u32,
    /// Noise seed [default: the device id].
    #[arg(long)]
    pub seed: Option<u64>,
    /// What is connected to the meter.
    #[arg(long, value_enum, default_value_t = Scenario::Balanced)]
    pub scenario: Scenario,
    /// Energy accumulates this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// How long a reboot keeps the meter offline, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    pub reboot_delay_ms: u64,
    /// Number of meters to serve.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=253))]
    pub count: u16,
}

/// The options of meter `index` (0-based) of the set described by `args`.
pub fn meter_options(args: &Args, index: u16) -> anyhow::Result<MeterOptions> {
    let id = args
        .id
        .checked_add(u32::from(index))
        .context("device id overflows")?;
    let mut options = MeterOptions::scenario(id, args.scenario);
    options.device.seed = args
        .seed
        .map_or(u64::from(id), |s| s.wrapping_add(u64::from(index)));
    options.device.model.time_scale = args.time_scale;
    options.device.reboot_delay = Duration::from_millis(args.reboot_delay_ms);
    match args.bind {
        Some(ip) => {
            options.bind = ip;
            options.modbus_port = if args.modbus_port == 0 {
                0
            } else {
                args.modbus_port
                    .checked_add(index)
                    .context("Modbus port past 65535")?
            };
        }
        None if args.count == 1 => {
            options.bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
            options.modbus_port = args.modbus_port;
        }
        None => {
            let last = u8::try_from(index + 2).context("at most 253 meters")?;
            options.bind = IpAddr::V4(Ipv4Addr::new(127, 0, 0, last));
            options.modbus_port = args.modbus_port;
        }
    }
    Ok(options)
}

/// Run the simulator until Ctrl-C or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.time_scale.is_finite() || args.time_scale < 0.0 {
        bail!("--time-scale must be a finite number ≥ 0");
    }
    let mut meters: Vec<SimMeter> = Vec::with_capacity(usize::from(args.count));
    for index in 0..args.count {
        let options = meter_options(&args, index)?;
        let (ip, port) = (options.bind, options.modbus_port);
        let meter = spawn_meter(options)
            .await
            .with_context(|| format!("cannot serve Modbus on {ip}:{port}"))?;
        let line = serde_json::to_string(&meter.ready_line())?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")?;
        stdout.flush()?;
        tracing::info!(id = meter.id(), modbus = %meter.modbus, "meter ready");
        meters.push(meter);
    }
    shutdown_signal().await?;
    for meter in meters {
        meter.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// Wait for Ctrl-C (or SIGTERM on Unix).
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("cannot wait for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
    Ok(())
}
