//! Why taking a meter onto the plant network failed ([`ProvisionError`]),
//! each case with what the person holding the meter does next, in the
//! window's and the command line's language.

use std::net::SocketAddr;

use crate::commissioning::profile::{ApplyFailure, ProfileError};
use crate::i18n::{Describe, Msg, Tr};
use je08_client::discovery::mdns::MdnsBrowseError;
use je08_client::discovery::scan::ModbusProbeError;
use je08_client::http::HttpError;
use je08_protocol::http_api::FieldErrors;
use je08_protocol::readings::WifiMode;

/// A failed provisioning step.
#[derive(Debug, Clone, PartialEq)]
pub enum ProvisionError {
    /// Nothing answered `/api/info` on the access point.
    ApNotReached {
        /// Where it was asked (`HOST:PORT`).
        ap: String,
        /// Why.
        source: HttpError,
    },
    /// The meter did not enter configuration mode; nothing was written.
    ConfigurationMode {
        /// Device id.
        id: u32,
        /// Why.
        source: HttpError,
    },
    /// The Wi-Fi settings are not valid; nothing was sent.
    Invalid(FieldErrors),
    /// The profile file cannot be used; nothing was sent.
    ProfileFile(Box<ProfileError>),
    /// Writing the connectivity block failed.
    Write {
        /// Device id.
        id: u32,
        /// Why.
        source: HttpError,
    },
    /// The meter has the settings but did not take the order to restart.
    Reboot {
        /// Device id.
        id: u32,
        /// Why.
        source: HttpError,
    },
    /// mDNS browsing could not start.
    Mdns(MdnsBrowseError),
    /// The meter did not appear on the plant network in time.
    NotFound {
        /// Device id.
        id: u32,
        /// Where it was looked for.
        place: String,
        /// How long, in seconds.
        wait_s: u64,
    },
    /// Something else answers where the meter was seen.
    WrongMeter {
        /// Where.
        at: SocketAddr,
        /// The id found there.
        found: u32,
        /// Its Wi-Fi mode.
        wifi_mode: WifiMode,
        /// The meter looked for.
        id: u32,
    },
    /// The meter was seen but did not answer over Modbus.
    Confirm {
        /// Device id.
        id: u32,
        /// Where.
        at: SocketAddr,
        /// Why.
        source: ModbusProbeError,
    },
    /// The meter joined, but its profile was not applied.
    Profile {
        /// Device id.
        id: u32,
        /// Where it joined.
        at: SocketAddr,
        /// Why, when the profile's run said.
        why: Option<Box<ApplyFailure>>,
    },
    /// The person cancelled.
    Cancelled {
        /// Device id.
        id: u32,
        /// The Wi-Fi settings had been written already.
        written: bool,
    },
}

impl ProvisionError {
    /// The meter already has the plant's Wi-Fi settings (it left, or will
    /// leave, its access point).
    pub fn written(&self) -> bool {
        matches!(
            self,
            Self::Reboot { .. }
                | Self::NotFound { .. }
                | Self::WrongMeter { .. }
                | Self::Confirm { .. }
                | Self::Profile { .. }
                | Self::Mdns(_)
                | Self::Cancelled { written: true, .. }
        )
    }
}

impl Describe for ProvisionError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::ApNotReached { ap, source } => {
                tr.f(Msg::ProvisionApNotReached, &[ap, &source.describe(tr)])
            }
            Self::ConfigurationMode { id, source } => {
                tr.f(Msg::ProvisionConfigMode, &[&id.to_string(), &source.describe(tr)])
            }
            Self::Invalid(errors) => tr.f(Msg::ProvisionInvalid, &[&errors.describe(tr)]),
            Self::ProfileFile(err) => tr.f(Msg::ProvisionProfileFile, &[&err.describe(tr)]),
            Self::Write { id, source } => tr.f(Msg::ProvisionWrite, &[&id.to_string(), &source.describe(tr)]),
            Self::Reboot { id, source } => {
                tr.f(Msg::ProvisionReboot, &[&id.to_string(), &source.describe(tr)])
            }
            Self::Mdns(err) => tr.f(Msg::ProvisionMdns, &[&err.0]),
            Self::NotFound { id, place, wait_s } => format!(
                "{}; {}",
                tr.f(
                    Msg::ProvisionNotFound,
                    &[&id.to_string(), place, &wait_s.to_string()]
                ),
                tr.t(Msg::ProvisionNotJoined)
            ),
            Self::WrongMeter {
                at,
                found,
                wifi_mode,
                id,
            } => tr.f(
                Msg::ProvisionWrongMeter,
                &[
                    &at.to_string(),
                    &found.to_string(),
                    &format!("{wifi_mode:?}"),
                    &id.to_string(),
                ],
            ),
            Self::Confirm { id, at, source } => tr.f(
                Msg::ProvisionConfirm,
                &[&id.to_string(), &at.to_string(), &source.describe(tr)],
            ),
            Self::Profile { id, at, why } => {
                let why = why.as_ref().map_or_else(
                    || tr.t(Msg::ProvisionProfileStopped).to_owned(),
                    |w| w.describe(tr),
                );
                tr.f(Msg::ProvisionProfile, &[&id.to_string(), &at.to_string(), &why])
            }
            Self::Cancelled { id, written: false } => tr.f(Msg::ProvisionCancelledClean, &[&id.to_string()]),
            Self::Cancelled { id, written: true } => tr.f(Msg::ProvisionCancelledWritten, &[&id.to_string()]),
        }
    }
}

je08_protocol::english_display!(errors: ProvisionError);
