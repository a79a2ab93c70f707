//! Why a meter's Modbus link or one of its jobs failed ([`LinkError`]):
//! the Modbus client's own error (or the settings change's, with how far it
//! got), or what the link refused before sending anything. Said in words by
//! its `Describe` (the English is its `Display`); the client's errors bring
//! their own words.

use crate::i18n::{Describe, Msg, Tr};
use je08_client::endpoint::AddressError;
use je08_client::modbus::ModbusError;
use je08_client::params::{ParamsError, Stage};
use je08_protocol::validate::WriteError;

/// Why a link could not be opened or kept, or why a job failed.
#[derive(Debug, Clone, PartialEq, Eq, derive_more::From)]
pub enum LinkError {
    /// A Modbus request failed.
    #[from]
    Modbus(ModbusError),
    /// A settings change or energy reset failed part way.
    #[from]
    Params(ParamsError),
    /// The meter's address cannot be used; nothing was tried.
    BadAddress(AddressError),
    /// A requested value is refused before anything is sent.
    Invalid(WriteError),
    /// An energy reset was sent but the counters did not go down.
    NotReset {
        /// The meter.
        meter: String,
    },
    /// A job came while the session was waiting to reconnect.
    NotConnected,
    /// A job came for a meter without a session.
    NoSession,
}

impl LinkError {
    /// The Modbus failure behind this error, if one is.
    pub fn modbus(&self) -> Option<&ModbusError> {
        match self {
            Self::Modbus(err) => Some(err),
            Self::Params(err) => err.modbus(),
            _ => None,
        }
    }
}

impl Describe for LinkError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Modbus(err) => err.describe(tr),
            Self::Params(err) => err.describe(tr),
            Self::BadAddress(err) => err.describe(tr),
            Self::Invalid(err) => format!("{}; {}", err.describe(tr), Stage::ReadBefore.describe(tr)),
            Self::NotReset { meter } => tr.f(Msg::LinkFailNotReset, &[meter]),
            Self::NotConnected => tr.t(Msg::LinkFailNotConnected).to_owned(),
            Self::NoSession => tr.t(Msg::LinkFailNoSession).to_owned(),
        }
    }
}

je08_protocol::english_display!(errors: LinkError);
