//! Why a meter's Modbus link or one of its jobs failed ([`LinkError`]),
//! machine-readable so the window can say it in the user's language
//! (`ui::link_text`); `Display` is the English sentence of the client's
//! errors (what failed, on which meter, what to do), which logs show.
//! Texts from the OS (`detail`) stay as they are inside the sentence.

use std::fmt;

use je08_client::endpoint::AddressError;
use je08_client::modbus::{Exception, ModbusError, Operation};
use je08_client::params::{ParamsError, Stage};
use je08_protocol::validate::WriteError;

/// Why a link could not be opened or kept, or why a job failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// A Modbus request failed.
    Modbus {
        /// The meter (`host:port`).
        meter: String,
        /// What went wrong.
        cause: Cause,
        /// How far a settings change or reset had got, when one failed.
        stage: Option<Stage>,
    },
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

/// What went wrong with one Modbus request; mirrors [`ModbusError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// No answer within the deadline; the connection was dropped.
    Timeout {
        /// What was being done.
        operation: Operation,
        /// The deadline, in milliseconds.
        ms: u128,
    },
    /// The host refused the TCP connection.
    Refused,
    /// The host could not be resolved or reached.
    Unreachable {
        /// The OS's text.
        detail: String,
    },
    /// An open connection failed (reset, closed by the meter).
    ConnectionLost {
        /// What was being done.
        operation: Operation,
        /// The OS's text.
        detail: String,
    },
    /// The meter answered with a Modbus exception.
    Exception {
        /// What was being done.
        operation: Operation,
        /// The exception code.
        exception: Exception,
    },
    /// The reply did not fit the request; the connection was dropped.
    InvalidReply {
        /// What was being done.
        operation: Operation,
        /// What was wrong, in the Modbus library's words.
        detail: String,
    },
}

impl Cause {
    /// What was being done, when the cause names it.
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Self::Timeout { operation, .. }
            | Self::ConnectionLost { operation, .. }
            | Self::Exception { operation, .. }
            | Self::InvalidReply { operation, .. } => Some(*operation),
            Self::Refused | Self::Unreachable { .. } => None,
        }
    }

    /// True when a write may or may not have reached the meter (timeouts,
    /// lost connections and invalid replies to a write).
    pub fn unsure(&self) -> bool {
        !matches!(self, Self::Exception { .. }) && self.operation().is_some_and(Operation::is_write)
    }
}

impl LinkError {
    /// A failed request.
    pub fn of_modbus(err: &ModbusError) -> Self {
        Self::staged(err, None)
    }

    /// A settings change or reset that failed part way.
    pub fn of_params(err: &ParamsError) -> Self {
        Self::staged(&err.source, Some(err.stage))
    }

    fn staged(err: &ModbusError, stage: Option<Stage>) -> Self {
        let (meter, cause) = match err {
            ModbusError::Timeout { meter, op, timeout } => (
                meter,
                Cause::Timeout {
                    operation: *op,
                    ms: timeout.as_millis(),
                },
            ),
            ModbusError::Refused { meter } => (meter, Cause::Refused),
            ModbusError::Unreachable { meter, source } => (
                meter,
                Cause::Unreachable {
                    detail: source.to_string(),
                },
            ),
            ModbusError::Io { meter, op, source } => (
                meter,
                Cause::ConnectionLost {
                    operation: *op,
                    detail: source.to_string(),
                },
            ),
            ModbusError::Exception { meter, op, exception } => (
                meter,
                Cause::Exception {
                    operation: *op,
                    exception: *exception,
                },
            ),
            ModbusError::Protocol { meter, op, detail } => (
                meter,
                Cause::InvalidReply {
                    operation: *op,
                    detail: detail.clone(),
                },
            ),
        };
        Self::Modbus {
            meter: meter.to_string(),
            cause,
            stage,
        }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Modbus { meter, cause, stage } => {
                modbus(f, meter, cause)?;
                match stage {
                    Some(stage) => write!(f, " ({stage})"),
                    None => Ok(()),
                }
            }
            Self::BadAddress(err) => write!(f, "{err}"),
            Self::Invalid(err) => write!(f, "{err}; {}", Stage::ReadBefore),
            Self::NotReset { meter } => write!(
                f,
                "meter {meter}: the counters did not go down after the reset; read the meter and try again"
            ),
            Self::NotConnected => f.write_str("the meter is offline; nothing was written"),
            Self::NoSession => f.write_str("the meter has no open session; reconnect it and try again"),
        }
    }
}

impl std::error::Error for LinkError {}

/// The client's sentence for a failed request ([`ModbusError`]'s `Display`).
fn modbus(f: &mut fmt::Formatter<'_>, meter: &str, cause: &Cause) -> fmt::Result {
    match cause {
        Cause::Timeout { operation, ms } => write!(
            f,
            "meter {meter}: no answer while {operation} within {ms} ms; the connection was dropped. Check that the meter is powered and reachable, or allow more time (--timeout)"
        )?,
        Cause::Refused => write!(
            f,
            "meter {meter}: connection refused; check the address and port (Modbus TCP uses 502) and that Modbus is enabled in the meter's configuration"
        )?,
        Cause::Unreachable { detail } => write!(
            f,
            "meter {meter}: cannot connect: {detail}; check the host name or IP address, the network path and that the meter is powered"
        )?,
        Cause::ConnectionLost { operation, detail } => write!(
            f,
            "meter {meter}: connection lost while {operation}: {detail}; it will be reopened on the next request"
        )?,
        Cause::Exception { operation, exception } => write!(
            f,
            "meter {meter}: {operation} refused with exception {exception}: {}",
            exception.hint()
        )?,
        Cause::InvalidReply { operation, detail } => write!(
            f,
            "meter {meter}: invalid reply while {operation}: {detail}; the connection was dropped. If this repeats, check that nothing but a JE08 answers on this port"
        )?,
    }
    if cause.unsure() {
        f.write_str(UNSURE)?;
    }
    Ok(())
}

/// What a failed write means for the meter (the client's wording).
const UNSURE: &str =
    "; the write may or may not have taken effect: read the meter to check before writing again";

#[cfg(test)]
mod tests {
    use std::io;
    use std::time::Duration;

    use super::*;
    use je08_client::endpoint::Endpoint;

    fn errors() -> Vec<ModbusError> {
        let meter = || Endpoint::parse("10.0.0.7:1502", 502).unwrap();
        let write = Operation::Write { first: 16, count: 1 };
        let read = Operation::Read { first: 0, count: 110 };
        let lost = || io::Error::new(io::ErrorKind::ConnectionReset, "connection reset by peer");
        vec![
            ModbusError::Timeout {
                meter: meter(),
                op: read,
                timeout: Duration::from_millis(1000),
            },
            ModbusError::Timeout {
                meter: meter(),
                op: write,
                timeout: Duration::from_millis(1000),
            },
            ModbusError::Refused { meter: meter() },
            ModbusError::Unreachable {
                meter: meter(),
                source: io::Error::new(io::ErrorKind::NotFound, "no such host"),
            },
            ModbusError::Io {
                meter: meter(),
                op: Operation::Raw { function: 6 },
                source: lost(),
            },
            ModbusError::Io {
                meter: meter(),
                op: Operation::Connect,
                source: lost(),
            },
            ModbusError::Exception {
                meter: meter(),
                op: write,
                exception: Exception::ILLEGAL_DATA_VALUE,
            },
            ModbusError::Protocol {
                meter: meter(),
                op: Operation::Write { first: 9, count: 11 },
                detail: "transaction id mismatch".into(),
            },
        ]
    }

    #[test]
    fn the_english_is_the_clients_own_sentence() {
        for err in errors() {
            assert_eq!(LinkError::of_modbus(&err).to_string(), err.to_string());
            let staged = ParamsError {
                stage: Stage::Save,
                source: err,
            };
            assert_eq!(LinkError::of_params(&staged).to_string(), staged.to_string());
        }
        let bad = Endpoint::parse("a b", 502).unwrap_err();
        assert_eq!(
            LinkError::BadAddress(bad).to_string(),
            Endpoint::parse("a b", 502).unwrap_err().to_string()
        );
        let refused = WriteError::NoSuchRegister { addr: 200 };
        assert_eq!(
            LinkError::Invalid(refused).to_string(),
            "register 200 does not exist (the map ends at 109); nothing was written"
        );
    }
}
