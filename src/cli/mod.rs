//! The `je08` command line: argument definitions and dispatch.
//!
//! Each subcommand lives in its own module with an `Args` struct and an
//! async `run` function; this module only routes to them.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[macro_use]
pub mod output;
pub mod advice;
pub mod batch;
pub mod bench;
pub mod bench_discovery;
pub mod bench_modbus;
pub mod bench_mqtt;
pub mod bench_ui;
pub mod broker_login;
pub mod calibrate;
pub mod certs;
pub mod config;
pub mod confirm;
pub mod demo;
pub mod discover;
pub mod firmware;
pub mod gui;
pub mod interrupt;
pub mod lang;
pub mod meter;
pub mod modes;
pub mod mqtt;
pub mod profile;
pub mod provision;
pub mod read;
pub mod record;
pub mod renderer;
pub mod report;
pub mod reset_energy;
pub mod set;
pub mod sim;
pub mod web;
pub mod window;
pub mod wiring_check;

/// What `je08 --version` prints after the name: the package version and the
/// git commit it was built from (`unknown` when built outside git; see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("JE08_GIT_COMMIT"),
    ")"
);

/// Configurator, simulator and command line for the JE08 WATT METER.
#[derive(Debug, Parser)]
#[command(name = "je08", version = VERSION, about, long_about = None)]
pub struct Cli {
    /// Log filter (e.g. `info`, `je08=debug`); also read from RUST_LOG.
    #[arg(long, global = true, env = "JE08_LOG", default_value = "warn")]
    pub log: String,
    /// What to do; without a subcommand the configurator window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A command that does its work through a subcommand of its own
/// (`je08 mqtt watch`, `je08 config set`).
#[derive(Debug, clap::Args)]
pub struct Nested<A: Subcommand> {
    /// What to do.
    #[command(subcommand)]
    pub action: A,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the configurator with three simulated meters (no hardware needed).
    Demo(demo::Args),
    /// Open the configurator window (as `je08` alone does), with options.
    Gui(gui::Args),
    /// Serve virtual JE08 meters (Modbus TCP) until Ctrl-C.
    Sim(sim::Args),
    /// Read a meter's whole register map (table or --json).
    Read(read::Args),
    /// Change a meter's CT, inversion and gain settings (validated, saved, read back).
    Set(set::Args),
    /// Zero a meter's energy accumulators (kWh, kVArh or both).
    ResetEnergy(reset_energy::Args),
    /// Benchmarks (figures for BENCHMARKS.md).
    Bench(Nested<bench::What>),
    /// Watch meters and send them commands through an MQTT broker.
    Mqtt(Nested<mqtt::Action>),
    /// Check TLS certificates, and show, upload or delete those stored on a meter.
    Certs(Nested<certs::Action>),
    /// Show a meter's identity, mode, firmware and Wi-Fi state (HTTP, no password).
    Info(modes::InfoArgs),
    /// Reboot a meter into application, configuration or update mode and wait for it.
    Mode(modes::ModeArgs),
    /// Reboot a meter into application mode and wait for it.
    Reboot(modes::RebootArgs),
    /// Restore a meter's factory network settings (reboots into configuration mode).
    NetworkReset(modes::NetworkResetArgs),
    /// Read or write the connectivity, protocols and CT blocks (configuration mode).
    Config(Nested<config::ConfigCommand>),
    /// Firmware image tools.
    Firmware(Nested<firmware::FirmwareCommand>),
    /// Validate and push a firmware image, then confirm the new version runs.
    Flash(firmware::FlashArgs),
    /// Find meters on the network (mDNS, address-range scan, typed addresses).
    Discover(discover::Args),
    /// Check a meter's wiring from a live window of readings (optionally apply the register fix).
    WiringCheck(wiring_check::Args),
    /// Calibrate one phase's voltage or current gain against a reference instrument.
    Calibrate(calibrate::Args),
    /// Record live readings of meters to CSV (energy kept continuous across reboots).
    Record(record::Args),
    /// Save a meter's configuration to a profile, or apply one to many meters.
    Profile(Nested<profile::Action>),
    /// Take one meter from the box onto the plant network (access point to station, found and confirmed).
    Provision(provision::Args),
    /// Write a commissioning report (PDF) for one or more meters.
    Report(report::Args),
}

/// Parse the command line, run the command, and map errors to an exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            errln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let command = match cli.command {
        None => {
            let connector = crate::backend::modbus_link::default_connector();
            let renderer = renderer::from_env();
            return exit_code(gui::run(
                &runtime,
                connector,
                Vec::new(),
                None,
                Some(Vec::new()),
                renderer,
            ));
        }
        Some(Command::Gui(args)) => {
            let connector = crate::backend::modbus_link::default_connector();
            return exit_code(gui::run(
                &runtime,
                connector,
                Vec::new(),
                None,
                args.mdns(),
                args.renderer,
            ));
        }
        Some(Command::Demo(args)) => return exit_code(demo::run(&runtime, args)),
        Some(command) => command,
    };
    let result = runtime.block_on(async {
        match command {
            Command::Sim(args) => sim::run(args).await,
            Command::Read(args) => read::run(args).await,
            Command::Set(args) => set::run(args).await,
            Command::ResetEnergy(args) => reset_energy::run(args).await,
            Command::Bench(Nested { action }) => bench::run(action).await,
            Command::Mqtt(Nested { action }) => mqtt::run(action).await,
            Command::Certs(Nested { action }) => certs::run(action).await,
            Command::Info(args) => modes::run_info(args).await,
            Command::Mode(args) => modes::run_mode(args).await,
            Command::Reboot(args) => modes::run_reboot(args).await,
            Command::NetworkReset(args) => modes::run_network_reset(args).await,
            Command::Config(Nested { action }) => config::run(action).await,
            Command::Firmware(Nested { action }) => firmware::run(action).await,
            Command::Flash(args) => firmware::run_flash(args).await,
            Command::Discover(args) => discover::run(args).await,
            Command::Demo(_) | Command::Gui(_) => unreachable_demo(),
            Command::WiringCheck(args) => wiring_check::run(args).await,
            Command::Calibrate(args) => calibrate::run(args).await,
            Command::Record(args) => record::run(args).await,
            Command::Profile(Nested { action }) => profile::run(action).await,
            Command::Provision(args) => provision::run(args).await,
            Command::Report(args) => report::run(args).await,
        }
    });
    exit_code(result)
}

/// `demo` and `gui` run the window on the main thread and are dispatched
/// before the async commands; this arm only satisfies the match.
fn unreachable_demo() -> anyhow::Result<ExitCode> {
    anyhow::bail!("the window must be opened from the main thread")
}

fn exit_code(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            if let Some(quiet) = output::quiet_exit(&err) {
                return quiet;
            }
            match advice::for_error(&err) {
                Some(advice) => errln!("error: {err:#}; {advice}"),
                None => errln!("error: {err:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
