//! A failed HTTP job's [`WebFailure`] in the user's language: what failed,
//! on which meter, what to do. Texts from a library or the OS (`detail`,
//! the meter's `reason`) stay as they are inside the translated sentence.

use crate::backend::web::{BlockKind, Cause, WebAction, WebFailure};
use crate::i18n::Describe;
use crate::i18n::{Msg, Tr};
use je08_protocol::http_api::{CertKind, FACTORY_PASSWORD};

/// The sentence shown under a failed job.
pub fn describe(tr: Tr, failure: &WebFailure) -> String {
    match failure {
        WebFailure::Step { action, meter, cause } => step(tr, &action_text(tr, *action), meter, cause),
        WebFailure::Deadline { meter, seconds } => tr.f(Msg::WebFailDeadline, &[meter, &seconds.to_string()]),
        // The address parser's own text, as the meters list shows it.
        WebFailure::BadAddress { detail } => detail.clone(),
    }
}

/// What the job was doing, as the start of a sentence.
fn action_text(tr: Tr, action: WebAction) -> String {
    let msg = match action {
        WebAction::ReadIdentity => Msg::WebActReadIdentity,
        WebAction::ReadSettings => Msg::WebActReadSettings,
        WebAction::SwitchMode(mode) => return tr.f(Msg::WebActSwitchMode, &[&mode.describe(tr)]),
        WebAction::Save(BlockKind::Connectivity) => Msg::WebActSaveConnectivity,
        WebAction::Save(BlockKind::Protocols) => Msg::WebActSaveProtocols,
        WebAction::Save(BlockKind::Ct) => Msg::WebActSaveCt,
        WebAction::CertPreflight => Msg::WebActCertPreflight,
        WebAction::Upload(CertKind::Ca) => Msg::WebActUploadCa,
        WebAction::Upload(CertKind::ClientCert) => Msg::WebActUploadClientCert,
        WebAction::Upload(CertKind::ClientKey) => Msg::WebActUploadClientKey,
        WebAction::ReadCertSlots => Msg::WebActReadCertSlots,
        WebAction::UpdateFirmware => Msg::WebActUpdateFirmware,
    };
    tr.t(msg).to_owned()
}

fn step(tr: Tr, action: &str, meter: &str, cause: &Cause) -> String {
    let debug = |d: &dyn std::fmt::Debug| format!("{d:?}");
    match cause {
        Cause::PasswordRefused => tr.f(Msg::WebFailPassword, &[action, meter, FACTORY_PASSWORD]),
        Cause::WrongMode { needed } => tr.f(Msg::WebFailWrongMode, &[action, meter, &needed.describe(tr)]),
        Cause::Unreachable { detail } => tr.f(Msg::WebFailUnreachable, &[action, meter, detail]),
        Cause::NoAnswer { timeout } => tr.f(Msg::WebFailNoAnswer, &[action, meter, &debug(timeout)]),
        Cause::NotBack {
            wanted,
            deadline,
            detail,
        } => tr.f(
            Msg::WebFailNotBack,
            &[action, meter, &wanted.describe(tr), &debug(deadline), detail],
        ),
        Cause::Rejected { field, reason } => tr.f(Msg::WebFailRejected, &[action, meter, field, reason]),
        Cause::FirmwareRefused { reason } => tr.f(Msg::WebFailFirmwareRefused, &[action, meter, reason]),
        Cause::BadImage { file, check } => tr.f(
            Msg::WebFailBadImage,
            &[
                file,
                meter,
                &check.check.describe(tr),
                &check.finding.describe(tr),
            ],
        ),
        Cause::CertProblems { problems } => {
            let problems: Vec<String> = problems.iter().map(|p| p.describe(tr)).collect();
            tr.f(Msg::WebFailCertProblems, &[action, meter, &problems.join("; ")])
        }
        Cause::CertFile { problem } => tr.f(Msg::WebFailOther, &[action, &problem.describe(tr)]),
        Cause::NotText { file } => tr.f(Msg::WebFailNotText, &[action, file]),
        Cause::Unresolvable { host } => tr.f(Msg::WebFailUnresolvable, &[action, host]),
        Cause::EspotaPassword => tr.f(Msg::WebFailEspotaPassword, &[action, meter]),
        Cause::Espota { detail } => tr.f(Msg::WebFailEspota, &[action, meter, detail]),
        Cause::Other { detail } => tr.f(Msg::WebFailOther, &[action, detail]),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::i18n::Lang;
    use je08_net::certs::{Issue, Problem};
    use je08_protocol::firmware::{ImageBuilder, validate};
    use je08_protocol::http_api::Mode;

    const DETAIL: &str = "connection refused (os error 111)";

    fn failures() -> Vec<WebFailure> {
        let mut image = ImageBuilder::new().segment(0x4010_0000, vec![7; 64]).build();
        image[8 + 8] ^= 0x40;
        let check = validate(&image).first_failure().expect("corrupt").clone();
        let unreadable = Problem {
            file: "ca.pem".into(),
            issue: Issue::Unreadable {
                detail: DETAIL.into(),
            },
        };
        let too_large = Problem {
            file: "ca.pem".into(),
            issue: Issue::TooLarge {
                size: 5000,
                max: 4096,
            },
        };
        let causes = [
            Cause::PasswordRefused,
            Cause::WrongMode {
                needed: Mode::Configuration,
            },
            Cause::Unreachable {
                detail: DETAIL.into(),
            },
            Cause::NoAnswer {
                timeout: Duration::from_secs(5),
            },
            Cause::NotBack {
                wanted: Mode::Update,
                deadline: Duration::from_secs(60),
                detail: DETAIL.into(),
            },
            Cause::Rejected {
                field: "ratio".into(),
                reason: "out of range".into(),
            },
            Cause::FirmwareRefused {
                reason: DETAIL.into(),
            },
            Cause::BadImage {
                file: "je08.bin".into(),
                check: Box::new(check),
            },
            Cause::CertProblems {
                problems: vec![unreadable.clone(), too_large],
            },
            Cause::CertFile { problem: unreadable },
            Cause::NotText {
                file: "ca.pem".into(),
            },
            Cause::Unresolvable {
                host: "je08.local".into(),
            },
            Cause::EspotaPassword,
            Cause::Espota {
                detail: DETAIL.into(),
            },
            Cause::Other {
                detail: DETAIL.into(),
            },
        ];
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
        let mut all: Vec<WebFailure> = causes
            .into_iter()
            .zip(actions.into_iter().cycle())
            .map(|(cause, action)| WebFailure::Step {
                action,
                meter: "10.0.0.9:80".into(),
                cause,
            })
            .collect();
        // Every action at least once, with the plainest cause.
        all.extend(actions.map(|action| WebFailure::Step {
            action,
            meter: "10.0.0.9:80".into(),
            cause: Cause::PasswordRefused,
        }));
        all.push(WebFailure::Deadline {
            meter: "10.0.0.9:80".into(),
            seconds: 300,
        });
        all
    }

    #[test]
    fn every_failure_reads_in_portuguese_and_the_english_is_the_logs() {
        let (en, pt) = (Tr(Lang::En), Tr(Lang::PtBr));
        for failure in failures() {
            let english = describe(en, &failure);
            assert_eq!(english, failure.to_string(), "the window's English is Display");
            let portuguese = describe(pt, &failure);
            assert_ne!(portuguese, english, "{english} is not translated");
            if english.contains(DETAIL) {
                assert!(portuguese.contains(DETAIL), "{portuguese} lost the detail");
            }
        }
    }

    #[test]
    fn a_refused_password_names_the_step_the_meter_and_the_factory_default() {
        let failure = WebFailure::Step {
            action: WebAction::SwitchMode(Mode::Configuration),
            meter: "10.0.0.9:80".into(),
            cause: Cause::PasswordRefused,
        };
        assert_eq!(
            describe(Tr(Lang::PtBr), &failure),
            "A mudança para o modo configuração no medidor 10.0.0.9:80 falhou: o medidor recusou a senha da interface. Digite a senha correta (padrão de fábrica: bintechnology) e tente novamente."
        );
        let address = WebFailure::BadAddress {
            detail: "'a b' is not a meter address".into(),
        };
        assert_eq!(describe(Tr(Lang::PtBr), &address), address.to_string());
    }
}
