//! mDNS adverts (spec §6): the TXT record of a resolved service (its raw
//! rdata: length-prefixed `key=value` strings, decoded as RFC 6763 says),
//! with its service type, port and addresses, turned into sightings the way
//! the browser does (`sightings_from_service`).
//!
//! Checks: a service is a meter only when its TXT says `devtype=JE08` and a
//! decimal id, and then every sighting carries that id, the port under the
//! service's own door and one address each (IPv4 preferred, sorted); an
//! identity read from TXT, announced again by a meter, reads back the same;
//! refusals can be said in both languages.
#![no_main]

use std::net::IpAddr;

use je08_client::discovery::mdns::sightings_from_service;
use je08_fuzz::said_in_every_language;
use je08_protocol::discovery::{Advert, SERVICE_ARDUINO, SERVICE_HTTP, SERVICE_MODBUS, TxtIdentity, txt};
use libfuzzer_sys::fuzz_target;
use mdns_sd::{ServiceInfo, TxtProperty};

/// A resolved service as bytes: service type (1 byte), port (2, big
/// endian), IPv4 address count (1, modulo 4) and addresses (4 each), IPv6
/// address count (1, modulo 3) and addresses (16 each), then the TXT rdata.
struct Input<'a> {
    service: u8,
    port: u16,
    addresses: Vec<IpAddr>,
    rdata: &'a [u8],
}

impl<'a> Input<'a> {
    fn read(data: &'a [u8]) -> Option<Self> {
        let (&[service, p0, p1, n4], rest) = data.split_first_chunk::<4>()?;
        let (v4, rest) = rest.split_at_checked(4 * usize::from(n4 % 4))?;
        let (&n6, rest) = rest.split_first()?;
        let (v6, rdata) = rest.split_at_checked(16 * usize::from(n6 % 3))?;
        let mut addresses: Vec<IpAddr> = v4
            .chunks_exact(4)
            .map(|o| IpAddr::from([o[0], o[1], o[2], o[3]]))
            .collect();
        addresses.extend(
            v6.chunks_exact(16)
                .map(|o| IpAddr::from(<[u8; 16]>::try_from(o).expect("16 bytes"))),
        );
        Some(Self {
            service,
            port: u16::from_be_bytes([p0, p1]),
            addresses,
            rdata,
        })
    }
}

/// The TXT strings of `rdata`: each a length byte and that many bytes;
/// `key=value`, or a key alone.
fn properties(mut rdata: &[u8]) -> Vec<TxtProperty> {
    let mut out = Vec::new();
    while let Some((&len, rest)) = rdata.split_first() {
        let len = usize::from(len).min(rest.len());
        let (string, rest) = rest.split_at(len);
        rdata = rest;
        match string.iter().position(|&b| b == b'=') {
            Some(0) => {}
            Some(eq) => out.push(TxtProperty::from((
                String::from_utf8_lossy(&string[..eq]),
                &string[eq + 1..],
            ))),
            None if !string.is_empty() => out.push(TxtProperty::from(&*String::from_utf8_lossy(string))),
            None => {}
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::read(data) else {
        return;
    };
    let ty = [
        SERVICE_HTTP,
        SERVICE_MODBUS,
        SERVICE_ARDUINO,
        "_other._tcp.local.",
    ][usize::from(input.service) % 4];
    let addresses = &input.addresses;
    let ips = addresses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let Ok(info) = ServiceInfo::new(
        ty,
        "je08-fuzz",
        "je08-fuzz.local.",
        ips,
        input.port,
        properties(input.rdata),
    ) else {
        return;
    };
    let service = info.as_resolved_service();
    let get = |key: &str| service.get_property_val_str(key);
    let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("a time");
    let sightings = match sightings_from_service(&service, at) {
        Ok(sightings) => sightings,
        Err(err) => {
            said_in_every_language(&err);
            return;
        }
    };
    assert!(get(txt::DEVTYPE).is_some_and(|d| d.trim().eq_ignore_ascii_case("JE08")));
    let id: u32 = get(txt::ID)
        .and_then(|t| t.trim().parse().ok())
        .expect("a meter has a decimal id");
    assert!(!sightings.is_empty());
    let mut v4: Vec<IpAddr> = addresses.iter().copied().filter(IpAddr::is_ipv4).collect();
    v4.sort();
    v4.dedup();
    let seen: Vec<Option<IpAddr>> = sightings.iter().map(|s| s.ip).collect();
    if !v4.is_empty() {
        assert_eq!(seen, v4.into_iter().map(Some).collect::<Vec<_>>());
    } else if addresses.is_empty() {
        assert_eq!(seen, [None]);
    }
    for sighting in &sightings {
        assert_eq!(sighting.id, id);
        let ports = sighting.ports;
        let door = match ty {
            SERVICE_HTTP => ports.http,
            SERVICE_MODBUS => ports.modbus,
            SERVICE_ARDUINO => ports.ota,
            _ => None,
        };
        let known = [ports.http, ports.modbus, ports.ota].iter().flatten().count();
        assert_eq!(known, usize::from(door.is_some()), "{ports:?} for {ty}");
        assert!(door.is_none_or(|p| p == input.port));
    }
    // A meter announcing what was read announces it the same way again.
    let identity = TxtIdentity::parse(get).expect("a sighting came from an identity");
    if let (Some(mac), Some(mode), Some(firmware), Some(name)) =
        (&identity.mac, identity.mode, identity.firmware, &identity.name)
    {
        let advert = Advert {
            id,
            mac: mac.clone(),
            mode,
            firmware,
            name: name.clone(),
            modbus_enabled: true,
            http_port: Some(80),
            modbus_port: 502,
            ota_port: Some(8266),
        };
        let pairs = advert.txt();
        let again = TxtIdentity::parse(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()));
        assert_eq!(again.as_ref(), Ok(&identity), "{pairs:?}");
    }
});
