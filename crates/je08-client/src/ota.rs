//! ArduinoOTA ("espota") firmware push (spec §5), compatible with the
//! ESP8266 Arduino core's `ArduinoOTA` and `espota.py`:
//!
//! 1. UDP to the meter: `0 <tcp_port> <size> <md5>\n` (0 = flash).
//! 2. The meter answers `OK`, or `AUTH <nonce>`; then we send
//!    `200 <cnonce> <md5(md5(password):nonce:cnonce)>\n` (a random client
//!    nonce each time) and expect `OK` (`Authentication Failed` otherwise).
//! 3. The meter connects back to our TCP port; a connection from any other
//!    host is closed and the wait goes on. We send the image in 1460-byte
//!    chunks, each acknowledged with the byte count in ASCII.
//! 4. The meter checks the MD5 and answers `OK` (or an error) and reboots.
//!
//! Only the last [`MAX_REPLIES`] bytes of what the meter says over TCP are
//! kept: enough for the last count and the verdict.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use md5::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

use super::texts::ClientMsg;
use je08_protocol::firmware::{self, FirmwareVersion};
use je08_protocol::http_api::Secret;
use je08_protocol::i18n::{Describe, Tr};

/// espota's chunk size (one TCP segment).
pub const CHUNK: usize = 1460;
/// Deadline for each UDP answer and for the meter to connect back.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline for the final verdict after the last chunk.
pub const RESULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Most bytes kept of what the meter says over TCP (the latest ones).
pub const MAX_REPLIES: usize = 512;

/// A step of an espota push, for failures that name where it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtaStep {
    /// Binding UDP.
    BindUdp,
    /// Reaching the meter.
    ReachMeter,
    /// Listening for the meter.
    Listen,
    /// Sending the invitation.
    SendInvitation,
    /// Reading the invitation answer.
    ReadInvitationAnswer,
    /// Sending the authentication.
    SendAuthentication,
    /// Authentication.
    Authenticate,
    /// Reading the authentication answer.
    ReadAuthenticationAnswer,
    /// Waiting for the meter to connect back.
    AwaitConnectBack,
    /// Accepting the meter's connection.
    AcceptConnection,
    /// Sending a chunk.
    SendChunk,
    /// Waiting for a chunk acknowledgement.
    AwaitChunkAck,
    /// Reading a chunk acknowledgement.
    ReadChunkAck,
    /// Waiting for the result.
    AwaitResult,
    /// Reading the result.
    ReadResult,
}

impl Describe for OtaStep {
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::BindUdp => ClientMsg::OtaStepBindUdp,
            Self::ReachMeter => ClientMsg::OtaStepReachMeter,
            Self::Listen => ClientMsg::OtaStepListen,
            Self::SendInvitation => ClientMsg::OtaStepSendInvitation,
            Self::ReadInvitationAnswer => ClientMsg::OtaStepReadInvitationAnswer,
            Self::SendAuthentication => ClientMsg::OtaStepSendAuthentication,
            Self::Authenticate => ClientMsg::OtaStepAuthenticate,
            Self::ReadAuthenticationAnswer => ClientMsg::OtaStepReadAuthenticationAnswer,
            Self::AwaitConnectBack => ClientMsg::OtaStepAwaitConnectBack,
            Self::AcceptConnection => ClientMsg::OtaStepAcceptConnection,
            Self::SendChunk => ClientMsg::OtaStepSendChunk,
            Self::AwaitChunkAck => ClientMsg::OtaStepAwaitChunkAck,
            Self::ReadChunkAck => ClientMsg::OtaStepReadChunkAck,
            Self::AwaitResult => ClientMsg::OtaStepAwaitResult,
            Self::ReadResult => ClientMsg::OtaStepReadResult,
        })
        .to_owned()
    }
}

/// What went wrong during an espota push; said in words by its
/// [`Describe`] (its English is its `Display`).
#[derive(Debug, Clone, PartialEq)]
pub enum OtaError {
    /// The image failed validation: nothing was sent.
    BadImage(Box<firmware::Check>),
    /// The meter did not answer the invitation.
    NoAnswer {
        /// Meter UDP address.
        meter: SocketAddr,
        /// Deadline.
        timeout: Duration,
    },
    /// The interface password was refused.
    Unauthorized {
        /// Meter UDP address.
        meter: SocketAddr,
    },
    /// The meter needs a password and none was given.
    PasswordNeeded {
        /// Meter UDP address.
        meter: SocketAddr,
    },
    /// The meter refused the update or it failed there.
    Refused {
        /// Meter UDP address.
        meter: SocketAddr,
        /// What it said.
        reason: String,
    },
    /// The meter closed the connection before the whole image was sent.
    ClosedEarly {
        /// Meter UDP address.
        meter: SocketAddr,
        /// Bytes sent before it closed.
        sent: u64,
        /// What it had answered so far.
        said: String,
    },
    /// The meter closed the connection after the image without a verdict.
    NoVerdict {
        /// Meter UDP address.
        meter: SocketAddr,
    },
    /// A step timed out.
    Timeout {
        /// Meter UDP address.
        meter: SocketAddr,
        /// Which step.
        step: OtaStep,
        /// Deadline.
        timeout: Duration,
    },
    /// Socket failure.
    Io {
        /// Meter UDP address.
        meter: SocketAddr,
        /// Which step.
        step: OtaStep,
        /// What the operating system said.
        detail: String,
    },
}

impl Describe for OtaError {
    fn describe(&self, tr: Tr) -> String {
        let n = |v: &dyn ToString| v.to_string();
        let debug = |d: &Duration| format!("{d:?}");
        match self {
            Self::BadImage(check) => tr.f(ClientMsg::ImageRefused, &[&check.describe(tr)]),
            Self::NoAnswer { meter, timeout } => tr.f(ClientMsg::OtaNoAnswer, &[&n(meter), &debug(timeout)]),
            Self::Unauthorized { meter } => tr.f(ClientMsg::OtaUnauthorized, &[&n(meter)]),
            Self::PasswordNeeded { meter } => tr.f(ClientMsg::OtaPasswordNeeded, &[&n(meter)]),
            Self::Refused { meter, reason } => tr.f(ClientMsg::FirmwareRefused, &[&n(meter), reason]),
            Self::ClosedEarly { meter, sent, said } => {
                tr.f(ClientMsg::OtaClosedEarly, &[&n(meter), &n(sent), said])
            }
            Self::NoVerdict { meter } => tr.f(ClientMsg::OtaNoVerdict, &[&n(meter)]),
            Self::Timeout { meter, step, timeout } => tr.f(
                ClientMsg::OtaTimeout,
                &[&n(meter), &step.describe(tr), &debug(timeout)],
            ),
            Self::Io { meter, step, detail } => {
                tr.f(ClientMsg::OtaIo, &[&n(meter), &step.describe(tr), detail])
            }
        }
    }
}

je08_protocol::english_display!(errors: OtaError);

fn md5_hex(data: &[u8]) -> String {
    md5::Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The challenge answer: `md5(md5(password) ":" nonce ":" cnonce)`, hex.
pub fn auth_response(password: &str, nonce: &str, cnonce: &str) -> String {
    let passmd5 = md5_hex(password.as_bytes());
    md5_hex(format!("{passmd5}:{nonce}:{cnonce}").as_bytes())
}

/// A fresh random client nonce: 16 random bytes in hex, as long as the
/// MD5 one `espota.py` sends.
fn random_cnonce() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Append what the meter said to `replies`, keeping only the last
/// [`MAX_REPLIES`] bytes.
fn keep_latest(replies: &mut String, said: &[u8]) {
    replies.push_str(&String::from_utf8_lossy(said));
    if replies.len() > MAX_REPLIES {
        let mut cut = replies.len() - MAX_REPLIES;
        while !replies.is_char_boundary(cut) {
            cut += 1;
        }
        replies.drain(..cut);
    }
}

/// Accept the meter's connection back within [`STEP_TIMEOUT`]; one from any
/// other host is closed and the wait goes on.
async fn accept_meter(listener: &TcpListener, meter: SocketAddr) -> Result<TcpStream, OtaError> {
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
    loop {
        let (stream, peer) = tokio::time::timeout_at(deadline, listener.accept())
            .await
            .map_err(|_| OtaError::Timeout {
                meter,
                step: OtaStep::AwaitConnectBack,
                timeout: STEP_TIMEOUT,
            })?
            .map_err(|e| OtaError::Io {
                meter,
                step: OtaStep::AcceptConnection,
                detail: e.to_string(),
            })?;
        if peer.ip().to_canonical() == meter.ip().to_canonical() {
            return Ok(stream);
        }
        tracing::warn!(%meter, %peer, "closed an espota connection from a host that is not the meter");
    }
}

/// Push `image` to the meter at `meter` (its espota UDP address). Returns the
/// image's version; confirm it afterwards over HTTP.
pub async fn push(
    meter: SocketAddr,
    password: Option<&Secret>,
    image: &[u8],
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<Option<FirmwareVersion>, OtaError> {
    let report = firmware::validate(image);
    let version = report
        .verdict()
        .map_err(|check| OtaError::BadImage(Box::new(check)))?;
    let io = |step: OtaStep| {
        move |e: std::io::Error| OtaError::Io {
            meter,
            step,
            detail: e.to_string(),
        }
    };
    let timeout = |step: OtaStep, t: Duration| OtaError::Timeout {
        meter,
        step,
        timeout: t,
    };

    let any = match meter.ip() {
        IpAddr::V4(_) => SocketAddr::from((std::net::Ipv4Addr::UNSPECIFIED, 0)),
        IpAddr::V6(_) => SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, 0)),
    };
    let udp = UdpSocket::bind(any).await.map_err(io(OtaStep::BindUdp))?;
    udp.connect(meter).await.map_err(io(OtaStep::ReachMeter))?;
    // Listen for the call-back on the interface that reaches the meter.
    let local_ip = udp.local_addr().map_err(io(OtaStep::BindUdp))?.ip();
    let listener = TcpListener::bind(SocketAddr::new(local_ip, 0))
        .await
        .map_err(io(OtaStep::Listen))?;
    let tcp_port = listener.local_addr().map_err(io(OtaStep::Listen))?.port();

    let invitation = format!("0 {tcp_port} {} {}\n", image.len(), report.md5);
    udp.send(invitation.as_bytes())
        .await
        .map_err(io(OtaStep::SendInvitation))?;
    let mut buf = [0u8; 128];
    let n = tokio::time::timeout(STEP_TIMEOUT, udp.recv(&mut buf))
        .await
        .map_err(|_| OtaError::NoAnswer {
            meter,
            timeout: STEP_TIMEOUT,
        })?
        .map_err(io(OtaStep::ReadInvitationAnswer))?;
    let answer = String::from_utf8_lossy(&buf[..n]).trim().to_owned();
    if let Some(nonce) = answer.strip_prefix("AUTH ") {
        let password = password.ok_or(OtaError::PasswordNeeded { meter })?;
        let cnonce = random_cnonce();
        let reply = format!(
            "200 {cnonce} {}\n",
            auth_response(password.expose(), nonce.trim(), &cnonce)
        );
        udp.send(reply.as_bytes())
            .await
            .map_err(io(OtaStep::SendAuthentication))?;
        let n = tokio::time::timeout(STEP_TIMEOUT, udp.recv(&mut buf))
            .await
            .map_err(|_| timeout(OtaStep::Authenticate, STEP_TIMEOUT))?
            .map_err(io(OtaStep::ReadAuthenticationAnswer))?;
        let verdict = String::from_utf8_lossy(&buf[..n]).trim().to_owned();
        if verdict.starts_with("Authentication Failed") {
            return Err(OtaError::Unauthorized { meter });
        }
        if verdict != "OK" {
            return Err(OtaError::Refused {
                meter,
                reason: verdict,
            });
        }
    } else if answer != "OK" {
        return Err(OtaError::Refused {
            meter,
            reason: answer,
        });
    }

    let mut stream = accept_meter(&listener, meter).await?;
    drop(listener);
    let _ = stream.set_nodelay(true);
    let total = image.len() as u64;
    let mut sent = 0u64;
    let mut replies = String::new();
    let mut ack = [0u8; 64];
    progress(0, total);
    for chunk in image.chunks(CHUNK) {
        tokio::time::timeout(STEP_TIMEOUT, stream.write_all(chunk))
            .await
            .map_err(|_| timeout(OtaStep::SendChunk, STEP_TIMEOUT))?
            .map_err(io(OtaStep::SendChunk))?;
        let n = tokio::time::timeout(STEP_TIMEOUT, stream.read(&mut ack))
            .await
            .map_err(|_| timeout(OtaStep::AwaitChunkAck, STEP_TIMEOUT))?
            .map_err(io(OtaStep::ReadChunkAck))?;
        if n == 0 {
            return Err(OtaError::ClosedEarly {
                meter,
                sent,
                said: replies.trim().to_owned(),
            });
        }
        keep_latest(&mut replies, &ack[..n]);
        sent += chunk.len() as u64;
        progress(sent, total);
    }
    // The verdict may already be in `replies` (after the last count).
    let deadline = tokio::time::Instant::now() + RESULT_TIMEOUT;
    loop {
        // The meter's word after its byte counts: `OK`, or why not.
        let verdict = replies
            .trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace())
            .trim_end();
        if verdict == "OK" {
            return Ok(version);
        }
        let n = tokio::time::timeout_at(deadline, stream.read(&mut ack))
            .await
            .map_err(|_| timeout(OtaStep::AwaitResult, RESULT_TIMEOUT))?
            .map_err(io(OtaStep::ReadResult))?;
        if n == 0 {
            return Err(if verdict.is_empty() {
                OtaError::NoVerdict { meter }
            } else {
                OtaError::Refused {
                    meter,
                    reason: verdict.to_owned(),
                }
            });
        }
        keep_latest(&mut replies, &ack[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_matches_the_espota_formula() {
        // md5("bintechnology") computed independently.
        let passmd5 = md5_hex(b"bintechnology");
        assert_eq!(passmd5.len(), 32);
        let expected = md5_hex(format!("{passmd5}:abc:def").as_bytes());
        assert_eq!(auth_response("bintechnology", "abc", "def"), expected);
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn only_the_latest_replies_are_kept() {
        let mut replies = String::new();
        for _ in 0..100 {
            keep_latest(&mut replies, "1460é".as_bytes());
        }
        keep_latest(&mut replies, b"OK");
        assert!(replies.len() <= MAX_REPLIES, "{}", replies.len());
        assert!(replies.len() > MAX_REPLIES - 6, "{}", replies.len());
        assert!(replies.ends_with("1460éOK"), "{replies}");
    }
}
