//! espota pushes against fake meters on 127.0.0.1 (a UDP socket and raw TCP
//! connections back to the client): another host connecting back first, a
//! meter that talks without end, and the client nonce of the challenge.

use std::net::SocketAddr;
use std::time::Duration;

use je08_client::ota::{self, OtaError};
use je08_protocol::http_api::{FACTORY_PASSWORD, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};

use crate::firmware::image;

/// The nonce the fake meters challenge with.
const NONCE: &str = "0123456789abcdef0123456789abcdef";

fn no_progress(_: u64, _: u64) {}

/// A fake meter's espota port and its address.
async fn espota_port() -> (UdpSocket, SocketAddr) {
    let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
    let addr = udp.local_addr().expect("udp address");
    (udp, addr)
}

/// Receive an invitation: who sent it, the TCP port to connect back to and
/// the image size.
async fn invitation(udp: &UdpSocket) -> (SocketAddr, u16, usize) {
    let mut buf = [0u8; 256];
    let (n, from) = udp.recv_from(&mut buf).await.expect("invitation");
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    let fields: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(fields.len(), 4, "{text:?}");
    (
        from,
        fields[1].parse().expect("port"),
        fields[2].parse().expect("size"),
    )
}

/// Take the invitation without a password and connect back from the
/// meter's address: the stream the image will come on, and its size.
async fn accept_and_connect_back(udp: &UdpSocket) -> (TcpStream, usize) {
    let (from, port, size) = invitation(udp).await;
    udp.send_to(b"OK", from).await.expect("answer");
    let stream = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .expect("connect back");
    (stream, size)
}

/// Read an image of `size` bytes, acknowledging each read with its count.
async fn receive(stream: &mut TcpStream, size: usize) -> Vec<u8> {
    let mut image = Vec::new();
    let mut buf = [0u8; 2048];
    while image.len() < size {
        let n = stream.read(&mut buf).await.expect("read image");
        assert!(n > 0, "the client closed after {} bytes", image.len());
        image.extend_from_slice(&buf[..n]);
        stream.write_all(n.to_string().as_bytes()).await.expect("ack");
    }
    image
}

#[tokio::test]
async fn espota_closes_a_connection_from_another_host_and_waits_for_the_meter() {
    let (udp, meter) = espota_port().await;
    let bytes = image("3.02");
    let fake = async {
        let (from, port, size) = invitation(&udp).await;
        udp.send_to(b"OK", from).await.expect("answer");
        let back = SocketAddr::from(([127, 0, 0, 1], port));
        // Another host (127.0.0.9, the meter is 127.0.0.1) gets there first.
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind(SocketAddr::from(([127, 0, 0, 9], 0)))
            .expect("bind 127.0.0.9");
        let mut intruder = socket.connect(back).await.expect("intruder connects");
        let mut got = [0u8; 64];
        let stolen = tokio::time::timeout(Duration::from_secs(5), intruder.read(&mut got)).await;
        // Then the meter itself.
        let mut stream = TcpStream::connect(back).await.expect("meter connects back");
        let received = receive(&mut stream, size).await;
        stream.write_all(b"OK").await.expect("verdict");
        (stolen, received)
    };
    let (pushed, (stolen, received)) = tokio::join!(ota::push(meter, None, &bytes, &no_progress), fake);
    assert!(
        matches!(stolen, Ok(Ok(0) | Err(_))),
        "the other host was served: {stolen:?}"
    );
    pushed.expect("pushed to the meter");
    assert_eq!(received, bytes);
}

#[tokio::test]
async fn espota_keeps_a_bounded_part_of_what_the_meter_says() {
    let (udp, meter) = espota_port().await;
    let bytes = image("3.02");
    let fake = async {
        let (mut stream, size) = accept_and_connect_back(&udp).await;
        let mut image = vec![0u8; size];
        stream.read_exact(&mut image).await.expect("image");
        // A megabyte of chatter instead of a count and a verdict, then close.
        let _ = stream.write_all(&vec![b'x'; 1 << 20]).await;
    };
    let (pushed, ()) = tokio::join!(ota::push(meter, None, &bytes, &no_progress), fake);
    let err = pushed.expect_err("no verdict");
    assert!(matches!(err, OtaError::Refused { .. }), "{err}");
    let text = err.to_string();
    assert!(text.len() < 1000, "{} bytes kept", text.len());
    assert!(text.contains(&meter.to_string()), "{text}");
}

#[tokio::test]
async fn espota_client_nonces_are_random() {
    let (udp, meter) = espota_port().await;
    let bytes = image("3.02");
    let mut cnonces = Vec::new();
    for _ in 0..2 {
        let fake = async {
            let (from, _, _) = invitation(&udp).await;
            udp.send_to(format!("AUTH {NONCE}").as_bytes(), from)
                .await
                .expect("challenge");
            let mut buf = [0u8; 256];
            let (n, from) = udp.recv_from(&mut buf).await.expect("authentication");
            udp.send_to(b"Authentication Failed", from)
                .await
                .expect("verdict");
            String::from_utf8_lossy(&buf[..n]).trim().to_owned()
        };
        let password = Secret::new(FACTORY_PASSWORD);
        let (pushed, line) = tokio::join!(ota::push(meter, Some(&password), &bytes, &no_progress), fake);
        assert!(matches!(pushed, Err(OtaError::Unauthorized { .. })), "{pushed:?}");
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields.len(), 3, "{line}");
        assert_eq!(fields[0], "200", "{line}");
        let cnonce = fields[1];
        assert_eq!(cnonce.len(), 32, "{line}");
        assert!(cnonce.chars().all(|c| c.is_ascii_hexdigit()), "{line}");
        assert_eq!(fields[2], ota::auth_response(FACTORY_PASSWORD, NONCE, cnonce));
        cnonces.push(cnonce.to_owned());
    }
    assert_ne!(
        cnonces[0], cnonces[1],
        "the same push twice used the same client nonce"
    );
}

/// A meter whose word after the image is an error that happens to end in
/// "OK" has not taken the update.
#[tokio::test]
async fn espota_takes_only_ok_itself_as_success() {
    let (udp, meter) = espota_port().await;
    let bytes = image("3.02");
    let fake = async {
        let (mut stream, size) = accept_and_connect_back(&udp).await;
        receive(&mut stream, size).await;
        stream.write_all(b"Update Error: NOT OK").await.expect("verdict");
    };
    let (pushed, ()) = tokio::join!(ota::push(meter, None, &bytes, &no_progress), fake);
    let err = pushed.expect_err("a failed update is no success");
    assert!(
        matches!(&err, OtaError::Refused { reason, .. } if reason == "Update Error: NOT OK"),
        "{err:?}"
    );
}
