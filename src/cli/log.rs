//! `je08 log`: the activity journal, newest first, filtered by meter, kind
//! and time; as text, JSON Lines (`--json`) or a file (`--csv FILE` or
//! `--out FILE`) in an export format (`--format`, `--lang`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{DateTime, Local, NaiveDate, TimeZone as _, Utc};

use super::lang::LangArg;
use crate::commissioning::export::{self, Format};
use crate::commissioning::journal_export;
use je08_client::journal::{Journal, Kind, Query};

/// Options of `je08 log`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this meter (device id).
    #[arg(long, value_name = "ID")]
    pub meter: Option<u32>,
    /// Only entries at or after this time: YYYY-MM-DD (local midnight) or RFC 3339.
    #[arg(long, value_name = "DATE", value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this time (same forms as --since).
    #[arg(long, value_name = "DATE", value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
    /// Only these kinds (repeat or separate with commas).
    #[arg(long, value_name = "KIND", value_delimiter = ',', value_parser = clap::builder::ValueParser::new(parse_kind))]
    pub kind: Vec<Kind>,
    /// At most this many entries (the newest).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub limit: usize,
    /// One JSON object per line instead of text.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Write the entries to this file instead of printing them (a `.xlsx` name makes a workbook).
    #[arg(long, visible_alias = "out", value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// The file's format: csv (`,` `.` UTC, for scripts), csv-locale (the --lang
    /// conventions; pt-BR: `;`, decimal comma, local time) or xlsx (one sheet per meter).
    #[arg(long, value_enum, value_name = "FORMAT", requires = "csv")]
    pub format: Option<Format>,
    /// Language of csv-locale and xlsx headers and number conventions.
    #[arg(long, value_enum, value_name = "LANG", default_value_t = LangArg::En)]
    pub lang: LangArg,
}

/// A kind by its name.
fn parse_kind(text: &str) -> Result<Kind, String> {
    text.parse()
        .map_err(|e: je08_client::journal::UnknownKind| e.to_string())
}

/// `YYYY-MM-DD` (local midnight) or an RFC 3339 time.
fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD) or an RFC 3339 time"))?;
    Local
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("'{text}' does not exist in the local time zone"))
}

/// Read the journal and print or export what passes the filters.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.limit == 0 {
        bail!("--limit 0 would show nothing; give at least 1");
    }
    let query = Query {
        meter: args.meter,
        kinds: args.kind,
        since: args.since,
        until: args.until,
        limit: args.limit,
    };
    let journal = Journal::open_default()?;
    let dir = journal.dir().to_path_buf();
    let page = tokio::task::spawn_blocking(move || journal.read(&query))
        .await?
        .with_context(|| format!("cannot read the activity journal in {}", dir.display()))?;
    if page.skipped > 0 {
        errln!("note: {} damaged journal line(s) skipped", page.skipped);
    }
    if let Some(path) = &args.csv {
        let format = Format::for_path(args.format, path);
        export::save(
            path,
            &journal_export::table(&page.entries),
            format,
            args.lang.tr().0,
        )?;
        errln!("{} entries written to {}", page.entries.len(), path.display());
    } else if args.json {
        for e in &page.entries {
            outln!("{}", serde_json::to_string(e)?)?;
        }
    } else {
        for e in &page.entries {
            outln!("{}", journal_export::line(e))?;
        }
    }
    if page.more {
        errln!(
            "note: only the newest {} entries are shown; use --limit or --since for others",
            args.limit
        );
    }
    Ok(ExitCode::SUCCESS)
}
