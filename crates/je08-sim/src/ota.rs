//! The simulator's ArduinoOTA endpoint (espota protocol, spec §5), following
//! the ESP8266 Arduino core's `ArduinoOTA.cpp` so that `espota.py` works:
//!
//! 1. UDP invitation `<cmd> <tcp_port> <size> <md5>\n` (cmd 0 = flash; other
//!    commands and malformed invitations are ignored);
//! 2. answer `AUTH <nonce>`; expect `200 <cnonce> <md5(md5(pw):nonce:cnonce)>`
//!    (32 hex digits each) from the same peer; wrong → `Authentication Failed`;
//!    an image larger than the slot → `ERR: Not Enough Space`; else `OK`;
//! 3. connect back over TCP to the peer's `tcp_port`, receive `size` bytes
//!    acknowledging every 1460 bytes (and the rest at the end) with the count
//!    in ASCII; 10 s without data aborts (the meter stays in update mode);
//! 4. check the MD5 and the image, answer `OK` and reboot into application
//!    mode with the new version, or an `ERROR: …` line and stay.
//!
//! Invitations are answered only while the device is online in update mode
//! and not under the `stall`/`refuse` faults.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Mutex;

use super::handle::SimDevice;
use super::server::Protocol;
use je08_protocol::firmware::MAX_IMAGE_BYTES;
use je08_protocol::firmware::md5_hex;
use je08_protocol::http_api::Mode;

/// Acknowledgement granularity, as `espota.py` sends.
const ACK_EVERY: usize = 1460;
/// Longest wait for data, the auth answer or the call-back connection.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// espota as a [`Protocol`]. Its UDP port stays bound in every state (the
/// meter only connects out over TCP); invitations are ignored unless the
/// meter is online in update mode without the `stall`/`refuse` faults.
#[derive(Debug, Default)]
pub struct Ota;

impl Protocol for Ota {
    const NAME: &'static str = "ota";
    type Socket = UdpSocket;

    fn bind(addr: SocketAddr) -> io::Result<(UdpSocket, SocketAddr)> {
        let socket = std::net::UdpSocket::bind(addr)?;
        socket.set_nonblocking(true)?;
        let addr = socket.local_addr()?;
        Ok((UdpSocket::from_std(socket)?, addr))
    }

    /// Answer invitations; each accepted one is received from its own task.
    async fn serve(&self, socket: &UdpSocket, device: &SimDevice) -> io::Result<()> {
        let busy = Arc::new(Mutex::new(()));
        let mut pending: Option<Pending> = None;
        let mut buf = [0u8; 512];
        loop {
            let (n, peer) = match socket.recv_from(&mut buf).await {
                Ok(x) => x,
                Err(err) => {
                    tracing::debug!("ota: receive failed: {err}");
                    continue;
                }
            };
            if !serving(device) || busy.try_lock().is_err() {
                continue;
            }
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if let Some(p) = pending.take_if(|p| p.peer == peer) {
                // Waiting for `200 <cnonce> <response>`.
                let mut parts = text.split_whitespace();
                let (cmd, cnonce, response) = (parts.next(), parts.next(), parts.next());
                let (Some("200"), Some(cnonce), Some(response)) = (cmd, cnonce, response) else {
                    continue;
                };
                if cnonce.len() != 32 || response.len() != 32 {
                    continue;
                }
                let password = device.with(|d| {
                    d.network
                        .interface_password
                        .as_ref()
                        .map(|p| p.expose().to_owned())
                        .unwrap_or_default()
                });
                let expected =
                    md5_hex(format!("{}:{}:{cnonce}", md5_hex(password.as_bytes()), p.nonce).as_bytes());
                if !expected.eq_ignore_ascii_case(response) {
                    tracing::warn!(%peer, "ota: authentication failed");
                    let _ = socket.send_to(b"Authentication Failed", peer).await;
                    continue;
                }
                if p.size > MAX_IMAGE_BYTES {
                    let _ = socket.send_to(b"ERR: Not Enough Space", peer).await;
                    continue;
                }
                let _ = socket.send_to(b"OK", peer).await;
                let Ok(guard) = busy.clone().try_lock_owned() else {
                    continue;
                };
                let device = device.clone();
                tokio::spawn(async move {
                    let _guard = guard;
                    if let Err(err) = receive(&device, &p).await {
                        tracing::warn!(peer = %p.peer, "ota: update failed: {err}; staying in update mode");
                    }
                });
            } else if let Some((tcp_port, size, md5)) = parse_invitation(&text) {
                let nonce = md5_hex(
                    format!("{:?}{}", std::time::SystemTime::now(), rand::random::<u64>()).as_bytes(),
                );
                tracing::info!(%peer, size, "ota: invitation");
                let _ = socket.send_to(format!("AUTH {nonce}").as_bytes(), peer).await;
                pending = Some(Pending {
                    peer,
                    tcp_port,
                    size,
                    md5,
                    nonce,
                });
            }
        }
    }
}

/// An invitation waiting for its authentication.
struct Pending {
    peer: SocketAddr,
    tcp_port: u16,
    size: usize,
    md5: String,
    nonce: String,
}

fn parse_invitation(text: &str) -> Option<(u16, usize, String)> {
    let mut parts = text.split_whitespace();
    if parts.next()? != "0" {
        return None;
    }
    let port = parts.next()?.parse::<u16>().ok().filter(|&p| p != 0)?;
    let size = parts.next()?.parse::<usize>().ok()?;
    let md5 = parts.next()?.to_ascii_lowercase();
    (md5.len() == 32 && md5.bytes().all(|b| b.is_ascii_hexdigit())).then_some((port, size, md5))
}

fn serving(device: &SimDevice) -> bool {
    let faults = device.faults();
    device.power_state().serving(Mode::Update) && !faults.stall && !faults.refuse
}

/// Connect back, receive, check, answer, apply.
async fn receive(device: &SimDevice, p: &Pending) -> io::Result<()> {
    let target = SocketAddr::new(p.peer.ip(), p.tcp_port);
    let mut stream = tokio::time::timeout(STEP_TIMEOUT, TcpStream::connect(target))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect back timed out"))??;
    let _ = stream.set_nodelay(true);
    let boot = device.power_state().boot_count;
    let mut data = Vec::with_capacity(p.size);
    let mut acked = 0usize;
    let mut buf = vec![0u8; 4096];
    while data.len() < p.size {
        let want = (p.size - data.len()).min(buf.len());
        let n = tokio::time::timeout(STEP_TIMEOUT, stream.read(&mut buf[..want]))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "receive timed out"))??;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("connection closed after {} of {} bytes", data.len(), p.size),
            ));
        }
        let state = device.power_state();
        if !state.serving(Mode::Update) || state.boot_count != boot {
            return Err(io::Error::other("the meter rebooted during the upload"));
        }
        data.extend_from_slice(&buf[..n]);
        while data.len() - acked >= ACK_EVERY {
            stream.write_all(ACK_EVERY.to_string().as_bytes()).await?;
            acked += ACK_EVERY;
        }
    }
    if data.len() > acked {
        stream
            .write_all((data.len() - acked).to_string().as_bytes())
            .await?;
    }
    let md5 = md5_hex(&data);
    if md5 != p.md5 {
        stream
            .write_all(format!("ERROR: MD5 Check Failed: expected {}, calculated {md5}", p.md5).as_bytes())
            .await?;
        return Err(io::Error::other("MD5 mismatch"));
    }
    // Validate before answering; the reboot comes after `OK` is written.
    let verdict = je08_protocol::firmware::validate(&data).verdict();
    match verdict {
        Err(reason) => {
            stream.write_all(format!("ERROR: {reason}").as_bytes()).await?;
            Err(io::Error::other(reason.to_string()))
        }
        Ok(_) => {
            stream.write_all(b"OK").await?;
            stream.shutdown().await?;
            super::http::apply_image(device, &data).map_err(io::Error::other)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitations() {
        let md5 = "d41d8cd98f00b204e9800998ecf8427e";
        assert_eq!(
            parse_invitation(&format!("0 4000 1234 {md5}\n")),
            Some((4000, 1234, md5.to_owned()))
        );
        assert_eq!(parse_invitation(&format!("100 4000 1234 {md5}\n")), None);
        assert_eq!(parse_invitation("0 4000 1234 abc\n"), None);
        assert_eq!(
            parse_invitation("0 0 1234 d41d8cd98f00b204e9800998ecf8427e"),
            None
        );
        assert_eq!(parse_invitation(""), None);
    }
}
