//! `je08 bench journal`: write a journal of N entries, then time what the
//! window and `je08 log` do when they open it: the newest page, a page for
//! one meter, and a page since a date.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;

use super::bench_ui::{Never, frame, percentile};
use crate::backend::Backend;
use crate::backend::journal_search::{self, Found};
use crate::commissioning::journal;
use crate::i18n::Lang;
use crate::state::navigation::Page;
use crate::state::prefs::Prefs;
use crate::ui::app::ConfiguratorApp;
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
    /// Frames of the window's Journal page timed.
    #[arg(long, default_value_t = 300)]
    pub frames: usize,
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
    let t = Instant::now();
    let page = j.read(&Query {
        limit: journal_search::PAGE,
        ..Query::default()
    })?;
    let read_ms = t.elapsed().as_secs_f64() * 1e3;
    let handle = tokio::runtime::Handle::current();
    let times = tokio::task::block_in_place(|| journal_page_frames(&handle, page, args.frames));
    outln!(
        "window, Journal page: its newest {} entries read in {read_ms:.1} ms (off the UI thread); frames drawing them: mean {:.2} ms, p95 {:.2}, max {:.2} ms ({} frames)",
        journal_search::PAGE,
        times.iter().sum::<f64>() / times.len() as f64,
        percentile(&times, 0.95),
        percentile(&times, 1.0),
        times.len()
    )?;
    if temporary {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(ExitCode::SUCCESS)
}

/// Frame times (ms, sorted) of the window's Journal page showing `page`,
/// as the backend hands it over, headless (egui pass and tessellation).
fn journal_page_frames(
    handle: &tokio::runtime::Handle,
    page: je08_client::journal::Page,
    frames: usize,
) -> Vec<f64> {
    let ctx = eframe::egui::Context::default();
    let backend = Backend::start(handle, Arc::new(Never), Arc::new(|| {}));
    let prefs = Prefs {
        lang: Some(Lang::En),
        ..Prefs::default()
    };
    let mut app = ConfiguratorApp::new(backend, prefs);
    app.view.page = Page::Journal;
    app.view.journal.update(Ok(Found {
        entries: page.entries,
        more: page.more,
        skipped: page.skipped,
    }));
    let mut times = Vec::with_capacity(frames);
    for i in 0..frames + 10 {
        let t0 = Instant::now();
        frame(&ctx, &mut app, i as f64 / 60.0);
        if i >= 10 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    times
}
