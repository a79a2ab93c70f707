//! Modbus client fault handling against raw TCP peers that misbehave in ways
//! the simulator never does: silence, late or mismatched replies, resets,
//! replies trickled byte by byte, random bytes. Each peer is a real socket
//! on 127.0.0.1 speaking raw Modbus TCP frames.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use je08_client::modbus::{ClientConfig, ModbusClient, ModbusError};
use je08_net::backoff::BackoffPolicy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One Modbus TCP request as received: transaction id, unit id, PDU.
struct Frame {
    tid: u16,
    unit: u8,
    pdu: Vec<u8>,
}

async fn read_frame(stream: &mut TcpStream) -> Option<Frame> {
    let mut header = [0u8; 7];
    stream.read_exact(&mut header).await.ok()?;
    let len = usize::from(u16::from_be_bytes([header[4], header[5]]));
    let mut pdu = vec![0u8; len.checked_sub(1)?];
    stream.read_exact(&mut pdu).await.ok()?;
    Some(Frame {
        tid: u16::from_be_bytes([header[0], header[1]]),
        unit: header[6],
        pdu,
    })
}

/// One Modbus TCP frame: MBAP header, then `pdu`.
fn frame(tid: u16, unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(7 + pdu.len());
    out.extend_from_slice(&tid.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&(pdu.len() as u16 + 1).to_be_bytes());
    out.push(unit);
    out.extend_from_slice(pdu);
    out
}

async fn send_frame(stream: &mut TcpStream, tid: u16, unit: u8, pdu: &[u8]) {
    let _ = stream.write_all(&frame(tid, unit, pdu)).await;
}

/// The PDU answering a function-3 read with `words`.
fn read_reply(words: &[u16]) -> Vec<u8> {
    let mut pdu = vec![3, (words.len() * 2) as u8];
    for w in words {
        pdu.extend_from_slice(&w.to_be_bytes());
    }
    pdu
}

/// Answer a read request with `count` registers whose value is `value(addr)`.
fn answer_read(frame: &Frame, value: impl Fn(u16) -> u16) -> Vec<u8> {
    let first = u16::from_be_bytes([frame.pdu[1], frame.pdu[2]]);
    let count = u16::from_be_bytes([frame.pdu[3], frame.pdu[4]]);
    let words: Vec<u16> = (first..first + count).map(value).collect();
    read_reply(&words)
}

/// A listening peer; `serve(index, stream)` runs for each accepted connection.
pub(crate) struct Peer {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// Connections accepted so far.
    pub(crate) accepts: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Listen on 127.0.0.1 (port 0) and run `serve` for each connection.
pub(crate) async fn peer<F, Fut>(serve: F) -> Peer
where
    F: Fn(usize, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepts = Arc::new(AtomicUsize::new(0));
    let counter = accepts.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let index = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(index, stream));
        }
    });
    Peer { addr, accepts, task }
}

/// A good answer: register n holds n.
fn good(a: u16) -> u16 {
    a
}

fn client(addr: SocketAddr, timeout_ms: u64) -> ModbusClient {
    ModbusClient::new(
        addr.into(),
        ClientConfig {
            timeout: Duration::from_millis(timeout_ms),
            backoff: BackoffPolicy {
                initial: Duration::from_millis(20),
                cap: Duration::from_millis(80),
                jitter: false,
            },
            ..ClientConfig::default()
        },
    )
}

/// Serve good answers to every request on this connection.
async fn serve_good(mut stream: TcpStream) {
    while let Some(f) = read_frame(&mut stream).await {
        send_frame(&mut stream, f.tid, f.unit, &answer_read(&f, good)).await;
    }
}

#[tokio::test]
async fn silent_peer_times_out_within_the_deadline() {
    let p = peer(|_, mut stream| async move {
        // Read the request and then hold the socket open without answering.
        let _frame = read_frame(&mut stream).await;
        std::future::pending::<()>().await;
        drop(stream);
    })
    .await;
    let mut c = client(p.addr, 300);
    let started = Instant::now();
    let err = c.read_map().await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, ModbusError::Timeout { .. }), "{err}");
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert!(
        !c.is_connected(),
        "the connection must be dropped after a timeout"
    );
    let text = err.to_string();
    assert!(text.contains(&p.addr.to_string()), "{text}");
    assert!(
        text.contains("300 ms") && text.contains("registers 0–109"),
        "{text}"
    );
}

#[tokio::test]
async fn a_late_reply_is_never_taken_for_the_next_answer() {
    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let p = peer(move |index, mut stream| {
        let gate = gate.clone();
        async move {
            if index > 0 {
                return serve_good(stream).await;
            }
            // First connection: answer the first request only when released,
            // with stale data, then keep answering every request with stale
            // data — a client reusing this connection would be fooled.
            while let Some(f) = read_frame(&mut stream).await {
                gate.notified().await;
                send_frame(&mut stream, f.tid, f.unit, &answer_read(&f, |_| 0x0BAD)).await;
            }
        }
    })
    .await;
    let mut c = client(p.addr, 300);
    let err = c.read_map().await.unwrap_err();
    assert!(matches!(err, ModbusError::Timeout { .. }), "{err}");
    release.notify_one();
    let block = c.read_map().await.expect("second read answered correctly");
    assert!(
        (0..110).all(|a| block.get(a) == a),
        "the late reply was taken for the answer: {:?}",
        &block.0[..8]
    );
    assert_eq!(
        p.accepts.load(Ordering::SeqCst),
        2,
        "a fresh connection was opened"
    );
}

#[tokio::test]
async fn a_reply_with_another_transaction_id_drops_the_connection() {
    let p = peer(|index, mut stream| async move {
        if index > 0 {
            return serve_good(stream).await;
        }
        while let Some(f) = read_frame(&mut stream).await {
            let pdu = answer_read(&f, good);
            send_frame(&mut stream, f.tid.wrapping_add(7), f.unit, &pdu).await;
        }
    })
    .await;
    let mut c = client(p.addr, 2000);
    let err = c.read_map().await.unwrap_err();
    assert!(matches!(err, ModbusError::Protocol { .. }), "{err}");
    assert!(err.to_string().contains("another request"), "{err}");
    assert!(!c.is_connected());
    let block = c.read_map().await.unwrap();
    assert_eq!(block.get(109), 109);
    assert_eq!(p.accepts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn bytes_after_the_reply_drop_the_connection() {
    let p = peer(|index, mut stream| async move {
        if index > 0 {
            return serve_good(stream).await;
        }
        // Each answer arrives twice in one write: whatever follows the first
        // copy could only be taken for the answer to the next request.
        while let Some(f) = read_frame(&mut stream).await {
            let twice = frame(f.tid, f.unit, &answer_read(&f, good)).repeat(2);
            let _ = stream.write_all(&twice).await;
        }
    })
    .await;
    let mut c = client(p.addr, 2000);
    let err = c.read_map().await.unwrap_err();
    assert!(matches!(err, ModbusError::Protocol { .. }), "{err}");
    assert!(err.to_string().contains("after the reply"), "{err}");
    assert!(!c.is_connected());
    assert_eq!(c.read_map().await.unwrap().get(109), 109);
    assert_eq!(p.accepts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_reply_of_the_wrong_length_is_a_protocol_error() {
    let p = peer(|index, mut stream| async move {
        if index > 0 {
            return serve_good(stream).await;
        }
        while let Some(f) = read_frame(&mut stream).await {
            send_frame(&mut stream, f.tid, f.unit, &read_reply(&[1; 109])).await;
        }
    })
    .await;
    let mut c = client(p.addr, 2000);
    let err = c.read_map().await.unwrap_err();
    assert!(matches!(err, ModbusError::Protocol { .. }), "{err}");
    assert!(err.to_string().contains("got 109"), "{err}");
    assert!(!c.is_connected());
    assert!(c.read_map().await.is_ok());
}

#[tokio::test]
async fn a_reset_mid_request_is_typed_and_the_next_call_reconnects() {
    let p = peer(|index, mut stream| async move {
        if index > 0 {
            return serve_good(stream).await;
        }
        let _frame = read_frame(&mut stream).await;
        // Abort the connection: RST instead of an orderly close.
        let _ = stream.set_zero_linger();
        drop(stream);
    })
    .await;
    let mut c = client(p.addr, 2000);
    let err = c.read_map().await.unwrap_err();
    assert!(matches!(err, ModbusError::Io { .. }), "{err}");
    assert!(err.to_string().contains("connection lost"), "{err}");
    assert!(!c.is_connected());
    assert_eq!(c.read_map().await.unwrap().get(50), 50);
    assert_eq!(p.accepts.load(Ordering::SeqCst), 2);
}

/// Serves one request, then resets the connection while it is idle and
/// reports the reset.
async fn serve_one_then_reset(
    mut stream: TcpStream,
    writes_seen: Arc<AtomicUsize>,
    reset_done: tokio::sync::mpsc::UnboundedSender<()>,
) {
    if let Some(f) = read_frame(&mut stream).await {
        if f.pdu[0] != 3 {
            writes_seen.fetch_add(1, Ordering::SeqCst);
        }
        send_frame(&mut stream, f.tid, f.unit, &answer_read(&f, good)).await;
    }
    let _ = stream.set_zero_linger();
    drop(stream);
    let _ = reset_done.send(());
}

#[tokio::test]
async fn a_read_on_a_dead_idle_connection_is_retried_once_but_a_write_is_not() {
    let writes = Arc::new(AtomicUsize::new(0));
    let seen = writes.clone();
    let (reset_tx, mut resets) = tokio::sync::mpsc::unbounded_channel();
    let p = peer(move |_, stream| serve_one_then_reset(stream, seen.clone(), reset_tx.clone())).await;
    let mut c = client(p.addr, 2000);
    c.read_map().await.unwrap();
    resets.recv().await.unwrap();
    // The read finds the idle connection dead and is retried once on a new one.
    let block = c
        .read_map()
        .await
        .expect("a read on a dead idle connection is retried");
    assert_eq!(block.get(7), 7);
    assert_eq!(p.accepts.load(Ordering::SeqCst), 2);
    resets.recv().await.unwrap();
    // The write finds the second connection dead: it fails and is not retried.
    let err = c.write_register(16, 100).await.unwrap_err();
    assert!(matches!(err, ModbusError::Io { .. }), "{err}");
    assert!(
        err.to_string().contains("may or may not have taken effect"),
        "{err}"
    );
    assert_eq!(writes.load(Ordering::SeqCst), 0, "the write was retried");
    assert_eq!(p.accepts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn reconnect_attempts_back_off_and_cap() {
    // A peer that accepts and closes at once: every request fails.
    let p = peer(|_, stream| async move { drop(stream) }).await;
    let mut c = client(p.addr, 1000);
    let window = Instant::now() + Duration::from_millis(600);
    let mut calls = 0;
    while Instant::now() < window {
        assert!(c.read_map().await.is_err());
        calls += 1;
    }
    let accepts = p.accepts.load(Ordering::SeqCst);
    // 20, 40, 80, 80, … ms between attempts: about 9 in 600 ms; a hot loop
    // would make thousands.
    assert!(accepts <= 12, "{accepts} connections in 600 ms: not backing off");
    assert_eq!(accepts as u64, c.stats().connect_attempts);
    assert_eq!(calls, accepts, "each failed call made exactly one attempt");
    assert!(c.backoff().failures() >= 2);
    assert_eq!(c.backoff().next_delay(), Duration::from_millis(80), "capped");
}

#[tokio::test]
async fn a_refusing_port_is_typed_and_paced() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut c = client(addr, 1000);
    let err = c.read_map().await.unwrap_err();
    assert!(matches!(err, ModbusError::Refused { .. }), "{err}");
    assert!(err.to_string().contains("502"), "{err}");
    assert_eq!(c.backoff().next_delay(), Duration::from_millis(20));
    let window = Instant::now() + Duration::from_millis(400);
    while Instant::now() < window {
        assert!(c.read_map().await.is_err());
    }
    let attempts = c.stats().connect_attempts;
    assert!(attempts <= 10, "{attempts} attempts in 400 ms");
    c.reset_backoff();
    assert_eq!(c.backoff().next_delay(), Duration::ZERO);
}

/// A meter that acknowledges every write but keeps its old values.
async fn serve_ignoring_writes(mut stream: TcpStream) {
    let value = |a: u16| match a {
        16 => 100,
        9..=15 => 1000,
        _ => 0,
    };
    while let Some(f) = read_frame(&mut stream).await {
        let reply = match f.pdu[0] {
            3 => answer_read(&f, value),
            6 => f.pdu.clone(),
            16 => f.pdu[..5].to_vec(),
            other => vec![other | 0x80, 1],
        };
        send_frame(&mut stream, f.tid, f.unit, &reply).await;
    }
}

#[tokio::test]
async fn a_write_that_does_not_read_back_is_reported_field_by_field() {
    use je08_client::params::{ApplyOptions, apply_settings};
    use je08_protocol::validate::WritePlan;
    let p = peer(|_, stream| serve_ignoring_writes(stream)).await;
    let mut c = client(p.addr, 2000);
    let plan = WritePlan::new(&[(16, 120), (10, 900)]).unwrap();
    let outcome = apply_settings(&mut c, &plan, ApplyOptions::default())
        .await
        .unwrap();
    assert!(!outcome.is_ok());
    let text: Vec<String> = outcome.mismatches.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "GANHO_TENSAO_A (register 10): wrote 900, read back 1000",
            "RELACAO_TC (register 16): wrote 120, read back 100"
        ]
    );
}

#[test]
fn je08_set_exits_non_zero_when_a_value_does_not_read_back() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let p = runtime.block_on(peer(|_, stream| serve_ignoring_writes(stream)));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["set", &p.addr.to_string(), "--ct-ratio", "120"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("MISMATCH: wrote 120, read back 100"), "{stdout}");
    assert!(stderr.contains("did not read back"), "{stderr}");
    drop(p);
}

#[tokio::test]
async fn a_reply_trickled_byte_by_byte_is_read_whole_within_the_deadline() {
    let p = peer(|_, mut stream| async move {
        let _ = stream.set_nodelay(true);
        while let Some(f) = read_frame(&mut stream).await {
            // One byte per segment: the header and the PDU arrive in pieces.
            for byte in frame(f.tid, f.unit, &answer_read(&f, good)) {
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    })
    .await;
    let mut c = client(p.addr, 5000);
    let block = c.read_map().await.expect("a trickled reply is read whole");
    assert!((0..110).all(|a| block.get(a) == a), "{:?}", &block.0[..8]);
    assert!(c.is_connected(), "a good reply keeps the connection");
    let words = c.read_registers(100, 3).await.expect("second trickled reply");
    assert_eq!(words, [100, 101, 102]);
    assert_eq!(p.accepts.load(Ordering::SeqCst), 1);
}

/// What a peer sends for `request` in case `seed`: pure noise, noise behind
/// the request's own header, or a frame of consistent length for the
/// request whose PDU is noise after the request's function code, its
/// exception form or any code.
fn random_reply(seed: u64, request: &Frame) -> Vec<u8> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let len = rng.random_range(1..=300);
    let noise: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    match seed % 3 {
        0 => noise,
        1 => {
            let mut out = frame(request.tid, request.unit, &[]);
            out[4..6].copy_from_slice(&rng.random::<u16>().to_be_bytes());
            out.extend_from_slice(&noise);
            out
        }
        _ => {
            let mut pdu = noise;
            pdu.truncate(253);
            let function = request.pdu[0];
            pdu[0] = [function, function | 0x80, rng.random()][rng.random_range(0..3)];
            frame(request.tid, request.unit, &pdu)
        }
    }
}

#[tokio::test]
async fn random_bytes_fail_cleanly_and_drop_the_connection() {
    // Each connection gets the bytes of its own case, then an orderly close.
    let p = peer(|index, mut stream| async move {
        if let Some(f) = read_frame(&mut stream).await {
            let _ = stream.write_all(&random_reply(index as u64, &f)).await;
            let _ = stream.shutdown().await;
        }
    })
    .await;
    for case in 0..400 {
        // A fresh client per case: no backoff between the cases. Reads,
        // writes and raw calls take turns; a raw call checks no data, so a
        // well-formed frame of its function answers it.
        let mut c = client(p.addr, 2000);
        let outcome = match case % 4 {
            0 => c
                .read_map()
                .await
                .map(|block| Some(format!("{:?}", &block.0[..8]))),
            1 => c
                .write_register(16, 120)
                .await
                .map(|()| Some("written".to_owned())),
            2 => c
                .write_registers(10, &[900, 1000])
                .await
                .map(|()| Some("written".to_owned())),
            _ => c.call_raw(0x41, &[1, 2]).await.map(|_| None),
        };
        match outcome {
            Ok(Some(what)) => panic!("case {case}: random bytes taken for an answer: {what}"),
            Ok(None) | Err(ModbusError::Exception { .. }) => {}
            Err(err @ (ModbusError::Protocol { .. } | ModbusError::Io { .. })) => {
                assert!(!c.is_connected(), "case {case}: {err}");
                assert!(err.to_string().contains(&p.addr.to_string()), "{err}");
            }
            Err(other) => panic!("case {case}: {other}"),
        }
    }
    assert_eq!(p.accepts.load(Ordering::SeqCst), 400);
}
