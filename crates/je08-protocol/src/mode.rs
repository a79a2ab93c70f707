//! The three operating modes of a JE08 (spec §1).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;

/// Operating mode; serialized in lowercase (`"application"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Only firmware update is served (internal number 0).
    Update,
    /// Normal operation: measurement, Modbus, MQTT (internal number 1).
    Application,
    /// Only the configuration web API is served (internal number 2).
    Configuration,
}

impl Mode {
    /// Every mode, in internal-number order.
    pub const ALL: [Mode; 3] = [Mode::Update, Mode::Application, Mode::Configuration];

    /// The number the vendor bootloader stores for this mode.
    pub fn number(self) -> u8 {
        match self {
            Self::Update => 0,
            Self::Application => 1,
            Self::Configuration => 2,
        }
    }

    /// The mode stored under `number`, if any.
    pub fn from_number(number: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.number() == number)
    }

    /// The lowercase name used in JSON, mDNS TXT records and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::Application => "application",
            Self::Configuration => "configuration",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Describe for Mode {
    /// The mode's name in the reader's language.
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::Application => ProtocolMsg::ModeApplication,
            Self::Configuration => ProtocolMsg::ModeConfiguration,
            Self::Update => ProtocolMsg::ModeUpdate,
        })
        .to_owned()
    }
}

/// A text that names no mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMode {
    /// The text given.
    pub text: String,
}

impl Describe for UnknownMode {
    fn describe(&self, tr: Tr) -> String {
        tr.f(ProtocolMsg::UnknownMode, &[&self.text])
    }
}

crate::english_display!(errors: UnknownMode);

impl FromStr for Mode {
    type Err = UnknownMode;

    /// Parse a lowercase mode name (case-insensitive).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownMode {
                text: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_json_agree() {
        for mode in Mode::ALL {
            assert_eq!(Mode::from_number(mode.number()), Some(mode));
            assert_eq!(mode.as_str().parse::<Mode>(), Ok(mode));
            assert_eq!(
                serde_json::to_string(&mode).unwrap(),
                format!("\"{}\"", mode.as_str())
            );
        }
        assert_eq!(Mode::Application.number(), 1);
        assert_eq!(Mode::from_number(3), None);
        assert!("boot".parse::<Mode>().is_err());
    }
}
