//! Modbus TCP framing of the client: the MBAP header and the PDUs of the
//! requests it sends (functions 3, 6, 16 and raw ones), encoded into and
//! decoded from one fixed buffer, so a request costs no allocation.
//!
//! Decoding checks everything that ties a reply to its request: transaction
//! id, protocol id, unit id, function code (or its exception form), length
//! fields, and for functions 6 and 16 the echoed address and value/count.

use std::fmt;

/// MBAP header: transaction id, protocol id, length, unit id.
pub(super) const HEADER_LEN: usize = 7;

/// Longest PDU the protocol allows: function code and 252 bytes.
pub(super) const MAX_PDU_LEN: usize = 253;

/// Longest frame (header and PDU).
pub(super) const MAX_FRAME_LEN: usize = HEADER_LEN + MAX_PDU_LEN;

/// Most registers one function-16 request can carry.
pub(super) const MAX_WRITE_REGISTERS: usize = 123;

/// A buffer that holds any frame.
pub(super) type FrameBuf = [u8; MAX_FRAME_LEN];

/// A request PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Request<'a> {
    /// Function 3: `count` holding registers from `first`.
    ReadHolding {
        /// First register.
        first: u16,
        /// Number of registers.
        count: u16,
    },
    /// Function 6: one register.
    WriteSingle {
        /// The register.
        addr: u16,
        /// Its new value.
        value: u16,
    },
    /// Function 16: consecutive registers from `first`.
    WriteMultiple {
        /// First register.
        first: u16,
        /// The values, at most [`MAX_WRITE_REGISTERS`].
        values: &'a [u16],
    },
    /// Any function code followed by raw data.
    Raw {
        /// Function code.
        function: u8,
        /// The bytes after the function code.
        data: &'a [u8],
    },
}

impl Request<'_> {
    /// The function code.
    pub(super) fn function(&self) -> u8 {
        match self {
            Self::ReadHolding { .. } => 3,
            Self::WriteSingle { .. } => 6,
            Self::WriteMultiple { .. } => 16,
            Self::Raw { function, .. } => *function,
        }
    }

    /// Encode the whole frame into `buf`; returns its length, or `None`
    /// when the PDU would exceed [`MAX_PDU_LEN`].
    pub(super) fn encode(&self, tid: u16, unit: u8, buf: &mut FrameBuf) -> Option<usize> {
        let pdu_len = match self {
            Self::ReadHolding { .. } | Self::WriteSingle { .. } => 5,
            Self::WriteMultiple { values, .. } if values.len() <= MAX_WRITE_REGISTERS => 6 + 2 * values.len(),
            Self::WriteMultiple { .. } => return None,
            Self::Raw { data, .. } => 1 + data.len(),
        };
        if pdu_len > MAX_PDU_LEN {
            return None;
        }
        let len = u16::try_from(pdu_len + 1).ok()?;
        buf[..2].copy_from_slice(&tid.to_be_bytes());
        buf[2..4].copy_from_slice(&[0, 0]);
        buf[4..6].copy_from_slice(&len.to_be_bytes());
        buf[6] = unit;
        buf[7] = self.function();
        let pdu = &mut buf[HEADER_LEN + 1..HEADER_LEN + pdu_len];
        match *self {
            Self::ReadHolding { first, count } => put_words(pdu, &[first, count]),
            Self::WriteSingle { addr, value } => put_words(pdu, &[addr, value]),
            Self::WriteMultiple { first, values } => {
                let count = values.len() as u16; // At most MAX_WRITE_REGISTERS.
                put_words(&mut pdu[..4], &[first, count]);
                pdu[4] = (2 * values.len()) as u8;
                put_words(&mut pdu[5..], values);
            }
            Self::Raw { data, .. } => pdu.copy_from_slice(data),
        }
        Some(HEADER_LEN + pdu_len)
    }
}

fn put_words(out: &mut [u8], words: &[u16]) {
    for (chunk, word) in out.chunks_exact_mut(2).zip(words) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
}

/// The length of the frame that starts `received`, once its header is in:
/// `Ok(None)` while fewer than [`HEADER_LEN`] bytes are there.
pub(super) fn frame_len(received: &[u8]) -> Result<Option<usize>, ReplyError> {
    let Some(header) = received.first_chunk::<HEADER_LEN>() else {
        return Ok(None);
    };
    // The length field counts the unit id and the PDU; a PDU has at least
    // a function code.
    let len = usize::from(u16::from_be_bytes([header[4], header[5]]));
    if !(2..=MAX_PDU_LEN + 1).contains(&len) {
        return Err(ReplyError::Malformed(format!("length field {len}")));
    }
    Ok(Some(HEADER_LEN - 1 + len))
}

/// What a reply said, once it is known to answer the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer<T> {
    /// The request was carried out; first the reply's PDU data after the
    /// function code, then what the caller made of it ([`Answer::map`]).
    Done(T),
    /// The meter refused with this exception code.
    Exception(u8),
}

impl<T> Answer<T> {
    /// Turn the result of a carried-out request into something else.
    pub(super) fn map<U>(self, f: impl FnOnce(T) -> U) -> Answer<U> {
        match self {
            Self::Done(value) => Answer::Done(f(value)),
            Self::Exception(code) => Answer::Exception(code),
        }
    }
}

/// Why a reply does not answer the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ReplyError {
    /// The frame itself is broken (length or protocol fields).
    Malformed(String),
    /// The header belongs to another request (transaction or unit id).
    OtherRequest {
        /// Transaction id sent.
        sent: u16,
        /// Transaction id received.
        got: u16,
        /// Unit id received.
        unit: u8,
    },
    /// The PDU is not an answer to the request's function.
    Mismatch(String),
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(what) => write!(f, "malformed frame: {what}"),
            Self::OtherRequest { sent, got, unit } => write!(
                f,
                "the reply belongs to another request (transaction {got}, unit {unit}; sent transaction {sent})"
            ),
            Self::Mismatch(what) => f.write_str(what),
        }
    }
}

/// Check the complete frame `reply` against the request `request` sent with
/// transaction id `tid` to unit `unit`.
pub(super) fn decode_reply<'a>(
    request: &Request<'_>,
    tid: u16,
    unit: u8,
    reply: &'a [u8],
) -> Result<Answer<&'a [u8]>, ReplyError> {
    let len = frame_len(reply)?
        .filter(|&len| len == reply.len())
        .ok_or_else(|| ReplyError::Malformed(format!("{} bytes do not hold one whole frame", reply.len())))?;
    let got = u16::from_be_bytes([reply[0], reply[1]]);
    let protocol = u16::from_be_bytes([reply[2], reply[3]]);
    if protocol != 0 {
        return Err(ReplyError::Malformed(format!("protocol id {protocol}")));
    }
    if got != tid || reply[6] != unit {
        return Err(ReplyError::OtherRequest {
            sent: tid,
            got,
            unit: reply[6],
        });
    }
    let function = reply[HEADER_LEN];
    let data = &reply[HEADER_LEN + 1..len];
    let asked = request.function();
    if function == asked | 0x80 {
        return match data {
            [code] => Ok(Answer::Exception(*code)),
            _ => Err(ReplyError::Malformed(format!(
                "exception reply with {} data bytes",
                data.len()
            ))),
        };
    }
    if function != asked {
        return Err(ReplyError::Mismatch(format!(
            "the reply is for function {function}, not {asked}"
        )));
    }
    check_data(request, data)?;
    Ok(Answer::Done(data))
}

/// Check the data of a successful reply against the request.
fn check_data(request: &Request<'_>, data: &[u8]) -> Result<(), ReplyError> {
    match *request {
        Request::ReadHolding { count, .. } => {
            let (&byte_count, words) = data
                .split_first()
                .ok_or_else(|| ReplyError::Malformed("read reply without a byte count".into()))?;
            if usize::from(byte_count) != words.len() || words.len() % 2 != 0 {
                return Err(ReplyError::Malformed(format!(
                    "byte count {byte_count} with {} data bytes",
                    words.len()
                )));
            }
            if words.len() != 2 * usize::from(count) {
                return Err(ReplyError::Mismatch(format!(
                    "asked for {count} registers, got {}",
                    words.len() / 2
                )));
            }
        }
        Request::WriteSingle { addr, value } if !echoes(data, addr, value) => {
            return Err(ReplyError::Mismatch(format!(
                "the reply {data:02x?} does not echo register {addr} = {value}"
            )));
        }
        Request::WriteMultiple { first, values } if !echoes(data, first, values.len() as u16) => {
            return Err(ReplyError::Mismatch(format!(
                "the reply {data:02x?} does not confirm {} registers from {first}",
                values.len()
            )));
        }
        Request::WriteSingle { .. } | Request::WriteMultiple { .. } => {}
        Request::Raw { .. } => {}
    }
    Ok(())
}

/// A write reply echoes two words: the address, then the value (function 6)
/// or the count (16).
fn echoes(data: &[u8], first: u16, second: u16) -> bool {
    let [a0, a1] = first.to_be_bytes();
    let [b0, b1] = second.to_be_bytes();
    data == [a0, a1, b0, b1]
}

/// The big-endian registers in the data of a function-3 reply (after the
/// byte count), into `out`.
pub(super) fn words_into(data: &[u8], out: &mut [u16]) {
    for (word, bytes) in out.iter_mut().zip(data[1..].chunks_exact(2)) {
        *word = u16::from_be_bytes([bytes[0], bytes[1]]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: Request<'static> = Request::ReadHolding { first: 0, count: 2 };

    /// A reply frame: header with transaction `tid` and unit 1, then `pdu`.
    fn reply(tid: u16, pdu: &[u8]) -> Vec<u8> {
        let mut frame = tid.to_be_bytes().to_vec();
        frame.extend_from_slice(&[0, 0]);
        frame.extend_from_slice(&(pdu.len() as u16 + 1).to_be_bytes());
        frame.push(1);
        frame.extend_from_slice(pdu);
        frame
    }

    fn encoded(request: &Request<'_>) -> Option<Vec<u8>> {
        let mut buf = [0; MAX_FRAME_LEN];
        request.encode(0x1234, 1, &mut buf).map(|len| buf[..len].to_vec())
    }

    #[test]
    fn requests_encode_as_the_specification_shows() {
        let read = Request::ReadHolding { first: 0, count: 110 };
        assert_eq!(
            encoded(&read).unwrap(),
            [0x12, 0x34, 0, 0, 0, 6, 1, 3, 0, 0, 0, 110]
        );
        let single = Request::WriteSingle { addr: 16, value: 120 };
        assert_eq!(
            encoded(&single).unwrap(),
            [0x12, 0x34, 0, 0, 0, 6, 1, 6, 0, 16, 0, 120]
        );
        let multiple = Request::WriteMultiple {
            first: 10,
            values: &[900, 0x0102],
        };
        assert_eq!(
            encoded(&multiple).unwrap(),
            [
                0x12, 0x34, 0, 0, 0, 11, 1, 16, 0, 10, 0, 2, 4, 0x03, 0x84, 0x01, 0x02
            ]
        );
        let raw = Request::Raw {
            function: 0x41,
            data: &[7, 8],
        };
        assert_eq!(encoded(&raw).unwrap(), [0x12, 0x34, 0, 0, 0, 4, 1, 0x41, 7, 8]);
    }

    #[test]
    fn requests_too_long_for_one_frame_are_not_encoded() {
        let values = [0; MAX_WRITE_REGISTERS + 1];
        assert!(
            encoded(&Request::WriteMultiple {
                first: 0,
                values: &values
            })
            .is_none()
        );
        let values = [0; MAX_WRITE_REGISTERS];
        assert_eq!(
            encoded(&Request::WriteMultiple {
                first: 0,
                values: &values
            })
            .map(|f| f.len()),
            Some(HEADER_LEN + 6 + 2 * MAX_WRITE_REGISTERS)
        );
        let data = [0; MAX_PDU_LEN];
        assert!(
            encoded(&Request::Raw {
                function: 0x41,
                data: &data
            })
            .is_none()
        );
        assert_eq!(
            encoded(&Request::Raw {
                function: 0x41,
                data: &data[1..]
            })
            .map(|f| f.len()),
            Some(MAX_FRAME_LEN)
        );
    }

    #[test]
    fn a_read_reply_yields_its_registers() {
        let frame = reply(7, &[3, 4, 0x01, 0x02, 0xFF, 0xFE]);
        let answer = decode_reply(&READ, 7, 1, &frame).unwrap();
        let Answer::Done(data) = answer else {
            panic!("{answer:?}")
        };
        let mut words = [0; 2];
        words_into(data, &mut words);
        assert_eq!(words, [0x0102, 0xFFFE]);
    }

    #[test]
    fn a_reply_with_another_transaction_or_unit_id_belongs_to_another_request() {
        let frame = reply(8, &[3, 4, 0, 0, 0, 0]);
        let err = decode_reply(&READ, 7, 1, &frame).unwrap_err();
        assert_eq!(
            err,
            ReplyError::OtherRequest {
                sent: 7,
                got: 8,
                unit: 1
            }
        );
        assert!(err.to_string().contains("another request"), "{err}");
        let frame = reply(7, &[3, 4, 0, 0, 0, 0]);
        assert!(matches!(
            decode_reply(&READ, 7, 2, &frame),
            Err(ReplyError::OtherRequest { unit: 1, .. })
        ));
    }

    #[test]
    fn a_reply_for_another_function_is_a_mismatch() {
        let frame = reply(7, &[4, 4, 0, 0, 0, 0]);
        let err = decode_reply(&READ, 7, 1, &frame).unwrap_err();
        assert_eq!(err.to_string(), "the reply is for function 4, not 3");
        // An exception for another function is not our answer either.
        let frame = reply(7, &[0x84, 2]);
        assert!(matches!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Mismatch(_))
        ));
    }

    #[test]
    fn exception_replies_carry_their_code() {
        let frame = reply(7, &[0x83, 2]);
        assert_eq!(decode_reply(&READ, 7, 1, &frame), Ok(Answer::Exception(2)));
        let raw = Request::Raw {
            function: 0x41,
            data: &[],
        };
        let frame = reply(7, &[0xC1, 1]);
        assert_eq!(decode_reply(&raw, 7, 1, &frame), Ok(Answer::Exception(1)));
        let frame = reply(7, &[0x83]);
        assert!(matches!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Malformed(_))
        ));
        let frame = reply(7, &[0x83, 2, 0]);
        assert!(matches!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Malformed(_))
        ));
    }

    #[test]
    fn short_and_inconsistent_frames_are_malformed() {
        // Header not complete yet: no length known.
        assert_eq!(frame_len(&[0, 7, 0, 0, 0, 5]), Ok(None));
        assert_eq!(frame_len(&[0, 7, 0, 0, 0, 5, 1]), Ok(Some(11)));
        // A length field without room for a function code, or beyond the limit.
        assert!(frame_len(&[0, 7, 0, 0, 0, 1, 1]).is_err());
        assert!(frame_len(&[0, 7, 0, 0, 0, 0, 1]).is_err());
        assert!(frame_len(&[0, 7, 0, 0, 1, 0, 1]).is_err());
        assert_eq!(frame_len(&[0, 7, 0, 0, 0, 254, 1]), Ok(Some(MAX_FRAME_LEN)));
        // A frame cut short.
        let mut frame = reply(7, &[3, 4, 0, 0, 0, 0]);
        frame.pop();
        assert!(matches!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Malformed(_))
        ));
        // Another protocol.
        let mut frame = reply(7, &[3, 4, 0, 0, 0, 0]);
        frame[3] = 1;
        assert_eq!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Malformed("protocol id 1".into()))
        );
        // A byte count that disagrees with the data, or an odd one.
        let frame = reply(7, &[3, 6, 0, 0, 0, 0]);
        assert!(matches!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Malformed(_))
        ));
        let frame = reply(7, &[3, 3, 0, 0, 0]);
        assert!(matches!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Malformed(_))
        ));
        let frame = reply(7, &[3]);
        assert!(matches!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Malformed(_))
        ));
    }

    #[test]
    fn a_read_reply_with_another_count_is_a_mismatch() {
        let frame = reply(7, &[3, 2, 0, 0]);
        assert_eq!(
            decode_reply(&READ, 7, 1, &frame),
            Err(ReplyError::Mismatch("asked for 2 registers, got 1".into()))
        );
    }

    #[test]
    fn write_replies_must_echo_the_request() {
        let single = Request::WriteSingle { addr: 16, value: 120 };
        assert_eq!(
            decode_reply(&single, 7, 1, &reply(7, &[6, 0, 16, 0, 120])),
            Ok(Answer::Done(&[0, 16, 0, 120][..]))
        );
        let err = decode_reply(&single, 7, 1, &reply(7, &[6, 0, 16, 0, 100])).unwrap_err();
        assert!(
            err.to_string().contains("does not echo register 16 = 120"),
            "{err}"
        );
        let multiple = Request::WriteMultiple {
            first: 10,
            values: &[1, 2, 3],
        };
        assert!(decode_reply(&multiple, 7, 1, &reply(7, &[16, 0, 10, 0, 3])).is_ok());
        let err = decode_reply(&multiple, 7, 1, &reply(7, &[16, 0, 10, 0, 2])).unwrap_err();
        assert!(
            err.to_string().contains("does not confirm 3 registers from 10"),
            "{err}"
        );
        let err = decode_reply(&multiple, 7, 1, &reply(7, &[16, 0, 10])).unwrap_err();
        assert!(matches!(err, ReplyError::Mismatch(_)), "{err}");
    }
}
