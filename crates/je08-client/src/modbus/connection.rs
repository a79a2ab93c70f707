//! One open Modbus TCP connection: the socket, the next transaction id and
//! one frame buffer that holds the request and then its reply.
//!
//! A reply is read with as few reads as the socket allows (usually one) and
//! must be exactly one frame: bytes beyond it mean the stream is out of step
//! with the requests, and the reply is refused as malformed, so that the
//! caller drops the connection.

use std::io;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::frame::{self, Answer, FrameBuf, MAX_FRAME_LEN, ReplyError, Request};

/// Why a request on a connection failed.
#[derive(Debug, derive_more::From)]
pub(super) enum CallError {
    /// The socket failed or was closed, or the request does not fit in a frame.
    #[from]
    Io(io::Error),
    /// The reply does not answer the request.
    #[from]
    Reply(ReplyError),
}

/// An open connection to one meter.
#[derive(Debug)]
pub(super) struct Connection {
    stream: TcpStream,
    unit: u8,
    next_tid: u16,
    buf: FrameBuf,
    /// The last request and reply frames, kept only when tracing.
    trace: Option<Box<Trace>>,
}

/// Copies of the frames of the last call on a traced connection.
#[derive(Debug, Default)]
pub(super) struct Trace {
    /// The request frame.
    pub(super) request: Vec<u8>,
    /// The reply frame, when one was read whole.
    pub(super) reply: Option<Vec<u8>>,
}

impl Connection {
    /// Use `stream` to address unit `unit`.
    pub(super) fn new(stream: TcpStream, unit: u8) -> Self {
        Self {
            stream,
            unit,
            next_tid: 0,
            buf: [0; MAX_FRAME_LEN],
            trace: None,
        }
    }

    /// Keep copies of the frames of each call (see [`Self::trace`]).
    pub(super) fn traced(mut self) -> Self {
        self.trace = Some(Box::default());
        self
    }

    /// The frames of the last call, when traced.
    pub(super) fn trace(&self) -> Option<&Trace> {
        self.trace.as_deref()
    }

    /// Send `request` and wait for its reply. Not cancel-safe: a connection
    /// whose call did not complete must be dropped.
    pub(super) async fn call(&mut self, request: &Request<'_>) -> Result<Answer<&[u8]>, CallError> {
        let tid = self.next_tid;
        self.next_tid = tid.wrapping_add(1);
        let len = request.encode(tid, self.unit, &mut self.buf).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the request does not fit in one Modbus frame",
            )
        })?;
        if let Some(trace) = &mut self.trace {
            trace.request.clear();
            trace.request.extend_from_slice(&self.buf[..len]);
            trace.reply = None;
        }
        self.stream.write_all(&self.buf[..len]).await?;
        let len = self.receive_frame().await?;
        if let Some(trace) = &mut self.trace {
            trace.reply = Some(self.buf[..len].to_vec());
        }
        Ok(frame::decode_reply(request, tid, self.unit, &self.buf[..len])?)
    }

    /// Read one whole reply frame into the buffer; returns its length.
    async fn receive_frame(&mut self) -> Result<usize, CallError> {
        let mut filled = 0;
        loop {
            if let Some(len) = frame::frame_len(&self.buf[..filled])? {
                if filled > len {
                    return Err(
                        ReplyError::Malformed(format!("{} bytes after the reply", filled - len)).into(),
                    );
                }
                if filled == len {
                    return Ok(len);
                }
            }
            let n = self.stream.read(&mut self.buf[filled..]).await?;
            if n == 0 {
                return Err(
                    io::Error::new(io::ErrorKind::UnexpectedEof, "the meter closed the connection").into(),
                );
            }
            filled += n;
        }
    }

    /// Close the sending side (the meter sees an orderly close).
    pub(super) async fn shutdown(&mut self) -> io::Result<()> {
        self.stream.shutdown().await
    }
}
