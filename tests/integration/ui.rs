//! Headless UI tests (egui_kittest): the real app, a real backend and a
//! simulated meter over loopback Modbus TCP; widgets are found by label and
//! role, clicked and typed into like a user would.

use std::sync::Arc;
use std::time::Duration;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use futures::future::BoxFuture;
use je08::backend::link::{Connector, EnergyKind, LinkError, MeterLink};
use je08::backend::modbus_link::default_connector;
use je08::backend::{Backend, JobOutcome, LinkState};
use je08::i18n::{Describe, Lang, Tr};
use je08::state::model::JobKind;
use je08::state::prefs::Prefs;
use je08::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_client::endpoint::Endpoint;
use je08_client::modbus::ModbusError;
use je08_net::backoff::BackoffPolicy;
use je08_protocol::registers::addr;
use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};

struct Fixture {
    _rt: tokio::runtime::Runtime,
    meter: Option<SimMeter>,
    harness: Harness<'static, ConfiguratorApp>,
}

pub(super) fn english() -> Prefs {
    Prefs {
        lang: Some(Lang::En),
        ..Prefs::default()
    }
}

pub(super) fn harness(app: ConfiguratorApp) -> Harness<'static, ConfiguratorApp> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 1000.0))
        .with_accessibility_check(false)
        .build_ui_state(|ui, app: &mut ConfiguratorApp| app.frame_ui(ui), app)
}

/// The window in English over a fresh backend with the real connector, and
/// the runtime the backend runs on (bind both: the harness drops first).
pub(super) fn english_window() -> (tokio::runtime::Runtime, Harness<'static, ConfiguratorApp>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let window = harness(ConfiguratorApp::new(backend, english()));
    (rt, window)
}

/// A running app with one simulated meter, already listed and online.
fn with_meter(scenario: Scenario) -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let meter = rt
        .block_on(spawn_meter(MeterOptions::scenario(2001, scenario)))
        .unwrap();
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, english());
    app.add_meter(meter.modbus.to_string(), Source::Manual);
    let mut fixture = Fixture {
        _rt: rt,
        meter: Some(meter),
        harness: harness(app),
    };
    fixture.step_until("the first reading", |app| app.model.meters[0].latest.is_some());
    fixture
}

impl Fixture {
    fn step_until(&mut self, what: &str, done: impl Fn(&ConfiguratorApp) -> bool) {
        super::kit::step_until(&mut self.harness, what, done);
    }

    fn frames(&mut self, n: usize) {
        super::kit::frames(&mut self.harness, n);
    }

    fn register(&self, a: u16) -> u16 {
        self.meter.as_ref().unwrap().device.registers().get(a)
    }

    fn click(&mut self, label: &str) {
        super::kit::click(&mut self.harness, label);
    }

    fn type_into(&mut self, label: &str, text: &str) {
        super::kit::type_into(&mut self.harness, label, text);
    }
}

#[test]
fn an_invalid_gain_is_flagged_and_nothing_is_written() {
    let mut f = with_meter(Scenario::Balanced);
    let before = f.register(addr::GANHO_TENSAO_A);
    f.click("Parameters");
    f.frames(3);
    for phase in ["A", "B", "C"] {
        let width = f
            .harness
            .get_by_label(&format!("Voltage gain {phase}"))
            .rect()
            .width();
        assert!(
            width >= 100.0,
            "the phase {phase} field is squeezed to {width} px"
        );
    }
    f.type_into("Voltage gain A", "1600");
    assert_eq!(
        f.harness.get_by_label("Voltage gain A").value().as_deref(),
        Some("1600")
    );
    f.harness.get_by_label_contains("out of range: allowed 500–1500");
    let write = f.harness.get_by_label("Write");
    assert!(
        write.accesskit_node().is_disabled(),
        "Write must be disabled while a field is invalid"
    );
    write.click();
    f.frames(5);
    assert!(f.harness.state().model.jobs.is_empty(), "no write may be queued");
    assert_eq!(
        f.register(addr::GANHO_TENSAO_A),
        before,
        "the meter must be unchanged"
    );
}

#[test]
fn a_ct_typed_as_primary_amps_reaches_the_meter_and_reads_back() {
    let data = std::env::temp_dir().join(format!("je08-ui-history-{}", std::process::id()));
    // SAFETY: nextest runs each test in its own process, and this runs
    // before the test starts any thread.
    unsafe {
        std::env::set_var("JE08_DATA_DIR", &data);
    }
    let mut f = with_meter(Scenario::Balanced);
    f.click("Parameters");
    f.click("as primary amps (e.g. 500 A/5 A)");
    f.type_into("CT", "750 A/5 A");
    f.harness.get_by_label_contains("ratio 150 = 750 A/5 A");
    f.click("Write");
    f.step_until("the write to finish", |app| {
        app.model
            .jobs
            .values()
            .any(|j| j.kind == JobKind::WriteSettings && j.outcome.is_some())
    });
    let job = f.harness.state().model.jobs.values().next().unwrap().clone();
    let Some(JobOutcome::Written(fields)) = job.outcome else {
        panic!("write failed: {:?}", job.outcome)
    };
    let ct = fields
        .iter()
        .find(|o| o.addr == addr::RELACAO_TC)
        .expect("CT ratio written");
    assert_eq!((ct.wanted, ct.actual), (150, Some(150)));
    assert_eq!(
        f.register(addr::RELACAO_TC),
        150,
        "the simulator holds the new ratio"
    );
    f.harness
        .get_by_label("Written, saved and confirmed by read-back.");
    f.harness.get_by_label("confirmed");

    // The History tab shows the change, as the meter read it back.
    f.click("History");
    f.step_until("the meter's journal", |app| {
        app.view
            .history
            .values()
            .any(|e| e.as_ref().is_ok_and(|e| !e.is_empty()))
    });
    let shown = |text: &str| f.harness.query_all_by_label_contains(text).next().is_some();
    assert!(shown("je08 (window)"), "the entry and its origin");
    assert!(shown("RELACAO_TC"), "the field changed");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn an_energy_reset_asks_first() {
    let mut f = with_meter(Scenario::Balanced);
    let trigger = f.register(addr::ZERA_KWH);
    f.click("Reset kWh");
    f.harness.get_by_label("Reset the kWh counters?");
    assert!(
        f.harness.state().model.jobs.is_empty(),
        "nothing happens before the answer"
    );
    f.click("Cancel");
    assert!(
        f.harness.query_by_label("Reset the kWh counters?").is_none(),
        "the question closes"
    );
    f.frames(5);
    assert!(f.harness.state().model.jobs.is_empty());
    assert_eq!(f.register(addr::ZERA_KWH), trigger, "cancel sends nothing");

    f.click("Reset kWh");
    let buttons = f.harness.get_all_by_label("Reset kWh").count();
    assert_eq!(buttons, 2, "the dialog has its own confirm button");
    f.harness.get_all_by_label("Reset kWh").last().unwrap().click();
    f.step_until("the reset to finish", |app| {
        app.model.jobs.values().any(|j| j.outcome.is_some())
    });
    let job = f.harness.state().model.jobs.values().next().unwrap().clone();
    assert_eq!(job.kind, JobKind::ResetEnergy(EnergyKind::ActiveKwh));
    assert_eq!(job.outcome, Some(JobOutcome::Done(None)));
    assert_ne!(
        f.register(addr::ZERA_KWH),
        trigger,
        "the trigger fired once confirmed"
    );
}

#[test]
fn switching_language_changes_the_labels() {
    let mut f = with_meter(Scenario::NoTempSensor);
    f.harness.get_by_label("Parameters");
    f.harness.get_by_label("no sensor");
    f.click("Language");
    f.click("Português (Brasil)");
    f.harness.get_by_label("Parâmetros");
    assert!(f.harness.query_all_by_label("Medidores").count() >= 1);
    f.harness.get_by_label("sem sensor");
    assert!(f.harness.query_by_label("Parameters").is_none());
    assert_eq!(f.harness.query_all_by_label("Meters").count(), 0);
}

#[test]
fn the_meters_list_keeps_its_width_in_every_language() {
    let mut f = with_meter(Scenario::Balanced);
    f.click("Language");
    f.click("Português (Brasil)");
    f.frames(3);
    let add = f.harness.get_by_label("Adicionar").rect();
    let scan = f.harness.get_by_label("Varrer").rect();
    f.frames(60);
    // A field sized by a guessed button width made the panel a little wider
    // on every frame, until it squeezed the meter page off the window.
    assert_eq!(f.harness.get_by_label("Adicionar").rect(), add);
    assert_eq!(f.harness.get_by_label("Varrer").rect(), scan);
    assert!(
        add.right() <= 470.0,
        "the meters list must stay a side panel, its button ends at {}",
        add.right()
    );
}

#[test]
fn an_unreachable_meter_is_explained_in_portuguese() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // A loopback port nothing listens on: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, english());
    app.add_meter(address.clone(), Source::Manual);
    let mut h = harness(app);
    super::kit::click(&mut h, "Language");
    super::kit::click(&mut h, "Português (Brasil)");
    super::kit::step_until(&mut h, "the meter to be offline", |app| {
        matches!(app.model.meters[0].link, LinkState::Offline(_))
    });
    assert_eq!(
        h.state().model.meters[0].link,
        LinkState::Offline(LinkError::Modbus(ModbusError::Refused {
            meter: Endpoint::parse(&address, 502).unwrap(),
        }))
    );
    let sentence = format!(
        "medidor {address}: conexão recusada; verifique o endereço e a porta (o Modbus TCP usa a 502) \
         e se o Modbus está habilitado na configuração do medidor"
    );
    // Under the header, and as the badge's hover text.
    assert!(h.query_all_by_label(&sentence).count() >= 1, "{sentence}");
    assert!(h.query_all_by_label("desconectado").count() >= 1, "the badge");
    assert!(
        h.query_by_label_contains("connection refused").is_none(),
        "no English link state may remain in the Portuguese window"
    );
    drop(h);
    drop(rt);
}

#[test]
fn a_reset_while_the_meter_is_offline_says_so_in_portuguese() {
    let mut f = with_meter(Scenario::Balanced);
    f.click("Language");
    f.click("Português (Brasil)");
    let device = f.meter.as_ref().unwrap().device.clone();
    device.set_refuse(true);
    device.drop_connections();
    f.step_until("the meter to be offline", |app| {
        matches!(app.model.meters[0].link, LinkState::Offline(_))
    });
    // The header says why in Portuguese, whatever the first failure was.
    let LinkState::Offline(why) = f.harness.state().model.meters[0].link.clone() else {
        unreachable!()
    };
    let header = why.describe(Tr(Lang::PtBr));
    assert!(header.starts_with("medidor 127.0.0.1:"), "{header}");
    // The sentence under the header (and the badge's hover text).
    assert!(f.harness.query_all_by_label(&header).count() >= 1, "{header}");

    let trigger = f.register(addr::ZERA_KWH);
    f.click("Zerar kWh");
    f.harness.get_by_label("Zerar os contadores de kWh?");
    f.harness.get_all_by_label("Zerar kWh").last().unwrap().click();
    f.step_until("the reset to fail", |app| {
        app.model.jobs.values().any(|j| j.outcome.is_some())
    });
    let job = f.harness.state().model.jobs.values().next().unwrap().clone();
    assert_eq!(job.outcome, Some(JobOutcome::LinkFailed(LinkError::NotConnected)));
    f.harness
        .get_by_label("o medidor está desconectado; nada foi gravado");
    assert!(
        f.harness.query_by_label_contains("nothing was written").is_none(),
        "no English job failure may remain in the Portuguese window"
    );
    assert_eq!(f.register(addr::ZERA_KWH), trigger, "nothing reached the meter");
}

/// A transport that never answers: the meter stays "connecting" and no
/// event ever arrives after the first.
struct Silent;

impl Connector for Silent {
    fn connect(&self, _address: String) -> BoxFuture<'static, Result<Box<dyn MeterLink>, LinkError>> {
        Box::pin(futures::future::pending())
    }

    fn reconnect(&self) -> BackoffPolicy {
        je08_client::modbus::RECONNECT
    }
}

#[test]
fn an_idle_window_stops_repainting() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let backend = Backend::start(rt.handle(), Arc::new(Silent), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, english());
    app.add_meter("127.0.0.1:9".into(), Source::Manual);
    let mut h = harness(app);
    let steps = h.run();
    assert!(steps < 10, "the UI should settle in a few frames, took {steps}");
    let frames = h.state().frames();
    let delay = h.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
    assert_eq!(
        delay,
        Duration::MAX,
        "no repaint may be scheduled while nothing changes"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(h.run(), 1, "a further wake-up settles in one frame");
    assert_eq!(h.state().frames(), frames + 1);
    drop(rt);
}

#[test]
fn every_page_draws_in_both_languages() {
    let mut f = with_meter(Scenario::ReversedCtB);
    for (tabs, mqtt, meters) in [
        (
            ["Live", "Parameters", "Configuration", "Firmware", "Diagnostics"],
            "MQTT broker",
            "Meters",
        ),
        (
            ["Ao vivo", "Parâmetros", "Configuração", "Firmware", "Diagnóstico"],
            "Broker MQTT",
            "Medidores",
        ),
    ] {
        for tab in tabs {
            f.click(tab);
        }
        f.harness.get_by_label_contains("ESP8266");
        f.click(mqtt);
        f.harness.get_all_by_label(meters).next().unwrap().click();
        f.frames(3);
        let english = meters == "Meters";
        f.click(if english { "Language" } else { "Idioma" });
        f.click(if english { "Português (Brasil)" } else { "English" });
    }
}

#[test]
fn a_picked_firmware_file_gets_a_validation_report() {
    use je08::backend::Command;
    use je08::state::intent::Action;
    use je08_protocol::firmware::{FirmwareVersion, ImageBuilder};
    let mut f = with_meter(Scenario::Balanced);
    let dir = std::env::temp_dir().join(format!("je08-ui-fw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.bin");
    let image = ImageBuilder::new()
        .version(FirmwareVersion::parse("3.01").unwrap())
        .segment(0x4010_0000, vec![0x55; 64])
        .build();
    std::fs::write(&good, &image).unwrap();
    let bad = dir.join("bad.bin");
    std::fs::write(&bad, [0u8; 100]).unwrap();
    f.click("Firmware");
    for (path, expect) in [
        (&good, "Valid image, version 3.01"),
        (&bad, "Invalid image (100 bytes)"),
    ] {
        f.harness.state_mut().view.firmware.picked(path.clone());
        f.harness
            .state_mut()
            .apply(Action::Send(Command::CheckFirmware { path: path.clone() }));
        f.step_until("the report", |app| app.view.firmware.report.is_some());
        f.harness.get_by_label_contains(expect);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_refused_broker_is_explained_in_portuguese() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, english());
    app.connect_broker(format!("mqtt://{closed}"));
    let mut f = Fixture {
        _rt: rt,
        meter: None,
        harness: harness(app),
    };
    f.click("Language");
    f.click("Português (Brasil)");
    f.click("Broker MQTT");
    f.step_until("the broker's refusal", |app| {
        app.view.mqtt.fleet.as_ref().is_some_and(|fl| fl.error.is_some())
    });
    f.harness.get_by_label(&format!(
        "conexão recusada por mqtt://{closed}: o broker está rodando e a porta está certa?"
    ));
    assert!(f.harness.query_by_label_contains("connection refused").is_none());
}

#[test]
fn the_mqtt_view_lists_the_broker_fleet_and_sends_commands() {
    use je08_net::mqtt_link::BrokerLogin;
    use je08_protocol::mqtt::BrokerUrl;
    use je08_sim::broker::start_embedded_broker;
    use je08_sim::mqtt::SimMqttOptions;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let broker = rt.block_on(start_embedded_broker(0)).unwrap();
    let url = BrokerUrl {
        tls: false,
        host: broker.ip().to_string(),
        port: broker.port(),
    };
    let mut mqtt = SimMqttOptions::new(BrokerLogin::anonymous(url.clone()));
    mqtt.interval = Duration::from_secs(1);
    let mut options = MeterOptions::scenario(2101, Scenario::Balanced);
    options.mqtt = Some(mqtt);
    let meter = rt.block_on(spawn_meter(options)).unwrap();
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, english());
    app.connect_broker(url.to_string());
    let mut f = Fixture {
        _rt: rt,
        meter: Some(meter),
        harness: harness(app),
    };
    f.click("MQTT broker");
    f.step_until("the meter on the broker", |app| {
        app.view
            .mqtt
            .fleet
            .as_ref()
            .is_some_and(|fl| fl.connected && fl.meters.iter().any(|m| m.latest.is_some()))
    });
    f.harness.get_by_label("Connected: 1 meters on this broker");
    f.harness.get_by_label("2101");
    // Seen through DATA only, the meter is asked who it is, once.
    f.step_until("the meter's INFO, asked by the window", |app| {
        let fleet = app.view.mqtt.fleet.as_ref();
        fleet.is_some_and(|fl| fl.meters.iter().any(|m| m.info.is_some()))
    });
    let meter = f.meter.as_ref().unwrap();
    let name = meter.device.with(|d| d.network.device_name.clone());
    assert!(
        f.harness.query_all_by_label_contains(&name).next().is_some(),
        "{name} not shown"
    );
    assert_eq!(meter.mqtt.stats().commands(), 1);
    f.click("Get INFO");
    f.step_until("the broker's acknowledgement", |app| {
        app.view.mqtt.jobs.values().any(|j| j.2.is_some())
    });
    let (_, command, outcome) = f.harness.state().view.mqtt.jobs.values().next().unwrap().clone();
    assert_eq!(command, je08_protocol::mqtt::Command::GetInfo);
    assert_eq!(outcome, Some(JobOutcome::Done(None)));
    f.click("Reset kWh");
    f.harness.get_by_label("Reset the kWh counters?");
    assert_eq!(
        f.harness.state().view.mqtt.jobs.len(),
        1,
        "a reset over MQTT asks first"
    );
}
