//! Reading the journal newest first (in append order, from the end), filtered, never holding more than one
//! file's text and one page of entries however long the journal is.

use std::fs;
use std::io;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::entry::{Entry, Kind};
use super::file::Journal;

/// Which entries to read.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Only this meter's.
    pub meter: Option<u32>,
    /// Only these kinds (all when empty).
    pub kinds: Vec<Kind>,
    /// Only at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only before this time.
    pub until: Option<DateTime<Utc>>,
    /// At most this many (the newest).
    pub limit: usize,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            meter: None,
            kinds: Vec::new(),
            since: None,
            until: None,
            limit: 1000,
        }
    }
}

impl Query {
    /// Whether `entry` passes the filters.
    pub fn matches(&self, entry: &Entry) -> bool {
        self.meter.is_none_or(|m| entry.device_id == Some(m))
            && (self.kinds.is_empty() || self.kinds.contains(&entry.kind))
            && self.since.is_none_or(|s| entry.time_utc >= s)
            && self.until.is_none_or(|u| entry.time_utc < u)
    }
}

/// What a query found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// Matching entries, newest first, at most the query's limit.
    pub entries: Vec<Entry>,
    /// More entries matched than the limit allowed.
    pub more: bool,
    /// Lines that did not parse (a torn last line, damage) and were skipped.
    pub skipped: usize,
}

/// How long after its last entry a rotated file may still have been written
/// to by another process (clocks, concurrent writers).
const ROTATION_SLACK: chrono::Duration = chrono::Duration::hours(1);

impl Journal {
    /// The newest entries that pass `query`.
    pub fn read(&self, query: &Query) -> io::Result<Page> {
        let mut page = Page::default();
        for path in self.files()? {
            if let (Some(since), Some(set_aside)) = (query.since, rotated_at(&path))
                && set_aside + ROTATION_SLACK < since
            {
                break;
            }
            let text = match fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let meter_key = query.meter.map(|m| format!("\"device_id\":{m},"));
            for line in lines_newest_first(&text, meter_key.as_deref().map(str::as_bytes)) {
                match serde_json::from_slice::<Entry>(line) {
                    Ok(entry) if query.matches(&entry) => {
                        if page.entries.len() == query.limit {
                            page.more = true;
                            return Ok(page);
                        }
                        page.entries.push(entry);
                    }
                    Ok(_) => {}
                    Err(_) => page.skipped += 1,
                }
            }
        }
        Ok(page)
    }

    /// The entry with this id, if any.
    pub fn find(&self, id: &str) -> io::Result<Option<Entry>> {
        let key = format!("\"id\":\"{id}\"");
        for path in self.files()? {
            let text = match fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let found = lines_newest_first(&text, Some(key.as_bytes()))
                .find_map(|l| serde_json::from_slice::<Entry>(l).ok());
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}

/// When a rotated file was set aside, from its name.
fn rotated_at(path: &std::path::Path) -> Option<DateTime<Utc>> {
    let name = path.file_name()?.to_str()?.strip_prefix("journal-")?;
    let stamp = name.split('-').next()?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.fZ")
        .ok()
        .map(|t| t.and_utc())
}

/// The non-empty lines of `text` from the last (lines are in append order,
/// newest last), only those holding `key` when given: found by searching the
/// whole text, so lines of other meters are never looked at one by one.
fn lines_newest_first<'a>(text: &'a [u8], key: Option<&'a [u8]>) -> Box<dyn Iterator<Item = &'a [u8]> + 'a> {
    let line_at = move |p: usize| {
        let start = memchr::memrchr(b'\n', &text[..p]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &text[p..]).map_or(text.len(), |i| p + i);
        &text[start..end]
    };
    let lines: Box<dyn Iterator<Item = &'a [u8]> + 'a> = match key {
        Some(key) => Box::new(memchr::memmem::rfind_iter(text, key).map(line_at)),
        None => {
            let ends = memchr::memrchr_iter(b'\n', text).chain(std::iter::once(usize::MAX));
            let mut end = text.len();
            Box::new(ends.map(move |nl| {
                let start = if nl == usize::MAX { 0 } else { nl + 1 };
                let line = &text[start..end];
                end = nl.min(text.len());
                line
            }))
        }
    };
    Box::new(lines.filter(|l| !l.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Origin, Outcome};
    use std::io::Write as _;

    fn journal() -> Journal {
        Journal::at(std::env::temp_dir().join(format!("je08-journal-{}", rand::random::<u64>())))
            .rotating_after(2000)
    }

    fn entry(id: u32, kind: Kind, asked: &str) -> Entry {
        Entry::new(Origin::Cli, kind, "127.0.0.1:502", asked, "test").device(Some(id))
    }

    #[test]
    fn newest_first_with_filters_and_a_limit() {
        let j = journal();
        for i in 0..30 {
            let kind = if i % 3 == 0 { Kind::Settings } else { Kind::Reboot };
            j.append(&entry(i % 2, kind, &format!("n{i}"))).unwrap();
        }
        assert!(j.files().unwrap().len() > 1);
        let all = j.read(&Query::default()).unwrap();
        assert_eq!(all.entries.len(), 30);
        assert_eq!(all.entries[0].asked, "n29");
        assert_eq!(all.entries[29].asked, "n0");
        let q = Query {
            meter: Some(0),
            kinds: vec![Kind::Settings],
            limit: 3,
            ..Query::default()
        };
        let page = j.read(&q).unwrap();
        let asked: Vec<_> = page.entries.iter().map(|e| e.asked.as_str()).collect();
        assert_eq!(asked, ["n24", "n18", "n12"]);
        assert!(page.more);
        let later = Query {
            since: Some(all.entries[4].time_utc),
            ..Query::default()
        };
        assert_eq!(j.read(&later).unwrap().entries.len(), 5);
        fs::remove_dir_all(j.dir()).unwrap();
    }

    #[test]
    fn a_torn_line_is_skipped_and_counted() {
        let j = journal();
        j.append(&entry(7, Kind::Mode, "one").ended(Outcome::Failed, Some("x".into())))
            .unwrap();
        let path = j.files().unwrap().remove(0);
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"id\":\"20")
            .unwrap();
        let page = j.read(&Query::default()).unwrap();
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.skipped, 1);
        let id = page.entries[0].id.clone();
        assert_eq!(j.find(&id).unwrap().unwrap().asked, "one");
        fs::remove_dir_all(j.dir()).unwrap();
    }
}
