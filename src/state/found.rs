//! What discovery and `/api/info` probes tell about one row of the meters
//! list, and which of them is the newest word on the meter's mode.

use std::time::SystemTime;

use crate::i18n::{Describe, Msg, Tr};
use je08_client::discovery as registry;
use je08_client::http::HttpError;
use je08_protocol::http_api::{self, Info};
use je08_protocol::mode::Mode;
use je08_protocol::readings::WifiMode;

/// What `/api/info` said when probed.
#[derive(Debug, Clone, PartialEq)]
pub struct Probed {
    /// Operating mode.
    pub mode: Mode,
    /// Wi-Fi role, for the LED mirror.
    pub wifi: WifiMode,
    /// ESP firmware version as reported.
    pub esp_version: String,
    /// STM32 firmware version as reported.
    pub stm32_version: String,
    /// MAC address as reported.
    pub mac: String,
}

/// Why an `/api/info` probe tells nothing about the row's meter.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeFailure {
    /// No usable answer.
    Http(HttpError),
    /// Another meter answered at that address.
    OtherMeter {
        /// The id that answered.
        answered: u32,
        /// The row's id.
        expected: u32,
    },
}

impl Describe for ProbeFailure {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Http(err) => err.describe(tr),
            Self::OtherMeter { answered, expected } => tr.f(
                Msg::ProbeOtherMeter,
                &[&answered.to_string(), &expected.to_string()],
            ),
        }
    }
}

/// What discovery and probes tell about one row.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Discovery's merged entry for this meter, latest.
    pub entry: Option<registry::MeterEntry>,
    /// The latest `/api/info` probe: when, and its answer or why none came.
    pub probe: Option<(SystemTime, Result<Probed, ProbeFailure>)>,
}

impl Found {
    /// The device's own name, as a discovery source reported it.
    pub fn device_name(&self) -> Option<&str> {
        self.entry.as_ref().and_then(|e| e.name.as_deref())
    }

    /// Latest mode with its time, from discovery (when not stale) or the
    /// probe, whichever is newer; `Some((t, None))` when the newest word is
    /// "unreachable".
    pub fn latest(&self) -> Option<(SystemTime, Option<Mode>)> {
        let discovered = self
            .entry
            .as_ref()
            .filter(|e| !e.stale)
            .and_then(|e| e.mode.map(|m| (SystemTime::from(e.last_seen), Some(m))));
        let probed = self
            .probe
            .as_ref()
            .map(|(at, result)| (*at, result.as_ref().ok().map(|p| p.mode)));
        match (discovered, probed) {
            (Some(d), Some(p)) => Some(if p.0 >= d.0 { p } else { d }),
            (d, p) => d.or(p),
        }
    }
}

impl Probed {
    /// What an `/api/info` answer says.
    pub fn of(info: Info) -> Self {
        Self {
            mode: info.mode,
            wifi: match (info.wifi.mode, info.wifi.state) {
                (http_api::WifiMode::Ap, _) => WifiMode::AccessPoint,
                (http_api::WifiMode::St, http_api::WifiState::Connected) => WifiMode::Station,
                (http_api::WifiMode::St, _) => WifiMode::Unknown(0),
            },
            esp_version: info.esp_version,
            stm32_version: info.stm32_version,
            mac: info.mac,
        }
    }
}
