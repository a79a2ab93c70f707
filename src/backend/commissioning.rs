//! Commissioning jobs for the window: the wiring check and its fix, the
//! calibration wizard, recordings, profiles and reports, plus the file
//! dialogs they need.
//!
//! Each job opens its own Modbus connection to the meter (beside the
//! session's polling connection: the JE08 serves several clients), runs one
//! workflow from [`crate::commissioning`], reports [`Event::Progress`] and
//! ends with exactly one [`Event::Finished`]. Cancelling goes through the
//! dispatcher's job tokens like every other job.

mod batch;
mod failure;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use je08_client::journal::Origin;
use tokio_util::sync::CancellationToken;

use super::exports::FileKind;
use super::{Event, EventSink, JobId, JobOutcome, MeterKey};
use crate::commissioning::calibrate::{self, CalibrateError, CalibrationOutcome, Prepared};
use crate::commissioning::export::{Cell, Format};
use crate::commissioning::pdf;
use crate::commissioning::profile::{self, MeterResult, Profile};
use crate::commissioning::provision::BatchRow;
use crate::commissioning::record::{self, RecordOptions, RecordSummary};
use crate::commissioning::report::{NotReached, ReportHeader};
use crate::commissioning::sampler::{SampleWindow, WindowOptions, sample_window};
use crate::commissioning::wiring_check::{FixOutcome, WiringCheck, apply_fix, run_check};
use crate::i18n::{Lang, Tr};
use je08_client::endpoint::{AddressError, Endpoint, MeterAddress};
use je08_client::modbus::{ClientConfig, DEFAULT_PORT, ModbusClient};
use je08_protocol::analysis::wiring::Expectation;
use je08_protocol::http_api::{DEFAULT_HTTP_PORT, Secret};

pub use batch::{ProfileScope, ReportChecks};
pub use failure::{CommAction, CommCause, CommFailure};

/// A file the commissioning views ask the user for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommFile {
    /// A profile (TOML) to apply.
    OpenProfile,
    /// Where to save a profile.
    SaveProfile,
    /// Where to save a calibration certificate (PDF).
    Certificate,
    /// Where to record, in this format.
    Recording(Format),
    /// Where to save a commissioning report (PDF).
    Report,
    /// The CA certificate (PEM) of the report's MQTT broker.
    BrokerCa,
    /// The client certificate (PEM) presented to the report's MQTT broker.
    BrokerCert,
    /// The private key (PEM) of that client certificate.
    BrokerKey,
}

impl CommFile {
    /// An existing file to open (else where to save one).
    fn opens(self) -> bool {
        matches!(
            self,
            Self::OpenProfile | Self::BrokerCa | Self::BrokerCert | Self::BrokerKey
        )
    }

    fn dialog(self) -> rfd::FileDialog {
        let dialog = rfd::FileDialog::new();
        match self {
            Self::OpenProfile => dialog.add_filter("TOML", &["toml"]),
            Self::SaveProfile => dialog.add_filter("TOML", &["toml"]).set_file_name("profile.toml"),
            Self::Certificate => dialog
                .add_filter("PDF", &["pdf"])
                .set_file_name("calibration-certificate.pdf"),
            Self::Recording(format) => super::exports::dialog(FileKind::Table(format), "recording"),
            Self::Report => dialog
                .add_filter("PDF", &["pdf"])
                .set_file_name("commissioning-report.pdf"),
            Self::BrokerCa | Self::BrokerCert => dialog.add_filter("PEM", &["pem", "crt"]),
            Self::BrokerKey => dialog.add_filter("PEM", &["pem", "key"]),
        }
    }
}

/// A commissioning request from the window: a file dialog, or a job.
#[derive(Debug)]
pub enum Request {
    /// Open a native open/save dialog (never on the UI thread).
    ChooseFile {
        /// What the file is for (saving unless it is a profile to open).
        purpose: CommFile,
        /// The meter it concerns, echoed back.
        meter: Option<MeterKey>,
    },
    /// Run a job that reports progress and ends with one `Finished` event.
    Job {
        /// Job to report on (cancel it to stop).
        job: JobId,
        /// What to do (boxed: far larger than a dialog request).
        work: Box<Work>,
    },
}

impl Request {
    /// The job this request reports on (dialogs have none).
    pub fn job(&self) -> Option<JobId> {
        match self {
            Self::ChooseFile { .. } => None,
            Self::Job { job, .. } => Some(*job),
        }
    }
}

/// What a commissioning job does.
#[derive(Debug)]
pub enum Work {
    /// Sample a window and run the wiring check.
    WiringCheck {
        /// Modbus address of the meter.
        address: String,
        /// Sample window.
        window: WindowOptions,
        /// What the installation should look like.
        expect: Expectation,
    },
    /// Apply the register fix of a check, read back and check again.
    WiringFix {
        /// Modbus address of the meter.
        address: String,
        /// The check proposing the fix.
        before: Box<WiringCheck>,
        /// Sample window of the re-check.
        window: WindowOptions,
        /// What the installation should look like.
        expect: Expectation,
    },
    /// Sample a window for the calibration preconditions (writes nothing).
    CalibrationWindow {
        /// Modbus address of the meter.
        address: String,
        /// Sample window.
        window: WindowOptions,
    },
    /// Write the planned gain, save, read back, measure again.
    Calibrate {
        /// Modbus address of the meter.
        address: String,
        /// The checked plan.
        prepared: Box<Prepared>,
        /// The reference instrument as typed by the user.
        instrument: Option<String>,
    },
    /// Write a calibration certificate (PDF).
    SaveCertificate {
        /// The calibration.
        outcome: Box<CalibrationOutcome>,
        /// The file.
        path: PathBuf,
        /// The certificate's language.
        lang: Lang,
        /// Site, panel, customer and technician.
        header: Box<ReportHeader>,
    },
    /// Record meters to CSV until cancelled.
    Record {
        /// Modbus addresses.
        addresses: Vec<String>,
        /// The file to create.
        path: PathBuf,
        /// Its format, and the language of its headers.
        format: (Format, Lang),
        /// Interval, flushing, deadlines.
        options: RecordOptions,
    },
    /// Load a profile and show what it would change on each meter (dry run).
    PreviewProfile {
        /// The TOML file.
        path: PathBuf,
        /// Meter addresses (`HOST[:MODBUS_PORT][,http=HTTP_PORT]`).
        addresses: Vec<String>,
        /// The meters' HTTP interface password (one for the batch), when set.
        password: Option<Secret>,
    },
    /// Apply a loaded profile (write → save → read back per meter).
    ApplyProfile {
        /// The profile.
        profile: Box<Profile>,
        /// Meter addresses (`HOST[:MODBUS_PORT][,http=HTTP_PORT]`).
        addresses: Vec<String>,
        /// The meters' HTTP interface password (one for the batch), when set.
        password: Option<Secret>,
    },
    /// Read a meter's configuration and save it as a profile.
    SaveProfile {
        /// Meter address (`HOST[:MODBUS_PORT][,http=HTTP_PORT]`).
        address: String,
        /// The TOML file.
        path: PathBuf,
        /// With the HTTP blocks (two reboots) or the Modbus settings only.
        scope: ProfileScope,
        /// The meter's HTTP interface password (the batch's), when set.
        password: Option<Secret>,
    },
    /// Wiring-check every meter and write the commissioning report (PDF).
    Report {
        /// Meter addresses (`HOST[:MODBUS_PORT][,http=HTTP_PORT]`).
        addresses: Vec<String>,
        /// The meters' HTTP interface password (one for the batch), when set.
        password: Option<Secret>,
        /// Sample window per meter.
        window: WindowOptions,
        /// HTTP blocks, MQTT check and header fields.
        checks: Box<ReportChecks>,
        /// The PDF file.
        path: PathBuf,
        /// The report's language.
        lang: Lang,
        /// The meters set up from the box in this session.
        provisioned: Vec<BatchRow>,
    },
}

/// What a finished commissioning job produced.
#[derive(Debug, Clone, PartialEq)]
pub enum CommResult {
    /// A wiring check.
    Wiring(Box<WiringCheck>),
    /// The register fix and the re-check.
    Fixed(Box<FixOutcome>),
    /// A sample window for the calibration preconditions.
    Window {
        /// The meter as the client names it (`HOST:PORT`).
        meter: String,
        /// The samples.
        window: Box<SampleWindow>,
    },
    /// A calibration was carried out.
    Calibrated(Box<CalibrationOutcome>),
    /// A file was written.
    Saved(PathBuf),
    /// A profile was written.
    ProfileSaved {
        /// The file.
        path: PathBuf,
        /// It holds the HTTP blocks besides the Modbus settings.
        http: bool,
    },
    /// A recording stopped.
    Recorded(RecordSummary),
    /// A profile and the dry run on each meter.
    ProfilePreview {
        /// The profile.
        profile: Box<Profile>,
        /// Per meter: status and differing fields.
        results: Vec<MeterResult>,
    },
    /// A profile was applied.
    ProfileApplied(Vec<MeterResult>),
    /// A report was written.
    Report {
        /// The file.
        path: PathBuf,
        /// Meters that could not be checked, and why.
        unreachable: Vec<NotReached>,
    },
}

/// Something a commissioning job tells the window before it finishes.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// A dialog closed.
    FileChosen {
        /// What the file is for.
        purpose: CommFile,
        /// The meter it concerns.
        meter: Option<MeterKey>,
        /// The file, `None` when dismissed.
        path: Option<PathBuf>,
    },
    /// A recording is running.
    Recording {
        /// The recording job.
        job: JobId,
        /// Rows recorded so far.
        rows: u64,
        /// Rows where a meter could not be read.
        failed: u64,
    },
}

fn address_failure(action: CommAction) -> impl FnOnce(AddressError) -> CommFailure {
    move |e| CommFailure::new(action, CommCause::Address(e))
}

fn client(action: CommAction, address: &str) -> Result<ModbusClient, CommFailure> {
    let endpoint = Endpoint::parse(address, DEFAULT_PORT).map_err(address_failure(action))?;
    Ok(ModbusClient::new(endpoint, ClientConfig::default()))
}

fn meter_addresses(action: CommAction, addresses: &[String]) -> Result<Vec<MeterAddress>, CommFailure> {
    addresses.iter().map(|a| meter_address(action, a)).collect()
}

/// A batch address (`HOST[:MODBUS_PORT][,http=HTTP_PORT]`).
fn meter_address(action: CommAction, address: &str) -> Result<MeterAddress, CommFailure> {
    MeterAddress::parse(address, DEFAULT_PORT, DEFAULT_HTTP_PORT).map_err(address_failure(action))
}

fn endpoints(addresses: &[String]) -> Result<Vec<Endpoint>, CommFailure> {
    addresses
        .iter()
        .map(|a| client(CommAction::Record, a).map(|c| c.meter().clone()))
        .collect()
}

fn progress(sink: &EventSink, job: JobId) -> impl FnMut(usize, usize) + Send + use<> {
    let sink = sink.clone();
    move |done, total| {
        sink.send(Event::Progress {
            job,
            fraction: Some(done as f32 / total.max(1) as f32),
        })
    }
}

/// Start `request` on the current runtime; `cancel` is the job's token.
pub fn start(request: Request, sink: EventSink, cancel: CancellationToken) {
    tokio::spawn(async move {
        let (job, work) = match request {
            Request::ChooseFile { purpose, meter } => return choose_file(purpose, meter, &sink).await,
            Request::Job { job, work } => (job, *work),
        };
        sink.send(Event::Progress { job, fraction: None });
        // A job that may have written or rebooted the meter says what
        // happened, even when cancelled.
        let explains = matches!(
            work,
            Work::WiringFix { .. }
                | Work::Calibrate { .. }
                | Work::SaveProfile {
                    scope: ProfileScope::Whole,
                    ..
                }
        );
        let outcome = match run(job, work, &sink, &cancel).await {
            Ok(result) => JobOutcome::Commissioning(Box::new(result)),
            Err(_) if cancel.is_cancelled() && !explains => JobOutcome::Cancelled,
            Err(why) => JobOutcome::CommFailed(Box::new(why)),
        };
        sink.send(Event::Finished { job, outcome });
    });
}

/// Open the native dialog off the UI thread and say which file was chosen.
async fn choose_file(purpose: CommFile, meter: Option<MeterKey>, sink: &EventSink) {
    let path = tokio::task::spawn_blocking(move || {
        if purpose.opens() {
            purpose.dialog().pick_file()
        } else {
            purpose.dialog().save_file()
        }
    })
    .await
    .ok()
    .flatten();
    sink.send(Event::Commissioning(Update::FileChosen { purpose, meter, path }));
}

async fn run(
    job: JobId,
    work: Work,
    sink: &EventSink,
    cancel: &CancellationToken,
) -> Result<CommResult, CommFailure> {
    match work {
        Work::WiringCheck {
            address,
            window,
            expect,
        } => {
            let action = CommAction::CheckWiring;
            let mut c = client(action, &address)?;
            let result = run_check(&mut c, window, &expect, progress(sink, job), cancel).await;
            c.disconnect().await;
            result
                .map(|c| CommResult::Wiring(Box::new(c)))
                .map_err(|e| CommFailure::new(action, CommCause::Sample(e)))
        }
        Work::WiringFix {
            address,
            before,
            window,
            expect,
        } => {
            let action = CommAction::FixWiring;
            let mut c = client(action, &address)?;
            let result = apply_fix(
                &mut c,
                Origin::Window,
                *before,
                window,
                &expect,
                progress(sink, job),
                cancel,
            )
            .await;
            c.disconnect().await;
            // Written already: a cancelled re-check is a failure to explain
            // (FixError::Recheck), not a plain cancel.
            result
                .map(|outcome| CommResult::Fixed(Box::new(outcome)))
                .map_err(|e| CommFailure::new(action, CommCause::Fix(e)))
        }
        Work::CalibrationWindow { address, window } => {
            let action = CommAction::SampleCalibration;
            let mut c = client(action, &address)?;
            let result = sample_window(&mut c, window, progress(sink, job), cancel).await;
            let meter = c.meter().to_string();
            c.disconnect().await;
            result
                .map(|window| CommResult::Window {
                    meter,
                    window: Box::new(window),
                })
                .map_err(|e| CommFailure::new(action, CommCause::Calibrate(CalibrateError::Sample(e))))
        }
        Work::Calibrate {
            address,
            prepared,
            instrument,
        } => {
            let action = CommAction::Calibrate;
            let mut c = client(action, &address)?;
            let result = calibrate::execute(
                &mut c,
                *prepared,
                instrument,
                Origin::Window,
                progress(sink, job),
                cancel,
            )
            .await;
            c.disconnect().await;
            result
                .map(|o| CommResult::Calibrated(Box::new(o)))
                .map_err(|e| CommFailure::new(action, CommCause::Calibrate(e)))
        }
        Work::SaveCertificate {
            outcome,
            path,
            lang,
            header,
        } => {
            let doc = calibrate::certificate(Tr(lang), &header, &outcome);
            write_pdf(CommAction::SaveCertificate, doc, path).await
        }
        Work::Record {
            addresses,
            path,
            format,
            options,
        } => {
            let meters = endpoints(&addresses)?;
            let (mut rows, mut failed) = (0u64, 0u64);
            let mut last = Instant::now();
            let tick = Duration::from_millis(500);
            let on_row = |row: &[Cell]| {
                rows += 1;
                if matches!(row.get(record::STATUS), Some(Cell::Text(s)) if s != "ok") {
                    failed += 1;
                }
                if last.elapsed() >= tick {
                    last = Instant::now();
                    sink.send(Event::Commissioning(Update::Recording { job, rows, failed }));
                }
            };
            let summary = record::record(&meters, &path, format, options, on_row, cancel)
                .await
                .map_err(|e| CommFailure::new(CommAction::Record, CommCause::Record(e)))?;
            Ok(CommResult::Recorded(summary))
        }
        Work::PreviewProfile {
            path,
            addresses,
            password,
        } => {
            let action = CommAction::PreviewProfile;
            let meters = meter_addresses(action, &addresses)?;
            let load = path.clone();
            let profile = blocking(action, move || Profile::load(&load))
                .await?
                .map_err(|e| CommFailure::new(action, CommCause::Profile(Box::new(e))))?;
            let quiet = |_: &MeterAddress, _: profile::Step| {};
            let access = batch_access(password);
            let results = cancellable(
                action,
                cancel,
                profile::apply(&profile, &meters, true, &access, &quiet, cancel),
            )
            .await?;
            Ok(CommResult::ProfilePreview {
                profile: Box::new(profile),
                results,
            })
        }
        Work::ApplyProfile {
            profile,
            addresses,
            password,
        } => {
            let meters = meter_addresses(CommAction::ApplyProfile, &addresses)?;
            // Cancel stops before the next write of each meter (a started
            // write finishes; a meter in configuration mode is returned to
            // application mode).
            let quiet = |_: &MeterAddress, _: profile::Step| {};
            let access = batch_access(password);
            let results = profile::apply(&profile, &meters, false, &access, &quiet, cancel).await;
            Ok(CommResult::ProfileApplied(results))
        }
        Work::SaveProfile {
            address,
            path,
            scope,
            password,
        } => batch::save_profile((sink, job), &address, path, scope, password, cancel).await,
        Work::Report {
            addresses,
            password,
            window,
            checks,
            path,
            lang,
            provisioned,
        } => {
            let output = (path, Tr(lang));
            batch::report(
                (sink, job),
                (&addresses, &provisioned),
                (password, *checks),
                window,
                output,
                cancel,
            )
            .await
        }
    }
}

async fn cancellable<T>(
    action: CommAction,
    cancel: &CancellationToken,
    work: impl Future<Output = T>,
) -> Result<T, CommFailure> {
    tokio::select! {
        () = cancel.cancelled() => Err(CommFailure::new(action, CommCause::Cancelled)),
        value = work => Ok(value),
    }
}

/// Run blocking file work off the runtime's threads.
async fn blocking<T: Send + 'static>(
    action: CommAction,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CommFailure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CommFailure::new(action, CommCause::Task(e.to_string())))
}

async fn write_pdf(action: CommAction, doc: pdf::Document, path: PathBuf) -> Result<CommResult, CommFailure> {
    let target = path.clone();
    blocking(action, move || pdf::write(&doc, &target))
        .await?
        .map_err(|e| {
            let cause = CommCause::File {
                path: path.display().to_string(),
                detail: e.to_string(),
            };
            CommFailure::new(action, cause)
        })?;
    Ok(CommResult::Saved(path))
}

/// Access to the batch's meters: default deadlines and the typed password.
fn batch_access(password: Option<Secret>) -> profile::Access {
    profile::Access {
        password,
        origin: je08_client::journal::Origin::Window,
        ..profile::Access::default()
    }
}
