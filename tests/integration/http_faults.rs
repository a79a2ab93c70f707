//! The HTTP client against raw TCP peers on 127.0.0.1 that answer like no
//! meter does: redirects, bodies without end or far too large, a trickled
//! body, an HTML error page of a megabyte, an impossible `/api/info`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use je08_client::http::{HttpError, MeterHttp};
use je08_protocol::http_api::{FACTORY_PASSWORD, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::modbus_faults::{Peer, peer};

/// Method and path of the request on `stream`, once its head is read.
async fn read_head(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 || stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut words = text.split_whitespace();
    Some((words.next()?.to_owned(), words.next()?.to_owned()))
}

/// A whole answer with `status`, one more header line and `body`.
fn answer(status: &str, header: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\n{header}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// `/api/info` of a meter in application mode up for `uptime` seconds.
fn info(uptime: &str) -> String {
    format!(
        r#"{{"devtype":"JE08","subtype":"WATT METER","id":1234567,"name":"line 3","mac":"AA:BB:CC:DD:EE:FF","ip":"127.0.0.1","mode":"application","esp_version":"3.00","stm32_version":"1.00","wifi":{{"mode":"st","state":"connected","ssid":"plant","rssi":-58}},"uptime_s":{uptime}}}"#
    )
}

/// A peer answering every request with `bytes`.
async fn answering(bytes: Vec<u8>) -> Peer {
    let bytes = Arc::new(bytes);
    peer(move |_, mut stream| {
        let bytes = bytes.clone();
        async move {
            if read_head(&mut stream).await.is_some() {
                let _ = stream.write_all(&bytes).await;
            }
        }
    })
    .await
}

fn client(peer: &Peer, timeout: Duration) -> MeterHttp {
    MeterHttp::new("127.0.0.1", peer.addr.port(), Some(Secret::new(FACTORY_PASSWORD))).with_timeout(timeout)
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_names_its_location() {
    // Where the redirects point: a peer that would answer like a meter.
    let target = answering(answer(
        "200 OK",
        "Content-Type: application/json",
        info("100").as_bytes(),
    ))
    .await;
    let location = format!("http://{}/api/info", target.addr);
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let p = answering(answer(status, &format!("Location: {location}"), b"")).await;
        let c = client(&p, Duration::from_secs(5));
        let err = c.info().await.expect_err("a redirect is an error");
        assert!(matches!(err, HttpError::Redirected { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains(&location), "{status}: {text}");
        assert!(text.contains(&status[..3]), "{status}: {text}");
        assert!(text.contains(&p.addr.to_string()), "{status}: {text}");
        // With the password: neither followed nor carried elsewhere.
        let err = c.cert_status().await.expect_err("a redirect is an error");
        assert!(err.to_string().contains(&location), "{status}: {err}");
    }
    assert_eq!(
        target.accepts.load(Ordering::SeqCst),
        0,
        "a redirect was followed"
    );
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_cap() {
    let p = peer(|_, mut stream| async move {
        if read_head(&mut stream).await.is_none() {
            return;
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
        while stream.write_all(chunk.as_bytes()).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    let err = client(&p, Duration::from_secs(10))
        .info()
        .await
        .expect_err("an endless body is an error");
    assert!(
        matches!(err, HttpError::BodyTooLarge { .. }),
        "not stopped at the cap: {err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("256 KiB") && text.contains(&p.addr.to_string()),
        "{text}"
    );
}

#[tokio::test]
async fn a_huge_body_is_refused() {
    // A well-formed `/api/info` of 8 MiB: its name alone is far too long.
    let padding = "x".repeat(8 << 20);
    let body = info("100").replace("line 3", &padding);
    let p = answering(answer(
        "200 OK",
        "Content-Type: application/json",
        body.as_bytes(),
    ))
    .await;
    let err = client(&p, Duration::from_secs(20))
        .info()
        .await
        .expect_err("a huge body is an error");
    assert!(matches!(err, HttpError::BodyTooLarge { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("256 KiB"), "{text}");
    assert!(text.len() < 1000, "{} bytes", text.len());
}

#[tokio::test]
async fn an_html_error_page_is_quoted_in_a_few_hundred_characters() {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n<body>\n<h1>Internal Server Error</h1>\n{}</body></html>\n",
        "<p>at frame 42 of the stack</p>\n".repeat(40_000)
    );
    assert!(page.len() > 1 << 20);
    let p = answering(answer(
        "500 Internal Server Error",
        "Content-Type: text/html",
        page.as_bytes(),
    ))
    .await;
    let err = client(&p, Duration::from_secs(20))
        .info()
        .await
        .expect_err("a 500 is an error");
    assert!(matches!(err, HttpError::Protocol { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("500"), "{text}");
    assert!(text.contains("Internal Server Error"), "{text}");
    assert!(text.contains(&p.addr.to_string()), "{text}");
    assert!(
        text.chars().count() < 600,
        "{} characters quoted",
        text.chars().count()
    );
    assert!(!text.contains('\n'), "{text}");
}

#[tokio::test]
async fn a_trickled_body_times_out_within_the_deadline() {
    let p = peer(|_, mut stream| async move {
        if read_head(&mut stream).await.is_none() {
            return;
        }
        let body = info("100");
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        // One byte every 100 ms: the whole body would take many seconds.
        for byte in body.bytes() {
            if stream.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let err = client(&p, Duration::from_millis(800))
        .info()
        .await
        .expect_err("a body slower than the deadline is an error");
    assert!(matches!(err, HttpError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("800ms"), "{err}");
}

#[tokio::test]
async fn an_impossible_uptime_is_refused() {
    let p = answering(answer(
        "200 OK",
        "Content-Type: application/json",
        info(&u64::MAX.to_string()).as_bytes(),
    ))
    .await;
    let err = client(&p, Duration::from_secs(5))
        .info()
        .await
        .expect_err("an uptime no meter can count is refused");
    assert!(
        matches!(
            err,
            HttpError::BadInfo {
                field: "uptime_s",
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("uptime_s") && text.contains(&u64::MAX.to_string()),
        "{text}"
    );
    assert!(text.contains(&p.addr.to_string()), "{text}");
}

#[tokio::test]
async fn waiting_for_a_reboot_survives_a_hostile_uptime() {
    // First `/api/info` is sane; after the reboot request every answer
    // claims the largest uptime (the wait's arithmetic used to overflow).
    let infos = Arc::new(AtomicUsize::new(0));
    let seen = infos.clone();
    let p = peer(move |_, mut stream| {
        let seen = seen.clone();
        async move {
            let Some((method, path)) = read_head(&mut stream).await else {
                return;
            };
            let json = "Content-Type: application/json";
            let bytes = match (method.as_str(), path.as_str()) {
                ("GET", "/api/info") if seen.fetch_add(1, Ordering::SeqCst) == 0 => {
                    answer("200 OK", json, info("100").as_bytes())
                }
                ("GET", "/api/info") => answer("200 OK", json, info(&u64::MAX.to_string()).as_bytes()),
                ("POST", "/api/reboot") => {
                    answer("202 Accepted", json, br#"{"rebooting_into":"application"}"#)
                }
                _ => answer("404 Not Found", json, br#"{"error":"no such path"}"#),
            };
            let _ = stream.write_all(&bytes).await;
        }
    })
    .await;
    let err = client(&p, Duration::from_secs(5))
        .reboot(Duration::from_secs(1))
        .await
        .expect_err("never back with a sane answer");
    assert!(matches!(err, HttpError::NotBack { .. }), "{err}");
    assert!(err.to_string().contains("uptime_s"), "{err}");
    assert!(infos.load(Ordering::SeqCst) >= 2, "the wait polled the meter");
}
