//! mDNS browsing for meters: the three service types of spec §6, filtered on
//! `devtype=JE08`. Browses every interface unless told which ones; tests
//! always restrict it to loopback.

use crate::texts::ClientMsg;
use je08_protocol::i18n::{Describe, Tr};
use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use mdns_sd::{IfKind, ResolvedService, ServiceDaemon, ServiceEvent};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::registry::{Ports, Sighting, Source};
use je08_protocol::discovery::{
    SERVICE_ARDUINO, SERVICE_HTTP, SERVICE_MODBUS, SERVICE_TYPES, TxtError, TxtIdentity,
};

/// An interface to browse on, as typed after `--mdns-interface`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MdnsInterface {
    /// The IPv4 loopback interface (`lo`, `lo0`, `loopback`).
    Loopback,
    /// An interface by name, e.g. `eth0`, `en0`.
    Named(String),
    /// The interface holding this address.
    Addr(IpAddr),
}

impl std::str::FromStr for MdnsInterface {
    type Err = String;

    /// `lo`/`lo0`/`loopback`, an IP address, or an interface name.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty interface name; give a name like eth0, an IP address, or lo".into());
        }
        if ["lo", "lo0", "loopback"].contains(&text.to_ascii_lowercase().as_str()) {
            return Ok(Self::Loopback);
        }
        Ok(text
            .parse::<IpAddr>()
            .map_or_else(|_| Self::Named(text.to_owned()), Self::Addr))
    }
}

impl fmt::Display for MdnsInterface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Loopback => f.write_str("loopback"),
            Self::Named(name) => f.write_str(name),
            Self::Addr(ip) => write!(f, "{ip}"),
        }
    }
}

impl MdnsInterface {
    fn if_kind(&self) -> IfKind {
        match self {
            Self::Loopback => IfKind::LoopbackV4,
            Self::Named(name) => IfKind::Name(name.clone()),
            Self::Addr(ip) => IfKind::Addr(*ip),
        }
    }
}

/// Why browsing could not start (the mDNS library's words inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdnsBrowseError(pub String);

impl Describe for MdnsBrowseError {
    fn describe(&self, tr: Tr) -> String {
        tr.f(ClientMsg::MdnsBrowse, &[&self.0])
    }
}

je08_protocol::english_display!(errors: MdnsBrowseError);

/// The sightings one resolved service makes (one per IPv4 address, or per
/// IPv6 address when it has no IPv4 one); an error when it is not a JE08.
pub fn sightings_from_service(
    service: &ResolvedService,
    at: DateTime<Utc>,
) -> Result<Vec<Sighting>, TxtError> {
    let identity = TxtIdentity::parse(|key| service.get_property_val_str(key))?;
    let port = Some(service.get_port());
    let ports = match service.ty_domain.as_str() {
        SERVICE_MODBUS => Ports {
            modbus: port,
            ..Ports::default()
        },
        SERVICE_ARDUINO => Ports {
            ota: port,
            ..Ports::default()
        },
        SERVICE_HTTP => Ports {
            http: port,
            ..Ports::default()
        },
        _ => Ports::default(),
    };
    let mut ips: Vec<IpAddr> = service.get_addresses().iter().map(|ip| ip.to_ip_addr()).collect();
    if ips.iter().any(IpAddr::is_ipv4) {
        ips.retain(IpAddr::is_ipv4);
    }
    ips.sort();
    let base = Sighting {
        host: Some(service.get_hostname().to_owned()),
        ports,
        mode: identity.mode,
        firmware: identity.firmware,
        name: identity.name,
        mac: identity.mac,
        ..Sighting::new(identity.id, Source::Mdns, at)
    };
    if ips.is_empty() {
        return Ok(vec![base]);
    }
    Ok(ips
        .into_iter()
        .map(|ip| Sighting {
            ip: Some(ip),
            ..base.clone()
        })
        .collect())
}

/// A running mDNS browse; stops when dropped.
pub struct MdnsBrowser {
    daemon: ServiceDaemon,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for MdnsBrowser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MdnsBrowser").finish_non_exhaustive()
    }
}

impl MdnsBrowser {
    /// Browse the three service types on `interfaces` (every interface when
    /// empty) and send a sighting into `sink` for every JE08 resolved.
    pub fn start(
        interfaces: &[MdnsInterface],
        sink: mpsc::Sender<Sighting>,
    ) -> Result<Self, MdnsBrowseError> {
        let failed = |err: mdns_sd::Error| MdnsBrowseError(err.to_string());
        let daemon = ServiceDaemon::new().map_err(failed)?;
        if !interfaces.is_empty() {
            daemon.disable_interface(IfKind::All).map_err(failed)?;
            let kinds: Vec<IfKind> = interfaces.iter().map(MdnsInterface::if_kind).collect();
            daemon.enable_interface(kinds).map_err(failed)?;
        }
        let mut tasks = Vec::new();
        for service_type in SERVICE_TYPES {
            let events = daemon.browse(service_type).map_err(failed)?;
            let sink = sink.clone();
            tasks.push(tokio::spawn(async move {
                while let Ok(event) = events.recv_async().await {
                    let ServiceEvent::ServiceResolved(service) = event else {
                        continue;
                    };
                    match sightings_from_service(&service, Utc::now()) {
                        Ok(sightings) => {
                            for sighting in sightings {
                                if sink.send(sighting).await.is_err() {
                                    return;
                                }
                            }
                        }
                        Err(err) => tracing::debug!("mDNS {}: {err}", service.fullname),
                    }
                }
            }));
        }
        Ok(Self { daemon, tasks })
    }
}

impl Drop for MdnsBrowser {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        // Best effort: the daemon thread exits when told or when its last handle goes.
        let _ = self.daemon.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_arguments_parse() {
        assert_eq!("lo".parse(), Ok(MdnsInterface::Loopback));
        assert_eq!("LO0".parse(), Ok(MdnsInterface::Loopback));
        assert_eq!(
            "127.0.0.1".parse(),
            Ok(MdnsInterface::Addr(IpAddr::from([127, 0, 0, 1])))
        );
        assert_eq!("eth0".parse(), Ok(MdnsInterface::Named("eth0".into())));
        assert!(" ".parse::<MdnsInterface>().is_err());
    }
}
