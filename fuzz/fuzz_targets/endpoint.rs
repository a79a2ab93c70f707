//! Meter addresses as typed: `HOST[:PORT]`, `[V6]:PORT`, bare IPv6, and the
//! batch form `HOST[:PORT][,http=PORT]` (the command line's `--meter`,
//! `--host` and the window's address fields all go through these).
//!
//! Checks: an accepted address has a host without blanks and ports other
//! than 0; its text form parses back to the same address; a refusal can be
//! said in both languages.
#![no_main]

use je08_client::endpoint::{Endpoint, MeterAddress};
use je08_fuzz::said_in_every_language;
use libfuzzer_sys::fuzz_target;

const MODBUS: u16 = 502;
const HTTP: u16 = 80;

fuzz_target!(|text: &str| {
    match Endpoint::parse(text, MODBUS) {
        Ok(endpoint) => {
            assert!(!endpoint.host.is_empty() && !endpoint.host.contains(char::is_whitespace));
            assert_ne!(endpoint.port, 0, "{text:?}");
            let shown = endpoint.to_string();
            assert_eq!(
                Endpoint::parse(&shown, 1).as_ref(),
                Ok(&endpoint),
                "{text:?} shown as {shown}"
            );
        }
        Err(err) => said_in_every_language(&err),
    }
    match MeterAddress::parse(text, MODBUS, HTTP) {
        Ok(address) => {
            assert_eq!(address.modbus.host, address.http.host);
            assert!(address.modbus.port != 0 && address.http.port != 0, "{text:?}");
            let shown = address.to_string();
            assert_eq!(
                MeterAddress::parse(&shown, 1, 1).as_ref(),
                Ok(&address),
                "{text:?} shown as {shown}"
            );
        }
        Err(err) => said_in_every_language(&err),
    }
});
