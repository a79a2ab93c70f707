//! Field-by-field validation of the HTTP settings blocks: why a field is
//! refused ([`Problem`], machine-readable so a window can say it in the
//! user's language) and the checks shared by the blocks.
//!
//! On the wire (spec §4, a 422 answer) a problem travels as its English
//! sentence in `reason`; a reason read back from a meter becomes
//! [`Problem::Stated`].

use std::fmt;
use std::net::Ipv4Addr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a field is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The text is not a whole number.
    NotANumber,
    /// A number outside `min..=max`.
    OutOfRange {
        /// The value given.
        value: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
    /// A Wi-Fi network name is not 1 to 32 bytes long.
    SsidLength {
        /// Bytes given.
        has: usize,
    },
    /// A WPA2 password is not 8 to 63 characters long.
    PasswordLength {
        /// Characters given.
        has: usize,
    },
    /// Only printable ASCII is allowed.
    PrintableAsciiOnly,
    /// An access point cannot take its address from DHCP.
    AccessPointNeedsStaticAddress,
    /// The text is not a dotted IPv4 address.
    NotIpv4 {
        /// The text given.
        text: String,
    },
    /// The unspecified, broadcast or a multicast address.
    AddressNotUsable {
        /// The address given.
        ip: Ipv4Addr,
    },
    /// Not a contiguous network mask between /1 and /30.
    BadNetmask {
        /// The mask given.
        mask: Ipv4Addr,
    },
    /// The network or broadcast address of its own subnet.
    NetworkOrBroadcast {
        /// The address given.
        ip: Ipv4Addr,
    },
    /// The gateway is outside the device's subnet.
    GatewayOutsideSubnet {
        /// The gateway given.
        gateway: Ipv4Addr,
        /// The device's address.
        ip: Ipv4Addr,
        /// The subnet's prefix length.
        prefix: u32,
    },
    /// Must not be empty.
    Empty,
    /// Longer than `max` characters, or holds control characters.
    TooLongOrControl {
        /// Largest number of characters.
        max: usize,
    },
    /// A broker host is needed while MQTT is enabled.
    HostRequired,
    /// Neither an IPv4 address nor a host name.
    NotAHost {
        /// The text given.
        text: String,
    },
    /// An MQTT client id is not 1 to 64 characters long.
    ClientIdLength,
    /// Holds spaces or control characters.
    SpacesOrControl,
    /// Longer than `max` bytes.
    TooManyBytes {
        /// Largest number of bytes.
        max: usize,
    },
    /// Holds a NUL character.
    ContainsNul,
    /// A publish topic holds the wildcards `+` or `#`.
    PublishWildcard,
    /// `#` is not a whole level, or not the last one.
    HashNotLastLevel,
    /// `+` is not a whole level.
    PlusNotWholeLevel,
    /// Client authentication needs TLS enabled.
    ClientAuthNeedsTls,
    /// A reason as a meter stated it (read from a 422 answer).
    Stated(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotANumber => f.write_str("not a whole number"),
            Self::OutOfRange { value, min, max } => {
                write!(f, "{value} is out of range; allowed {min}–{max}")
            }
            Self::SsidLength { has } => write!(f, "must have 1 to 32 bytes (has {has})"),
            Self::PasswordLength { has } => write!(f, "must have 8 to 63 characters (has {has})"),
            Self::PrintableAsciiOnly => f.write_str("must contain printable ASCII characters only"),
            Self::AccessPointNeedsStaticAddress => {
                f.write_str("an access point has a static address: dhcp must be false")
            }
            Self::NotIpv4 { text } => write!(f, "{text:?} is not an IPv4 address (a.b.c.d)"),
            Self::AddressNotUsable { ip } => write!(f, "{ip} cannot be used here"),
            Self::BadNetmask { mask } => {
                write!(f, "{mask} is not a contiguous network mask between /1 and /30")
            }
            Self::NetworkOrBroadcast { ip } => {
                write!(f, "{ip} is the network or broadcast address of its subnet")
            }
            Self::GatewayOutsideSubnet { gateway, ip, prefix } => {
                write!(f, "{gateway} is outside the subnet of {ip}/{prefix}")
            }
            Self::Empty => f.write_str("must not be empty"),
            Self::TooLongOrControl { max } => write!(f, "must be at most {max} printable characters"),
            Self::HostRequired => f.write_str("must not be empty while MQTT is enabled"),
            Self::NotAHost { text } => write!(f, "{text:?} is neither an IPv4 address nor a host name"),
            Self::ClientIdLength => f.write_str("must have 1 to 64 characters"),
            Self::SpacesOrControl => f.write_str("must not contain spaces or control characters"),
            Self::TooManyBytes { max } => write!(f, "must be at most {max} bytes"),
            Self::ContainsNul => f.write_str("must not contain NUL"),
            Self::PublishWildcard => f.write_str("a publish topic must not contain the wildcards + or #"),
            Self::HashNotLastLevel => f.write_str("# must be a whole level and the last one"),
            Self::PlusNotWholeLevel => f.write_str("+ must be a whole level"),
            Self::ClientAuthNeedsTls => f.write_str("needs mqtt.tls.enabled"),
            Self::Stated(reason) => f.write_str(reason),
        }
    }
}

/// One bad field: its path (e.g. `mqtt.port`) and why. On the wire:
/// `{"field": …, "reason": "<English sentence>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Field path.
    pub field: String,
    /// Why it is refused.
    #[serde(
        rename = "reason",
        serialize_with = "reason_text",
        deserialize_with = "stated"
    )]
    pub problem: Problem,
}

fn reason_text<S: Serializer>(problem: &Problem, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(problem)
}

fn stated<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Problem, D::Error> {
    String::deserialize(deserializer).map(Problem::Stated)
}

/// Every bad field of a whole-object validation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Record a bad field.
    pub fn push(&mut self, field: &str, problem: Problem) {
        self.0.push(FieldError {
            field: field.to_owned(),
            problem,
        });
    }

    /// The first problem recorded for `field`.
    pub fn for_field(&self, field: &str) -> Option<&Problem> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.problem)
    }

    /// `Ok` when nothing was recorded.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.problem)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// A TCP port, 1–65535.
pub(super) fn check_port(errs: &mut FieldErrors, field: &str, port: u32) {
    if !(1..=65535).contains(&port) {
        errs.push(
            field,
            Problem::OutOfRange {
                value: port,
                min: 1,
                max: 65535,
            },
        );
    }
}

/// A Wi-Fi network name, 1–32 bytes.
pub(super) fn check_ssid(errs: &mut FieldErrors, field: &str, ssid: &str) {
    if ssid.is_empty() || ssid.len() > 32 {
        errs.push(field, Problem::SsidLength { has: ssid.len() });
    }
}

/// A WPA2 password: 8–63 printable ASCII characters.
pub(super) fn check_wpa2(errs: &mut FieldErrors, field: &str, password: &str) {
    let n = password.chars().count();
    if !(8..=63).contains(&n) {
        errs.push(field, Problem::PasswordLength { has: n });
    } else if !password.chars().all(|c| (' '..='~').contains(&c)) {
        errs.push(field, Problem::PrintableAsciiOnly);
    }
}

/// An IPv4 address (may be empty unless `required`); a required host
/// address cannot be the unspecified, broadcast or a multicast address.
pub(super) fn check_ip(errs: &mut FieldErrors, field: &str, text: &str, required: bool) -> Option<Ipv4Addr> {
    if text.is_empty() && !required {
        return None;
    }
    match text.parse::<Ipv4Addr>() {
        Ok(ip)
            if required
                && (ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast())
                && field != "netmask" =>
        {
            errs.push(field, Problem::AddressNotUsable { ip });
            None
        }
        Ok(ip) => Some(ip),
        Err(_) => {
            errs.push(
                field,
                Problem::NotIpv4 {
                    text: text.to_owned(),
                },
            );
            None
        }
    }
}

/// An IPv4 address or a DNS host name.
pub(super) fn valid_host(host: &str) -> bool {
    if host.parse::<Ipv4Addr>().is_ok() {
        return true;
    }
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Check an MQTT topic: non-empty, at most 256 bytes, no NUL; wildcards only
/// in a subscription and only as whole levels (`#` last).
pub fn check_topic(topic: &str, allow_wildcards: bool) -> Result<(), Problem> {
    if topic.is_empty() {
        return Err(Problem::Empty);
    }
    if topic.len() > 256 {
        return Err(Problem::TooManyBytes { max: 256 });
    }
    if topic.contains('\0') {
        return Err(Problem::ContainsNul);
    }
    if !allow_wildcards {
        if topic.contains(['+', '#']) {
            return Err(Problem::PublishWildcard);
        }
        return Ok(());
    }
    let levels: Vec<&str> = topic.split('/').collect();
    for (i, level) in levels.iter().enumerate() {
        if level.contains('#') && (*level != "#" || i + 1 != levels.len()) {
            return Err(Problem::HashNotLastLevel);
        }
        if level.contains('+') && *level != "+" {
            return Err(Problem::PlusNotWholeLevel);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_travels_as_its_sentence_and_comes_back_stated() {
        let mut errs = FieldErrors::default();
        errs.push(
            "ratio",
            Problem::OutOfRange {
                value: 10,
                min: 20,
                max: 400,
            },
        );
        let json = serde_json::to_value(&errs).expect("json");
        assert_eq!(json[0]["reason"], "10 is out of range; allowed 20–400");
        let back: FieldErrors = serde_json::from_value(json).expect("parse");
        assert_eq!(
            back.for_field("ratio"),
            Some(&Problem::Stated("10 is out of range; allowed 20–400".into()))
        );
        assert_eq!(back.to_string(), "ratio: 10 is out of range; allowed 20–400");
    }

    #[test]
    fn topics() {
        assert_eq!(check_topic("", true), Err(Problem::Empty));
        assert_eq!(check_topic("a/+/b", false), Err(Problem::PublishWildcard));
        assert_eq!(check_topic("a/#/b", true), Err(Problem::HashNotLastLevel));
        assert_eq!(check_topic("a/x+/b", true), Err(Problem::PlusNotWholeLevel));
        assert_eq!(check_topic("a/+/b/#", true), Ok(()));
    }
}
