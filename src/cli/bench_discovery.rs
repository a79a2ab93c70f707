//! `je08 bench discovery`: time until a browser lists every simulated meter
//! advertised over mDNS (loopback only), and time of a /24 Modbus scan.
//! Figures go in BENCHMARKS.md; this is not a test.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use tokio::sync::mpsc;

use je08_client::discovery::mdns::{MdnsBrowser, MdnsInterface};
use je08_client::discovery::scan::{ScanOptions, scan};
use je08_protocol::discovery::ScanRange;
use je08_sim::mdns::MdnsAdvertiser;
use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};

/// Options of `je08 bench discovery`.
#[derive(Debug, clap::Args)]
pub struct DiscoveryArgs {
    /// Simulated meters (127.0.0.2, 127.0.0.3, …), advertised over mDNS on loopback.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..=253))]
    pub meters: u16,
    /// Repetitions of each measurement.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub runs: u32,
}

/// Give up on a run after this long.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// Run the benchmark and print the figures.
pub async fn run(args: DiscoveryArgs) -> anyhow::Result<ExitCode> {
    let mut mdns_times = Vec::new();
    let mut scan_times = Vec::new();
    for run in 1..=args.runs {
        let advertiser = MdnsAdvertiser::loopback().context("cannot start mDNS advertising")?;
        let first_id = rand::random_range(100_000_000..3_000_000_000);
        let (meters, port) = spawn_meters(args.meters, first_id, &advertiser).await?;
        let ids: BTreeSet<u32> = meters.iter().map(SimMeter::id).collect();
        // Let the meters' first announcements go out, as on a network that
        // was up before the configurator started.
        tokio::time::sleep(Duration::from_secs(1)).await;

        let elapsed = time_mdns(&ids).await?;
        outln!(
            "run {run}: mDNS listed {} meters in {:.3} s",
            ids.len(),
            elapsed.as_secs_f64()
        )?;
        mdns_times.push(elapsed);

        let range: ScanRange = format!("127.0.0.0/24:{port}").parse()?;
        let options = ScanOptions::default();
        let started = Instant::now();
        let found: BTreeSet<u32> = scan(range, options).map(|s| s.id).collect().await;
        let elapsed = started.elapsed();
        if found != ids {
            bail!(
                "the scan found {} of {} meters",
                found.intersection(&ids).count(),
                ids.len()
            );
        }
        outln!(
            "run {run}: scan of {range} ({} addresses, {} at once, {} ms per host) found {} meters in {:.3} s",
            range.host_count(),
            options.concurrency,
            options.per_host.as_millis(),
            found.len(),
            elapsed.as_secs_f64()
        )?;
        scan_times.push(elapsed);

        for meter in meters {
            meter.shutdown().await;
        }
        advertiser.shutdown().await;
    }
    outln!(
        "mDNS, {} meters: median {:.3} s, worst {:.3} s (target < 3 s)",
        args.meters,
        median(&mdns_times).as_secs_f64(),
        worst(&mdns_times).as_secs_f64()
    )?;
    outln!(
        "scan, /24: median {:.3} s, worst {:.3} s (target < 3 s)",
        median(&scan_times).as_secs_f64(),
        worst(&scan_times).as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `count` meters on 127.0.0.2… sharing one Modbus port, each advertised.
async fn spawn_meters(
    count: u16,
    first_id: u32,
    advertiser: &Arc<MdnsAdvertiser>,
) -> anyhow::Result<(Vec<SimMeter>, u16)> {
    'attempt: for _ in 0..20 {
        let mut meters = Vec::new();
        let mut port = 0;
        for index in 0..count {
            let last = u8::try_from(index + 2).context("at most 253 meters")?;
            let mut options = MeterOptions::scenario(first_id + u32::from(index), Scenario::Balanced);
            options.bind = IpAddr::V4(Ipv4Addr::new(127, 0, 0, last));
            options.modbus_port = port;
            options.http_port = Some(0);
            options.mdns = Some(Arc::clone(advertiser));
            match spawn_meter(options).await {
                Ok(meter) => {
                    port = meter.modbus.port();
                    meters.push(meter);
                }
                Err(_) => {
                    for meter in meters {
                        meter.shutdown().await;
                    }
                    continue 'attempt;
                }
            }
        }
        return Ok((meters, port));
    }
    bail!("no Modbus port is free on all of 127.0.0.2–127.0.0.{}", count + 1)
}

/// Time from starting a loopback browser until every id in `ids` is seen.
async fn time_mdns(ids: &BTreeSet<u32>) -> anyhow::Result<Duration> {
    let (sink, mut sightings) = mpsc::channel(4096);
    let started = Instant::now();
    let _browser = MdnsBrowser::start(&[MdnsInterface::Loopback], sink)?;
    let mut seen = BTreeSet::new();
    while !ids.is_subset(&seen) {
        let left = RUN_DEADLINE.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, sightings.recv()).await {
            Ok(Some(sighting)) => {
                seen.insert(sighting.id);
            }
            _ => bail!(
                "mDNS listed {} of {} meters within {RUN_DEADLINE:?}",
                seen.intersection(ids).count(),
                ids.len()
            ),
        }
    }
    Ok(started.elapsed())
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn worst(times: &[Duration]) -> Duration {
    times.iter().max().copied().unwrap_or_default()
}
