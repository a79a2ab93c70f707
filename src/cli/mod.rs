//! The `je08` command line: argument definitions and dispatch.
//!
//! Each subcommand lives in its own module with an `Args` struct and an
//! async `run` function; this module only routes to them.

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

#[macro_use]
pub mod output;
pub mod advice;
pub mod batch;
pub mod bench;
pub mod bench_discovery;
pub mod bench_journal;
pub mod bench_modbus;
pub mod bench_mqtt;
pub mod bench_ui;
pub mod broker_login;
pub mod calibrate;
pub mod certs;
pub mod completions;
pub mod config;
pub mod confirm;
pub mod demo;
pub mod diagnostics;
pub mod discover;
pub mod exit;
pub mod firmware;
pub mod gui;
pub mod interrupt;
pub mod lang;
pub mod log;
pub mod meter;
pub mod modes;
pub mod mqtt;
pub mod profile;
pub mod progress;
pub mod provision;
pub mod read;
pub mod record;
pub mod renderer;
pub mod report;
pub mod report_header;
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
#[command(name = "je08", version = VERSION, about, long_about = None, after_help = exit::HELP_FOOTER)]
pub struct Cli {
    /// Log filter for stderr (e.g. `info`, `je08=debug`); also read from
    /// RUST_LOG. The run's log file (see JE08_LOG_DIR) records `info`, or
    /// this filter when one is given.
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

/// The subcommands. Each one's `--help` ends with examples.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the configurator with three simulated meters (no hardware needed).
    #[command(after_help = "Examples:\n  je08 demo\n  je08 demo --time-scale 600")]
    Demo(demo::Args),
    /// Open the configurator window (as `je08` alone does), with options.
    #[command(after_help = "Examples:\n  je08 gui\n  je08 gui --mdns-interface eth0")]
    Gui(gui::Args),
    /// Serve virtual JE08 meters (Modbus TCP) until Ctrl-C.
    #[command(
        after_help = "Examples:\n  je08 sim --scenario reversed-ct-b\n  je08 sim --modbus-port 0 --http-port 0 --ota-port 0 --password secret"
    )]
    Sim(sim::Args),
    /// Read a meter's whole register map (table or --json).
    #[command(
        after_help = "Examples:\n  je08 read 10.0.0.21\n  je08 read 10.0.0.21:502 --json | jq .voltage_v"
    )]
    Read(read::Args),
    /// Change a meter's CT, inversion and gain settings (validated, saved, read back).
    #[command(
        after_help = "Examples:\n  je08 set 10.0.0.21 --ct-primary 500\n  je08 set 10.0.0.21 --invert-b on --json"
    )]
    Set(set::Args),
    /// Zero a meter's energy accumulators (kWh, kVArh or both).
    #[command(
        after_help = "Examples:\n  je08 reset-energy 10.0.0.21 --kwh\n  je08 reset-energy 10.0.0.21 --all --yes --json"
    )]
    ResetEnergy(reset_energy::Args),
    /// Benchmarks (figures for BENCHMARKS.md).
    #[command(after_help = "Examples:\n  je08 bench modbus\n  je08 bench mqtt")]
    Bench(Nested<bench::What>),
    /// Watch meters and send them commands through an MQTT broker.
    #[command(
        after_help = "Examples:\n  je08 mqtt watch --broker mqtt://10.0.0.2 --json\n  je08 mqtt send --broker mqtt://10.0.0.2 --device 1001 get-info --wait"
    )]
    Mqtt(Nested<mqtt::Action>),
    /// Check TLS certificates, and show, upload or delete those stored on a meter.
    #[command(
        after_help = "Examples:\n  je08 certs check --ca ca.pem --cert client.pem --key client.key\n  je08 certs upload 10.0.0.21 --ca ca.pem --cert client.pem --key client.key"
    )]
    Certs(Nested<certs::Action>),
    /// Show a meter's identity, mode, firmware and Wi-Fi state (HTTP, no password).
    #[command(after_help = "Examples:\n  je08 info 10.0.0.21\n  je08 info 10.0.0.21:8080 --json")]
    Info(modes::InfoArgs),
    /// Reboot a meter into application, configuration or update mode and wait for it.
    #[command(
        after_help = "Examples:\n  je08 mode 10.0.0.21 configuration\n  JE08_PASSWORD=secret je08 mode 10.0.0.21 application --json"
    )]
    Mode(modes::ModeArgs),
    /// Reboot a meter into application mode and wait for it.
    #[command(after_help = "Examples:\n  je08 reboot 10.0.0.21\n  je08 reboot 10.0.0.21 --wait-s 120 --json")]
    Reboot(modes::RebootArgs),
    /// Restore a meter's factory network settings (reboots into configuration mode).
    #[command(
        after_help = "Examples:\n  je08 network-reset 10.0.0.21\n  je08 network-reset 10.0.0.21 --wait-at 192.168.1.1 --json"
    )]
    NetworkReset(modes::NetworkResetArgs),
    /// Read or write the connectivity, protocols and CT blocks (configuration mode).
    #[command(
        after_help = "Examples:\n  je08 config get 10.0.0.21 protocols --json\n  je08 config set 10.0.0.21 protocols protocols.json"
    )]
    Config(Nested<config::ConfigCommand>),
    /// Firmware image tools.
    #[command(after_help = "Examples:\n  je08 firmware check app.bin\n  je08 firmware check app.bin --json")]
    Firmware(Nested<firmware::FirmwareCommand>),
    /// Validate and push a firmware image, then confirm the new version runs.
    #[command(
        after_help = "Examples:\n  je08 flash 10.0.0.21 app.bin\n  je08 flash 10.0.0.21 app.bin --method espota --json"
    )]
    Flash(firmware::FlashArgs),
    /// Find meters on the network (mDNS, address-range scan, typed addresses).
    #[command(after_help = "Examples:\n  je08 discover\n  je08 discover --no-mdns --scan 10.0.0.0/24 --json")]
    Discover(discover::Args),
    /// Check a meter's wiring from a live window of readings (optionally apply the register fix).
    #[command(
        after_help = "Examples:\n  je08 wiring-check 10.0.0.21 --ct-primary 500\n  je08 wiring-check 10.0.0.21 --fix --yes --json"
    )]
    WiringCheck(wiring_check::Args),
    /// Calibrate one phase's voltage or current gain against a reference instrument.
    #[command(
        after_help = "Examples:\n  je08 calibrate 10.0.0.21 --phase b --current 300\n  je08 calibrate 10.0.0.21 --phase a --voltage 220.0 --certificate cert.pdf"
    )]
    Calibrate(calibrate::Args),
    /// Record live readings of meters to CSV or XLSX (energy kept continuous across reboots).
    #[command(
        after_help = "Examples:\n  je08 record 10.0.0.21 10.0.0.22 --out plant.csv\n  je08 record 10.0.0.21 --out hour.csv --duration 3600 --interval 5000\n  je08 record 10.0.0.21 10.0.0.22 --out plant.xlsx --duration 600\n  je08 record 10.0.0.21 --out medicao.csv --format csv-locale --lang pt-BR"
    )]
    Record(record::Args),
    /// Save a meter's configuration to a profile, or apply one to many meters.
    #[command(
        after_help = "Examples:\n  je08 profile save 10.0.0.21 panel.toml\n  je08 profile apply panel.toml 10.0.0.21 10.0.0.22 --yes --json"
    )]
    Profile(Nested<profile::Action>),
    /// Take one meter from the box onto the plant network (access point to station, found and confirmed).
    #[command(
        after_help = "Examples:\n  je08 provision --ssid PLANT --find scan:10.0.0.0/24\n  je08 provision --ssid PLANT --find mdns --profile panel.toml --yes --json"
    )]
    Provision(provision::Args),
    /// Write a commissioning report (PDF) for one or more meters.
    #[command(
        after_help = "Examples:\n  je08 report 10.0.0.21 10.0.0.22 --out site.pdf\n  je08 report 10.0.0.21 --out qgbt2.pdf --lang pt-BR --site \"Usina Sul\" --panel QGBT-2 --customer \"ACME S.A.\" --technician \"Ana Lima\"\n  je08 report 10.0.0.21 --out site.pdf --fix --yes --broker mqtt://10.0.0.2 --json"
    )]
    Report(report::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    #[command(
        after_help = "Examples:\n  je08 completions bash > /etc/bash_completion.d/je08\n  je08 completions zsh > \"${fpath[1]}/_je08\""
    )]
    Completions(completions::CompletionsArgs),
    /// Write the man pages (je08.1 and one per subcommand) into a folder; used by packaging.
    #[command(hide = true)]
    Manpages(completions::ManpagesArgs),
    /// Show or export the activity journal: every change je08 made to a meter.
    #[command(
        after_help = "Examples:\n  je08 log --meter 1001 --since 2026-12-01\n  je08 log --kind settings --json\n  je08 log --csv journal.csv\n  je08 log --out journal.xlsx --lang pt-BR\n  je08 log --out diario.csv --format csv-locale --lang pt-BR"
    )]
    Log(log::Args),
    /// Save logs, crash reports, versions, settings and the meters list (no secrets) in one zip for support.
    #[command(
        after_help = "Examples:\n  je08 diagnostics je08-diagnostics.zip\n  je08 diagnostics support.zip --json"
    )]
    Diagnostics(diagnostics::Args),
}

/// Parse the command line, run the command, and map errors to an exit status.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let json = json_requested(&matches);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let explicit_log = matches!(
        matches.value_source("log"),
        Some(clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable)
    );
    let _log_file = init_logging(&cli.log, explicit_log);
    crate::support::crash::install(command_name(&matches));
    crate::support::crash::debug_trigger();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            return exit_code(
                Err(anyhow::anyhow!("cannot start the async runtime: {err}")),
                json,
            );
        }
    };
    let command = match cli.command {
        None => {
            let connector = crate::backend::modbus_link::default_connector();
            let renderer = renderer::from_env();
            return exit_code(
                gui::run(&runtime, connector, Vec::new(), None, Some(Vec::new()), renderer),
                json,
            );
        }
        Some(Command::Gui(args)) => {
            let connector = crate::backend::modbus_link::default_connector();
            return exit_code(
                gui::run(&runtime, connector, Vec::new(), None, args.mdns(), args.renderer),
                json,
            );
        }
        Some(Command::Demo(args)) => return exit_code(demo::run(&runtime, args), json),
        Some(Command::Completions(args)) => return exit_code(completions::run_completions(&args), json),
        Some(Command::Manpages(args)) => return exit_code(completions::run_manpages(&args), json),
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
            Command::Demo(_) | Command::Gui(_) | Command::Completions(_) | Command::Manpages(_) => {
                unreachable_demo()
            }
            Command::WiringCheck(args) => wiring_check::run(args).await,
            Command::Calibrate(args) => calibrate::run(args).await,
            Command::Record(args) => record::run(args).await,
            Command::Profile(Nested { action }) => profile::run(action).await,
            Command::Provision(args) => provision::run(args).await,
            Command::Report(args) => report::run(args).await,
            Command::Log(args) => log::run(args).await,
            Command::Diagnostics(args) => diagnostics::run(args).await,
        }
    });
    exit_code(result, json)
}

/// `demo` and `gui` run the window on the main thread, and `completions`
/// and `manpages` need no runtime: all are dispatched before the async
/// commands; this arm only satisfies the match.
fn unreachable_demo() -> anyhow::Result<ExitCode> {
    anyhow::bail!("the window must be opened from the main thread")
}

/// Whether the (innermost) subcommand was given `--json`: its failures are
/// then said as JSON too.
fn json_requested(matches: &clap::ArgMatches) -> bool {
    let here = matches!(matches.try_get_one::<bool>("json"), Ok(Some(true)));
    here || matches.subcommand().is_some_and(|(_, sub)| json_requested(sub))
}

/// The exit status of a command's result (see [`exit::Outcome`]); a
/// failure is said on stderr, as one JSON object when `json`.
fn exit_code(result: anyhow::Result<ExitCode>, json: bool) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            if let Some(quiet) = output::quiet_exit(&err) {
                return quiet;
            }
            let message = match advice::for_error(&err) {
                Some(advice) => format!("{err:#}; {advice}"),
                None => format!("{err:#}"),
            };
            if json {
                errln!("{}", exit::error_json(&err, &message));
            } else {
                errln!("error: {message}");
            }
            exit::Outcome::of_error(&err).into()
        }
    }
}

/// The command run, for the crash report: `window`, `read`, `mqtt watch`…
/// (never its arguments, which may hold a password).
fn command_name(matches: &clap::ArgMatches) -> String {
    let mut names = Vec::new();
    let mut at = matches;
    while let Some((name, sub)) = at.subcommand() {
        names.push(name);
        at = sub;
    }
    if names.is_empty() {
        "window".to_owned()
    } else {
        names.join(" ")
    }
}

/// Log to stderr under `filter` (RUST_LOG wins), and to this run's file in
/// the log folder at `info` — or under `filter` too when it was given
/// (`explicit`). The file is written by a background thread (the window's
/// thread never waits on a disk) and flushed when the returned guard drops.
fn init_logging(filter: &str, explicit: bool) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let stderr_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(stderr_filter);
    let (file, guard) = match crate::support::folders::log_dir() {
        Some(dir) => {
            let run = crate::support::log_file::RunLog::new(&dir, crate::support::log_file::Limits::DEFAULT);
            let (writer, guard) = tracing_appender::non_blocking(run);
            let file_filter = match explicit {
                true => EnvFilter::new(filter),
                false => EnvFilter::new("info"),
            };
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(file_filter);
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry().with(stderr).with(file).try_init();
    guard
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command a user runs (not the benchmarks, not hidden ones) ends
    /// its `--help` with examples that start with `je08`, and each example
    /// parses (up to a pipe or a redirection).
    #[test]
    fn every_help_ends_with_examples_that_parse() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for sub in command.get_subcommands() {
                let name = format!("{path} {}", sub.get_name());
                if sub.is_hide_set() || sub.get_name() == "help" || name.starts_with("je08 bench ") {
                    continue;
                }
                let examples = sub.get_after_help().map(ToString::to_string).unwrap_or_default();
                if !examples.starts_with("Examples:\n  je08 ") {
                    missing.push(name.clone());
                }
                for example in examples.lines().skip(1) {
                    let words: Vec<&str> = example
                        .split_whitespace()
                        .skip_while(|w| w.contains('='))
                        .take_while(|w| !["|", ">", "&&"].contains(w))
                        .collect();
                    if let Err(e) = Cli::try_parse_from(&words) {
                        missing.push(format!("{example}: {e}"));
                    }
                }
                walk(sub, &name, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "je08", &mut missing);
        assert!(
            missing.is_empty(),
            "no examples, or one that does not parse: {missing:#?}"
        );
    }
}
