//! Modbus TCP replies: the configurator's `ModbusClient` sends a request
//! over a real loopback connection to a peer that answers with the fuzzed
//! bytes (either whole, or as the PDU behind a header that matches the
//! request, so that reply bodies are explored too), maybe in two writes,
//! then closes. The registers a read returns are decoded as the window and
//! `je08 read` decode them.
//!
//! Checks: the client never waits past a peer that has closed, and it
//! accepts a reply only when it is exactly one frame answering the request
//! (transaction id, protocol, unit, function, lengths, echoed address and
//! value or count) — then it returns the reply's own registers or data; an
//! exception is taken only in its exact form; every failure can be said in
//! both languages.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use je08_client::endpoint::Endpoint;
use je08_client::modbus::{ClientConfig, ModbusClient, ModbusError};
use je08_fuzz::{runtime, said_in_every_language};
use je08_protocol::codec::{RegisterBlock, decode};
use je08_protocol::discovery::{IDENTITY_FIRST, IDENTITY_LEN, RegisterIdentity};
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the client asks.
#[derive(Debug, Clone)]
enum Ask {
    Map,
    Identity,
    Read { first: u16, count: u8 },
    WriteOne { addr: u16, value: u16 },
    WriteMany { first: u16, values: Vec<u16> },
    Raw { function: u8, data: Vec<u8> },
}

/// The fuzzed bytes: the request (kind, then its fields, big endian), the
/// reply's form, then the reply.
#[derive(Debug)]
struct Input<'a> {
    ask: Ask,
    /// Put the request's header in front of `reply` (which is then the PDU).
    framed: bool,
    /// Send the reply in two writes, split here.
    split: Option<u8>,
    reply: &'a [u8],
}

/// The next `n` bytes of `data`, taken off its front.
fn take<'a>(data: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = data.split_at_checked(n)?;
    *data = rest;
    Some(head)
}

/// The next big-endian word of `data`.
fn word(data: &mut &[u8]) -> Option<u16> {
    take(data, 2).map(|w| u16::from_be_bytes([w[0], w[1]]))
}

/// The next byte of `data`.
fn byte(data: &mut &[u8]) -> Option<u8> {
    take(data, 1).map(|b| b[0])
}

impl<'a> Input<'a> {
    /// Kind (1 byte, modulo 6: map, identity, read, write one, write many,
    /// raw), form (1 byte: bit 0 framed, bit 1 split), split point (1
    /// byte), the request's fields, the reply.
    fn read(mut data: &'a [u8]) -> Option<Self> {
        let d = &mut data;
        let (kind, form, split) = (byte(d)?, byte(d)?, byte(d)?);
        let ask = match kind % 6 {
            0 => Ask::Map,
            1 => Ask::Identity,
            2 => Ask::Read {
                first: word(d)?,
                count: byte(d)?,
            },
            3 => Ask::WriteOne {
                addr: word(d)?,
                value: word(d)?,
            },
            4 => {
                let first = word(d)?;
                let n = byte(d)?;
                let values = (0..n).map(|_| word(d)).collect::<Option<_>>()?;
                Ask::WriteMany { first, values }
            }
            _ => {
                let function = byte(d)?;
                let n = byte(d)?;
                Ask::Raw {
                    function,
                    data: take(d, usize::from(n))?.to_vec(),
                }
            }
        };
        Some(Self {
            ask,
            framed: form & 1 == 1,
            split: (form & 2 == 2).then_some(split),
            reply: data,
        })
    }
}

/// What the client made of the reply.
#[derive(Debug)]
enum Got {
    Words(Vec<u16>),
    Written,
    Data(Vec<u8>),
}

fn listener() -> &'static TcpListener {
    static LISTENER: OnceLock<TcpListener> = OnceLock::new();
    LISTENER.get_or_init(|| {
        let std = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        std.set_nonblocking(true).expect("non-blocking");
        let _guard = runtime().enter();
        TcpListener::from_std(std).expect("a tokio listener")
    })
}

/// The peer: read one request frame, answer, close. Returns the request, the
/// reply bytes and the length of the first write.
async fn peer(input: &Input<'_>) -> std::io::Result<(Vec<u8>, Vec<u8>, usize)> {
    let (mut stream, _) = listener().accept().await?;
    let mut request = vec![0u8; 7];
    stream.read_exact(&mut request).await?;
    let len = usize::from(u16::from_be_bytes([request[4], request[5]]));
    request.resize(6 + len.max(1), 0);
    stream.read_exact(&mut request[7..]).await?;
    let reply = if input.framed {
        let mut frame = request[..4].to_vec();
        frame.extend_from_slice(&(input.reply.len() as u16).wrapping_add(1).to_be_bytes());
        frame.push(request[6]);
        frame.extend_from_slice(input.reply);
        frame
    } else {
        input.reply.to_vec()
    };
    let cut = input
        .split
        .map_or(reply.len(), |s| usize::from(s).min(reply.len()));
    let sent = async {
        stream.write_all(&reply[..cut]).await?;
        stream.flush().await?;
        tokio::task::yield_now().await;
        stream.write_all(&reply[cut..]).await?;
        stream.shutdown().await
    };
    // The client may hang up first; what it made of the bytes is checked.
    let _ = sent.await;
    Ok((request, reply, cut))
}

async fn ask(client: &mut ModbusClient, ask: &Ask) -> Result<Got, ModbusError> {
    Ok(match ask {
        Ask::Map => Got::Words(client.read_map().await?.0.to_vec()),
        Ask::Identity => Got::Words(client.read_registers(IDENTITY_FIRST, IDENTITY_LEN).await?),
        Ask::Read { first, count } => Got::Words(client.read_registers(*first, u16::from(*count)).await?),
        Ask::WriteOne { addr, value } => {
            client.write_register(*addr, *value).await?;
            Got::Written
        }
        Ask::WriteMany { first, values } => {
            client.write_registers(*first, values).await?;
            Got::Written
        }
        Ask::Raw { function, data } => Got::Data(client.call_raw(*function, data).await?),
    })
}

/// The function code of the request `ask` sends.
fn function(ask: &Ask) -> u8 {
    match ask {
        Ask::Map | Ask::Identity | Ask::Read { .. } => 3,
        Ask::WriteOne { .. } => 6,
        Ask::WriteMany { .. } => 16,
        Ask::Raw { function, .. } => *function,
    }
}

/// Whether `frame` is exactly one frame with the header of `request`.
fn answers(request: &[u8], frame: &[u8]) -> bool {
    frame.len() >= 8
        && frame[..2] == request[..2]
        && frame[2..4] == [0, 0]
        && usize::from(u16::from_be_bytes([frame[4], frame[5]])) == frame.len() - 6
        && frame[6] == request[6]
}

/// What the client made of `reply` (sent in two writes, the first `cut`
/// bytes long), answering `request`, must be what the reply says. A frame
/// that arrives whole in the first write may be taken before the rest
/// arrives (the next request on the connection would find that rest).
fn check(ask: &Ask, got: Result<Got, ModbusError>, request: &[u8], reply: &[u8], cut: usize) {
    let taken = [&reply[..cut], reply]
        .into_iter()
        .find(|frame| answers(request, frame));
    let asked = function(ask);
    let got = match got {
        Ok(got) => got,
        Err(ModbusError::Exception { exception, .. }) => {
            let reply = taken.expect("an exception taken from a reply to something else");
            assert_eq!(reply[7..], [asked | 0x80, exception.0]);
            return;
        }
        Err(
            err @ (ModbusError::Timeout { .. }
            | ModbusError::Refused { .. }
            | ModbusError::Unreachable { .. }),
        ) => {
            panic!("the peer answered and closed, yet: {err}")
        }
        Err(err) => {
            said_in_every_language(&err);
            return;
        }
    };
    let Some(reply) = taken else {
        panic!("a reply to something else accepted: {reply:02x?} for {request:02x?}");
    };
    assert_eq!(reply[7], asked);
    let data = &reply[8..];
    match got {
        Got::Words(words) => {
            assert_eq!(usize::from(data[0]), 2 * words.len());
            assert_eq!(data.len(), 1 + 2 * words.len());
            let sent: Vec<u16> = data[1..]
                .chunks(2)
                .map(|w| u16::from_be_bytes([w[0], w[1]]))
                .collect();
            assert_eq!(words, sent);
            assert_eq!(
                request[10..12],
                (words.len() as u16).to_be_bytes(),
                "another count"
            );
            match ask {
                Ask::Map => {
                    let block = RegisterBlock::try_from(&words[..]).expect("a whole map");
                    serde_json::to_string(&decode(&block)).expect("a snapshot serialises");
                }
                Ask::Identity => {
                    if let Ok(identity) = RegisterIdentity::from_registers(&words) {
                        assert!(identity.id != 0 && identity.firmware.0 != 0);
                    }
                }
                _ => {}
            }
        }
        Got::Written => assert_eq!(data, &request[8..12], "a write not echoed"),
        Got::Data(bytes) => assert_eq!(bytes, data),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::read(data) else {
        return;
    };
    let port = listener().local_addr().expect("bound").port();
    let config = ClientConfig {
        timeout: Duration::from_secs(5),
        ..ClientConfig::default()
    };
    let meter = Endpoint {
        host: "127.0.0.1".into(),
        port,
    };
    let mut client = ModbusClient::new(meter, config);
    let (got, exchanged) =
        runtime().block_on(async { tokio::join!(ask(&mut client, &input.ask), peer(&input)) });
    match exchanged {
        Ok((request, reply, cut)) => check(&input.ask, got, &request, &reply, cut),
        // The request never made it whole (too long for one frame).
        Err(_) => assert!(got.is_err()),
    }
    drop(client);
});
