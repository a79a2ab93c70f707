//! MQTT sightings: a DATA or INFO packet from a meter, as decoded by the
//! MQTT monitor, becomes a sighting in the merged list.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::registry::{Sighting, Source};
use crate::protocol::mode::Mode;
use crate::protocol::mqtt::Message;

/// The sighting a packet from meter `id` (taken from the topic) received at
/// `at` makes; `None` for commands, which other clients publish. A meter
/// that publishes is in application mode (MQTT runs only there).
pub fn sighting_from_mqtt(id: u32, at: DateTime<Utc>, message: &Message) -> Option<Sighting> {
    let mut sighting = Sighting {
        mode: Some(Mode::Application),
        ..Sighting::new(id, Source::Mqtt, at)
    };
    match message {
        Message::Data(_) => {}
        Message::Info(info) => {
            sighting.ip = Some(IpAddr::V4(info.ip));
            sighting.name = Some(info.name.trim().to_owned()).filter(|n| !n.is_empty());
            sighting.mac = Some(info.mac.clone());
            sighting.firmware = Some(info.version);
        }
        Message::Command(_) => return None,
    }
    Some(sighting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::mqtt::decode_message;
    use crate::protocol::readings::Version;

    #[test]
    fn info_and_data_packets_become_sightings() {
        let at = Utc::now();
        let info = decode_message(
            br#"{"INFO":{"DEVNAME":"Panel 3","DEVIP":"10.0.0.9","DEVMAC":5C:CF:7F:01:E2:40,"DEVTYPE":"JE08","DEVSUBTYPE":"WATT METER","VERSION":"03.01"}}"#,
        )
        .unwrap();
        let sighting = sighting_from_mqtt(7, at, &info).unwrap();
        assert_eq!(sighting.ip, Some(IpAddr::from([10, 0, 0, 9])));
        assert_eq!(sighting.name.as_deref(), Some("Panel 3"));
        assert_eq!(sighting.firmware, Some(Version(301)));
        assert_eq!(sighting.source, Source::Mqtt);
        assert_eq!(sighting.mode, Some(Mode::Application));

        let command = decode_message(br#"{"GET":"INFO"}"#).unwrap();
        assert_eq!(sighting_from_mqtt(7, at, &command), None);
    }
}
