//! `je08 bench ui`: the configurator's CPU-side costs, measured headless
//! (egui pass + tessellation, no GPU): frame time with 50 meters holding an
//! hour of 1 Hz history, CPU with 10 live meters polled at 1 Hz (simulators
//! in a child process, so only the app is measured), time to first frame.

use je08_net::backoff::BackoffPolicy;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use eframe::egui;
use futures::future::BoxFuture;

use crate::backend::link::{Connector, LinkError, MeterLink};
use crate::backend::modbus_link::default_connector;
use crate::backend::{Backend, Event, LinkState, MeterKey};
use crate::i18n::Lang;
use crate::state::prefs::Prefs;
use crate::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_protocol::codec::{RegisterBlock, decode};
use je08_protocol::registers::addr;

/// Options of `je08 bench ui`.
#[derive(Debug, clap::Args)]
pub struct UiArgs {
    /// Meters with a full history for the frame-time run.
    #[arg(long, default_value_t = 50)]
    pub meters: usize,
    /// History per meter, seconds at 1 Hz.
    #[arg(long, default_value_t = 3600)]
    pub history_s: u32,
    /// Frames timed.
    #[arg(long, default_value_t = 300)]
    pub frames: usize,
    /// Live meters for the CPU run.
    #[arg(long, default_value_t = 10)]
    pub live_meters: u16,
    /// Length of the CPU run, seconds.
    #[arg(long, default_value_t = 30)]
    pub cpu_seconds: u64,
}

/// A connector that never connects (the frame-time runs feed data themselves).
pub(super) struct Never;

impl Connector for Never {
    fn connect(&self, _address: String) -> BoxFuture<'static, Result<Box<dyn MeterLink>, LinkError>> {
        Box::pin(futures::future::pending())
    }

    fn reconnect(&self) -> BackoffPolicy {
        je08_client::modbus::RECONNECT
    }
}

fn input(t: f64) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1360.0, 860.0),
        )),
        time: Some(t),
        ..Default::default()
    }
}

/// One frame as eframe runs it on the CPU: the egui pass and tessellation.
/// Returns the repaint delay the app asked for.
pub(super) fn frame(ctx: &egui::Context, app: &mut ConfiguratorApp, t: f64) -> Duration {
    let mut out = ctx.run_ui(input(t), |ui| app.frame_ui(ui));
    // No GPU takes the font atlas' updates; say they were handled.
    out.textures_delta.clear();
    let delay = out
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map_or(Duration::MAX, |v| v.repaint_delay);
    let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
    std::hint::black_box(prims);
    delay
}

fn sample_block(k: usize, t: u32) -> RegisterBlock {
    let mut b = RegisterBlock::default();
    let wobble = |x: u32| (x % 7) as u16;
    for (i, a) in [addr::VA_RMS, addr::VB_RMS, addr::VC_RMS].into_iter().enumerate() {
        b.set(a, 218 + i as u16 + wobble(t + k as u32));
    }
    for (a, v) in [
        (addr::VAB_RMS, 380),
        (addr::VBC_RMS, 381),
        (addr::VCA_RMS, 379),
        (addr::FREQUENCIA, 6001),
    ] {
        b.set(a, v);
    }
    for a in [addr::IA_RMS, addr::IB_RMS, addr::IC_RMS] {
        b.set(a, 500 + wobble(t) * 3);
    }
    for a in 67..=70 {
        b.set(a, 100 + wobble(t));
    }
    for a in 71..=74 {
        b.set(a, 110);
    }
    for a in 75..=78 {
        b.set(a, 900);
    }
    for a in 79..=82 {
        b.set(a, 40);
    }
    b.set(addr::TEMP_DS18B20, 315);
    b.set(addr::WIFI_MODE, 1);
    b.set(addr::ESP_VERSION, 300);
    b.set(addr::RELACAO_TC, 100);
    b
}

pub(super) fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks of 1/100 s (Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// Run the UI benchmarks.
pub async fn run(args: UiArgs) -> anyhow::Result<ExitCode> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| frames_and_first(&handle, &args))?;
    let sim = super::bench::start_sim(args.live_meters).await?;
    let meters: Vec<String> = sim.meters.iter().map(ToString::to_string).collect();
    tokio::task::block_in_place(|| live_cpu(&handle, &meters, args.cpu_seconds))?;
    Ok(ExitCode::SUCCESS)
}

fn frames_and_first(handle: &tokio::runtime::Handle, args: &UiArgs) -> anyhow::Result<()> {
    let prefs = Prefs {
        lang: Some(Lang::En),
        plot_window_s: 3600,
        ..Prefs::default()
    };
    let started = Instant::now();
    let ctx = egui::Context::default();
    let backend = Backend::start(handle, Arc::new(Never), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, prefs.clone());
    frame(&ctx, &mut app, 0.0);
    let first = started.elapsed();

    let ctx = egui::Context::default();
    let backend = Backend::start(handle, Arc::new(Never), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, prefs);
    let now = SystemTime::now();
    let keys: Vec<MeterKey> = (0..args.meters)
        .map(|k| app.add_meter(format!("127.0.0.{}:{}", 2 + k % 200, 1502 + k), Source::Manual))
        .collect();
    for (k, key) in keys.iter().enumerate() {
        app.model.apply(Event::Link {
            meter: *key,
            state: LinkState::Online,
        });
        for t in 0..args.history_s {
            let at = now - Duration::from_secs(u64::from(args.history_s - t));
            let snapshot = Arc::new(decode(&sample_block(k, t)));
            app.model.apply(Event::Reading {
                meter: *key,
                snapshot,
                at,
            });
        }
    }
    let mut times = Vec::with_capacity(args.frames);
    for i in 0..args.frames + 10 {
        let t0 = Instant::now();
        frame(&ctx, &mut app, i as f64 / 60.0);
        if i >= 10 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    outln!(
        "time to first frame (app + backend + first egui pass, headless): {:.0} ms",
        first.as_secs_f64() * 1000.0
    )?;
    outln!(
        "frame time, {} meters × {} s history, Live tab with 1 h plot window: mean {:.2} ms, p50 {:.2}, p95 {:.2}, max {:.2} ms ({} frames)",
        args.meters,
        args.history_s,
        mean,
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 1.0),
        times.len()
    )?;
    Ok(())
}

fn live_cpu(handle: &tokio::runtime::Handle, meters: &[String], seconds: u64) -> anyhow::Result<()> {
    let (wake_tx, wake_rx) = mpsc::sync_channel::<()>(1);
    let waker = Arc::new(move || {
        let _ = wake_tx.try_send(());
    });
    let ctx = egui::Context::default();
    let backend = Backend::start(handle, default_connector(), waker);
    let prefs = Prefs {
        lang: Some(Lang::En),
        ..Prefs::default()
    };
    let mut app = ConfiguratorApp::new(backend, prefs);
    for m in meters {
        app.add_meter(m.clone(), Source::Manual);
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    while app.model.meters.iter().any(|m| m.latest.is_none()) {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the live meters did not answer within 60 s"
        );
        let _ = wake_rx.recv_timeout(Duration::from_millis(100));
        app.drain_events();
    }
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let mut frames = 0u64;
    let mut delay = Duration::ZERO;
    let end = t0 + Duration::from_secs(seconds);
    while Instant::now() < end {
        let wait = delay.min(end.saturating_duration_since(Instant::now()));
        let _ = wake_rx.recv_timeout(wait);
        delay = frame(&ctx, &mut app, t0.elapsed().as_secs_f64());
        frames += 1;
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let online = app
        .model
        .meters
        .iter()
        .filter(|m| m.link == LinkState::Online)
        .count();
    outln!(
        "CPU with {} live meters at 1 Hz (UI + backend, simulators in a child process): {:.1} % of one core over {:.0} s, {} frames ({:.1} per s), {} online",
        meters.len(),
        100.0 * cpu / wall,
        wall,
        frames,
        frames as f64 / wall,
        online
    )?;
    anyhow::ensure!(
        online == meters.len(),
        "only {online} of {} meters stayed online",
        meters.len()
    );
    Ok(())
}
