//! Broker URLs as typed on the command line, in the window or read from a
//! meter's protocols block (`mqtt://host[:port]`, `mqtts://…`, bare
//! `host[:port]`).
//!
//! Checks: an accepted URL has a host and a port other than 0, names no
//! credentials, and its text form parses back to the same URL; a refusal can
//! be said in both languages.
#![no_main]

use je08_fuzz::said_in_every_language;
use je08_protocol::mqtt::BrokerUrl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match text.parse::<BrokerUrl>() {
        Ok(url) => {
            assert!(!url.host.is_empty(), "{text:?} gave no host");
            assert_ne!(url.port, 0, "{text:?}");
            assert!(!url.host.contains('@'), "{text:?} kept credentials in {url:?}");
            let shown = url.to_string();
            assert_eq!(
                shown.parse::<BrokerUrl>().as_ref(),
                Ok(&url),
                "{text:?} shown as {shown}"
            );
        }
        Err(err) => said_in_every_language(&err),
    }
});
