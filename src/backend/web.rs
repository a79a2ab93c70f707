//! Jobs over a meter's HTTP API and espota (spec §4–§5), for the
//! Configuration and Firmware tabs: read the identity and the settings
//! blocks, switch modes, save a block, upload certificates, update the
//! firmware. Each job runs as its own task (the Modbus session is not
//! involved), reports its stage and progress, obeys its cancellation token
//! and an overall deadline, and ends with one [`JobOutcome`]; a failure is a
//! [`WebFailure`] that names the step, the meter and what to do.

mod failure;

use crate::backend::FileError;
use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub use self::failure::{BlockKind, Cause, WebAction, WebFailure};
use super::{Event, EventSink, JobId, JobOutcome};
use crate::commissioning::journal;
use je08_client::flash::{self, FlashError, Step, Via};
use je08_client::http::{HttpError, MeterHttp, REBOOT_DEADLINE};
use je08_client::journal::{Kind, Origin};
use je08_net::certs::PemFile;
use je08_protocol::http_api::{CertKind, CertStatus, Connectivity, Ct, Info, Mode, Protocols, Secret};

/// Longest any HTTP job may take, reboots included.
pub const JOB_DEADLINE: Duration = Duration::from_secs(300);
/// Largest firmware file read at all (the slot is 508 KiB).
const IMAGE_READ_LIMIT: u64 = 4 << 20;

/// Where and how to reach one meter's HTTP API and espota.
#[derive(Debug, Clone)]
pub struct WebTarget {
    /// HTTP API address `host:port`.
    pub http: String,
    /// espota UDP port on the same host.
    pub ota_port: u16,
    /// Interface password (redacted in `Debug`).
    pub password: Option<Secret>,
}

/// One settings block, whole.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigBlock {
    /// Wi-Fi, addresses, device name, interface password.
    Connectivity(Connectivity),
    /// Modbus, MQTT, DS18B20.
    Protocols(Protocols),
    /// CT ratio and inversions.
    Ct(Ct),
}

impl ConfigBlock {
    /// Which block this is.
    pub fn kind(&self) -> BlockKind {
        match self {
            Self::Connectivity(_) => BlockKind::Connectivity,
            Self::Protocols(_) => BlockKind::Protocols,
            Self::Ct(_) => BlockKind::Ct,
        }
    }

    /// The block as JSON (as the meter's API carries it), for the journal.
    fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Connectivity(b) => serde_json::to_value(b),
            Self::Protocols(b) => serde_json::to_value(b),
            Self::Ct(b) => serde_json::to_value(b),
        }
        .unwrap_or_default()
    }
}

/// How a firmware image travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlashMethod {
    /// `POST /update` (one outbound connection; the default).
    #[default]
    Http,
    /// ArduinoOTA/espota on the meter's OTA port.
    Espota,
}

/// Work on one meter's HTTP API.
#[derive(Debug, Clone)]
pub enum WebJob {
    /// `/api/info` and, in configuration mode, every block and the
    /// certificate slots.
    Read,
    /// Reboot into a mode and wait until the meter answers in it.
    SwitchMode(Mode),
    /// Validate and store a whole block, then read it back.
    Save(ConfigBlock),
    /// Pre-flight the files again, upload them, read the slots back.
    UploadCerts {
        /// CA certificate.
        ca: PathBuf,
        /// Client certificate and key.
        identity: Option<(PathBuf, PathBuf)>,
    },
    /// Validate an image, enter update mode when needed, send it, confirm
    /// that the meter runs it.
    Flash {
        /// The image file.
        path: PathBuf,
        /// Transport.
        method: FlashMethod,
    },
}

/// The settings of a meter in configuration mode (passwords `null`).
#[derive(Debug, Clone, PartialEq)]
pub struct MeterConfig {
    /// Connectivity block.
    pub connectivity: Connectivity,
    /// Protocols block.
    pub protocols: Protocols,
    /// CT block.
    pub ct: Ct,
    /// Certificate slots.
    pub certs: CertStatus,
}

/// What a finished HTTP job found.
#[derive(Debug, Clone, PartialEq)]
pub enum WebOutcome {
    /// The meter's identity and mode; its settings when in configuration mode.
    Read {
        /// `/api/info`.
        info: Info,
        /// The blocks (configuration mode only).
        config: Option<Box<MeterConfig>>,
        /// Why the blocks could not be read (e.g. a wrong password).
        refused: Option<WebFailure>,
    },
    /// The meter answers in the new mode.
    Switched(Info),
    /// The block as the meter now holds it (passwords `null`).
    Saved(ConfigBlock),
    /// The certificate slots after the upload.
    Certs(CertStatus),
    /// The meter runs the new firmware.
    Flashed(Info),
}

/// What a running HTTP job is doing, for its progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Asking the meter.
    Reading,
    /// The meter reboots into this mode.
    Rebooting(Mode),
    /// Sending settings or certificates.
    Saving,
    /// Sending the firmware image (progress follows).
    Sending,
    /// Waiting for the meter to restart with the new image.
    Confirming,
}

/// Run `work` on the meter at `target` as a task; events go to `sink`.
pub fn spawn(job: JobId, target: WebTarget, work: WebJob, token: CancellationToken, sink: EventSink) {
    tokio::spawn(async move {
        let meter = target.http.clone();
        sink.send(Event::Progress { job, fraction: None });
        let run = run(job, &target, work, &sink);
        let outcome = tokio::select! {
            () = token.cancelled() => JobOutcome::Cancelled,
            result = tokio::time::timeout(JOB_DEADLINE, run) => match result {
                Ok(Ok(outcome)) => JobOutcome::Web(Box::new(outcome)),
                Ok(Err(why)) => JobOutcome::WebFailed(Box::new(why)),
                Err(_) => JobOutcome::WebFailed(Box::new(WebFailure::Deadline {
                    meter,
                    seconds: JOB_DEADLINE.as_secs(),
                })),
            },
        };
        sink.send(Event::Finished { job, outcome });
    });
}

fn stage(sink: &EventSink, job: JobId, stage: Stage) {
    sink.send(Event::Stage { job, stage });
}

async fn run(
    job: JobId,
    target: &WebTarget,
    work: WebJob,
    sink: &EventSink,
) -> Result<WebOutcome, WebFailure> {
    let client =
        MeterHttp::from_host(&target.http, target.password.clone()).map_err(WebFailure::BadAddress)?;
    let meter = client.meter().to_owned();
    match work {
        WebJob::Read => {
            stage(sink, job, Stage::Reading);
            let info = client
                .info()
                .await
                .map_err(|e| failed(WebAction::ReadIdentity, &meter, &e))?;
            let (config, refused) = if info.mode == Mode::Configuration {
                match read_blocks(&client).await {
                    Ok(config) => (Some(Box::new(config)), None),
                    Err(e) => (None, Some(failed(WebAction::ReadSettings, &meter, &e))),
                }
            } else {
                (None, None)
            };
            Ok(WebOutcome::Read {
                info,
                config,
                refused,
            })
        }
        WebJob::SwitchMode(mode) => {
            stage(sink, job, Stage::Rebooting(mode));
            let switched = client.switch_mode(mode, REBOOT_DEADLINE).await;
            let asked = format!("enter {mode} mode");
            journal::web_action(
                Origin::Window,
                Kind::Mode,
                client.meter(),
                &asked,
                switched.as_ref().map(Some),
            );
            switched
                .map(WebOutcome::Switched)
                .map_err(|e| failed(WebAction::SwitchMode(mode), &meter, &e))
        }
        WebJob::Save(block) => {
            stage(sink, job, Stage::Saving);
            let action = WebAction::Save(block.kind());
            let asked = block.to_json();
            let name = format!("{:?}", block.kind()).to_lowercase();
            // For the journal: which meter, and the block as found.
            let device_id = client.info().await.ok().map(|i| i.id);
            let before = stored_json(&client, block.kind()).await;
            let saved = save(&client, block).await;
            let after = match &saved {
                Ok(WebOutcome::Saved(stored)) => Some(stored.to_json()),
                _ => None,
            };
            let write = journal::BlockWrite {
                block: &name,
                before: before.as_ref(),
                asked: &asked,
                after: after.as_ref(),
            };
            journal::config_block(
                Origin::Window,
                client.meter(),
                device_id,
                &write,
                saved.as_ref().map(|_| ()),
            );
            saved.map_err(|e| failed(action, &meter, &e))
        }
        WebJob::UploadCerts { ca, identity } => {
            stage(sink, job, Stage::Saving);
            upload_certs(&client, &ca, identity.as_ref()).await
        }
        WebJob::Flash { path, method } => {
            stage(sink, job, Stage::Reading);
            flash_file(job, target, &client, &path, method, sink).await
        }
    }
}

async fn read_blocks(client: &MeterHttp) -> Result<MeterConfig, HttpError> {
    Ok(MeterConfig {
        connectivity: client.connectivity().await?,
        protocols: client.protocols().await?,
        ct: client.ct().await?,
        certs: client.cert_status().await?,
    })
}

/// The block `kind` as the meter stores it now, as JSON; `None` when it
/// cannot be read.
async fn stored_json(client: &MeterHttp, kind: BlockKind) -> Option<serde_json::Value> {
    let stored = match kind {
        BlockKind::Connectivity => ConfigBlock::Connectivity(client.connectivity().await.ok()?),
        BlockKind::Protocols => ConfigBlock::Protocols(client.protocols().await.ok()?),
        BlockKind::Ct => ConfigBlock::Ct(client.ct().await.ok()?),
    };
    Some(stored.to_json())
}

async fn save(client: &MeterHttp, block: ConfigBlock) -> Result<WebOutcome, HttpError> {
    let stored = match block {
        ConfigBlock::Connectivity(b) => {
            client.set_connectivity(&b).await?;
            ConfigBlock::Connectivity(client.connectivity().await?)
        }
        ConfigBlock::Protocols(b) => {
            client.set_protocols(&b).await?;
            ConfigBlock::Protocols(client.protocols().await?)
        }
        ConfigBlock::Ct(b) => {
            client.set_ct(&b).await?;
            ConfigBlock::Ct(client.ct().await?)
        }
    };
    Ok(WebOutcome::Saved(stored))
}

async fn upload_certs(
    client: &MeterHttp,
    ca: &std::path::Path,
    identity: Option<&(PathBuf, PathBuf)>,
) -> Result<WebOutcome, WebFailure> {
    let meter = client.meter();
    let fail = |action, cause| WebFailure::Step {
        action,
        meter: meter.to_owned(),
        cause,
    };
    let report = {
        let (file, ca, identity) = (ca.display().to_string(), ca.to_owned(), identity.cloned());
        tokio::task::spawn_blocking(move || super::check_certs(&ca, identity.as_ref()))
            .await
            .map_err(|e| {
                let detail = e.to_string();
                fail(
                    WebAction::CertPreflight,
                    Cause::File(FileError::Unreadable { file, detail }),
                )
            })?
            .map_err(|unreadable| {
                let problems = vec![unreadable];
                fail(WebAction::CertPreflight, Cause::CertProblems { problems })
            })?
    };
    if !report.is_ok() {
        let problems = report.problems;
        return Err(fail(WebAction::CertPreflight, Cause::CertProblems { problems }));
    }
    let mut files = vec![(CertKind::Ca, ca.to_owned())];
    if let Some((cert, key)) = identity {
        files.push((CertKind::ClientCert, cert.clone()));
        files.push((CertKind::ClientKey, key.clone()));
    }
    for (kind, path) in files {
        let action = WebAction::Upload(kind);
        let pem = PemFile::read(&path).map_err(|problem| fail(action, Cause::CertFile { problem }))?;
        let text = String::from_utf8(pem.bytes).map_err(|_| {
            fail(
                action,
                Cause::NotText {
                    file: pem.name.clone(),
                },
            )
        })?;
        let uploaded = client.upload_cert(kind, &text).await;
        let fingerprint = journal::pem_fingerprint(&text).unwrap_or_default();
        let summary = report.certificates.iter().find(|c| c.file == pem.name);
        let cert = summary
            .filter(|_| kind != CertKind::ClientKey)
            .map(|c| journal::CertUpload {
                subject: &c.subject,
                not_after: &c.not_after,
                sha256: &fingerprint,
            });
        let slot = kind.to_string();
        journal::certificate(
            Origin::Window,
            meter,
            &slot,
            cert.as_ref(),
            false,
            uploaded.as_ref().copied(),
        );
        uploaded.map_err(|e| failed(action, meter, &e))?;
    }
    client
        .cert_status()
        .await
        .map(WebOutcome::Certs)
        .map_err(|e| failed(WebAction::ReadCertSlots, meter, &e))
}

async fn flash_file(
    job: JobId,
    target: &WebTarget,
    client: &MeterHttp,
    path: &std::path::Path,
    method: FlashMethod,
    sink: &EventSink,
) -> Result<WebOutcome, WebFailure> {
    let fail = |cause| WebFailure::Step {
        action: WebAction::UpdateFirmware,
        meter: client.meter().to_owned(),
        cause,
    };
    let image = {
        let path = path.to_owned();
        let unreadable = |e: tokio::task::JoinError| FileError::Unreadable {
            file: path.display().to_string(),
            detail: e.to_string(),
        };
        let read = path.clone();
        tokio::task::spawn_blocking(move || super::read_limited(&read, IMAGE_READ_LIMIT))
            .await
            .map_err(|e| fail(Cause::File(unreadable(e))))?
            .map_err(|e| fail(Cause::File(e)))?
    };
    let via = match method {
        FlashMethod::Http => Via::Http,
        FlashMethod::Espota => {
            let host = je08_client::endpoint::Endpoint::parse(
                &target.http,
                je08_protocol::http_api::DEFAULT_HTTP_PORT,
            )
            .map_err(WebFailure::BadAddress)?
            .host;
            let addr = (host.as_str(), target.ota_port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut a| a.next())
                .ok_or_else(|| fail(Cause::Unresolvable { host: host.clone() }))?;
            Via::Espota(addr)
        }
    };
    let on_step = |step: Step| {
        stage(
            sink,
            job,
            match step {
                Step::EnteringUpdate => Stage::Rebooting(Mode::Update),
                Step::Sending => Stage::Sending,
                Step::Confirming => Stage::Confirming,
            },
        );
        // The bar starts with the sending and stays full while confirming.
        match step {
            Step::EnteringUpdate => sink.send(Event::Progress { job, fraction: None }),
            Step::Sending => sink.send(Event::Progress {
                job,
                fraction: Some(0.0),
            }),
            Step::Confirming => {}
        }
    };
    let last = AtomicU32::new(0);
    let progress = |done: u64, total: u64| {
        let percent = (done * 100).checked_div(total).unwrap_or(100) as u32;
        if last.swap(percent, Ordering::Relaxed) != percent {
            let fraction = Some(percent as f32 / 100.0);
            sink.send(Event::Progress { job, fraction });
        }
    };
    let sha256 = journal::sha256_hex(&image);
    let image_version = je08_protocol::firmware::validate(&image)
        .version
        .as_ref()
        .map(ToString::to_string);
    let before = client.info().await.ok().map(|i| i.esp_version.to_string());
    let flashed = flash::flash(
        client,
        target.password.as_ref(),
        image.into(),
        via,
        REBOOT_DEADLINE,
        &on_step,
        &progress,
    )
    .await;
    let push = journal::FirmwarePush {
        address: client.meter(),
        before: before.as_deref(),
        image_version: image_version.as_deref(),
        image_sha256: &sha256,
        method: match method {
            FlashMethod::Http => "http",
            FlashMethod::Espota => "espota",
        },
    };
    journal::firmware(Origin::Window, &push, flashed.as_ref());
    flashed.map(WebOutcome::Flashed).map_err(|e| {
        fail(match e {
            FlashError::BadImage(check) => Cause::BadImage {
                file: path.display().to_string(),
                check,
            },
            FlashError::Http(e) => Cause::Http(e),
            FlashError::Ota(e) => Cause::Ota(e),
        })
    })
}

/// A step's failure from an HTTP client error.
fn failed(action: WebAction, meter: &str, err: &HttpError) -> WebFailure {
    WebFailure::Step {
        action,
        meter: meter.to_owned(),
        cause: Cause::Http(err.clone()),
    }
}
