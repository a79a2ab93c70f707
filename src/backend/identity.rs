//! Following a meter to a new address only once the device there proves to
//! be the same meter: its device id over Modbus (registers 103–109) and,
//! when the row knows it, its MAC address from `GET /api/info`. Discovery
//! (an mDNS advert, an MQTT INFO packet) only says where a meter *claims* to
//! be; anyone on the plant network can say that.

use std::net::SocketAddr;
use std::time::Duration;

use crate::i18n::{Describe, Msg, Tr};
use je08_client::discovery::scan::{ModbusProbeError, probe_modbus};
use je08_client::http::{HttpError, MeterHttp};

/// Deadline of each step of the check (Modbus read, then `/api/info`).
pub const CHECK_DEADLINE: Duration = Duration::from_secs(3);

/// What the row knows of its meter from the address the user chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Device id (from the meter's own registers).
    pub id: u32,
    /// MAC address from the meter's `/api/info`, when it was asked.
    pub mac: Option<String>,
}

/// Why the device at a new address is not followed.
#[derive(Debug, Clone, PartialEq)]
pub enum MoveRefused {
    /// Nothing answered Modbus there (or not as a JE08).
    NoAnswer(ModbusProbeError),
    /// A JE08 with another id answers there.
    OtherId {
        /// The address checked.
        address: SocketAddr,
        /// The id it reported.
        found: u32,
        /// The row's id.
        expected: u32,
    },
    /// The id matches but `/api/info` could not be read to compare the MAC.
    NoInfo(HttpError),
    /// The id matches but the MAC does not: a device copying the id.
    OtherMac {
        /// The address checked.
        address: SocketAddr,
        /// The MAC it reported.
        found: String,
        /// The row's MAC.
        expected: String,
    },
}

impl Describe for MoveRefused {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::NoAnswer(err) => err.describe(tr),
            Self::OtherId {
                address,
                found,
                expected,
            } => tr.f(
                Msg::MoveOtherId,
                &[&address.to_string(), &found.to_string(), &expected.to_string()],
            ),
            Self::NoInfo(err) => err.describe(tr),
            Self::OtherMac {
                address,
                found,
                expected,
            } => tr.f(Msg::MoveOtherMac, &[&address.to_string(), found, expected]),
        }
    }
}

je08_protocol::english_display!(errors: MoveRefused);

/// Check that the device at `modbus` (HTTP API on `http_port` of the same
/// host, when known) is the meter `expected`.
pub async fn verify(
    modbus: SocketAddr,
    http_port: Option<u16>,
    expected: &Identity,
) -> Result<(), MoveRefused> {
    let found = probe_modbus(modbus, CHECK_DEADLINE)
        .await
        .map_err(MoveRefused::NoAnswer)?;
    if found.id != expected.id {
        return Err(MoveRefused::OtherId {
            address: modbus,
            found: found.id,
            expected: expected.id,
        });
    }
    let (Some(mac), Some(port)) = (&expected.mac, http_port) else {
        return Ok(());
    };
    let http = MeterHttp::new(&modbus.ip().to_string(), port, None).with_timeout(CHECK_DEADLINE);
    let info = match tokio::time::timeout(CHECK_DEADLINE, http.info()).await {
        Ok(answer) => answer.map_err(MoveRefused::NoInfo)?,
        Err(_) => {
            return Err(MoveRefused::NoInfo(HttpError::Timeout {
                meter: http.meter().to_owned(),
                timeout: CHECK_DEADLINE,
            }));
        }
    };
    if info.id != expected.id {
        return Err(MoveRefused::OtherId {
            address: modbus,
            found: info.id,
            expected: expected.id,
        });
    }
    if !info.mac.eq_ignore_ascii_case(mac) {
        return Err(MoveRefused::OtherMac {
            address: modbus,
            found: info.mac,
            expected: mac.clone(),
        });
    }
    Ok(())
}
