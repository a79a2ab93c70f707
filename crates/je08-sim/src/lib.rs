//! The virtual JE08: measurement model, device state and protocol servers.
//!
//! Layers, bottom up:
//! - [`model`]: pure physics (spec §7), seedable;
//! - [`device`]: one meter's state and the Modbus register rules (spec §1,
//!   §2), synchronous, time passed in explicitly;
//! - [`handle`]: [`SimDevice`], the cloneable shared handle with the power
//!   and fault `watch` channels and the reboot timers;
//! - protocol servers ([`modbus`], [`http`], [`ota`], [`control`]): each a
//!   [`server::Protocol`] run by a [`server::Server`], which opens and closes
//!   its port from [`SimDevice::subscribe_power`] and
//!   [`SimDevice::subscribe_faults`]; the MQTT client ([`mqtt`]) and the
//!   mDNS advert ([`mdns`]) follow the power state on their own;
//! - [`spawn_meter`]: builds a device and starts its servers, returning a
//!   [`SimMeter`].
//!
//! # Adding a server
//!
//! 1. Put it in its own module here and implement [`server::Protocol`]:
//!    what it binds, when the meter serves it, what a change of power state
//!    or faults does to its connections, and how it serves a bound socket.
//! 2. Add its port to [`MeterOptions`] and its address to [`SimMeter`] and
//!    [`ReadyLine`]; start it in [`spawn_meter`] with
//!    `Server::spawn::<YourProtocol>` among the meter's servers, which
//!    [`SimMeter::shutdown`] (or a drop) stops.
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
pub mod server;
pub mod wifi;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use serde::Serialize;

use control::Control;
pub use device::{Device, DeviceConfig};
pub use handle::{Faults, PowerState, SimDevice};
use http::Http;
use mdns::{AdvertPorts, MdnsAdvertiser, MeterAdvert};
use modbus::Modbus;
pub use model::{ModelParams, Scenario};
use mqtt::{SimMqtt, SimMqttOptions, SimMqttTiming};
use ota::Ota;
use server::Server;
use wifi::{Air, Radio};

/// How to start one virtual meter.
#[derive(Debug, Clone)]
pub struct MeterOptions {
    /// The device (id, physics, seed, reboot delay, start mode, …).
    pub device: DeviceConfig,
    /// Address every server binds (a loopback address in tests) when `wifi`
    /// is `None`; with `wifi`, where the first socket picks its free ports.
    pub bind: IpAddr,
    /// The Wi-Fi around the meter. `None`: it answers at `bind` whatever its
    /// connectivity block says. `Some`: each boot's Wi-Fi start decides —
    /// the access point address, the joined network's lease (or the static
    /// loopback IP of the block), or nowhere when a station cannot join.
    pub wifi: Option<Air>,
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
            wifi: None,
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
    /// The MQTT client; it runs while the active settings enable MQTT.
    pub mqtt: SimMqtt,
    /// The protocol servers above, stopped by shutdown or drop.
    servers: Vec<Server>,
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
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            mqtt.timing
        }
        None => SimMqttTiming::default(),
    };
    match options.wifi {
        Some(air) => config.radio = Radio::Air(air),
        None => {
            config.radio = Radio::Fixed(options.bind);
            if let IpAddr::V4(ip) = options.bind
                && config.network.wifi_mode == je08_protocol::http_api::WifiMode::St
            {
                config.network.ip = ip.to_string();
            }
        }
    }
    let device = SimDevice::new(Device::new(config, std::time::Instant::now()));
    let first = device.with(|d| d.address()).unwrap_or(options.bind);
    let at = |port| SocketAddr::new(first, port);
    let modbus = Server::spawn::<Modbus>(device.clone(), at(options.modbus_port))?;
    let http = options
        .http_port
        .map(|port| Server::spawn::<Http>(device.clone(), at(port)))
        .transpose()?;
    let ota = options
        .ota_port
        .map(|port| Server::spawn::<Ota>(device.clone(), at(port)))
        .transpose()?;
    let control = options
        .control_port
        .map(|port| {
            Server::spawn::<Control>(device.clone(), SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port))
        })
        .transpose()?;
    let mqtt = SimMqtt::spawn(device.clone(), timing);
    let mdns = options.mdns.map(|advertiser| {
        let ports = AdvertPorts {
            http: http.as_ref().map(|s| s.local_addr().port()),
            modbus: modbus.local_addr().port(),
            ota: ota.as_ref().map(|s| s.local_addr().port()),
        };
        MeterAdvert::spawn(advertiser, device.clone(), ports)
    });
    Ok(SimMeter {
        modbus: modbus.local_addr(),
        http: http.as_ref().map(Server::local_addr),
        ota: ota.as_ref().map(Server::local_addr),
        control: control.as_ref().map(Server::local_addr),
        servers: [Some(modbus), http, ota, control].into_iter().flatten().collect(),
        mdns,
        device,
        mqtt,
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
        for server in self.servers {
            server.shutdown().await;
        }
    }
}
