//! Why a commissioning job failed ([`CommFailure`]), machine-readable so
//! the window can say it in the user's language (`ui::comm_failure_text`);
//! `Display` is the English sentence logs show. Texts from the OS or a
//! library (`detail`) stay as they are inside the sentence.

use std::fmt;

use crate::backend::link::LinkError;
use crate::commissioning::calibrate::CalibrateError;
use crate::commissioning::profile::ProfileError;
use crate::commissioning::record::RecordError;
use crate::commissioning::sampler::SampleError;
use crate::commissioning::wiring_check::FixError;
use je08_client::endpoint::Endpoint;
use je08_client::modbus::DEFAULT_PORT;
use je08_client::params::ParamsError;
use je08_net::mqtt_link::SetupError;
use je08_protocol::mode::Mode;

/// A failed commissioning job: what was being done and why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommFailure {
    /// What the job was doing.
    pub action: CommAction,
    /// Why it failed.
    pub cause: CommCause,
    /// What the failure means for the meter, when it matters.
    pub after: Aftermath,
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

/// What a failure means for the meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aftermath {
    /// Nothing to add.
    Nothing,
    /// Nothing was written to the meter.
    NothingWritten,
    /// The wiring fix was written, but checking again failed.
    FixWritten,
    /// The new gain was written and saved, but measuring again failed.
    GainWritten,
}

/// Why a commissioning job failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommCause {
    /// The Modbus client failed (or the address cannot be used).
    Link(LinkError),
    /// Another client changed the meter's settings while sampling.
    SettingsChanged {
        /// The meter.
        meter: String,
    },
    /// The user cancelled.
    Cancelled,
    /// The user cancelled a profile capture; the meter is in its mode.
    ProfileCancelled {
        /// It rebooted (into the other mode and back) first.
        rebooted: bool,
        /// The mode it is in.
        mode: Mode,
    },
    /// The meter could not be returned to the mode it was in.
    NotReturned {
        /// The meter's HTTP address.
        meter: String,
        /// The mode it started in.
        mode: Mode,
        /// Why, in the HTTP client's words.
        detail: String,
    },
    /// The meter is in a mode a profile cannot be read in.
    WrongMode {
        /// The meter.
        meter: String,
        /// Its mode.
        mode: Mode,
    },
    /// A profile file is not a valid profile.
    InvalidProfile {
        /// The file.
        path: String,
        /// What is wrong, in the parser's words.
        detail: String,
    },
    /// A file could not be read or written.
    File {
        /// The file.
        path: String,
        /// It was being written (else read).
        write: bool,
        /// The OS's text.
        detail: String,
    },
    /// The broker login of the report's MQTT check cannot work.
    BrokerLogin(SetupError),
    /// Anything else, in the library's words.
    Other(String),
}

impl CommFailure {
    /// `cause` while doing `action`, with nothing to add.
    pub fn new(action: CommAction, cause: CommCause) -> Self {
        Self {
            action,
            cause,
            after: Aftermath::Nothing,
        }
    }

    /// Anything else while doing `action`.
    pub fn other(action: CommAction, detail: impl fmt::Display) -> Self {
        Self::new(action, CommCause::Other(detail.to_string()))
    }

    /// The same failure, meaning `after` for the meter.
    pub fn then(mut self, after: Aftermath) -> Self {
        self.after = after;
        self
    }

    /// An unusable Modbus address.
    pub fn address(action: CommAction, text: &str) -> Self {
        match Endpoint::parse(text, DEFAULT_PORT) {
            Err(err) => Self::new(action, CommCause::Link(LinkError::BadAddress(err))),
            Ok(_) => Self::other(action, format!("'{text}' is not a meter address")),
        }
    }

    /// A failed sample window.
    pub fn sample(action: CommAction, err: &SampleError) -> Self {
        let cause = match err {
            SampleError::Modbus(e) => CommCause::Link(LinkError::Modbus(e.clone())),
            SampleError::Cancelled => CommCause::Cancelled,
            SampleError::SettingsChanged { meter } => CommCause::SettingsChanged { meter: meter.clone() },
        };
        Self::new(action, cause)
    }

    /// A failed wiring fix.
    pub fn fix(err: &FixError) -> Self {
        let action = CommAction::FixWiring;
        match err {
            FixError::Params(e) => Self::params(action, e),
            FixError::Recheck(e) => Self::sample(action, e).then(Aftermath::FixWritten),
            FixError::NothingToFix | FixError::Invalid(_) => Self::other(action, err),
        }
    }

    /// A failed calibration.
    pub fn calibrate(err: &CalibrateError) -> Self {
        let action = CommAction::Calibrate;
        match err {
            CalibrateError::Sample(e) => Self::sample(action, e).then(Aftermath::NothingWritten),
            CalibrateError::Params(e) => Self::params(action, e),
            CalibrateError::Remeasure(e) => Self::sample(action, e).then(Aftermath::GainWritten),
            CalibrateError::Refused(_) | CalibrateError::Invalid(_) => Self::other(action, err),
        }
    }

    fn params(action: CommAction, err: &ParamsError) -> Self {
        Self::new(action, CommCause::Link(LinkError::Params(err.clone())))
    }

    /// A failed recording.
    pub fn record(err: &RecordError) -> Self {
        let RecordError::File { path, source } = err;
        Self::new(
            CommAction::Record,
            CommCause::File {
                path: path.clone(),
                write: true,
                detail: source.to_string(),
            },
        )
    }

    /// A failed profile load, capture, apply or save.
    pub fn profile(action: CommAction, err: &ProfileError) -> Self {
        let cause = match err {
            ProfileError::Io { path, source } => CommCause::File {
                path: path.clone(),
                write: action == CommAction::SaveProfile,
                detail: source.to_string(),
            },
            ProfileError::Invalid { path, reason } => CommCause::InvalidProfile {
                path: path.clone(),
                detail: reason.clone(),
            },
            ProfileError::Modbus(e) => CommCause::Link(LinkError::Modbus(e.clone())),
            ProfileError::WrongMode { meter, mode } => CommCause::WrongMode {
                meter: meter.clone(),
                mode: *mode,
            },
            ProfileError::Cancelled { rebooted, mode } => CommCause::ProfileCancelled {
                rebooted: *rebooted,
                mode: *mode,
            },
            ProfileError::NotReturned { meter, mode, source } => CommCause::NotReturned {
                meter: meter.clone(),
                mode: *mode,
                detail: source.to_string(),
            },
            ProfileError::Http(_) | ProfileError::Mismatch { .. } | ProfileError::Interrupted { .. } => {
                CommCause::Other(err.to_string())
            }
        };
        Self::new(action, cause)
    }
}

impl fmt::Display for CommFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.after == Aftermath::FixWritten {
            f.write_str("the fix was written but the re-check failed: ")?;
        }
        if self.after == Aftermath::GainWritten {
            f.write_str("the new gain was written and saved but measuring again failed: ")?;
        }
        match &self.cause {
            CommCause::Link(err) => write!(f, "{err}")?,
            CommCause::SettingsChanged { meter } => write!(
                f,
                "meter {meter}: the settings changed while sampling (another client is writing to the meter); try again"
            )?,
            CommCause::Cancelled => f.write_str("cancelled")?,
            CommCause::ProfileCancelled { rebooted: true, mode } => write!(
                f,
                "cancelled; the meter rebooted twice and is back in {mode} mode (its energy counters restarted from zero)"
            )?,
            CommCause::ProfileCancelled {
                rebooted: false,
                mode,
            } => write!(
                f,
                "cancelled; the meter was not rebooted and is still in {mode} mode"
            )?,
            CommCause::NotReturned { meter, mode, detail } => write!(
                f,
                "meter {meter} could not be returned to {mode} mode: {detail}; switch it back with `je08 mode {meter} {mode}`"
            )?,
            CommCause::WrongMode { meter, mode } => write!(
                f,
                "meter {meter} is in {mode} mode; switch it to application mode first (`je08 mode {meter} application`)"
            )?,
            CommCause::InvalidProfile { path, detail } => {
                write!(f, "profile {path} is not a valid je08 profile: {detail}")?;
            }
            CommCause::File {
                path,
                write: true,
                detail,
            } => write!(f, "cannot write {path}: {detail}")?,
            CommCause::File {
                path,
                write: false,
                detail,
            } => write!(f, "cannot read {path}: {detail}")?,
            CommCause::BrokerLogin(err) => write!(f, "{} failed: {err}", self.action)?,
            CommCause::Other(detail) => write!(f, "{} failed: {detail}", self.action)?,
        }
        if self.after == Aftermath::NothingWritten {
            f.write_str("; nothing was written")?;
        }
        Ok(())
    }
}

impl fmt::Display for CommAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CheckWiring => "The wiring check",
            Self::FixWiring => "The wiring fix",
            Self::SampleCalibration => "Sampling for the calibration",
            Self::Calibrate => "The calibration",
            Self::SaveCertificate => "Saving the certificate",
            Self::Record => "The recording",
            Self::PreviewProfile => "The profile preview",
            Self::ApplyProfile => "Applying the profile",
            Self::SaveProfile => "Saving the profile",
            Self::Report => "The report",
        })
    }
}

impl std::error::Error for CommFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_english_is_the_libraries_own_sentence() {
        let cancelled = |rebooted| ProfileError::Cancelled {
            rebooted,
            mode: Mode::Application,
        };
        for err in [cancelled(true), cancelled(false)] {
            let failure = CommFailure::profile(CommAction::SaveProfile, &err);
            assert_eq!(failure.to_string(), err.to_string());
        }
        let changed = SampleError::SettingsChanged {
            meter: "10.0.0.7:502".into(),
        };
        assert_eq!(
            CommFailure::sample(CommAction::CheckWiring, &changed).to_string(),
            changed.to_string()
        );
        let remeasure = CalibrateError::Remeasure(SampleError::Cancelled);
        assert_eq!(
            CommFailure::calibrate(&remeasure).to_string(),
            remeasure.to_string()
        );
        let sample = CalibrateError::Sample(SampleError::Cancelled);
        assert_eq!(CommFailure::calibrate(&sample).to_string(), sample.to_string());
        let recheck = FixError::Recheck(SampleError::Cancelled);
        assert_eq!(CommFailure::fix(&recheck).to_string(), recheck.to_string());
        let invalid = ProfileError::Invalid {
            path: "p.toml".into(),
            reason: "bad".into(),
        };
        assert_eq!(
            CommFailure::profile(CommAction::PreviewProfile, &invalid).to_string(),
            invalid.to_string()
        );
        let bad = CommFailure::address(CommAction::Record, "a b");
        assert_eq!(
            bad.to_string(),
            Endpoint::parse("a b", DEFAULT_PORT).unwrap_err().to_string()
        );
    }
}
