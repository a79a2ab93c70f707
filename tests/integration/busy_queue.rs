//! A full command queue strands nothing: a command the backend refuses
//! records no job (no spinner that never ends), marks no password stored,
//! and the window says "busy"; once the queue drains, trying again works.
//! And the MQTT view's PEM files are read off the dispatcher, so a file
//! that never finishes reading does not stall the other commands.

use std::sync::Arc;
use std::time::{Duration, Instant};

use je08::backend::link::EnergyKind;
use je08::backend::modbus_link::default_connector;
use je08::backend::web::WebJob;
use je08::backend::{Backend, COMMAND_QUEUE, Command, Event, JobId, MeterKey};
use je08::i18n::{Lang, Msg, Tr};
use je08::state::commission::Intent;
use je08::state::config_forms::PasswordText;
use je08::state::intent::{Action, Confirm};
use je08::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_net::mqtt_link::CredentialFiles;
use je08_protocol::mqtt::Command as MqttCommand;
use je08_protocol::readings::Settings;
use je08_sim::{MeterOptions, spawn_meter};

/// Generous deadline for waits.
const DEADLINE: Duration = Duration::from_secs(10);

/// Every way the window starts a job or a running state, tried once.
fn start_everything(app: &mut ConfiguratorApp, key: MeterKey) {
    let base = Settings::factory();
    let mut wanted = base;
    wanted.ct_ratio = 120;
    app.apply(Action::Write(key, base, wanted));
    app.apply(Action::Ask(Confirm::ResetEnergy(key, EnergyKind::ActiveKwh)));
    app.apply(Action::Confirmed);
    app.apply(Action::Ask(Confirm::RestoreDefaults(key)));
    app.apply(Action::Confirmed);
    app.apply(Action::Web(key, WebJob::Read));
    app.apply(Action::MqttSend("2201".into(), MqttCommand::ResetKwh));
    app.apply(Action::Commission(Intent::SampleCalibration(key)));
    app.view.discovery.range = "127.0.0.1/32".into();
    app.apply(Action::Scan);
    app.view.mqtt.form.url = "mqtt://127.0.0.1:1".into();
    app.view.mqtt.form.password = PasswordText("broker-password".into());
    app.apply(Action::ConnectBroker);
}

#[test]
fn a_full_command_queue_leaves_no_job_waiting_for_ever_and_says_busy() {
    // A runtime nobody drives: the dispatcher never takes a command until
    // the test lets it.
    let idle = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let backend = Backend::start(idle.handle(), default_connector(), Arc::new(|| {}));
    let mut app = ConfiguratorApp::new(backend, super::ui::english());
    let key = app.add_meter("127.0.0.1:9".into(), Source::Manual);
    for n in 1..COMMAND_QUEUE {
        app.apply(Action::Cancel(JobId(1_000_000 + n as u64)));
    }
    assert_eq!(app.view.notice, None, "the queue took {COMMAND_QUEUE} commands");
    let row = app.model.meter(key).unwrap().clone();
    let web = app.view.config.meter(&row);
    web.password = PasswordText("interface-password".into());
    web.remember = true;

    start_everything(&mut app, key);

    assert!(app.model.jobs.is_empty(), "stranded jobs: {:?}", app.model.jobs);
    assert!(!app.model.busy(key));
    assert!(!app.view.config.meters[&key].stored, "the password is not stored");
    assert!(app.view.mqtt.jobs.is_empty());
    assert!(
        app.view
            .commish
            .calibration
            .get(&key)
            .is_none_or(|c| c.running.is_none())
    );
    assert!(app.view.discovery.scan.is_none());
    assert!(!app.view.mqtt.active, "the MQTT view is not left connecting");
    let busy = Tr(Lang::En).t(Msg::Busy).to_owned();
    assert_eq!(app.view.notice.as_deref(), Some(busy.as_str()));
    assert!(
        busy.to_lowercase().contains("busy") && busy.contains("try again"),
        "{busy}"
    );
    let later = app.add_meter("127.0.0.1:10".into(), Source::Manual);
    assert!(!app.model.meter(later).unwrap().session, "no session was started");

    // The dispatcher takes the queued commands; trying again works.
    let deadline = Instant::now() + DEADLINE;
    while app.model.jobs.is_empty() {
        assert!(Instant::now() < deadline, "the queue never drained");
        idle.block_on(async { tokio::time::sleep(Duration::from_millis(20)).await });
        let base = Settings::factory();
        let mut wanted = base;
        wanted.ct_ratio = 120;
        app.apply(Action::Write(key, base, wanted));
    }
    app.apply(Action::Select(later));
    assert!(app.model.meter(later).unwrap().session, "selecting it connects");
}

/// A FIFO standing in for a PEM file on a stuck file system: its reader
/// waits until a writer comes. Dropped, it lets the reader finish (an empty
/// file) and removes itself, so that a failing test still ends.
#[cfg(unix)]
struct StuckFile {
    dir: std::path::PathBuf,
}

#[cfg(unix)]
impl StuckFile {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("je08-fifo-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join("ca.pem"))
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo");
        Self { dir }
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.join("ca.pem")
    }

    /// Open and close the writing end (read-write: never blocks).
    fn release(&self) {
        let end = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(self.path());
        drop(end);
    }
}

#[cfg(unix)]
impl Drop for StuckFile {
    fn drop(&mut self) {
        self.release();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(unix)]
#[test]
fn a_pem_file_that_never_finishes_reading_does_not_stall_the_backend() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(spawn_meter(MeterOptions::new(2202)))
        .expect("simulator starts");
    let stuck = StuckFile::new();
    let mut backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    // Opening a FIFO nobody writes blocks its reader until a writer comes.
    let credentials = CredentialFiles {
        ca: Some(stuck.path()),
        ..CredentialFiles::default()
    };
    backend
        .try_send(Command::MqttConnect {
            broker: "mqtts://127.0.0.1:1".parse().unwrap(),
            credentials,
        })
        .unwrap();
    let meter = MeterKey(1);
    backend
        .try_send(Command::Connect {
            meter,
            address: sim.modbus.to_string(),
        })
        .unwrap();
    let deadline = Instant::now() + DEADLINE;
    let mut read = false;
    while !read {
        assert!(
            Instant::now() < deadline,
            "no reading: the dispatcher is stuck reading the PEM file"
        );
        std::thread::sleep(Duration::from_millis(20));
        read = backend
            .drain()
            .iter()
            .any(|e| matches!(e, Event::Reading { meter: m, .. } if *m == meter));
    }

    // Let the reader finish: an empty CA file is refused, and said.
    stuck.release();
    let deadline = Instant::now() + DEADLINE;
    let mut failed = false;
    while !failed {
        assert!(Instant::now() < deadline, "the broker setup never reported");
        std::thread::sleep(Duration::from_millis(20));
        failed = backend.drain().iter().any(|e| matches!(e, Event::MqttFailed(_)));
    }
    rt.block_on(sim.shutdown());
}
