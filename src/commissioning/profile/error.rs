//! Why a profile could not be read, captured or written ([`ProfileError`]),
//! what is wrong inside a profile file ([`ProfileProblem`]) and which HTTP
//! block fields a profile would give a meter that the meter would refuse
//! ([`BlockErrors`]). Each is said in words by its `Describe` (the English
//! is its `Display`); the client's and the TOML parser's words stay theirs.

use super::{FORMAT, FORMAT_V1};
use crate::i18n::{Describe, Msg, Tr};
use je08_client::http::HttpError;
use je08_client::modbus::ModbusError;
use je08_protocol::http_api::{Connectivity, FieldErrors, Mode, Protocols};
use je08_protocol::validate::WriteError;

/// Why a profile could not be read, captured or written.
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum ProfileError {
    /// The file could not be read.
    Read {
        /// The file.
        path: String,
        /// What the operating system said.
        detail: String,
    },
    /// The file could not be written.
    Write {
        /// The file.
        path: String,
        /// What the operating system said.
        detail: String,
    },
    /// The file is not a valid profile.
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        problem: ProfileProblem,
    },
    /// The meter could not be read over Modbus.
    #[from]
    Modbus(ModbusError),
    /// The meter's HTTP API failed.
    #[from]
    Http(HttpError),
    /// The meter is in a mode a profile cannot be read in.
    WrongMode {
        /// The meter.
        meter: String,
        /// Its mode.
        mode: Mode,
    },
    /// The Modbus and HTTP addresses reach two different meters.
    Mismatch {
        /// The addresses.
        meter: String,
        /// Id read over Modbus.
        modbus_id: u32,
        /// Id read over HTTP.
        http_id: u32,
    },
    /// Cancelled before the profile was complete; the meter is in the mode
    /// it was in.
    Cancelled {
        /// The meter rebooted (into the other mode and back) first.
        rebooted: bool,
        /// The mode it is in (the one it started in).
        mode: Mode,
    },
    /// The meter could not be returned to the mode it was in.
    NotReturned {
        /// The meter's HTTP address.
        meter: String,
        /// The mode it started in.
        mode: Mode,
        /// Why.
        source: HttpError,
    },
    /// The work was stopped halfway (the program is shutting down).
    Interrupted {
        /// The meter's HTTP address.
        meter: String,
        /// The mode it started in.
        mode: Mode,
    },
}

impl Describe for ProfileError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Read { path, detail } => tr.f(Msg::ProfileRead, &[path, detail]),
            Self::Write { path, detail } => tr.f(Msg::ProfileWrite, &[path, detail]),
            Self::Invalid { path, problem } => tr.f(Msg::ProfileInvalid, &[path, &problem.describe(tr)]),
            Self::Modbus(err) => err.describe(tr),
            Self::Http(err) => err.describe(tr),
            Self::WrongMode { meter, mode } => tr.f(Msg::ProfileWrongMode, &[meter, &mode.describe(tr)]),
            Self::Mismatch {
                meter,
                modbus_id,
                http_id,
            } => tr.f(
                Msg::ProfileIdMismatch,
                &[meter, &modbus_id.to_string(), &http_id.to_string()],
            ),
            Self::Cancelled { rebooted, mode } => {
                let msg = if *rebooted {
                    Msg::ProfileCancelledRebooted
                } else {
                    Msg::ProfileCancelledNotRebooted
                };
                tr.f(msg, &[&mode.describe(tr)])
            }
            Self::NotReturned { meter, mode, source } => tr.f(
                Msg::ProfileNotReturned,
                &[meter, &mode.describe(tr), &source.describe(tr)],
            ),
            Self::Interrupted { meter, mode } => tr.f(Msg::ProfileInterrupted, &[meter, &mode.describe(tr)]),
        }
    }
}

je08_protocol::english_display!(errors: ProfileError);
je08_protocol::english_display!(ProfileProblem, BlockErrors);

/// What is wrong with a profile.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileProblem {
    /// The TOML cannot be read (or written) as a profile, in the TOML
    /// library's words.
    Toml {
        /// The library's text.
        detail: String,
    },
    /// The file names a password: secrets are never read from a profile.
    Secret {
        /// The TOML library's text.
        detail: String,
    },
    /// A file format this version does not read.
    Format {
        /// The format the file declares.
        format: u32,
    },
    /// A format 1 profile with HTTP blocks.
    HttpInFormat1,
    /// A setting outside its register's range.
    Setting(WriteError),
    /// A template with braces other than `{id}`.
    Template {
        /// The field holding it (e.g. `mqtt.client_id`).
        field: String,
        /// The template as written.
        text: String,
    },
    /// The HTTP blocks the profile gives a meter would be refused.
    Blocks(BlockErrors),
}

impl Describe for ProfileProblem {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Toml { detail } => detail.clone(),
            Self::Secret { detail } => tr.f(Msg::ProfileSecretNote, &[detail]),
            Self::Format { format } => tr.f(
                Msg::ProfileFormat,
                &[&format.to_string(), &FORMAT_V1.to_string(), &FORMAT.to_string()],
            ),
            Self::HttpInFormat1 => tr.t(Msg::ProfileHttpInFormat1).to_owned(),
            Self::Setting(err) => err.describe(tr),
            Self::Template { field, text } => tr.f(Msg::ProfileBadTemplate, &[field, &format!("{text:?}")]),
            Self::Blocks(errors) => errors.describe(tr),
        }
    }
}

/// The fields of a meter's HTTP blocks that validation refuses, per block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockErrors {
    /// The connectivity block's bad fields.
    pub connectivity: FieldErrors,
    /// The protocols block's bad fields.
    pub protocols: FieldErrors,
}

impl BlockErrors {
    /// Validate both blocks; `Err` names every bad field.
    pub fn check(connectivity: &Connectivity, protocols: &Protocols) -> Result<(), Self> {
        let errors = Self {
            connectivity: connectivity.validate().err().unwrap_or_default(),
            protocols: protocols.validate().err().unwrap_or_default(),
        };
        if errors.connectivity.0.is_empty() && errors.protocols.0.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl Describe for BlockErrors {
    /// Each refused block by its name in the profile, e.g.
    /// "protocols: mqtt.port: …".
    fn describe(&self, tr: Tr) -> String {
        [
            ("connectivity", &self.connectivity),
            ("protocols", &self.protocols),
        ]
        .into_iter()
        .filter(|(_, errors)| !errors.0.is_empty())
        .map(|(block, errors)| format!("{block}: {}", errors.describe(tr)))
        .collect::<Vec<_>>()
        .join("; ")
    }
}
