//! Modbus TCP client for one JE08 meter.
//!
//! Its own Modbus TCP framing (module `frame`: functions 3, 6, 16 and raw
//! requests) over a tokio TCP stream (module `connection`): one fixed
//! buffer per connection, no allocation per request beyond what the caller
//! gets back. The rules a configurator needs on a real plant network:
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

mod connection;
mod frame;
pub mod traffic;

use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

use self::connection::{CallError, Connection, Trace};
use self::frame::{Answer, Request};
use self::traffic::{Ending, Exchange, TrafficLog};
use super::endpoint::Endpoint;
use super::texts::ClientMsg;
use je08_net::backoff::{Backoff, BackoffPolicy};
use je08_protocol::codec::RegisterBlock;
use je08_protocol::i18n::{Describe, Tr};
use je08_protocol::registers::{MAP_LEN, label};

/// The Modbus TCP port meters listen on.
pub const DEFAULT_PORT: u16 = 502;

/// Default deadline of one request, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// How the Modbus transport paces reconnection after a failure: 100 ms
/// doubling to a 5 s cap, with jitter. The client and the window's meter
/// sessions both use it.
pub const RECONNECT: BackoffPolicy = BackoffPolicy {
    initial: Duration::from_millis(100),
    cap: Duration::from_secs(5),
    jitter: true,
};

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
            backoff: RECONNECT,
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

impl Describe for Operation {
    /// What the request was doing, e.g. "reading registers 0–109".
    fn describe(&self, tr: Tr) -> String {
        let span = |first: u16, count: u16, [one, none, many]: [ClientMsg; 3]| match count {
            1 => tr.f(one, &[&first.to_string(), &label(first)]),
            0 => tr.f(none, &[&first.to_string()]),
            n => tr.f(
                many,
                &[
                    &first.to_string(),
                    &(u32::from(first) + u32::from(n) - 1).to_string(),
                ],
            ),
        };
        match *self {
            Self::Connect => tr.t(ClientMsg::ModbusOpConnect).to_owned(),
            Self::Read { first, count } => span(
                first,
                count,
                [
                    ClientMsg::ModbusOpReadOne,
                    ClientMsg::ModbusOpReadNone,
                    ClientMsg::ModbusOpReadMany,
                ],
            ),
            Self::Write { first, count } => span(
                first,
                count,
                [
                    ClientMsg::ModbusOpWriteOne,
                    ClientMsg::ModbusOpWriteNone,
                    ClientMsg::ModbusOpWriteMany,
                ],
            ),
            Self::Raw { function } => tr.f(ClientMsg::ModbusOpRaw, &[&format!("{function:#04x}")]),
        }
    }
}

je08_protocol::english_display!(errors: ModbusError);
je08_protocol::english_display!(Operation, Exception);

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
    fn name(self) -> ClientMsg {
        match self.0 {
            1 => ClientMsg::ModbusExcIllegalFunction,
            2 => ClientMsg::ModbusExcIllegalAddress,
            3 => ClientMsg::ModbusExcIllegalValue,
            4 => ClientMsg::ModbusExcDeviceFailure,
            5 => ClientMsg::ModbusExcAcknowledge,
            6 => ClientMsg::ModbusExcBusy,
            8 => ClientMsg::ModbusExcParity,
            10 => ClientMsg::ModbusExcGatewayPath,
            11 => ClientMsg::ModbusExcGatewayTarget,
            _ => ClientMsg::ModbusExcUnknown,
        }
    }

    /// What the exception means for the user and what to do.
    fn hint(self) -> ClientMsg {
        match self.0 {
            1 => ClientMsg::ModbusHintFunction,
            2 => ClientMsg::ModbusHintAddress,
            3 => ClientMsg::ModbusHintValue,
            4 | 8 => ClientMsg::ModbusHintFailure,
            5 | 6 => ClientMsg::ModbusHintBusy,
            _ => ClientMsg::ModbusHintUnexpected,
        }
    }
}

impl Describe for Exception {
    /// Its name and code, e.g. "illegal data address (02)".
    fn describe(&self, tr: Tr) -> String {
        format!("{} ({:02})", tr.t(self.name()), self.0)
    }
}

/// Why a Modbus request failed; said in words by its [`Describe`] (its
/// English is its `Display`): the meter, what was being done, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModbusError {
    /// No answer within the deadline; the connection was dropped.
    Timeout {
        /// The meter.
        meter: Endpoint,
        /// What was being done.
        op: Operation,
        /// The deadline that passed.
        timeout: Duration,
    },
    /// The host actively refused the TCP connection.
    Refused {
        /// The meter.
        meter: Endpoint,
    },
    /// The host could not be resolved or reached.
    Unreachable {
        /// The meter.
        meter: Endpoint,
        /// What the operating system said.
        detail: String,
    },
    /// An established connection failed (reset, closed by the meter).
    Io {
        /// The meter.
        meter: Endpoint,
        /// What was being done.
        op: Operation,
        /// What the operating system said.
        detail: String,
    },
    /// The meter answered with a Modbus exception.
    Exception {
        /// The meter.
        meter: Endpoint,
        /// What was being done.
        op: Operation,
        /// The exception code.
        exception: Exception,
    },
    /// The reply did not fit the request; the connection was dropped.
    Protocol {
        /// The meter.
        meter: Endpoint,
        /// What was being done.
        op: Operation,
        /// What was wrong.
        detail: String,
    },
}

impl Describe for ModbusError {
    fn describe(&self, tr: Tr) -> String {
        let (said, op) = match self {
            Self::Timeout { meter, op, timeout } => (
                tr.f(
                    ClientMsg::ModbusFailTimeout,
                    &[
                        &meter.to_string(),
                        &op.describe(tr),
                        &timeout.as_millis().to_string(),
                    ],
                ),
                Some(op),
            ),
            Self::Refused { meter } => (tr.f(ClientMsg::ModbusFailRefused, &[&meter.to_string()]), None),
            Self::Unreachable { meter, detail } => (
                tr.f(ClientMsg::ModbusFailUnreachable, &[&meter.to_string(), detail]),
                None,
            ),
            Self::Io { meter, op, detail } => (
                tr.f(
                    ClientMsg::ModbusFailConnectionLost,
                    &[&meter.to_string(), &op.describe(tr), detail],
                ),
                Some(op),
            ),
            Self::Exception { meter, op, exception } => {
                let said = tr.f(
                    ClientMsg::ModbusFailException,
                    &[
                        &meter.to_string(),
                        &op.describe(tr),
                        &exception.describe(tr),
                        tr.t(exception.hint()),
                    ],
                );
                // The meter refused: nothing took effect.
                return said;
            }
            Self::Protocol { meter, op, detail } => (
                tr.f(
                    ClientMsg::ModbusFailInvalidReply,
                    &[&meter.to_string(), &op.describe(tr), detail],
                ),
                Some(op),
            ),
        };
        match op {
            Some(op) if op.is_write() => said + tr.t(ClientMsg::ModbusUnsure),
            _ => said,
        }
    }
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
///
/// A request holds the connection outside the client until its reply has
/// been checked, so a request that is cancelled (its future dropped, e.g. by
/// `select!`) takes its connection with it: nothing can answer it later on
/// a reused connection.
#[derive(Debug)]
pub struct ModbusClient {
    meter: Endpoint,
    config: ClientConfig,
    connection: Option<Connection>,
    backoff: Backoff,
    retry_at: Option<Instant>,
    stats: ClientStats,
    traffic: Option<Arc<TrafficLog>>,
}

impl ModbusClient {
    /// A client for `meter`; nothing is sent until the first request.
    pub fn new(meter: Endpoint, config: ClientConfig) -> Self {
        Self {
            meter,
            backoff: Backoff::new(config.backoff),
            config,
            connection: None,
            retry_at: None,
            stats: ClientStats::default(),
            traffic: None,
        }
    }

    /// Record every exchange from now on in `log` (frames, timing, ending).
    pub fn with_traffic(mut self, log: Arc<TrafficLog>) -> Self {
        self.traffic = Some(log);
        self
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
        self.connection.is_some()
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
        if let Some(mut connection) = self.connection.take() {
            // Best effort: the socket is closed on drop anyway.
            let _ = timeout(self.config.timeout, connection.shutdown()).await;
        }
    }

    /// Read the whole map (registers 0–109) in one request.
    pub async fn read_map(&mut self) -> Result<RegisterBlock, ModbusError> {
        self.read(0, MAP_LEN, |data| {
            let mut block = RegisterBlock::default();
            frame::words_into(data, &mut block.0);
            block
        })
        .await
    }

    /// Read `count` holding registers from `first` (function 3).
    pub async fn read_registers(&mut self, first: u16, count: u16) -> Result<Vec<u16>, ModbusError> {
        self.read(first, count, |data| {
            let mut words = vec![0; usize::from(count)];
            frame::words_into(data, &mut words);
            words
        })
        .await
    }

    /// Function 3 over `count` registers from `first`, retried once on a new
    /// connection when a reused one turned out closed; `words` turns the
    /// checked reply data into the result.
    async fn read<T>(
        &mut self,
        first: u16,
        count: u16,
        words: impl Fn(&[u8]) -> T,
    ) -> Result<T, ModbusError> {
        let op = Operation::Read { first, count };
        let request = Request::ReadHolding { first, count };
        let reused = self.connection.is_some();
        match self.exchange(op, &request, true, &words).await {
            Err(ModbusError::Io { .. }) if reused => {
                tracing::debug!(meter = %self.meter, "idle connection was closed; retrying the read once on a new one");
                self.exchange(op, &request, false, &words).await
            }
            other => other,
        }
    }

    /// Write one register (function 6). Never retried.
    pub async fn write_register(&mut self, addr: u16, value: u16) -> Result<(), ModbusError> {
        let op = Operation::Write {
            first: addr,
            count: 1,
        };
        self.exchange(op, &Request::WriteSingle { addr, value }, true, |_| ())
            .await
    }

    /// Write consecutive registers from `first` (function 16; at most 123
    /// registers). Never retried.
    pub async fn write_registers(&mut self, first: u16, values: &[u16]) -> Result<(), ModbusError> {
        let count = u16::try_from(values.len()).unwrap_or(u16::MAX);
        let op = Operation::Write { first, count };
        self.exchange(op, &Request::WriteMultiple { first, values }, true, |_| ())
            .await
    }

    /// Send a raw request (function code and data after it); returns the data
    /// of the reply. For diagnostics; never retried.
    pub async fn call_raw(&mut self, function: u8, data: &[u8]) -> Result<Vec<u8>, ModbusError> {
        let op = Operation::Raw { function };
        self.exchange(op, &Request::Raw { function, data }, true, <[u8]>::to_vec)
            .await
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

    /// One request under the deadline, connecting first when needed;
    /// `result` turns the data of a successful reply into the result.
    /// `pace` = wait out the backoff delay before reconnecting.
    async fn exchange<T>(
        &mut self,
        op: Operation,
        request: &Request<'_>,
        pace: bool,
        result: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, ModbusError> {
        let (mut connection, deadline) = match self.connection.take() {
            Some(connection) => (connection, Instant::now() + self.config.timeout),
            None => {
                if let (true, Some(at)) = (pace, self.retry_at) {
                    tokio::time::sleep_until(at).await;
                }
                // Connecting and the first request share one deadline.
                let deadline = Instant::now() + self.config.timeout;
                let started = (SystemTime::now(), Instant::now());
                match self.connect(deadline).await {
                    Ok(connection) => (connection, deadline),
                    Err(failure) => {
                        self.record(Operation::Connect, None, started, Ending::Io(failure.to_string()));
                        return Err(failure);
                    }
                }
            }
        };
        let started = (SystemTime::now(), Instant::now());
        let outcome = timeout_at(deadline, connection.call(request))
            .await
            .map(|reply| reply.map(|answer| answer.map(result)));
        if self.traffic.is_some() {
            let ending = match &outcome {
                Ok(Ok(Answer::Done(_))) => Ending::Answered,
                Ok(Ok(Answer::Exception(code))) => Ending::Exception(Exception(*code)),
                Err(_) => Ending::Timeout,
                Ok(Err(CallError::Io(e))) => Ending::Io(e.to_string()),
                Ok(Err(CallError::Reply(wrong))) => Ending::Protocol(wrong.to_string()),
            };
            self.record(op, connection.trace(), started, ending);
        }
        self.conclude(op, connection, outcome)
    }

    /// Add one exchange to the traffic log, when one is attached.
    fn record(
        &self,
        op: Operation,
        trace: Option<&Trace>,
        (at, started): (SystemTime, Instant),
        ending: Ending,
    ) {
        if let Some(log) = &self.traffic {
            log.push(Exchange {
                at,
                op,
                request: trace.map(|t| t.request.clone()).unwrap_or_default(),
                reply: trace.and_then(|t| t.reply.clone()),
                took: started.elapsed(),
                ending,
            });
        }
    }

    /// Keep or drop the connection according to the outcome of a request.
    fn conclude<T>(
        &mut self,
        op: Operation,
        connection: Connection,
        outcome: Result<Result<Answer<T>, CallError>, tokio::time::error::Elapsed>,
    ) -> Result<T, ModbusError> {
        let failure = match outcome {
            Ok(Ok(answer)) => {
                self.connection = Some(connection);
                self.note_answer();
                return match answer {
                    Answer::Done(value) => Ok(value),
                    Answer::Exception(code) => Err(ModbusError::Exception {
                        meter: self.meter.clone(),
                        op,
                        exception: Exception(code),
                    }),
                };
            }
            Err(_elapsed) => ModbusError::Timeout {
                meter: self.meter.clone(),
                op,
                timeout: self.config.timeout,
            },
            Ok(Err(CallError::Io(source))) => ModbusError::Io {
                meter: self.meter.clone(),
                op,
                detail: source.to_string(),
            },
            Ok(Err(CallError::Reply(wrong))) => ModbusError::Protocol {
                meter: self.meter.clone(),
                op,
                detail: wrong.to_string(),
            },
        };
        drop(connection);
        self.note_failure();
        Err(failure)
    }

    /// Open a new connection within the deadline.
    async fn connect(&mut self, deadline: Instant) -> Result<Connection, ModbusError> {
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
                    ModbusError::Unreachable {
                        meter,
                        detail: e.to_string(),
                    }
                });
            }
            Ok(Ok(stream)) => stream,
        };
        // Requests are small and answered one at a time: send at once.
        let _ = stream.set_nodelay(true);
        self.stats.connects += 1;
        let connection = Connection::new(stream, self.config.unit_id);
        Ok(if self.traffic.is_some() {
            connection.traced()
        } else {
            connection
        })
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

    const DETAIL: &str = "connection reset by peer (os error 104)";

    fn every_failure() -> Vec<ModbusError> {
        let meter = || Endpoint::parse("10.0.0.7:502", DEFAULT_PORT).unwrap();
        let operations = [
            Operation::Connect,
            Operation::Read { first: 0, count: 110 },
            Operation::Read { first: 16, count: 1 },
            Operation::Read { first: 3, count: 0 },
            Operation::Write { first: 9, count: 11 },
            Operation::Write { first: 16, count: 1 },
            Operation::Write { first: 3, count: 0 },
            Operation::Raw { function: 6 },
        ];
        let mut all = vec![
            ModbusError::Refused { meter: meter() },
            ModbusError::Unreachable {
                meter: meter(),
                detail: DETAIL.into(),
            },
        ];
        for op in operations {
            all.extend([
                ModbusError::Timeout {
                    meter: meter(),
                    op,
                    timeout: DEFAULT_TIMEOUT,
                },
                ModbusError::Io {
                    meter: meter(),
                    op,
                    detail: DETAIL.into(),
                },
                ModbusError::Protocol {
                    meter: meter(),
                    op,
                    detail: DETAIL.into(),
                },
            ]);
        }
        for code in [1, 2, 3, 4, 5, 6, 8, 10, 11, 99] {
            all.push(ModbusError::Exception {
                meter: meter(),
                op: Operation::Write { first: 16, count: 1 },
                exception: Exception(code),
            });
        }
        all
    }

    #[test]
    fn every_failure_reads_in_both_languages_names_the_meter_and_no_flag() {
        let pt = Tr(je08_protocol::i18n::Lang::PtBr);
        for error in every_failure() {
            let english = error.to_string();
            assert!(!english.contains("--"), "{english}");
            let portuguese = error.describe(pt);
            assert_ne!(portuguese, english, "{english} is not translated");
            assert!(portuguese.contains("10.0.0.7:502"), "{portuguese}");
            if english.contains(DETAIL) {
                assert!(portuguese.contains(DETAIL), "{portuguese} lost the detail");
            }
        }
    }

    #[test]
    fn a_refused_connection_and_a_doubtful_write_in_portuguese() {
        let pt = Tr(je08_protocol::i18n::Lang::PtBr);
        let meter = || Endpoint::parse("10.0.0.7:502", DEFAULT_PORT).unwrap();
        assert_eq!(
            ModbusError::Refused { meter: meter() }.describe(pt),
            "medidor 10.0.0.7:502: conexão recusada; verifique o endereço e a porta (o Modbus TCP usa a 502) e se o Modbus está habilitado na configuração do medidor"
        );
        let timeout = ModbusError::Timeout {
            meter: meter(),
            op: Operation::Write { first: 16, count: 1 },
            timeout: DEFAULT_TIMEOUT,
        };
        let staged = crate::params::ParamsError::Modbus {
            stage: crate::params::Stage::Write,
            source: timeout,
        };
        assert_eq!(
            staged.describe(pt),
            "medidor 10.0.0.7:502: sem resposta durante a gravação do registrador 16 (RELACAO_TC) em 1000 ms; a conexão foi encerrada. \
             Verifique se o medidor está ligado e acessível; a gravação pode ou não ter sido aplicada: leia o medidor para conferir \
             antes de gravar de novo (ao gravar as configurações; leia o medidor para ver o que ele contém agora)"
        );
    }
}
