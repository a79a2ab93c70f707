//! What went wrong while inspecting a meter for the report: why a meter
//! could not be reported at all ([`NotReached`], [`InspectError`]) and what
//! could not be done for a meter that was ([`ReportNote`]). Each is said
//! in words by its `Describe` (the English is its `Display`), so the
//! report prints them in its own language.

use serde::{Serialize, Serializer};

use super::reason::Reason;
use crate::commissioning::sampler::SampleError;
use crate::commissioning::wiring_check::FixError;
use crate::i18n::{Describe, Msg, Tr};
use je08_client::endpoint::AddressError;
use je08_client::http::HttpError;
use je08_client::modbus::ModbusError;
use je08_net::mqtt_link::SetupError;

/// A meter that could not be inspected: its address and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NotReached {
    /// The meter's address as given.
    pub meter: String,
    /// Why.
    pub why: InspectError,
}

/// Why a meter could not be inspected.
#[derive(Debug, Clone, PartialEq)]
pub enum InspectError {
    /// The address does not parse; nothing was tried.
    Address(AddressError),
    /// Its Modbus settings could not be read.
    Settings(ModbusError),
    /// The wiring check could not sample.
    WiringCheck(SampleError),
}

impl Describe for InspectError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Address(err) => err.describe(tr),
            Self::Settings(err) => err.describe(tr),
            Self::WiringCheck(err) => tr.f(Msg::InspectWiringCheck, &[&err.describe(tr)]),
        }
    }
}

impl InspectError {
    /// The error as the report says it: the failure's reason, without the
    /// library's words.
    pub fn in_report(&self, tr: Tr) -> String {
        match self {
            Self::Address(err) => err.describe(tr),
            Self::Settings(err) => Reason::of_modbus(err).text(tr).to_owned(),
            Self::WiringCheck(err) => tr.f(Msg::InspectWiringCheck, &[Reason::of_sample(err).text(tr)]),
        }
    }
}

je08_protocol::english_display!(errors: InspectError);
je08_protocol::english_display!(ReportNote);

/// Something the report could not do for a meter it did reach.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportNote {
    /// `/api/info` did not answer.
    HttpNotReached(HttpError),
    /// The HTTP blocks could not be read (or the meter not returned to
    /// application mode afterwards).
    BlocksNotRead(HttpError),
    /// The HTTP blocks were not read: the meter is in update mode.
    BlocksInUpdateMode,
    /// The wiring fix failed.
    FixFailed(FixError),
    /// The wiring fix was proposed but not confirmed; nothing was written.
    FixNotConfirmed,
    /// The settings could not be read at the end (the report shows the
    /// ones found).
    AsLeftNotRead(ModbusError),
    /// The meter's own broker cannot be used for the MQTT check.
    MqttNotRun(SetupError),
}

impl Describe for ReportNote {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::HttpNotReached(err) => tr.f(Msg::NoteHttpNotReached, &[&err.describe(tr)]),
            Self::BlocksNotRead(err) => tr.f(Msg::NoteBlocksNotRead, &[&err.describe(tr)]),
            Self::BlocksInUpdateMode => tr.t(Msg::NoteBlocksInUpdateMode).to_owned(),
            Self::FixFailed(err) => tr.f(Msg::NoteFixFailed, &[&err.describe(tr)]),
            Self::FixNotConfirmed => tr.t(Msg::NoteFixNotConfirmed).to_owned(),
            Self::AsLeftNotRead(err) => tr.f(Msg::NoteAsLeftNotRead, &[&err.describe(tr)]),
            Self::MqttNotRun(err) => tr.f(Msg::NoteMqttNotRun, &[&err.describe(tr)]),
        }
    }
}

impl ReportNote {
    /// The note as the report says it: the failure's reason, without the
    /// library's words.
    pub fn in_report(&self, tr: Tr) -> String {
        match self {
            Self::HttpNotReached(err) => tr.f(Msg::NoteHttpNotReached, &[Reason::of_http(err).text(tr)]),
            Self::BlocksNotRead(err) => tr.f(Msg::NoteBlocksNotRead, &[Reason::of_http(err).text(tr)]),
            Self::FixFailed(err) => tr.f(Msg::NoteFixFailed, &[Reason::of_fix(err).text(tr)]),
            Self::AsLeftNotRead(err) => tr.f(Msg::NoteAsLeftNotRead, &[Reason::of_modbus(err).text(tr)]),
            Self::BlocksInUpdateMode | Self::FixNotConfirmed | Self::MqttNotRun(_) => self.describe(tr),
        }
    }
}

/// On the wire a note is its English sentence.
impl Serialize for ReportNote {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use je08_client::endpoint::Endpoint;

    const DETAIL: &str = "connection refused (os error 111)";

    #[test]
    fn every_note_and_inspect_error_reads_in_both_languages_and_keeps_the_os_words() {
        let http = || HttpError::Unreachable {
            meter: "10.0.0.7:80".into(),
            detail: DETAIL.into(),
        };
        let modbus = || ModbusError::Refused {
            meter: Endpoint::parse("10.0.0.7:502", 502).expect("address"),
        };
        let notes = [
            ReportNote::HttpNotReached(http()),
            ReportNote::BlocksNotRead(http()),
            ReportNote::BlocksInUpdateMode,
            ReportNote::FixFailed(FixError::NothingToFix),
            ReportNote::FixNotConfirmed,
            ReportNote::AsLeftNotRead(modbus()),
            ReportNote::MqttNotRun(SetupError::NotATcpPort { port: 70_000 }),
        ];
        let errors = [
            InspectError::Address(Endpoint::parse("a b", 502).unwrap_err()),
            InspectError::Settings(modbus()),
            InspectError::WiringCheck(SampleError::Cancelled),
        ];
        let said = notes
            .iter()
            .map(|n| (n.to_string(), n.describe(Tr(Lang::PtBr))))
            .chain(errors.iter().map(|e| (e.to_string(), e.describe(Tr(Lang::PtBr)))));
        for (english, portuguese) in said {
            assert_ne!(portuguese, english, "{english} is not translated");
            if english.contains(DETAIL) {
                assert!(portuguese.contains(DETAIL), "{portuguese} lost the detail");
            }
        }
    }
}
