//! The JE08 MQTT payloads (spec §3): DATA and INFO packets, the four
//! commands, and topic helpers.
//!
//! DATA carries raw integers in the scale of the matching Modbus register, so
//! the DATA map is only a list of (key, register address) in the manual's
//! order: each value's accepted range, sign and HIGH/LOW pairing come from
//! that register's row of the table, and the values are stored into and read
//! from a [`RegisterBlock`] with its table-driven `set_integer`/`integer`.
//! Decoding then goes through [`decode_measurements`]: Modbus and MQTT share
//! one readings model. Decoding never panics on any input;
//! INFO accepts the manual's unquoted MAC (`"DEVMAC":AA:BB:…`), which is not
//! valid JSON, by repairing the text before a second parse.

use std::fmt::{self, Write as _};
use std::net::Ipv4Addr;

use serde::Serialize;
use serde_json::Value;

use super::codec::{RegisterBlock, decode_measurements, encode_measurements};
use super::readings::{Measurements, Version};
use super::registers::{Register, addr};
use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;

/// Largest payload the decoder looks at; a DATA packet is about 600 bytes.
pub const MAX_PAYLOAD: usize = 8 * 1024;

/// Default subscription of a monitor: every meter's DATA/INFO topic.
pub const DEFAULT_DATA_FILTER: &str = "je08/+/data";
/// Default publish topic of a meter; `{id}` is its decimal device id.
pub const DEFAULT_PUBLISH_TOPIC: &str = "je08/{id}/data";
/// Default subscribe (command) topic of a meter; `{id}` is its decimal id.
pub const DEFAULT_SUBSCRIBE_TOPIC: &str = "je08/{id}/cmd";
/// Placeholder replaced by the device id in topic templates.
pub const ID_PLACEHOLDER: &str = "{id}";

/// The 39 DATA keys in the manual's order, each with the register (the HIGH
/// row for a pair) whose raw integer it carries. Range, sign and pairing of
/// every value come from that register's row of the table.
const DATA_KEYS: [(&str, u16); 39] = [
    ("VARMS", addr::VA_RMS),
    ("VBRMS", addr::VB_RMS),
    ("VCRMS", addr::VC_RMS),
    ("IARMS", addr::IA_RMS),
    ("IBRMS", addr::IB_RMS),
    ("ICRMS", addr::IC_RMS),
    ("VABRMS", addr::VAB_RMS),
    ("VBCRMS", addr::VBC_RMS),
    ("VCARMS", addr::VCA_RMS),
    ("VABCTRMS", addr::VABC_T_RMS_MEDIO),
    ("PA", addr::POTENCIA_ATIVA_A),
    ("PB", addr::POTENCIA_ATIVA_B),
    ("PC", addr::POTENCIA_ATIVA_C),
    ("PT", addr::POTENCIA_ATIVA_T),
    ("QA", addr::POTENCIA_REATIVA_A),
    ("QB", addr::POTENCIA_REATIVA_B),
    ("QC", addr::POTENCIA_REATIVA_C),
    ("QT", addr::POTENCIA_REATIVA_T),
    ("SA", addr::POTENCIA_APARENTE_A),
    ("SB", addr::POTENCIA_APARENTE_B),
    ("SC", addr::POTENCIA_APARENTE_C),
    ("ST", addr::POTENCIA_APARENTE_T),
    ("FPA", addr::FATOR_POTENCIA_A),
    ("FPB", addr::FATOR_POTENCIA_B),
    ("FPC", addr::FATOR_POTENCIA_C),
    ("FPT", addr::FATOR_POTENCIA_T),
    ("KVARHA", addr::KVARHA_HIGH),
    ("KVARHB", addr::KVARHB_HIGH),
    ("KVARHC", addr::KVARHC_HIGH),
    ("KVARHT", addr::KVARHT_HIGH),
    ("KWHA", addr::KWHA_HIGH),
    ("KWHB", addr::KWHB_HIGH),
    ("KWHC", addr::KWHC_HIGH),
    ("KWHT", addr::KWHT_HIGH),
    ("FREQ", addr::FREQUENCIA),
    ("TEMP", addr::TEMP_DS18B20),
    ("SERRS", addr::ERRS_DS18B20),
    ("WRSSI", addr::WIFI_RSSI),
    ("UPTIME", addr::UPTIME_HIGH),
];

/// The names of the DATA keys, in the manual's order.
pub fn data_keys() -> impl Iterator<Item = &'static str> {
    DATA_KEYS.iter().map(|(k, _)| *k)
}

/// A decoded DATA packet: the shared readings model plus the two health
/// values DATA carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataPacket {
    /// Readings, in engineering units (as `je08 read --json`).
    #[serde(flatten)]
    pub measurements: Measurements,
    /// Wi-Fi signal strength (WRSSI).
    pub rssi_dbm: i16,
    /// Seconds since power-on (UPTIME).
    pub uptime_s: u32,
}

impl DataPacket {
    /// Take the packet's values from a register block (as Modbus reads it).
    pub fn from_block(block: &RegisterBlock) -> Self {
        Self {
            measurements: decode_measurements(block),
            // Exact: the table makes WIFI_RSSI signed 16-bit and UPTIME a
            // 32-bit unsigned pair.
            rssi_dbm: block.integer(addr::WIFI_RSSI) as i16,
            uptime_s: block.integer(addr::UPTIME_HIGH) as u32,
        }
    }

    /// The registers DATA carries, quantized from this packet's values.
    pub fn to_block(&self) -> RegisterBlock {
        let mut block = RegisterBlock::default();
        encode_measurements(&mut block, &self.measurements);
        block.set_integer(addr::WIFI_RSSI, i64::from(self.rssi_dbm));
        block.set_integer(addr::UPTIME_HIGH, i64::from(self.uptime_s));
        block
    }

    /// The `{"DATA":{…}}` payload for this packet.
    pub fn encode(&self) -> String {
        encode_data(&self.to_block())
    }
}

/// The `{"DATA":{…}}` payload with the 39 keys read from `block`.
pub fn encode_data(block: &RegisterBlock) -> String {
    let mut out = String::with_capacity(640);
    out.push_str("{\"DATA\":{");
    for (i, (key, a)) in DATA_KEYS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Writing into a String cannot fail.
        let _ = write!(out, "\"{key}\":{}", block.integer(*a));
    }
    out.push_str("}}");
    out
}

/// Device identity as published in an INFO packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfoPacket {
    /// Configurable device name (DEVNAME).
    pub name: String,
    /// Current IP address (DEVIP).
    pub ip: Ipv4Addr,
    /// MAC address, upper-case `AA:BB:CC:DD:EE:FF` (DEVMAC).
    pub mac: String,
    /// Product type, `JE08` (DEVTYPE).
    pub devtype: String,
    /// Product subtype, `WATT METER` (DEVSUBTYPE).
    pub subtype: String,
    /// Firmware version (VERSION, `03.00`).
    pub version: Version,
}

impl InfoPacket {
    /// The `{"INFO":{…}}` payload (MAC quoted, version as `03.00`).
    pub fn encode(&self) -> String {
        let info = serde_json::json!({
            "INFO": {
                "DEVNAME": self.name,
                "DEVIP": self.ip.to_string(),
                "DEVMAC": self.mac,
                "DEVTYPE": self.devtype,
                "DEVSUBTYPE": self.subtype,
                "VERSION": format!("{:02}.{:02}", self.version.0 / 100, self.version.0 % 100),
            }
        });
        info.to_string()
    }
}

/// A decoded packet published by a meter (or a command seen on its topic).
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Periodic or requested readings.
    Data(Box<DataPacket>),
    /// Identity, sent on request.
    Info(InfoPacket),
    /// A known command (a monitor subscribed to `#` sees these too).
    Command(Command),
}

/// Why a payload is not a valid JE08 packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The payload exceeds [`MAX_PAYLOAD`].
    TooLarge(usize),
    /// The payload is not JSON, even after lenient repair.
    NotJson(String),
    /// The JSON has neither a DATA nor an INFO object.
    UnknownPacket,
    /// A DATA or INFO key is missing.
    MissingKey {
        /// `DATA` or `INFO`.
        packet: &'static str,
        /// The missing key.
        key: &'static str,
    },
    /// A value has the wrong type or lies outside its register's range.
    BadValue {
        /// `DATA` or `INFO`.
        packet: &'static str,
        /// The offending key.
        key: &'static str,
        /// The value as received (truncated).
        value: String,
    },
}

impl Describe for DecodeError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::TooLarge(size) => tr.f(ProtocolMsg::PacketTooLarge, &[&size.to_string()]),
            Self::NotJson(detail) => tr.f(ProtocolMsg::PacketNotJson, &[detail]),
            Self::UnknownPacket => tr.t(ProtocolMsg::PacketUnknown).to_owned(),
            Self::MissingKey { packet, key } => tr.f(ProtocolMsg::PacketMissingKey, &[packet, key]),
            Self::BadValue { packet, key, value } => tr.f(ProtocolMsg::PacketBadValue, &[packet, key, value]),
        }
    }
}

crate::english_display!(errors: DecodeError, UnknownCommand, BadBrokerUrl);

/// Parse a payload as JSON, repairing what the manual's examples do wrong
/// (typographic quotes, an unquoted MAC) when strict parsing fails.
fn lenient_json(payload: &[u8]) -> Result<Value, DecodeError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(DecodeError::TooLarge(payload.len()));
    }
    match serde_json::from_slice::<Value>(payload) {
        Ok(v) => Ok(v),
        Err(err) => {
            let text = String::from_utf8_lossy(payload);
            let repaired = quote_bare_mac(&text.replace(['\u{201c}', '\u{201d}'], "\""));
            serde_json::from_str(&repaired).map_err(|_| DecodeError::NotJson(err.to_string()))
        }
    }
}

/// Put quotes around the value after every `"DEVMAC":` that is not quoted.
fn quote_bare_mac(text: &str) -> String {
    const KEY: &str = "\"DEVMAC\"";
    let mut out = String::with_capacity(text.len() + 2);
    let mut rest = text;
    while let Some(pos) = rest.find(KEY) {
        let (before, after_key) = rest.split_at(pos + KEY.len());
        out.push_str(before);
        let colon_len = after_key.len() - after_key.trim_start().len();
        let after_ws = &after_key[colon_len..];
        let Some(value) = after_ws.strip_prefix(':') else {
            rest = after_key;
            continue;
        };
        out.push_str(&after_key[..colon_len]);
        out.push(':');
        let value_ws = value.len() - value.trim_start().len();
        out.push_str(&value[..value_ws]);
        let value = &value[value_ws..];
        if value.starts_with('"') {
            rest = value;
            continue;
        }
        let end = value
            .find(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '-'))
            .unwrap_or(value.len());
        out.push('"');
        out.push_str(&value[..end]);
        out.push('"');
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

/// A short, printable excerpt of a JSON value for error messages.
fn excerpt(v: &Value) -> String {
    let mut s = v.to_string();
    if s.len() > 40 {
        let cut = (0..=40).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// An integral JSON number (accepting `220.0` but not `220.5`).
fn integer(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// Decode the body of a DATA object.
fn decode_data_object(obj: &serde_json::Map<String, Value>) -> Result<DataPacket, DecodeError> {
    let mut block = RegisterBlock::default();
    for (key, a) in DATA_KEYS {
        let value = obj
            .get(key)
            .ok_or(DecodeError::MissingKey { packet: "DATA", key })?;
        let (lo, hi) = Register::at(a).encoding.raw_range();
        let raw = integer(value)
            .filter(|r| (lo..=hi).contains(r))
            .ok_or_else(|| DecodeError::BadValue {
                packet: "DATA",
                key,
                value: excerpt(value),
            })?;
        block.set_integer(a, raw);
    }
    Ok(DataPacket::from_block(&block))
}

fn info_string<'a>(
    obj: &'a serde_json::Map<String, Value>,
    key: &'static str,
) -> Result<&'a str, DecodeError> {
    let value = obj
        .get(key)
        .ok_or(DecodeError::MissingKey { packet: "INFO", key })?;
    value.as_str().ok_or_else(|| DecodeError::BadValue {
        packet: "INFO",
        key,
        value: excerpt(value),
    })
}

/// Normalize a MAC to upper-case `AA:BB:CC:DD:EE:FF` (accepting `-` too).
pub fn normalize_mac(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split([':', '-']).collect();
    let ok = parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    ok.then(|| parts.join(":").to_ascii_uppercase())
}

/// Decode the body of an INFO object.
fn decode_info_object(obj: &serde_json::Map<String, Value>) -> Result<InfoPacket, DecodeError> {
    let bad = |key: &'static str, value: &str| DecodeError::BadValue {
        packet: "INFO",
        key,
        value: excerpt(&Value::String(value.to_string())),
    };
    let ip_text = info_string(obj, "DEVIP")?;
    let mac_text = info_string(obj, "DEVMAC")?;
    let version_text = info_string(obj, "VERSION")?;
    Ok(InfoPacket {
        name: info_string(obj, "DEVNAME")?.to_string(),
        ip: ip_text.trim().parse().map_err(|_| bad("DEVIP", ip_text))?,
        mac: normalize_mac(mac_text).ok_or_else(|| bad("DEVMAC", mac_text))?,
        devtype: info_string(obj, "DEVTYPE")?.to_string(),
        subtype: info_string(obj, "DEVSUBTYPE")?.to_string(),
        version: version_text.parse().map_err(|_| bad("VERSION", version_text))?,
    })
}

/// Decode a payload received on a meter's publish topic.
pub fn decode_message(payload: &[u8]) -> Result<Message, DecodeError> {
    let json = lenient_json(payload)?;
    let obj = json.as_object().ok_or(DecodeError::UnknownPacket)?;
    if let Some(data) = obj.get("DATA") {
        let body = data.as_object().ok_or_else(|| DecodeError::BadValue {
            packet: "DATA",
            key: "DATA",
            value: excerpt(data),
        })?;
        return decode_data_object(body).map(|p| Message::Data(Box::new(p)));
    }
    if let Some(info) = obj.get("INFO") {
        let body = info.as_object().ok_or_else(|| DecodeError::BadValue {
            packet: "INFO",
            key: "INFO",
            value: excerpt(info),
        })?;
        return decode_info_object(body).map(Message::Info);
    }
    match command_from_json(&json) {
        Some(cmd) => Ok(Message::Command(cmd)),
        None => Err(DecodeError::UnknownPacket),
    }
}

/// A command accepted on a meter's subscribe topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `{"GET":"INFO"}`: publish INFO once.
    GetInfo,
    /// `{"GET":"DATA"}`: publish DATA now, once.
    GetData,
    /// `{"RST":"KWH"}`: zero every kWh accumulator.
    ResetKwh,
    /// `{"RST":"KVARH"}`: zero every kVArh accumulator.
    ResetKvarh,
}

impl Command {
    /// Every command, for help texts and tests.
    pub const ALL: [Command; 4] = [
        Command::GetInfo,
        Command::GetData,
        Command::ResetKwh,
        Command::ResetKvarh,
    ];

    /// The JSON payload that carries this command.
    pub fn payload(&self) -> &'static str {
        match self {
            Command::GetInfo => r#"{"GET":"INFO"}"#,
            Command::GetData => r#"{"GET":"DATA"}"#,
            Command::ResetKwh => r#"{"RST":"KWH"}"#,
            Command::ResetKvarh => r#"{"RST":"KVARH"}"#,
        }
    }

    /// The command-line name (`get-info`, `get-data`, `reset-kwh`, `reset-kvarh`).
    pub fn cli_name(&self) -> &'static str {
        match self {
            Command::GetInfo => "get-info",
            Command::GetData => "get-data",
            Command::ResetKwh => "reset-kwh",
            Command::ResetKvarh => "reset-kvarh",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cli_name())
    }
}

/// A text that names none of the four commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCommand {
    /// The text given.
    pub text: String,
}

impl Describe for UnknownCommand {
    fn describe(&self, tr: Tr) -> String {
        tr.f(ProtocolMsg::UnknownCommand, &[&self.text])
    }
}

impl std::str::FromStr for Command {
    type Err = UnknownCommand;

    /// Parse a command-line name such as `reset-kwh`.
    fn from_str(s: &str) -> Result<Self, UnknownCommand> {
        Command::ALL
            .into_iter()
            .find(|c| c.cli_name() == s)
            .ok_or_else(|| UnknownCommand { text: s.to_owned() })
    }
}

/// What a meter makes of a payload on its subscribe topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// One of the four documented commands.
    Known(Command),
    /// Anything else: ignored and counted by the meter. Holds a short,
    /// printable excerpt of the payload.
    Unknown(String),
}

fn command_from_json(json: &Value) -> Option<Command> {
    let obj = json.as_object().filter(|o| o.len() == 1)?;
    let (key, value) = obj.iter().next()?;
    match (key.as_str(), value.as_str()?) {
        ("GET", "INFO") => Some(Command::GetInfo),
        ("GET", "DATA") => Some(Command::GetData),
        ("RST", "KWH") => Some(Command::ResetKwh),
        ("RST", "KVARH") => Some(Command::ResetKvarh),
        _ => None,
    }
}

/// Parse a payload received on the subscribe topic; never fails.
pub fn parse_command(payload: &[u8]) -> Incoming {
    match lenient_json(payload).ok().as_ref().and_then(command_from_json) {
        Some(cmd) => Incoming::Known(cmd),
        None => {
            let head = &payload[..payload.len().min(64)];
            Incoming::Unknown(String::from_utf8_lossy(head).escape_debug().to_string())
        }
    }
}

/// A broker address: `mqtt://host[:port]` (plain TCP, default 1883) or
/// `mqtts://host[:port]` (TLS, default 8883). A bare `host[:port]` means
/// `mqtt://`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// TLS (`mqtts://`) or plain TCP.
    pub tls: bool,
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

/// What is wrong with a broker URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerUrlFault {
    /// It does not parse as a URL (the parser's words).
    Unparsable(String),
    /// A scheme other than mqtt:// or mqtts://.
    Scheme(String),
    /// A path or a query after the host.
    PathOrQuery,
    /// A user name or password inside the URL.
    Credentials,
    /// No host.
    NoHost,
    /// Port 0.
    PortZero,
}

/// A text that is not a broker URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBrokerUrl {
    /// The text given (trimmed), its password replaced by `***`
    /// ([`without_password`]).
    pub text: String,
    /// What is wrong with it.
    pub fault: BrokerUrlFault,
}

impl Describe for BadBrokerUrl {
    fn describe(&self, tr: Tr) -> String {
        let fault = match &self.fault {
            BrokerUrlFault::Unparsable(detail) => detail.clone(),
            BrokerUrlFault::Scheme(scheme) => tr.f(ProtocolMsg::UrlScheme, &[scheme]),
            BrokerUrlFault::PathOrQuery => tr.t(ProtocolMsg::UrlPathOrQuery).to_owned(),
            BrokerUrlFault::Credentials => tr.t(ProtocolMsg::UrlCredentials).to_owned(),
            BrokerUrlFault::NoHost => tr.t(ProtocolMsg::UrlNoHost).to_owned(),
            BrokerUrlFault::PortZero => tr.t(ProtocolMsg::UrlPortZero).to_owned(),
        };
        tr.f(ProtocolMsg::BadBrokerUrl, &[&self.text, &fault])
    }
}

impl std::str::FromStr for BrokerUrl {
    type Err = BadBrokerUrl;

    fn from_str(text: &str) -> Result<Self, BadBrokerUrl> {
        let text = text.trim();
        let bad = |fault| BadBrokerUrl {
            text: without_password(text),
            fault,
        };
        let with_scheme = if text.contains("://") {
            text.to_string()
        } else {
            format!("mqtt://{text}")
        };
        let url =
            url::Url::parse(&with_scheme).map_err(|e| bad(BrokerUrlFault::Unparsable(e.to_string())))?;
        let tls = match url.scheme() {
            "mqtt" | "tcp" => false,
            "mqtts" | "ssl" | "tls" => true,
            other => return Err(bad(BrokerUrlFault::Scheme(other.to_owned()))),
        };
        if !(url.path().is_empty() || url.path() == "/") || url.query().is_some() {
            return Err(bad(BrokerUrlFault::PathOrQuery));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(BrokerUrlFault::Credentials));
        }
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => return Err(bad(BrokerUrlFault::NoHost)),
        };
        let port = url.port().unwrap_or(if tls { 8883 } else { 1883 });
        if port == 0 {
            return Err(bad(BrokerUrlFault::PortZero));
        }
        Ok(Self { tls, host, port })
    }
}

impl fmt::Display for BrokerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// `text` (a URL as typed) with the password of a `user:password@` part
/// replaced by `***`, so that it can be said or kept. The user info runs
/// to the last `@` (a password may hold `@` or `/`); a text without `@`,
/// or with a user name alone, is returned as it is.
pub fn without_password(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[start..];
    let Some(at) = rest.rfind('@') else {
        return text.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!("{}{}:***{}", &text[..start], &rest[..colon], &rest[at..]),
        None => text.to_owned(),
    }
}

/// Substitute the device id into a topic template (`je08/{id}/data`).
pub fn render_topic(template: &str, id: &str) -> String {
    template.replace(ID_PLACEHOLDER, id)
}

/// Whether an MQTT topic filter (`+`, `#` wildcards) matches a topic name.
pub fn topic_matches(filter: &str, topic: &str) -> bool {
    let mut f = filter.split('/');
    let mut t = topic.split('/');
    loop {
        match (f.next(), t.next()) {
            (Some("#"), _) => return !topic.starts_with('$') || !filter.starts_with('#'),
            (Some("+"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// The meter id in `topic`: the level that matches the first `+` of
/// `filter` (for `je08/+/data`, `je08/1234/data` → `1234`). Without a `+`,
/// the whole topic identifies the meter. `None` when the topic does not
/// match the filter.
pub fn id_from_topic<'t>(filter: &str, topic: &'t str) -> Option<&'t str> {
    if !topic_matches(filter, topic) {
        return None;
    }
    match filter.split('/').position(|level| level == "+") {
        Some(index) => topic.split('/').nth(index),
        None => Some(topic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_is_never_said() {
        for (typed, shown) in [
            ("mqtt://meter:hunter2@host:1883", "mqtt://meter:***@host:1883"),
            ("meter:hun@ter/2@host", "meter:***@host"),
            ("mqtts://:hunter2@host", "mqtts://:***@host"),
            ("mqtt://meter@host", "mqtt://meter@host"),
            ("mqtt://host:1883", "mqtt://host:1883"),
        ] {
            assert_eq!(without_password(typed), shown);
            assert!(!without_password(typed).contains("hunter2"));
        }
        for typed in [
            "mqtt://meter:hunter2@host:1883",
            "mqtt://meter:hunter2@host:99999",
            "http://meter:hunter2@host",
            "mqtt://meter:hun/ter2@host",
        ] {
            let err = typed.parse::<BrokerUrl>().expect_err("refused");
            for said in [err.to_string(), format!("{err:?}")] {
                assert!(!said.contains("hunter2") && !said.contains("ter2"), "{said}");
            }
        }
        let err = "mqtt://meter:hunter2@host"
            .parse::<BrokerUrl>()
            .expect_err("refused");
        assert_eq!(err.fault, BrokerUrlFault::Credentials);
        assert!(err.to_string().contains("mqtt://meter:***@host"), "{err}");
    }
    use crate::registers::{Encoding, Radix};
    use proptest::prelude::*;

    fn sample_block() -> RegisterBlock {
        let mut b = RegisterBlock::default();
        for (i, (_, a)) in DATA_KEYS.iter().enumerate() {
            let raw = match Register::at(*a).encoding {
                Encoding::I16 => -(i as i64) * 7,
                _ => i as i64 * 13 + 1,
            };
            b.set_integer(*a, raw);
        }
        b.set(addr::VA_RMS, 220);
        b.set(addr::IA_RMS, 314);
        b.set(addr::FATOR_POTENCIA_A, 1000);
        b.set(addr::TEMP_DS18B20, (-354i16) as u16);
        b.set(addr::WIFI_RSSI, (-36i16) as u16);
        b.set(addr::FREQUENCIA, 6012);
        b.set_integer(addr::KWHT_HIGH, 12_345_678);
        b.set(addr::UPTIME_HIGH, 1);
        b.set(addr::UPTIME_LOW, 5);
        b
    }

    #[test]
    fn data_has_exactly_the_39_keys_in_order() {
        let payload = encode_data(&sample_block());
        let json: Value = serde_json::from_str(&payload).unwrap();
        let data = json["DATA"].as_object().unwrap();
        assert_eq!(data.len(), 39);
        let expected = "VARMS VBRMS VCRMS IARMS IBRMS ICRMS VABRMS VBCRMS VCARMS VABCTRMS PA PB PC PT \
             QA QB QC QT SA SB SC ST FPA FPB FPC FPT KVARHA KVARHB KVARHC KVARHT KWHA KWHB KWHC \
             KWHT FREQ TEMP SERRS WRSSI UPTIME";
        assert_eq!(data_keys().collect::<Vec<_>>().join(" "), expected);
        for key in expected.split(' ') {
            assert!(data[key].is_i64(), "{key}");
        }
        // Key order in the text follows the manual.
        let positions: Vec<usize> = expected
            .split(' ')
            .map(|k| payload.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn every_data_key_carries_one_register_of_the_table() {
        let mut seen = std::collections::BTreeSet::new();
        for (key, a) in DATA_KEYS {
            let register = crate::registers::register(a).unwrap_or_else(|| panic!("{key}: no register {a}"));
            assert_ne!(
                register.encoding,
                Encoding::Low,
                "{key} must name the HIGH row of its pair"
            );
            assert!(seen.insert(a), "{key}: register {} used twice", register.name);
        }
    }

    #[test]
    fn data_ranges_come_from_the_table() {
        let range = |wanted: &str| {
            let (_, a) = DATA_KEYS.iter().find(|(k, _)| *k == wanted).unwrap();
            Register::at(*a).encoding.raw_range()
        };
        assert_eq!(range("VARMS"), (0, 65_535));
        assert_eq!(range("PA"), (-32_768, 32_767));
        assert_eq!(range("TEMP"), (-32_768, 32_767));
        assert_eq!(range("KWHT"), Encoding::High(Radix::Thousand).raw_range());
        assert_eq!(range("KWHT"), (0, 65_535_999));
        assert_eq!(range("UPTIME"), (0, i64::from(u32::MAX)));
        // Out of range by one is refused, the limit itself accepted.
        let mut json: Value = serde_json::from_str(&encode_data(&sample_block())).unwrap();
        json["DATA"]["KWHT"] = Value::from(65_536_000);
        assert!(matches!(
            decode_message(json.to_string().as_bytes()),
            Err(DecodeError::BadValue { key: "KWHT", .. })
        ));
        json["DATA"]["KWHT"] = Value::from(65_535_999);
        json["DATA"]["PA"] = Value::from(-32_768);
        let Ok(Message::Data(p)) = decode_message(json.to_string().as_bytes()) else {
            panic!("limits refused");
        };
        assert_eq!(p.measurements.energy_kwh.total, 6_553_599.9);
        assert_eq!(p.measurements.active_power_kw.a, -3276.8);
    }

    #[test]
    fn data_uses_the_register_scales() {
        let payload = encode_data(&sample_block());
        let json: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(json["DATA"]["VARMS"], 220);
        assert_eq!(json["DATA"]["IARMS"], 314);
        assert_eq!(json["DATA"]["FPA"], 1000);
        assert_eq!(json["DATA"]["TEMP"], -354);
        assert_eq!(json["DATA"]["WRSSI"], -36);
        assert_eq!(json["DATA"]["KWHT"], 12_345_678);
        assert_eq!(json["DATA"]["UPTIME"], 65541);
        let Message::Data(p) = decode_message(payload.as_bytes()).unwrap() else {
            panic!("not DATA");
        };
        let m = &p.measurements;
        assert_eq!(m.voltage_v.a, 220.0);
        assert_eq!(m.current_a.a, 31.4);
        assert_eq!(m.power_factor.a, 1.0);
        assert_eq!(m.temperature_c, Some(-35.4));
        assert_eq!(m.frequency_hz, 60.12);
        assert_eq!(m.energy_kwh.total, 1_234_567.8);
        assert_eq!(p.rssi_dbm, -36);
        assert_eq!(p.uptime_s, 65541);
        // The same block decodes to the same readings as over Modbus.
        assert_eq!(p.measurements, decode_measurements(&sample_block()));
    }

    #[test]
    fn data_errors_name_the_key() {
        let mut json: Value = serde_json::from_str(&encode_data(&sample_block())).unwrap();
        json["DATA"].as_object_mut().unwrap().remove("FREQ");
        assert_eq!(
            decode_message(json.to_string().as_bytes()),
            Err(DecodeError::MissingKey {
                packet: "DATA",
                key: "FREQ"
            })
        );
        let mut json: Value = serde_json::from_str(&encode_data(&sample_block())).unwrap();
        json["DATA"]["VARMS"] = Value::from(-1);
        let err = decode_message(json.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "DATA key VARMS has an invalid value -1");
        json["DATA"]["VARMS"] = Value::from("220");
        assert!(matches!(
            decode_message(json.to_string().as_bytes()),
            Err(DecodeError::BadValue { key: "VARMS", .. })
        ));
        json["DATA"]["VARMS"] = Value::from(220.0);
        assert!(decode_message(json.to_string().as_bytes()).is_ok());
        assert_eq!(decode_message(b"{\"X\":1}"), Err(DecodeError::UnknownPacket));
        assert!(matches!(decode_message(b"nope"), Err(DecodeError::NotJson(_))));
        let big = vec![b' '; MAX_PAYLOAD + 1];
        assert_eq!(decode_message(&big), Err(DecodeError::TooLarge(MAX_PAYLOAD + 1)));
    }

    #[test]
    fn data_accepts_extra_keys_for_newer_firmware() {
        let mut json: Value = serde_json::from_str(&encode_data(&sample_block())).unwrap();
        json["DATA"]["NEWKEY"] = Value::from(5);
        assert!(matches!(
            decode_message(json.to_string().as_bytes()),
            Ok(Message::Data(_))
        ));
    }

    fn info() -> InfoPacket {
        InfoPacket {
            name: "Painel 3".into(),
            ip: Ipv4Addr::new(192, 168, 0, 50),
            mac: "5C:CF:7F:12:D6:87".into(),
            devtype: "JE08".into(),
            subtype: "WATT METER".into(),
            version: Version(300),
        }
    }

    #[test]
    fn info_round_trips_and_prints_the_version_like_the_manual() {
        let payload = info().encode();
        assert!(payload.contains(r#""VERSION":"03.00""#), "{payload}");
        assert!(payload.contains(r#""DEVMAC":"5C:CF:7F:12:D6:87""#));
        assert_eq!(decode_message(payload.as_bytes()), Ok(Message::Info(info())));
    }

    #[test]
    fn info_accepts_the_manuals_unquoted_mac_and_curly_quotes() {
        let manual = "{\n \u{201c}INFO\u{201d}:\n {\n \u{201c}DEVNAME\u{201d}:\u{201d}Painel 3\u{201d},\n \
             \u{201c}DEVIP\u{201d}:\u{201d}192.168.0.50\u{201d},\n \u{201c}DEVMAC\u{201d}:5c:cf:7f:12:d6:87,\n \
             \u{201c}DEVTYPE\u{201d}:\u{201d}JE08\u{201d},\n \u{201c}DEVSUBTYPE\u{201d}:\u{201d}WATT METER\u{201d},\n \
             \u{201c}VERSION\u{201d}: \u{201c}03.00\u{201d}\n }\n}";
        assert_eq!(decode_message(manual.as_bytes()), Ok(Message::Info(info())));
        let ascii = r#"{"INFO":{"DEVNAME":"Painel 3","DEVIP":"192.168.0.50","DEVMAC" : 5C-CF-7F-12-D6-87 ,"DEVTYPE":"JE08","DEVSUBTYPE":"WATT METER","VERSION":"03.00"}}"#;
        assert_eq!(decode_message(ascii.as_bytes()), Ok(Message::Info(info())));
    }

    #[test]
    fn info_errors_name_the_field() {
        let bad = info().encode().replace("192.168.0.50", "999.1.1.1");
        assert!(matches!(
            decode_message(bad.as_bytes()),
            Err(DecodeError::BadValue { key: "DEVIP", .. })
        ));
        let bad = info().encode().replace("5C:CF:7F:12:D6:87", "5C:CF");
        assert!(matches!(
            decode_message(bad.as_bytes()),
            Err(DecodeError::BadValue { key: "DEVMAC", .. })
        ));
        let bad = info().encode().replace("\"DEVTYPE\":\"JE08\",", "");
        assert_eq!(
            decode_message(bad.as_bytes()),
            Err(DecodeError::MissingKey {
                packet: "INFO",
                key: "DEVTYPE"
            })
        );
    }

    #[test]
    fn commands_parse_and_encode() {
        for cmd in Command::ALL {
            assert_eq!(
                parse_command(cmd.payload().as_bytes()),
                Incoming::Known(cmd.clone())
            );
            assert_eq!(cmd.cli_name().parse::<Command>(), Ok(cmd.clone()));
            assert_eq!(
                decode_message(cmd.payload().as_bytes()),
                Ok(Message::Command(cmd.clone()))
            );
        }
        assert_eq!(
            parse_command(" { \"RST\" : \"KWH\" } ".as_bytes()),
            Incoming::Known(Command::ResetKwh)
        );
        assert_eq!(
            parse_command("{\u{201c}GET\u{201d}:\u{201d}INFO\u{201d}}".as_bytes()),
            Incoming::Known(Command::GetInfo)
        );
        for other in [
            &br#"{"GET":"info"}"#[..],
            br#"{"RST":"ALL"}"#,
            br#"{"GET":"INFO","X":1}"#,
            b"reboot",
            b"",
            &[0xff, 0xfe],
        ] {
            assert!(matches!(parse_command(other), Incoming::Unknown(_)), "{other:?}");
        }
        assert!("reboot".parse::<Command>().is_err());
    }

    #[test]
    fn topics() {
        assert_eq!(render_topic(DEFAULT_PUBLISH_TOPIC, "1234"), "je08/1234/data");
        assert_eq!(render_topic(DEFAULT_SUBSCRIBE_TOPIC, "1234"), "je08/1234/cmd");
        assert_eq!(id_from_topic(DEFAULT_DATA_FILTER, "je08/1234/data"), Some("1234"));
        assert_eq!(id_from_topic(DEFAULT_DATA_FILTER, "je08/1234/cmd"), None);
        assert_eq!(id_from_topic(DEFAULT_DATA_FILTER, "je08/1/2/data"), None);
        assert_eq!(
            id_from_topic("site/+/je08/+/data", "site/a/je08/7/data"),
            Some("a")
        );
        assert_eq!(
            id_from_topic("plant/meter7", "plant/meter7"),
            Some("plant/meter7")
        );
        assert_eq!(id_from_topic("je08/#", "je08/5/data"), Some("je08/5/data"));
        assert!(topic_matches("#", "a/b"));
        assert!(!topic_matches("#", "$SYS/broker"));
        assert!(topic_matches("a/#", "a"));
        assert!(!topic_matches("a/+", "a"));
    }

    #[test]
    fn broker_urls() {
        let u = |s: &str| s.parse::<BrokerUrl>().map(|u| u.to_string());
        assert_eq!(u("mqtt://127.0.0.1:1884").unwrap(), "mqtt://127.0.0.1:1884");
        assert_eq!(u("mqtts://broker.local").unwrap(), "mqtts://broker.local:8883");
        assert_eq!(u("localhost").unwrap(), "mqtt://localhost:1883");
        assert_eq!(u("mqtt://[::1]:1883").unwrap(), "mqtt://[::1]:1883");
        let tls = "mqtts://h:9".parse::<BrokerUrl>().unwrap();
        assert!(tls.tls && tls.host == "h" && tls.port == 9);
        for bad in [
            "http://h",
            "mqtt://u:p@h",
            "mqtt://h/x",
            "mqtt://",
            "mqtt://h:0",
            "mqtt://h:99999",
        ] {
            assert!(bad.parse::<BrokerUrl>().is_err(), "{bad}");
        }
    }

    /// Raw DATA values within each key's range.
    fn raw_values() -> impl Strategy<Value = Vec<i64>> {
        DATA_KEYS
            .iter()
            .map(|(_, a)| {
                let (lo, hi) = Register::at(*a).encoding.raw_range();
                lo..=hi
            })
            .collect::<Vec<_>>()
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
            let _ = decode_message(&bytes);
            let _ = parse_command(&bytes);
        }

        #[test]
        fn any_text_with_keys_never_panics(text in "[{}\\[\\]\":,0-9A-Za-z \u{201c}\u{201d}.-]{0,200}") {
            let _ = decode_message(text.as_bytes());
            let _ = decode_message(format!("{{\"INFO\":{{\"DEVMAC\":{text}").as_bytes());
            let _ = parse_command(text.as_bytes());
        }

        #[test]
        fn data_round_trips(raws in raw_values()) {
            let mut block = RegisterBlock::default();
            for ((_, a), raw) in DATA_KEYS.iter().zip(&raws) {
                block.set_integer(*a, *raw);
            }
            let payload = encode_data(&block);
            let Ok(Message::Data(packet)) = decode_message(payload.as_bytes()) else {
                panic!("{payload}");
            };
            // Decoding yields the values Modbus would; encoding gives back the bytes.
            prop_assert_eq!(&packet.measurements, &decode_measurements(&block));
            let json: Value = serde_json::from_str(&payload).unwrap();
            for ((key, _), raw) in DATA_KEYS.iter().zip(&raws) {
                prop_assert_eq!(json["DATA"][key].as_i64(), Some(*raw));
            }
            prop_assert_eq!(packet.encode(), payload);
        }

        #[test]
        fn info_round_trips(name in "[ -~]{0,32}", ip in any::<u32>(), mac in any::<[u8; 6]>(), v in 0u16..10000) {
            let info = InfoPacket {
                name,
                ip: Ipv4Addr::from(ip),
                mac: mac.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":"),
                devtype: "JE08".into(),
                subtype: "WATT METER".into(),
                version: Version(v),
            };
            prop_assert_eq!(decode_message(info.encode().as_bytes()), Ok(Message::Info(info)));
        }
    }
}
