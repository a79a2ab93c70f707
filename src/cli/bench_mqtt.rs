//! `je08 bench mqtt`: how fast DATA and a full register map decode, and what
//! one monitor costs when K simulated meters publish at 1 Hz through a real
//! Mosquitto.
//!
//! The meters run in a child process (`je08 bench mqtt-publishers`, the
//! simulator's own MQTT client), Mosquitto in another, so the CPU time and
//! RSS measured here are the monitor's alone. Figures go in BENCHMARKS.md;
//! this is not a test.

use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use super::bench::{cpu_share, cpu_time};
use je08_client::mqtt::{Freshness, Monitor, MonitorOptions};
use je08_net::mqtt_link::{BrokerLogin, LinkOptions};
use je08_protocol::codec::{RegisterBlock, decode};
use je08_protocol::mqtt::{BrokerUrl, decode_message, encode_data};
use je08_sim::mqtt::{SimMqtt, SimMqttOptions};
use je08_sim::{Device, DeviceConfig, SimDevice};

/// Options of `je08 bench mqtt`.
#[derive(Debug, clap::Args)]
pub struct MqttArgs {
    /// Seconds of the decode-rate run.
    #[arg(long, default_value_t = 3)]
    pub decode_seconds: u64,
    /// Simulated meters publishing at once (0 skips the end-to-end run).
    #[arg(long, default_value_t = 1000)]
    pub meters: u32,
    /// Seconds between each meter's DATA.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub interval: u64,
    /// Seconds of the measured end-to-end window (after every meter was seen).
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
    /// The Mosquitto executable.
    #[arg(long, default_value = "/usr/sbin/mosquitto")]
    pub mosquitto: PathBuf,
}

/// Options of the hidden `je08 bench mqtt-publishers`.
#[derive(Debug, clap::Args)]
pub struct PublishersArgs {
    /// Broker to publish to.
    #[arg(long, value_parser = super::broker_login::BrokerUrlParser)]
    pub broker: BrokerUrl,
    /// Number of meters.
    #[arg(long)]
    pub meters: u32,
    /// Seconds between DATA.
    #[arg(long)]
    pub interval: u64,
    /// Id of the first meter.
    #[arg(long, default_value_t = 500_000)]
    pub first_id: u32,
}

/// Resident memory of this process, from /proc/self/status (Linux).
fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn mib(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |m| format!("{m:.1} MiB"))
}

/// Run the benchmark.
pub async fn run(args: MqttArgs) -> anyhow::Result<ExitCode> {
    super::bench::print_header("mqtt")?;
    decode_rate(Duration::from_secs(args.decode_seconds.max(1)))?;
    if args.meters > 0 {
        end_to_end(&args).await?;
    }
    Ok(ExitCode::SUCCESS)
}

fn decode_rate(window: Duration) -> Result<(), super::output::OutputError> {
    let device = Device::new(DeviceConfig::new(1), Instant::now());
    let device = SimDevice::new(device);
    let block = device.registers();
    let payload = encode_data(&block);
    let started = Instant::now();
    let mut n = 0u64;
    let mut ok = 0u64;
    while started.elapsed() < window {
        for _ in 0..1000 {
            ok += u64::from(decode_message(std::hint::black_box(payload.as_bytes())).is_ok());
        }
        n += 1000;
    }
    let elapsed = started.elapsed().as_secs_f64();
    outln!(
        "DATA decode:      {n} packets of {} bytes in {elapsed:.2} s = {:.0} packets/s ({:.2} µs each, one core){}",
        payload.len(),
        n as f64 / elapsed,
        elapsed * 1e6 / n as f64,
        if ok == n { "" } else { " — SOME FAILED" }
    )?;
    full_map_decode_rate(&block, window)
}

/// `codec::decode` of the whole 110-register block (what every Modbus poll
/// decodes), in a loop on one core.
fn full_map_decode_rate(block: &RegisterBlock, window: Duration) -> Result<(), super::output::OutputError> {
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < window {
        for _ in 0..1000 {
            std::hint::black_box(decode(std::hint::black_box(block)));
        }
        n += 1000;
    }
    let elapsed = started.elapsed().as_secs_f64();
    outln!(
        "full-map decode:  {n} blocks in {elapsed:.2} s = {:.0} blocks/s ({:.3} µs each, one core)",
        n as f64 / elapsed,
        elapsed * 1e6 / n as f64,
    )
}

/// A Mosquitto child on a free loopback port; killed on drop.
struct Broker {
    _child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn start_mosquitto(exe: &PathBuf) -> anyhow::Result<Broker> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let dir = std::env::temp_dir().join(format!("je08-bench-mqtt-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("mosquitto.conf");
    std::fs::write(
        &config,
        format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_connections -1\nuser root\n"
        ),
    )?;
    let child = Command::new(exe)
        .arg("-c")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let end = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > end {
            bail!("mosquitto did not start on port {port}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(Broker {
        _child: child,
        dir,
        port,
    })
}

async fn end_to_end(args: &MqttArgs) -> anyhow::Result<()> {
    let broker = start_mosquitto(&args.mosquitto).await?;
    let url = BrokerUrl {
        tls: false,
        host: "127.0.0.1".into(),
        port: broker.port,
    };
    let link = LinkOptions::builder(BrokerLogin::anonymous(url.clone()), "je08-bench-monitor").build()?;
    let mut options = MonitorOptions::new(link);
    options.max_meters = (args.meters as usize).max(1) * 2;
    let monitor = Monitor::start(options);
    monitor
        .wait_connected(Duration::from_secs(10))
        .await
        .context("monitor cannot connect")?;
    let rss_idle = rss_mib();

    let exe = std::env::current_exe().context("cannot find the je08 executable")?;
    let mut child = Command::new(exe)
        .args([
            "bench",
            "mqtt-publishers",
            "--broker",
            &url.to_string(),
            "--meters",
            &args.meters.to_string(),
            "--interval",
            &args.interval.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the publishers")?;
    let stdout = child.stdout.take().context("no stdout from the publishers")?;
    let mut lines = BufReader::new(stdout).lines();
    let ready = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await
        .context("the publishers did not connect within 120 s")??;
    if ready.as_deref() != Some("ready") {
        bail!("the publishers failed: {ready:?}");
    }
    let end = Instant::now() + Duration::from_secs(60 + 3 * args.interval);
    while monitor.meters().len() < args.meters as usize {
        if Instant::now() > end {
            bail!("only {} of {} meters seen", monitor.meters().len(), args.meters);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let the history rings fill before measuring memory.
    tokio::time::sleep(Duration::from_secs(args.interval * 2)).await;

    let window = Duration::from_secs(args.seconds.max(1));
    let rss_before = rss_mib();
    let before = monitor.counters();
    let cpu0 = cpu_time();
    let started = Instant::now();
    // RSS every tenth of the window: flat once the history rings are full.
    let mut rss_trace = Vec::new();
    for _ in 0..10 {
        tokio::time::sleep(window / 10).await;
        rss_trace.push(rss_mib().map_or_else(|| "n/a".to_string(), |m| format!("{m:.1}")));
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    let after = monitor.counters();
    let rss_after = rss_mib();
    let views = monitor.meters();
    let stale = views.iter().filter(|v| v.freshness == Freshness::Stale).count();
    let received = after.messages - before.messages;
    let expected = f64::from(args.meters) * elapsed.as_secs_f64() / args.interval as f64;
    outln!(
        "end to end:       {} meters every {} s through Mosquitto: monitor received {received} DATA in {:.1} s = {:.0} msg/s ({:.1}% of the published rate); monitor CPU {}; RSS idle {}, before {}, after {}; {} meters tracked, {stale} stale, {} malformed, {} reconnects",
        args.meters,
        args.interval,
        elapsed.as_secs_f64(),
        received as f64 / elapsed.as_secs_f64(),
        100.0 * received as f64 / expected,
        cpu_share(cpu, elapsed),
        mib(rss_idle),
        mib(rss_before),
        mib(rss_after),
        views.len(),
        after.malformed,
        after.reconnects
    )?;
    outln!(
        "monitor RSS (MiB) every {:.0} s: {}",
        window.as_secs_f64() / 10.0,
        rss_trace.join(", ")
    )?;
    drop(child);
    drop(broker);
    Ok(())
}

/// The hidden child: K virtual meters publishing; prints `ready` once all
/// are connected, then runs until killed.
pub async fn publishers(args: PublishersArgs) -> anyhow::Result<ExitCode> {
    let mut meters: Vec<(SimMqtt, Arc<je08_sim::mqtt::SimMqttStats>)> = Vec::new();
    for i in 0..args.meters {
        let id = args.first_id.saturating_add(i);
        let mut options = SimMqttOptions::new(BrokerLogin::anonymous(args.broker.clone()));
        options.timing.queue = 16;
        options.timing.link.keep_alive = Duration::from_secs(60);
        options.interval = Duration::from_secs(args.interval);
        let mut config = DeviceConfig::new(id);
        options.seed(&mut config)?;
        let device = SimDevice::new(Device::new(config, Instant::now()));
        let mqtt = SimMqtt::spawn(device, options.timing);
        let stats = mqtt.stats();
        meters.push((mqtt, stats));
    }
    let end = Instant::now() + Duration::from_secs(110);
    while meters.iter().any(|(_, s)| !s.connected()) {
        if Instant::now() > end {
            let up = meters.iter().filter(|(_, s)| s.connected()).count();
            outln!("only {up} of {} meters connected", args.meters)?;
            return Ok(ExitCode::FAILURE);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    outln!("ready")?;
    std::future::pending::<()>().await;
    Ok(ExitCode::SUCCESS)
}
