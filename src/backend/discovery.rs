//! Finding meters for the window. One task owns the merged
//! [`DiscoveryList`]: mDNS browsing, range scans (cancellable jobs with
//! progress), MQTT sightings and typed addresses all feed it, and the UI
//! receives the entries that changed, coalesced. `/api/info` probes tell a
//! meter's mode when Modbus does not answer.
//!
//! mDNS only reports a service when it appears or changes, so the browser is
//! restarted every [`MDNS_REFRESH`]: a fresh daemon asks again and every
//! meter still advertising is seen again, which keeps "last seen" true and
//! lets a withdrawn meter go stale.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::identity::{self, Identity, MoveRefused};
use super::{Event, EventSink, JobFailure, JobId, JobOutcome, MeterKey};
use je08_client::discovery::mdns::{MdnsBrowseError, MdnsBrowser, MdnsInterface};
use je08_client::discovery::scan::{ScanOptions, probe_range};
use je08_client::discovery::{Change, DiscoveryList, MeterEntry, Sighting};
use je08_client::http::{HttpError, MeterHttp};
use je08_protocol::discovery::ScanRange;
use je08_protocol::http_api::Info;

/// How often the mDNS browser is restarted to see every advertiser again.
pub const MDNS_REFRESH: Duration = Duration::from_secs(20);
/// How often entries are checked for staleness.
const STALE_CHECK: Duration = Duration::from_secs(5);
/// Sightings arriving within this window are sent to the UI together.
const COALESCE: Duration = Duration::from_millis(200);
/// Deadline of one `/api/info` probe.
pub const INFO_DEADLINE: Duration = Duration::from_secs(3);
/// Progress of a scan is reported at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(150);

/// What the UI asks of discovery.
#[derive(Debug, Clone)]
pub enum Request {
    /// Browse mDNS on these interfaces (empty: every interface), replacing
    /// any running browse; `None` stops browsing.
    Mdns(Option<Vec<MdnsInterface>>),
    /// Probe every address of a range over Modbus, as job `job`.
    Scan {
        /// Job to report progress and the end on.
        job: JobId,
        /// The range.
        range: ScanRange,
    },
    /// Ask a meter's HTTP API (`GET /api/info`) what it is doing.
    ProbeInfo {
        /// The row that asked.
        meter: MeterKey,
        /// Host name or IP address.
        host: String,
        /// HTTP port.
        port: u16,
    },
    /// Check that the device at a new address is the row's meter before
    /// the row follows it there.
    VerifyMove {
        /// The row that asked.
        meter: MeterKey,
        /// The new Modbus address.
        modbus: SocketAddr,
        /// The HTTP port discovery saw there, if any.
        http_port: Option<u16>,
        /// What the row knows of its meter.
        identity: Identity,
    },
}

impl Request {
    /// The job this request runs as, if it is one.
    pub fn job(&self) -> Option<JobId> {
        match self {
            Self::Scan { job, .. } => Some(*job),
            _ => None,
        }
    }
}

/// State of mDNS browsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MdnsStatus {
    /// Browsing on these interfaces (empty: every interface).
    Browsing(Vec<MdnsInterface>),
    /// Not browsing.
    Off,
    /// Browsing could not start, and why.
    Failed(MdnsBrowseError),
}

/// What discovery tells the UI.
#[derive(Debug, Clone)]
pub enum Update {
    /// The current state of every meter that changed (new, seen again, went stale).
    Meters(Vec<MeterEntry>),
    /// mDNS browsing started, stopped or failed.
    Mdns(MdnsStatus),
    /// A scan's progress.
    Scanned {
        /// The scan job.
        job: JobId,
        /// Addresses probed so far.
        probed: u64,
        /// Addresses in the range.
        total: u64,
        /// JE08s found so far.
        found: u64,
    },
    /// An `/api/info` probe ended.
    Info {
        /// The row that asked.
        meter: MeterKey,
        /// When the answer (or the failure) came.
        at: SystemTime,
        /// The meter's answer, or why there was none.
        result: Result<Box<Info>, HttpError>,
    },
    /// A [`Request::VerifyMove`] ended.
    MoveChecked {
        /// The row that asked.
        meter: MeterKey,
        /// The address checked.
        modbus: SocketAddr,
        /// Whether the device there is the row's meter.
        result: Result<(), MoveRefused>,
    },
    /// Meters not seen for [`je08_client::discovery::FORGET_AFTER`] (or
    /// pushed out of a full list) left discovery's list.
    Forgotten(Vec<u32>),
}

/// The dispatcher's handle on the discovery task.
pub(super) struct Discovery {
    requests: mpsc::UnboundedSender<(Request, CancellationToken)>,
    sightings: mpsc::Sender<Sighting>,
}

impl Discovery {
    /// Start the task; it ends when the handle is dropped.
    pub(super) fn start(sink: EventSink) -> Self {
        let (requests, request_rx) = mpsc::unbounded_channel();
        let (sightings, sighting_rx) = mpsc::channel(1024);
        tokio::spawn(run(request_rx, sighting_rx, sightings.clone(), sink));
        Self { requests, sightings }
    }

    /// Pass a request on; `token` cancels it when it is a job.
    pub(super) fn handle(&self, request: Request, token: CancellationToken) {
        let _ = self.requests.send((request, token));
    }

    /// Where other parts of the backend (the MQTT view) send sightings.
    pub(super) fn sightings(&self) -> mpsc::Sender<Sighting> {
        self.sightings.clone()
    }
}

struct Browse {
    _browser: MdnsBrowser,
    interfaces: Vec<MdnsInterface>,
    since: Instant,
}

async fn run(
    mut requests: mpsc::UnboundedReceiver<(Request, CancellationToken)>,
    mut sightings: mpsc::Receiver<Sighting>,
    sighting_tx: mpsc::Sender<Sighting>,
    sink: EventSink,
) {
    let mut list = DiscoveryList::default();
    let mut browse: Option<Browse> = None;
    let mut changed: BTreeSet<u32> = BTreeSet::new();
    let mut flush_at: Option<Instant> = None;
    let mut ticker = tokio::time::interval(STALE_CHECK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let due = flush_at;
        let flush = async move {
            match due {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            request = requests.recv() => match request {
                Some((Request::Mdns(interfaces), _)) => {
                    drop(browse.take());
                    browse = match interfaces {
                        Some(interfaces) => start_browse(interfaces, &sighting_tx, &sink, true),
                        None => {
                            sink.send(Event::Discovery(Update::Mdns(MdnsStatus::Off)));
                            None
                        }
                    };
                }
                Some((Request::Scan { job, range }, token)) => {
                    tokio::spawn(scan_job(job, range, token, sighting_tx.clone(), sink.clone()));
                }
                Some((Request::ProbeInfo { meter, host, port }, _)) => {
                    tokio::spawn(probe_info(meter, host, port, sink.clone()));
                }
                Some((Request::VerifyMove { meter, modbus, http_port, identity }, _)) => {
                    let sink = sink.clone();
                    tokio::spawn(async move {
                        let result = identity::verify(modbus, http_port, &identity).await;
                        sink.send(Event::Discovery(Update::MoveChecked { meter, modbus, result }));
                    });
                }
                None => return,
            },
            Some(sighting) = sightings.recv() => {
                changed.insert(sighting.id);
                if let Change::Replaced { dropped } = list.apply(sighting) {
                    changed.remove(&dropped);
                    sink.send(Event::Discovery(Update::Forgotten(vec![dropped])));
                }
                flush_at.get_or_insert_with(|| Instant::now() + COALESCE);
            }
            () = flush => {
                flush_at = None;
                let entries: Vec<MeterEntry> = changed
                    .iter()
                    .filter_map(|id| list.get(*id).cloned())
                    .collect();
                changed.clear();
                sink.send(Event::Discovery(Update::Meters(entries)));
            }
            _ = ticker.tick() => {
                let now = chrono::Utc::now();
                let gone = list.forget_stale(now);
                if !gone.is_empty() {
                    changed.retain(|id| !gone.contains(id));
                    sink.send(Event::Discovery(Update::Forgotten(gone)));
                }
                let stale = list.mark_stale(now);
                if !stale.is_empty() {
                    changed.extend(stale);
                    flush_at.get_or_insert_with(|| Instant::now() + COALESCE);
                }
                if browse.as_ref().is_some_and(|b| b.since.elapsed() >= MDNS_REFRESH) {
                    let interfaces = browse.take().map(|b| b.interfaces).unwrap_or_default();
                    browse = start_browse(interfaces, &sighting_tx, &sink, false);
                }
            }
        }
    }
}

/// Start a browser and tell the UI: failures always, success when
/// `announce` (a refresh that works is no news).
fn start_browse(
    interfaces: Vec<MdnsInterface>,
    sightings: &mpsc::Sender<Sighting>,
    sink: &EventSink,
    announce: bool,
) -> Option<Browse> {
    match MdnsBrowser::start(&interfaces, sightings.clone()) {
        Ok(browser) => {
            if announce {
                sink.send(Event::Discovery(Update::Mdns(MdnsStatus::Browsing(
                    interfaces.clone(),
                ))));
            }
            Some(Browse {
                _browser: browser,
                interfaces,
                since: Instant::now(),
            })
        }
        Err(err) => {
            tracing::warn!("{err}");
            sink.send(Event::Discovery(Update::Mdns(MdnsStatus::Failed(err))));
            None
        }
    }
}

/// Probe a range, reporting progress; found meters go into the list.
async fn scan_job(
    job: JobId,
    range: ScanRange,
    token: CancellationToken,
    sightings: mpsc::Sender<Sighting>,
    sink: EventSink,
) {
    let total = range.host_count();
    let (mut probed, mut found) = (0u64, 0u64);
    let progress = |probed, found| {
        sink.send(Event::Discovery(Update::Scanned {
            job,
            probed,
            total,
            found,
        }));
    };
    progress(0, 0);
    let mut last = Instant::now();
    let mut probes = std::pin::pin!(probe_range(range, ScanOptions::default()));
    let outcome = loop {
        tokio::select! {
            () = token.cancelled() => break JobOutcome::Cancelled,
            next = probes.next() => match next {
                None => break JobOutcome::Done(None),
                Some(result) => {
                    probed += 1;
                    if let Some(sighting) = result {
                        found += 1;
                        if sightings.send(sighting).await.is_err() {
                            break JobOutcome::Failed(JobFailure::DiscoveryStopped);
                        }
                    }
                    if last.elapsed() >= PROGRESS_EVERY || probed == total {
                        last = Instant::now();
                        progress(probed, found);
                    }
                }
            },
        }
    };
    progress(probed, found);
    sink.send(Event::Finished { job, outcome });
}

/// `GET /api/info` within [`INFO_DEADLINE`].
async fn probe_info(meter: MeterKey, host: String, port: u16, sink: EventSink) {
    let client = MeterHttp::new(&host, port, None).with_timeout(INFO_DEADLINE);
    let result = match tokio::time::timeout(INFO_DEADLINE, client.info()).await {
        Ok(answer) => answer.map(Box::new),
        Err(_) => Err(HttpError::Timeout {
            meter: client.meter().to_owned(),
            timeout: INFO_DEADLINE,
        }),
    };
    sink.send(Event::Discovery(Update::Info {
        meter,
        at: SystemTime::now(),
        result,
    }));
}
