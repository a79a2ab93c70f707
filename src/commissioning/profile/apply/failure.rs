//! Why applying a profile failed on one meter ([`ApplyFailure`]), said in
//! words by its `Describe` (the English is its `Display`, and what
//! `je08 profile apply --json` prints as the meter's `reason`). Each
//! sentence says whether anything was written.

use serde::{Serialize, Serializer};

use super::FieldDiff;
use crate::commissioning::profile::BlockErrors;
use crate::i18n::{Describe, Msg, Tr};
use je08_client::http::HttpError;
use je08_client::modbus::ModbusError;
use je08_client::params::ParamsError;
use je08_protocol::http_api::Mode;
use je08_protocol::validate::{Mismatch, WriteError};

/// Why a profile could not be applied to one meter.
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyFailure {
    /// The meter is not in application mode; nothing was written.
    WrongMode {
        /// The meter's HTTP address.
        meter: String,
        /// Its mode.
        mode: Mode,
    },
    /// `/api/info` could not be read; nothing was written.
    InfoUnread(HttpError),
    /// The Modbus settings could not be read; nothing was written.
    SettingsUnread(ModbusError),
    /// Modbus and HTTP reach two different meters; nothing was written.
    IdMismatch {
        /// Id read over Modbus.
        modbus_id: u32,
        /// Id read over HTTP.
        http_id: u32,
    },
    /// The file is the backup of another meter (its calibration is that
    /// meter's own); nothing was written.
    OtherMeter {
        /// The device id the backup was saved from.
        backup_of: u32,
        /// This meter's device id.
        id: u32,
    },
    /// The profile's settings cannot be written to this meter; nothing was
    /// written.
    Invalid(WriteError),
    /// The HTTP blocks the profile gives this meter would be refused;
    /// nothing was written.
    InvalidFor {
        /// The meter's id.
        id: u32,
        /// The refused fields.
        errors: BlockErrors,
    },
    /// Writing, saving or reading back the Modbus settings failed (the
    /// error says how far it got).
    Write(ParamsError),
    /// Modbus registers read back differently from what was written.
    RegistersReadBack(Vec<Mismatch>),
    /// Rebooting into configuration mode failed.
    EnterConfiguration(HttpError),
    /// Reading or writing an HTTP block failed in configuration mode.
    Http(HttpError),
    /// The HTTP blocks, made with the meter's own, would be refused; they
    /// were not written.
    BlocksInvalid(BlockErrors),
    /// HTTP block fields read back differently from what was written
    /// (`current` is what was read back).
    BlocksReadBack(Vec<FieldDiff>),
    /// The HTTP blocks were written, but the meter did not come back in
    /// application mode.
    NotReturned(HttpError),
    /// After the reboot the meter reports another device name.
    NameReadBack {
        /// The name it reports.
        reported: String,
        /// The name written.
        written: String,
    },
    /// Cancelled before anything was written.
    Cancelled,
    /// Cancelled after the Modbus settings, before the HTTP blocks.
    CancelledBeforeHttp,
}

impl Describe for ApplyFailure {
    fn describe(&self, tr: Tr) -> String {
        let nothing_written = |said: String| tr.f(Msg::NothingWritten, &[&said]);
        match self {
            Self::WrongMode { meter, mode } => tr.f(Msg::ApplyWrongMode, &[meter, &mode.describe(tr)]),
            Self::InfoUnread(err) => nothing_written(err.describe(tr)),
            Self::SettingsUnread(err) => nothing_written(err.describe(tr)),
            Self::IdMismatch { modbus_id, http_id } => tr.f(
                Msg::ApplyIdMismatch,
                &[&modbus_id.to_string(), &http_id.to_string()],
            ),
            Self::OtherMeter { backup_of, id } => {
                tr.f(Msg::ApplyOtherMeter, &[&backup_of.to_string(), &id.to_string()])
            }
            Self::Invalid(err) => tr.f(Msg::ApplyInvalid, &[&err.describe(tr)]),
            Self::InvalidFor { id, errors } => {
                tr.f(Msg::ApplyInvalidFor, &[&id.to_string(), &errors.describe(tr)])
            }
            Self::Write(err) => err.describe(tr),
            Self::RegistersReadBack(mismatches) => {
                let list: Vec<String> = mismatches.iter().map(|m| m.describe(tr)).collect();
                tr.f(Msg::ApplyReadBack, &[&list.join("; ")])
            }
            Self::EnterConfiguration(err) => tr.f(Msg::ApplyEnterConfiguration, &[&err.describe(tr)]),
            Self::Http(err) => err.describe(tr),
            Self::BlocksInvalid(errors) => tr.f(Msg::ApplyBlocksInvalid, &[&errors.describe(tr)]),
            Self::BlocksReadBack(fields) => {
                let list: Vec<String> = fields
                    .iter()
                    .map(|d| {
                        let field = format!("{}.{}", d.block, d.field);
                        tr.f(Msg::ApplyFieldReadBack, &[&field, &d.current, &d.wanted])
                    })
                    .collect();
                tr.f(Msg::ApplyReadBack, &[&list.join("; ")])
            }
            Self::NotReturned(err) => tr.f(Msg::ApplyNotReturned, &[&err.describe(tr)]),
            Self::NameReadBack { reported, written } => tr.f(
                Msg::ApplyNameReadBack,
                &[&format!("{reported:?}"), &format!("{written:?}")],
            ),
            Self::Cancelled => nothing_written(tr.t(Msg::Cancelled).to_owned()),
            Self::CancelledBeforeHttp => tr.t(Msg::ApplyCancelledBeforeHttp).to_owned(),
        }
    }
}

je08_protocol::english_display!(errors: ApplyFailure);

/// On the wire (`--json`, the report) a failure is its English sentence.
impl Serialize for ApplyFailure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::i18n::Lang;
    use je08_client::endpoint::Endpoint;
    use je08_client::params::Stage;
    use je08_protocol::http_api::FieldErrors;

    const DETAIL: &str = "connection refused (os error 111)";

    fn failures() -> Vec<ApplyFailure> {
        let http = || HttpError::Unreachable {
            meter: "10.0.0.7:80".into(),
            detail: DETAIL.into(),
        };
        let modbus = || ModbusError::Refused {
            meter: Endpoint::parse("10.0.0.7:502", 502).expect("address"),
        };
        let mut bad = FieldErrors::default();
        bad.push(
            "mqtt.interval_s",
            je08_protocol::http_api::Problem::Stated("too small".into()),
        );
        let blocks = BlockErrors {
            protocols: bad,
            ..BlockErrors::default()
        };
        vec![
            ApplyFailure::WrongMode {
                meter: "10.0.0.7:80".into(),
                mode: Mode::Configuration,
            },
            ApplyFailure::InfoUnread(http()),
            ApplyFailure::SettingsUnread(modbus()),
            ApplyFailure::IdMismatch {
                modbus_id: 7,
                http_id: 8,
            },
            ApplyFailure::OtherMeter { backup_of: 7, id: 8 },
            ApplyFailure::Invalid(WriteError::NoSuchRegister { addr: 200 }),
            ApplyFailure::InvalidFor {
                id: 7,
                errors: blocks.clone(),
            },
            ApplyFailure::Write(ParamsError::Modbus {
                stage: Stage::Save,
                source: modbus(),
            }),
            ApplyFailure::RegistersReadBack(vec![Mismatch {
                addr: 16,
                wanted: 120,
                actual: 100,
            }]),
            ApplyFailure::EnterConfiguration(HttpError::Timeout {
                meter: "10.0.0.7:80".into(),
                timeout: Duration::from_secs(10),
            }),
            ApplyFailure::Http(http()),
            ApplyFailure::BlocksInvalid(blocks),
            ApplyFailure::BlocksReadBack(vec![FieldDiff {
                block: "protocols".into(),
                field: "mqtt.host".into(),
                current: "a".into(),
                wanted: "b".into(),
                read_back: None,
            }]),
            ApplyFailure::NotReturned(http()),
            ApplyFailure::NameReadBack {
                reported: "JE08".into(),
                written: "Panel 7".into(),
            },
            ApplyFailure::Cancelled,
            ApplyFailure::CancelledBeforeHttp,
        ]
    }

    #[test]
    fn every_apply_failure_reads_in_both_languages_and_keeps_the_os_words() {
        for failure in failures() {
            let english = failure.to_string();
            let portuguese = failure.describe(Tr(Lang::PtBr));
            assert_ne!(portuguese, english, "{english} is not translated");
            assert!(!english.contains("je08 mode"), "no command line: {english}");
            if english.contains(DETAIL) {
                assert!(portuguese.contains(DETAIL), "{portuguese} lost the detail");
            }
        }
    }

    #[test]
    fn the_json_reason_is_the_english_sentence() {
        let failure = ApplyFailure::IdMismatch {
            modbus_id: 7,
            http_id: 8,
        };
        assert_eq!(
            serde_json::to_value(&failure).expect("json"),
            serde_json::json!(
                "Modbus answers as meter 7 but HTTP as meter 8: check the ports; nothing was written"
            )
        );
    }
}
