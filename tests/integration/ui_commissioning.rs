//! Headless UI tests of the commissioning views (egui_kittest): the real
//! app and backend against simulated meters over loopback Modbus TCP. The
//! wiring fix, calibration and profile results are checked on the
//! simulators through a separate Modbus client, as a second tool would.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use eframe::egui;
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use je08::backend::Backend;
use je08::backend::MeterKey;
use je08::backend::commissioning::{CommAction, CommCause, CommFile};
use je08::backend::modbus_link::default_connector;
use je08::commissioning::export::Format;
use je08::commissioning::profile::ProfileError;
use je08::commissioning::sampler::WindowOptions;
use je08::i18n::{Describe, Lang, Tr};
use je08::state::commission::Intent;
use je08::state::intent::Action;
use je08::state::prefs::Prefs;
use je08::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_client::endpoint::Endpoint;
use je08_client::modbus::{ClientConfig, ModbusClient};
use je08_protocol::codec::decode;
use je08_protocol::http_api::Mode;
use je08_protocol::readings::Snapshot;
use je08_protocol::registers::addr;
use je08_sim::broker::start_embedded_broker;
use je08_sim::{MeterOptions, ModelParams, Scenario, SimMeter, spawn_meter};

use super::commissioning::quick_mqtt;
use tokio_util::sync::CancellationToken;

struct Fixture {
    rt: tokio::runtime::Runtime,
    meters: Vec<SimMeter>,
    keys: Vec<MeterKey>,
    harness: Harness<'static, ConfiguratorApp>,
    dir: PathBuf,
}

/// The app with every meter listed and online; short sampling windows.
fn with_meters(options: Vec<MeterOptions>) -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let meters: Vec<SimMeter> = options
        .into_iter()
        .map(|o| rt.block_on(spawn_meter(o)).expect("simulator starts"))
        .collect();
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let prefs = Prefs {
        lang: Some(Lang::En),
        ..Prefs::default()
    };
    let mut app = ConfiguratorApp::new(backend, prefs);
    let keys = meters
        .iter()
        .map(|m| app.add_meter(m.modbus.to_string(), Source::Manual))
        .collect();
    app.view.commish.window = WindowOptions {
        samples: 8,
        interval: Duration::from_millis(20),
    };
    let harness = Harness::builder()
        .with_size(egui::vec2(1500.0, 1100.0))
        .with_accessibility_check(false)
        .build_ui_state(|ui, app: &mut ConfiguratorApp| app.frame_ui(ui), app);
    let dir = std::env::temp_dir().join(format!("je08-ui-comm-{}-{}", std::process::id(), meters[0].id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut f = Fixture {
        rt,
        meters,
        keys,
        harness,
        dir,
    };
    f.step_until("every meter's first reading", |app| {
        app.model.meters.iter().all(|m| m.latest.is_some())
    });
    f
}

fn meter_with(id: u32, params: ModelParams) -> MeterOptions {
    let mut options = MeterOptions::new(id);
    options.device.model = params;
    options
}

impl Fixture {
    fn step_until(&mut self, what: &str, done: impl Fn(&ConfiguratorApp) -> bool) {
        super::kit::step_until(&mut self.harness, what, done);
    }

    fn frames(&mut self, n: usize) {
        super::kit::frames(&mut self.harness, n);
    }

    fn click(&mut self, label: &str) {
        super::kit::click(&mut self.harness, label);
    }

    fn type_into(&mut self, label: &str, text: &str) {
        super::kit::type_into(&mut self.harness, label, text);
    }

    fn clear(&mut self, label: &str) {
        super::kit::clear(&mut self.harness, label);
    }

    /// Open the Calibration tab on `phase`'s current and sample a window;
    /// the conditions must be met.
    fn sample_current(&mut self, key: MeterKey, phase: &str) {
        self.click("Calibration");
        self.click(phase);
        self.click("Current");
        self.click("Sample 8 readings");
        self.step_until("the sample window", |app| {
            let c = &app.view.commish.calibration[&key];
            c.window.is_some() || c.error.is_some()
        });
        self.harness.get_by_label_contains("Conditions met");
    }

    /// Write the planned gain and wait for the calibration's end.
    fn write_gain(&mut self, key: MeterKey) {
        self.click("Write the new gain");
        self.step_until("the calibration", |app| {
            let c = &app.view.commish.calibration[&key];
            c.outcome.is_some() || c.error.is_some()
        });
    }

    /// What a file dialog would answer.
    fn choose(&mut self, purpose: CommFile, meter: Option<MeterKey>, path: &Path) {
        self.harness
            .state_mut()
            .apply(Action::Commission(Intent::FileChosen(
                purpose,
                meter,
                Some(path.to_path_buf()),
            )));
        self.frames(2);
    }

    /// Write the batch report to `path` (as if chosen in the file dialog),
    /// wait for it and return the page's error, if any.
    fn write_report(&mut self, path: &Path) -> Option<String> {
        self.choose(CommFile::Report, None, path);
        self.step_until("the report", |app| {
            let b = &app.view.commish.batch;
            b.running.is_none() && (b.saved.is_some() || b.error.is_some())
        });
        let error = self.harness.state().view.commish.batch.error.clone();
        error.map(|e| e.to_string())
    }

    /// Tell the app where each simulator serves its HTTP API.
    fn list_http_endpoints(&mut self) {
        for (i, key) in self.keys.clone().into_iter().enumerate() {
            if let Some(http) = self.meters[i].http {
                let entry = self.harness.state_mut().model.meter_mut(key).expect("listed");
                entry.endpoints.http = Some(http.to_string());
            }
        }
    }

    /// Boot count of simulator `i` and whether it serves in application mode.
    fn power(&self, i: usize) -> (u32, bool) {
        let state = self.meters[i].device.power_state();
        (state.boot_count, state.serving(Mode::Application))
    }

    /// Answer the save dialog with `path`, then the scope question with
    /// the button `scope`; returns when the job has ended.
    fn save_profile(&mut self, path: &Path, scope: &str) {
        let key = self.keys[0];
        self.choose(CommFile::SaveProfile, Some(key), path);
        self.harness.get_by_label("Save the whole configuration?");
        self.click(scope);
        self.step_until("the profile job", |app| {
            let b = &app.view.commish.batch;
            b.running.is_none() && (b.saved_profile.is_some() || b.error.is_some())
        });
    }

    /// A fresh reading of meter `i` over its own Modbus connection.
    fn read(&self, i: usize) -> Snapshot {
        let at = self.meters[i].modbus;
        self.rt.block_on(async {
            let mut c = ModbusClient::new(
                Endpoint {
                    host: at.ip().to_string(),
                    port: at.port(),
                },
                ClientConfig::default(),
            );
            let block = c.read_map().await.expect("read over Modbus");
            c.disconnect().await;
            decode(&block)
        })
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn the_wiring_tab_finds_a_reversed_ct_and_one_click_fixes_it() {
    let mut f = with_meters(vec![MeterOptions::scenario(2201, Scenario::ReversedCtB)]);
    let key = f.keys[0];
    f.click("Wiring");
    f.click("Run wiring check");
    f.step_until("the wiring check", |app| {
        app.view.commish.wiring[&key].check.is_some()
    });
    let finding = f
        .harness
        .get_by_label_contains("The CT on phase B (TC2) is reversed")
        .rect();
    assert!(
        finding.height() < 3.0 * finding.width() / 10.0,
        "the finding must read as a few lines, not one word per line: {finding:?}"
    );
    f.harness.get_by_label_contains("finding(s) need attention");
    f.harness.get_by_label("INVERTE_TC_FASE_B = 1");
    assert!(!f.read(0).settings.invert.b, "nothing written yet");

    f.click("Fix");
    f.step_until("the fix and its re-check", |app| {
        let w = &app.view.commish.wiring[&key];
        w.fix.is_some() || w.error.is_some()
    });
    let fix = f.harness.state().view.commish.wiring[&key].fix.clone();
    let fix = fix.unwrap_or_else(|| panic!("{:?}", f.harness.state().view.commish.wiring[&key].error));
    assert!(fix.written_ok);
    assert!(
        f.read(0).settings.invert.b,
        "INVERTE_TC_FASE_B reads back set over Modbus"
    );
    f.harness.get_by_label("Re-check: the wiring is now healthy.");
    f.harness.get_by_label_contains("Wiring healthy");
    assert!(fix.after.report.healthy);
    assert!(
        f.harness.query_by_label_contains("is reversed").is_none(),
        "the finding is gone after the re-check"
    );
}

/// Phase-B current channel 4 % high, 300 A on a 500 A CT.
fn miscalibrated() -> ModelParams {
    let mut p = Scenario::Balanced.params();
    for load in &mut p.phases {
        load.current_a = 300.0;
    }
    p.current_hw_error = [1.0, 1.04, 1.0];
    p
}

/// The Calibration tab against the meter `je08 sim --load 70` runs: the
/// default scenario with every phase at 70 % of the fitted CT's rating.
#[test]
fn the_calibration_tab_calibrates_the_default_simulator_at_70_percent_load() {
    let mut params = Scenario::Balanced.params();
    params.set_load_percent(70.0);
    let reference = params.ct_rating_a() * 0.7;
    let mut f = with_meters(vec![meter_with(2203, params)]);
    let key = f.keys[0];
    f.sample_current(key, "Phase A");
    f.type_into("Reference value (A)", &format!("{reference}"));
    f.write_gain(key);
    let c = &f.harness.state().view.commish.calibration[&key];
    let outcome = c.outcome.clone().unwrap_or_else(|| panic!("{:?}", c.error));
    assert!(outcome.written_ok);
    assert!(
        outcome.error_after_percent.abs() < 0.5,
        "error {} % → {} %",
        outcome.plan.error_before_percent,
        outcome.error_after_percent
    );
}

#[test]
fn the_calibration_wizard_brings_the_reading_within_half_a_percent() {
    let mut f = with_meters(vec![meter_with(2202, miscalibrated())]);
    let key = f.keys[0];
    let before = f.read(0).measurements.current_a.b;
    assert!((before / 300.0 - 1.04).abs() < 0.02, "starts 4 % high: {before}");
    f.sample_current(key, "Phase B");
    f.type_into("Reference value (A)", "300");
    f.type_into("Reference instrument", "Fluke 435 nº 12345");
    f.harness.get_by_label_contains("GANHO_CORRENTE_B: 1000 ->");
    f.write_gain(key);
    let outcome = f.harness.state().view.commish.calibration[&key]
        .outcome
        .clone()
        .expect("calibrated");
    assert!(outcome.written_ok);
    assert!(
        outcome.error_after_percent.abs() < 0.5,
        "error after {}",
        outcome.error_after_percent
    );
    f.harness.get_by_label_contains("read back; measured again");
    let snapshot = f.read(0);
    assert_eq!(
        snapshot.settings.gains.current.b,
        outcome.field.as_ref().unwrap().read_back
    );
    let mut sum = 0.0;
    for _ in 0..5 {
        sum += f.read(0).measurements.current_a.b;
    }
    assert!(
        (sum / 5.0 / 300.0 - 1.0).abs() < 0.005,
        "reads {} after calibration",
        sum / 5.0
    );

    let cert = f.dir.join("cert.pdf");
    f.choose(CommFile::Certificate, Some(key), &cert);
    f.step_until("the certificate", |app| {
        app.view.commish.calibration[&key].saved.is_some()
    });
    f.harness.get_by_label_contains("Saved to");
    let text = pdf_text(&cert);
    for needle in [
        "calibration certificate",
        "2202",
        "Fluke 435 nº 12345",
        "GANHO_CORRENTE_B",
        "before",
        "after",
    ] {
        assert!(text.contains(needle), "certificate lacks {needle:?}:\n{text}");
    }

    // The window writes the certificate in its own language.
    f.harness.state_mut().view.lang = Lang::PtBr;
    let certificado = f.dir.join("certificado.pdf");
    f.choose(CommFile::Certificate, Some(key), &certificado);
    f.step_until("the certificate in Portuguese", |app| {
        app.view.commish.calibration[&key].saved.is_some()
    });
    let text = pdf_text(&certificado);
    for needle in [
        "Certificado de calibração JE08",
        "Fluke 435 nº 12345",
        "Antes e depois",
    ] {
        assert!(text.contains(needle), "certificate lacks {needle:?}:\n{text}");
    }
    for english in ["calibration certificate", "Before and after", "before"] {
        assert!(!text.contains(english), "certificate has {english:?}:\n{text}");
    }
}

/// An embedded MQTT broker on a free loopback port, for as long as the
/// test process runs.
fn embedded_broker() -> std::net::SocketAddr {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(start_embedded_broker(0))
        .expect("broker")
}

fn pdf_text(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", &path.to_string_lossy(), "-"])
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

#[test]
fn a_wiring_check_can_be_cancelled_and_nothing_is_written() {
    let mut f = with_meters(vec![MeterOptions::scenario(2209, Scenario::ReversedCtB)]);
    let key = f.keys[0];
    f.harness.state_mut().view.commish.window.interval = Duration::from_secs(5);
    f.click("Wiring");
    f.click("Run wiring check");
    f.step_until("the job to start", |app| {
        app.view.commish.wiring[&key].running.is_some()
    });
    f.click("Cancel");
    f.step_until("the job to end", |app| {
        app.view.commish.wiring[&key].running.is_none()
    });
    let state = &f.harness.state().view.commish.wiring[&key];
    assert!(
        state.check.is_none() && state.error.is_none() && state.cancelled,
        "{state:?}"
    );
    f.harness.get_by_label("cancelled");
    assert!(!f.read(0).settings.invert.b);
}

#[test]
fn the_calibration_wizard_refuses_a_low_current_with_the_reason() {
    // Balanced: 80 A on a 500 A CT, below 50 % of nominal.
    let mut f = with_meters(vec![MeterOptions::scenario(2203, Scenario::Balanced)]);
    let key = f.keys[0];
    let gains = f.read(0).settings;
    f.click("Calibration");
    f.click("Phase B");
    f.click("Current");
    f.click("Sample 8 readings");
    f.step_until("the sample window", |app| {
        app.view.commish.calibration[&key].window.is_some()
    });
    f.harness
        .get_by_label_contains("Refused, nothing was written: phase B current is");
    f.harness.get_by_label_contains("50 % of the 500 A CT");
    assert!(
        f.harness.query_by_label("Reference value (A)").is_none(),
        "no way on to step 2"
    );
    assert_eq!(f.read(0).settings, gains, "nothing was written");
}

#[test]
fn batch_profile_apply_to_two_meters_shows_the_result_table() {
    let mut f = with_meters(vec![
        MeterOptions::new(2204),
        MeterOptions::new(2205),
        MeterOptions::new(2206),
    ]);
    f.meters[0]
        .device
        .write(addr::RELACAO_TC, &[200, 0, 1, 0])
        .expect("source settings");
    f.step_until("the changed source settings", |app| {
        app.model.meters[0]
            .latest
            .as_ref()
            .is_some_and(|s| s.settings.ct_ratio == 200)
    });
    f.harness.state_mut().apply(Action::Select(f.keys[0]));
    f.click("Batch");
    let profile = f.dir.join("panel.toml");
    // The button opens a native dialog; the test answers it directly.
    f.harness.get_by_label("Save profile from JE08 2204…");
    f.choose(CommFile::SaveProfile, Some(f.keys[0]), &profile);
    // These simulators serve no HTTP API: the Modbus settings only.
    f.click("Modbus settings only (no reboot)");
    f.step_until("the saved profile", |app| {
        app.view.commish.batch.running.is_none()
    });
    f.harness
        .get_by_label_contains("Modbus settings only (no HTTP settings");
    let text = std::fs::read_to_string(&profile).expect("profile written");
    assert!(text.contains("ct_ratio = 200"), "{text}");

    for title in ["JE08 2205", "JE08 2206"] {
        f.harness.get_by_role_and_label(Role::CheckBox, title).click();
        f.frames(2);
    }
    f.choose(CommFile::OpenProfile, None, &profile);
    f.step_until("the dry run", |app| app.view.commish.batch.preview.is_some());
    assert_eq!(f.harness.query_all_by_label("would change").count(), 2);
    assert_eq!(f.read(1).settings.ct_ratio, 100, "the dry run wrote nothing");

    f.click("Apply to 2 meter(s)");
    f.step_until("the result", |app| app.view.commish.batch.applied.is_some());
    assert_eq!(f.harness.query_all_by_label("changed").count(), 2);
    for i in [1, 2] {
        let s = f.read(i).settings;
        assert_eq!((s.ct_ratio, s.invert.b), (200, true), "meter {i}");
    }

    crate::kit::type_into(&mut f.harness, "Site", "Usina Sul");
    crate::kit::type_into(&mut f.harness, "Technician", "João Lima");
    let report = f.dir.join("report.pdf");
    f.write_report(&report);
    let text = pdf_text(&report);
    assert!(text.contains("commissioning report"), "{text}");
    for m in &f.meters[1..] {
        assert!(text.contains(&m.modbus.to_string()), "{text}");
    }
    for typed in ["Usina Sul", "João Lima"] {
        assert!(
            text.contains(typed),
            "the report lacks the typed {typed:?}:\n{text}"
        );
    }
    let remembered = f.harness.state().prefs().report_header;
    assert_eq!(
        (remembered.site.as_str(), remembered.technician.as_str()),
        ("Usina Sul", "João Lima"),
        "the header fields are kept in the preferences"
    );
}

#[test]
fn a_recording_counts_its_rows_and_stops() {
    let mut f = with_meters(vec![MeterOptions::new(2207)]);
    let key = f.keys[0];
    f.harness.state_mut().view.commish.record_options.interval = Duration::from_millis(50);
    f.harness.state_mut().view.commish.record_options.flush_every = Duration::from_millis(100);
    f.click("Recording");
    let csv = f.dir.join("rec.csv");
    f.choose(CommFile::Recording(Format::Csv), Some(key), &csv);
    f.step_until("a few rows", |app| {
        app.view.commish.recording[&Some(key)].rows >= 5
    });
    f.harness.get_by_label_contains("rows recorded");
    f.click("Stop recording");
    f.step_until("the recording to stop", |app| {
        app.view.commish.recording[&Some(key)].summary.is_some()
    });
    f.harness.get_by_label_contains("Stopped:");
    let rows = f.harness.state().view.commish.recording[&Some(key)].rows;
    let text = std::fs::read_to_string(&csv).expect("CSV written");
    assert_eq!(text.lines().count() as u64, rows + 1, "header and every row");
}

#[test]
fn the_commissioning_views_draw_in_both_languages() {
    let mut f = with_meters(vec![MeterOptions::scenario(2208, Scenario::ReversedCtB)]);
    let key = f.keys[0];
    f.click("Wiring");
    f.click("Run wiring check");
    f.step_until("the wiring check", |app| {
        app.view.commish.wiring[&key].check.is_some()
    });
    f.click("Language");
    f.click("Português (Brasil)");
    f.harness
        .get_by_label_contains("O TC da fase B (TC2) está invertido");
    f.harness.get_by_label("Corrigir");
    for (tab, text) in [
        ("Calibração", "1. Verificar as condições"),
        ("Registro", "Iniciar registro…"),
    ] {
        f.click(tab);
        f.harness.get_by_label_contains(text);
    }
    f.click("Lote");
    f.harness.get_by_label("Ações em lote");
    f.harness.get_by_label("Aplicar um perfil a 0 medidor(es)…");
}

#[test]
fn a_wrong_ct_ratio_is_found_from_the_fitted_ct_and_fixed_by_register() {
    // RELACAO_TC says 500 A/5 A; the CTs really fitted are 300 A/5 A.
    let mut f = with_meters(vec![MeterOptions::scenario(2210, Scenario::WrongCtRatio)]);
    let key = f.keys[0];
    f.click("Wiring");
    f.type_into("Fitted CT primary (A, optional)", "300x");
    f.harness
        .get_by_label("give the primary in whole amps, e.g. 500, or leave it empty");
    f.type_into("Fitted CT primary (A, optional)", "300");
    f.click("Run wiring check");
    f.step_until("the wiring check", |app| {
        app.view.commish.wiring[&key].check.is_some()
    });
    f.harness
        .get_by_label_contains("RELACAO_TC is set for a 500 A/5 A CT but the fitted CT is 300 A/5 A");
    f.harness.get_by_label("RELACAO_TC = 60");
    f.click("Fix");
    f.step_until("the fix", |app| {
        let w = &app.view.commish.wiring[&key];
        w.fix.is_some() || w.error.is_some()
    });
    assert_eq!(
        f.read(0).settings.ct_ratio,
        60,
        "RELACAO_TC read back over Modbus"
    );
    f.harness.get_by_label("Re-check: the wiring is now healthy.");
}

/// A simulator serving the HTTP API too, rebooting quickly.
fn with_http(id: u32) -> MeterOptions {
    let mut options = MeterOptions::new(id);
    options.http_port = Some(0);
    options.device.reboot_delay = Duration::from_millis(200);
    options
}

#[test]
fn batch_apply_of_http_settings_uses_a_typed_interface_password_else_the_factory_default() {
    use je08::commissioning::profile::{Access, ApplyStatus, capture_all};
    use je08_client::endpoint::MeterAddress;
    use je08_protocol::http_api::Secret;

    let mut source = with_http(2210);
    source.device.network.device_name = "Panel 7 meter 2210".into();
    let mut f = with_meters(vec![source, with_http(2211)]);
    f.list_http_endpoints();
    let source = MeterAddress::parse(
        &format!(
            "{},http={}",
            f.meters[0].modbus,
            f.meters[0].http.expect("HTTP served").port()
        ),
        502,
        80,
    )
    .expect("address");
    let access = Access {
        password: Some(Secret::new("bintechnology")),
        ..Access::default()
    };
    let profile =
        f.rt.block_on(capture_all(
            &source,
            &access,
            String::new(),
            |_, _| {},
            &CancellationToken::new(),
        ))
        .expect("profile with the HTTP blocks")
        .for_other_meters();
    let path = f.dir.join("http.toml");
    profile.save(&path).expect("profile saved");
    let name = |f: &Fixture| f.meters[1].device.with(|d| d.network.device_name.clone());
    let before = name(&f);

    f.click("Batch");
    f.harness
        .get_by_role_and_label(Role::CheckBox, "JE08 2211")
        .click();
    f.frames(2);
    let apply = |f: &mut Fixture| {
        f.choose(CommFile::OpenProfile, None, &path);
        f.step_until("the dry run", |app| {
            let b = &app.view.commish.batch;
            b.preview.is_some() || b.error.is_some()
        });
        assert_eq!(f.harness.state().view.commish.batch.error, None);
        f.click("Apply to 1 meter(s)");
        f.step_until("the result", |app| {
            let b = &app.view.commish.batch;
            b.applied.is_some() || b.error.is_some()
        });
        let batch = &f.harness.state().view.commish.batch;
        assert_eq!(batch.error, None);
        batch.applied.clone().expect("applied")[0].clone()
    };

    f.type_into("Interface password", "not-the-password");
    let wrong = apply(&mut f);
    assert_eq!(
        wrong.status,
        ApplyStatus::Failed,
        "a typed password wins: {wrong:?}"
    );
    let reason = wrong.reason.as_ref().map(ToString::to_string).unwrap_or_default();
    assert!(reason.contains("password"), "{reason}");
    assert_eq!(name(&f), before, "nothing written with a wrong password");
    // The result table says why in the window's language.
    f.harness.state_mut().view.lang = Lang::PtBr;
    f.frames(2);
    f.harness
        .get_by_label_contains("não foi possível entrar no modo configuração: o medidor");
    f.harness.state_mut().view.lang = Lang::En;
    f.frames(2);

    // An empty field means the factory default, which this meter still has.
    f.clear("Interface password");
    let with = apply(&mut f);
    assert_eq!(with.status, ApplyStatus::Changed, "{with:?}");
    assert!(with.http_checked, "{with:?}");
    assert_eq!(name(&f), "Panel 7 meter 2211", "templated with the target's id");
}

#[test]
fn saving_the_whole_configuration_asks_first_reboots_twice_and_keeps_no_password() {
    let mut f = with_meters(vec![with_http(2212)]);
    f.list_http_endpoints();
    let (boots, _) = f.power(0);
    f.click("Batch");
    f.type_into("Interface password", "bintechnology");
    let path = f.dir.join("whole.toml");
    f.choose(CommFile::SaveProfile, Some(f.keys[0]), &path);
    f.harness
        .get_by_label_contains("the meter reboots twice (into configuration mode and back)");
    f.harness
        .get_by_label_contains("kWh and kVArh energy counters restart from zero");
    assert_eq!(f.power(0).0, boots, "nothing happens before the answer");
    f.click("Save the whole configuration (reboots twice)");
    f.step_until("the profile job", |app| {
        let b = &app.view.commish.batch;
        b.running.is_none() && (b.saved_profile.is_some() || b.error.is_some())
    });
    assert_eq!(f.harness.state().view.commish.batch.error, None);
    f.harness
        .get_by_label_contains("Modbus settings and HTTP settings (connectivity, protocols; no passwords)");
    let text = std::fs::read_to_string(&path).expect("profile written");
    for needle in [
        "[settings",
        "[http.connectivity]",
        "[http.protocols.mqtt]",
        "publish_topic = \"je08/{id}/data\"",
    ] {
        assert!(text.contains(needle), "profile lacks {needle:?}:\n{text}");
    }
    assert!(
        !text.contains("password =") && !text.contains("bintechnology"),
        "{text}"
    );
    assert_eq!(
        f.power(0),
        (boots + 2, true),
        "rebooted into configuration mode and back into application mode"
    );
}

#[test]
fn saving_the_modbus_settings_only_does_not_reboot_the_meter() {
    let mut f = with_meters(vec![with_http(2213)]);
    f.list_http_endpoints();
    let (boots, _) = f.power(0);
    f.click("Batch");
    let path = f.dir.join("modbus.toml");
    f.save_profile(&path, "Modbus settings only (no reboot)");
    assert_eq!(f.harness.state().view.commish.batch.error, None);
    f.harness
        .get_by_label_contains("Modbus settings only (no HTTP settings; the meter was not rebooted)");
    let text = std::fs::read_to_string(&path).expect("profile written");
    assert!(text.contains("ct_ratio = "), "{text}");
    assert!(!text.contains("[http"), "no HTTP section:\n{text}");
    assert_eq!(f.power(0), (boots, true), "not rebooted");

    // Dismissing the question saves nothing.
    let other = f.dir.join("dismissed.toml");
    f.choose(CommFile::SaveProfile, Some(f.keys[0]), &other);
    f.click("Cancel");
    assert!(
        f.harness
            .query_by_label("Save the whole configuration?")
            .is_none()
    );
    f.frames(5);
    assert!(!other.exists());
    assert_eq!(f.power(0), (boots, true));
}

#[test]
fn cancelling_a_whole_configuration_save_returns_the_meter_to_application_mode() {
    let mut options = with_http(2214);
    options.device.reboot_delay = Duration::from_millis(1500);
    let mut f = with_meters(vec![options]);
    f.list_http_endpoints();
    let (boots, _) = f.power(0);
    f.click("Batch");
    f.type_into("Interface password", "bintechnology");
    let path = f.dir.join("cancelled.toml");
    f.choose(CommFile::SaveProfile, Some(f.keys[0]), &path);
    f.click("Save the whole configuration (reboots twice)");
    f.harness.get_by_label_contains("Saving the whole configuration");
    f.step_until("the meter in configuration mode", |app| {
        let b = &app.view.commish.batch;
        b.running.is_some_and(|r| r.fraction.is_some_and(|x| x >= 0.5))
    });
    f.click("Cancel");
    f.step_until("the job to end", |app| app.view.commish.batch.running.is_none());
    let error = f.harness.state().view.commish.batch.error.clone();
    let error = error.expect("the cancel is explained");
    let explained = CommCause::Profile(Box::new(ProfileError::Cancelled {
        rebooted: true,
        mode: Mode::Application,
    }));
    assert_eq!(
        (error.action, &error.cause),
        (CommAction::SaveProfile, &explained)
    );
    f.harness.get_by_label_contains("back in application mode");
    assert!(!path.exists(), "no profile written");
    assert_eq!(f.power(0), (boots + 2, true), "back in application mode");

    // The explanation is kept as a value: the Portuguese window says it in Portuguese.
    f.click("Language");
    f.click("Português (Brasil)");
    f.frames(2);
    f.harness
        .get_by_label_contains("o medidor reiniciou duas vezes e voltou ao modo aplicação");
    assert!(
        f.harness
            .query_by_label_contains("back in application mode")
            .is_none()
    );
}

#[test]
fn a_profile_that_cannot_be_read_is_said_in_portuguese() {
    let mut f = with_meters(vec![MeterOptions::new(2217)]);
    f.click("Language");
    f.click("Português (Brasil)");
    f.click("Lote");
    let broken = f.dir.join("broken.toml");
    std::fs::write(&broken, "this is = = not a profile").expect("write");
    let missing = f.dir.join("missing.toml");
    for (path, said) in [
        (&broken, "não é um perfil je08 válido"),
        (&missing, "não foi possível ler"),
    ] {
        f.choose(CommFile::OpenProfile, None, path);
        f.step_until("the preview job", |app| {
            let b = &app.view.commish.batch;
            b.running.is_none() && b.error.is_some()
        });
        let error = f
            .harness
            .state()
            .view
            .commish
            .batch
            .error
            .clone()
            .expect("failed");
        assert_eq!(error.action, CommAction::PreviewProfile);
        let text = error.describe(Tr(Lang::PtBr));
        assert!(
            text.contains(said) && text.contains(&path.display().to_string()),
            "{text}"
        );
        f.harness.get_by_label(&text);
        assert!(f.harness.query_by_label(&error.to_string()).is_none(), "{error}");
    }
}

#[test]
fn the_report_checks_mqtt_through_the_broker_given_and_refuses_a_bad_url() {
    let broker = embedded_broker();
    let url = format!("mqtt://{broker}");
    let mut options = MeterOptions::new(2215);
    options.mqtt = Some(quick_mqtt(&url));
    let mut f = with_meters(vec![options]);
    f.click("Batch");
    f.harness
        .get_by_role_and_label(Role::CheckBox, "JE08 2215")
        .click();
    f.frames(2);
    let button = "Commissioning report (PDF) for 1 meter(s)…";
    assert!(!f.harness.get_by_label(button).accesskit_node().is_disabled());
    f.harness.get_by_label_contains("no MQTT check");

    f.type_into("MQTT check broker", "http://127.0.0.1:1883");
    f.harness.get_by_label_contains("is not a broker URL");
    assert!(
        f.harness.get_by_label(button).accesskit_node().is_disabled(),
        "an invalid broker blocks the report"
    );
    f.type_into("MQTT check broker", &url);
    assert!(f.harness.query_by_label_contains("is not a broker URL").is_none());
    assert!(!f.harness.get_by_label(button).accesskit_node().is_disabled());

    let report = f.dir.join("mqtt.pdf");
    assert_eq!(f.write_report(&report), None);
    let text = pdf_text(&report);
    for needle in ["MQTT: seen", "je08/2215/data"] {
        assert!(text.contains(needle), "report lacks {needle:?}:\n{text}");
    }

    // The window writes the report in its own language.
    f.harness.state_mut().view.lang = Lang::PtBr;
    let relatorio = f.dir.join("relatorio.pdf");
    assert_eq!(f.write_report(&relatorio), None);
    let text = pdf_text(&relatorio);
    for needle in [
        "Relatório de comissionamento JE08",
        "MQTT: recebidos",
        "je08/2215/data",
    ] {
        assert!(text.contains(needle), "report lacks {needle:?}:\n{text}");
    }
    for english in ["commissioning report", "MQTT: seen", "Readings"] {
        assert!(!text.contains(english), "report has {english:?}:\n{text}");
    }
}

#[test]
fn the_report_with_http_settings_checks_mqtt_through_the_meters_own_broker() {
    let broker = embedded_broker();
    // The MQTT start option is also what the meter's protocols block says.
    let mut options = with_http(2216);
    options.mqtt = Some(quick_mqtt(&format!("mqtt://{broker}")));
    let mut f = with_meters(vec![options]);
    f.list_http_endpoints();
    let (boots, _) = f.power(0);
    f.click("Batch");
    f.harness
        .get_by_role_and_label(Role::CheckBox, "JE08 2216")
        .click();
    f.type_into("Interface password", "bintechnology");
    f.click("Include HTTP settings (reboots each meter twice; energy counters restart)");
    f.harness.get_by_label_contains("uses each meter's own broker");
    let report = f.dir.join("own.pdf");
    assert_eq!(f.write_report(&report), None);
    let text = pdf_text(&report);
    for needle in ["protocols.mqtt.publish_topic", "MQTT: seen", "je08/2216/data"] {
        assert!(text.contains(needle), "report lacks {needle:?}:\n{text}");
    }
    assert_eq!(f.power(0), (boots + 2, true));
}

#[test]
fn the_batch_page_says_profile_or_backup_and_keeps_each_meters_calibration() {
    let calibrated = |id, gain| {
        let mut options = MeterOptions::new(id);
        options.device.settings.gains.frequency = gain;
        options.device.settings.gains.voltage.a = gain + 1;
        options
    };
    let mut source = calibrated(2230, 1010);
    source.device.settings.ct_ratio = 200;
    let mut f = with_meters(vec![source, calibrated(2231, 990)]);
    let gains = |f: &Fixture| f.read(1).settings.gains;
    let before = gains(&f);
    f.harness.state_mut().apply(Action::Select(f.keys[0]));
    f.click("Batch");
    let path = f.dir.join("profile.toml");
    f.save_profile(&path, "Modbus settings only (no reboot)");
    let text = std::fs::read_to_string(&path).expect("profile written");
    assert!(!text.contains("[settings.gains"), "{text}");

    f.harness
        .get_by_role_and_label(Role::CheckBox, "JE08 2231")
        .click();
    f.frames(2);
    f.choose(CommFile::OpenProfile, None, &path);
    f.step_until("the dry run", |app| app.view.commish.batch.preview.is_some());
    f.harness
        .get_by_label_contains("profile (no calibration): each meter keeps its own calibration gains");
    f.click("Apply to 1 meter(s)");
    f.step_until("the result", |app| app.view.commish.batch.applied.is_some());
    assert_eq!(f.read(1).settings.ct_ratio, 200, "the profile was applied");
    assert_eq!(gains(&f), before, "the profile wrote no gain");

    // The source meter's backup, opened for the other meter: named as a
    // backup with its gains, and refused.
    let mut backup = je08::commissioning::profile::Profile::load(&path).expect("profile");
    backup.meta.backup_of = Some(2230);
    backup.settings.gains = Some(f.read(0).settings.gains);
    let backup_path = f.dir.join("backup-2230.toml");
    backup.save(&backup_path).expect("backup written");
    f.choose(CommFile::OpenProfile, None, &backup_path);
    f.step_until("the dry run of the backup", |app| {
        app.view
            .commish
            .batch
            .preview
            .as_ref()
            .is_some_and(|(p, _, _)| p.meta.backup_of.is_some())
    });
    f.harness.get_by_label_contains(
        "backup of meter 2230 (with its calibration: GANHO_FREQUENCIA 1010, GANHO_TENSAO_A 1011",
    );
    f.harness.get_by_label_contains(
        "this file is the backup of meter 2230 with its calibration, and this is meter 2231",
    );
    f.harness.state_mut().view.lang = Lang::PtBr;
    f.frames(2);
    f.harness
        .get_by_label_contains("backup do medidor 2230 (com a sua calibração: GANHO_FREQUENCIA 1010");
    assert_eq!(gains(&f), before);
}
