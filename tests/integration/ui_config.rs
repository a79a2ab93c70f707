//! Headless UI tests (egui_kittest) of the Configuration and Firmware tabs
//! against a simulated meter serving Modbus, its HTTP API and espota over
//! loopback: settings blocks saved whole and read back over HTTP, mode
//! switches asked first, firmware pushed with progress and its new version
//! confirmed. The simulator reboots in 300 ms to keep them fast.

use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use je08::backend::modbus_link::default_connector;
use je08::backend::web::{BlockKind, Cause, Stage, WebAction, WebFailure, WebOutcome};
use je08::backend::{Backend, Command, JobOutcome};
use je08::i18n::Lang;
use je08::state::intent::Action;
use je08::state::model::{Endpoints, JobKind, JobView, WebKind};
use je08::state::prefs::Prefs;
use je08::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_client::http::HttpError;
use je08_client::http::MeterHttp;
use je08_protocol::firmware::{FirmwareVersion, ImageBuilder};
use je08_protocol::http_api::{FACTORY_PASSWORD, Mode, Secret};
use je08_protocol::registers::addr;
use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};

/// What a finished HTTP job found, if it succeeded.
fn found(job: &JobView) -> Option<&WebOutcome> {
    match &job.outcome {
        Some(JobOutcome::Web(found)) => Some(found),
        _ => None,
    }
}

pub(super) struct Fixture {
    pub(super) rt: tokio::runtime::Runtime,
    pub(super) meter: SimMeter,
    pub(super) harness: Harness<'static, ConfiguratorApp>,
}

/// An app listing one simulated meter (HTTP and espota on free ports,
/// 300 ms reboots) started in `mode`, with its endpoints given explicitly.
pub(super) fn fixture(id: u32, mode: Mode) -> Fixture {
    fixture_with(id, mode, Duration::from_millis(300))
}

fn fixture_with(id: u32, mode: Mode, reboot: Duration) -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut options = MeterOptions::scenario(id, Scenario::Balanced);
    options.http_port = Some(0);
    options.ota_port = Some(0);
    options.device.reboot_delay = reboot;
    options.device.start_mode = mode;
    let meter = rt.block_on(spawn_meter(options)).unwrap();
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let prefs = Prefs {
        lang: Some(Lang::En),
        ..Prefs::default()
    };
    let mut app = ConfiguratorApp::new(backend, prefs);
    let key = app.add_meter(meter.modbus.to_string(), Source::Manual);
    app.model.meter_mut(key).unwrap().endpoints = Endpoints {
        http: meter.http.map(|a| a.to_string()),
        ota: meter.ota.map(|a| a.port()),
    };
    let harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 1400.0))
        .with_accessibility_check(false)
        .build_ui_state(|ui, app: &mut ConfiguratorApp| app.frame_ui(ui), app);
    Fixture { rt, meter, harness }
}

impl Fixture {
    pub(super) fn step_until(&mut self, what: &str, done: impl Fn(&ConfiguratorApp) -> bool) {
        super::kit::step_until(&mut self.harness, what, done);
    }

    pub(super) fn frames(&mut self, n: usize) {
        super::kit::frames(&mut self.harness, n);
    }

    pub(super) fn click(&mut self, label: &str) {
        super::kit::click(&mut self.harness, label);
    }

    pub(super) fn type_into(&mut self, label: &str, text: &str) {
        super::kit::type_into(&mut self.harness, label, text);
    }

    /// The newest job of `kind`, once finished.
    pub(super) fn finished(&mut self, kind: WebKind) -> JobView {
        self.step_until("the job to finish", |app| {
            app.model
                .jobs
                .values()
                .any(|j| j.kind == JobKind::Web(kind) && j.outcome.is_some())
        });
        let jobs = &self.harness.state().model.jobs;
        jobs.values()
            .rev()
            .find(|j| j.kind == JobKind::Web(kind))
            .unwrap()
            .clone()
    }

    fn jobs_of(&self, kind: WebKind) -> usize {
        let jobs = &self.harness.state().model.jobs;
        jobs.values().filter(|j| j.kind == JobKind::Web(kind)).count()
    }

    pub(super) fn idle(&mut self) {
        self.step_until("no job running", |app| {
            app.model.jobs.values().all(|j| j.outcome.is_some())
        });
    }

    /// A client reading the simulator over HTTP, as a second opinion.
    fn http(&self) -> MeterHttp {
        MeterHttp::from_host(
            &self.meter.http.unwrap().to_string(),
            Some(Secret::new(FACTORY_PASSWORD)),
        )
        .unwrap()
    }

    pub(super) fn mode(&self) -> Mode {
        self.meter.device.power_state().mode
    }

    /// Pick a firmware file as the file dialog would, and wait for its
    /// validation report.
    fn pick_firmware(&mut self, path: &std::path::Path) {
        self.harness.state_mut().view.firmware.picked(path.to_path_buf());
        self.harness
            .state_mut()
            .apply(Action::Send(Command::CheckFirmware {
                path: path.to_path_buf(),
            }));
        self.step_until("the report", |app| app.view.firmware.report.is_some());
    }

    /// Run frames until `n` jobs of `kind` have ended.
    fn until_ended(&mut self, kind: WebKind, n: usize) {
        self.step_until("the jobs to end", |app| {
            let jobs = app.model.jobs.values().filter(|j| j.kind == JobKind::Web(kind));
            jobs.clone().count() == n && jobs.clone().all(|j| j.outcome.is_some())
        });
    }

    /// The newest update succeeded with `version`, and the window says so.
    fn assert_flashed(&mut self, version: &str) -> JobView {
        let job = self.finished(WebKind::Flash);
        assert!(
            matches!(found(&job), Some(WebOutcome::Flashed(i)) if i.esp_version == version),
            "{:?}",
            job.outcome
        );
        self.harness
            .get_by_label(&format!("Done: the meter now runs firmware {version}."));
        job
    }

    /// Type the factory password into `password_field`, click `read_button`
    /// and wait for the settings blocks (labels in the window's language).
    /// Every read ends before this returns: the tab may have started one
    /// of its own (an empty field means the factory password), and a read
    /// landing later would replace what the test types next.
    fn read_blocks(&mut self, password_field: &str, read_button: &str) {
        self.type_into(password_field, FACTORY_PASSWORD);
        self.click(read_button);
        self.step_until("the blocks", |app| {
            let reading = app
                .model
                .jobs
                .values()
                .any(|j| j.kind == JobKind::Web(WebKind::Read) && j.outcome.is_none());
            !reading && app.view.config.meters.values().any(|m| m.forms.is_some())
        });
    }

    /// Click "Enter configuration mode" and confirm the question.
    pub(super) fn enter_configuration_mode(&mut self) {
        self.click("Enter configuration mode");
        self.harness
            .get_all_by_label("Enter configuration mode")
            .last()
            .unwrap()
            .click();
    }

    /// Click "Send firmware" and confirm the question.
    fn send_firmware(&mut self) {
        self.click("Send firmware");
        self.harness.get_by_label("Send this firmware?");
        self.harness
            .get_all_by_label("Send firmware")
            .last()
            .unwrap()
            .click();
    }
}

#[test]
fn a_ct_block_saved_in_the_configuration_tab_reaches_the_meter_and_an_invalid_one_changes_nothing() {
    let mut f = fixture(2201, Mode::Configuration);
    f.click("Configuration");
    f.idle();
    f.harness.get_by_label("The meter is in configuration mode.");
    // With the field empty the factory password goes: the blocks load.
    f.step_until("the blocks", |app| {
        app.view.config.meters.values().any(|m| m.forms.is_some())
    });
    f.read_blocks("Interface password", "Read from the meter");
    let before = f.rt.block_on(f.http().ct()).unwrap();
    assert_eq!(before.ratio, 100);
    assert_eq!(
        f.harness
            .get_by_label("CT ratio (N × 5 A : 5 A)")
            .value()
            .as_deref(),
        Some("100")
    );

    f.type_into("CT ratio (N × 5 A : 5 A)", "500");
    f.harness
        .get_by_label_contains("500 is out of range; allowed 20–400");
    let save = f.harness.get_by_label("Save");
    assert!(
        save.accesskit_node().is_disabled(),
        "Save must be disabled while a field is invalid"
    );
    save.click();
    f.frames(5);
    assert_eq!(f.jobs_of(WebKind::Save), 0, "nothing may be sent");
    assert_eq!(
        f.rt.block_on(f.http().ct()).unwrap(),
        before,
        "the meter is unchanged"
    );

    f.type_into("CT ratio (N × 5 A : 5 A)", "150");
    f.click("Invert phase B");
    f.click("Save");
    let job = f.finished(WebKind::Save);
    assert!(
        matches!(found(&job), Some(WebOutcome::Saved(_))),
        "{:?}",
        job.outcome
    );
    f.harness
        .get_by_label_contains("Saved on the meter and read back");
    let after = f.rt.block_on(f.http().ct()).unwrap();
    assert_eq!((after.ratio, after.invert), (150, [false, true, false]));
}

#[test]
fn a_refused_field_says_why_in_portuguese_and_nothing_is_sent() {
    let mut f = fixture(2206, Mode::Configuration);
    f.click("Language");
    f.click("Português (Brasil)");
    f.click("Configuração");
    f.idle();
    f.read_blocks("Senha da interface", "Ler do medidor");
    let before = f.rt.block_on(f.http().ct()).unwrap();
    f.type_into("Relação do TC (N × 5 A : 5 A)", "500");
    f.harness.get_by_label("500 está fora da faixa; permitido 20–400");
    f.click("Protocolos");
    f.type_into("Tópico de publicação", "je08/+/data");
    f.harness
        .get_by_label("um tópico de publicação não pode conter os curingas + ou #");
    assert!(
        f.harness.query_by_label_contains("out of range").is_none()
            && f.harness.query_by_label_contains("wildcards").is_none(),
        "no English reason may remain in the Portuguese window"
    );
    assert!(
        f.harness
            .query_all_by_label("Salvar")
            .all(|save| save.accesskit_node().is_disabled()),
        "no block with a refused field may be saved (connectivity is collapsed)"
    );
    f.frames(5);
    assert_eq!(f.jobs_of(WebKind::Save), 0, "nothing may be sent");
    assert_eq!(f.rt.block_on(f.http().ct()).unwrap(), before);
}

#[test]
fn a_wrong_interface_password_is_explained_in_portuguese_and_nothing_changes() {
    let mut f = fixture(2207, Mode::Configuration);
    f.click("Language");
    f.click("Português (Brasil)");
    f.click("Configuração");
    f.idle();
    f.read_blocks("Senha da interface", "Ler do medidor");
    let before = f.rt.block_on(f.http().ct()).unwrap();

    f.type_into("Senha da interface", "not-the-password");
    f.type_into("Relação do TC (N × 5 A : 5 A)", "150");
    f.click("Salvar");
    let job = f.finished(WebKind::Save);
    assert!(
        refused_password(&job, WebAction::Save(BlockKind::Ct)),
        "{:?}",
        job.outcome
    );
    let meter = f.meter.http.unwrap();
    f.harness.get_by_label(&format!(
        "A gravação do bloco de TC falhou: o medidor {meter} recusou a senha da interface. \
         Digite a senha correta (padrão de fábrica: {FACTORY_PASSWORD}) e tente novamente."
    ));
    assert!(
        f.harness
            .query_by_label_contains("refused the interface password")
            .is_none()
            && f.harness.query_by_label_contains("Saving the").is_none(),
        "no English job failure may remain in the Portuguese window"
    );
    assert_eq!(
        f.rt.block_on(f.http().ct()).unwrap(),
        before,
        "the meter is unchanged"
    );
}

#[test]
fn a_mode_switch_asks_first_then_the_meter_is_in_configuration_mode() {
    let mut f = fixture(2202, Mode::Application);
    f.step_until("the first reading", |app| app.model.meters[0].latest.is_some());
    f.click("Configuration");
    f.idle();
    f.harness.get_by_label("The meter is in application mode.");
    f.harness
        .get_by_label("The meter serves its settings and certificates in configuration mode only.");
    f.type_into("Interface password", FACTORY_PASSWORD);

    f.click("Enter configuration mode");
    f.harness.get_by_label("Reboot into configuration mode?");
    f.harness.get_by_label_contains("a few seconds offline");
    f.frames(5);
    assert_eq!(
        f.jobs_of(WebKind::SwitchMode),
        0,
        "nothing happens before the answer"
    );
    f.click("Cancel");
    assert!(
        f.harness
            .query_by_label("Reboot into configuration mode?")
            .is_none()
    );
    assert_eq!(f.mode(), Mode::Application, "cancel sends nothing");
    let boots = f.meter.device.power_state().boot_count;

    f.enter_configuration_mode();
    let job = f.finished(WebKind::SwitchMode);
    assert!(
        matches!(found(&job), Some(WebOutcome::Switched(i)) if i.mode == Mode::Configuration),
        "{:?}",
        job.outcome
    );
    assert!(f.meter.device.power_state().serving(Mode::Configuration));
    assert!(f.meter.device.power_state().boot_count > boots, "it rebooted");
    f.harness
        .get_by_label("Done: the meter answers in configuration mode.");
    f.harness.get_by_label("The meter is in configuration mode.");
    // The blocks load on their own once the meter is in configuration mode.
    f.step_until("the blocks", |app| {
        app.view.config.meters.values().any(|m| m.forms.is_some())
    });
    f.harness.get_by_label("CT ratio (N × 5 A : 5 A)");
}

fn image(version: &str) -> Vec<u8> {
    ImageBuilder::new()
        .version(FirmwareVersion::parse(version).unwrap())
        .segment(0x4010_0000, vec![0x5A; 96 * 1024])
        .build()
}

#[test]
fn firmware_is_pushed_with_progress_and_the_new_version_is_shown_and_a_bad_image_cannot_be_sent() {
    let data = journal_folder("flash");
    let mut f = fixture(2203, Mode::Application);
    let dir = std::env::temp_dir().join(format!("je08-ui-flash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.bin");
    std::fs::write(&bad, [0xE9u8; 100]).unwrap();
    let good = dir.join("good.bin");
    std::fs::write(&good, image("3.07")).unwrap();

    f.click("Firmware");
    f.idle();
    f.type_into("Interface password", FACTORY_PASSWORD);
    f.pick_firmware(&bad);
    f.harness.get_by_label_contains("Invalid image");
    f.harness
        .get_by_label("This image failed validation and cannot be sent.");
    let send = f.harness.get_by_label("Send firmware");
    assert!(send.accesskit_node().is_disabled(), "a bad image cannot be sent");
    send.click();
    f.frames(5);
    assert!(f.harness.query_by_label("Send this firmware?").is_none());
    assert_eq!(f.jobs_of(WebKind::Flash), 0);

    f.pick_firmware(&good);
    f.harness.get_by_label_contains("Valid image, version 3.07");
    f.click("Send firmware");
    f.harness.get_by_label("Send this firmware?");
    assert_eq!(f.jobs_of(WebKind::Flash), 0, "it asks first");
    f.harness
        .get_all_by_label("Send firmware")
        .last()
        .unwrap()
        .click();
    let mut stages = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        f.harness.step();
        let jobs = &f.harness.state().model.jobs;
        let job = jobs.values().find(|j| j.kind == JobKind::Web(WebKind::Flash));
        if let Some(stage) = job.and_then(|j| j.stage)
            && stages.last() != Some(&stage)
        {
            stages.push(stage);
        }
        if job.is_some_and(|j| j.outcome.is_some()) {
            break;
        }
        assert!(Instant::now() < deadline, "the update did not finish");
        std::thread::sleep(Duration::from_millis(5));
    }
    f.frames(3);
    let job = f.assert_flashed("3.07");
    assert_eq!(job.fraction, Some(1.0), "the upload reported its progress");
    assert!(
        stages.contains(&Stage::Rebooting(Mode::Update)) && stages.contains(&Stage::Confirming),
        "{stages:?}"
    );
    assert_eq!(
        f.meter.device.registers().get(addr::ESP_VERSION),
        FirmwareVersion::parse("3.07").unwrap().code()
    );
    assert_eq!(f.mode(), Mode::Application);
    // The window's push is journaled: its origin, the image's digest, done.
    let (pushes, _) = journaled(&data, "firmware");
    let push = pushes.last().expect("a firmware entry");
    assert_eq!(
        (&push["origin"], &push["outcome"]),
        (&serde_json::json!("window"), &serde_json::json!("done")),
        "{push}"
    );
    assert!(push.to_string().contains("3.07"), "the version after: {push}");
    std::fs::remove_dir_all(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&data);
}

/// A data folder of this test process for the activity journal. Call
/// before the fixture starts any thread.
fn journal_folder(tag: &str) -> std::path::PathBuf {
    let data = std::env::temp_dir().join(format!("je08-ui-{tag}-journal-{}", std::process::id()));
    // SAFETY: nextest runs each test in its own process, and no thread runs yet.
    unsafe {
        std::env::set_var("JE08_DATA_DIR", &data);
    }
    data
}

/// The journal's entries of `kind` in `data`, oldest first, and the file's text.
fn journaled(data: &std::path::Path, kind: &str) -> (Vec<serde_json::Value>, String) {
    let text = std::fs::read_to_string(data.join("journal").join("journal.jsonl")).unwrap_or_default();
    let entries = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["kind"] == kind)
        .collect();
    (entries, text)
}

/// Run frames until the Flash job has reached `stage` (or ended).
fn until_stage(f: &mut Fixture, stage: Stage) {
    f.step_until("the stage", |app| {
        app.model.jobs.values().any(|j| {
            j.kind == JobKind::Web(WebKind::Flash) && (j.stage == Some(stage) || j.outcome.is_some())
        })
    });
}

#[test]
fn a_cancelled_update_leaves_the_meter_in_update_mode_and_it_can_be_flashed_again() {
    let mut f = fixture_with(2204, Mode::Application, Duration::from_millis(1500));
    let dir = std::env::temp_dir().join(format!("je08-ui-cancel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.bin");
    std::fs::write(&good, image("3.08")).unwrap();
    f.click("Firmware");
    f.idle();
    f.type_into("Interface password", FACTORY_PASSWORD);
    f.pick_firmware(&good);
    let before = f.meter.device.registers().get(addr::ESP_VERSION);

    f.send_firmware();
    until_stage(&mut f, Stage::Rebooting(Mode::Update));
    f.click("Cancel");
    let job = f.finished(WebKind::Flash);
    assert_eq!(job.outcome, Some(JobOutcome::Cancelled));
    f.harness
        .get_by_label_contains("Cancelled: the meter stays in update mode");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f.meter.device.power_state().serving(Mode::Update) {
        assert!(
            Instant::now() < deadline,
            "the meter should end up in update mode"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(f.meter.device.registers().get(addr::ESP_VERSION), before);

    f.frames(3);
    let send = f.harness.get_by_label("Send firmware");
    assert!(!send.accesskit_node().is_disabled(), "it can be sent again");
    f.send_firmware();
    f.until_ended(WebKind::Flash, 2);
    f.assert_flashed("3.08");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn certificates_upload_only_after_the_pre_flight_passes_and_the_slots_are_shown() {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let data = journal_folder("certs");
    let mut f = fixture(2205, Mode::Configuration);
    let dir = std::env::temp_dir().join(format!("je08-ui-certs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, "test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_pem = params.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert_pem = CertificateParams::new(vec!["meter".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap()
        .pem();
    let (ca, cert, key_file, junk) = (
        dir.join("ca.pem"),
        dir.join("client.pem"),
        dir.join("client.key"),
        dir.join("junk.pem"),
    );
    std::fs::write(&ca, &ca_pem).unwrap();
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    std::fs::write(&junk, "not a certificate").unwrap();

    f.click("Configuration");
    f.idle();
    f.type_into("Interface password", FACTORY_PASSWORD);
    f.click("Read from the meter");
    f.step_until("the slots", |app| {
        app.view.config.meters.values().any(|m| m.certs.is_some())
    });
    let preflight = |f: &mut Fixture, ca: &std::path::Path| {
        let config = &mut f.harness.state_mut().view.config;
        config.ca = Some(ca.to_owned());
        config.client_cert = Some(cert.clone());
        config.client_key = Some(key_file.clone());
        config.report = None;
        let check = config.check_command().unwrap();
        f.harness.state_mut().apply(Action::Send(check));
        f.step_until("the pre-flight", |app| app.view.config.report.is_some());
    };

    preflight(&mut f, &junk);
    let upload = f.harness.get_by_label("Upload to the meter");
    assert!(
        upload.accesskit_node().is_disabled(),
        "a failed pre-flight blocks the upload"
    );
    upload.click();
    f.frames(5);
    assert_eq!(f.jobs_of(WebKind::UploadCerts), 0);
    f.harness.get_by_label(&format!(
        "{} contains no PEM section (no -----BEGIN line).",
        junk.display()
    ));

    f.click("Language");
    f.click("Português (Brasil)");
    f.idle();
    f.harness.get_by_label(&format!(
        "{} não contém nenhuma seção PEM (nenhuma linha -----BEGIN).",
        junk.display()
    ));
    assert!(
        f.harness.query_by_label_contains("no PEM section").is_none(),
        "no English problem may remain in the Portuguese window"
    );
    f.click("Idioma");
    f.click("English");
    f.idle();

    preflight(&mut f, &ca);
    f.harness.get_by_label_contains("Pre-flight passed");
    f.click("Upload to the meter");
    let job = f.finished(WebKind::UploadCerts);
    assert!(
        matches!(found(&job), Some(WebOutcome::Certs(_))),
        "{:?}",
        job.outcome
    );
    let status = f.rt.block_on(f.http().cert_status()).unwrap();
    assert_eq!(
        (status.ca.bytes, status.client_cert.bytes, status.client_key.bytes),
        (ca_pem.len(), cert_pem.len(), key.serialize_pem().len())
    );
    f.harness.get_by_label_contains(&format!(
        "On the meter: CA certificate: loaded ({} bytes)",
        ca_pem.len()
    ));
    // Each slot is journaled from the window; the key only as changed.
    let (slots, text) = journaled(&data, "certificate");
    assert_eq!(slots.len(), 3, "{text}");
    assert!(
        slots
            .iter()
            .all(|e| e["origin"] == "window" && e["outcome"] == "done"),
        "{text}"
    );
    assert!(text.contains("sha256"), "fingerprints recorded: {text}");
    assert!(
        !text.contains("PRIVATE KEY") && !text.contains(&key.serialize_pem()[40..80]),
        "a key in the journal"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn firmware_goes_over_espota_when_chosen_and_a_failed_push_can_be_repeated() {
    let mut f = fixture(2207, Mode::Application);
    let dir = std::env::temp_dir().join(format!("je08-ui-espota-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.bin");
    std::fs::write(&good, image("3.09")).unwrap();
    // First a port where nothing answers: only an espota push can fail on
    // it (an HTTP upload never uses it), which proves espota is the path.
    let espota = f.meter.ota.unwrap().port();
    let closed = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    f.harness.state_mut().model.meters[0].endpoints.ota = Some(closed);
    f.click("Firmware");
    f.idle();
    f.type_into("Interface password", FACTORY_PASSWORD);
    f.pick_firmware(&good);
    f.click("espota (UDP)");
    f.send_firmware();
    let job = f.finished(WebKind::Flash);
    assert!(
        matches!(
            &job.outcome,
            Some(JobOutcome::WebFailed(why)) if matches!(**why, WebFailure::Step {
                action: WebAction::UpdateFirmware,
                cause: Cause::Ota(_),
                ..
            }) && why.to_string().contains("update mode")
        ),
        "{:?}",
        job.outcome
    );
    assert_eq!(
        f.mode(),
        Mode::Update,
        "a failed push leaves the meter in update mode"
    );

    f.harness.state_mut().model.meters[0].endpoints.ota = Some(espota);
    f.frames(3);
    f.send_firmware();
    f.until_ended(WebKind::Flash, 2);
    let job = f.assert_flashed("3.09");
    assert_eq!(job.fraction, Some(1.0), "the espota upload reported its progress");
    assert_eq!(f.mode(), Mode::Application);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_protocols_and_connectivity_blocks_are_saved_whole_and_passwords_only_when_typed() {
    let data = std::env::temp_dir().join(format!("je08-ui-blocks-{}", std::process::id()));
    // SAFETY: nextest runs each test in its own process, and this runs
    // before the test starts any thread.
    unsafe {
        std::env::set_var("JE08_DATA_DIR", &data);
    }
    let mut f = fixture(2208, Mode::Configuration);
    f.click("Configuration");
    f.idle();
    f.read_blocks("Interface password", "Read from the meter");
    let wifi_before = f.meter.device.with(|d| d.network_saved.password.clone());

    f.click("Protocols");
    f.click("MQTT client");
    f.type_into("Broker host", "broker.plant.local");
    f.type_into("Publish every (s)", "15");
    // Connectivity is collapsed: the first Save is the protocols block's.
    f.harness.get_all_by_label("Save").next().unwrap().click();
    f.finished(WebKind::Save);
    f.harness
        .get_by_label_contains("Saved on the meter and read back");
    let protocols = f.rt.block_on(f.http().protocols()).unwrap();
    assert!(protocols.mqtt.enabled);
    assert_eq!(protocols.mqtt.host, "broker.plant.local");
    assert_eq!(protocols.mqtt.interval_s, 15);

    f.click("Protocols");
    f.click("Connectivity");
    f.type_into("Device name", "Painel 3");
    f.harness.get_all_by_label("Save").next().unwrap().click();
    f.until_ended(WebKind::Save, 2);
    let connectivity = f.rt.block_on(f.http().connectivity()).unwrap();
    assert_eq!(connectivity.device_name, "Painel 3");
    assert_eq!(
        f.meter.device.with(|d| d.network_saved.password.clone()),
        wifi_before,
        "an empty password field keeps the meter's Wi-Fi password"
    );

    f.type_into("Wi-Fi password", "correct horse battery");
    f.harness.get_all_by_label("Save").next().unwrap().click();
    f.until_ended(WebKind::Save, 3);
    let stored = f.meter.device.with(|d| d.network_saved.password.clone());
    assert_eq!(stored.as_ref().map(Secret::expose), Some("correct horse battery"));

    // Each save is journaled with its meter and the fields as found, asked
    // and read back; the Wi-Fi password only as changed.
    let journal = je08_client::journal::Journal::at(data.join("journal"));
    let saves = journal
        .read(&je08_client::journal::Query {
            kinds: vec![je08_client::journal::Kind::Config],
            ..Default::default()
        })
        .expect("the journal reads")
        .entries;
    assert_eq!(saves.len(), 3, "{saves:#?}");
    assert!(saves.iter().all(|e| e.device_id == Some(2208)), "{saves:#?}");
    let named = saves[1]
        .changes
        .iter()
        .find(|c| c.field == "connectivity.device_name")
        .expect("the name's change");
    assert_ne!(named.before, named.confirmed, "the name as found: {named:?}");
    assert_eq!(named.confirmed.as_deref(), Some("\"Painel 3\""));
    let host = saves[2]
        .changes
        .iter()
        .find(|c| c.field == "protocols.mqtt.host")
        .expect("the broker host's change");
    assert!(host.before.is_some(), "{host:?}");
    let wifi = saves[0]
        .changes
        .iter()
        .find(|c| c.field == "connectivity.password")
        .expect("the Wi-Fi password's change");
    assert_eq!(wifi.asked.as_deref(), Some("(changed)"));
    let text = format!("{saves:?}");
    assert!(
        !text.contains("correct horse battery"),
        "no secret in the journal"
    );
    let _ = std::fs::remove_dir_all(&data);
}

/// No keychain: the Secret Service is looked for on a bus that does not
/// exist (so a developer's real keychain is never touched).
#[cfg(target_os = "linux")]
#[test]
fn without_a_keychain_the_window_says_so_and_uses_the_password_for_this_session() {
    // SAFETY: nextest runs each test in its own process, and this runs
    // before the test starts any thread.
    unsafe {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/je08-bus");
    }
    let mut f = fixture(2209, Mode::Configuration);
    f.click("Configuration");
    f.idle();
    f.type_into("Interface password", FACTORY_PASSWORD);
    f.click("Remember the password in the system keychain");
    f.click("Read from the meter");
    f.step_until("the blocks", |app| {
        app.view.config.meters.values().any(|m| m.forms.is_some())
    });
    f.step_until("the keychain's answer", |app| {
        app.view.config.meters.values().any(|m| m.storage.is_some())
    });
    f.harness
        .get_by_label("No system keychain available: the password is kept for this session only");
    assert!(
        f.harness
            .query_by_label("Password stored in the system keychain.")
            .is_none()
    );
}

/// True when `job` failed at `action` because the meter refused the
/// interface password.
pub(super) fn refused_password(job: &JobView, action: WebAction) -> bool {
    matches!(
        &job.outcome,
        Some(JobOutcome::WebFailed(why)) if matches!(**why, WebFailure::Step {
            action: a,
            cause: Cause::Http(HttpError::Unauthorized { .. }),
            ..
        } if a == action)
    )
}
