//! Field-by-field validation of the HTTP settings blocks: why a field is
//! refused ([`Problem`], machine-readable so a window can say it in the
//! user's language) and the checks shared by the blocks.
//!
//! A problem is said in words by its `Describe` (its English is its
//! `Display`). On the wire (spec §4, a 422 answer) it travels as its English
//! sentence in `reason`; a reason read back from a meter becomes
//! [`Problem::Stated`] and goes back on the wire as the meter said it.

use std::net::Ipv4Addr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;

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

impl Describe for Problem {
    fn describe(&self, tr: Tr) -> String {
        let n = |v: &dyn ToString| v.to_string();
        match self {
            Problem::NotANumber => tr.t(ProtocolMsg::NotANumber).to_owned(),
            Problem::OutOfRange { value, min, max } => {
                tr.f(ProtocolMsg::ProbOutOfRange, &[&n(value), &n(min), &n(max)])
            }
            Problem::SsidLength { has } => tr.f(ProtocolMsg::ProbSsidLength, &[&n(has)]),
            Problem::PasswordLength { has } => tr.f(ProtocolMsg::ProbPasswordLength, &[&n(has)]),
            Problem::PrintableAsciiOnly => tr.t(ProtocolMsg::ProbPrintableAscii).to_owned(),
            Problem::AccessPointNeedsStaticAddress => tr.t(ProtocolMsg::ProbApStatic).to_owned(),
            Problem::NotIpv4 { text } => tr.f(ProtocolMsg::ProbNotIpv4, &[text]),
            Problem::AddressNotUsable { ip } => tr.f(ProtocolMsg::ProbAddressNotUsable, &[&n(ip)]),
            Problem::BadNetmask { mask } => tr.f(ProtocolMsg::ProbBadNetmask, &[&n(mask)]),
            Problem::NetworkOrBroadcast { ip } => tr.f(ProtocolMsg::ProbNetworkOrBroadcast, &[&n(ip)]),
            Problem::GatewayOutsideSubnet { gateway, ip, prefix } => tr.f(
                ProtocolMsg::ProbGatewayOutside,
                &[&n(gateway), &n(ip), &n(prefix)],
            ),
            Problem::Empty => tr.t(ProtocolMsg::ProbEmpty).to_owned(),
            Problem::TooLongOrControl { max } => tr.f(ProtocolMsg::ProbTooLongOrControl, &[&n(max)]),
            Problem::HostRequired => tr.t(ProtocolMsg::ProbHostRequired).to_owned(),
            Problem::NotAHost { text } => tr.f(ProtocolMsg::ProbNotAHost, &[text]),
            Problem::ClientIdLength => tr.t(ProtocolMsg::ProbClientIdLength).to_owned(),
            Problem::SpacesOrControl => tr.t(ProtocolMsg::ProbSpacesOrControl).to_owned(),
            Problem::TooManyBytes { max } => tr.f(ProtocolMsg::ProbTooManyBytes, &[&n(max)]),
            Problem::ContainsNul => tr.t(ProtocolMsg::ProbContainsNul).to_owned(),
            Problem::PublishWildcard => tr.t(ProtocolMsg::ProbPublishWildcard).to_owned(),
            Problem::HashNotLastLevel => tr.t(ProtocolMsg::ProbHashNotLast).to_owned(),
            Problem::PlusNotWholeLevel => tr.t(ProtocolMsg::ProbPlusNotWhole).to_owned(),
            Problem::ClientAuthNeedsTls => tr.t(ProtocolMsg::ProbClientAuthNeedsTls).to_owned(),
            Problem::Stated(reason) => tr.f(ProtocolMsg::ProbStated, &[reason]),
        }
    }
}

crate::english_display!(errors: FieldErrors);
crate::english_display!(Problem);

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

/// The wire's `reason`: the sentence, or a meter's own words as it stated them.
fn reason_text<S: Serializer>(problem: &Problem, serializer: S) -> Result<S::Ok, S::Error> {
    match problem {
        Problem::Stated(reason) => serializer.serialize_str(reason),
        other => serializer.collect_str(other),
    }
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

impl Describe for FieldErrors {
    /// Every bad field with why, e.g. "ratio: 10 is out of range; allowed 20–400".
    fn describe(&self, tr: Tr) -> String {
        let fields: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.problem.describe(tr)))
            .collect();
        fields.join("; ")
    }
}

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
        assert_eq!(
            back.to_string(),
            "ratio: the meter says: 10 is out of range; allowed 20–400"
        );
        assert_eq!(
            serde_json::to_value(&back).expect("json")[0]["reason"],
            "10 is out of range; allowed 20–400",
            "a meter's words go back on the wire as it said them"
        );
    }

    #[test]
    fn topics() {
        assert_eq!(check_topic("", true), Err(Problem::Empty));
        assert_eq!(check_topic("a/+/b", false), Err(Problem::PublishWildcard));
        assert_eq!(check_topic("a/#/b", true), Err(Problem::HashNotLastLevel));
        assert_eq!(check_topic("a/x+/b", true), Err(Problem::PlusNotWholeLevel));
        assert_eq!(check_topic("a/+/b/#", true), Ok(()));
    }

    #[test]
    fn every_validation_problem_is_said_in_both_languages() {
        use crate::http_api::{Connectivity, Ct};
        use crate::i18n::Lang;
        let mut bad = Connectivity::factory(7);
        bad.ssid = String::new();
        bad.gateway = "10.9.9.9".into();
        let errs = bad.validate().unwrap_err();
        let ssid = errs.for_field("ssid").expect("ssid refused");
        assert_eq!(ssid.to_string(), "must have 1 to 32 bytes (has 0)");
        assert_eq!(ssid.describe(Tr(Lang::PtBr)), "deve ter de 1 a 32 bytes (tem 0)");
        let gateway = errs.for_field("gateway").expect("gateway refused");
        assert_eq!(
            gateway.describe(Tr(Lang::PtBr)),
            "10.9.9.9 está fora da sub-rede 192.168.1.1/24"
        );
        let ratio = Ct {
            ratio: 500,
            invert: [false; 3],
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            ratio.for_field("ratio").expect("ratio").describe(Tr(Lang::PtBr)),
            "500 está fora da faixa; permitido 20–400"
        );
    }
}
