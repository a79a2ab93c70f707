//! MQTT sightings: a DATA or INFO packet the MQTT monitor decoded becomes a
//! sighting in the merged list.

use std::net::IpAddr;

use tokio::sync::{broadcast, mpsc};

use super::registry::{Sighting, Source};
use crate::mqtt::MonitorEvent;
use je08_protocol::mode::Mode;

/// The sighting a monitor event makes: DATA and INFO packets from a meter
/// whose topic id is a device id. A meter that publishes is in application
/// mode (MQTT runs only there). Other events give `None`.
pub fn sighting_from_monitor_event(event: &MonitorEvent) -> Option<Sighting> {
    let (id, at) = match event {
        MonitorEvent::Data { id, sample, .. } => (id, sample.at),
        MonitorEvent::Info { id, at, .. } => (id, *at),
        _ => return None,
    };
    let id: u32 = id.trim().parse().ok()?;
    let mut sighting = Sighting {
        mode: Some(Mode::Application),
        ..Sighting::new(id, Source::Mqtt, at)
    };
    if let MonitorEvent::Info { info, .. } = event {
        sighting.ip = Some(IpAddr::V4(info.ip));
        sighting.name = Some(info.name.trim().to_owned()).filter(|n| !n.is_empty());
        sighting.mac = Some(info.mac.clone());
        sighting.firmware = Some(info.version);
    }
    Some(sighting)
}

/// Forward the monitor's DATA/INFO events into `sink` as sightings until the
/// monitor or the sink goes away. Events missed by a slow consumer are
/// skipped (the next packet of the same meter brings it back).
pub async fn forward_monitor(mut events: broadcast::Receiver<MonitorEvent>, sink: mpsc::Sender<Sighting>) {
    loop {
        match events.recv().await {
            Ok(event) => {
                if let Some(sighting) = sighting_from_monitor_event(&event)
                    && sink.send(sighting).await.is_err()
                {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::debug!("discovery skipped {missed} MQTT events");
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::mqtt::{Message, decode_message};
    use je08_protocol::readings::Version;

    #[test]
    fn info_events_become_sightings_and_other_events_do_not() {
        let at = chrono::Utc::now();
        let Ok(Message::Info(info)) = decode_message(
            br#"{"INFO":{"DEVNAME":"Panel 3","DEVIP":"10.0.0.9","DEVMAC":5C:CF:7F:01:E2:40,"DEVTYPE":"JE08","DEVSUBTYPE":"WATT METER","VERSION":"03.01"}}"#,
        ) else {
            panic!("INFO decodes");
        };
        let event = MonitorEvent::Info {
            id: "7".into(),
            topic: "je08/7/data".into(),
            at,
            info,
        };
        let sighting = sighting_from_monitor_event(&event).unwrap();
        assert_eq!(sighting.id, 7);
        assert_eq!(sighting.at, at);
        assert_eq!(sighting.ip, Some(IpAddr::from([10, 0, 0, 9])));
        assert_eq!(sighting.name.as_deref(), Some("Panel 3"));
        assert_eq!(sighting.firmware, Some(Version(301)));
        assert_eq!(sighting.source, Source::Mqtt);
        assert_eq!(sighting.mode, Some(Mode::Application));

        let MonitorEvent::Info { info, .. } = event else {
            unreachable!()
        };
        let not_an_id = MonitorEvent::Info {
            id: "kitchen".into(),
            topic: "je08/kitchen/data".into(),
            at,
            info,
        };
        assert_eq!(sighting_from_monitor_event(&not_an_id), None);
        assert_eq!(sighting_from_monitor_event(&MonitorEvent::Connected), None);
    }
}
