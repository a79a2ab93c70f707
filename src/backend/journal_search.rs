//! The Journal page's job: read one page of the activity journal for all
//! meters (newest first, filtered) off the UI thread. The page is bounded
//! ([`PAGE`] entries), so however long the journal is the window holds one
//! page at a time and older entries are read on demand.

use super::{Event, EventSink};
use je08_client::journal::{Entry, Journal, Query};

/// Entries read per page.
pub const PAGE: usize = 500;

/// One page of entries that passed the filters, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The entries.
    pub entries: Vec<Entry>,
    /// More (older) entries pass the filters.
    pub more: bool,
    /// Damaged lines skipped on the way.
    pub skipped: usize,
}

/// Read the page `query` asks for (its limit is set to [`PAGE`]) and send
/// it back as [`Event::Journal`].
pub fn start(query: Query, sink: EventSink) {
    tokio::task::spawn_blocking(move || {
        let found = search(Query { limit: PAGE, ..query }).map_err(|e| e.to_string());
        sink.send(Event::Journal(found));
    });
}

fn search(query: Query) -> std::io::Result<Found> {
    let page = Journal::open_default()?.read(&query)?;
    Ok(Found {
        entries: page.entries,
        more: page.more,
        skipped: page.skipped,
    })
}
