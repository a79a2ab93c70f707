//! The tokio side of the configurator: one task per meter session, commands
//! in on a bounded channel, events out on a channel the UI drains at the top
//! of each frame. The UI never touches a socket.

pub mod commissioning;
pub mod discovery;
pub mod exports;
pub mod history;
pub mod identity;
pub mod journal_search;
pub mod link;
pub mod modbus_link;
pub mod mqtt_view;
pub mod provisioning;
mod remember;
pub mod secrets;
mod session;
pub mod support;
pub mod web;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::i18n::{Describe, Msg, Tr};
use je08_protocol::readings::{Settings, Snapshot};
use link::{Connector, EnergyKind, FieldOutcome};

/// Depth of the command channel; a full channel makes the UI say "busy".
pub const COMMAND_QUEUE: usize = 64;

/// A meter known to this session of the app (not the device id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MeterKey(pub u64);

/// A long action the user can watch and cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// What a picked file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilePurpose {
    /// A firmware image.
    Firmware,
    /// The CA certificate (PEM).
    CaCert,
    /// The client certificate (PEM).
    ClientCert,
    /// The client private key (PEM).
    ClientKey,
    /// The broker's CA certificate (MQTT view).
    BrokerCa,
    /// The configurator's client certificate for the broker.
    BrokerCert,
    /// The configurator's client key for the broker.
    BrokerKey,
}

/// A request from the UI.
#[derive(Debug)]
pub enum Command {
    /// Start a session with the meter at `address` (`host` or `host:port`).
    Connect {
        /// The UI's key for this meter.
        meter: MeterKey,
        /// Modbus TCP address.
        address: String,
    },
    /// Stop the session and forget the meter.
    Disconnect {
        /// The meter.
        meter: MeterKey,
    },
    /// Validate, write, SAVE_PARAMS, read back and compare.
    WriteSettings {
        /// The meter.
        meter: MeterKey,
        /// Job to report on.
        job: JobId,
        /// The settings the change was planned from (the form's reading).
        base: Settings,
        /// The complete wanted settings.
        settings: Settings,
    },
    /// Trigger DEFAULT_PARAMS and read the settings back.
    RestoreDefaults {
        /// The meter.
        meter: MeterKey,
        /// Job to report on.
        job: JobId,
    },
    /// Zero an energy accumulator.
    ResetEnergy {
        /// The meter.
        meter: MeterKey,
        /// Job to report on.
        job: JobId,
        /// kWh or kVArh.
        kind: EnergyKind,
    },
    /// Open a native file dialog.
    PickFile {
        /// What the file is for.
        purpose: FilePurpose,
    },
    /// Save a secret in the OS keychain (`remember`) or for this session only.
    StoreSecret {
        /// Keychain account, e.g. `broker:mqtt://host:1883`.
        account: String,
        /// The secret.
        secret: je08_protocol::http_api::Secret,
        /// Also keep it in the OS keychain.
        remember: bool,
    },
    /// Look a secret up (session first, then the keychain).
    LoadSecret {
        /// Keychain account.
        account: String,
    },
    /// Connect to an MQTT broker (replacing any current connection).
    MqttConnect {
        /// The broker.
        broker: je08_protocol::mqtt::BrokerUrl,
        /// How to log in, PEM files not read yet.
        credentials: je08_net::mqtt_link::CredentialFiles,
    },
    /// Close the broker connection.
    MqttDisconnect,
    /// Publish a command to a meter through the broker.
    MqttSend {
        /// Job to report on.
        job: JobId,
        /// Meter id on the broker.
        id: String,
        /// The command.
        command: je08_protocol::mqtt::Command,
    },
    /// Read and validate a firmware image (never sent anywhere).
    CheckFirmware {
        /// The image file.
        path: PathBuf,
    },
    /// Pre-flight certificate files before an upload.
    CheckCerts {
        /// CA certificate.
        ca: PathBuf,
        /// Client certificate and key, when both are chosen.
        identity: Option<(PathBuf, PathBuf)>,
    },
    /// A commissioning job or dialog (wiring, calibration, recording, batch).
    Commissioning(commissioning::Request),
    /// Find meters: mDNS browsing, range scans, `/api/info` probes.
    Discovery(discovery::Request),
    /// Set up new meters: look for one on its access point, take it onto
    /// the plant network, save the batch table.
    Provision(provisioning::Request),
    /// Read a meter's activity journal.
    History(history::Request),
    /// Read a page of the activity journal for all meters (Journal page).
    Journal(je08_client::journal::Query),
    /// Help menu work: the diagnostics zip, the log folder.
    Support(support::Request),
    /// Save a table or a picture the window shows (dialog, then file).
    Export(exports::Request),
    /// Work on a meter's HTTP API or espota (configuration, modes,
    /// certificates, firmware); runs beside the Modbus session.
    Web {
        /// Job to report on.
        job: JobId,
        /// Where the meter answers, with its interface password.
        target: web::WebTarget,
        /// What to do.
        work: web::WebJob,
    },
    /// Save a meter's name and notes in the remembered-meters file (the
    /// file is read again first: other programs write it too), or forget
    /// the meter there.
    Remember {
        /// The file.
        path: PathBuf,
        /// Device id.
        id: u32,
        /// Name given by the user (empty: none) and notes; `None`: forget
        /// the meter.
        details: Option<(String, String)>,
    },
    /// Cancel a running job.
    Cancel {
        /// The job.
        job: JobId,
    },
}

/// State of the connection to one meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Opening the connection.
    Connecting,
    /// Polling normally.
    Online,
    /// Unreachable; why, for the window to say in its language. Retried
    /// with backoff.
    Offline(link::LinkError),
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    /// Settings write: one line per register.
    Written(Vec<FieldOutcome>),
    /// Finished; the settings read back afterwards when known.
    Done(Option<Settings>),
    /// A job outside a meter session failed (an MQTT command, a scan).
    Failed(JobFailure),
    /// A meter session's job (write, defaults, energy reset) failed; why,
    /// for the window to say in its language.
    LinkFailed(link::LinkError),
    /// Cancelled by the user.
    Cancelled,
    /// A commissioning job's result.
    Commissioning(Box<commissioning::CommResult>),
    /// An HTTP job finished; what it found.
    Web(Box<web::WebOutcome>),
    /// An HTTP job failed; why, for the window to say in its language.
    WebFailed(Box<web::WebFailure>),
    /// A commissioning job failed; why, for the window to say in its
    /// language.
    CommFailed(Box<commissioning::CommFailure>),
}

/// Why a job outside a meter session failed.
#[derive(Debug, Clone, PartialEq)]
pub enum JobFailure {
    /// No broker connection to send an MQTT command through.
    NoBroker,
    /// The broker did not take the command.
    MqttSend(je08_client::mqtt::SendError),
    /// Discovery stopped while a scan was running.
    DiscoveryStopped,
}

impl Describe for JobFailure {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::NoBroker => tr.t(Msg::JobNoBroker).to_owned(),
            Self::MqttSend(err) => err.describe(tr),
            Self::DiscoveryStopped => tr.t(Msg::JobDiscoveryStopped).to_owned(),
        }
    }
}

je08_protocol::english_display!(errors: FileError);
je08_protocol::english_display!(JobFailure);

/// Something that happened on the runtime side.
#[derive(Debug, Clone)]
pub enum Event {
    /// The connection state changed.
    Link {
        /// The meter.
        meter: MeterKey,
        /// New state.
        state: LinkState,
    },
    /// A fresh reading.
    Reading {
        /// The meter.
        meter: MeterKey,
        /// What was read.
        snapshot: Arc<Snapshot>,
        /// When.
        at: SystemTime,
    },
    /// The raw registers of the last reading (the registers view).
    Registers {
        /// The meter.
        meter: MeterKey,
        /// All 110 registers as read.
        block: Arc<je08_protocol::codec::RegisterBlock>,
    },
    /// Where a meter's session records its Modbus exchanges.
    Traffic {
        /// The meter.
        meter: MeterKey,
        /// The log, shared with the session.
        log: Arc<je08_client::modbus::traffic::TrafficLog>,
    },
    /// A job made progress (fraction 0–1 when known).
    Progress {
        /// The job.
        job: JobId,
        /// Done so far.
        fraction: Option<f32>,
    },
    /// An HTTP job reached a new stage.
    Stage {
        /// The job.
        job: JobId,
        /// What it does now.
        stage: web::Stage,
    },
    /// A job ended.
    Finished {
        /// The job.
        job: JobId,
        /// How.
        outcome: JobOutcome,
    },
    /// A file dialog closed.
    FilePicked {
        /// What for.
        purpose: FilePurpose,
        /// The file, or `None` when the dialog was dismissed.
        path: Option<PathBuf>,
    },
    /// A firmware image was validated.
    FirmwareChecked {
        /// The file.
        path: PathBuf,
        /// The report, or why the file could not be read.
        report: Result<je08_protocol::firmware::FirmwareReport, FileError>,
    },
    /// Certificate files were pre-flighted (or one could not be read).
    CertsChecked(Result<je08_net::certs::Report, je08_net::certs::Problem>),
    /// The broker's fleet changed (or the connection did).
    Mqtt(mqtt_view::FleetUpdate),
    /// The broker connection could not be started, and why.
    MqttFailed(je08_net::mqtt_link::SetupError),
    /// A commissioning dialog closed or a recording moved on.
    Commissioning(commissioning::Update),
    /// Discovery found or lost meters, or made progress.
    Discovery(discovery::Update),
    /// A "Set up new meters" job moved on.
    Provision(provisioning::Update),
    /// A meter's journal entries were read.
    History(history::Update),
    /// A page of the activity journal was read for the Journal page, or why not.
    Journal(Result<journal_search::Found, String>),
    /// The diagnostics zip was saved (or not), or the log folder not shown.
    Support(support::Update),
    /// An export's dialog closed, or its file was written.
    Export(exports::Update),
    /// A name or notes could not be saved in the remembered-meters file.
    RememberFailed(Arc<je08_client::store::meters::StoreError>),
    /// Result of a secret lookup or store.
    Secret {
        /// Keychain account.
        account: String,
        /// The secret, when found.
        secret: Option<je08_protocol::http_api::Secret>,
        /// Where it lives now.
        storage: secrets::Storage,
    },
}

/// Wakes the UI whenever an event is sent.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Sends events and wakes the UI for each one.
#[derive(Clone)]
pub struct EventSink {
    tx: mpsc::UnboundedSender<Event>,
    wake: Waker,
}

impl EventSink {
    /// Send one event and request a repaint; a closed UI is ignored.
    pub fn send(&self, event: Event) {
        if self.tx.send(event).is_ok() {
            (self.wake)();
        }
    }
}

/// Error of [`Backend::try_send`]: the runtime is busy, try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the background runtime is busy; try again")]
pub struct Busy;

/// A place taken in the command queue ([`Backend::reserve`]); dropped
/// unused, it is given back.
pub struct Slot(mpsc::OwnedPermit<Command>);

impl Slot {
    /// Queue `command` in this place (cannot fail: the place is taken).
    pub fn send(self, command: Command) {
        self.0.send(command);
    }
}

/// The UI's handle on the runtime side.
pub struct Backend {
    commands: mpsc::Sender<Command>,
    events: mpsc::UnboundedReceiver<Event>,
}

impl Backend {
    /// Start the dispatcher on `runtime`; `wake` is called for every event.
    pub fn start(runtime: &Handle, connector: Arc<dyn Connector>, wake: Waker) -> Self {
        let (commands, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let (event_tx, events) = mpsc::unbounded_channel();
        let sink = EventSink { tx: event_tx, wake };
        runtime.spawn(dispatch(command_rx, sink, connector));
        Self { commands, events }
    }

    /// Queue a command without blocking.
    pub fn try_send(&self, command: Command) -> Result<(), Busy> {
        self.commands.try_send(command).map_err(|_| Busy)
    }

    /// Take a place in the command queue without blocking, before the
    /// window records what the command starts (a job, a running state):
    /// what it records is then always something the backend received.
    pub fn reserve(&self) -> Result<Slot, Busy> {
        self.commands
            .clone()
            .try_reserve_owned()
            .map(Slot)
            .map_err(|_| Busy)
    }

    /// Take every event that arrived since the last call.
    pub fn drain(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            out.push(event);
        }
        out
    }
}

/// Routes commands to per-meter sessions and runs app-level jobs.
async fn dispatch(mut rx: mpsc::Receiver<Command>, sink: EventSink, connector: Arc<dyn Connector>) {
    let mut sessions: HashMap<MeterKey, session::SessionHandle> = HashMap::new();
    let mut jobs: HashMap<JobId, CancellationToken> = HashMap::new();
    let secrets = Arc::new(secrets::SecretStore::default());
    let mut mqtt: Option<mqtt_view::MqttSession> = None;
    let discovery = discovery::Discovery::start(sink.clone());
    // Broker logins read off this task, numbered so that only the latest
    // connect request's is used.
    let (loaded_tx, mut loaded_rx) = mpsc::unbounded_channel();
    let mut mqtt_attempt: u64 = 0;
    loop {
        let command = tokio::select! {
            command = rx.recv() => match command {
                Some(command) => command,
                None => break,
            },
            Some((attempt, loaded)) = loaded_rx.recv() => {
                if attempt == mqtt_attempt {
                    mqtt = start_mqtt(loaded, &sink, &discovery);
                }
                continue;
            }
        };
        jobs.retain(|_, token| !token.is_cancelled());
        match command {
            Command::Connect { meter, address } => {
                if let Some(old) = sessions.remove(&meter) {
                    old.stop();
                }
                let handle = session::spawn(meter, address, connector.clone(), sink.clone());
                sessions.insert(meter, handle);
            }
            Command::Disconnect { meter } => {
                if let Some(old) = sessions.remove(&meter) {
                    old.stop();
                }
            }
            Command::WriteSettings {
                meter,
                job,
                base,
                settings,
            } => {
                let token = CancellationToken::new();
                jobs.insert(job, token.clone());
                let work = session::Job::Write {
                    base,
                    wanted: settings,
                };
                route(&sessions, &sink, meter, job, work, token);
            }
            Command::RestoreDefaults { meter, job } => {
                let token = CancellationToken::new();
                jobs.insert(job, token.clone());
                route(&sessions, &sink, meter, job, session::Job::Defaults, token);
            }
            Command::ResetEnergy { meter, job, kind } => {
                let token = CancellationToken::new();
                jobs.insert(job, token.clone());
                route(
                    &sessions,
                    &sink,
                    meter,
                    job,
                    session::Job::ResetEnergy(kind),
                    token,
                );
            }
            Command::MqttConnect { broker, credentials } => {
                mqtt = None;
                mqtt_attempt += 1;
                let (attempt, loaded) = (mqtt_attempt, loaded_tx.clone());
                tokio::task::spawn_blocking(move || {
                    let _ = loaded.send((attempt, mqtt_view::options(broker, &credentials)));
                });
            }
            Command::MqttDisconnect => {
                mqtt = None;
                mqtt_attempt += 1;
            }
            Command::MqttSend { job, id, command } => {
                let token = CancellationToken::new();
                jobs.insert(job, token.clone());
                match &mqtt {
                    Some(session) => session.send(job, id, command, token, sink.clone()),
                    None => sink.send(Event::Finished {
                        job,
                        outcome: JobOutcome::Failed(JobFailure::NoBroker),
                    }),
                }
            }
            Command::CheckFirmware { path } => {
                let sink = sink.clone();
                tokio::task::spawn_blocking(move || {
                    let report =
                        read_limited(&path, 4 << 20).map(|bytes| je08_protocol::firmware::validate(&bytes));
                    sink.send(Event::FirmwareChecked { path, report });
                });
            }
            Command::CheckCerts { ca, identity } => {
                let sink = sink.clone();
                tokio::task::spawn_blocking(move || {
                    sink.send(Event::CertsChecked(check_certs(&ca, identity.as_ref())))
                });
            }
            Command::Commissioning(request) => {
                let token = CancellationToken::new();
                if let Some(job) = request.job() {
                    jobs.insert(job, token.clone());
                }
                commissioning::start(request, sink.clone(), token);
            }
            Command::Discovery(request) => {
                let token = CancellationToken::new();
                if let Some(job) = request.job() {
                    jobs.insert(job, token.clone());
                }
                discovery.handle(request, token);
            }
            Command::History(request) => history::start(request, sink.clone()),
            Command::Journal(query) => journal_search::start(query, sink.clone()),
            Command::Support(request) => support::start(request, sink.clone()),
            Command::Export(request) => exports::start(request, sink.clone()),
            Command::Provision(request) => {
                let token = CancellationToken::new();
                if let Some(job) = request.job() {
                    jobs.insert(job, token.clone());
                }
                provisioning::start(request, sink.clone(), token);
            }
            Command::Web { job, target, work } => {
                let token = CancellationToken::new();
                jobs.insert(job, token.clone());
                web::spawn(job, target, work, token, sink.clone());
            }
            Command::Remember { path, id, details } => {
                let sink = sink.clone();
                tokio::task::spawn_blocking(move || {
                    let details = details
                        .as_ref()
                        .map(|(name, notes)| (name.as_str(), notes.as_str()));
                    if let Err(why) = remember::save(path, id, details) {
                        sink.send(Event::RememberFailed(Arc::new(why)));
                    }
                });
            }
            Command::Cancel { job } => {
                if let Some(token) = jobs.remove(&job) {
                    token.cancel();
                }
            }
            Command::PickFile { purpose } => {
                let sink = sink.clone();
                tokio::task::spawn_blocking(move || {
                    let dialog = rfd::FileDialog::new();
                    let dialog = match purpose {
                        FilePurpose::Firmware => dialog.add_filter("firmware", &["bin"]),
                        _ => dialog.add_filter("PEM", &["pem", "crt", "key"]),
                    };
                    let path = dialog.add_filter("*", &["*"]).pick_file();
                    sink.send(Event::FilePicked { purpose, path });
                });
            }
            Command::StoreSecret {
                account,
                secret,
                remember,
            } => {
                let (sink, secrets) = (sink.clone(), secrets.clone());
                tokio::task::spawn_blocking(move || {
                    let storage = secrets.store(&account, secret.expose(), remember);
                    sink.send(Event::Secret {
                        account,
                        secret: None,
                        storage,
                    });
                });
            }
            Command::LoadSecret { account } => {
                let (sink, secrets) = (sink.clone(), secrets.clone());
                tokio::task::spawn_blocking(move || {
                    let (secret, storage) = secrets.load(&account);
                    sink.send(Event::Secret {
                        account,
                        secret: secret.map(je08_protocol::http_api::Secret::new),
                        storage,
                    });
                });
            }
        }
    }
    for (_, session) in sessions {
        session.stop();
    }
}

/// The broker session for a login read off the dispatcher, or `None`
/// with the window told why not.
fn start_mqtt(
    loaded: Result<je08_client::mqtt::MonitorOptions, je08_net::mqtt_link::SetupError>,
    sink: &EventSink,
    discovery: &discovery::Discovery,
) -> Option<mqtt_view::MqttSession> {
    match loaded {
        Ok(options) => {
            let session = mqtt_view::MqttSession::start(options, sink.clone());
            session.forward_sightings(discovery.sightings());
            Some(session)
        }
        Err(why) => {
            sink.send(Event::MqttFailed(why));
            None
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// The operating system could not read it.
    Unreadable {
        /// The file.
        file: String,
        /// What the operating system said.
        detail: String,
    },
    /// It is far larger than any file of its kind.
    TooLarge {
        /// The file.
        file: String,
        /// Its size in bytes.
        size: u64,
    },
}

impl Describe for FileError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Unreadable { file, detail } => tr.f(Msg::Unreadable, &[file, detail]),
            Self::TooLarge { file, size } => tr.f(Msg::ImageTooLarge, &[file, &size.to_string()]),
        }
    }
}

/// Read a firmware image of at most `limit` bytes.
fn read_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let file = path.display().to_string();
    let unreadable = |e: std::io::Error| FileError::Unreadable {
        file: file.clone(),
        detail: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.len() > limit {
        return Err(FileError::TooLarge {
            file: file.clone(),
            size: meta.len(),
        });
    }
    std::fs::read(path).map_err(unreadable)
}

fn check_certs(
    ca: &std::path::Path,
    identity: Option<&(PathBuf, PathBuf)>,
) -> Result<je08_net::certs::Report, je08_net::certs::Problem> {
    use je08_net::certs::PemFile;
    let ca = PemFile::read(ca)?;
    let identity = match identity {
        Some((cert, key)) => Some((PemFile::read(cert)?, PemFile::read(key)?)),
        None => None,
    };
    let identity = identity.as_ref().map(|(c, k)| (c, k));
    Ok(je08_net::certs::check(
        &ca,
        identity,
        std::time::SystemTime::now(),
    ))
}

fn route(
    sessions: &HashMap<MeterKey, session::SessionHandle>,
    sink: &EventSink,
    meter: MeterKey,
    job: JobId,
    work: session::Job,
    token: CancellationToken,
) {
    let delivered = sessions.get(&meter).is_some_and(|s| s.submit(job, work, token));
    if !delivered {
        sink.send(Event::Finished {
            job,
            outcome: JobOutcome::LinkFailed(link::LinkError::NoSession),
        });
    }
}

/// How often a session polls its meter.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::http_api::Secret;

    #[test]
    fn secrets_in_commands_and_events_never_show_in_debug_output() {
        let command = Command::StoreSecret {
            account: "broker:mqtt://127.0.0.1:1883".into(),
            secret: Secret::new("hunter2-very-secret"),
            remember: false,
        };
        let event = Event::Secret {
            account: "meter:127.0.0.1:80".into(),
            secret: Some(Secret::new("hunter2-very-secret")),
            storage: secrets::Storage::Session,
        };
        for text in [format!("{command:?}"), format!("{event:?}")] {
            assert!(!text.contains("hunter2"), "secret leaked: {text}");
            assert!(text.contains("redacted"), "{text}");
        }
    }

    /// Every command and event that can carry a secret, each holding
    /// `hunter2-…` wherever a secret goes.
    fn carrying_secrets() -> Vec<String> {
        use crate::commissioning::profile::{HttpProfile, Profile, ProfileMeta, ProfileSettings};
        use commissioning::{ProfileScope, ReportChecks, Request, Work};
        use je08_net::mqtt_link::{CredentialFiles, Password};
        use je08_protocol::http_api::{Connectivity, Protocols};

        let secret = || Some(Secret::new("hunter2-secret"));
        let credentials = CredentialFiles {
            user: Some("meter".into()),
            password: Some(Password::new("hunter2-broker")),
            ..CredentialFiles::default()
        };
        let target = web::WebTarget {
            http: "127.0.0.1:80".into(),
            ota_port: 8266,
            password: secret(),
        };
        let mut connectivity = Connectivity::factory(7);
        connectivity.password = Some(Secret::new("hunter2-wifi"));
        connectivity.interface_password = Some(Secret::new("hunter2-interface"));
        let mut protocols = Protocols::factory(7);
        protocols.mqtt.password = Some(Secret::new("hunter2-mqtt"));
        let profile = Profile {
            meta: ProfileMeta {
                format: 1,
                source_device_id: 7,
                saved_at: chrono::Utc::now(),
                description: String::new(),
                backup_of: None,
            },
            settings: ProfileSettings::with_gains(&Settings::factory()),
            http: Some(HttpProfile::from_blocks(&connectivity, &protocols, 7)),
            gains_ignored: false,
        };
        let job = |n, work| {
            Command::Commissioning(Request::Job {
                job: JobId(n),
                work: Box::new(work),
            })
        };
        let checks = ReportChecks {
            http_blocks: true,
            broker: "mqtt://127.0.0.1:1883".parse().ok(),
            credentials: credentials.clone(),
            header: Default::default(),
        };
        let commands = [
            Command::StoreSecret {
                account: "broker:mqtt://127.0.0.1:1883".into(),
                secret: Secret::new("hunter2-store"),
                remember: true,
            },
            Command::MqttConnect {
                broker: "mqtt://127.0.0.1:1883".parse().expect("URL"),
                credentials,
            },
            Command::Web {
                job: JobId(1),
                target: target.clone(),
                work: web::WebJob::Save(web::ConfigBlock::Connectivity(connectivity)),
            },
            Command::Web {
                job: JobId(2),
                target,
                work: web::WebJob::Save(web::ConfigBlock::Protocols(protocols)),
            },
            job(
                3,
                Work::PreviewProfile {
                    path: "p.toml".into(),
                    addresses: vec!["127.0.0.1".into()],
                    password: secret(),
                },
            ),
            job(
                4,
                Work::ApplyProfile {
                    profile: Box::new(profile.clone()),
                    addresses: vec!["127.0.0.1".into()],
                    password: secret(),
                },
            ),
            job(
                5,
                Work::SaveProfile {
                    address: "127.0.0.1".into(),
                    path: "p.toml".into(),
                    scope: ProfileScope::Whole,
                    password: secret(),
                },
            ),
            job(
                6,
                Work::Report {
                    addresses: vec!["127.0.0.1".into()],
                    password: secret(),
                    window: crate::commissioning::sampler::WindowOptions::default(),
                    checks: Box::new(checks),
                    path: "r.pdf".into(),
                    lang: crate::i18n::Lang::En,
                    provisioned: Vec::new(),
                },
            ),
            Command::Provision(provisioning::Request::Run {
                job: JobId(7),
                plan: Box::new(crate::commissioning::provision::Plan {
                    ap: je08_client::endpoint::Endpoint {
                        host: "192.168.1.1".into(),
                        port: 80,
                    },
                    ssid: "PLANT".into(),
                    wifi_password: Secret::new("hunter2-plant-wifi"),
                    addressing: crate::commissioning::provision::Addressing::Dhcp,
                    name: None,
                    new_password: Secret::new("hunter2-new-interface"),
                    profile: Some(profile),
                    find: crate::commissioning::provision::Finder::default(),
                    wait: std::time::Duration::from_secs(60),
                    http_timeout: std::time::Duration::from_secs(10),
                    origin: je08_client::journal::Origin::Window,
                }),
                profile: None,
                info: Box::new(
                    serde_json::from_value(serde_json::json!({
                        "devtype": "JE08", "subtype": "WATT METER", "id": 7, "name": "JE08-7",
                        "mac": "AA:BB:CC:DD:EE:FF", "ip": "192.168.1.1", "mode": "configuration",
                        "esp_version": "3.00", "stm32_version": "1.00",
                        "wifi": {"mode": "ap", "state": "connected", "ssid": "BIN_0007", "rssi": -40},
                        "uptime_s": 5
                    }))
                    .expect("an /api/info answer"),
                ),
            }),
        ];
        let event = Event::Secret {
            account: "broker:mqtt://127.0.0.1:1883".into(),
            secret: Some(Secret::new("hunter2-loaded")),
            storage: secrets::Storage::Keychain,
        };
        let mut said: Vec<String> = commands.iter().map(|c| format!("{c:?}")).collect();
        said.push(format!("{event:?}"));
        said
    }

    #[test]
    fn no_command_or_event_shows_a_secret_in_debug_output() {
        let said = carrying_secrets();
        assert_eq!(said.len(), 10);
        for text in said {
            assert!(!text.contains("hunter2"), "secret leaked: {text}");
        }
    }
}
