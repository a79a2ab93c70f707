//! An MQTT broker inside the process (rumqttd), bound to loopback, so that
//! `je08 sim --embedded-broker` and `je08 demo` work on a machine with no
//! broker installed.
//!
//! rumqttd has no shutdown: the broker lives until the process exits.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// How long the broker may take to accept connections.
const START_DEADLINE: Duration = Duration::from_secs(10);

/// Start a broker on 127.0.0.1:`port` (0 = a free port) and return its
/// address once it accepts connections. Anonymous clients, MQTT 3.1.1.
pub async fn start_embedded_broker(port: u16) -> io::Result<SocketAddr> {
    let port = if port == 0 {
        // rumqttd does not report the port it bound: pick a free one first.
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port()
    } else {
        port
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let config = serde_json::json!({
        "id": 0,
        "router": {
            "id": 0,
            "max_connections": 20_000,
            "max_outgoing_packet_count": 200,
            "max_segment_size": 10_485_760,
            "max_segment_count": 10,
        },
        "v4": {
            "1": {
                "name": "je08-embedded",
                "listen": addr.to_string(),
                "next_connection_delay_ms": 1,
                "connections": {
                    "connection_timeout_ms": 60_000,
                    "max_payload_size": 20_480,
                    "max_inflight_count": 100,
                    "dynamic_filters": true,
                },
            },
        },
    });
    let config: rumqttd::Config =
        serde_json::from_value(config).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    std::thread::Builder::new()
        .name("je08-broker".into())
        .spawn(move || {
            let mut broker = rumqttd::Broker::new(config);
            if let Err(err) = broker.start() {
                tracing::error!(%err, "the embedded MQTT broker stopped");
            }
        })?;
    tokio::task::spawn_blocking(move || {
        let end = Instant::now() + START_DEADLINE;
        loop {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(_) => return Ok(addr),
                Err(err) if Instant::now() > end => {
                    return Err(io::Error::new(
                        err.kind(),
                        format!("the embedded broker did not start on {addr}: {err}"),
                    ));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    })
    .await
    .map_err(io::Error::other)?
}
