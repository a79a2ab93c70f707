//! MQTT payloads (spec §3): whatever a broker delivers on a meter's publish
//! topic (DATA, INFO, a command seen there) and on its subscribe topic.
//!
//! Checks: a decoded DATA or INFO packet encodes back to a payload that
//! decodes to the same packet (and DATA encodes to the same text twice); the
//! meter's command parser and the monitor's decoder agree on every command;
//! every refusal can be said in both languages.
#![no_main]

use je08_fuzz::said_in_every_language;
use je08_protocol::mqtt::{Incoming, Message, decode_message, parse_command};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let decoded = decode_message(payload);
    match &decoded {
        Ok(Message::Data(packet)) => {
            let text = packet.encode();
            let Ok(Message::Data(again)) = decode_message(text.as_bytes()) else {
                panic!("DATA re-encoded as {text} does not decode");
            };
            assert_eq!(again.encode(), text, "DATA encoding is not stable");
            assert_eq!(again.to_block(), packet.to_block(), "DATA registers changed");
        }
        Ok(Message::Info(info)) => {
            let text = info.encode();
            let again = decode_message(text.as_bytes());
            assert_eq!(
                again,
                Ok(Message::Info(info.clone())),
                "INFO re-encoded as {text}"
            );
        }
        Ok(Message::Command(command)) => {
            assert_eq!(
                decode_message(command.payload().as_bytes()),
                Ok(Message::Command(command.clone()))
            );
        }
        Err(err) => said_in_every_language(err),
    }
    // The meter's parser (subscribe topic) and the monitor's decoder read a
    // command the same way.
    match parse_command(payload) {
        Incoming::Known(command) => assert_eq!(decoded, Ok(Message::Command(command))),
        Incoming::Unknown(excerpt) => {
            assert!(!matches!(decoded, Ok(Message::Command(_))), "{excerpt}");
            assert!(
                excerpt.chars().all(|c| !c.is_control()),
                "excerpt not printable: {excerpt:?}"
            );
        }
    }
});
