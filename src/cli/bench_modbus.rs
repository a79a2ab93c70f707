//! `je08 bench modbus`: Modbus client throughput and polling benchmarks
//! against `je08 sim` child processes on loopback. Figures go in
//! BENCHMARKS.md; this is not a test.
//!
//! The simulator runs in its own process so that the CPU figures are the
//! client's alone. On one connection the je08 client (in a task, as the
//! configurator runs it, and in `block_on`, as the command line does) is
//! compared, in the same run and against the same simulator process, with
//! libmodbus (a small C program built at run time, module `libmodbus`) and
//! with a raw blocking TCP request/reply loop (module `raw_loop`): the most
//! the simulator can serve.

mod libmodbus;
mod raw_loop;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::process::Command;

use super::bench::{cpu_share, cpu_time, start_sim};
use je08_client::endpoint::Endpoint;
use je08_client::modbus::{ClientConfig, ModbusClient};

/// Options of `je08 bench modbus`.
#[derive(Debug, clap::Args)]
pub struct ModbusArgs {
    /// Seconds for each timed run.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Rounds of the one-connection comparison (je08 client, libmodbus and
    /// the raw TCP loop in turn, each for --seconds).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub rounds: u32,
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
    /// The C compiler that builds the libmodbus client.
    #[arg(long, env = "CC", default_value = "cc")]
    pub cc: PathBuf,
}

/// Run the benchmark and print the figures.
pub async fn run(args: ModbusArgs) -> anyhow::Result<ExitCode> {
    let window = Duration::from_secs(args.seconds.max(1));
    super::bench::print_header("modbus")?;

    let one = start_sim(1).await?;
    let meter = one.meters[0].clone();
    one_connection(&meter, window, args.rounds, &args.cc).await?;
    if args.oneshot_reads > 0 {
        oneshot_connections(&meter, args.oneshot_reads).await?;
        mbpoll_runs(&args.mbpoll, &meter, args.oneshot_reads).await?;
    }
    drop(one);

    let many = start_sim(args.meters).await?;
    polling(&many.meters, args.rate_hz, window).await?;
    Ok(ExitCode::SUCCESS)
}

/// Latencies of the requests of a run.
struct Latencies(Vec<Duration>);

impl Latencies {
    fn percentile(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.0.len() - 1) as f64 * p).round() as usize;
        self.0[i.min(self.0.len() - 1)]
    }

    fn summary(mut self) -> LatencySummary {
        self.0.sort_unstable();
        LatencySummary {
            p50: self.percentile(0.5),
            p90: self.percentile(0.9),
            p99: self.percentile(0.99),
            max: self.percentile(1.0),
        }
    }
}

/// Percentiles of the request latencies of a run.
#[derive(Debug, Clone, Copy)]
struct LatencySummary {
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
}

impl fmt::Display for LatencySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "latency p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max)
        )
    }
}

/// What one client achieved reading the whole map back to back on one
/// connection, in one round or summed over all rounds.
#[derive(Debug, Clone, Copy)]
struct Throughput {
    reads: u64,
    elapsed: Duration,
    /// CPU time of the client process over the window, when known.
    cpu: Option<Duration>,
    /// Latency percentiles of one round (none for a sum of rounds).
    latency: Option<LatencySummary>,
}

impl Throughput {
    /// The figures of a window that started at `started`, when this
    /// process had used `cpu0`, given the latency of each read.
    fn since(started: Instant, cpu0: Option<Duration>, latencies: Vec<Duration>) -> Self {
        let elapsed = started.elapsed();
        let cpu = cpu_time().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
        Self {
            reads: latencies.len() as u64,
            elapsed,
            cpu,
            latency: Some(Latencies(latencies).summary()),
        }
    }

    /// This and `other` together (a sum of rounds).
    fn plus(self, other: Self) -> Self {
        Self {
            reads: self.reads + other.reads,
            elapsed: self.elapsed + other.elapsed,
            cpu: self.cpu.zip(other.cpu).map(|(a, b)| a + b),
            latency: None,
        }
    }

    fn reads_per_second(&self) -> f64 {
        self.reads as f64 / self.elapsed.as_secs_f64()
    }

    fn cpu_per_read(&self) -> Option<Duration> {
        self.cpu
            .filter(|_| self.reads > 0)
            .map(|c| c.div_f64(self.reads as f64))
    }

    /// One line of the report; `reference` is the libmodbus rate, if any.
    fn line(&self, name: &str, reference: Option<f64>) -> String {
        let ratio = reference.map_or_else(
            || "libmodbus n/a".to_string(),
            |r| format!("{:.2}× libmodbus", self.reads_per_second() / r),
        );
        let latency = self.latency.map(|l| format!("; {l}")).unwrap_or_default();
        let per_read = self
            .cpu_per_read()
            .map(|c| format!(", {:.1} µs per read", c.as_secs_f64() * 1e6))
            .unwrap_or_default();
        format!(
            "{name:<26} {} full-map reads in {:.2} s = {:.0} reads/s ({ratio}){latency}; client CPU {}{per_read}",
            self.reads,
            self.elapsed.as_secs_f64(),
            self.reads_per_second(),
            cpu_share(self.cpu, self.elapsed)
        )
    }
}

fn config() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(2),
        ..ClientConfig::default()
    }
}

/// The clients compared on one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contender {
    /// The je08 client in a task on the runtime's worker threads, as the
    /// configurator's meter sessions and the polling run use it.
    Je08Task,
    /// The je08 client on the thread that runs `block_on`, as the command
    /// line's commands use it.
    Je08BlockOn,
    /// The C program on libmodbus.
    Libmodbus,
    /// The raw blocking loop.
    RawLoop,
}

impl Contender {
    /// Every client, in declaration order: `contender as usize` indexes a
    /// [`Round`].
    const ALL: [Self; 4] = [Self::Je08Task, Self::Je08BlockOn, Self::Libmodbus, Self::RawLoop];

    /// Run this client's reads for `window`; `None` when libmodbus is
    /// missing or its run failed (said on the output).
    async fn run(
        self,
        meter: &Endpoint,
        window: Duration,
        harness: Option<&libmodbus::Harness>,
    ) -> anyhow::Result<Option<Throughput>> {
        Ok(match self {
            Self::Je08Task => {
                let meter = meter.clone();
                Some(
                    tokio::spawn(async move { je08_client_reads(&meter, window).await })
                        .await
                        .context("the je08 client task panicked")??,
                )
            }
            Self::Je08BlockOn => Some(je08_client_reads(meter, window).await?),
            Self::Libmodbus => match harness {
                Some(harness) => harness
                    .run(meter, window)
                    .await
                    .inspect_err(|why| {
                        // A closed stdout is caught by the next line printed.
                        let _ = outln!("libmodbus: run failed: {why:#}");
                    })
                    .ok(),
                None => None,
            },
            Self::RawLoop => Some(raw_loop::run(meter, window).await?),
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Je08Task => "je08 client:",
            Self::Je08BlockOn => "je08 client in block_on:",
            Self::Libmodbus => "libmodbus:",
            Self::RawLoop => "raw TCP loop:",
        }
    }
}

/// The clients in turn against the same simulator, `rounds` times (each
/// round starts with the next client, so none always runs first); with more
/// than one round, also their sums and medians over all rounds.
async fn one_connection(meter: &Endpoint, window: Duration, rounds: u32, cc: &Path) -> anyhow::Result<()> {
    let harness = match libmodbus::Harness::build(cc).await {
        Ok(harness) => Some(harness),
        Err(why) => {
            outln!("libmodbus: skipped: {why}")?;
            None
        }
    };
    outln!(
        "one connection, full-map reads back to back, {} s each:",
        window.as_secs()
    )?;
    let mut all = Vec::new();
    for round in 0..rounds as usize {
        if rounds > 1 {
            outln!("round {} of {rounds}:", round + 1)?;
        }
        let mut figures = [None; Contender::ALL.len()];
        for turn in 0..Contender::ALL.len() {
            let contender = Contender::ALL[(round + turn) % Contender::ALL.len()];
            figures[contender as usize] = contender.run(meter, window, harness.as_ref()).await?;
        }
        let reference = figures[Contender::Libmodbus as usize].map(|f| f.reads_per_second());
        for (contender, figures) in Contender::ALL.into_iter().zip(&figures) {
            if let Some(figures) = figures {
                outln!("  {}", figures.line(contender.name(), reference))?;
            }
        }
        all.push(figures);
    }
    if rounds > 1 {
        outln!("all {rounds} rounds (sum; median of the rounds):")?;
        for contender in Contender::ALL {
            if let Some(line) = summary(contender, &all) {
                outln!("  {line}")?;
            }
        }
    }
    Ok(())
}

/// The figures of one round, indexed by `Contender as usize`.
type Round = [Option<Throughput>; Contender::ALL.len()];

/// The sum of `contender`'s rounds and the medians of its rounds' rate,
/// ratio to libmodbus (in the same round) and CPU per read.
fn summary(contender: Contender, rounds: &[Round]) -> Option<String> {
    let mine: Vec<Throughput> = rounds.iter().filter_map(|r| r[contender as usize]).collect();
    let sum = mine.iter().copied().reduce(Throughput::plus)?;
    let reference = rounds
        .iter()
        .filter_map(|r| r[Contender::Libmodbus as usize])
        .reduce(Throughput::plus)
        .map(|r| r.reads_per_second());
    let ratios = rounds.iter().filter_map(|r| {
        let (me, libmodbus) = (r[contender as usize]?, r[Contender::Libmodbus as usize]?);
        Some(me.reads_per_second() / libmodbus.reads_per_second())
    });
    let ratio = median(ratios).map_or_else(String::new, |r| format!(", {r:.2}× libmodbus"));
    let per_read = median(
        mine.iter()
            .filter_map(Throughput::cpu_per_read)
            .map(|d| d.as_secs_f64()),
    )
    .map_or_else(String::new, |d| format!(", {:.1} µs per read", d * 1e6));
    Some(format!(
        "{}; median {:.0} reads/s{ratio}{per_read}",
        sum.line(contender.name(), reference),
        median(mine.iter().map(Throughput::reads_per_second))?
    ))
}

/// The middle value (the mean of the middle two for an even count).
fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// `ModbusClient::read_map` back to back on one connection.
async fn je08_client_reads(meter: &Endpoint, window: Duration) -> anyhow::Result<Throughput> {
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
    Ok(Throughput::since(started, cpu0, latencies))
}

async fn oneshot_connections(meter: &Endpoint, reads: u32) -> anyhow::Result<()> {
    let started = Instant::now();
    for _ in 0..reads {
        let mut client = ModbusClient::new(meter.clone(), config());
        client.read_map().await?;
        client.disconnect().await;
    }
    let elapsed = started.elapsed();
    outln!(
        "new connection per read: {reads} reads in {:.2} s = {:.0} reads/s",
        elapsed.as_secs_f64(),
        f64::from(reads) / elapsed.as_secs_f64()
    )?;
    Ok(())
}

async fn mbpoll_runs(
    mbpoll: &PathBuf,
    meter: &Endpoint,
    runs: u32,
) -> Result<(), super::output::OutputError> {
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
                outln!("mbpoll: run {i} failed ({status}); skipped")?;
                return Ok(());
            }
            Err(e) => {
                outln!("mbpoll: cannot run {} ({e}); skipped", mbpoll.display())?;
                return Ok(());
            }
        }
    }
    let elapsed = started.elapsed();
    outln!(
        "mbpoll, one process per read (`mbpoll {}`): {runs} reads in {:.2} s = {:.0} reads/s",
        argv.join(" "),
        elapsed.as_secs_f64(),
        f64::from(runs) / elapsed.as_secs_f64()
    )
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
    outln!(
        "{} meters at {rate_hz} Hz: {} reads in {:.2} s = {:.0} reads/s (target {target:.0}), {errors} errors; {}; client CPU {}",
        meters.len(),
        all.len(),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        Latencies(all).summary(),
        cpu_share(cpu, elapsed)
    )?;
    Ok(())
}
