//! Modbus TCP client for one JE08 meter.
//!
//! Built on the tokio-modbus client, with the rules a configurator needs on
//! a real plant network:
//!
//! - **One request, whole map**: [`ModbusClient::read_map`] reads registers
//!   0–109 with one function-3 request.
//! - **Deadline**: connecting and the request together must finish within
//!   [`ClientConfig::timeout`] (default 1 s).
//! - **No stale answers**: after a timeout or an invalid reply (transaction id
//!   mismatch, wrong function, wrong length, malformed frame) the connection
//!   is dropped; the next call opens a new one, so a late reply to an old
//!   request can never be read as the answer to a new one.
//! - **Backoff**: after a failure the next connection attempt waits a capped,
//!   jittered exponential delay ([`Backoff`]); the call sleeps that delay
//!   itself, so even a caller looping on errors cannot hammer the meter.
//!   Any answer from the meter (including a Modbus exception) resets it.
//! - **Retries**: a write is never retried. A read is retried once, at
//!   once, on a fresh connection only when it failed because a *reused*
//!   connection turned out closed or reset (the meter or a NAT dropped an idle
//!   socket); a read that timed out is not retried, so a read never takes
//!   longer than two deadlines.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::time::Duration;

use thiserror::Error;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};
use tokio_modbus::client::{Client as _, Context};
use tokio_modbus::{ProtocolError, Request, Response, Slave};

use super::endpoint::Endpoint;
use je08_net::backoff::{Backoff, BackoffPolicy};
use je08_protocol::codec::RegisterBlock;
use je08_protocol::registers::{MAP_LEN, label};

/// The Modbus TCP port meters listen on.
pub const DEFAULT_PORT: u16 = 502;

/// Default deadline of one request, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// Unit id sent in requests (the meter answers any).
pub const DEFAULT_UNIT_ID: u8 = 1;

/// How a [`ModbusClient`] talks to its meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConfig {
    /// Deadline of one request, connection included.
    pub timeout: Duration,
    /// Reconnect pacing after failures.
    pub backoff: BackoffPolicy,
    /// Modbus unit id to address.
    pub unit_id: u8,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            backoff: BackoffPolicy::default(),
            unit_id: DEFAULT_UNIT_ID,
        }
    }
}

/// What a request was doing, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Opening the TCP connection.
    Connect,
    /// Function 3 over `count` registers from `first`.
    Read {
        /// First register.
        first: u16,
        /// Number of registers.
        count: u16,
    },
    /// Function 6 (one register) or 16 over `count` registers from `first`.
    Write {
        /// First register.
        first: u16,
        /// Number of registers.
        count: u16,
    },
    /// A raw request with this function code.
    Raw {
        /// Modbus function code.
        function: u8,
    },
}

impl Operation {
    /// True for requests that may change the meter.
    pub fn is_write(self) -> bool {
        matches!(self, Self::Write { .. } | Self::Raw { .. })
    }
}

fn span(f: &mut fmt::Formatter<'_>, first: u16, count: u16) -> fmt::Result {
    match count {
        1 => write!(f, "register {first} ({})", label(first)),
        0 => write!(f, "0 registers at {first}"),
        n => write!(f, "registers {first}–{}", u32::from(first) + u32::from(n) - 1),
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Connect => f.write_str("connecting"),
            Self::Read { first, count } => {
                f.write_str("reading ")?;
                span(f, first, count)
            }
            Self::Write { first, count } => {
                f.write_str("writing ")?;
                span(f, first, count)
            }
            Self::Raw { function } => write!(f, "sending function {function:#04x}"),
        }
    }
}

/// A Modbus exception code, displayed by name: "illegal data address (02)".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Exception(pub u8);

impl Exception {
    /// Illegal function (01).
    pub const ILLEGAL_FUNCTION: Self = Self(1);
    /// Illegal data address (02).
    pub const ILLEGAL_DATA_ADDRESS: Self = Self(2);
    /// Illegal data value (03).
    pub const ILLEGAL_DATA_VALUE: Self = Self(3);

    /// The name the Modbus specification gives the code.
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "illegal function",
            2 => "illegal data address",
            3 => "illegal data value",
            4 => "server device failure",
            5 => "acknowledge",
            6 => "server device busy",
            8 => "memory parity error",
            10 => "gateway path unavailable",
            11 => "gateway target device failed to respond",
            _ => "unknown exception",
        }
    }

    /// What the exception means for the user and what to do.
    pub fn hint(self) -> &'static str {
        match self.0 {
            1 => "the meter does not support this function; use function 3, 4, 6 or 16",
            2 => "the register does not exist or cannot be written (the map is 0–109); nothing was changed",
            3 => "the meter refused the value or quantity as out of range; nothing was changed",
            4 | 8 => "the meter reported an internal failure; power-cycle it and check its firmware",
            5 | 6 => "the meter is busy; try again in a moment",
            _ => "unexpected answer for a JE08 meter; check that the port belongs to a JE08",
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:02})", self.name(), self.0)
    }
}

impl From<tokio_modbus::ExceptionCode> for Exception {
    fn from(code: tokio_modbus::ExceptionCode) -> Self {
        Self(code.into())
    }
}

fn unsure(op: &Operation) -> &'static str {
    if op.is_write() {
        "; the write may or may not have taken effect: read the meter to check before writing again"
    } else {
        ""
    }
}

/// Why a Modbus request failed. Every message names the meter, what was
/// being done, and what to do about it.
#[derive(Debug, Error)]
pub enum ModbusError {
    /// No answer within the deadline; the connection was dropped.
    #[error(
        "meter {meter}: no answer while {op} within {} ms; the connection was dropped. Check that the meter is powered and reachable, or allow more time (--timeout){}",
        timeout.as_millis(), unsure(op)
    )]
    Timeout {
        /// The meter.
        meter: Endpoint,
        /// What was being done.
        op: Operation,
        /// The deadline that passed.
        timeout: Duration,
    },
    /// The host actively refused the TCP connection.
    #[error(
        "meter {meter}: connection refused; check the address and port (Modbus TCP uses 502) and that Modbus is enabled in the meter's configuration"
    )]
    Refused {
        /// The meter.
        meter: Endpoint,
    },
    /// The host could not be resolved or reached.
    #[error(
        "meter {meter}: cannot connect: {source}; check the host name or IP address, the network path and that the meter is powered"
    )]
    Unreachable {
        /// The meter.
        meter: Endpoint,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An established connection failed (reset, closed by the meter).
    #[error(
        "meter {meter}: connection lost while {op}: {source}; it will be reopened on the next request{}",
        unsure(op)
    )]
    Io {
        /// The meter.
        meter: Endpoint,
        /// What was being done.
        op: Operation,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The meter answered with a Modbus exception.
    #[error("meter {meter}: {op} refused with exception {exception}: {}", exception.hint())]
    Exception {
        /// The meter.
        meter: Endpoint,
        /// What was being done.
        op: Operation,
        /// The exception code.
        exception: Exception,
    },
    /// The reply did not fit the request; the connection was dropped.
    #[error(
        "meter {meter}: invalid reply while {op}: {detail}; the connection was dropped. If this repeats, check that nothing but a JE08 answers on this port{}",
        unsure(op)
    )]
    Protocol {
        /// The meter.
        meter: Endpoint,
        /// What was being done.
        op: Operation,
        /// What was wrong.
        detail: String,
    },
}

impl ModbusError {
    /// The exception code when the meter answered with one.
    pub fn exception(&self) -> Option<Exception> {
        match self {
            Self::Exception { exception, .. } => Some(*exception),
            _ => None,
        }
    }
}

/// Counters of one client, for tests, diagnostics and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// TCP connection attempts (successful or not).
    pub connect_attempts: u64,
    /// Connections opened.
    pub connects: u64,
    /// Requests that got an answer (including exceptions).
    pub answered: u64,
    /// Requests that failed (timeout, I/O, invalid reply, refused).
    pub failed: u64,
}

/// A connection to one meter, reopened as needed. Not shared: one request at
/// a time (`&mut self`); use one client per meter and per task.
#[derive(Debug)]
pub struct ModbusClient {
    meter: Endpoint,
    config: ClientConfig,
    ctx: Option<ContextBox>,
    backoff: Backoff,
    retry_at: Option<Instant>,
    stats: ClientStats,
}

async fn ctx_call(ctx: &mut ContextBox, request: Request<'_>) -> tokio_modbus::Result<Response> {
    ctx.0.call(request).await
}

/// tokio-modbus's `Context` has no `Debug`; this wrapper gives it one.
struct ContextBox(Context);

impl fmt::Debug for ContextBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Context")
    }
}

impl ModbusClient {
    /// A client for `meter`; nothing is sent until the first request.
    pub fn new(meter: Endpoint, config: ClientConfig) -> Self {
        Self {
            meter,
            backoff: Backoff::new(config.backoff),
            config,
            ctx: None,
            retry_at: None,
            stats: ClientStats::default(),
        }
    }

    /// The meter this client talks to.
    pub fn meter(&self) -> &Endpoint {
        &self.meter
    }

    /// The configuration in force.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// True while a connection is open.
    pub fn is_connected(&self) -> bool {
        self.ctx.is_some()
    }

    /// The reconnect pacing state (failures so far, next delay).
    pub fn backoff(&self) -> &Backoff {
        &self.backoff
    }

    /// Forget past failures so that the next request connects at once
    /// (e.g. when the user presses "retry").
    pub fn reset_backoff(&mut self) {
        self.backoff.succeed();
        self.retry_at = None;
    }

    /// Counters since the client was created.
    pub fn stats(&self) -> ClientStats {
        self.stats
    }

    /// Close the connection, if any.
    pub async fn disconnect(&mut self) {
        if let Some(mut ctx) = self.ctx.take() {
            // Best effort: the socket is closed on drop anyway.
            let _ = timeout(self.config.timeout, ctx.0.disconnect()).await;
        }
    }

    /// Read the whole map (registers 0–109) in one request.
    pub async fn read_map(&mut self) -> Result<RegisterBlock, ModbusError> {
        let words = self.read_registers(0, MAP_LEN).await?;
        // read_registers checked the length; this cannot fail.
        RegisterBlock::try_from(words.as_slice()).map_err(|got| {
            self.protocol_error(
                Operation::Read {
                    first: 0,
                    count: MAP_LEN,
                },
                format!("expected {MAP_LEN} registers, got {got}"),
            )
        })
    }

    /// Read `count` holding registers from `first` (function 3).
    pub async fn read_registers(&mut self, first: u16, count: u16) -> Result<Vec<u16>, ModbusError> {
        let op = Operation::Read { first, count };
        let reused = self.ctx.is_some();
        let result = match self
            .exchange(op, Request::ReadHoldingRegisters(first, count), true)
            .await
        {
            Err(ModbusError::Io { .. }) if reused => {
                tracing::debug!(meter = %self.meter, "idle connection was closed; retrying the read once on a new one");
                self.exchange(op, Request::ReadHoldingRegisters(first, count), false)
                    .await
            }
            other => other,
        };
        match result? {
            Response::ReadHoldingRegisters(words) if words.len() == usize::from(count) => Ok(words),
            Response::ReadHoldingRegisters(words) => {
                Err(self.protocol_error(op, format!("asked for {count} registers, got {}", words.len())))
            }
            other => Err(self.protocol_error(op, format!("unexpected reply {other:?}"))),
        }
    }

    /// Write one register (function 6). Never retried.
    pub async fn write_register(&mut self, addr: u16, value: u16) -> Result<(), ModbusError> {
        let op = Operation::Write {
            first: addr,
            count: 1,
        };
        match self
            .exchange(op, Request::WriteSingleRegister(addr, value), true)
            .await?
        {
            Response::WriteSingleRegister(a, v) if (a, v) == (addr, value) => Ok(()),
            other => Err(self.protocol_error(
                op,
                format!("the reply {other:?} does not echo register {addr} = {value}"),
            )),
        }
    }

    /// Write consecutive registers from `first` (function 16). Never retried.
    pub async fn write_registers(&mut self, first: u16, values: &[u16]) -> Result<(), ModbusError> {
        let count = u16::try_from(values.len()).unwrap_or(u16::MAX);
        let op = Operation::Write { first, count };
        match self
            .exchange(
                op,
                Request::WriteMultipleRegisters(first, Cow::Borrowed(values)),
                true,
            )
            .await?
        {
            Response::WriteMultipleRegisters(a, n) if (a, n) == (first, count) => Ok(()),
            other => Err(self.protocol_error(
                op,
                format!("the reply {other:?} does not confirm {count} registers from {first}"),
            )),
        }
    }

    /// Send a raw request (function code and data after it); returns the data
    /// of the reply. For diagnostics; never retried.
    pub async fn call_raw(&mut self, function: u8, data: &[u8]) -> Result<Vec<u8>, ModbusError> {
        let op = Operation::Raw { function };
        match self
            .exchange(op, Request::Custom(function, Cow::Borrowed(data)), true)
            .await?
        {
            Response::Custom(f, bytes) if f == function => Ok(bytes.to_vec()),
            other => Err(self.protocol_error(op, format!("unexpected reply {other:?}"))),
        }
    }

    /// Drop the connection, count a failure and build a protocol error.
    fn protocol_error(&mut self, op: Operation, detail: String) -> ModbusError {
        self.ctx = None;
        self.note_failure();
        ModbusError::Protocol {
            meter: self.meter.clone(),
            op,
            detail,
        }
    }

    fn note_failure(&mut self) {
        self.stats.failed += 1;
        let delay = self.backoff.fail();
        self.retry_at = Some(Instant::now() + delay);
    }

    fn note_answer(&mut self) {
        self.stats.answered += 1;
        self.backoff.succeed();
        self.retry_at = None;
    }

    /// One request under the deadline, connecting first when needed.
    /// `pace` = wait out the backoff delay before reconnecting.
    async fn exchange(
        &mut self,
        op: Operation,
        request: Request<'_>,
        pace: bool,
    ) -> Result<Response, ModbusError> {
        let mut ctx = match self.ctx.take() {
            Some(ctx) => ctx,
            None => {
                if let (true, Some(at)) = (pace, self.retry_at) {
                    tokio::time::sleep_until(at).await;
                }
                let deadline = Instant::now() + self.config.timeout;
                let mut ctx = self.connect(deadline).await?;
                // Connecting and the first request share one deadline.
                let outcome = timeout_at(deadline, ctx_call(&mut ctx, request)).await;
                return self.conclude(op, ctx, outcome);
            }
        };
        let outcome = timeout(self.config.timeout, ctx_call(&mut ctx, request)).await;
        self.conclude(op, ctx, outcome)
    }

    /// Keep or drop the connection according to the outcome of a request.
    fn conclude(
        &mut self,
        op: Operation,
        ctx: ContextBox,
        outcome: Result<tokio_modbus::Result<Response>, tokio::time::error::Elapsed>,
    ) -> Result<Response, ModbusError> {
        match outcome {
            Err(_elapsed) => {
                drop(ctx);
                self.note_failure();
                Err(ModbusError::Timeout {
                    meter: self.meter.clone(),
                    op,
                    timeout: self.config.timeout,
                })
            }
            // tokio-modbus compares function codes by variant: a raw request
            // for function 1 answered with exception "function 1" counts as a
            // mismatch (Custom(1) vs ReadCoils). Same number: it is our answer.
            Ok(Err(tokio_modbus::Error::Protocol(ProtocolError::FunctionCodeMismatch {
                request,
                result: Err(answer),
            }))) if request.value() == answer.function.value() => {
                self.ctx = Some(ctx);
                self.note_answer();
                Err(ModbusError::Exception {
                    meter: self.meter.clone(),
                    op,
                    exception: answer.exception.into(),
                })
            }
            Ok(Err(err)) => {
                drop(ctx);
                self.note_failure();
                Err(self.classify(op, err))
            }
            Ok(Ok(Err(code))) => {
                self.ctx = Some(ctx);
                self.note_answer();
                Err(ModbusError::Exception {
                    meter: self.meter.clone(),
                    op,
                    exception: code.into(),
                })
            }
            Ok(Ok(Ok(response))) => {
                self.ctx = Some(ctx);
                self.note_answer();
                Ok(response)
            }
        }
    }

    fn classify(&self, op: Operation, err: tokio_modbus::Error) -> ModbusError {
        let meter = self.meter.clone();
        match err {
            tokio_modbus::Error::Protocol(ProtocolError::HeaderMismatch { message, .. }) => {
                ModbusError::Protocol {
                    meter,
                    op,
                    detail: format!("the reply belongs to another request ({message})"),
                }
            }
            tokio_modbus::Error::Protocol(ProtocolError::FunctionCodeMismatch { request, result }) => {
                ModbusError::Protocol {
                    meter,
                    op,
                    detail: format!("the reply {result:?} does not match function {request}"),
                }
            }
            tokio_modbus::Error::Transport(e) if e.kind() == io::ErrorKind::InvalidData => {
                ModbusError::Protocol {
                    meter,
                    op,
                    detail: format!("malformed frame: {e}"),
                }
            }
            tokio_modbus::Error::Transport(source) => ModbusError::Io { meter, op, source },
        }
    }

    /// Open a new connection within the deadline.
    async fn connect(&mut self, deadline: Instant) -> Result<ContextBox, ModbusError> {
        self.stats.connect_attempts += 1;
        let host = self.meter.host.clone();
        let port = self.meter.port;
        let attempt = async move {
            let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
            for addr in tokio::net::lookup_host((host.as_str(), port)).await? {
                match TcpStream::connect(addr).await {
                    Ok(stream) => return Ok(stream),
                    Err(e) => last = e,
                }
            }
            Err(last)
        };
        let stream = match timeout_at(deadline, attempt).await {
            Err(_elapsed) => {
                self.note_failure();
                return Err(ModbusError::Timeout {
                    meter: self.meter.clone(),
                    op: Operation::Connect,
                    timeout: self.config.timeout,
                });
            }
            Ok(Err(e)) => {
                self.note_failure();
                let meter = self.meter.clone();
                return Err(if e.kind() == io::ErrorKind::ConnectionRefused {
                    ModbusError::Refused { meter }
                } else {
                    ModbusError::Unreachable { meter, source: e }
                });
            }
            Ok(Ok(stream)) => stream,
        };
        // Requests are small and answered one at a time: send at once.
        let _ = stream.set_nodelay(true);
        self.stats.connects += 1;
        Ok(ContextBox(tokio_modbus::client::tcp::attach_slave(
            stream,
            Slave(self.config.unit_id),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_are_named_with_their_code() {
        assert_eq!(Exception(1).to_string(), "illegal function (01)");
        assert_eq!(Exception(2).to_string(), "illegal data address (02)");
        assert_eq!(Exception(3).to_string(), "illegal data value (03)");
        assert_eq!(Exception(4).to_string(), "server device failure (04)");
        assert_eq!(
            Exception(11).to_string(),
            "gateway target device failed to respond (11)"
        );
        assert_eq!(Exception(0x42).to_string(), "unknown exception (66)");
        assert_eq!(
            Exception::from(tokio_modbus::ExceptionCode::IllegalDataValue),
            Exception::ILLEGAL_DATA_VALUE
        );
    }

    #[test]
    fn operations_describe_registers_by_name() {
        let op = Operation::Write { first: 16, count: 1 };
        assert_eq!(op.to_string(), "writing register 16 (RELACAO_TC)");
        assert!(op.is_write());
        let op = Operation::Read { first: 0, count: 110 };
        assert_eq!(op.to_string(), "reading registers 0–109");
        assert!(!op.is_write());
    }

    #[test]
    fn write_failures_warn_that_the_write_may_have_happened() {
        let meter = Endpoint::parse("10.1.2.3", DEFAULT_PORT).unwrap();
        let err = ModbusError::Timeout {
            meter,
            op: Operation::Write { first: 10, count: 7 },
            timeout: DEFAULT_TIMEOUT,
        };
        let text = err.to_string();
        assert!(
            text.starts_with("meter 10.1.2.3:502: no answer while writing registers 10–16 within 1000 ms"),
            "{text}"
        );
        assert!(text.contains("may or may not have taken effect"), "{text}");
    }
}
