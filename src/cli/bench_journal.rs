//! `je08 bench journal`: write a journal of N entries, then time what the
//! window and `je08 log` do when they open it: the newest page, a page for
//! one meter, and a page since a date.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;

use crate::commissioning::journal;
use je08_client::journal::{Change, Journal, Kind, Origin, Query};

/// Options of `je08 bench journal`.
#[derive(Debug, clap::Args)]
pub struct JournalArgs {
    /// Entries to write.
    #[arg(long, default_value_t = 100_000)]
    pub entries: usize,
    /// Entries per page read.
    #[arg(long, default_value_t = 1000)]
    pub page: usize,
    /// Data folder to write the journal into (kept); by default a temporary
    /// folder, removed afterwards.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Meters the synthetic entries are spread over.
const METERS: u32 = 200;

/// Write the journal, then time the reads.
pub async fn run(args: JournalArgs) -> anyhow::Result<ExitCode> {
    super::bench::print_header("journal")?;
    let (dir, temporary) = match &args.data_dir {
        Some(d) => (d.join(je08_client::journal::DIR_NAME), false),
        None => (
            std::env::temp_dir().join(format!("je08-bench-journal-{}", std::process::id())),
            true,
        ),
    };
    let j = Journal::at(dir.clone());
    let started = Instant::now();
    let entries = (0..args.entries).map(|i| {
        let id = 1_000 + (i as u32 % METERS);
        journal::entry(
            Origin::Cli,
            Kind::Settings,
            "127.0.0.1:502",
            "set RELACAO_TC = 150",
        )
        .device(Some(id))
        .changes(vec![Change::new(
            "RELACAO_TC",
            Some("100".into()),
            Some("150".into()),
            Some("150".into()),
        )])
    });
    j.append_all(entries).context("cannot write the journal")?;
    let bytes: u64 = j
        .files()?
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    outln!(
        "wrote {} entries ({:.1} MB in {} files) in {:.2} s",
        args.entries,
        bytes as f64 / 1e6,
        j.files()?.len(),
        started.elapsed().as_secs_f64()
    )?;
    let newest = Query {
        limit: args.page,
        ..Query::default()
    };
    let one_meter = Query {
        meter: Some(1_000 + METERS - 1),
        ..newest.clone()
    };
    let rare = Query {
        meter: Some(1_000 + METERS + 1),
        ..newest.clone()
    };
    for (name, q) in [
        ("newest page", &newest),
        ("one meter's page", &one_meter),
        ("no match (whole journal)", &rare),
    ] {
        let t = Instant::now();
        let page = j.read(q)?;
        outln!(
            "{name:<26} {:>5} entries in {:>8.1} ms ({} damaged lines)",
            page.entries.len(),
            t.elapsed().as_secs_f64() * 1e3,
            page.skipped
        )?;
    }
    if temporary {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(ExitCode::SUCCESS)
}
