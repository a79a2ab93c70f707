//! Why an HTTP job failed ([`WebFailure`]): the step, the meter and a typed
//! [`Cause`] — the HTTP or espota client's own error, or what the job found
//! before sending anything. Said in words by its `Describe` (the English is
//! its `Display`): the step and the window's advice (which button to press)
//! are this module's words, the cause's are its own crate's. Texts from a
//! library or the OS (`detail`, the meter's `reason`) stay as they are.

use crate::backend::FileError;
use crate::i18n::{Describe, Msg, Tr};
use je08_client::endpoint::AddressError;
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
    BadAddress(AddressError),
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
    /// The meter's HTTP API refused, failed or could not be reached.
    Http(HttpError),
    /// The espota push failed.
    Ota(OtaError),
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
    /// A file the job needs cannot be read.
    File(FileError),
}

impl Describe for BlockKind {
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::Connectivity => Msg::BlockNameConnectivity,
            Self::Protocols => Msg::BlockNameProtocols,
            Self::Ct => Msg::BlockNameCt,
        })
        .to_owned()
    }
}

impl Describe for WebAction {
    /// What the job was doing, as the start of a sentence.
    fn describe(&self, tr: Tr) -> String {
        let msg = match self {
            Self::ReadIdentity => Msg::WebActReadIdentity,
            Self::ReadSettings => Msg::WebActReadSettings,
            Self::SwitchMode(mode) => return tr.f(Msg::WebActSwitchMode, &[&mode.describe(tr)]),
            Self::Save(block) => return tr.f(Msg::WebActSave, &[&block.describe(tr)]),
            Self::CertPreflight => Msg::WebActCertPreflight,
            Self::Upload(CertKind::Ca) => Msg::WebActUploadCa,
            Self::Upload(CertKind::ClientCert) => Msg::WebActUploadClientCert,
            Self::Upload(CertKind::ClientKey) => Msg::WebActUploadClientKey,
            Self::ReadCertSlots => Msg::WebActReadCertSlots,
            Self::UpdateFirmware => Msg::WebActUpdateFirmware,
        };
        tr.t(msg).to_owned()
    }
}

impl Describe for WebFailure {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Step { action, meter, cause } => step(tr, &action.describe(tr), meter, cause),
            Self::Deadline { meter, seconds } => tr.f(Msg::WebFailDeadline, &[meter, &seconds.to_string()]),
            Self::BadAddress(err) => err.describe(tr),
        }
    }
}

je08_protocol::english_display!(errors: WebFailure);

/// What the window's user can do about a client error, if anything
/// besides what the error says.
fn advice(tr: Tr, cause: &Cause) -> Option<String> {
    match cause {
        Cause::Http(HttpError::Unauthorized { .. }) => {
            Some(tr.f(Msg::AdviceRetypePassword, &[FACTORY_PASSWORD]))
        }
        Cause::Http(HttpError::WrongMode { .. }) => Some(tr.t(Msg::AdviceModeButtons).to_owned()),
        Cause::Ota(OtaError::Unauthorized { .. } | OtaError::PasswordNeeded { .. }) => {
            Some(tr.t(Msg::AdviceRetypeAndPush).to_owned())
        }
        Cause::Ota(OtaError::BadImage(_)) => None,
        Cause::Ota(_) => Some(tr.t(Msg::AdvicePushAgain).to_owned()),
        _ => None,
    }
}

fn step(tr: Tr, action: &str, meter: &str, cause: &Cause) -> String {
    let said = match cause {
        Cause::Http(err) => err.describe(tr),
        Cause::Ota(err) => err.describe(tr),
        Cause::BadImage { file, check } => {
            return tr.f(Msg::WebFailBadImage, &[file, meter, &check.describe(tr)]);
        }
        Cause::CertProblems { problems } => {
            let problems: Vec<String> = problems.iter().map(|p| p.describe(tr)).collect();
            return tr.f(Msg::WebFailCertProblems, &[action, meter, &problems.join("; ")]);
        }
        Cause::CertFile { problem } => problem.describe(tr),
        Cause::NotText { file } => tr.f(Msg::NotText, &[file]),
        Cause::Unresolvable { host } => tr.f(Msg::Unresolvable, &[host]),
        Cause::File(err) => err.describe(tr),
    };
    match advice(tr, cause) {
        Some(advice) => tr.f(Msg::StepFailedAdvised, &[action, &said, &advice]),
        None => tr.f(Msg::StepFailed, &[action, &said]),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::i18n::Lang;
    use je08_net::certs::Issue;
    use je08_protocol::firmware::{ImageBuilder, validate};

    const METER: &str = "10.0.0.9:80";
    const DETAIL: &str = "connection refused (os error 111)";

    fn causes() -> Vec<Cause> {
        let mut image = ImageBuilder::new().segment(0x4010_0000, vec![7; 64]).build();
        image[8 + 8] ^= 0x40;
        let check = validate(&image).first_failure().expect("corrupt").clone();
        let unreadable = Problem {
            file: "ca.pem".into(),
            issue: Issue::Unreadable {
                detail: DETAIL.into(),
            },
        };
        let meter = || METER.to_owned();
        let espota = "10.0.0.9:8266".parse().unwrap();
        vec![
            Cause::Http(HttpError::Unauthorized { meter: meter() }),
            Cause::Http(HttpError::WrongMode {
                meter: meter(),
                needed: Mode::Configuration,
                detail: "not in configuration mode".into(),
            }),
            Cause::Http(HttpError::Unreachable {
                meter: meter(),
                detail: DETAIL.into(),
            }),
            Cause::Http(HttpError::Timeout {
                meter: meter(),
                timeout: Duration::from_secs(5),
            }),
            Cause::Http(HttpError::NotBack {
                meter: meter(),
                wanted: Mode::Update,
                deadline: Duration::from_secs(60),
                detail: DETAIL.into(),
            }),
            Cause::Http(HttpError::UpdateFailed {
                meter: meter(),
                reason: DETAIL.into(),
            }),
            Cause::Ota(OtaError::Unauthorized { meter: espota }),
            Cause::Ota(OtaError::NoVerdict { meter: espota }),
            Cause::BadImage {
                file: "je08.bin".into(),
                check: Box::new(check),
            },
            Cause::CertProblems {
                problems: vec![unreadable.clone()],
            },
            Cause::CertFile { problem: unreadable },
            Cause::NotText {
                file: "ca.pem".into(),
            },
            Cause::Unresolvable {
                host: "je08.local".into(),
            },
            Cause::File(FileError::Unreadable {
                file: "je08.bin".into(),
                detail: DETAIL.into(),
            }),
        ]
    }

    #[test]
    fn every_failure_reads_in_both_languages_and_keeps_the_os_words() {
        let actions = [
            WebAction::ReadIdentity,
            WebAction::ReadSettings,
            WebAction::SwitchMode(Mode::Application),
            WebAction::Save(BlockKind::Connectivity),
            WebAction::Save(BlockKind::Protocols),
            WebAction::Save(BlockKind::Ct),
            WebAction::CertPreflight,
            WebAction::Upload(CertKind::Ca),
            WebAction::Upload(CertKind::ClientCert),
            WebAction::Upload(CertKind::ClientKey),
            WebAction::ReadCertSlots,
            WebAction::UpdateFirmware,
        ];
        let mut failures: Vec<WebFailure> = causes()
            .into_iter()
            .zip(actions.into_iter().cycle())
            .map(|(cause, action)| WebFailure::Step {
                action,
                meter: METER.into(),
                cause,
            })
            .collect();
        failures.push(WebFailure::Deadline {
            meter: METER.into(),
            seconds: 300,
        });
        let pt = Tr(Lang::PtBr);
        for failure in failures {
            let english = failure.to_string();
            let portuguese = failure.describe(pt);
            assert_ne!(portuguese, english, "{english} is not translated");
            assert!(english.contains("10.0.0.9") || english.contains("ca.pem") || english.contains("je08"));
            assert!(
                !english.contains("--"),
                "no command-line flag in the window: {english}"
            );
            if english.contains(DETAIL) {
                assert!(portuguese.contains(DETAIL), "{portuguese} lost the detail");
            }
        }
    }

    #[test]
    fn a_refused_password_names_the_step_the_meter_and_the_factory_default() {
        let failure = WebFailure::Step {
            action: WebAction::SwitchMode(Mode::Configuration),
            meter: METER.into(),
            cause: Cause::Http(HttpError::Unauthorized { meter: METER.into() }),
        };
        assert_eq!(
            failure.to_string(),
            "Switching to configuration mode failed: meter 10.0.0.9:80 refused the interface password. Type the right one (factory default: bintechnology) and try again."
        );
        assert_eq!(
            failure.describe(Tr(Lang::PtBr)),
            "A mudança para o modo configuração falhou: o medidor 10.0.0.9:80 recusou a senha da interface. Digite a senha correta (padrão de fábrica: bintechnology) e tente novamente."
        );
    }
}
