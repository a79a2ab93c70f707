//! `je08 bench modbus`: Modbus client throughput and polling benchmarks
//! against `je08 sim` child processes on loopback, with mbpoll for
//! comparison. Figures go in BENCHMARKS.md; this is not a test.
//!
//! The simulator runs in its own process so that the CPU figure of the
//! polling run is the client's alone.

use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use je08_client::endpoint::Endpoint;
use je08_client::modbus::{ClientConfig, ModbusClient};

/// Options of `je08 bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to benchmark.
    #[command(subcommand)]
    pub what: What,
}

/// The benchmarks.
#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Full-map reads per second on one connection, many meters polled at
    /// once, and mbpoll reading the same simulator.
    Modbus(ModbusArgs),
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
}

/// Options of `je08 bench modbus`.
#[derive(Debug, clap::Args)]
pub struct ModbusArgs {
    /// Seconds for each timed run.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Simulated meters polled at once (at most 253).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u16).range(1..=253))]
    pub meters: u16,
    /// Polls per second per meter.
    #[arg(long, default_value_t = 10)]
    pub rate_hz: u32,
    /// Full-map reads each with a new connection and with one mbpoll process
    /// each (0 skips both).
    #[arg(long, default_value_t = 200)]
    pub oneshot_reads: u32,
    /// The mbpoll executable.
    #[arg(long, default_value = "mbpoll")]
    pub mbpoll: PathBuf,
}

/// Run the selected benchmark.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.what {
        What::Modbus(m) => modbus(m).await,
        What::Mqtt(m) => super::bench_mqtt::run(m).await,
        What::MqttPublishers(p) => super::bench_mqtt::publishers(p).await,
        What::Ui(u) => super::bench_ui::run(u).await,
        What::Discovery(d) => super::bench_discovery::run(d).await,
    }
}

/// `je08 sim --count N` on free ports as a child; killed on drop.
pub(super) struct Sim {
    _child: Child,
    pub(super) meters: Vec<Endpoint>,
}

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

/// Latency summary of a run.
struct Latencies(Vec<Duration>);

impl Latencies {
    fn percentile(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.0.len() - 1) as f64 * p).round() as usize;
        self.0[i.min(self.0.len() - 1)]
    }

    fn summary(mut self) -> String {
        self.0.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "latency p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            ms(self.percentile(0.5)),
            ms(self.percentile(0.9)),
            ms(self.percentile(0.99)),
            ms(self.percentile(1.0))
        )
    }
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

fn config() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(2),
        ..ClientConfig::default()
    }
}

async fn modbus(args: ModbusArgs) -> anyhow::Result<ExitCode> {
    let window = Duration::from_secs(args.seconds.max(1));
    println!(
        "je08 bench modbus ({} build), {} CPU core(s)",
        if cfg!(debug_assertions) {
            "DEBUG"
        } else {
            "release"
        },
        std::thread::available_parallelism().map_or(0, usize::from)
    );

    let one = start_sim(1).await?;
    let meter = one.meters[0].clone();
    one_connection(&meter, window).await?;
    if args.oneshot_reads > 0 {
        oneshot_connections(&meter, args.oneshot_reads).await?;
        mbpoll_runs(&args.mbpoll, &meter, args.oneshot_reads).await;
    }
    drop(one);

    let many = start_sim(args.meters).await?;
    polling(&many.meters, args.rate_hz, window).await?;
    Ok(ExitCode::SUCCESS)
}

async fn one_connection(meter: &Endpoint, window: Duration) -> anyhow::Result<()> {
    let mut client = ModbusClient::new(meter.clone(), config());
    client.read_map().await?;
    let mut latencies = Vec::new();
    let cpu0 = cpu_time();
    let started = Instant::now();
    while started.elapsed() < window {
        let t = Instant::now();
        client.read_map().await?;
        latencies.push(t.elapsed());
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    println!(
        "one connection:   {} full-map reads in {:.2} s = {:.0} reads/s; {}; client CPU {}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        Latencies(latencies).summary(),
        cpu_share(cpu, elapsed)
    );
    Ok(())
}

pub(crate) fn cpu_share(cpu: Option<Duration>, wall: Duration) -> String {
    cpu.map_or_else(
        || "n/a".to_string(),
        |c| format!("{:.0}% of one core", 100.0 * c.as_secs_f64() / wall.as_secs_f64()),
    )
}

async fn oneshot_connections(meter: &Endpoint, reads: u32) -> anyhow::Result<()> {
    let started = Instant::now();
    for _ in 0..reads {
        let mut client = ModbusClient::new(meter.clone(), config());
        client.read_map().await?;
        client.disconnect().await;
    }
    let elapsed = started.elapsed();
    println!(
        "new connection per read: {reads} reads in {:.2} s = {:.0} reads/s",
        elapsed.as_secs_f64(),
        f64::from(reads) / elapsed.as_secs_f64()
    );
    Ok(())
}

async fn mbpoll_runs(mbpoll: &PathBuf, meter: &Endpoint, runs: u32) {
    let port = meter.port.to_string();
    let argv = [
        "-m",
        "tcp",
        "-p",
        &port,
        "-0",
        "-1",
        "-t",
        "4",
        "-r",
        "0",
        "-c",
        "110",
        "-o",
        "2",
        &meter.host,
    ];
    let started = Instant::now();
    for i in 0..runs {
        match Command::new(mbpoll)
            .args(argv)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
        {
            Ok(status) if status.success() => {}
            Ok(status) => {
                println!("mbpoll: run {i} failed ({status}); skipped");
                return;
            }
            Err(e) => {
                println!("mbpoll: cannot run {} ({e}); skipped", mbpoll.display());
                return;
            }
        }
    }
    let elapsed = started.elapsed();
    println!(
        "mbpoll, one process per read (`mbpoll {}`): {runs} reads in {:.2} s = {:.0} reads/s",
        argv.join(" "),
        elapsed.as_secs_f64(),
        f64::from(runs) / elapsed.as_secs_f64()
    );
}

async fn polling(meters: &[Endpoint], rate_hz: u32, window: Duration) -> anyhow::Result<()> {
    if rate_hz == 0 {
        bail!("--rate-hz must be at least 1");
    }
    let period = Duration::from_secs(1) / rate_hz;
    // Connect everyone first so the timed window measures steady polling.
    let mut clients = Vec::with_capacity(meters.len());
    for m in meters {
        let mut c = ModbusClient::new(m.clone(), config());
        c.read_map().await?;
        clients.push(c);
    }
    let cpu0 = cpu_time();
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, mut client)| {
            tokio::spawn(async move {
                // Spread the meters over one period instead of polling all at once.
                let offset = period.mul_f64(i as f64 / 256.0);
                let start = tokio::time::Instant::now() + offset;
                let mut ticks = tokio::time::interval_at(start, period);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while started.elapsed() < window {
                    ticks.tick().await;
                    let t = Instant::now();
                    match client.read_map().await {
                        Ok(_) => latencies.push(t.elapsed()),
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.context("a polling task panicked")?;
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    let target = meters.len() as f64 * f64::from(rate_hz);
    println!(
        "{} meters at {rate_hz} Hz: {} reads in {:.2} s = {:.0} reads/s (target {target:.0}), {errors} errors; {}; client CPU {}",
        meters.len(),
        all.len(),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        Latencies(all).summary(),
        cpu_share(cpu, elapsed)
    );
    Ok(())
}
