//! The History tab's job: read a meter's entries of the activity journal
//! (newest first, bounded) off the UI thread. Exporting them goes through
//! [`super::exports`].

use super::{Event, EventSink, MeterKey};
use je08_client::journal::{Entry, Journal, Query};

/// The most entries the tab shows (the newest).
pub const SHOWN: usize = 200;

/// A History tab request.
#[derive(Debug)]
pub enum Request {
    /// Read the newest entries of meter `device_id` (else of `address`).
    Load {
        /// The meter's row.
        meter: MeterKey,
        /// Its device id, when known.
        device_id: Option<u32>,
        /// The address changes were sent to.
        address: String,
    },
}

/// What a History tab job found.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// A meter's entries, newest first, or why the journal could not be read.
    Loaded {
        /// The meter's row.
        meter: MeterKey,
        /// The entries.
        entries: Result<Vec<Entry>, String>,
    },
}

/// Run `request` off the runtime's threads.
pub fn start(request: Request, sink: EventSink) {
    tokio::task::spawn_blocking(move || {
        let update = match request {
            Request::Load {
                meter,
                device_id,
                address,
            } => Update::Loaded {
                meter,
                entries: load(device_id, &address).map_err(|e| e.to_string()),
            },
        };
        sink.send(Event::History(update));
    });
}

fn load(device_id: Option<u32>, address: &str) -> std::io::Result<Vec<Entry>> {
    let journal = Journal::open_default()?;
    let query = Query {
        meter: device_id,
        limit: if device_id.is_some() { SHOWN } else { SHOWN * 10 },
        ..Query::default()
    };
    let page = journal.read(&query)?;
    Ok(page
        .entries
        .into_iter()
        .filter(|e| device_id.is_some() || e.address == address)
        .take(SHOWN)
        .collect())
}
