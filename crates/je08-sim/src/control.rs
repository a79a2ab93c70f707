//! Simulator-only control interface: JSON over HTTP on a loopback port
//! (`je08 sim --control-port P`). Tests and the demo use it to act on the
//! virtual meter as a person or the mains would; the configurator's device
//! code never does.
//!
//! | method, path | body | answer |
//! | --- | --- | --- |
//! | `GET /state` | | `{online, mode, boot_count, esp_version, led:{pattern, on}, faults:{stall, refuse, delay_ms, drop_generation}}` |
//! | `POST /button` | `{"held_ms": N}` | `{"outcome":{"action":"nothing"\|"switch_mode"\|"factory_network_reset", "mode"?}, "led_while_held":[[ms, on], …]}` (no real waiting) |
//! | `POST /power-cycle` | | `{}`: off, then on in application mode after the reboot delay |
//! | `POST /faults` | `{"stall"?: bool, "refuse"?: bool, "delay_ms"?: N\|null, "drop_connections"?: true}` | the faults now |
//!
//! The LED `pattern` is `{"kind":"off"}`, `{"kind":"blinks","count":n}`,
//! `{"kind":"inverted_blinks","count":n}` or `{"kind":"update"}`; `on` is the
//! LED at this instant.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

use super::device::{BUTTON_FACTORY, BUTTON_SWITCH, ButtonOutcome, LedPattern, led_while_held};
use super::handle::SimDevice;
use super::http::Connections;
use super::server::{Protocol, listen};
use je08_protocol::firmware::FirmwareVersion;
use je08_protocol::http_api::Mode;

/// The control interface as a [`Protocol`]: loopback only, served in every
/// state and under every fault.
#[derive(Debug, Default)]
pub struct Control {
    connections: Connections,
}

impl Protocol for Control {
    const NAME: &'static str = "control";
    type Socket = TcpListener;
    const ON_WIFI: bool = false;

    /// Refuses any address but a loopback one.
    fn bind(addr: SocketAddr) -> io::Result<(TcpListener, SocketAddr)> {
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the control interface listens on loopback only, not {addr}"),
            ));
        }
        listen(addr)
    }

    async fn serve(&self, listener: &TcpListener, device: &SimDevice) -> io::Result<()> {
        let app = Router::new()
            .route("/state", get(state))
            .route("/button", post(button))
            .route("/power-cycle", post(power_cycle))
            .route("/faults", post(faults))
            .with_state(device.clone());
        self.connections.accept(listener, app).await
    }
}

/// The LED now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LedNow {
    /// The repeating pattern.
    pub pattern: LedPattern,
    /// Lit at this instant.
    pub on: bool,
}

/// Injected faults as the control interface shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultsView {
    /// Requests are read and never answered.
    pub stall: bool,
    /// Listeners closed.
    pub refuse: bool,
    /// Every answer this late.
    pub delay_ms: Option<u64>,
    /// Bumped by every drop-connections.
    pub drop_generation: u64,
}

/// `GET /state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlState {
    /// Serving (not rebooting).
    pub online: bool,
    /// Mode (the target mode while rebooting).
    pub mode: Mode,
    /// Completed boots.
    pub boot_count: u32,
    /// ESP firmware version `x.yy`.
    pub esp_version: String,
    /// Status LED.
    pub led: LedNow,
    /// Injected faults.
    pub faults: FaultsView,
}

/// The control state of a device now.
pub fn control_state(device: &SimDevice) -> ControlState {
    let power = device.power_state();
    let f = device.faults();
    let (led, esp) = device.with(|d| {
        (
            LedNow {
                pattern: d.led_pattern(),
                on: d.led_state_at(Instant::now()),
            },
            FirmwareVersion(d.esp_version).to_string(),
        )
    });
    ControlState {
        online: power.online,
        mode: power.mode,
        boot_count: power.boot_count,
        esp_version: esp,
        led,
        faults: FaultsView {
            stall: f.stall,
            refuse: f.refuse,
            delay_ms: f.delay.map(|d| d.as_millis() as u64),
            drop_generation: f.drop_generation,
        },
    }
}

async fn state(State(device): State<SimDevice>) -> Json<ControlState> {
    Json(control_state(&device))
}

/// `POST /button` body.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
pub struct ButtonRequest {
    /// How long the button is held, in milliseconds.
    pub held_ms: u64,
}

/// `POST /button` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ButtonReply {
    /// What the release did.
    pub outcome: serde_json::Value,
    /// The LED while held: `(ms since press, lit)` at each change.
    pub led_while_held: Vec<(u64, bool)>,
}

async fn button(State(device): State<SimDevice>, Json(req): Json<ButtonRequest>) -> Response {
    let held = Duration::from_millis(req.held_ms);
    let outcome: ButtonOutcome = device.press_button(held);
    let mut led = vec![(0, led_while_held(Duration::ZERO))];
    for edge in [BUTTON_SWITCH, BUTTON_FACTORY + Duration::from_millis(1)] {
        if edge <= held {
            led.push((edge.as_millis() as u64, led_while_held(edge)));
        }
    }
    let outcome = serde_json::to_value(outcome).unwrap_or(serde_json::Value::Null);
    Json(ButtonReply {
        outcome,
        led_while_held: led,
    })
    .into_response()
}

async fn power_cycle(State(device): State<SimDevice>) -> Response {
    device.power_cycle();
    (StatusCode::OK, Json(serde_json::json!({}))).into_response()
}

/// `POST /faults` body: only the given fields change.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
pub struct FaultsRequest {
    /// Read requests, never answer.
    #[serde(default)]
    pub stall: Option<bool>,
    /// Close the listeners.
    #[serde(default)]
    pub refuse: Option<bool>,
    /// Answer late (`null` or 0 = at once); absent = unchanged.
    #[serde(default, with = "double_option")]
    pub delay_ms: Option<Option<u64>>,
    /// Close every open connection now.
    #[serde(default)]
    pub drop_connections: bool,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Option<u64>>, s: S) -> Result<S::Ok, S::Error> {
        v.flatten().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
        Option::<u64>::deserialize(d).map(Some)
    }
}

async fn faults(State(device): State<SimDevice>, Json(req): Json<FaultsRequest>) -> Json<FaultsView> {
    if let Some(stall) = req.stall {
        device.set_stall(stall);
    }
    if let Some(refuse) = req.refuse {
        device.set_refuse(refuse);
    }
    if let Some(delay) = req.delay_ms {
        device.set_delay(delay.filter(|&ms| ms > 0).map(Duration::from_millis));
    }
    if req.drop_connections {
        device.drop_connections();
    }
    Json(control_state(&device).faults)
}
