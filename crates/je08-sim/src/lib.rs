//! The virtual JE08: measurement model, device state and protocol servers.
//!
//! Layers, bottom up:
//! - [`model`]: pure physics (spec §7), seedable;
//! - [`device`]: one meter's state and the Modbus register rules (spec §1,
//!   §2), synchronous, time passed in explicitly;
//! - [`handle`]: [`SimDevice`], the cloneable shared handle with the power
//!   and fault `watch` channels and the reboot timers;
//! - protocol servers ([`modbus`], …), each holding a `SimDevice` clone,
//!   starting/stopping themselves from [`SimDevice::subscribe_power`] and
//!   honouring [`SimDevice::subscribe_faults`];
//! - [`spawn_meter`]: builds a device and starts its servers, returning a
//!   [`SimMeter`].
//!
//! # Adding a server (HTTP, MQTT, OTA, mDNS, control)
//!
//! 1. Put it in its own module here, with a `spawn(device: SimDevice,
//!    bind: SocketAddr) -> io::Result<Self>` that binds (port 0 allowed) and
//!    returns at once with the bound address, and a `shutdown`.
//! 2. Add its option (port) to [`MeterOptions`], its handle and address to
//!    [`SimMeter`], start it in [`spawn_meter`], stop it in
//!    [`SimMeter::shutdown`], and fill its field of [`ReadyLine`].
//! 3. Read and change the meter only through `SimDevice::with` /
//!    `registers` / `reboot` …; never hold the lock across an await.
#![warn(missing_docs)]

pub mod broker;
pub mod control;
pub mod device;
pub mod handle;
pub mod http;
pub mod mdns;
pub mod modbus;
pub mod model;
pub mod mqtt;
pub mod mqtt_settings;
pub mod ota;
pub mod server_task;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use serde::Serialize;

use control::ControlServer;
pub use device::{Device, DeviceConfig};
pub use handle::{Faults, PowerState, SimDevice};
use http::HttpServer;
use mdns::{AdvertPorts, MdnsAdvertiser, MeterAdvert};
use modbus::ModbusServer;
pub use model::{ModelParams, Scenario};
use mqtt::{SimMqtt, SimMqttOptions, SimMqttTiming};
use ota::OtaServer;

/// How to start one virtual meter.
#[derive(Debug, Clone)]
pub struct MeterOptions {
    /// The device (id, physics, seed, reboot delay, start mode, …).
    pub device: DeviceConfig,
    /// Address every server binds (a loopback address in tests).
    pub bind: IpAddr,
    /// Modbus TCP port; 0 picks a free one.
    pub modbus_port: u16,
    /// The broker the meter is commissioned with: seeds its protocols
    /// block and certificate slots before power-on (and sets the client's
    /// timing). `None`: the protocols block of `device` as it is (MQTT off
    /// unless it says otherwise); MQTT can then be set up over HTTP.
    pub mqtt: Option<SimMqttOptions>,
    /// HTTP API port (`None`: not served; 0: a free one).
    pub http_port: Option<u16>,
    /// espota UDP port (`None`: not served; 0: a free one).
    pub ota_port: Option<u16>,
    /// Control interface port on 127.0.0.1 (`None`: not served; 0: a free one).
    pub control_port: Option<u16>,
    /// mDNS advertiser (loopback only) shared by the meters of a process;
    /// `None`: not advertised. Only an IPv4 `bind` is advertised.
    pub mdns: Option<Arc<MdnsAdvertiser>>,
}

impl MeterOptions {
    /// Meter `id` in scenario `balanced` on 127.0.0.1, free ports.
    pub fn new(id: u32) -> Self {
        Self {
            device: DeviceConfig::new(id),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            modbus_port: 0,
            mqtt: None,
            http_port: None,
            ota_port: None,
            control_port: None,
            mdns: None,
        }
    }

    /// The same with the physics of `scenario`.
    pub fn scenario(id: u32, scenario: Scenario) -> Self {
        let mut options = Self::new(id);
        options.device.model = scenario.params();
        options
    }
}

/// A running virtual meter; every server stops when it is dropped.
#[derive(Debug)]
pub struct SimMeter {
    /// Shared handle on the device state.
    pub device: SimDevice,
    /// Where the Modbus server listens.
    pub modbus: SocketAddr,
    /// Where the HTTP API listens, when served.
    pub http: Option<SocketAddr>,
    /// The espota UDP address, when served.
    pub ota: Option<SocketAddr>,
    /// The control interface address, when served.
    pub control: Option<SocketAddr>,
    modbus_server: ModbusServer,
    /// The MQTT client; it runs while the active settings enable MQTT.
    pub mqtt: SimMqtt,
    http_server: Option<HttpServer>,
    ota_server: Option<OtaServer>,
    control_server: Option<ControlServer>,
    mdns: Option<MeterAdvert>,
}

/// The JSON line `je08 sim` prints once a meter is ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadyLine {
    /// Always `"ready"`.
    pub event: &'static str,
    /// Device id.
    pub id: u32,
    /// Modbus TCP address `IP:PORT`.
    pub modbus: String,
    /// HTTP API address, when served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    /// espota UDP address, when served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ota: Option<String>,
    /// Simulator control interface address, when served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Broker URL of the active protocols block, when it enables MQTT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mqtt: Option<String>,
    /// Address `IP:PORT` of the embedded broker, when `je08 sim` runs one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker: Option<String>,
}

/// Start a meter and its servers; returns once every socket is bound.
pub async fn spawn_meter(options: MeterOptions) -> io::Result<SimMeter> {
    let mut config = options.device;
    let timing = match &options.mqtt {
        Some(mqtt) => {
            mqtt.seed(&mut config)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
            mqtt.timing()
        }
        None => SimMqttTiming::default(),
    };
    if let IpAddr::V4(ip) = options.bind
        && config.network.wifi_mode == je08_protocol::http_api::WifiMode::St
    {
        config.network.ip = ip.to_string();
    }
    let device = SimDevice::new(Device::new(config, std::time::Instant::now()));
    let modbus_server =
        ModbusServer::spawn(device.clone(), SocketAddr::new(options.bind, options.modbus_port)).await?;
    let mqtt = SimMqtt::spawn(device.clone(), timing);
    let http_server = match options.http_port {
        Some(port) => Some(HttpServer::spawn(device.clone(), SocketAddr::new(options.bind, port)).await?),
        None => None,
    };
    let ota_server = match options.ota_port {
        Some(port) => Some(OtaServer::spawn(device.clone(), SocketAddr::new(options.bind, port)).await?),
        None => None,
    };
    let control_server = match options.control_port {
        Some(port) => Some(
            ControlServer::spawn(
                device.clone(),
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            )
            .await?,
        ),
        None => None,
    };
    let mdns = match (options.mdns, options.bind) {
        (Some(advertiser), IpAddr::V4(ip)) => {
            let ports = AdvertPorts {
                http: http_server.as_ref().map(|s| s.local_addr().port()),
                modbus: modbus_server.local_addr().port(),
                ota: ota_server.as_ref().map(|s| s.local_addr().port()),
            };
            Some(MeterAdvert::spawn(advertiser, device.clone(), ip, ports))
        }
        _ => None,
    };
    Ok(SimMeter {
        modbus: modbus_server.local_addr(),
        http: http_server.as_ref().map(HttpServer::local_addr),
        ota: ota_server.as_ref().map(OtaServer::local_addr),
        control: control_server.as_ref().map(ControlServer::local_addr),
        mdns,
        device,
        modbus_server,
        mqtt,
        http_server,
        ota_server,
        control_server,
    })
}

impl SimMeter {
    /// Device id.
    pub fn id(&self) -> u32 {
        self.device.id()
    }

    /// The ready line describing this meter.
    pub fn ready_line(&self) -> ReadyLine {
        ReadyLine {
            event: "ready",
            id: self.id(),
            modbus: self.modbus.to_string(),
            http: self.http.map(|a| a.to_string()),
            ota: self.ota.map(|a| a.to_string()),
            control: self.control.map(|a| a.to_string()),
            mqtt: self
                .device
                .with(|d| mqtt_settings::broker_of(&d.protocols.mqtt))
                .map(|url| url.to_string()),
            broker: None,
        }
    }

    /// Stop every server (listeners and connections closed).
    pub async fn shutdown(self) {
        if let Some(mdns) = self.mdns {
            mdns.shutdown().await;
        }
        self.mqtt.shutdown().await;
        self.modbus_server.shutdown().await;
        if let Some(server) = self.http_server {
            server.shutdown().await;
        }
        if let Some(server) = self.ota_server {
            server.shutdown().await;
        }
        if let Some(server) = self.control_server {
            server.shutdown().await;
        }
    }
}
