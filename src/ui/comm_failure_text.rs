//! A failed commissioning job's [`CommFailure`] in the user's language:
//! the wiring check and fix, the calibration, certificates, recordings,
//! profiles and reports. Modbus causes are said by `link_text`; texts from
//! a library or the OS (`detail`) stay as they are inside the sentence.

use crate::backend::commissioning::{Aftermath, CommAction, CommCause, CommFailure};
use crate::i18n::Describe;
use crate::i18n::{Msg, Tr};

/// The sentence shown under a failed commissioning job.
pub fn describe(tr: Tr, failure: &CommFailure) -> String {
    let mut text = match &failure.cause {
        CommCause::Link(err) => err.describe(tr),
        CommCause::SettingsChanged { meter } => tr.f(Msg::CommFailSettingsChanged, &[meter]),
        CommCause::Cancelled => tr.t(Msg::CommFailCancelled).to_owned(),
        CommCause::ProfileCancelled { rebooted, mode } => {
            let msg = if *rebooted {
                Msg::CommFailCancelledRebooted
            } else {
                Msg::CommFailCancelledNotRebooted
            };
            tr.f(msg, &[&mode.describe(tr)])
        }
        CommCause::NotReturned { meter, mode, detail } => tr.f(
            Msg::CommFailNotReturned,
            &[meter, &mode.describe(tr), detail, &mode.to_string()],
        ),
        CommCause::WrongMode { meter, mode } => tr.f(Msg::CommFailWrongMode, &[meter, &mode.describe(tr)]),
        CommCause::InvalidProfile { path, detail } => tr.f(Msg::CommFailInvalidProfile, &[path, detail]),
        CommCause::File { path, write, detail } => {
            let msg = if *write {
                Msg::CommFailWrite
            } else {
                Msg::CommFailRead
            };
            tr.f(msg, &[path, detail])
        }
        CommCause::BrokerLogin(err) => tr.f(
            Msg::CommFailOther,
            &[tr.t(action_msg(failure.action)), &err.describe(tr)],
        ),
        CommCause::Other(detail) => tr.f(Msg::CommFailOther, &[tr.t(action_msg(failure.action)), detail]),
    };
    match failure.after {
        Aftermath::Nothing => {}
        Aftermath::NothingWritten => text = tr.f(Msg::CommAfterNothingWritten, &[&text]),
        Aftermath::FixWritten => text = tr.f(Msg::CommAfterFixWritten, &[&text]),
        Aftermath::GainWritten => text = tr.f(Msg::CommAfterGainWritten, &[&text]),
    }
    text
}

/// What the job was doing, as the subject of "… failed".
fn action_msg(action: CommAction) -> Msg {
    match action {
        CommAction::CheckWiring => Msg::CommActCheckWiring,
        CommAction::FixWiring => Msg::CommActFixWiring,
        CommAction::SampleCalibration => Msg::CommActSampleCalibration,
        CommAction::Calibrate => Msg::CommActCalibrate,
        CommAction::SaveCertificate => Msg::CommActSaveCertificate,
        CommAction::Record => Msg::CommActRecord,
        CommAction::PreviewProfile => Msg::CommActPreviewProfile,
        CommAction::ApplyProfile => Msg::CommActApplyProfile,
        CommAction::SaveProfile => Msg::CommActSaveProfile,
        CommAction::Report => Msg::CommActReport,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::link::LinkError;
    use crate::i18n::Lang;
    use je08_client::endpoint::Endpoint;
    use je08_client::modbus::{ModbusError, Operation};
    use je08_net::mqtt_link::SetupError;
    use je08_protocol::mode::Mode;

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

    fn failures() -> Vec<CommFailure> {
        let meter = || "10.0.0.7:502".to_string();
        let endpoint = || Endpoint::parse("10.0.0.7:502", 502).unwrap();
        let causes = vec![
            CommCause::Link(LinkError::Modbus(ModbusError::Refused { meter: endpoint() })),
            CommCause::Link(LinkError::Modbus(ModbusError::Timeout {
                meter: endpoint(),
                op: Operation::Read { first: 0, count: 110 },
                timeout: std::time::Duration::from_millis(1000),
            })),
            CommCause::SettingsChanged { meter: meter() },
            CommCause::Cancelled,
            CommCause::ProfileCancelled {
                rebooted: true,
                mode: Mode::Application,
            },
            CommCause::ProfileCancelled {
                rebooted: false,
                mode: Mode::Configuration,
            },
            CommCause::NotReturned {
                meter: "10.0.0.7:80".into(),
                mode: Mode::Application,
                detail: DETAIL.into(),
            },
            CommCause::WrongMode {
                meter: "10.0.0.7:80".into(),
                mode: Mode::Configuration,
            },
            CommCause::InvalidProfile {
                path: "/tmp/p.toml".into(),
                detail: DETAIL.into(),
            },
            CommCause::File {
                path: "/tmp/r.pdf".into(),
                write: true,
                detail: DETAIL.into(),
            },
            CommCause::File {
                path: "/tmp/p.toml".into(),
                write: false,
                detail: DETAIL.into(),
            },
            CommCause::BrokerLogin(SetupError::CaRequired {
                broker: "mqtts://10.0.0.9:8883".into(),
            }),
        ];
        let mut all: Vec<CommFailure> = causes
            .into_iter()
            .map(|cause| CommFailure::new(CommAction::SaveProfile, cause))
            .collect();
        all.extend(ACTIONS.map(|action| CommFailure::other(action, DETAIL)));
        for after in [
            Aftermath::NothingWritten,
            Aftermath::FixWritten,
            Aftermath::GainWritten,
        ] {
            all.push(CommFailure::new(CommAction::Calibrate, CommCause::Cancelled).then(after));
            all.push(
                CommFailure::new(
                    CommAction::Calibrate,
                    CommCause::SettingsChanged { meter: meter() },
                )
                .then(after),
            );
        }
        all
    }

    #[test]
    fn every_failure_reads_in_portuguese_and_the_english_is_the_logs() {
        let (en, pt) = (Tr(Lang::En), Tr(Lang::PtBr));
        for failure in failures() {
            let english = describe(en, &failure);
            let portuguese = describe(pt, &failure);
            assert!(!portuguese.is_empty());
            assert_ne!(portuguese, english, "{english} is not translated");
            if english.contains(DETAIL) {
                assert!(portuguese.contains(DETAIL), "{portuguese} lost the detail");
            }
        }
    }

    #[test]
    fn a_cancelled_whole_configuration_save_in_portuguese() {
        let failure = CommFailure::new(
            CommAction::SaveProfile,
            CommCause::ProfileCancelled {
                rebooted: true,
                mode: Mode::Application,
            },
        );
        assert_eq!(
            describe(Tr(Lang::PtBr), &failure),
            "cancelado; o medidor reiniciou duas vezes e voltou ao modo aplicação (seus contadores de energia recomeçaram do zero)"
        );
        let other = CommFailure::other(CommAction::Report, DETAIL);
        assert_eq!(
            describe(Tr(Lang::PtBr), &other),
            format!("O relatório falhou: {DETAIL}")
        );
    }
}
