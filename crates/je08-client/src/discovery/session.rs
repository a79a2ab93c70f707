//! One discovery run: browse mDNS for a while, scan ranges and probe typed
//! addresses at the same time, and merge everything into one list.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::manual::{ManualProbeError, ProbeOptions, probe_host};
use super::mdns::{MdnsBrowseError, MdnsBrowser, MdnsInterface};
use super::mqtt::forward_monitor;
use super::registry::{DEFAULT_STALE_AFTER, DiscoveryList, Sighting};
use super::scan::{ScanOptions, scan};
use crate::mqtt::{Monitor, MonitorOptions};
use futures::StreamExt;
use je08_net::mqtt_link::LinkError;
use je08_protocol::discovery::ScanRange;

/// What to look for and for how long.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// How long to listen to mDNS.
    pub listen: Duration,
    /// `None`: no mDNS; `Some(empty)`: every interface; otherwise these interfaces.
    pub mdns: Option<Vec<MdnsInterface>>,
    /// Ranges to scan over Modbus.
    pub scans: Vec<ScanRange>,
    /// Concurrency and per-host deadline of scans.
    pub scan: ScanOptions,
    /// Addresses or host names typed by hand, each with its probe ports.
    pub probes: Vec<(String, ProbeOptions)>,
    /// A broker to watch for DATA/INFO packets while listening; `None`: no MQTT.
    pub mqtt: Option<MonitorOptions>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        Self {
            listen: Duration::from_secs(3),
            mdns: Some(Vec::new()),
            scans: Vec::new(),
            scan: ScanOptions::default(),
            probes: Vec::new(),
            mqtt: None,
        }
    }
}

/// The outcome of a run: the list, and why typed addresses gave nothing.
#[derive(Debug)]
pub struct DiscoverReport {
    /// Every meter found, merged by id.
    pub list: DiscoveryList,
    /// Typed addresses that did not lead to a meter.
    pub probe_errors: Vec<ManualProbeError>,
    /// Why the broker was never reached, when MQTT was asked for and failed.
    pub mqtt_error: Option<LinkError>,
}

/// Run every requested source at once; returns when mDNS and MQTT have
/// listened for `listen` and every scan and probe has finished.
/// The run cannot start only when mDNS browsing, if asked for, cannot.
pub async fn discover(options: &DiscoverOptions) -> Result<DiscoverReport, MdnsBrowseError> {
    let (sink, mut sightings) = mpsc::channel::<Sighting>(1024);
    let browser = match &options.mdns {
        Some(interfaces) => Some(MdnsBrowser::start(interfaces, sink.clone())?),
        None => None,
    };
    let monitor = match &options.mqtt {
        Some(mqtt) => {
            let monitor = Monitor::start(mqtt.clone());
            let forward = tokio::spawn(forward_monitor(monitor.subscribe(), sink.clone()));
            Some((monitor, forward))
        }
        None => None,
    };
    let mut mqtt_error = None;
    let mut listening = (browser.is_some() || monitor.is_some()).then_some((browser, monitor));
    let mut work: JoinSet<Option<ManualProbeError>> = JoinSet::new();
    for range in &options.scans {
        let (range, scan_options, sink) = (*range, options.scan, sink.clone());
        work.spawn(async move {
            let mut found = std::pin::pin!(scan(range, scan_options));
            while let Some(sighting) = found.next().await {
                if sink.send(sighting).await.is_err() {
                    break;
                }
            }
            None
        });
    }
    for (host, probe_options) in &options.probes {
        let (host, probe_options, sink) = (host.clone(), *probe_options, sink.clone());
        work.spawn(async move {
            match probe_host(&host, probe_options).await {
                Ok(sighting) => {
                    let _ = sink.send(sighting).await;
                    None
                }
                Err(err) => Some(err),
            }
        });
    }
    drop(sink);

    let mut list = DiscoveryList::new(DEFAULT_STALE_AFTER);
    let mut probe_errors = Vec::new();
    let listen_end = tokio::time::sleep(options.listen);
    let mut listen_end = std::pin::pin!(listen_end);
    loop {
        if listening.is_none() && work.is_empty() {
            break;
        }
        tokio::select! {
            Some(sighting) = sightings.recv() => {
                list.apply(sighting);
            }
            () = &mut listen_end, if listening.is_some() => {
                if let Some((_, Some((monitor, forward)))) = listening.take() {
                    forward.abort();
                    if !monitor.connected() {
                        mqtt_error = monitor.last_error();
                    }
                }
            }
            Some(done) = work.join_next(), if !work.is_empty() => {
                match done {
                    Ok(Some(err)) => probe_errors.push(err),
                    Ok(None) => {}
                    Err(err) => tracing::warn!("discovery task failed: {err}"),
                }
            }
        }
    }
    while let Ok(sighting) = sightings.try_recv() {
        list.apply(sighting);
    }
    Ok(DiscoverReport {
        list,
        probe_errors,
        mqtt_error,
    })
}
