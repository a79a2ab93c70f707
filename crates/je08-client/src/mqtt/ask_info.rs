//! Meters first seen through DATA are asked for their INFO (name, address,
//! firmware) once each, paced across the whole fleet so that a broker
//! carrying hundreds of meters is not flooded with requests.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::{Monitor, MonitorEvent};
use je08_protocol::mqtt::Command;

/// Least time between two INFO requests, fleet-wide.
pub const INFO_PACE: Duration = Duration::from_millis(200);
/// Deadline of one request (the broker's acknowledgement).
const REQUEST_DEADLINE: Duration = Duration::from_secs(2);
/// The most meters remembered as asked: a flood of invented ids cannot
/// grow the set without bound (beyond it, new ids are not asked).
pub const MAX_ASKED: usize = 4096;

/// Ask every meter that publishes DATA without an INFO known for it, once,
/// at most one request per `pace`, until the monitor stops. A request the
/// broker did not take is forgotten, so the meter's next DATA asks again.
pub async fn ask_unknown_meters(monitor: Arc<Monitor>, pace: Duration) {
    let mut events = monitor.subscribe();
    let mut asked: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut next_slot = Instant::now();
    loop {
        let event = if queue.is_empty() {
            Some(events.recv().await)
        } else {
            tokio::select! {
                event = events.recv() => Some(event),
                () = tokio::time::sleep_until(next_slot) => None,
            }
        };
        match event {
            Some(Ok(MonitorEvent::Data { id, .. })) => {
                let unknown = monitor.meter(&id).is_some_and(|m| m.info.is_none());
                if unknown && asked.len() < MAX_ASKED && asked.insert(id.clone()) {
                    queue.push_back(id);
                }
            }
            Some(Ok(MonitorEvent::Info { id, .. })) => queue.retain(|queued| *queued != id),
            Some(Ok(_)) | Some(Err(RecvError::Lagged(_))) => {}
            Some(Err(RecvError::Closed)) => return,
            None => {
                let Some(id) = queue.pop_front() else {
                    continue;
                };
                if monitor.meter(&id).is_some_and(|m| m.info.is_none())
                    && let Err(why) = monitor.send(&id, Command::GetInfo, REQUEST_DEADLINE).await
                {
                    tracing::debug!(meter = %id, "INFO request not taken by the broker: {why}");
                    asked.remove(&id);
                }
                next_slot = Instant::now() + pace;
            }
        }
    }
}
