//! Why a commissioning job failed ([`CommFailure`]): what the job was doing
//! and the workflow's own typed error, kept as a value so the window says
//! it in the user's language. Said in words by its `Describe` (the English
//! is its `Display`, what logs show): the action and the window's advice
//! are this module's words, the cause's are its own module's. Texts from a
//! library or the OS (`detail`) stay as they are.

use crate::commissioning::calibrate::CalibrateError;
use crate::commissioning::profile::ProfileError;
use crate::commissioning::record::RecordError;
use crate::commissioning::sampler::SampleError;
use crate::commissioning::wiring_check::FixError;
use crate::i18n::{Describe, Msg, Tr};
use je08_client::endpoint::AddressError;
use je08_net::mqtt_link::SetupError;

/// A failed commissioning job: what was being done and why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct CommFailure {
    /// What the job was doing.
    pub action: CommAction,
    /// Why it failed.
    pub cause: CommCause,
}

/// What a commissioning job was doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommAction {
    /// Sampling for the wiring check.
    CheckWiring,
    /// Writing the wiring check's register fix.
    FixWiring,
    /// Sampling for the calibration preconditions.
    SampleCalibration,
    /// Writing the calibration.
    Calibrate,
    /// Saving a calibration certificate.
    SaveCertificate,
    /// Recording to CSV.
    Record,
    /// Loading a profile and previewing it.
    PreviewProfile,
    /// Applying a profile.
    ApplyProfile,
    /// Reading a meter's configuration into a profile file.
    SaveProfile,
    /// Writing the commissioning report.
    Report,
}

/// Why a commissioning job failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CommCause {
    /// A meter's address cannot be used; nothing was tried.
    Address(AddressError),
    /// A sample window failed (the wiring check).
    Sample(SampleError),
    /// The wiring fix failed (its error says whether it was written).
    Fix(FixError),
    /// The calibration, or the window sampled for it, failed (its error
    /// says whether the gain was written).
    Calibrate(CalibrateError),
    /// The recording stopped.
    Record(RecordError),
    /// A profile could not be read, captured or written (boxed: the
    /// largest cause by far).
    Profile(Box<ProfileError>),
    /// The broker login of the report's MQTT check cannot work.
    BrokerLogin(SetupError),
    /// A document could not be written.
    File {
        /// The file.
        path: String,
        /// What the operating system said.
        detail: String,
    },
    /// The job's background task ended abnormally, in the runtime's words.
    Task(String),
    /// The user cancelled.
    Cancelled,
}

impl CommFailure {
    /// `cause` while doing `action`.
    pub fn new(action: CommAction, cause: CommCause) -> Self {
        Self { action, cause }
    }
}

impl CommCause {
    /// The user cancelled (and the cause says what that left behind):
    /// said on its own, not as a failure of the action.
    fn is_cancellation(&self) -> bool {
        match self {
            Self::Cancelled
            | Self::Sample(SampleError::Cancelled)
            | Self::Calibrate(CalibrateError::Sample(SampleError::Cancelled)) => true,
            Self::Profile(err) => matches!(**err, ProfileError::Cancelled { .. }),
            _ => false,
        }
    }

    /// What the window's user can do about it, besides what it says.
    fn advice(&self) -> Option<Msg> {
        match self {
            Self::Profile(err) => match **err {
                ProfileError::NotReturned { .. } | ProfileError::Interrupted { .. } => {
                    Some(Msg::AdviceModeButtonsBack)
                }
                _ => None,
            },
            _ => None,
        }
    }
}

impl Describe for CommCause {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Address(err) => err.describe(tr),
            Self::Sample(err) => err.describe(tr),
            Self::Fix(err) => err.describe(tr),
            Self::Calibrate(err) => err.describe(tr),
            Self::Record(err) => err.describe(tr),
            Self::Profile(err) => err.describe(tr),
            Self::BrokerLogin(err) => err.describe(tr),
            Self::File { path, detail } => tr.f(Msg::CommFailWrite, &[path, detail]),
            Self::Task(detail) => tr.f(Msg::CommFailTask, &[detail]),
            Self::Cancelled => tr.t(Msg::Cancelled).to_owned(),
        }
    }
}

impl Describe for CommAction {
    /// What the job was doing, as the start of a sentence.
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::CheckWiring => Msg::CommActCheckWiring,
            Self::FixWiring => Msg::CommActFixWiring,
            Self::SampleCalibration => Msg::CommActSampleCalibration,
            Self::Calibrate => Msg::CommActCalibrate,
            Self::SaveCertificate => Msg::CommActSaveCertificate,
            Self::Record => Msg::CommActRecord,
            Self::PreviewProfile => Msg::CommActPreviewProfile,
            Self::ApplyProfile => Msg::CommActApplyProfile,
            Self::SaveProfile => Msg::CommActSaveProfile,
            Self::Report => Msg::CommActReport,
        })
        .to_owned()
    }
}

impl Describe for CommFailure {
    /// "The action failed: the cause", with the window's advice when there
    /// is some; a cancellation is said on its own.
    fn describe(&self, tr: Tr) -> String {
        let cause = self.cause.describe(tr);
        if self.cause.is_cancellation() {
            return cause;
        }
        let action = self.action.describe(tr);
        match self.cause.advice() {
            Some(advice) => tr.f(Msg::StepFailedAdvised, &[&action, &cause, tr.t(advice)]),
            None => tr.f(Msg::StepFailed, &[&action, &cause]),
        }
    }
}

je08_protocol::english_display!(errors: CommFailure);
je08_protocol::english_display!(CommAction);

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::commissioning::profile::ProfileProblem;
    use crate::i18n::Lang;
    use je08_client::endpoint::Endpoint;
    use je08_client::http::HttpError;
    use je08_client::modbus::{ModbusError, Operation};
    use je08_client::params::{ParamsError, Stage};
    use je08_protocol::analysis::calibration::Refusal;
    use je08_protocol::analysis::wiring::Phase;
    use je08_protocol::mode::Mode;
    use je08_protocol::validate::WriteError;

    const DETAIL: &str = "permission denied (os error 13)";

    const ACTIONS: [CommAction; 10] = [
        CommAction::CheckWiring,
        CommAction::FixWiring,
        CommAction::SampleCalibration,
        CommAction::Calibrate,
        CommAction::SaveCertificate,
        CommAction::Record,
        CommAction::PreviewProfile,
        CommAction::ApplyProfile,
        CommAction::SaveProfile,
        CommAction::Report,
    ];

    fn samples() -> Vec<SampleError> {
        let endpoint = || Endpoint::parse("10.0.0.7:502", 502).expect("address");
        vec![
            SampleError::Modbus(ModbusError::Refused { meter: endpoint() }),
            SampleError::Modbus(ModbusError::Timeout {
                meter: endpoint(),
                op: Operation::Read { first: 0, count: 110 },
                timeout: Duration::from_millis(1000),
            }),
            SampleError::Cancelled,
            SampleError::SettingsChanged {
                meter: "10.0.0.7:502".into(),
            },
        ]
    }

    fn causes() -> Vec<CommCause> {
        let meter = || "10.0.0.7:80".to_string();
        let params = || ParamsError::Modbus {
            stage: Stage::Save,
            source: ModbusError::Refused {
                meter: Endpoint::parse("10.0.0.7:502", 502).expect("address"),
            },
        };
        let invalid = || WriteError::NoSuchRegister { addr: 200 };
        let mut causes: Vec<CommCause> = samples().into_iter().map(CommCause::Sample).collect();
        causes.extend(
            samples()
                .into_iter()
                .map(|e| CommCause::Fix(FixError::Recheck(e))),
        );
        causes.extend(
            samples()
                .into_iter()
                .map(|e| CommCause::Calibrate(CalibrateError::Sample(e))),
        );
        causes.extend(
            samples()
                .into_iter()
                .map(|e| CommCause::Calibrate(CalibrateError::Remeasure(e))),
        );
        let profile = |problem| ProfileError::Invalid {
            path: "/tmp/p.toml".into(),
            problem,
        };
        causes.extend([
            CommCause::Address(Endpoint::parse("a b", 502).unwrap_err()),
            CommCause::Fix(FixError::NothingToFix),
            CommCause::Fix(FixError::Invalid(invalid())),
            CommCause::Fix(FixError::Params(params())),
            CommCause::Calibrate(CalibrateError::Refused(Refusal::CurrentTooLow {
                phase: Phase::B,
                amps: 80.0,
                needed: 250.0,
                rating_a: 500,
            })),
            CommCause::Calibrate(CalibrateError::Invalid(invalid())),
            CommCause::Calibrate(CalibrateError::Params(params())),
            CommCause::Record(RecordError::File {
                path: "/tmp/r.csv".into(),
                detail: DETAIL.into(),
            }),
            CommCause::Profile(Box::new(ProfileError::Read {
                path: "/tmp/p.toml".into(),
                detail: DETAIL.into(),
            })),
            CommCause::Profile(Box::new(ProfileError::Write {
                path: "/tmp/p.toml".into(),
                detail: DETAIL.into(),
            })),
            CommCause::Profile(Box::new(profile(ProfileProblem::Toml {
                detail: DETAIL.into(),
            }))),
            CommCause::Profile(Box::new(profile(ProfileProblem::Secret {
                detail: DETAIL.into(),
            }))),
            CommCause::Profile(Box::new(profile(ProfileProblem::Format { format: 3 }))),
            CommCause::Profile(Box::new(profile(ProfileProblem::HttpInFormat1))),
            CommCause::Profile(Box::new(profile(ProfileProblem::Setting(invalid())))),
            CommCause::Profile(Box::new(profile(ProfileProblem::Template {
                field: "mqtt.client_id".into(),
                text: "a{b}".into(),
            }))),
            CommCause::Profile(Box::new(ProfileError::Http(HttpError::Unreachable {
                meter: meter(),
                detail: DETAIL.into(),
            }))),
            CommCause::Profile(Box::new(ProfileError::WrongMode {
                meter: meter(),
                mode: Mode::Update,
            })),
            CommCause::Profile(Box::new(ProfileError::Mismatch {
                meter: meter(),
                modbus_id: 7,
                http_id: 8,
            })),
            CommCause::Profile(Box::new(ProfileError::Cancelled {
                rebooted: true,
                mode: Mode::Application,
            })),
            CommCause::Profile(Box::new(ProfileError::Cancelled {
                rebooted: false,
                mode: Mode::Configuration,
            })),
            CommCause::Profile(Box::new(ProfileError::NotReturned {
                meter: meter(),
                mode: Mode::Application,
                source: HttpError::Unreachable {
                    meter: meter(),
                    detail: DETAIL.into(),
                },
            })),
            CommCause::Profile(Box::new(ProfileError::Interrupted {
                meter: meter(),
                mode: Mode::Application,
            })),
            CommCause::BrokerLogin(SetupError::CaRequired {
                broker: "mqtts://10.0.0.9:8883".into(),
            }),
            CommCause::File {
                path: "/tmp/r.pdf".into(),
                detail: DETAIL.into(),
            },
            CommCause::Task(DETAIL.into()),
            CommCause::Cancelled,
        ]);
        causes
    }

    #[test]
    fn every_failure_reads_in_both_languages_and_keeps_the_os_words() {
        let failures = causes()
            .into_iter()
            .zip(ACTIONS.into_iter().cycle())
            .map(|(cause, action)| CommFailure::new(action, cause));
        for failure in failures {
            let english = failure.to_string();
            let portuguese = failure.describe(Tr(Lang::PtBr));
            assert!(!portuguese.is_empty());
            assert_ne!(portuguese, english, "{english} is not translated");
            assert!(!english.contains("je08 mode"), "no command line: {english}");
            if english.contains(DETAIL) {
                assert!(portuguese.contains(DETAIL), "{portuguese} lost the detail");
            }
        }
    }

    #[test]
    fn a_failure_names_the_action_and_says_what_was_written() {
        let recheck = CommFailure::new(
            CommAction::FixWiring,
            CommCause::Fix(FixError::Recheck(SampleError::SettingsChanged {
                meter: "10.0.0.7:502".into(),
            })),
        );
        assert_eq!(
            recheck.to_string(),
            "The wiring fix failed: the fix was written but the re-check failed: meter 10.0.0.7:502: the settings changed while sampling (another client is writing to the meter); try again"
        );
        let file = CommFailure::new(
            CommAction::Report,
            CommCause::File {
                path: "/tmp/r.pdf".into(),
                detail: DETAIL.into(),
            },
        );
        assert_eq!(
            file.describe(Tr(Lang::PtBr)),
            format!("O relatório falhou: não foi possível gravar /tmp/r.pdf: {DETAIL}")
        );
    }

    #[test]
    fn a_cancelled_whole_configuration_save_in_portuguese() {
        let failure = CommFailure::new(
            CommAction::SaveProfile,
            CommCause::Profile(Box::new(ProfileError::Cancelled {
                rebooted: true,
                mode: Mode::Application,
            })),
        );
        assert_eq!(
            failure.describe(Tr(Lang::PtBr)),
            "cancelado; o medidor reiniciou duas vezes e voltou ao modo aplicação (seus contadores de energia recomeçaram do zero)"
        );
    }
}
