//! `je08 bench`: the benchmarks behind BENCHMARKS.md (`modbus`, `mqtt`, `ui`,
//! `discovery`, each in its own module) and what they share: simulators in
//! a child process and the CPU time of this process. Not tests.

use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use je08_client::endpoint::Endpoint;

/// The benchmarks.
#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Full-map reads per second on one connection (the je08 client beside
    /// libmodbus and a raw TCP loop), new connections, mbpoll, and many
    /// meters polled at once.
    Modbus(super::bench_modbus::ModbusArgs),
    /// DATA and full-map decode rates, and K simulated meters publishing through
    /// Mosquitto into one monitor (its CPU and memory).
    Mqtt(super::bench_mqtt::MqttArgs),
    /// (Internal) the publishing meters of `bench mqtt`, in a child process.
    #[command(hide = true)]
    MqttPublishers(super::bench_mqtt::PublishersArgs),
    /// Configurator frame time (50 meters × 1 h history), CPU with 10 live
    /// meters at 1 Hz, and time to the first frame.
    Ui(super::bench_ui::UiArgs),
    /// Time until 50 simulated meters are listed over mDNS (loopback), and
    /// time of a /24 Modbus scan.
    Discovery(super::bench_discovery::DiscoveryArgs),
    /// Opening an activity journal of 100,000 entries: the newest page, one
    /// meter's page, a search through all of it.
    Journal(super::bench_journal::JournalArgs),
}

/// Run the selected benchmark.
pub async fn run(what: What) -> anyhow::Result<ExitCode> {
    match what {
        What::Modbus(m) => super::bench_modbus::run(m).await,
        What::Mqtt(m) => super::bench_mqtt::run(m).await,
        What::MqttPublishers(p) => super::bench_mqtt::publishers(p).await,
        What::Ui(u) => super::bench_ui::run(u).await,
        What::Discovery(d) => super::bench_discovery::run(d).await,
        What::Journal(j) => super::bench_journal::run(j).await,
    }
}

/// `je08 sim --count N` on free ports as a child; killed on drop.
pub(super) struct Sim {
    _child: Child,
    /// The simulated meters' Modbus addresses, in the order they got ready.
    pub(super) meters: Vec<Endpoint>,
}

/// Start `je08 sim --count {count}` and wait until every meter is ready.
pub(super) async fn start_sim(count: u16) -> anyhow::Result<Sim> {
    let exe = std::env::current_exe().context("cannot find the je08 executable")?;
    let mut child = Command::new(exe)
        .args(["sim", "--modbus-port", "0", "--http-port", "0", "--ota-port", "0"])
        .args(["--count", &count.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start je08 sim")?;
    let stdout = child.stdout.take().context("no stdout from je08 sim")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut meters = Vec::with_capacity(usize::from(count));
    let deadline = Instant::now() + Duration::from_secs(60);
    while meters.len() < usize::from(count) {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = tokio::time::timeout(left, lines.next_line())
            .await
            .context("je08 sim did not get ready within 60 s")??
            .context("je08 sim exited before it was ready")?;
        let ready: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("unexpected line from je08 sim: {line}"))?;
        let addr = ready["modbus"]
            .as_str()
            .context("ready line without a modbus address")?;
        meters.push(Endpoint::parse(addr, 502).map_err(anyhow::Error::msg)?);
    }
    Ok(Sim {
        _child: child,
        meters,
    })
}

/// The first line of a benchmark's output: which benchmark, the build
/// (figures from a debug build are not comparable) and the CPU cores.
pub(super) fn print_header(name: &str) -> Result<(), super::output::OutputError> {
    outln!(
        "je08 bench {name} ({} build), {} CPU core(s)",
        if cfg!(debug_assertions) {
            "DEBUG"
        } else {
            "release"
        },
        std::thread::available_parallelism().map_or(0, usize::from)
    )
}

/// CPU time (user + system) this process used so far, from /proc/self/stat
/// (Linux; USER_HZ = 100). `None` elsewhere.
pub(crate) fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the command name: state is field 3, utime 14, stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// `cpu` as a share of one core over `wall`: "38% of one core", or "n/a".
pub(crate) fn cpu_share(cpu: Option<Duration>, wall: Duration) -> String {
    cpu.map_or_else(
        || "n/a".to_string(),
        |c| format!("{:.0}% of one core", 100.0 * c.as_secs_f64() / wall.as_secs_f64()),
    )
}
