//! A bounded record of the last Modbus exchanges of one client, for
//! support: when, what was asked, the frames sent and received as bytes,
//! how long it took and how it ended. Off unless a log is attached
//! ([`super::ModbusClient::with_traffic`]); then each request costs two
//! copies of its frames.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::{Exception, Operation};

/// How an exchange ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The reply answered the request.
    Answered,
    /// The meter answered with an exception.
    Exception(Exception),
    /// No reply within the deadline; the connection was dropped.
    Timeout,
    /// The socket failed or was closed.
    Io(String),
    /// The reply did not answer the request.
    Protocol(String),
}

/// One request and its reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// When the request was sent.
    pub at: SystemTime,
    /// What it asked.
    pub op: Operation,
    /// The request frame (MBAP header and PDU).
    pub request: Vec<u8>,
    /// The reply frame, when one came.
    pub reply: Option<Vec<u8>>,
    /// From sending to the end.
    pub took: Duration,
    /// How it ended.
    pub ending: Ending,
}

/// The last exchanges, oldest first, never more than its capacity.
#[derive(Debug)]
pub struct TrafficLog {
    capacity: usize,
    exchanges: Mutex<VecDeque<Exchange>>,
}

impl TrafficLog {
    /// A log keeping the last `capacity` exchanges.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            exchanges: Mutex::new(VecDeque::with_capacity(capacity.max(1))),
        }
    }

    /// Add one exchange, forgetting the oldest when full.
    pub fn push(&self, exchange: Exchange) {
        let mut exchanges = self.exchanges.lock().unwrap_or_else(|e| e.into_inner());
        if exchanges.len() == self.capacity {
            exchanges.pop_front();
        }
        exchanges.push_back(exchange);
    }

    /// A copy of the exchanges, oldest first.
    pub fn snapshot(&self) -> Vec<Exchange> {
        let exchanges = self.exchanges.lock().unwrap_or_else(|e| e.into_inner());
        exchanges.iter().cloned().collect()
    }
}

/// Frames as hex bytes separated by spaces (`00 01 00 00 …`).
pub fn hex(frame: &[u8]) -> String {
    let mut out = String::with_capacity(frame.len() * 3);
    for (i, byte) in frame.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{byte:02X}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(n: u8) -> Exchange {
        Exchange {
            at: SystemTime::UNIX_EPOCH,
            op: Operation::Raw { function: n },
            request: vec![n],
            reply: None,
            took: Duration::ZERO,
            ending: Ending::Timeout,
        }
    }

    #[test]
    fn the_log_keeps_the_last_exchanges_in_order() {
        let log = TrafficLog::new(3);
        for n in 0..5 {
            log.push(exchange(n));
        }
        let kept: Vec<u8> = log.snapshot().iter().map(|e| e.request[0]).collect();
        assert_eq!(kept, [2, 3, 4]);
    }

    #[test]
    fn frames_print_as_hex_bytes() {
        assert_eq!(hex(&[0, 1, 0xAB]), "00 01 AB");
        assert_eq!(hex(&[]), "");
    }
}
