//! espota answers (spec §5): the configurator's `ota::push` sends a small
//! valid image to a peer on loopback that plays the meter with fuzzed words:
//! its answer to the invitation (`OK`, `AUTH <nonce>`, anything), its answer
//! to the authentication, and what it writes back over TCP while the image
//! arrives (byte counts, `OK`, anything), in as many writes as given; then
//! it closes.
//!
//! Checks: the push never waits past a meter that has answered and closed;
//! it succeeds only when the meter said `OK` to the invitation (or to the
//! authentication after `AUTH`) and its final word after the byte counts is
//! `OK`; a refused password, a missing one and an early close are reported
//! as such; every failure can be said in both languages.
#![no_main]

use std::net::SocketAddr;

use je08_client::ota::{CHUNK, OtaError, push};
use je08_fuzz::{runtime, said_in_every_language};
use je08_protocol::firmware::{FirmwareVersion, ImageBuilder};
use je08_protocol::http_api::Secret;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// The longest UDP answer the push reads.
const UDP_ANSWER: usize = 128;
/// The version the image carries.
const VERSION: FirmwareVersion = FirmwareVersion(301);

/// The meter's words, as the fuzzed bytes split at each NUL: the answer to
/// the invitation, the answer to the authentication, the options (first
/// byte: bit 0 = the push has a password; next two: the image's code size
/// in 4-byte words, big endian, modulo 1200 — up to four chunks), then each
/// TCP write.
struct Input<'a> {
    invitation_answer: &'a [u8],
    auth_answer: &'a [u8],
    password: bool,
    words: u16,
    tcp_writes: Vec<&'a [u8]>,
}

impl<'a> Input<'a> {
    fn read(data: &'a [u8]) -> Self {
        let mut parts = data.split(|&b| b == 0);
        let invitation_answer = parts.next().unwrap_or_default();
        let auth_answer = parts.next().unwrap_or_default();
        let options = parts.next().unwrap_or_default();
        let byte = |i: usize| options.get(i).copied().unwrap_or(0);
        Self {
            invitation_answer,
            auth_answer,
            password: byte(0) & 1 == 1,
            words: u16::from_be_bytes([byte(1), byte(2)]),
            tcp_writes: parts.collect(),
        }
    }
}

/// A UDP answer as the push reads it.
fn heard(answer: &[u8]) -> String {
    String::from_utf8_lossy(&answer[..answer.len().min(UDP_ANSWER)])
        .trim()
        .to_owned()
}

/// The longest datagram the meter sends (the rest of a fuzzed answer is cut).
const DATAGRAM: usize = 1024;

/// The meter: answer on UDP, connect back, acknowledge, close; what it
/// wrote over TCP goes to `written`.
async fn meter(udp: UdpSocket, input: &Input<'_>, written: &mut Vec<u8>) -> std::io::Result<()> {
    let mut buf = [0u8; 512];
    let (n, from) = udp.recv_from(&mut buf).await?;
    let invitation = String::from_utf8_lossy(&buf[..n]).into_owned();
    let mut words = invitation.split_whitespace().skip(1);
    let port: u16 = words
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a call-back port");
    let size: usize = words.next().and_then(|s| s.parse().ok()).expect("an image size");
    udp.send_to(
        &input.invitation_answer[..input.invitation_answer.len().min(DATAGRAM)],
        from,
    )
    .await?;
    if heard(input.invitation_answer).starts_with("AUTH ") && input.password {
        udp.recv_from(&mut buf).await?;
        udp.send_to(&input.auth_answer[..input.auth_answer.len().min(DATAGRAM)], from)
            .await?;
    }
    // Refused when the push has given up already.
    let mut stream = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let mut received = 0;
    // An empty write sends nothing: the meter would only be silent, and a
    // silent meter is rightly timed out.
    for bytes in input.tcp_writes.iter().filter(|b| !b.is_empty()) {
        if received < size {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            received += n;
        }
        stream.write_all(bytes).await?;
        written.extend_from_slice(bytes);
    }
    stream.shutdown().await?;
    while stream.read(&mut buf).await? > 0 {}
    Ok(())
}

fn check(input: &Input<'_>, size: usize, result: Result<Option<FirmwareVersion>, OtaError>, written: &[u8]) {
    let first = heard(input.invitation_answer);
    let auth = first.starts_with("AUTH ");
    let second = heard(input.auth_answer);
    match result {
        Ok(version) => {
            assert_eq!(version, Some(VERSION));
            assert!(
                first == "OK" || (auth && input.password && second == "OK"),
                "accepted after {first:?} / {second:?}"
            );
            let said = String::from_utf8_lossy(written);
            let verdict = said.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
            assert!(
                verdict.starts_with("OK"),
                "a success the meter did not state: {said:?}"
            );
        }
        Err(err) => {
            said_in_every_language(&err);
            match err {
                OtaError::NoAnswer { .. } | OtaError::Timeout { .. } => {
                    panic!("the meter answered and closed, yet: {err}")
                }
                OtaError::BadImage(_) => panic!("the image is valid: {err}"),
                OtaError::Unauthorized { .. } => {
                    assert!(auth && input.password && second.starts_with("Authentication Failed"));
                }
                OtaError::PasswordNeeded { .. } => assert!(auth && !input.password),
                OtaError::ClosedEarly { sent, .. } => {
                    assert!(sent < size as u64 && sent % CHUNK as u64 == 0, "{sent} of {size}");
                }
                OtaError::Refused { .. } | OtaError::NoVerdict { .. } | OtaError::Io { .. } => {}
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let input = Input::read(data);
    let image = ImageBuilder::new()
        .version(VERSION)
        .segment(0x4010_0000, vec![0xA5; 4 * usize::from(input.words % 1200)])
        .build();
    let password = input.password.then(|| Secret::new("bintechnology"));
    runtime().block_on(async {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("a loopback UDP port");
        let address = udp.local_addr().expect("bound");
        let pushed = push(address, password.as_ref(), &image, &|_, _| {});
        let mut written = Vec::new();
        // The meter's own socket errors (the push hung up) are not findings.
        let (result, _) = tokio::join!(pushed, meter(udp, &input, &mut written));
        check(&input, image.len(), result, &written);
    });
});
