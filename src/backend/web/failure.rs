//! Why an HTTP job failed ([`WebFailure`]), machine-readable so the window
//! can say it in the user's language (`ui::web_failure_text`); `Display` is
//! the English sentence: what failed, on which meter, what to do there.
//! Texts that come from a library or the OS (`detail`, `reason`) stay as
//! they are inside the sentence.

use std::fmt;
use std::time::Duration;

use je08_client::http::HttpError;
use je08_client::ota::OtaError;
use je08_net::certs::Problem;
use je08_protocol::firmware::Check;
use je08_protocol::http_api::{CertKind, FACTORY_PASSWORD, Mode};

/// Why an HTTP job failed.
#[derive(Debug, Clone, PartialEq)]
pub enum WebFailure {
    /// One step of the job failed.
    Step {
        /// What was being done.
        action: WebAction,
        /// The meter's HTTP API address (`host:port`).
        meter: String,
        /// Why it failed.
        cause: Cause,
    },
    /// The job as a whole did not finish within its deadline.
    Deadline {
        /// The meter's HTTP API address.
        meter: String,
        /// The deadline in seconds.
        seconds: u64,
    },
    /// The meter's address cannot be used; nothing was tried.
    BadAddress {
        /// The address parser's own text (as the meters list shows it).
        detail: String,
    },
}

/// What an HTTP job was doing when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebAction {
    /// `GET /api/info`.
    ReadIdentity,
    /// Reading the settings blocks and certificate slots.
    ReadSettings,
    /// Rebooting into a mode.
    SwitchMode(Mode),
    /// Storing a whole block and reading it back.
    Save(BlockKind),
    /// Checking the certificate files before anything is sent.
    CertPreflight,
    /// Uploading one certificate slot.
    Upload(CertKind),
    /// Reading the certificate slots after an upload.
    ReadCertSlots,
    /// The whole firmware update.
    UpdateFirmware,
}

/// Which settings block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// Wi-Fi, addresses, device name, interface password.
    Connectivity,
    /// Modbus, MQTT, DS18B20.
    Protocols,
    /// CT ratio and inversions.
    Ct,
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// HTTP 401: the interface password is wrong or missing.
    PasswordRefused,
    /// HTTP 409: the meter is not in the mode this needs.
    WrongMode {
        /// The mode needed.
        needed: Mode,
    },
    /// No TCP connection could be made.
    Unreachable {
        /// The network error.
        detail: String,
    },
    /// The meter did not answer one request in time.
    NoAnswer {
        /// The request deadline.
        timeout: Duration,
    },
    /// The meter did not come back in the wanted mode after a reboot.
    NotBack {
        /// The mode waited for.
        wanted: Mode,
        /// How long it was waited for.
        deadline: Duration,
        /// The last thing seen.
        detail: String,
    },
    /// HTTP 422: the meter refused a value.
    Rejected {
        /// The field.
        field: String,
        /// The meter's reason.
        reason: String,
    },
    /// The meter refused or failed the firmware update.
    FirmwareRefused {
        /// The meter's reason.
        reason: String,
    },
    /// The image failed validation: nothing was sent.
    BadImage {
        /// The file as shown to the user.
        file: String,
        /// The first failed check.
        check: Box<Check>,
    },
    /// The certificate pre-flight found problems (or could not read a
    /// file): nothing was sent.
    CertProblems {
        /// Every problem, as the pre-flight report has it.
        problems: Vec<Problem>,
    },
    /// A certificate file could not be read for its upload.
    CertFile {
        /// What is wrong with it.
        problem: Problem,
    },
    /// A certificate file is not text.
    NotText {
        /// The file.
        file: String,
    },
    /// The meter's host name does not resolve (espota needs its address).
    Unresolvable {
        /// The host.
        host: String,
    },
    /// espota refused the interface password (or needed one).
    EspotaPassword,
    /// The espota push failed otherwise.
    Espota {
        /// The espota client's text.
        detail: String,
    },
    /// Anything else: a file that cannot be read, an unexpected answer.
    Other {
        /// The library's or the OS's text.
        detail: String,
    },
}

impl Cause {
    /// The cause of an HTTP client error.
    pub fn of_http(err: &HttpError) -> Self {
        match err {
            HttpError::Unauthorized { .. } => Self::PasswordRefused,
            HttpError::WrongMode { needed, .. } => Self::WrongMode { needed: *needed },
            HttpError::Unreachable { detail, .. } => Self::Unreachable {
                detail: detail.clone(),
            },
            HttpError::Timeout { timeout, .. } => Self::NoAnswer { timeout: *timeout },
            HttpError::NotBack {
                wanted,
                deadline,
                detail,
                ..
            } => Self::NotBack {
                wanted: *wanted,
                deadline: *deadline,
                detail: detail.clone(),
            },
            HttpError::Rejected { field, reason, .. } => Self::Rejected {
                field: field.clone(),
                reason: reason.clone(),
            },
            HttpError::UpdateFailed { reason, .. } => Self::FirmwareRefused {
                reason: reason.clone(),
            },
            other => Self::Other {
                detail: other.to_string(),
            },
        }
    }

    /// The cause of an espota error.
    pub fn of_ota(err: &OtaError) -> Self {
        match err {
            OtaError::Unauthorized { .. } | OtaError::PasswordNeeded { .. } => Self::EspotaPassword,
            other => Self::Espota {
                detail: other.to_string(),
            },
        }
    }
}

impl fmt::Display for BlockKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connectivity => "connectivity",
            Self::Protocols => "protocols",
            Self::Ct => "CT",
        })
    }
}

impl fmt::Display for WebAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReadIdentity => f.write_str("Reading the meter's identity"),
            Self::ReadSettings => f.write_str("Reading the settings"),
            Self::SwitchMode(mode) => write!(f, "Switching to {mode} mode"),
            Self::Save(block) => write!(f, "Saving the {block} block"),
            Self::CertPreflight => f.write_str("Certificate pre-flight"),
            Self::Upload(kind) => write!(f, "Uploading {kind}"),
            Self::ReadCertSlots => f.write_str("Reading the certificate slots"),
            Self::UpdateFirmware => f.write_str("Updating the firmware"),
        }
    }
}

impl fmt::Display for WebFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Step { action, meter, cause } => step(f, *action, meter, cause),
            Self::Deadline { meter, seconds } => write!(
                f,
                "meter {meter} did not finish within {seconds} s; check that it is powered and reachable, then try again"
            ),
            Self::BadAddress { detail } => f.write_str(detail),
        }
    }
}

fn step(f: &mut fmt::Formatter<'_>, a: WebAction, meter: &str, cause: &Cause) -> fmt::Result {
    match cause {
        Cause::PasswordRefused => write!(
            f,
            "{a} on meter {meter} failed: the meter refused the interface password. Type the right one (factory default: {FACTORY_PASSWORD}) and try again."
        ),
        Cause::WrongMode { needed } => write!(
            f,
            "{a} on meter {meter} failed: the meter must be in {needed} mode for this. Switch it with the mode buttons first."
        ),
        Cause::Unreachable { detail } => write!(
            f,
            "{a} failed: meter {meter} is unreachable ({detail}): check its address, that it is powered and on the network"
        ),
        Cause::NoAnswer { timeout } => write!(
            f,
            "{a} failed: meter {meter} did not answer within {timeout:?}; the request may or may not have been applied"
        ),
        Cause::NotBack {
            wanted,
            deadline,
            detail,
        } => write!(
            f,
            "{a} failed: meter {meter} did not come back in {wanted} mode within {deadline:?}: {detail}"
        ),
        Cause::Rejected { field, reason } => write!(f, "{a} failed: meter {meter} refused {field}: {reason}"),
        Cause::FirmwareRefused { reason } => {
            write!(f, "{a} failed: meter {meter} refused the firmware: {reason}")
        }
        Cause::BadImage { file, check } => write!(
            f,
            "{file} failed validation, nothing was sent to meter {meter}: {check}"
        ),
        Cause::CertProblems { problems } => {
            let problems: Vec<String> = problems.iter().map(Problem::to_string).collect();
            write!(
                f,
                "{a} failed, nothing was sent to meter {meter}: {}",
                problems.join("; ")
            )
        }
        Cause::CertFile { problem } => write!(f, "{a} failed: {problem}"),
        Cause::NotText { file } => write!(f, "{a} failed: {file} is not text"),
        Cause::Unresolvable { host } => write!(
            f,
            "{a} failed: cannot resolve {host} for espota; check the meter's address"
        ),
        Cause::EspotaPassword => write!(
            f,
            "{a} on meter {meter} failed: espota refused the interface password; type the right one and push again (the meter stays in update mode)"
        ),
        Cause::Espota { detail } => write!(
            f,
            "{a} on meter {meter} failed: {detail}. The meter stays in update mode: push again."
        ),
        Cause::Other { detail } => write!(f, "{a} failed: {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(action: WebAction, cause: Cause) -> String {
        WebFailure::Step {
            action,
            meter: "10.0.0.9:80".into(),
            cause,
        }
        .to_string()
    }

    #[test]
    fn the_english_sentences_name_the_step_the_meter_and_what_to_do() {
        let refused = HttpError::Unauthorized {
            meter: "10.0.0.9:80".into(),
        };
        assert_eq!(
            step(WebAction::ReadSettings, Cause::of_http(&refused)),
            "Reading the settings on meter 10.0.0.9:80 failed: the meter refused the interface password. Type the right one (factory default: bintechnology) and try again."
        );
        assert_eq!(
            step(
                WebAction::Save(BlockKind::Ct),
                Cause::WrongMode {
                    needed: Mode::Configuration
                }
            ),
            "Saving the CT block on meter 10.0.0.9:80 failed: the meter must be in configuration mode for this. Switch it with the mode buttons first."
        );
        let meter = || "10.0.0.9:80".to_owned();
        let detail = || "connection refused (os error 111)".to_owned();
        for err in [
            HttpError::Unreachable {
                meter: meter(),
                detail: detail(),
            },
            HttpError::Timeout {
                meter: meter(),
                timeout: Duration::from_secs(5),
            },
            HttpError::NotBack {
                meter: meter(),
                wanted: Mode::Update,
                deadline: Duration::from_secs(60),
                detail: detail(),
            },
            HttpError::Rejected {
                meter: meter(),
                field: "ratio".into(),
                reason: "out of range".into(),
                errors: Vec::new(),
            },
            HttpError::UpdateFailed {
                meter: meter(),
                reason: detail(),
            },
            HttpError::Protocol {
                meter: meter(),
                detail: detail(),
            },
        ] {
            assert_eq!(
                step(WebAction::SwitchMode(Mode::Update), Cause::of_http(&err)),
                format!("Switching to update mode failed: {err}"),
                "the client's own sentence, after the step"
            );
        }
        assert_eq!(
            step(
                WebAction::Upload(CertKind::Ca),
                Cause::NotText {
                    file: "ca.pem".into()
                }
            ),
            "Uploading ca failed: ca.pem is not text"
        );
        assert_eq!(
            WebFailure::Deadline {
                meter: "10.0.0.9:80".into(),
                seconds: 300
            }
            .to_string(),
            "meter 10.0.0.9:80 did not finish within 300 s; check that it is powered and reachable, then try again"
        );
    }
}
