//! Types of the meter's HTTP API (spec §4) and their whole-object validation.
//!
//! Shared by the configurator's client (validates before sending) and the
//! simulator (validates again). Passwords are write-only: a GET answers
//! `null` for them and a PUT with `null` keeps the stored value. Secrets use
//! [`Secret`], whose `Debug` never shows the content.

use std::fmt;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;

mod validation;

pub use validation::{FieldError, FieldErrors, Problem, check_topic};
use validation::{check_ip, check_port, check_ssid, check_wpa2, valid_host};

/// HTTP Basic user name of the meter's API.
pub const API_USER: &str = "admin";
/// Factory interface password and factory Wi-Fi AP password (§1).
pub const FACTORY_PASSWORD: &str = "bintechnology";
/// Factory device IP in access-point mode (§1).
pub const FACTORY_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 1);
/// Largest PEM body accepted by `PUT /api/certs/{kind}`.
pub const MAX_CERT_BYTES: usize = 4096;
/// Default HTTP port of a meter.
pub const DEFAULT_HTTP_PORT: u16 = 80;
/// Default espota UDP port of a meter.
pub const DEFAULT_OTA_PORT: u16 = 8266;
/// Body of a successful `POST /update`.
pub const UPDATE_SUCCESS: &str = "Update Success! Rebooting...";
/// Prefix of a failed `POST /update`.
pub const UPDATE_ERROR_PREFIX: &str = "Update error: ";

/// A password or key: serialised as a plain string, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is sent or compared.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Operating mode of a meter (§1); defined in [`super::mode`].
pub use super::mode::Mode;

/// Wi-Fi role: station or access point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WifiMode {
    /// Station: joins an existing network.
    St,
    /// Access point: the meter's own network.
    Ap,
}

/// Wi-Fi link state as reported by `/api/info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WifiState {
    /// Serving its own access point.
    Ap,
    /// Station connected with an address.
    Connected,
    /// Station with a connection problem (wrong SSID/password, no lease).
    Failed,
}

/// Wi-Fi part of `/api/info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WifiInfo {
    /// Station or access point.
    pub mode: WifiMode,
    /// Link state.
    pub state: WifiState,
    /// SSID joined or served.
    pub ssid: String,
    /// Signal strength, dBm.
    pub rssi: i16,
}

/// Answer of `GET /api/info` (no authentication needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    /// Always `JE08`.
    pub devtype: String,
    /// Always `WATT METER`.
    pub subtype: String,
    /// Device id (registers 104/105).
    pub id: u32,
    /// Device name.
    pub name: String,
    /// MAC address `XX:XX:XX:XX:XX:XX`.
    pub mac: String,
    /// Current IP address.
    pub ip: String,
    /// Current operating mode.
    pub mode: Mode,
    /// ESP firmware version `x.yy`.
    pub esp_version: String,
    /// STM32 firmware version `x.yy`.
    pub stm32_version: String,
    /// Wi-Fi state.
    pub wifi: WifiInfo,
    /// Seconds since the last reboot.
    pub uptime_s: u64,
}

/// Body of `POST /api/mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeRequest {
    /// Mode to reboot into.
    pub mode: Mode,
}

/// Body of a 202 answer: the device reboots into `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rebooting {
    /// Mode the device comes back in.
    pub rebooting_into: Mode,
}

/// Connectivity block (`/api/config/connectivity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connectivity {
    /// Station or access point.
    pub wifi_mode: WifiMode,
    /// Network to join (station) or to serve (access point).
    pub ssid: String,
    /// Wi-Fi password; write-only (`null` on GET; `null` on PUT keeps it).
    pub password: Option<Secret>,
    /// Obtain the address by DHCP (station only).
    pub dhcp: bool,
    /// Static IP address.
    pub ip: String,
    /// Network mask.
    pub netmask: String,
    /// Default gateway.
    pub gateway: String,
    /// DNS server.
    pub dns: String,
    /// Device name (MQTT INFO, mDNS).
    pub device_name: String,
    /// Interface password (HTTP API, espota); write-only.
    pub interface_password: Option<Secret>,
}

impl Connectivity {
    /// Factory network settings of §1 for a device id: AP `BIN_XXXX`,
    /// password `bintechnology`, IP 192.168.1.1.
    pub fn factory(device_id: u32) -> Self {
        let ip = FACTORY_IP.to_string();
        Self {
            wifi_mode: WifiMode::Ap,
            ssid: factory_ssid(device_id),
            password: Some(Secret::new(FACTORY_PASSWORD)),
            dhcp: false,
            ip: ip.clone(),
            netmask: "255.255.255.0".to_owned(),
            gateway: ip.clone(),
            dns: ip,
            device_name: format!("JE08-{device_id}"),
            interface_password: Some(Secret::new(FACTORY_PASSWORD)),
        }
    }

    /// The block as a GET answers it: passwords `null`.
    pub fn redacted(&self) -> Self {
        Self {
            password: None,
            interface_password: None,
            ..self.clone()
        }
    }

    /// Apply a PUT body onto the stored block: `null` passwords keep the
    /// stored ones.
    pub fn merged_onto(mut self, stored: &Self) -> Self {
        if self.password.is_none() {
            self.password.clone_from(&stored.password);
        }
        if self.interface_password.is_none() {
            self.interface_password.clone_from(&stored.interface_password);
        }
        self
    }

    /// Whole-object validation: every bad field with its reason.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        check_ssid(&mut errs, "ssid", &self.ssid);
        if let Some(p) = &self.password {
            check_wpa2(&mut errs, "password", p.expose());
        }
        let static_ip = self.wifi_mode == WifiMode::Ap || !self.dhcp;
        if self.wifi_mode == WifiMode::Ap && self.dhcp {
            errs.push("dhcp", Problem::AccessPointNeedsStaticAddress);
        }
        let ip = check_ip(&mut errs, "ip", &self.ip, static_ip);
        let mask = check_ip(&mut errs, "netmask", &self.netmask, static_ip);
        let gateway = check_ip(&mut errs, "gateway", &self.gateway, static_ip);
        check_ip(&mut errs, "dns", &self.dns, false);
        let mask_len = mask.and_then(|m| {
            let bits = u32::from(m);
            if bits.leading_ones() + bits.trailing_zeros() == 32 && (1..=30).contains(&bits.leading_ones()) {
                Some(bits)
            } else {
                errs.push("netmask", Problem::BadNetmask { mask: m });
                None
            }
        });
        // With DHCP the lease decides the address and the gateway: the
        // stored static fields are not used, so they are not related.
        if let (true, Some(ip), Some(mask)) = (static_ip, ip, mask_len) {
            let host = u32::from(ip) & !mask;
            if host == 0 || host == !mask {
                errs.push("ip", Problem::NetworkOrBroadcast { ip });
            }
            if let Some(gw) = gateway
                && (u32::from(gw) & mask) != (u32::from(ip) & mask)
            {
                errs.push(
                    "gateway",
                    Problem::GatewayOutsideSubnet {
                        gateway: gw,
                        ip,
                        prefix: mask.leading_ones(),
                    },
                );
            }
        }
        let name_len = self.device_name.chars().count();
        if self.device_name.trim().is_empty() {
            errs.push("device_name", Problem::Empty);
        } else if name_len > 32 || self.device_name.chars().any(char::is_control) {
            errs.push("device_name", Problem::TooLongOrControl { max: 32 });
        }
        if let Some(p) = &self.interface_password {
            check_wpa2(&mut errs, "interface_password", p.expose());
        }
        errs.into_result()
    }
}

/// Factory SSID: `BIN_` and the last 4 hex digits of the device id.
pub fn factory_ssid(device_id: u32) -> String {
    format!("BIN_{:04X}", device_id & 0xFFFF)
}

/// Modbus part of the protocols block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModbusConfig {
    /// Serve Modbus TCP in application mode.
    pub enabled: bool,
    /// TCP port (502 by default).
    pub port: u32,
}

/// TLS options of the MQTT client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsConfig {
    /// Connect over TLS.
    pub enabled: bool,
    /// Verify the broker's certificate against the CA.
    pub verify_server: bool,
    /// Present the client certificate and key.
    pub client_auth: bool,
}

/// MQTT part of the protocols block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttConfig {
    /// Run the MQTT client in application mode.
    pub enabled: bool,
    /// Broker host name or IP.
    pub host: String,
    /// Broker port.
    pub port: u32,
    /// MQTT client id.
    pub client_id: String,
    /// User name (empty: none).
    pub username: String,
    /// Password; write-only.
    pub password: Option<Secret>,
    /// Topic DATA and INFO are published on.
    pub publish_topic: String,
    /// Topic commands are read from.
    pub subscribe_topic: String,
    /// Seconds between DATA publications (1–3600).
    pub interval_s: u32,
    /// TLS options.
    pub tls: TlsConfig,
}

/// DS18B20 part of the protocols block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ds18b20Config {
    /// Read the temperature sensor.
    pub enabled: bool,
}

/// Protocols block (`/api/config/protocols`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protocols {
    /// Modbus TCP server.
    pub modbus: ModbusConfig,
    /// MQTT client.
    pub mqtt: MqttConfig,
    /// Temperature sensor.
    pub ds18b20: Ds18b20Config,
}

impl Protocols {
    /// Factory protocol settings for a device id (§3 defaults).
    pub fn factory(device_id: u32) -> Self {
        Self {
            modbus: ModbusConfig {
                enabled: true,
                port: 502,
            },
            mqtt: MqttConfig {
                enabled: false,
                host: String::new(),
                port: 1883,
                client_id: format!("je08-{device_id}"),
                username: String::new(),
                password: None,
                publish_topic: format!("je08/{device_id}/data"),
                subscribe_topic: format!("je08/{device_id}/cmd"),
                interval_s: 5,
                tls: TlsConfig {
                    enabled: false,
                    verify_server: true,
                    client_auth: false,
                },
            },
            ds18b20: Ds18b20Config { enabled: true },
        }
    }

    /// The block as a GET answers it: password `null`.
    pub fn redacted(&self) -> Self {
        let mut out = self.clone();
        out.mqtt.password = None;
        out
    }

    /// Apply a PUT body onto the stored block: a `null` password keeps the
    /// stored one.
    pub fn merged_onto(mut self, stored: &Self) -> Self {
        if self.mqtt.password.is_none() {
            self.mqtt.password.clone_from(&stored.mqtt.password);
        }
        self
    }

    /// Whole-object validation: every bad field with its reason.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        check_port(&mut errs, "modbus.port", self.modbus.port);
        let m = &self.mqtt;
        check_port(&mut errs, "mqtt.port", m.port);
        if m.enabled && m.host.is_empty() {
            errs.push("mqtt.host", Problem::HostRequired);
        } else if !m.host.is_empty() && !valid_host(&m.host) {
            errs.push("mqtt.host", Problem::NotAHost { text: m.host.clone() });
        }
        if m.client_id.is_empty() || m.client_id.len() > 64 {
            errs.push("mqtt.client_id", Problem::ClientIdLength);
        } else if m.client_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            errs.push("mqtt.client_id", Problem::SpacesOrControl);
        }
        if m.username.len() > 64 || m.username.chars().any(char::is_control) {
            errs.push("mqtt.username", Problem::TooLongOrControl { max: 64 });
        }
        if let Some(p) = &m.password
            && (p.expose().len() > 64 || p.expose().chars().any(char::is_control))
        {
            errs.push("mqtt.password", Problem::TooLongOrControl { max: 64 });
        }
        if let Err(reason) = check_topic(&m.publish_topic, false) {
            errs.push("mqtt.publish_topic", reason);
        }
        if let Err(reason) = check_topic(&m.subscribe_topic, true) {
            errs.push("mqtt.subscribe_topic", reason);
        }
        if !(1..=3600).contains(&m.interval_s) {
            errs.push(
                "mqtt.interval_s",
                Problem::OutOfRange {
                    value: m.interval_s,
                    min: 1,
                    max: 3600,
                },
            );
        }
        if m.tls.client_auth && !m.tls.enabled {
            errs.push("mqtt.tls.client_auth", Problem::ClientAuthNeedsTls);
        }
        errs.into_result()
    }
}

/// CT block (`/api/config/ct`): maps onto RELACAO_TC and INVERTE_TC_FASE_A/B/C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ct {
    /// CT ratio N (N×5 A : 5 A), 20–400.
    pub ratio: u32,
    /// Invert the current of phases A, B, C.
    pub invert: [bool; 3],
}

impl Ct {
    /// Whole-object validation.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        if !(20..=400).contains(&self.ratio) {
            errs.push(
                "ratio",
                Problem::OutOfRange {
                    value: self.ratio,
                    min: 20,
                    max: 400,
                },
            );
        }
        errs.into_result()
    }
}

/// Which certificate slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertKind {
    /// CA certificate that signs the broker's certificate.
    Ca,
    /// Client certificate.
    ClientCert,
    /// Client private key.
    ClientKey,
}

impl CertKind {
    /// Every slot, in display order.
    pub const ALL: [Self; 3] = [Self::Ca, Self::ClientCert, Self::ClientKey];

    /// Path segment in `/api/certs/{kind}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ca => "ca",
            Self::ClientCert => "client_cert",
            Self::ClientKey => "client_key",
        }
    }
}

impl fmt::Display for CertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no certificate slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSlot {
    /// The text given.
    pub text: String,
}

impl Describe for UnknownSlot {
    fn describe(&self, tr: Tr) -> String {
        tr.f(ProtocolMsg::UnknownSlot, &[&self.text])
    }
}

crate::english_display!(errors: UnknownSlot, PemError);

impl std::str::FromStr for CertKind {
    type Err = UnknownSlot;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownSlot { text: s.to_owned() })
    }
}

/// State of one certificate slot: never its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CertSlot {
    /// A PEM is stored.
    pub loaded: bool,
    /// Its size in bytes (0 when empty).
    pub bytes: usize,
}

/// Answer of `GET /api/certs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CertStatus {
    /// CA certificate.
    pub ca: CertSlot,
    /// Client certificate.
    pub client_cert: CertSlot,
    /// Client private key.
    pub client_key: CertSlot,
}

impl CertStatus {
    /// The slot of a kind.
    pub fn slot(&self, kind: CertKind) -> CertSlot {
        match kind {
            CertKind::Ca => self.ca,
            CertKind::ClientCert => self.client_cert,
            CertKind::ClientKey => self.client_key,
        }
    }
}

/// Why a text is not the PEM a certificate slot holds (the shape both ends
/// agree on; the MQTT pre-flight makes the X.509 checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PemError {
    /// Text outside any `-----BEGIN …-----` block (its start, shortened).
    OutsideBlock {
        /// The first characters of the line.
        excerpt: String,
    },
    /// A block without its `-----END …-----` line.
    NotClosed {
        /// The block's label.
        label: String,
    },
    /// A block without content.
    EmptyBlock {
        /// The block's label.
        label: String,
    },
    /// A block whose content is not base64.
    NotBase64 {
        /// The block's label.
        label: String,
        /// What the decoder said.
        detail: String,
    },
    /// No block at all.
    NoBlock,
    /// More bytes than a slot stores.
    TooLarge {
        /// The text's size.
        size: usize,
    },
    /// A `ca` or `client_cert` slot given something else than certificates.
    CertificatesOnly {
        /// The slot.
        kind: CertKind,
    },
    /// The `client_key` slot given something else than one private key.
    OnePrivateKey,
}

impl Describe for PemError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::OutsideBlock { excerpt } => tr.f(ProtocolMsg::PemOutsideBlock, &[excerpt]),
            Self::NotClosed { label } => tr.f(ProtocolMsg::PemNotClosed, &[label]),
            Self::EmptyBlock { label } => tr.f(ProtocolMsg::PemEmptyBlock, &[label]),
            Self::NotBase64 { label, detail } => tr.f(ProtocolMsg::PemNotBase64, &[label, detail]),
            Self::NoBlock => tr.t(ProtocolMsg::PemNoBlock).to_owned(),
            Self::TooLarge { size } => tr.f(
                ProtocolMsg::PemTooLarge,
                &[&size.to_string(), &MAX_CERT_BYTES.to_string()],
            ),
            Self::CertificatesOnly { kind } => tr.f(ProtocolMsg::PemCertificatesOnly, &[kind.as_str()]),
            Self::OnePrivateKey => tr.t(ProtocolMsg::PemOnePrivateKey).to_owned(),
        }
    }
}

/// Blanks a PEM line may have around its base64 (those PEM parsers skip).
const PEM_BLANKS: [char; 5] = [' ', '\t', '\x0b', '\x0c', '\r'];

/// Minimal PEM shape check: one or more `-----BEGIN X-----` …
/// `-----END X-----` blocks of base64. The markers start their lines, as
/// PEM parsers (the meter's, the configurator's pre-flight) require.
pub fn check_pem_shape(text: &str) -> Result<(), PemError> {
    use base64::Engine;
    let mut blocks = 0;
    let mut lines = text
        .lines()
        .map(|l| l.trim_end_matches([' ', '\r']))
        .filter(|l| !l.trim_matches(PEM_BLANKS).is_empty());
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            let excerpt: String = line.trim_matches(PEM_BLANKS).chars().take(20).collect();
            return Err(PemError::OutsideBlock { excerpt });
        };
        let end = format!("-----END {label}-----");
        let not_closed = || PemError::NotClosed {
            label: label.to_owned(),
        };
        let mut body = String::new();
        loop {
            match lines.next() {
                Some(l) if l == end => break,
                Some(l) if l.starts_with("-----") => return Err(not_closed()),
                Some(l) => body.push_str(l.trim_matches(PEM_BLANKS)),
                None => return Err(not_closed()),
            }
        }
        if body.is_empty() {
            return Err(PemError::EmptyBlock {
                label: label.to_owned(),
            });
        }
        base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|e| PemError::NotBase64 {
                label: label.to_owned(),
                detail: e.to_string(),
            })?;
        blocks += 1;
    }
    if blocks == 0 {
        return Err(PemError::NoBlock);
    }
    Ok(())
}

/// PEM check of one certificate slot: the shape ([`check_pem_shape`]), at
/// most [`MAX_CERT_BYTES`], and the right kind of block (certificates in
/// `ca`/`client_cert`, a private key in `client_key`).
pub fn check_pem(kind: CertKind, text: &str) -> Result<(), PemError> {
    if text.len() > MAX_CERT_BYTES {
        return Err(PemError::TooLarge { size: text.len() });
    }
    check_pem_shape(text)?;
    let labels: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_end_matches([' ', '\r']).strip_prefix("-----BEGIN "))
        .filter_map(|l| l.strip_suffix("-----"))
        .collect();
    // The unencrypted key forms (PKCS#8, PKCS#1, SEC1): the meter has no
    // passphrase for an `ENCRYPTED PRIVATE KEY`.
    let is_key = |l: &&str| ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"].contains(l);
    match kind {
        CertKind::Ca | CertKind::ClientCert => {
            if labels.iter().any(|l| *l != "CERTIFICATE") {
                return Err(PemError::CertificatesOnly { kind });
            }
        }
        CertKind::ClientKey => {
            if labels.len() != 1 || !labels.iter().all(is_key) {
                return Err(PemError::OnePrivateKey);
            }
        }
    }
    Ok(())
}

/// Error body of every non-2xx answer: `{"error","field"}` (+ every bad field
/// for a 422).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, one sentence.
    pub error: String,
    /// The offending field, when one is to blame.
    #[serde(default)]
    pub field: Option<String>,
    /// Every bad field of a refused PUT.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    /// An error not tied to a field.
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            field: None,
            errors: Vec::new(),
        }
    }

    /// A 422 body from a validation failure: the first field leads.
    pub fn from_fields(errs: &FieldErrors) -> Self {
        let first = errs.0.first();
        Self {
            error: first.map_or_else(|| "invalid value".to_owned(), |e| e.problem.to_string()),
            field: first.map(|e| e.field.clone()),
            errors: errs.0.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn station() -> Connectivity {
        Connectivity {
            wifi_mode: WifiMode::St,
            ssid: "Plant-WiFi".into(),
            password: Some(Secret::new("correct horse")),
            dhcp: false,
            ip: "10.0.0.50".into(),
            netmask: "255.255.255.0".into(),
            gateway: "10.0.0.1".into(),
            dns: "10.0.0.1".into(),
            device_name: "Panel 3".into(),
            interface_password: None,
        }
    }

    fn fields(r: Result<(), FieldErrors>) -> Vec<String> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn factory_settings_are_valid() {
        let c = Connectivity::factory(0x00AB_12CD);
        assert_eq!(c.ssid, "BIN_12CD");
        assert_eq!(c.ip, "192.168.1.1");
        c.validate().expect("factory connectivity");
        Protocols::factory(42).validate().expect("factory protocols");
        station().validate().expect("station");
    }

    #[test]
    fn every_bad_connectivity_field_is_named() {
        let mut c = station();
        c.ssid = String::new();
        c.password = Some(Secret::new("short"));
        c.ip = "10.0.0.300".into();
        c.netmask = "255.0.255.0".into();
        c.device_name = " ".into();
        c.interface_password = Some(Secret::new("x".repeat(64)));
        assert_eq!(
            fields(c.validate()),
            [
                "ssid",
                "password",
                "ip",
                "netmask",
                "device_name",
                "interface_password"
            ]
        );
        let mut c = station();
        c.gateway = "10.0.1.1".into();
        assert_eq!(fields(c.validate()), ["gateway"]);
        let mut c = station();
        c.ip = "10.0.0.255".into();
        assert_eq!(fields(c.validate()), ["ip"]);
        let mut c = station();
        c.dhcp = true;
        c.ip = String::new();
        c.netmask = String::new();
        c.gateway = String::new();
        c.validate().expect("dhcp without static fields");
        // The lease decides: stale static fields are stored, not related.
        c.ip = "10.0.0.20".into();
        c.netmask = "255.255.255.0".into();
        c.gateway = "192.168.1.1".into();
        c.validate().expect("dhcp with another network's static fields");
        c.ssid = "x".repeat(33);
        assert_eq!(fields(c.validate()), ["ssid"]);
    }

    #[test]
    fn passwords_are_write_only_and_redacted() {
        let stored = Connectivity::factory(1);
        let get = stored.redacted();
        let json = serde_json::to_value(&get).expect("json");
        assert!(json["password"].is_null() && json["interface_password"].is_null());
        let merged = get.merged_onto(&stored);
        assert_eq!(merged, stored);
        let debug = format!("{stored:?}");
        assert!(!debug.contains(FACTORY_PASSWORD), "{debug}");
    }

    #[test]
    fn protocol_rules() {
        let mut p = Protocols::factory(7);
        p.modbus.port = 0;
        p.mqtt.enabled = true;
        p.mqtt.port = 70_000;
        p.mqtt.publish_topic = "je08/+/data".into();
        p.mqtt.subscribe_topic = "je08/#/cmd".into();
        p.mqtt.interval_s = 0;
        assert_eq!(
            fields(p.validate()),
            [
                "modbus.port",
                "mqtt.port",
                "mqtt.host",
                "mqtt.publish_topic",
                "mqtt.subscribe_topic",
                "mqtt.interval_s"
            ]
        );
        let mut p = Protocols::factory(7);
        p.mqtt.host = "broker.local".into();
        p.mqtt.subscribe_topic = "je08/+/cmd/#".into();
        p.mqtt.interval_s = 3600;
        p.validate().expect("valid");
        p.mqtt.host = "bad host".into();
        assert_eq!(fields(p.validate()), ["mqtt.host"]);
    }

    #[test]
    fn ct_rules_and_json() {
        let ct: Ct = serde_json::from_str(r#"{"ratio":100,"invert":[false,true,false]}"#).expect("ct");
        ct.validate().expect("valid");
        assert_eq!(
            fields(
                Ct {
                    ratio: 10,
                    invert: [false; 3]
                }
                .validate()
            ),
            ["ratio"]
        );
        assert_eq!(
            fields(
                Ct {
                    ratio: 401,
                    invert: [false; 3]
                }
                .validate()
            ),
            ["ratio"]
        );
    }

    #[test]
    fn pem_shape() {
        check_pem_shape("-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n").expect("pem");
        assert!(check_pem_shape("hello").is_err());
        assert!(check_pem_shape("-----BEGIN CERTIFICATE-----\nTUlJQg==\n").is_err());
        assert!(check_pem_shape("-----BEGIN X-----\n!!!\n-----END X-----\n").is_err());
        assert!(check_pem_shape("").is_err());
        // Markers start their lines (an indented one is no marker to a PEM
        // parser); the base64 between them may be indented.
        let indented = "  -----BEGIN CERTIFICATE-----\n  M3oL\n  -----END CERTIFICATE-----\n";
        assert!(matches!(
            check_pem_shape(indented),
            Err(PemError::OutsideBlock { .. })
        ));
        check_pem_shape("-----BEGIN CERTIFICATE----- \r\n\tTUlJ\r\n  Qg==\n-----END CERTIFICATE-----\n")
            .expect("pem");
        let cert = "-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n";
        let key = "-----BEGIN PRIVATE KEY-----\nTUlJQg==\n-----END PRIVATE KEY-----\n";
        check_pem(CertKind::Ca, cert).expect("ca");
        check_pem(CertKind::ClientKey, key).expect("key");
        assert!(check_pem(CertKind::Ca, key).is_err());
        assert!(check_pem(CertKind::ClientKey, cert).is_err());
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n3ZY=\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            check_pem(CertKind::ClientKey, encrypted),
            Err(PemError::OnePrivateKey)
        );
    }

    #[test]
    fn api_error_json() {
        let mut errs = FieldErrors::default();
        errs.push("device_name", Problem::Empty);
        errs.push("ssid", Problem::SsidLength { has: 40 });
        let body = serde_json::to_value(ApiError::from_fields(&errs)).expect("json");
        assert_eq!(body["field"], "device_name", "the first bad field leads");
        assert_eq!(body["error"], "must not be empty");
        assert_eq!(body["errors"][1]["reason"], "must have 1 to 32 bytes (has 40)");
        let plain: ApiError = serde_json::from_str(r#"{"error":"nope","field":null}"#).expect("parse");
        assert_eq!(plain.field, None);
    }

    #[test]
    fn mode_names_and_numbers() {
        assert_eq!("update".parse::<Mode>(), Ok(Mode::Update));
        assert_eq!(Mode::Configuration.number(), 2);
        assert_eq!(
            serde_json::to_string(&ModeRequest {
                mode: Mode::Application
            })
            .expect("json"),
            r#"{"mode":"application"}"#
        );
    }
}
