//! Meters seen on the broker only through DATA are asked for their INFO:
//! once each, paced across the fleet (Mosquitto, a raw fleet of publishers
//! watching their command topics), and a simulated meter answers so that
//! its name and firmware become known.

use std::sync::Arc;
use std::time::{Duration, Instant};

use je08_client::mqtt::{Monitor, MonitorOptions, ask_unknown_meters};
use je08_protocol::codec::RegisterBlock;
use je08_protocol::mqtt::{Command as MqttCommand, encode_data};
use rumqttc::QoS;

use crate::mqtt::{BrokerSetup, Mosquitto, SOON, eventually, link, next_payload, raw_client, sim_meter};

#[tokio::test]
async fn a_fleet_seen_only_through_data_is_asked_for_info_once_each_and_paced() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let (fleet, mut commands) = raw_client(broker.port, Some("je08/+/cmd")).await;
    let monitor = Arc::new(Monitor::start(MonitorOptions::new(link(broker.url(false)))));
    monitor.wait_connected(SOON).await.unwrap();
    let pace = Duration::from_millis(100);
    let asker = tokio::spawn(ask_unknown_meters(monitor.clone(), pace));

    let ids: Vec<String> = (0..8).map(|n| (7000 + n).to_string()).collect();
    let data = encode_data(&RegisterBlock::default());
    // Every meter publishes three times: still one request each.
    for _ in 0..3 {
        for id in &ids {
            fleet
                .publish(format!("je08/{id}/data"), QoS::AtLeastOnce, false, data.clone())
                .await
                .unwrap();
        }
    }
    let mut asked = Vec::new();
    for _ in &ids {
        let (topic, payload) = next_payload(&mut commands).await;
        assert_eq!(payload, MqttCommand::GetInfo.payload().as_bytes());
        asked.push((topic, Instant::now()));
    }
    let mut topics: Vec<&str> = asked.iter().map(|(t, _)| t.as_str()).collect();
    topics.sort_unstable();
    let wanted: Vec<String> = ids.iter().map(|id| format!("je08/{id}/cmd")).collect();
    assert_eq!(topics, wanted.iter().map(String::as_str).collect::<Vec<_>>());
    let span = asked.last().unwrap().1 - asked[0].1;
    assert!(
        span >= pace * 7 * 8 / 10,
        "8 requests {span:?} apart from first to last: not paced at {pace:?}"
    );
    // More DATA from the same meters asks nothing more.
    for id in &ids {
        fleet
            .publish(format!("je08/{id}/data"), QoS::AtLeastOnce, false, data.clone())
            .await
            .unwrap();
    }
    let more = tokio::time::timeout(Duration::from_secs(1), commands.recv()).await;
    assert!(more.is_err(), "asked again: {more:?}");
    asker.abort();
}

#[tokio::test]
async fn a_simulated_meter_asked_for_info_becomes_known_by_name_and_firmware() {
    let broker = Mosquitto::start(&BrokerSetup::default());
    let meter = sim_meter(2177, broker.url(false), None).await;
    let monitor = Arc::new(Monitor::start(MonitorOptions::new(link(broker.url(false)))));
    monitor.wait_connected(SOON).await.unwrap();
    let asker = tokio::spawn(ask_unknown_meters(monitor.clone(), Duration::from_millis(100)));
    eventually("the meter's INFO", || {
        monitor.meter("2177").is_some_and(|m| m.info.is_some())
    })
    .await;
    let info = monitor.meter("2177").unwrap().info.unwrap();
    assert_eq!(info.name, meter.device.with(|d| d.network.device_name.clone()));
    assert_eq!(info.mac, meter.device.with(|d| d.mac_string()));
    assert_eq!(meter.mqtt.stats().commands(), 1, "asked once");
    asker.abort();
}
