//! The Wi-Fi a virtual meter lives in (spec §1, the manual's "Botão
//! Boot/Reset"): at every boot the meter either opens its own access point,
//! joins a network in range as a station, or fails to join. The outcome
//! decides the address every protocol server binds (see
//! [`super::server`]), the Wi-Fi state the LED and the HTTP API show, and
//! whether the MQTT client and the mDNS advert run.

use std::net::IpAddr;
use std::str::FromStr;

use je08_protocol::http_api::{Connectivity, Secret, WifiMode};

/// A network in the meter's range: its SSID and password, and the address
/// its DHCP server leases to the meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WifiNetwork {
    /// Network name.
    pub ssid: String,
    /// WPA password.
    pub password: Secret,
    /// The meter's DHCP lease on this network.
    pub ip: IpAddr,
}

impl FromStr for WifiNetwork {
    type Err = String;

    /// `SSID:PASSWORD@IP` (the SSID ends at the first `:`, the password at
    /// the last `@`).
    fn from_str(s: &str) -> Result<Self, String> {
        let form = || format!("expected SSID:PASSWORD@IP, got {s:?}");
        let (login, ip) = s.rsplit_once('@').ok_or_else(form)?;
        let (ssid, password) = login.split_once(':').ok_or_else(form)?;
        if ssid.is_empty() {
            return Err(form());
        }
        let ip = ip
            .parse()
            .map_err(|e| format!("{ip:?} is not an IP address: {e}"))?;
        Ok(Self {
            ssid: ssid.to_owned(),
            password: Secret::new(password),
            ip,
        })
    }
}

/// What the meter's radio finds at boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Radio {
    /// Wi-Fi not modelled: the meter answers at this one address in every
    /// role, whatever its connectivity block says.
    Fixed(IpAddr),
    /// Wi-Fi modelled: its own access point and the networks in range.
    Air(Air),
}

/// The Wi-Fi around a meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Air {
    /// Where the meter answers while it is an access point (it stands for
    /// the access point's own address, 192.168.1.1 by factory settings).
    pub ap: IpAddr,
    /// The networks in range.
    pub networks: Vec<WifiNetwork>,
}

/// The outcome of a boot's Wi-Fi start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// Access point, answering at this address.
    AccessPoint(IpAddr),
    /// Station joined, answering at this address.
    Station(IpAddr),
    /// Station that could not join (unknown SSID, wrong password): it
    /// answers nowhere.
    Failed,
}

impl Join {
    /// Where the meter answers, if anywhere.
    pub fn address(self) -> Option<IpAddr> {
        match self {
            Self::AccessPoint(ip) | Self::Station(ip) => Some(ip),
            Self::Failed => None,
        }
    }
}

impl Radio {
    /// Start Wi-Fi as `network` says. A station joins the network of its
    /// SSID when the password matches, at its lease, or at the block's
    /// static IP when DHCP is off and that IP is a loopback address.
    pub fn join(&self, network: &Connectivity) -> Join {
        let air = match (self, network.wifi_mode) {
            (Self::Fixed(ip), WifiMode::Ap) | (Self::Air(Air { ap: ip, .. }), WifiMode::Ap) => {
                return Join::AccessPoint(*ip);
            }
            (Self::Fixed(ip), WifiMode::St) => return Join::Station(*ip),
            (Self::Air(air), WifiMode::St) => air,
        };
        let password = network.password.as_ref().map_or("", Secret::expose);
        let Some(found) = air
            .networks
            .iter()
            .find(|n| n.ssid == network.ssid && n.password.expose() == password)
        else {
            return Join::Failed;
        };
        let fixed = network
            .ip
            .parse::<IpAddr>()
            .ok()
            .filter(|ip| !network.dhcp && ip.is_loopback());
        Join::Station(fixed.unwrap_or(found.ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::http_api::Connectivity;

    fn air() -> Radio {
        Radio::Air(Air {
            ap: "127.9.0.1".parse().unwrap(),
            networks: vec!["PLANT:secret-pass@127.9.0.2".parse().unwrap()],
        })
    }

    fn station(ssid: &str, password: &str) -> Connectivity {
        Connectivity {
            wifi_mode: WifiMode::St,
            ssid: ssid.into(),
            password: Some(Secret::new(password)),
            dhcp: true,
            ..Connectivity::factory(1)
        }
    }

    #[test]
    fn parses_ssid_password_and_ip() {
        let n: WifiNetwork = "My:Net:p@ss@127.0.0.5".parse().unwrap();
        assert_eq!((n.ssid.as_str(), n.password.expose()), ("My", "Net:p@ss"));
        assert_eq!(n.ip, "127.0.0.5".parse::<IpAddr>().unwrap());
        assert!("nopassword@127.0.0.1".parse::<WifiNetwork>().is_err());
        assert!(":x@127.0.0.1".parse::<WifiNetwork>().is_err());
        assert!("a:b@nowhere".parse::<WifiNetwork>().is_err());
    }

    #[test]
    fn joins_only_with_the_right_ssid_and_password() {
        let radio = air();
        assert_eq!(
            radio.join(&Connectivity::factory(1)),
            Join::AccessPoint("127.9.0.1".parse().unwrap())
        );
        assert_eq!(
            radio.join(&station("PLANT", "secret-pass")),
            Join::Station("127.9.0.2".parse().unwrap())
        );
        assert_eq!(radio.join(&station("PLANT", "wrong-pass")), Join::Failed);
        assert_eq!(radio.join(&station("OTHER", "secret-pass")), Join::Failed);
    }

    #[test]
    fn a_static_loopback_ip_replaces_the_lease_when_dhcp_is_off() {
        let mut block = station("PLANT", "secret-pass");
        block.dhcp = false;
        block.ip = "127.9.0.3".into();
        assert_eq!(air().join(&block), Join::Station("127.9.0.3".parse().unwrap()));
        block.ip = "192.168.0.50".into();
        assert_eq!(air().join(&block), Join::Station("127.9.0.2".parse().unwrap()));
    }
}
