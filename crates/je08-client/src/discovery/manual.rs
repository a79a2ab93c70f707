//! Manual entry: probe an address or host name a person typed, over Modbus
//! (registers 103–109) and HTTP (`GET /api/info`) at the same time. The
//! factory-state helper probes [`je08_protocol::discovery::FACTORY_IP`]
//! the same way after showing [`je08_protocol::discovery::FACTORY_HELP`].

use crate::http::HttpError;
use crate::texts::ClientMsg;
use je08_protocol::i18n::{Describe, Tr};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use chrono::Utc;

use super::registry::{Ports, Sighting, Source};
use super::scan::{ModbusProbeError, probe_modbus, sighting_from_registers};
use crate::http::MeterHttp;
use je08_protocol::discovery::{DEVTYPE, MODBUS_PORT};
use je08_protocol::http_api::{DEFAULT_HTTP_PORT, Info};

/// Where and how long to probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Modbus TCP port.
    pub modbus_port: u16,
    /// HTTP API port.
    pub http_port: u16,
    /// Deadline for name resolution, and again for each probe.
    pub deadline: Duration,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            modbus_port: MODBUS_PORT,
            http_port: DEFAULT_HTTP_PORT,
            deadline: Duration::from_secs(2),
        }
    }
}

/// Why a typed address did not lead to a meter; said in words by its
/// [`Describe`] (its English is its `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManualProbeError {
    /// The host name did not resolve.
    Resolve {
        /// As typed.
        host: String,
        /// Why.
        fault: ResolveFault,
    },
    /// Neither Modbus nor HTTP identified a JE08 there.
    NoMeter {
        /// As typed.
        host: String,
        /// The Modbus probe's failure.
        modbus: ModbusProbeError,
        /// The HTTP probe's failure.
        http: HttpProbeError,
    },
}

/// Why a host name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveFault {
    /// No answer within the deadline.
    NoAnswer {
        /// The deadline in milliseconds.
        ms: u128,
    },
    /// The resolver's own words.
    Failed(String),
    /// The name has no address.
    NoAddress,
}

/// Why `/api/info` did not identify a JE08.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpProbeError {
    /// The request failed.
    Http(HttpError),
    /// Something answered, but not a JE08.
    NotJe08 {
        /// Address probed.
        addr: SocketAddr,
        /// The device type it announced.
        devtype: String,
    },
}

impl Describe for ResolveFault {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::NoAnswer { ms } => tr.f(ClientMsg::ResolveNoAnswer, &[&ms.to_string()]),
            Self::Failed(detail) => detail.clone(),
            Self::NoAddress => tr.t(ClientMsg::ResolveNoAddress).to_owned(),
        }
    }
}

impl Describe for HttpProbeError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Http(err) => err.describe(tr),
            Self::NotJe08 { addr, devtype } => tr.f(
                ClientMsg::ProbeHttpNotJe08,
                &[&addr.to_string(), &format!("{devtype:?}")],
            ),
        }
    }
}

impl Describe for ManualProbeError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Resolve { host, fault } => tr.f(ClientMsg::ProbeResolve, &[host, &fault.describe(tr)]),
            Self::NoMeter { host, modbus, http } => tr.f(
                ClientMsg::ProbeNoMeter,
                &[host, &modbus.describe(tr), &http.describe(tr)],
            ),
        }
    }
}

je08_protocol::english_display!(errors: ManualProbeError);

/// Probe `host` (an IP address or a name): a JE08 identified by Modbus or
/// by `/api/info` gives one sighting with source `manual` and everything
/// both answers told.
pub async fn probe_host(host: &str, options: ProbeOptions) -> Result<Sighting, ManualProbeError> {
    let host = host.trim();
    let ip = resolve(host, options.deadline).await?;
    let (modbus, http) = tokio::join!(
        probe_modbus(SocketAddr::new(ip, options.modbus_port), options.deadline),
        probe_http(SocketAddr::new(ip, options.http_port), options.deadline),
    );
    let host_name = host.parse::<IpAddr>().is_err().then(|| host.to_owned());
    let mut sighting = match (modbus, http) {
        (Ok(identity), http) => {
            let addr = SocketAddr::new(ip, options.modbus_port);
            let mut sighting = sighting_from_registers(&identity, addr, Source::Manual);
            if let Some(info) = http.ok().filter(|info| info.id == identity.id) {
                sighting.mode = info.mode;
                sighting.name = info.name;
                sighting.mac = info.mac;
                sighting.ports.http = info.ports.http;
            }
            sighting
        }
        (Err(_), Ok(info)) => info,
        (Err(modbus), Err(http)) => {
            return Err(ManualProbeError::NoMeter {
                host: host.to_owned(),
                modbus,
                http,
            });
        }
    };
    sighting.host = host_name;
    Ok(sighting)
}

async fn resolve(host: &str, deadline: Duration) -> Result<IpAddr, ManualProbeError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(ip);
    }
    let failed = |fault| ManualProbeError::Resolve {
        host: host.to_owned(),
        fault,
    };
    let addrs = tokio::time::timeout(deadline, tokio::net::lookup_host((host, 0)))
        .await
        .map_err(|_| {
            failed(ResolveFault::NoAnswer {
                ms: deadline.as_millis(),
            })
        })?
        .map_err(|err| failed(ResolveFault::Failed(err.to_string())))?;
    let addrs: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
    addrs
        .iter()
        .find(|ip| ip.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| failed(ResolveFault::NoAddress))
}

/// `GET /api/info` at `addr`; the sighting it makes, or why not.
async fn probe_http(addr: SocketAddr, deadline: Duration) -> Result<Sighting, HttpProbeError> {
    let client = MeterHttp::new(&addr.ip().to_string(), addr.port(), None).with_timeout(deadline);
    let info = client.info().await.map_err(HttpProbeError::Http)?;
    sighting_from_api_info(&info, addr).ok_or_else(|| HttpProbeError::NotJe08 {
        addr,
        devtype: info.devtype.clone(),
    })
}

/// The sighting an `/api/info` answer (spec §4) from `addr` makes, or
/// `None` when it does not describe a JE08.
pub fn sighting_from_api_info(info: &Info, addr: SocketAddr) -> Option<Sighting> {
    if !info.devtype.trim().eq_ignore_ascii_case(DEVTYPE) {
        return None;
    }
    let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
    Some(Sighting {
        ip: Some(addr.ip()),
        ports: Ports {
            http: Some(addr.port()),
            ..Ports::default()
        },
        mode: Some(info.mode),
        firmware: info.esp_version.parse().ok(),
        name: text(&info.name),
        mac: text(&info.mac),
        ..Sighting::new(info.id, Source::Manual, Utc::now())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::mode::Mode;
    use je08_protocol::readings::Version;

    #[test]
    fn api_info_makes_a_sighting() {
        let addr: SocketAddr = "127.0.0.5:8080".parse().unwrap();
        let mut info: Info = serde_json::from_value(serde_json::json!({
            "devtype": "JE08", "subtype": "WATT METER", "id": 123456, "name": "Panel 3",
            "mac": "5C:CF:7F:01:E2:40", "ip": "10.0.0.9", "mode": "configuration",
            "esp_version": "3.01", "stm32_version": "3.00",
            "wifi": {"mode": "st", "state": "connected", "ssid": "plant", "rssi": -60},
            "uptime_s": 12
        }))
        .unwrap();
        let sighting = sighting_from_api_info(&info, addr).unwrap();
        assert_eq!(sighting.id, 123_456);
        assert_eq!(sighting.ip, Some(addr.ip()));
        assert_eq!(sighting.ports.http, Some(8080));
        assert_eq!(sighting.mode, Some(Mode::Configuration));
        assert_eq!(sighting.firmware, Some(Version(301)));
        assert_eq!(sighting.name.as_deref(), Some("Panel 3"));
        assert_eq!(sighting.source, Source::Manual);

        info.devtype = "printer".into();
        assert!(sighting_from_api_info(&info, addr).is_none());
    }
}
