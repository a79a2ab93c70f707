//! `je08` with no arguments: the configurator window. eframe runs on the
//! main thread; the tokio runtime built by the caller runs the backend.

use std::process::ExitCode;
use std::sync::Arc;

use eframe::egui;

use crate::backend::Backend;
use crate::backend::link::Connector;
use crate::ui::app::ConfiguratorApp;
use crate::ui::model::Source;
use crate::ui::prefs::{self, Prefs};

/// A meter listed when the window opens.
#[derive(Debug, Clone)]
pub struct InitialMeter {
    /// Modbus address.
    pub address: String,
    /// Display name.
    pub name: String,
    /// How it is known.
    pub source: Source,
}

/// Open the window and block until it closes. `meters` are added to the
/// list at start (e.g. the demo's simulators); the MQTT view connects to
/// `broker` when given.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    connector: Arc<dyn Connector>,
    meters: Vec<InitialMeter>,
    broker: Option<String>,
) -> anyhow::Result<ExitCode> {
    let launched = std::time::Instant::now();
    let handle = runtime.handle().clone();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("JE08 Configurator")
            .with_app_id("je08")
            .with_inner_size([1360.0, 860.0])
            .with_min_inner_size([900.0, 600.0]),
        renderer: eframe::Renderer::Glow,
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "je08",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let backend = Backend::start(&handle, connector, Arc::new(move || ctx.request_repaint()));
            let prefs: Prefs = cc
                .storage
                .and_then(|s| eframe::get_value(s, prefs::KEY))
                .unwrap_or_default();
            let mut app = ConfiguratorApp::new(backend, prefs);
            app.set_launch_time(launched);
            if let Some(url) = broker {
                app.connect_broker(url);
            }
            for meter in meters {
                let key = app.add_meter(meter.address, meter.source);
                if let Some(entry) = app.model.meter_mut(key) {
                    entry.name = meter.name;
                }
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the window: {err}"))?;
    Ok(ExitCode::SUCCESS)
}
