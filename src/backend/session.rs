//! One task per meter: connect, paced after failures by the transport's
//! reconnect policy (capped exponential backoff with jitter), poll the
//! register map once per [`POLL_INTERVAL`](super::POLL_INTERVAL), and run the
//! user's jobs (writes, resets) between polls. A cancelled or failed job
//! drops the connection so that no half-finished request lingers.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::link::{Connector, EnergyKind, LinkError, MeterLink};
use super::{Event, EventSink, JobId, JobOutcome, LinkState, MeterKey, POLL_INTERVAL};
use je08_client::modbus::traffic::TrafficLog;
use je08_client::params::ParamsError;
use je08_net::backoff::Backoff;
use je08_protocol::readings::Settings;

/// Exchanges kept in a session's traffic log (the registers view).
const TRAFFIC_LEN: usize = 100;

/// Work a session runs for the user.
#[derive(Debug)]
pub enum Job {
    /// Write settings (write → save → read back → compare): what the
    /// user's form was loaded from, and what it asks for.
    Write {
        /// The settings the change was planned from.
        base: Settings,
        /// The complete wanted settings.
        wanted: Settings,
    },
    /// Restore default gains.
    Defaults,
    /// Zero energy accumulators.
    ResetEnergy(EnergyKind),
}

struct Submitted {
    job: JobId,
    work: Job,
    token: CancellationToken,
}

/// Handle the dispatcher keeps for a running session.
pub struct SessionHandle {
    jobs: mpsc::Sender<Submitted>,
    stop: CancellationToken,
}

impl SessionHandle {
    /// Queue a job; false when the session's queue is full or closed.
    pub fn submit(&self, job: JobId, work: Job, token: CancellationToken) -> bool {
        self.jobs.try_send(Submitted { job, work, token }).is_ok()
    }

    /// End the session (closes the connection).
    pub fn stop(&self) {
        self.stop.cancel();
    }
}

/// Start a session for `meter` at `address`.
pub fn spawn(
    meter: MeterKey,
    address: String,
    connector: Arc<dyn Connector>,
    sink: EventSink,
) -> SessionHandle {
    let (tx, rx) = mpsc::channel(8);
    let stop = CancellationToken::new();
    tokio::spawn(run(meter, address, connector, sink, rx, stop.clone()));
    SessionHandle { jobs: tx, stop }
}

async fn run(
    meter: MeterKey,
    address: String,
    connector: Arc<dyn Connector>,
    sink: EventSink,
    mut jobs: mpsc::Receiver<Submitted>,
    stop: CancellationToken,
) {
    let mut backoff = Backoff::new(connector.reconnect());
    let mut link: Option<Box<dyn MeterLink>> = None;
    let traffic = Arc::new(TrafficLog::new(TRAFFIC_LEN));
    sink.send(Event::Traffic {
        meter,
        log: traffic.clone(),
    });
    let mut shown = StateShown::new(meter, &sink);
    let mut ticker = tokio::time::interval(POLL_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let Some(open) = link.as_mut() else {
            shown.connecting();
            tokio::select! {
                () = stop.cancelled() => return,
                result = connector.connect_traced(address.clone(), traffic.clone()) => match result {
                    Ok(new) => {
                        link = Some(new);
                        backoff.succeed();
                        ticker.reset_immediately();
                    }
                    Err(err) => {
                        shown.show(LinkState::Offline(err));
                        if wait_or_refuse(&stop, &mut jobs, &sink, backoff.fail()).await {
                            return;
                        }
                    }
                },
            }
            continue;
        };
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticker.tick() => match open.read().await {
                Ok(snapshot) => {
                    shown.show(LinkState::Online);
                    sink.send(Event::Reading { meter, snapshot: Arc::new(snapshot), at: SystemTime::now() });
                    if let Some(block) = open.registers() {
                        sink.send(Event::Registers { meter, block: Arc::new(block) });
                    }
                }
                Err(err) => {
                    shown.show(LinkState::Offline(err));
                    link = None;
                }
            },
            Some(sub) = jobs.recv() => {
                let keep = run_job(open.as_mut(), sub, &sink).await;
                if !keep {
                    link = None;
                } else {
                    ticker.reset_immediately();
                }
            }
        }
    }
}

/// The link state the window was last told, so it hears only of changes:
/// a meter that stays unreachable reads "offline" (with why) through every
/// retry instead of flickering between "connecting" and "offline".
struct StateShown<'a> {
    meter: MeterKey,
    sink: &'a EventSink,
    last: Option<LinkState>,
}

impl<'a> StateShown<'a> {
    fn new(meter: MeterKey, sink: &'a EventSink) -> Self {
        Self {
            meter,
            sink,
            last: None,
        }
    }

    /// Tell the window `state` unless it already shows it.
    fn show(&mut self, state: LinkState) {
        if self.last.as_ref() != Some(&state) {
            self.sink.send(Event::Link {
                meter: self.meter,
                state: state.clone(),
            });
            self.last = Some(state);
        }
    }

    /// A connection attempt starts: "connecting" unless the meter is known
    /// to be offline (then it stays so until it answers).
    fn connecting(&mut self) {
        if !matches!(self.last, Some(LinkState::Offline(_))) {
            self.show(LinkState::Connecting);
        }
    }
}

/// Wait out a backoff delay; jobs submitted meanwhile fail at once with a
/// clear message. True when the session was stopped.
async fn wait_or_refuse(
    stop: &CancellationToken,
    jobs: &mut mpsc::Receiver<Submitted>,
    sink: &EventSink,
    delay: Duration,
) -> bool {
    let sleep = tokio::time::sleep(delay);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            () = stop.cancelled() => return true,
            () = &mut sleep => return false,
            Some(sub) = jobs.recv() => sink.send(Event::Finished {
                job: sub.job,
                outcome: JobOutcome::LinkFailed(LinkError::NotConnected),
            }),
        }
    }
}

/// Run one job; false when the connection must be dropped.
async fn run_job(link: &mut dyn MeterLink, sub: Submitted, sink: &EventSink) -> bool {
    let Submitted { job, work, token } = sub;
    sink.send(Event::Progress { job, fraction: None });
    let work = async {
        match work {
            Job::Write { base, wanted } => link.write_settings(base, wanted).await.map(JobOutcome::Written),
            Job::Defaults => link.restore_defaults().await.map(|s| JobOutcome::Done(Some(s))),
            Job::ResetEnergy(kind) => link.reset_energy(kind).await.map(|()| JobOutcome::Done(None)),
        }
    };
    let (outcome, keep) = tokio::select! {
        () = token.cancelled() => (JobOutcome::Cancelled, false),
        result = work => match result {
            Ok(outcome) => (outcome, true),
            // Another client's change was found and left alone: the
            // connection itself is fine.
            Err(err @ LinkError::Params(ParamsError::Concurrent(_))) => (JobOutcome::LinkFailed(err), true),
            Err(err) => (JobOutcome::LinkFailed(err), false),
        },
    };
    sink.send(Event::Finished { job, outcome });
    keep
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use futures::future::BoxFuture;
    use je08_net::backoff::BackoffPolicy;
    use tokio::time::Instant;

    use super::*;

    /// A transport whose meter never answers; it notes when each attempt came.
    struct Unreachable {
        attempts: Arc<Mutex<Vec<Instant>>>,
    }

    impl Connector for Unreachable {
        fn connect(&self, _address: String) -> BoxFuture<'static, Result<Box<dyn MeterLink>, LinkError>> {
            self.attempts.lock().unwrap().push(Instant::now());
            Box::pin(async { Err(LinkError::NotConnected) })
        }

        fn reconnect(&self) -> BackoffPolicy {
            BackoffPolicy {
                initial: Duration::from_millis(100),
                cap: Duration::from_millis(400),
                jitter: false,
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_unreachable_meter_is_retried_at_the_transports_pace() {
        let attempts = Arc::new(Mutex::new(Vec::new()));
        let connector = Arc::new(Unreachable {
            attempts: attempts.clone(),
        });
        let (tx, mut events) = mpsc::unbounded_channel();
        let sink = EventSink {
            tx,
            wake: Arc::new(|| {}),
        };
        let session = spawn(MeterKey(1), "10.0.0.7".into(), connector, sink);
        tokio::time::sleep(Duration::from_millis(1_750)).await;
        session.stop();
        let attempts = attempts.lock().unwrap().clone();
        let gaps: Vec<u128> = attempts.windows(2).map(|w| (w[1] - w[0]).as_millis()).collect();
        assert_eq!(
            gaps,
            [100, 200, 400, 400, 400],
            "doubling from the policy's first delay to its cap"
        );
        let mut states = Vec::new();
        while let Ok(event) = events.try_recv() {
            if let Event::Link { state, .. } = event {
                states.push(state);
            }
        }
        assert_eq!(
            states,
            [LinkState::Connecting, LinkState::Offline(LinkError::NotConnected)],
            "the window hears of changes only, not of every retry"
        );
    }
}
