//! ArduinoOTA ("espota") firmware push (spec §5), compatible with the
//! ESP8266 Arduino core's `ArduinoOTA` and `espota.py`:
//!
//! 1. UDP to the meter: `0 <tcp_port> <size> <md5>\n` (0 = flash).
//! 2. The meter answers `OK`, or `AUTH <nonce>`; then we send
//!    `200 <cnonce> <md5(md5(password):nonce:cnonce)>\n` and expect `OK`
//!    (`Authentication Failed` otherwise).
//! 3. The meter connects back to our TCP port; we send the image in
//!    1460-byte chunks, each acknowledged with the byte count in ASCII.
//! 4. The meter checks the MD5 and answers `OK` (or an error) and reboots.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use md5::Digest;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

use je08_protocol::firmware::{self, FirmwareVersion};
use je08_protocol::http_api::Secret;

/// espota's chunk size (one TCP segment).
pub const CHUNK: usize = 1460;
/// Deadline for each UDP answer and for the meter to connect back.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline for the final verdict after the last chunk.
pub const RESULT_TIMEOUT: Duration = Duration::from_secs(60);

/// What went wrong during an espota push.
#[derive(Debug, Error)]
pub enum OtaError {
    /// The image failed validation: nothing was sent.
    #[error("firmware image refused before sending: {0}")]
    BadImage(Box<firmware::Check>),
    /// The meter did not answer the invitation.
    #[error(
        "meter {meter} did not answer the OTA invitation within {timeout:?}: is it in update mode and is {meter} its espota port?"
    )]
    NoAnswer {
        /// Meter UDP address.
        meter: SocketAddr,
        /// Deadline.
        timeout: Duration,
    },
    /// The interface password was refused.
    #[error("wrong interface password for meter {meter} (espota authentication failed)")]
    Unauthorized {
        /// Meter UDP address.
        meter: SocketAddr,
    },
    /// The meter needs a password and none was given.
    #[error("meter {meter} asks for the interface password: pass it with --password or JE08_PASSWORD")]
    PasswordNeeded {
        /// Meter UDP address.
        meter: SocketAddr,
    },
    /// The meter refused the update or it failed there.
    #[error("meter {meter} refused the firmware: {reason}")]
    Refused {
        /// Meter UDP address.
        meter: SocketAddr,
        /// What it said.
        reason: String,
    },
    /// A step timed out.
    #[error("meter {meter}: {step} timed out after {timeout:?}; the meter stays in update mode")]
    Timeout {
        /// Meter UDP address.
        meter: SocketAddr,
        /// Which step.
        step: &'static str,
        /// Deadline.
        timeout: Duration,
    },
    /// Socket failure.
    #[error("meter {meter}: {step} failed: {source}")]
    Io {
        /// Meter UDP address.
        meter: SocketAddr,
        /// Which step.
        step: &'static str,
        /// Cause.
        source: std::io::Error,
    },
}

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
    let io = |step: &'static str| move |source| OtaError::Io { meter, step, source };
    let timeout = |step: &'static str, t: Duration| OtaError::Timeout {
        meter,
        step,
        timeout: t,
    };

    let any: SocketAddr = match meter.ip() {
        IpAddr::V4(_) => "0.0.0.0:0",
        IpAddr::V6(_) => "[::]:0",
    }
    .parse()
    .map_err(|_| OtaError::Refused {
        meter,
        reason: "bad local address".into(),
    })?;
    let udp = UdpSocket::bind(any).await.map_err(io("binding UDP"))?;
    udp.connect(meter).await.map_err(io("reaching the meter"))?;
    // Listen for the call-back on the interface that reaches the meter.
    let local_ip = udp.local_addr().map_err(io("binding UDP"))?.ip();
    let listener = TcpListener::bind(SocketAddr::new(local_ip, 0))
        .await
        .map_err(io("listening for the meter"))?;
    let tcp_port = listener.local_addr().map_err(io("listening"))?.port();

    let invitation = format!("0 {tcp_port} {} {}\n", image.len(), report.md5);
    udp.send(invitation.as_bytes())
        .await
        .map_err(io("sending the invitation"))?;
    let mut buf = [0u8; 128];
    let n = tokio::time::timeout(STEP_TIMEOUT, udp.recv(&mut buf))
        .await
        .map_err(|_| OtaError::NoAnswer {
            meter,
            timeout: STEP_TIMEOUT,
        })?
        .map_err(io("reading the invitation answer"))?;
    let answer = String::from_utf8_lossy(&buf[..n]).trim().to_owned();
    if let Some(nonce) = answer.strip_prefix("AUTH ") {
        let password = password.ok_or(OtaError::PasswordNeeded { meter })?;
        let cnonce = md5_hex(format!("je08{}{}{meter}", image.len(), report.md5).as_bytes());
        let reply = format!(
            "200 {cnonce} {}\n",
            auth_response(password.expose(), nonce.trim(), &cnonce)
        );
        udp.send(reply.as_bytes())
            .await
            .map_err(io("sending the authentication"))?;
        let n = tokio::time::timeout(STEP_TIMEOUT, udp.recv(&mut buf))
            .await
            .map_err(|_| timeout("authentication", STEP_TIMEOUT))?
            .map_err(io("reading the authentication answer"))?;
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

    let (mut stream, _) = tokio::time::timeout(STEP_TIMEOUT, listener.accept())
        .await
        .map_err(|_| timeout("waiting for the meter to connect back", STEP_TIMEOUT))?
        .map_err(io("accepting the meter's connection"))?;
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
            .map_err(|_| timeout("sending a chunk", STEP_TIMEOUT))?
            .map_err(io("sending a chunk"))?;
        let n = tokio::time::timeout(STEP_TIMEOUT, stream.read(&mut ack))
            .await
            .map_err(|_| timeout("waiting for a chunk acknowledgement", STEP_TIMEOUT))?
            .map_err(io("reading a chunk acknowledgement"))?;
        if n == 0 {
            return Err(OtaError::Refused {
                meter,
                reason: format!("connection closed after {sent} bytes: {}", replies.trim()),
            });
        }
        replies.push_str(&String::from_utf8_lossy(&ack[..n]));
        sent += chunk.len() as u64;
        progress(sent, total);
    }
    // The verdict may already be in `replies` (after the last count).
    let deadline = tokio::time::Instant::now() + RESULT_TIMEOUT;
    loop {
        if replies.ends_with("OK") {
            return Ok(version);
        }
        let n = tokio::time::timeout_at(deadline, stream.read(&mut ack))
            .await
            .map_err(|_| timeout("waiting for the result", RESULT_TIMEOUT))?
            .map_err(io("reading the result"))?;
        if n == 0 {
            let reason: String = replies.chars().skip_while(|c| c.is_ascii_digit()).collect();
            return Err(OtaError::Refused {
                meter,
                reason: if reason.trim().is_empty() {
                    "connection closed without a verdict".to_owned()
                } else {
                    reason.trim().to_owned()
                },
            });
        }
        replies.push_str(&String::from_utf8_lossy(&ack[..n]));
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
}
