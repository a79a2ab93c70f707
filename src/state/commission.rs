//! State of the commissioning views (wiring, calibration, recording, batch)
//! and the routing between them and the backend: drawing code pushes an
//! [`Intent`]; [`CommishState::handle`] turns it into commands with fresh
//! job ids; job events come back through [`CommishState::progress`],
//! [`CommishState::finished`] and [`CommishState::update`].

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use super::config_forms::PasswordText;
use super::model::Model;
use super::report_form::ReportForm;
use crate::backend::commissioning::{CommFailure, CommFile, CommResult, ProfileScope, Request, Update, Work};
use crate::backend::{Command, JobId, JobOutcome, MeterKey};
use crate::commissioning::calibrate::{CalibrationOutcome, Prepared};
use crate::commissioning::profile::{MeterResult, Profile};
use crate::commissioning::provision::BatchRow;
use crate::commissioning::record::{RecordOptions, RecordSummary};
use crate::commissioning::report::NotReached;
use crate::commissioning::sampler::{SampleWindow, WindowOptions};
use crate::commissioning::wiring_check::{FixOutcome, WiringCheck};
use crate::i18n::Tr;
use je08_protocol::analysis::wiring::Expectation;
use je08_protocol::http_api::Secret;

/// A job the view is waiting for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Running {
    /// The job.
    pub job: JobId,
    /// Progress, when known.
    pub fraction: Option<f32>,
}

impl Running {
    fn new(job: JobId) -> Self {
        Self { job, fraction: None }
    }
}

/// The wiring check of one meter.
#[derive(Debug, Default)]
pub struct WiringState {
    /// The check or fix being run.
    pub running: Option<Running>,
    /// The latest check.
    pub check: Option<WiringCheck>,
    /// The latest fix (with its re-check).
    pub fix: Option<FixOutcome>,
    /// Why the last job failed.
    pub error: Option<CommFailure>,
    /// The fitted CT primary as typed (optional).
    pub ct_primary: String,
    /// The last job was cancelled.
    pub cancelled: bool,
}

impl WiringState {
    /// The expectation from the typed CT primary; `None` when the text is
    /// not a whole number of amps.
    pub fn expectation(&self) -> Option<Expectation> {
        let text = self.ct_primary.trim().trim_end_matches(['A', 'a']).trim();
        let ct_primary_a = if text.is_empty() {
            None
        } else {
            Some(text.parse::<u32>().ok().filter(|a| *a > 0)?)
        };
        Some(Expectation {
            ct_primary_a,
            ..Expectation::default()
        })
    }
}

/// Where the calibration wizard of one meter stands.
#[derive(Debug, Default)]
pub struct CalibrationState {
    /// Phase index 0–2.
    pub phase: usize,
    /// Calibrate the current (else the voltage).
    pub current: bool,
    /// The sampling or writing job.
    pub running: Option<Running>,
    /// Step 1 result: the window and the meter's name for it.
    pub window: Option<(String, SampleWindow)>,
    /// Step 2: the reference value as typed.
    pub reference: String,
    /// Step 2: the reference instrument as typed.
    pub instrument: String,
    /// Step 4 result.
    pub outcome: Option<CalibrationOutcome>,
    /// Why the last job failed.
    pub error: Option<CommFailure>,
    /// The last job was cancelled.
    pub cancelled: bool,
    /// The certificate job.
    pub saving: Option<Running>,
    /// Where the certificate was written, or why not.
    pub saved: Option<Result<PathBuf, CommFailure>>,
}

/// A recording of one meter (meter page) or of the batch selection.
#[derive(Debug, Default)]
pub struct RecordingState {
    /// The recording job (cancel it to stop).
    pub running: Option<Running>,
    /// The file recorded to.
    pub path: Option<PathBuf>,
    /// The meters recorded.
    pub meters: Vec<String>,
    /// Rows recorded so far.
    pub rows: u64,
    /// Rows where a meter could not be read.
    pub failed: u64,
    /// The summary once stopped.
    pub summary: Option<RecordSummary>,
    /// Why it failed.
    pub error: Option<CommFailure>,
}

/// The batch page: selected meters and the latest batch action.
#[derive(Debug, Default)]
pub struct BatchState {
    /// Meters ticked for batch actions.
    pub selected: BTreeSet<MeterKey>,
    /// The running batch job.
    pub running: Option<Running>,
    /// The profile file being applied.
    pub profile_path: Option<PathBuf>,
    /// The loaded profile, the meters it was previewed on and the dry run.
    pub preview: Option<(Profile, Vec<String>, Vec<MeterResult>)>,
    /// The result of applying the profile.
    pub applied: Option<Vec<MeterResult>>,
    /// A report written and the meters not reached.
    pub saved: Option<(PathBuf, Vec<NotReached>)>,
    /// A profile file chosen for a meter, waiting for the answer to "the
    /// whole configuration or the Modbus settings only?".
    pub pending_save: Option<(MeterKey, PathBuf)>,
    /// The profile being saved.
    pub saving: Option<ProfileScope>,
    /// A profile written, and whether it holds the HTTP settings.
    pub saved_profile: Option<(PathBuf, bool)>,
    /// The report's options.
    pub report: ReportForm,
    /// Why the last batch job failed.
    pub error: Option<CommFailure>,
    /// The meters' HTTP interface password for profiles and reports
    /// (in memory only, never saved).
    pub password: PasswordText,
}

impl BatchState {
    /// The interface password to send: the one typed, else the factory
    /// default.
    fn password(&self) -> Option<Secret> {
        Some(self.password.or_factory())
    }

    fn start(&mut self, job: JobId) {
        self.running = Some(Running::new(job));
        self.error = None;
        self.saved = None;
        self.saved_profile = None;
        self.saving = None;
    }
}

/// Something the user asked for in a commissioning view.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// Run the wiring check on a meter.
    CheckWiring(MeterKey),
    /// Apply the register fix of the latest check.
    FixWiring(MeterKey),
    /// Calibration step 1: sample the preconditions window.
    SampleCalibration(MeterKey),
    /// Calibration step 4: write the planned gain.
    Calibrate(MeterKey, Box<Prepared>),
    /// Start the calibration wizard again.
    ResetCalibration(MeterKey),
    /// Apply the previewed profile to the meters it was previewed on.
    ApplyProfile,
    /// Save the profile whose file was chosen, with this scope (`None`:
    /// the question was dismissed, nothing is saved).
    SaveProfile(Option<ProfileScope>),
    /// Open a file dialog.
    ChooseFile(CommFile, Option<MeterKey>),
    /// A file dialog closed (also how tests pick files).
    FileChosen(CommFile, Option<MeterKey>, Option<PathBuf>),
    /// Cancel a job.
    Cancel(JobId),
}

impl Intent {
    /// False for the intents that only change the window's state: they need
    /// no place in the backend's command queue.
    pub fn needs_backend(&self) -> bool {
        match self {
            Self::ResetCalibration(_) | Self::SaveProfile(None) | Self::FileChosen(_, _, None) => false,
            Self::FileChosen(purpose, ..) => !matches!(
                purpose,
                CommFile::SaveProfile | CommFile::BrokerCa | CommFile::BrokerCert | CommFile::BrokerKey
            ),
            Self::CheckWiring(_)
            | Self::FixWiring(_)
            | Self::SampleCalibration(_)
            | Self::Calibrate(..)
            | Self::ApplyProfile
            | Self::SaveProfile(Some(_))
            | Self::ChooseFile(..)
            | Self::Cancel(_) => true,
        }
    }
}

/// Every commissioning view's state.
#[derive(Debug)]
pub struct CommishState {
    /// Sample window of wiring checks, calibration windows and reports.
    pub window: WindowOptions,
    /// Wiring check per meter.
    pub wiring: HashMap<MeterKey, WiringState>,
    /// Calibration wizard per meter.
    pub calibration: HashMap<MeterKey, CalibrationState>,
    /// Recordings: per meter, `None` for the batch selection.
    pub recording: HashMap<Option<MeterKey>, RecordingState>,
    /// Interval and flushing of recordings.
    pub record_options: RecordOptions,
    /// The batch page.
    pub batch: BatchState,
}

impl Default for CommishState {
    fn default() -> Self {
        Self {
            window: WindowOptions {
                samples: 10,
                interval: Duration::from_secs(1),
            },
            wiring: HashMap::new(),
            calibration: HashMap::new(),
            recording: HashMap::new(),
            record_options: RecordOptions::default(),
            batch: BatchState::default(),
        }
    }
}

impl CommishState {
    /// Turn an intent into the backend command it needs (none when nothing
    /// is to send); the PDFs it asks for are written in `tr`'s language.
    /// `provisioned`: the meters set up from the box in this session, for
    /// the commissioning report.
    pub fn handle(
        &mut self,
        intent: Intent,
        model: &mut Model,
        tr: Tr,
        provisioned: &[BatchRow],
    ) -> Option<Command> {
        let address = |key: MeterKey| model.meter(key).map(|m| m.address.clone());
        let request = match intent {
            Intent::CheckWiring(key) => {
                let (Some(address), state) = (address(key), self.wiring.entry(key).or_default()) else {
                    return None;
                };
                let expect = state.expectation()?;
                let job = model.new_job_id();
                *state = WiringState {
                    running: Some(Running::new(job)),
                    ct_primary: std::mem::take(&mut state.ct_primary),
                    ..WiringState::default()
                };
                Request::Job {
                    job,
                    work: Box::new(Work::WiringCheck {
                        address,
                        window: self.window,
                        expect,
                    }),
                }
            }
            Intent::FixWiring(key) => {
                let (Some(address), state) = (address(key), self.wiring.entry(key).or_default()) else {
                    return None;
                };
                let (Some(before), Some(expect)) = (state.check.clone(), state.expectation()) else {
                    return None;
                };
                let job = model.new_job_id();
                state.running = Some(Running::new(job));
                state.error = None;
                state.cancelled = false;
                state.fix = None;
                Request::Job {
                    job,
                    work: Box::new(Work::WiringFix {
                        address,
                        before: Box::new(before),
                        window: self.window,
                        expect,
                    }),
                }
            }
            Intent::SampleCalibration(key) => {
                let address = address(key)?;
                let state = self.calibration.entry(key).or_default();
                let job = model.new_job_id();
                state.running = Some(Running::new(job));
                state.window = None;
                state.error = None;
                state.cancelled = false;
                state.outcome = None;
                state.saved = None;
                Request::Job {
                    job,
                    work: Box::new(Work::CalibrationWindow {
                        address,
                        window: self.window,
                    }),
                }
            }
            Intent::Calibrate(key, prepared) => {
                let address = address(key)?;
                let state = self.calibration.entry(key).or_default();
                let job = model.new_job_id();
                state.running = Some(Running::new(job));
                state.error = None;
                state.cancelled = false;
                let instrument = Some(state.instrument.trim().to_string()).filter(|s| !s.is_empty());
                Request::Job {
                    job,
                    work: Box::new(Work::Calibrate {
                        address,
                        prepared,
                        instrument,
                    }),
                }
            }
            Intent::ResetCalibration(key) => {
                if let Some(state) = self.calibration.get_mut(&key) {
                    let (phase, current) = (state.phase, state.current);
                    *state = CalibrationState {
                        phase,
                        current,
                        ..CalibrationState::default()
                    };
                }
                return None;
            }
            Intent::ApplyProfile => {
                let (profile, addresses, _) = self.batch.preview.clone()?;
                let job = model.new_job_id();
                self.batch.start(job);
                self.batch.applied = None;
                Request::Job {
                    job,
                    work: Box::new(Work::ApplyProfile {
                        profile: Box::new(profile),
                        addresses,
                        password: self.batch.password(),
                    }),
                }
            }
            Intent::SaveProfile(scope) => {
                let (Some((key, path)), Some(scope)) = (self.batch.pending_save.take(), scope) else {
                    return None;
                };
                let m = model.meter(key)?;
                let address = meter_address(&m.address, &m.http_address());
                let job = model.new_job_id();
                self.batch.start(job);
                self.batch.saving = Some(scope);
                Request::Job {
                    job,
                    work: Box::new(Work::SaveProfile {
                        address,
                        path,
                        scope,
                        password: self.batch.password(),
                    }),
                }
            }
            Intent::ChooseFile(purpose, meter) => Request::ChooseFile { purpose, meter },
            Intent::FileChosen(purpose, meter, path) => {
                let path = path?;
                self.file_chosen(purpose, meter, path, model, (tr, provisioned))?
            }
            Intent::Cancel(job) => return Some(Command::Cancel { job }),
        };
        Some(Command::Commissioning(request))
    }

    fn file_chosen(
        &mut self,
        purpose: CommFile,
        meter: Option<MeterKey>,
        path: PathBuf,
        model: &mut Model,
        (tr, provisioned): (Tr, &[BatchRow]),
    ) -> Option<Request> {
        match purpose {
            CommFile::Certificate => {
                let state = self.calibration.get_mut(&meter?)?;
                let outcome = Box::new(state.outcome.clone()?);
                let job = model.new_job_id();
                state.saving = Some(Running::new(job));
                state.saved = None;
                Some(Request::Job {
                    job,
                    work: Box::new(Work::SaveCertificate {
                        outcome,
                        path,
                        lang: tr.0,
                        header: Box::new(self.batch.report.checked_header()),
                    }),
                })
            }
            CommFile::Recording(format) => {
                let addresses = match meter {
                    Some(key) => vec![model.meter(key)?.address.clone()],
                    None => self.batch_addresses(model),
                };
                if addresses.is_empty() {
                    return None;
                }
                let job = model.new_job_id();
                self.recording.insert(
                    meter,
                    RecordingState {
                        running: Some(Running::new(job)),
                        path: Some(path.clone()),
                        meters: addresses.clone(),
                        ..RecordingState::default()
                    },
                );
                Some(Request::Job {
                    job,
                    work: Box::new(Work::Record {
                        addresses,
                        path,
                        format: (format, tr.0),
                        options: self.record_options,
                    }),
                })
            }
            CommFile::OpenProfile => {
                let addresses = self.batch_meter_addresses(model);
                let job = model.new_job_id();
                self.batch.start(job);
                self.batch.preview = None;
                self.batch.applied = None;
                self.batch.profile_path = Some(path.clone());
                Some(Request::Job {
                    job,
                    work: Box::new(Work::PreviewProfile {
                        path,
                        addresses,
                        password: self.batch.password(),
                    }),
                })
            }
            CommFile::SaveProfile => {
                // Asked next: the whole configuration or the Modbus settings only.
                self.batch.pending_save = Some((meter?, path));
                None
            }
            CommFile::BrokerCa => {
                self.batch.report.broker.ca = Some(path);
                None
            }
            CommFile::BrokerCert => {
                self.batch.report.broker.cert = Some(path);
                None
            }
            CommFile::BrokerKey => {
                self.batch.report.broker.key = Some(path);
                None
            }
            CommFile::Report => {
                let checks = self.batch.report.checks().ok()?;
                let addresses = self.batch_meter_addresses(model);
                let job = model.new_job_id();
                self.batch.start(job);
                Some(Request::Job {
                    job,
                    work: Box::new(Work::Report {
                        addresses,
                        password: self.batch.password(),
                        window: self.window,
                        checks: Box::new(checks),
                        path,
                        lang: tr.0,
                        provisioned: provisioned.to_vec(),
                    }),
                })
            }
        }
    }

    /// The ticked meters as profile/report addresses
    /// (`HOST:MODBUS_PORT[,http=HTTP_PORT]`), so that the HTTP steps reach
    /// each meter's API where it really is.
    pub fn batch_meter_addresses(&self, model: &Model) -> Vec<String> {
        model
            .meters
            .iter()
            .filter(|m| self.batch.selected.contains(&m.key))
            .map(|m| meter_address(&m.address, &m.http_address()))
            .collect()
    }

    /// Addresses of the ticked meters, in list order.
    pub fn batch_addresses(&self, model: &Model) -> Vec<String> {
        model
            .meters
            .iter()
            .filter(|m| self.batch.selected.contains(&m.key))
            .map(|m| m.address.clone())
            .collect()
    }

    /// A job made progress.
    pub fn progress(&mut self, job: JobId, fraction: Option<f32>) {
        let running = self
            .wiring
            .values_mut()
            .map(|s| &mut s.running)
            .chain(
                self.calibration
                    .values_mut()
                    .flat_map(|s| [&mut s.running, &mut s.saving]),
            )
            .chain([&mut self.batch.running]);
        for r in running.flatten() {
            if r.job == job {
                r.fraction = fraction;
            }
        }
    }

    /// A job ended.
    pub fn finished(&mut self, job: JobId, outcome: &JobOutcome) {
        let result = match outcome {
            JobOutcome::Commissioning(result) => Ok(result.as_ref()),
            JobOutcome::CommFailed(why) => Err(Some((**why).clone())),
            JobOutcome::Cancelled => Err(None),
            _ => return,
        };
        for state in self.wiring.values_mut() {
            if state.running.is_some_and(|r| r.job == job) {
                state.running = None;
                match result {
                    Ok(CommResult::Wiring(check)) => state.check = Some((**check).clone()),
                    Ok(CommResult::Fixed(fix)) => {
                        state.check = Some(fix.after.clone());
                        state.fix = Some((**fix).clone());
                    }
                    Ok(_) => {}
                    Err(ref why) => {
                        state.error = why.clone();
                        state.cancelled = why.is_none();
                    }
                }
            }
        }
        for state in self.calibration.values_mut() {
            if state.running.is_some_and(|r| r.job == job) {
                state.running = None;
                match result {
                    Ok(CommResult::Window { meter, window }) => {
                        state.window = Some((meter.clone(), (**window).clone()));
                    }
                    Ok(CommResult::Calibrated(outcome)) => state.outcome = Some((**outcome).clone()),
                    Ok(_) => {}
                    Err(ref why) => {
                        state.error = why.clone();
                        state.cancelled = why.is_none();
                    }
                }
            }
            if state.saving.is_some_and(|r| r.job == job) {
                state.saving = None;
                state.saved = match result {
                    Ok(CommResult::Saved(path)) => Some(Ok(path.clone())),
                    Ok(_) | Err(None) => None,
                    Err(Some(ref why)) => Some(Err(why.clone())),
                };
            }
        }
        self.finished_elsewhere(job, result);
    }

    fn finished_elsewhere(&mut self, job: JobId, result: Result<&CommResult, Option<CommFailure>>) {
        for state in self.recording.values_mut() {
            if state.running.is_some_and(|r| r.job == job) {
                state.running = None;
                match result {
                    Ok(CommResult::Recorded(summary)) => {
                        state.rows = summary.rows;
                        state.failed = summary.failed_reads;
                        state.summary = Some(summary.clone());
                    }
                    Ok(_) => {}
                    Err(ref why) => state.error = why.clone(),
                }
            }
        }
        let batch = &mut self.batch;
        if batch.running.is_some_and(|r| r.job == job) {
            batch.running = None;
            batch.saving = None;
            match result {
                Ok(CommResult::ProfilePreview { profile, results }) => {
                    let addresses = results.iter().map(|r| r.meter.clone()).collect();
                    batch.preview = Some((profile.as_ref().clone(), addresses, results.clone()));
                }
                Ok(CommResult::ProfileApplied(results)) => batch.applied = Some(results.clone()),
                Ok(CommResult::ProfileSaved { path, http }) => {
                    batch.saved_profile = Some((path.clone(), *http));
                }
                Ok(CommResult::Report { path, unreachable }) => {
                    batch.saved = Some((path.clone(), unreachable.clone()));
                }
                Ok(_) => {}
                Err(why) => batch.error = why,
            }
        }
    }

    /// A dialog closed or a recording moved on; returns an intent to apply.
    pub fn update(&mut self, update: Update) -> Option<Intent> {
        match update {
            Update::FileChosen { purpose, meter, path } => Some(Intent::FileChosen(purpose, meter, path)),
            Update::Recording { job, rows, failed } => {
                for state in self.recording.values_mut() {
                    if state.running.is_some_and(|r| r.job == job) {
                        (state.rows, state.failed) = (rows, failed);
                    }
                }
                None
            }
        }
    }
}

/// `modbus` with the HTTP port of `http` appended when the API is on the same
/// host (the only form a batch address can carry); else `modbus` alone.
fn meter_address(modbus: &str, http: &str) -> String {
    let host = |addr: &str| addr.rsplit_once(':').map_or(addr, |(h, _)| h).to_string();
    match http.rsplit_once(':') {
        Some((http_host, port)) if http_host == host(modbus) => format!("{modbus},http={port}"),
        _ => modbus.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::meter_address;

    #[test]
    fn batch_addresses_carry_the_http_port_only_for_the_same_host() {
        assert_eq!(
            meter_address("127.0.0.1:5020", "127.0.0.1:8080"),
            "127.0.0.1:5020,http=8080"
        );
        assert_eq!(meter_address("10.0.0.5:502", "10.0.0.6:80"), "10.0.0.5:502");
        assert_eq!(meter_address("10.0.0.5", "10.0.0.5:80"), "10.0.0.5,http=80");
    }
}
