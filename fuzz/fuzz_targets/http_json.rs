//! The HTTP API's JSON blocks (spec §4) as a meter or a PUT body carries
//! them: the first byte picks the block, the rest is the JSON text.
//!
//! Checks: a block that parses serialises to JSON that parses to the same
//! block; whole-object validation never accepts what the spec forbids (each
//! rule re-stated here independently of the validator); every refusal names
//! its fields and can be said in both languages, and the 422 body made from
//! it travels on the wire unchanged.
#![no_main]

use std::net::Ipv4Addr;

use je08_fuzz::said_in_every_language;
use je08_protocol::http_api::{
    ApiError, CertStatus, Connectivity, Ct, FieldErrors, Info, ModeRequest, Protocols, WifiMode, check_topic,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Parse `json` as `T`; when it parses, check the block survives a round trip.
fn block<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(json: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(json).ok()?;
    let text = serde_json::to_string(&value).expect("a parsed block serialises");
    let again: T = serde_json::from_str(&text).expect("a serialised block parses");
    assert_eq!(again, value, "{text}");
    Some(value)
}

/// A refused block: every bad field named, said in both languages, and the
/// 422 body made from it stable on the wire.
fn refused(errs: &FieldErrors) {
    assert!(!errs.0.is_empty(), "a refusal without a field");
    said_in_every_language(errs);
    wire_stable(&ApiError::from_fields(errs));
}

/// What a client reads back from an error body is what it would send again.
fn wire_stable(body: &ApiError) {
    let text = serde_json::to_string(body).expect("an error body serialises");
    let read: ApiError = serde_json::from_str(&text).expect("an error body parses");
    assert_eq!(serde_json::to_string(&read).expect("serialises"), text);
}

fn wpa2(password: &str) -> bool {
    (8..=63).contains(&password.chars().count()) && password.chars().all(|c| (' '..='~').contains(&c))
}

fn usable_host_address(text: &str) -> bool {
    text.parse::<Ipv4Addr>()
        .is_ok_and(|ip| !(ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast()))
}

fn connectivity(c: &Connectivity) {
    let Err(errs) = c.validate() else {
        assert!((1..=32).contains(&c.ssid.len()), "ssid {:?}", c.ssid);
        assert!(c.password.as_ref().is_none_or(|p| wpa2(p.expose())));
        assert!(c.interface_password.as_ref().is_none_or(|p| wpa2(p.expose())));
        assert!(
            !(c.wifi_mode == WifiMode::Ap && c.dhcp),
            "an access point on DHCP"
        );
        if c.wifi_mode == WifiMode::Ap || !c.dhcp {
            assert!(usable_host_address(&c.ip), "ip {:?}", c.ip);
            assert!(usable_host_address(&c.gateway), "gateway {:?}", c.gateway);
            let mask: Ipv4Addr = c.netmask.parse().expect("a static address has a netmask");
            let bits = u32::from(mask);
            assert_eq!(bits.leading_ones() + bits.trailing_zeros(), 32, "netmask {mask}");
        }
        assert!(
            c.dns.is_empty() || c.dns.parse::<Ipv4Addr>().is_ok(),
            "dns {:?}",
            c.dns
        );
        let name = &c.device_name;
        assert!(!name.trim().is_empty() && name.chars().count() <= 32 && !name.chars().any(char::is_control));
        return;
    };
    refused(&errs);
}

fn protocols(p: &Protocols) {
    let Err(errs) = p.validate() else {
        let m = &p.mqtt;
        assert!((1..=65535).contains(&p.modbus.port) && (1..=65535).contains(&m.port));
        assert!(
            !m.enabled || !m.host.is_empty(),
            "an enabled client without a broker"
        );
        assert!(
            m.host.len() <= 253 && !m.host.contains(char::is_whitespace),
            "host {:?}",
            m.host
        );
        assert!((1..=64).contains(&m.client_id.len()));
        assert!(!m.client_id.chars().any(|c| c.is_whitespace() || c.is_control()));
        assert!(!m.publish_topic.is_empty() && m.publish_topic.len() <= 256);
        assert!(
            !m.publish_topic.contains(['+', '#', '\0']),
            "publish {:?}",
            m.publish_topic
        );
        assert!(!m.subscribe_topic.is_empty() && m.subscribe_topic.len() <= 256);
        assert!(check_topic(&m.subscribe_topic, true).is_ok());
        assert!((1..=3600).contains(&m.interval_s));
        assert!(!m.tls.client_auth || m.tls.enabled);
        return;
    };
    refused(&errs);
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, json)) = data.split_first() else {
        return;
    };
    match kind % 7 {
        0 => {
            if let Some(c) = block::<Connectivity>(json) {
                connectivity(&c);
                // A GET's redacted block with the stored passwords merged back
                // is the stored block.
                assert_eq!(c.redacted().merged_onto(&c), c);
            }
        }
        1 => {
            if let Some(p) = block::<Protocols>(json) {
                protocols(&p);
                assert_eq!(p.redacted().merged_onto(&p), p);
            }
        }
        2 => {
            if let Some(ct) = block::<Ct>(json) {
                match ct.validate() {
                    Ok(()) => assert!((20..=400).contains(&ct.ratio)),
                    Err(errs) => refused(&errs),
                }
            }
        }
        3 => {
            block::<Info>(json);
        }
        4 => {
            block::<CertStatus>(json);
        }
        5 => {
            block::<ModeRequest>(json);
        }
        _ => {
            if let Ok(body) = serde_json::from_slice::<ApiError>(json) {
                wire_stable(&body);
            }
        }
    }
});
