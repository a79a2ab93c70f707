//! Exit statuses of every command, in one table, and the one classifier
//! that turns a typed failure into its status (and its JSON error).
//!
//! Commands return `Ok(code)` for what they decide themselves (done, done
//! with findings) and `Err(..)` for failures; [`Outcome::of_error`] reads
//! the typed errors in the chain: a connection or deadline failure is
//! [`Outcome::Unreachable`], a meter's refusal or a validation that
//! stopped the command before anything was written is [`Outcome::Refused`],
//! a cancelled job is [`Outcome::Interrupted`], anything else
//! [`Outcome::Failed`]. A command-line check of its own is marked refused
//! with [`refused`].

use std::fmt;
use std::process::ExitCode;

use serde::Serialize;

use crate::commissioning::calibrate::CalibrateError;
use crate::commissioning::profile::ProfileError;
use crate::commissioning::provision::ProvisionError;
use crate::commissioning::sampler::SampleError;
use crate::commissioning::wiring_check::FixError;
use je08_client::flash::FlashError;
use je08_client::http::HttpError;
use je08_client::modbus::ModbusError;
use je08_client::ota::OtaError;
use je08_client::params::ParamsError;
use je08_protocol::validate::WriteError;

/// How a command ended, as a class with one exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// 0: done, nothing to report.
    Done,
    /// 1: failed (a read-back mismatch, a meter that did not come back, a file not written…).
    Failed,
    /// 2: the command line itself is wrong (clap's usage error).
    Usage,
    /// 3: done, with findings (a wiring fault, a report with failed meters).
    Findings,
    /// 4: a meter (or broker) could not be reached or did not answer in time.
    Unreachable,
    /// 5: refused by the meter (password, mode, value) or by validation before anything was sent.
    Refused,
    /// 130: interrupted by Ctrl-C (128 + SIGINT).
    Interrupted,
    /// 141: standard output was closed (128 + SIGPIPE).
    Closed,
}

impl Outcome {
    /// Every outcome, in the order of the table.
    pub const ALL: [Self; 8] = [
        Self::Done,
        Self::Failed,
        Self::Usage,
        Self::Findings,
        Self::Unreachable,
        Self::Refused,
        Self::Interrupted,
        Self::Closed,
    ];

    /// The process exit status.
    pub const fn code(self) -> u8 {
        match self {
            Self::Done => 0,
            Self::Failed => 1,
            Self::Usage => 2,
            Self::Findings => 3,
            Self::Unreachable => 4,
            Self::Refused => 5,
            Self::Interrupted => 130,
            Self::Closed => 141,
        }
    }

    /// The name in JSON errors (`"kind"`) and in the table.
    pub const fn kind(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Usage => "usage",
            Self::Findings => "findings",
            Self::Unreachable => "unreachable",
            Self::Refused => "refused",
            Self::Interrupted => "interrupted",
            Self::Closed => "closed",
        }
    }

    /// What the status means, for the table in `je08 --help`.
    pub const fn meaning(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Usage => "usage error (bad option or argument)",
            Self::Findings => "done with findings (wiring faults, a report with failed meters)",
            Self::Unreachable => "a meter or broker could not be reached or did not answer in time",
            Self::Refused => "refused by the meter or by validation (password, mode, value)",
            Self::Interrupted => "interrupted (Ctrl-C)",
            Self::Closed => "standard output was closed (e.g. `| head`)",
        }
    }

    /// The class of a failure: the first typed error in its chain that says.
    pub fn of_error(err: &anyhow::Error) -> Self {
        err.chain()
            .find_map(|cause| {
                if cause.downcast_ref::<Refusal>().is_some() {
                    Some(Self::Refused)
                } else if let Some(e) = cause.downcast_ref::<ModbusError>() {
                    Some(modbus(e))
                } else if let Some(e) = cause.downcast_ref::<HttpError>() {
                    Some(http(e))
                } else if let Some(e) = cause.downcast_ref::<OtaError>() {
                    Some(ota(e))
                } else if let Some(e) = cause.downcast_ref::<FlashError>() {
                    Some(match e {
                        FlashError::BadImage(_) => Self::Refused,
                        FlashError::Http(e) => http(e),
                        FlashError::Ota(e) => ota(e),
                    })
                } else if cause.downcast_ref::<WriteError>().is_some() {
                    Some(Self::Refused)
                } else if let Some(e) = cause.downcast_ref::<ParamsError>() {
                    Some(params(e))
                } else if let Some(e) = cause.downcast_ref::<SampleError>() {
                    Some(sample(e))
                } else if let Some(e) = cause.downcast_ref::<FixError>() {
                    Some(match e {
                        FixError::NothingToFix => Self::Failed,
                        FixError::Invalid(_) => Self::Refused,
                        FixError::Params(e) => params(e),
                        FixError::Recheck(e) => sample(e),
                    })
                } else if let Some(e) = cause.downcast_ref::<CalibrateError>() {
                    Some(match e {
                        CalibrateError::Sample(e) | CalibrateError::Remeasure(e) => sample(e),
                        CalibrateError::Refused(_) | CalibrateError::Invalid(_) => Self::Refused,
                        CalibrateError::Params(e) => params(e),
                    })
                } else if let Some(e) = cause.downcast_ref::<ProvisionError>() {
                    Some(provision(e))
                } else {
                    cause.downcast_ref::<ProfileError>().map(profile)
                }
            })
            .unwrap_or(Self::Failed)
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        Self::from(outcome.code())
    }
}

/// `je08 --help`'s footer: the exit statuses (checked against [`Outcome`]
/// by a unit test, since clap needs it as a constant).
pub const HELP_FOOTER: &str = "\
Exit status (every command):
    0    done
    1    failed
    2    usage error (bad option or argument)
    3    done with findings (wiring faults, a report with failed meters)
    4    a meter or broker could not be reached or did not answer in time
    5    refused by the meter or by validation (password, mode, value)
  130    interrupted (Ctrl-C)
  141    standard output was closed (e.g. `| head`)

With --json, failures are one JSON object on stderr:
  {\"error\":{\"kind\":\"unreachable\",\"meter\":\"HOST:PORT\",\"message\":\"…\"}}";

/// A failure the command line refused before anything was sent (a value
/// out of range, a missing confirmation): exit status 5. Its words are the
/// inner error's.
#[derive(Debug)]
pub struct Refusal(anyhow::Error);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Mark `err` as refused by validation (exit status 5).
pub fn refused(err: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(Refusal(err.into()))
}

/// The class of a provisioning failure.
fn provision(e: &ProvisionError) -> Outcome {
    match e {
        ProvisionError::ApNotReached { source, .. }
        | ProvisionError::ConfigurationMode { source, .. }
        | ProvisionError::Write { source, .. }
        | ProvisionError::Reboot { source, .. } => http(source),
        ProvisionError::Invalid(_) => Outcome::Refused,
        ProvisionError::ProfileFile(e) => profile(e),
        ProvisionError::NotFound { .. } | ProvisionError::Confirm { .. } => Outcome::Unreachable,
        ProvisionError::Cancelled { .. } => Outcome::Interrupted,
        ProvisionError::Mdns(_) | ProvisionError::WrongMeter { .. } | ProvisionError::Profile { .. } => {
            Outcome::Failed
        }
    }
}

/// The meter a failure names, from the first typed error that names one.
pub fn meter_of(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        if let Some(ProvisionError::ApNotReached { ap, .. }) = cause.downcast_ref::<ProvisionError>() {
            return Some(ap.clone());
        }
        if let Some(e) = cause.downcast_ref::<ModbusError>() {
            Some(modbus_meter(e).to_string())
        } else if let Some(e) = cause.downcast_ref::<HttpError>() {
            e.meter().map(str::to_owned)
        } else if let Some(FlashError::Http(e)) = cause.downcast_ref::<FlashError>() {
            e.meter().map(str::to_owned)
        } else {
            None
        }
    })
}

/// The JSON form of a failure (`{"error":{"kind","meter","message"}}`).
pub fn error_json(err: &anyhow::Error, message: &str) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "kind": Outcome::of_error(err).kind(),
            "meter": meter_of(err),
            "message": message,
        }
    })
}

/// Say a failure a command decided itself (a read-back mismatch, a meter
/// that did not reset) on stderr, as JSON with `json`, and give its status.
pub fn fail(json: bool, outcome: Outcome, meter: Option<&str>, message: &str) -> ExitCode {
    if json {
        errln!(
            "{}",
            serde_json::json!({"error": {"kind": outcome.kind(), "meter": meter, "message": message}})
        );
    } else {
        errln!("error: {message}");
    }
    outcome.into()
}

fn modbus_meter(err: &ModbusError) -> &je08_client::endpoint::Endpoint {
    match err {
        ModbusError::Timeout { meter, .. }
        | ModbusError::Refused { meter }
        | ModbusError::Unreachable { meter, .. }
        | ModbusError::Io { meter, .. }
        | ModbusError::Exception { meter, .. }
        | ModbusError::Protocol { meter, .. } => meter,
    }
}

fn modbus(err: &ModbusError) -> Outcome {
    match err {
        ModbusError::Timeout { .. }
        | ModbusError::Refused { .. }
        | ModbusError::Unreachable { .. }
        | ModbusError::Io { .. } => Outcome::Unreachable,
        ModbusError::Exception { .. } => Outcome::Refused,
        ModbusError::Protocol { .. } => Outcome::Failed,
    }
}

fn http(err: &HttpError) -> Outcome {
    match err {
        HttpError::Unreachable { .. } | HttpError::Timeout { .. } => Outcome::Unreachable,
        HttpError::Unauthorized { .. }
        | HttpError::WrongMode { .. }
        | HttpError::Rejected { .. }
        | HttpError::Invalid { .. }
        | HttpError::TooLarge { .. }
        | HttpError::BadImage(_)
        | HttpError::UpdateFailed { .. } => Outcome::Refused,
        HttpError::Protocol { .. }
        | HttpError::Redirected { .. }
        | HttpError::BodyTooLarge { .. }
        | HttpError::BadInfo { .. }
        | HttpError::NotBack { .. } => Outcome::Failed,
    }
}

fn ota(err: &OtaError) -> Outcome {
    match err {
        OtaError::NoAnswer { .. } | OtaError::Timeout { .. } => Outcome::Unreachable,
        OtaError::BadImage(_)
        | OtaError::Unauthorized { .. }
        | OtaError::PasswordNeeded { .. }
        | OtaError::Refused { .. } => Outcome::Refused,
        _ => Outcome::Failed,
    }
}

fn params(err: &ParamsError) -> Outcome {
    match err {
        ParamsError::Modbus { source, .. } => modbus(source),
        ParamsError::Concurrent(_) => Outcome::Refused,
    }
}

fn sample(err: &SampleError) -> Outcome {
    match err {
        SampleError::Modbus(e) => modbus(e),
        SampleError::Cancelled => Outcome::Interrupted,
        SampleError::SettingsChanged { .. } => Outcome::Failed,
    }
}

fn profile(err: &ProfileError) -> Outcome {
    match err {
        ProfileError::Modbus(e) => modbus(e),
        ProfileError::Http(e) => http(e),
        ProfileError::Invalid { .. } | ProfileError::WrongMode { .. } | ProfileError::Mismatch { .. } => {
            Outcome::Refused
        }
        ProfileError::Cancelled { .. } | ProfileError::Interrupted { .. } => Outcome::Interrupted,
        _ => Outcome::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_client::endpoint::Endpoint;

    #[test]
    fn the_help_footer_lists_every_outcome_with_its_code_and_meaning() {
        for outcome in Outcome::ALL {
            let line = format!("{:>5}    {}", outcome.code(), outcome.meaning());
            assert!(HELP_FOOTER.contains(&line), "missing {line:?} in the footer");
        }
        let codes: std::collections::BTreeSet<u8> = Outcome::ALL.iter().map(|o| o.code()).collect();
        assert_eq!(codes.len(), Outcome::ALL.len(), "one code per outcome");
    }

    #[test]
    fn typed_failures_map_to_their_class_through_context() {
        let meter = Endpoint::parse("127.0.0.1:1", 502).expect("endpoint");
        let closed = anyhow::Error::new(ModbusError::Refused { meter: meter.clone() }).context("reading");
        assert_eq!(Outcome::of_error(&closed), Outcome::Unreachable);
        assert_eq!(meter_of(&closed).as_deref(), Some("127.0.0.1:1"));
        let password = anyhow::Error::new(FlashError::Http(HttpError::Unauthorized {
            meter: "10.0.0.9:80".into(),
        }));
        assert_eq!(Outcome::of_error(&password), Outcome::Refused);
        assert_eq!(meter_of(&password).as_deref(), Some("10.0.0.9:80"));
        let mine = refused(anyhow::anyhow!("--ct-ratio 10: out of range"));
        assert_eq!(Outcome::of_error(&mine), Outcome::Refused);
        assert_eq!(mine.to_string(), "--ct-ratio 10: out of range");
        assert_eq!(Outcome::of_error(&anyhow::anyhow!("disk full")), Outcome::Failed);
        let json = error_json(&closed, "m");
        assert_eq!(json["error"]["kind"], "unreachable");
        assert_eq!(json["error"]["meter"], "127.0.0.1:1");
    }
}
