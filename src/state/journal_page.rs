//! The Journal page's state: the filters as typed (meter, kind, time
//! range) and the page of entries last read. Older entries replace the page
//! ("Older"), so memory stays one page whatever the journal's length.

use chrono::{DateTime, Days, Local, NaiveDate, TimeZone as _, Utc};

use crate::backend::journal_search::Found;
use crate::i18n::{Msg, Tr};
use je08_client::journal::{Kind, Query};

/// Filters and results of the Journal page.
#[derive(Debug, Default)]
pub struct JournalPage {
    /// Device id typed (empty: every meter).
    pub meter: String,
    /// Only this kind of change.
    pub kind: Option<Kind>,
    /// First day shown, `YYYY-MM-DD` (empty: from the start).
    pub from: String,
    /// Last day shown, included (empty: up to now).
    pub to: String,
    /// The query of the page shown (to read the next older page).
    pub shown: Option<Query>,
    /// The page last read, or why it could not be.
    pub found: Option<Result<Found, String>>,
    /// A search is under way.
    pub searching: bool,
    /// How many pages back the page shown is (0: the newest).
    pub pages_back: usize,
}

/// Why the filters cannot be used, in the window's language.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterError {
    /// The meter is not a device id.
    Meter(String),
    /// A day is not `YYYY-MM-DD`.
    Day(String),
    /// The range ends before it starts.
    Range,
}

impl FilterError {
    /// The sentence shown under the filters.
    pub fn say(&self, tr: Tr) -> String {
        match self {
            Self::Meter(text) => tr.f(Msg::JournalBadMeter, &[text]),
            Self::Day(text) => tr.f(Msg::JournalBadDay, &[text]),
            Self::Range => tr.t(Msg::JournalBadRange).to_owned(),
        }
    }
}

impl JournalPage {
    /// The query for the newest page that passes the filters.
    pub fn query(&self) -> Result<Query, FilterError> {
        let meter = match self.meter.trim() {
            "" => None,
            text => Some(text.parse().map_err(|_| FilterError::Meter(text.to_owned()))?),
        };
        let since = day_start(&self.from, 0)?;
        let until = day_start(&self.to, 1)?;
        if let (Some(s), Some(u)) = (since, until)
            && u <= s
        {
            return Err(FilterError::Range);
        }
        Ok(Query {
            meter,
            kinds: self.kind.into_iter().collect(),
            since,
            until,
            ..Query::default()
        })
    }

    /// The query for the page after the one shown (older entries), if the
    /// shown page says there are more.
    pub fn older(&self) -> Option<Query> {
        let found = self.found.as_ref()?.as_ref().ok()?;
        let oldest = found.entries.last()?;
        let shown = self.shown.clone()?;
        found.more.then_some(Query {
            until: Some(oldest.time_utc),
            ..shown
        })
    }

    /// Note that `query` was sent.
    pub fn searching(&mut self, query: Query, older: bool) {
        self.pages_back = if older { self.pages_back + 1 } else { 0 };
        self.shown = Some(query);
        self.searching = true;
    }

    /// Take a page read by the backend.
    pub fn update(&mut self, found: Result<Found, String>) {
        self.found = Some(found);
        self.searching = false;
    }
}

/// Local midnight of `text` (`YYYY-MM-DD`) plus `days`, in UTC; `None` when
/// empty.
fn day_start(text: &str, days: u64) -> Result<Option<DateTime<Utc>>, FilterError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || FilterError::Day(text.to_owned());
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.checked_add_days(Days::new(days)))
        .ok_or_else(bad)?;
    Local
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_client::journal::{Entry, Origin};

    #[test]
    fn filters_become_a_query_and_bad_ones_are_said() {
        let mut page = JournalPage {
            meter: " 4242 ".into(),
            kind: Some(Kind::Settings),
            from: "2026-12-01".into(),
            to: "2026-12-01".into(),
            ..JournalPage::default()
        };
        let q = page.query().unwrap();
        assert_eq!(q.meter, Some(4242));
        assert_eq!(q.kinds, [Kind::Settings]);
        let (since, until) = (q.since.unwrap(), q.until.unwrap());
        assert!(
            (until - since).num_hours() >= 23,
            "the last day is included: {since} .. {until}"
        );
        page.meter = "QGBT-1".into();
        assert_eq!(page.query(), Err(FilterError::Meter("QGBT-1".into())));
        page.meter.clear();
        page.to = "1/12/2026".into();
        assert_eq!(page.query(), Err(FilterError::Day("1/12/2026".into())));
        page.to = "2026-11-30".into();
        assert_eq!(page.query(), Err(FilterError::Range));
    }

    #[test]
    fn older_continues_before_the_oldest_entry_shown() {
        let mut page = JournalPage::default();
        assert_eq!(page.older(), None);
        let q = page.query().unwrap();
        page.searching(q, false);
        let entries: Vec<Entry> = (0..3)
            .map(|i| Entry::new(Origin::Cli, Kind::Reboot, "127.0.0.1:502", format!("n{i}"), "t"))
            .collect();
        let oldest = entries[2].time_utc;
        page.update(Ok(Found {
            entries: entries.clone(),
            more: true,
            skipped: 0,
        }));
        assert_eq!(page.older().unwrap().until, Some(oldest));
        page.update(Ok(Found {
            entries,
            more: false,
            skipped: 0,
        }));
        assert_eq!(page.older(), None);
    }
}
