//! Discovery vocabulary of spec §6, shared by the simulator and the
//! configurator: mDNS service types and TXT keys, identification of a JE08
//! from registers 103–109, address ranges to scan, and the factory-state
//! instructions. Pure: no I/O.

use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;
use std::fmt;
use std::net::Ipv4Addr;

use crate::codec::{RegisterBlock, decode_device};
pub use crate::http_api::{FACTORY_IP, FACTORY_PASSWORD};
use crate::mode::Mode;
use crate::readings::{Version, WifiMode};
use crate::registers::addr;

/// Value of the `devtype` TXT key that marks a JE08.
pub const DEVTYPE: &str = "JE08";
/// Service type advertised in every mode (HTTP API).
pub const SERVICE_HTTP: &str = "_http._tcp.local.";
/// Service type advertised in application mode when Modbus is enabled.
pub const SERVICE_MODBUS: &str = "_modbus._tcp.local.";
/// Service type advertised in update mode (ArduinoOTA).
pub const SERVICE_ARDUINO: &str = "_arduino._tcp.local.";
/// The three service types a configurator browses.
pub const SERVICE_TYPES: [&str; 3] = [SERVICE_HTTP, SERVICE_MODBUS, SERVICE_ARDUINO];

/// TXT keys of spec §6.
pub mod txt {
    /// Device type, always `JE08`.
    pub const DEVTYPE: &str = "devtype";
    /// Decimal device id.
    pub const ID: &str = "id";
    /// MAC address.
    pub const MAC: &str = "mac";
    /// `application`, `configuration` or `update`.
    pub const MODE: &str = "mode";
    /// ESP firmware version `x.yy`.
    pub const FW: &str = "fw";
    /// Device name.
    pub const NAME: &str = "name";
    /// `yes` on the ArduinoOTA service: uploads need the password.
    pub const AUTH_UPLOAD: &str = "auth_upload";
}

/// mDNS instance name of a meter: `je08-<id>`.
pub fn instance_name(id: u32) -> String {
    format!("je08-{id}")
}

/// mDNS host name of a meter: `je08-<id>.local.`.
pub fn host_name(id: u32) -> String {
    format!("je08-{id}.local.")
}

/// What a meter announces about itself over mDNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advert {
    /// Device id.
    pub id: u32,
    /// MAC address, `XX:XX:XX:XX:XX:XX`.
    pub mac: String,
    /// Current operating mode.
    pub mode: Mode,
    /// ESP firmware version.
    pub firmware: Version,
    /// Device name.
    pub name: String,
    /// Whether Modbus is enabled in the settings.
    pub modbus_enabled: bool,
    /// TCP port of the HTTP API (80 on a real meter); `None`: not served.
    pub http_port: Option<u16>,
    /// TCP port of Modbus (502 on a real meter).
    pub modbus_port: u16,
    /// UDP port of ArduinoOTA (8266 on a real meter); `None`: not served.
    pub ota_port: Option<u16>,
}

/// One mDNS service a meter registers: type, port and TXT pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvertService {
    /// Service type, e.g. [`SERVICE_HTTP`].
    pub service_type: &'static str,
    /// Port of the service.
    pub port: u16,
    /// TXT key/value pairs.
    pub txt: Vec<(String, String)>,
}

impl Advert {
    /// The TXT pairs common to every service.
    pub fn txt(&self) -> Vec<(String, String)> {
        vec![
            (txt::DEVTYPE.into(), DEVTYPE.into()),
            (txt::ID.into(), self.id.to_string()),
            (txt::MAC.into(), self.mac.clone()),
            (txt::MODE.into(), self.mode.as_str().into()),
            (txt::FW.into(), self.firmware.to_string()),
            (txt::NAME.into(), self.name.clone()),
        ]
    }

    /// The services this meter registers in its current mode (a service
    /// whose port is `None` is left out).
    pub fn services(&self) -> Vec<AdvertService> {
        let mut services = Vec::new();
        if let Some(port) = self.http_port {
            services.push(AdvertService {
                service_type: SERVICE_HTTP,
                port,
                txt: self.txt(),
            });
        }
        match (self.mode, self.ota_port) {
            (Mode::Application, _) if self.modbus_enabled => services.push(AdvertService {
                service_type: SERVICE_MODBUS,
                port: self.modbus_port,
                txt: self.txt(),
            }),
            (Mode::Update, Some(port)) => {
                let mut txt = self.txt();
                txt.push((txt::AUTH_UPLOAD.into(), "yes".into()));
                services.push(AdvertService {
                    service_type: SERVICE_ARDUINO,
                    port,
                    txt,
                });
            }
            _ => {}
        }
        services
    }
}

/// Identity read from a TXT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxtIdentity {
    /// Device id.
    pub id: u32,
    /// MAC address, if announced.
    pub mac: Option<String>,
    /// Mode, if announced and understood.
    pub mode: Option<Mode>,
    /// Firmware version, if announced and understood.
    pub firmware: Option<Version>,
    /// Device name, if announced and not empty.
    pub name: Option<String>,
}

/// Why a TXT record does not describe a JE08.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxtError {
    /// `devtype` missing or not JE08: another kind of device.
    NotJe08(Option<String>),
    /// `id` missing or not a decimal number.
    BadId(Option<String>),
}

impl Describe for TxtError {
    fn describe(&self, tr: Tr) -> String {
        let shown = |v: &Option<String>| format!("{v:?}");
        match self {
            Self::NotJe08(devtype) => tr.f(ProtocolMsg::TxtNotJe08, &[&shown(devtype)]),
            Self::BadId(id) => tr.f(ProtocolMsg::TxtBadId, &[&shown(id)]),
        }
    }
}

crate::english_display!(errors: TxtError, IdentityError, ScanRangeError);

impl TxtIdentity {
    /// Read an identity through `get`, which returns the value of a TXT key.
    pub fn parse<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, TxtError> {
        let devtype = get(txt::DEVTYPE);
        if !devtype.is_some_and(|d| d.trim().eq_ignore_ascii_case(DEVTYPE)) {
            return Err(TxtError::NotJe08(devtype.map(str::to_owned)));
        }
        let id_text = get(txt::ID);
        let id = id_text
            .and_then(|t| t.trim().parse::<u32>().ok())
            .ok_or_else(|| TxtError::BadId(id_text.map(str::to_owned)))?;
        let text = |key| get(key).map(str::trim).filter(|v| !v.is_empty());
        Ok(Self {
            id,
            mac: text(txt::MAC).map(str::to_owned),
            mode: text(txt::MODE).and_then(|m| m.to_ascii_lowercase().parse().ok()),
            firmware: text(txt::FW).and_then(|f| f.parse().ok()),
            name: text(txt::NAME).map(str::to_owned),
        })
    }
}

/// First register of the identification block read by a scan (WIFI_MODE).
pub const IDENTITY_FIRST: u16 = addr::WIFI_MODE;
/// Number of registers in the identification block (103–109).
pub const IDENTITY_LEN: u16 = addr::ESP_VERSION - addr::WIFI_MODE + 1;

/// Identity read from registers 103–109.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterIdentity {
    /// Device id (104/105).
    pub id: u32,
    /// Wi-Fi role (103).
    pub wifi_mode: WifiMode,
    /// Seconds since power-on (106/107).
    pub uptime_s: u32,
    /// ESP ⇄ STM32 errors (108).
    pub stm32_fails: u16,
    /// ESP firmware version (109).
    pub firmware: Version,
}

/// Why registers 103–109 do not look like a JE08.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityError {
    /// The answer has the wrong number of registers.
    WrongLength(usize),
    /// WIFI_MODE is neither 1 nor 2.
    UnknownWifiMode,
    /// DEVICE_ID is 0.
    ZeroId,
    /// ESP_VERSION is 0.
    ZeroVersion,
}

impl Describe for IdentityError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::WrongLength(got) => tr.f(
                ProtocolMsg::IdentityWrongLength,
                &[&IDENTITY_LEN.to_string(), &got.to_string()],
            ),
            Self::UnknownWifiMode => tr.t(ProtocolMsg::IdentityWifiMode).to_owned(),
            Self::ZeroId => tr.t(ProtocolMsg::IdentityZeroId).to_owned(),
            Self::ZeroVersion => tr.t(ProtocolMsg::IdentityZeroVersion).to_owned(),
        }
    }
}

impl RegisterIdentity {
    /// Decode registers 103–109 as the codec decodes a full read (so the id
    /// and uptime pairs follow the register table) and check they are what a
    /// JE08 reports (Wi-Fi mode 1 or 2, a non-zero id, a firmware version).
    pub fn from_registers(regs: &[u16]) -> Result<Self, IdentityError> {
        if regs.len() != usize::from(IDENTITY_LEN) {
            return Err(IdentityError::WrongLength(regs.len()));
        }
        let mut block = RegisterBlock::default();
        block.0[usize::from(IDENTITY_FIRST)..][..regs.len()].copy_from_slice(regs);
        let device = decode_device(&block);
        if matches!(device.wifi_mode, WifiMode::Unknown(_)) {
            return Err(IdentityError::UnknownWifiMode);
        }
        if device.id == 0 {
            return Err(IdentityError::ZeroId);
        }
        if device.esp_version.0 == 0 {
            return Err(IdentityError::ZeroVersion);
        }
        Ok(Self {
            id: device.id,
            wifi_mode: device.wifi_mode,
            uptime_s: device.uptime_s,
            stm32_fails: device.stm32_fails,
            firmware: device.esp_version,
        })
    }
}

/// Default Modbus TCP port.
pub const MODBUS_PORT: u16 = 502;
/// Largest number of addresses one scan accepts (a /20).
pub const MAX_SCAN_HOSTS: u32 = 4096;

/// An IPv4 address range to scan and the Modbus port to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanRange {
    /// First address probed.
    pub first: Ipv4Addr,
    /// Last address probed (inclusive).
    pub last: Ipv4Addr,
    /// TCP port to probe.
    pub port: u16,
}

/// Why a range cannot be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanRangeError {
    /// Not `A.B.C.D[/N][:PORT]` nor `A.B.C.D-E[:PORT]`.
    Syntax(String),
    /// More addresses than [`MAX_SCAN_HOSTS`].
    TooLarge {
        /// The range as typed.
        text: String,
        /// How many addresses it holds.
        hosts: u64,
    },
}

impl Describe for ScanRangeError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Syntax(text) => tr.f(ProtocolMsg::ScanRangeSyntax, &[text]),
            Self::TooLarge { text, hosts } => tr.f(
                ProtocolMsg::ScanRangeTooLarge,
                &[text, &hosts.to_string(), &MAX_SCAN_HOSTS.to_string()],
            ),
        }
    }
}

impl std::str::FromStr for ScanRange {
    type Err = ScanRangeError;

    /// Parse `A.B.C.D`, `A.B.C.D/N` (network and broadcast addresses left
    /// out below /31), `A.B.C.D-E` or `A.B.C.D-W.X.Y.Z`, each optionally
    /// followed by `:PORT`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let syntax = || ScanRangeError::Syntax(text.to_owned());
        let trimmed = text.trim();
        let (range, port) = match trimmed.rsplit_once(':') {
            Some((range, port)) => (range, port.parse::<u16>().map_err(|_| syntax())?),
            None => (trimmed, MODBUS_PORT),
        };
        if port == 0 {
            return Err(syntax());
        }
        let (first, last) = if let Some((first, last)) = range.split_once('-') {
            let first: Ipv4Addr = first.trim().parse().map_err(|_| syntax())?;
            let last = last.trim();
            let last = match last.parse::<u8>() {
                Ok(octet) => {
                    let [a, b, c, _] = first.octets();
                    Ipv4Addr::new(a, b, c, octet)
                }
                Err(_) => last.parse().map_err(|_| syntax())?,
            };
            if last < first {
                return Err(syntax());
            }
            (first, last)
        } else {
            let (ip, prefix) = match range.split_once('/') {
                Some((ip, prefix)) => (ip, prefix.parse::<u8>().map_err(|_| syntax())?),
                None => (range, 32),
            };
            let ip: Ipv4Addr = ip.parse().map_err(|_| syntax())?;
            if prefix > 32 {
                return Err(syntax());
            }
            let network = u32::from(ip) & mask(prefix);
            let broadcast = network | !mask(prefix);
            let edges = u32::from(prefix <= 30);
            (Ipv4Addr::from(network + edges), Ipv4Addr::from(broadcast - edges))
        };
        let scan = Self { first, last, port };
        let hosts = scan.host_count();
        if hosts > u64::from(MAX_SCAN_HOSTS) {
            return Err(ScanRangeError::TooLarge {
                text: text.to_owned(),
                hosts,
            });
        }
        Ok(scan)
    }
}

fn mask(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

impl ScanRange {
    /// Number of addresses probed.
    pub fn host_count(&self) -> u64 {
        u64::from(u32::from(self.last)) - u64::from(u32::from(self.first)) + 1
    }

    /// The addresses probed, in order.
    pub fn hosts(&self) -> impl Iterator<Item = Ipv4Addr> + use<> {
        (u32::from(self.first)..=u32::from(self.last)).map(Ipv4Addr::from)
    }
}

impl fmt::Display for ScanRange {
    /// `A.B.C.D:PORT` for one address, `A.B.C.D-W.X.Y.Z:PORT` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}:{}", self.first, self.port)
        } else {
            write!(f, "{}-{}:{}", self.first, self.last, self.port)
        }
    }
}

/// SSID of a factory-state meter's access point: `BIN_` + the last 4 hex digits of the id.
pub fn factory_ssid(id: u32) -> String {
    format!("BIN_{:04X}", id & 0xFFFF)
}

/// Step-by-step instructions to reach a meter in factory state, shared by the GUI and the CLI.
pub const FACTORY_HELP: &str = "\
A JE08 in factory state (new, or after holding the button for more than 20 s)
runs its own Wi-Fi access point instead of joining your network:
  1. On this computer, open the Wi-Fi list and join the network named BIN_XXXX
     (XXXX = the last 4 hex digits of the meter's id). Password: bintechnology
  2. Wait until the computer has an address (it gets one from the meter).
  3. The meter answers at 192.168.1.1 (HTTP API on port 80, Modbus on port 502).
     The configurator probes that address now.
  4. Set the meter's Wi-Fi (station mode, your SSID and password) in
     configuration mode, then rejoin your usual network.
Only one meter in factory state can be reached at a time: they all use 192.168.1.1.";

#[cfg(test)]
mod tests {
    use super::*;

    fn advert(mode: Mode, modbus_enabled: bool) -> Advert {
        Advert {
            id: 123_456,
            mac: "5C:CF:7F:01:E2:40".into(),
            mode,
            firmware: Version(300),
            name: "Panel 3".into(),
            modbus_enabled,
            http_port: Some(80),
            modbus_port: 502,
            ota_port: Some(8266),
        }
    }

    fn types(advert: &Advert) -> Vec<&'static str> {
        advert.services().iter().map(|s| s.service_type).collect()
    }

    #[test]
    fn services_follow_the_mode() {
        assert_eq!(
            types(&advert(Mode::Application, true)),
            [SERVICE_HTTP, SERVICE_MODBUS]
        );
        assert_eq!(types(&advert(Mode::Application, false)), [SERVICE_HTTP]);
        assert_eq!(types(&advert(Mode::Configuration, true)), [SERVICE_HTTP]);
        let update = advert(Mode::Update, true);
        assert_eq!(types(&update), [SERVICE_HTTP, SERVICE_ARDUINO]);
        let ota = &update.services()[1];
        assert_eq!(ota.port, 8266);
        assert!(ota.txt.contains(&("auth_upload".into(), "yes".into())));
        assert!(!update.services()[0].txt.iter().any(|(k, _)| k == "auth_upload"));
        let no_http = Advert {
            http_port: None,
            ..advert(Mode::Application, true)
        };
        assert_eq!(types(&no_http), [SERVICE_MODBUS]);
    }

    #[test]
    fn txt_round_trips_through_parse() {
        let advert = advert(Mode::Configuration, true);
        let pairs = advert.txt();
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let identity = TxtIdentity::parse(get).unwrap();
        assert_eq!(
            identity,
            TxtIdentity {
                id: 123_456,
                mac: Some("5C:CF:7F:01:E2:40".into()),
                mode: Some(Mode::Configuration),
                firmware: Some(Version(300)),
                name: Some("Panel 3".into()),
            }
        );
        assert_eq!(instance_name(7), "je08-7");
        assert_eq!(host_name(7), "je08-7.local.");
    }

    #[test]
    fn txt_of_other_devices_is_rejected() {
        let printer = |key: &str| (key == "devtype").then_some("printer");
        assert_eq!(
            TxtIdentity::parse(printer),
            Err(TxtError::NotJe08(Some("printer".into())))
        );
        assert_eq!(TxtIdentity::parse(|_| None), Err(TxtError::NotJe08(None)));
        let no_id = |key: &str| match key {
            "devtype" => Some("je08"),
            "id" => Some("12x"),
            _ => None,
        };
        assert_eq!(
            TxtIdentity::parse(no_id),
            Err(TxtError::BadId(Some("12x".into())))
        );
        let minimal = |key: &str| match key {
            "devtype" => Some("JE08"),
            "id" => Some("9"),
            "mode" => Some("sleeping"),
            "name" => Some(" "),
            _ => None,
        };
        let identity = TxtIdentity::parse(minimal).unwrap();
        assert_eq!((identity.id, identity.mode, identity.name), (9, None, None));
    }

    #[test]
    fn identity_registers_decode_and_reject_strangers() {
        let regs = [1, 0x0001, 0xE240, 0, 3600, 2, 301];
        let identity = RegisterIdentity::from_registers(&regs).unwrap();
        assert_eq!(identity.id, 123_456);
        assert_eq!(identity.wifi_mode, WifiMode::Station);
        assert_eq!(identity.uptime_s, 3600);
        assert_eq!(identity.stm32_fails, 2);
        assert_eq!(identity.firmware, Version(301));
        assert_eq!(
            RegisterIdentity::from_registers(&regs[..6]),
            Err(IdentityError::WrongLength(6))
        );
        assert!(RegisterIdentity::from_registers(&[0, 0, 1, 0, 0, 0, 300]).is_err());
        assert!(RegisterIdentity::from_registers(&[2, 0, 0, 0, 0, 0, 300]).is_err());
        assert!(RegisterIdentity::from_registers(&[2, 0, 1, 0, 0, 0, 0]).is_err());
        assert_eq!(IDENTITY_FIRST, 103);
        assert_eq!(IDENTITY_LEN, 7);
    }

    #[test]
    fn scan_ranges_parse() {
        let range: ScanRange = "192.168.0.77/24".parse().unwrap();
        assert_eq!(range.first, Ipv4Addr::new(192, 168, 0, 1));
        assert_eq!(range.port, 502);
        assert_eq!(range, "192.168.0.1-254".parse().unwrap());
        assert_eq!(range, "192.168.0.1 - 192.168.0.254".parse().unwrap());
        assert_eq!(range.to_string(), "192.168.0.1-192.168.0.254:502");
        let across: ScanRange = "10.0.0.250-10.0.1.5:1502".parse().unwrap();
        assert_eq!((across.host_count(), across.port), (12, 1502));
        assert_eq!(across.hosts().nth(6), Some(Ipv4Addr::new(10, 0, 1, 0)));
        assert_eq!(range.host_count(), 254);
        let hosts: Vec<_> = range.hosts().collect();
        assert_eq!(hosts.first(), Some(&Ipv4Addr::new(192, 168, 0, 1)));
        assert_eq!(hosts.last(), Some(&Ipv4Addr::new(192, 168, 0, 254)));
        assert_eq!(hosts.len(), 254);

        let single: ScanRange = "127.0.0.9:1502".parse().unwrap();
        assert_eq!(single.hosts().collect::<Vec<_>>(), [Ipv4Addr::new(127, 0, 0, 9)]);
        assert_eq!(single.port, 1502);
        assert_eq!(single.to_string(), "127.0.0.9:1502");
        let pair: ScanRange = "10.0.0.4/31".parse().unwrap();
        assert_eq!(pair.hosts().count(), 2);
        let top: ScanRange = "255.255.255.252/30".parse().unwrap();
        assert_eq!(top.hosts().count(), 2);

        assert_eq!("10.0.0.0/20".parse::<ScanRange>().unwrap().host_count(), 4094);
        let too_big = "10.0.0.0/8".parse::<ScanRange>().unwrap_err();
        assert!(matches!(
            too_big,
            ScanRangeError::TooLarge {
                hosts: 16_777_214,
                ..
            }
        ));
        assert!(too_big.to_string().contains("at most 4096"));
        for bad in [
            "",
            "10.0.0/24",
            "10.0.0.0/33",
            "10.0.0.0/24:",
            "10.0.0.0/24:0",
            "host:502",
            "10.0.0.9-3",
            "10.0.0.1-256",
            "10.0.0.1-",
        ] {
            assert!(
                matches!(bad.parse::<ScanRange>(), Err(ScanRangeError::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn factory_ssid_uses_last_four_hex_digits() {
        assert_eq!(factory_ssid(0x0001_E240), "BIN_E240");
        assert_eq!(factory_ssid(0x0A), "BIN_000A");
        assert!(FACTORY_HELP.contains(FACTORY_PASSWORD));
        assert!(FACTORY_HELP.contains(&FACTORY_IP.to_string()));
    }
}
