//! `je08 demo`: three simulated meters on loopback (a balanced load, a
//! reversed CT on phase B, no temperature sensor; each phase at about 65 %
//! of its CT so that calibration can be tried) and the configurator
//! window with them already listed (Modbus, HTTP API and espota each on a
//! free loopback port); the meters publish to an embedded MQTT
//! broker that the MQTT view is connected to. Nothing to install, no hardware.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::backend::modbus_link::default_connector;
use crate::i18n::Msg;
use crate::state::model::Endpoints;
use je08_client::discovery::Source;
use je08_client::discovery::mdns::MdnsInterface;
use je08_net::mqtt_link::BrokerLogin;
use je08_protocol::mqtt::BrokerUrl;
use je08_sim::broker::start_embedded_broker;
use je08_sim::mdns::MdnsAdvertiser;
use je08_sim::mqtt::SimMqttOptions;
use je08_sim::{MeterOptions, Scenario, spawn_meter};

/// Options of `je08 demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Energy accumulates this many times faster than real time.
    #[arg(long, default_value_t = 60.0)]
    pub time_scale: f64,
    /// Draw the window with this renderer only (as `je08 gui --renderer`).
    #[arg(long, value_enum, env = "JE08_RENDERER")]
    pub renderer: Option<super::renderer::RendererChoice>,
}

/// The demo meters: device id, scenario, display name.
pub const DEMO_METERS: [(u32, Scenario, Msg); 3] = [
    (1001, Scenario::Balanced, Msg::DemoBalanced),
    (1002, Scenario::ReversedCtB, Msg::DemoReversedCtB),
    (1003, Scenario::NoTempSensor, Msg::DemoNoTempSensor),
];

/// How much heavier the demo's load is than the scenarios' test load.
const DEMO_LOAD_SCALE: f64 = 4.0;

/// Start the simulators, open the window, stop everything when it closes.
pub fn run(runtime: &tokio::runtime::Runtime, args: Args) -> anyhow::Result<ExitCode> {
    let (broker, meters) = runtime.block_on(async {
        let broker = start_embedded_broker(0)
            .await
            .context("cannot start the embedded MQTT broker")?;
        let url = BrokerUrl {
            tls: false,
            host: broker.ip().to_string(),
            port: broker.port(),
        };
        let mut mqtt = SimMqttOptions::new(BrokerLogin::anonymous(url.clone()));
        mqtt.interval = std::time::Duration::from_secs(2);
        // The meters advertise over mDNS on loopback only, where the window browses.
        let mdns = MdnsAdvertiser::loopback()
            .inspect_err(|err| tracing::warn!("demo meters are not advertised: {err}"))
            .ok();
        let mut meters = Vec::new();
        for (id, scenario, _) in DEMO_METERS {
            let mut options = MeterOptions::scenario(id, scenario);
            options.device.model.time_scale = args.time_scale;
            // About 65 % of the 500 A CTs, as on a working panel: enough
            // current for the calibration wizard's preconditions (the
            // manual asks for more than 50 % of nominal), which the
            // scenarios' lighter test load would refuse.
            for phase in &mut options.device.model.phases {
                phase.current_a *= DEMO_LOAD_SCALE;
            }
            options.mqtt = Some(mqtt.clone());
            options.mdns = mdns.clone();
            options.http_port = Some(0);
            options.ota_port = Some(0);
            meters.push(
                spawn_meter(options)
                    .await
                    .with_context(|| format!("cannot start demo meter {id}"))?,
            );
        }
        anyhow::Ok((url.to_string(), meters))
    })?;
    let listed = meters
        .iter()
        .zip(DEMO_METERS)
        .map(|(m, (_, _, name))| super::gui::InitialMeter {
            address: m.modbus.to_string(),
            name,
            source: Source::Demo,
            endpoints: Endpoints {
                http: m.http.map(|a| a.to_string()),
                ota: m.ota.map(|a| a.port()),
            },
        })
        .collect();
    let loopback = Some(vec![MdnsInterface::Loopback]);
    let result = super::gui::run(
        runtime,
        default_connector(),
        listed,
        Some(broker),
        loopback,
        args.renderer,
    );
    runtime.block_on(async {
        for meter in meters {
            meter.shutdown().await;
        }
    });
    result
}
