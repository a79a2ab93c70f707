//! The limit of `je08 bench modbus`: a raw blocking request/reply loop on
//! one TCP connection, with the function-3 request for the whole map encoded
//! once (only the transaction id changes) and the reply read at its exact
//! length. No framing library, no runtime, no allocation per read: what is
//! left is the round trip to the simulator.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};

use super::Throughput;
use crate::cli::bench::cpu_time;
use je08_client::endpoint::Endpoint;
use je08_protocol::registers::MAP_LEN;

/// Unit id sent in the request.
const UNIT_ID: u8 = 1;
/// The reply: MBAP header (7), function, byte count, the registers.
const REPLY_LEN: usize = 7 + 2 + 2 * MAP_LEN as usize;

/// The request for registers 0–109 with transaction id `tid`: MBAP header
/// (transaction id, protocol 0, length 6, unit id), then function 3, first
/// register 0, count 110.
fn request(tid: u16) -> [u8; 12] {
    let [t0, t1] = tid.to_be_bytes();
    let [c0, c1] = MAP_LEN.to_be_bytes();
    [t0, t1, 0, 0, 0, 6, UNIT_ID, 3, 0, 0, c0, c1]
}

/// Check a reply to the request with transaction id `tid`.
fn check_reply(reply: &[u8; REPLY_LEN], tid: u16) -> anyhow::Result<()> {
    let got = u16::from_be_bytes([reply[0], reply[1]]);
    ensure!(got == tid, "reply to transaction {got}, expected {tid}");
    ensure!(
        reply[7] == 3 && usize::from(reply[8]) == 2 * usize::from(MAP_LEN),
        "unexpected reply {:02x?}",
        &reply[..9]
    );
    Ok(())
}

/// Read the whole map back to back for `window` on one blocking connection
/// (on a blocking-task thread); CPU is this process's over the window.
pub(super) async fn run(meter: &Endpoint, window: Duration) -> anyhow::Result<Throughput> {
    let meter = meter.clone();
    tokio::task::spawn_blocking(move || reads(&meter, window))
        .await
        .context("the raw TCP loop panicked")?
}

fn reads(meter: &Endpoint, window: Duration) -> anyhow::Result<Throughput> {
    let mut stream = TcpStream::connect((meter.host.as_str(), meter.port))
        .with_context(|| format!("raw TCP loop: cannot connect to {meter}"))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut reply = [0u8; REPLY_LEN];
    let mut exchange = |tid: u16| -> anyhow::Result<()> {
        stream.write_all(&request(tid))?;
        stream.read_exact(&mut reply)?;
        check_reply(&reply, tid)
    };
    exchange(0).context("raw TCP loop: the first read failed")?;
    let mut latencies = Vec::new();
    let cpu0 = cpu_time();
    let started = Instant::now();
    let mut tid = 0u16;
    while started.elapsed() < window {
        tid = tid.wrapping_add(1);
        let t = Instant::now();
        if let Err(e) = exchange(tid) {
            bail!("raw TCP loop: read {} failed: {e:#}", latencies.len());
        }
        latencies.push(t.elapsed());
    }
    Ok(Throughput::since(started, cpu0, latencies))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_reads_the_whole_map_under_its_transaction_id() {
        assert_eq!(request(0x0102), [1, 2, 0, 0, 0, 6, 1, 3, 0, 0, 0, 110]);
    }

    #[test]
    fn a_reply_to_another_transaction_is_refused() {
        let mut reply = [0u8; REPLY_LEN];
        reply[..9].copy_from_slice(&[0, 7, 0, 0, 0, 223, 1, 3, 220]);
        assert!(check_reply(&reply, 7).is_ok());
        assert!(check_reply(&reply, 8).is_err());
        reply[7] = 0x83;
        assert!(check_reply(&reply, 7).is_err());
    }
}
