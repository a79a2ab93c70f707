//! `je08 sim`: serve virtual meters until Ctrl-C.
//!
//! Prints one JSON [`ReadyLine`](je08_sim::ReadyLine) per meter on stdout
//! when it is ready; logs go to stderr.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};

use je08_protocol::http_api::{Connectivity, Secret};
use je08_protocol::mode::Mode;
use je08_protocol::mqtt::{BrokerUrl, DEFAULT_PUBLISH_TOPIC, DEFAULT_SUBSCRIBE_TOPIC};
use je08_sim::broker::start_embedded_broker;
use je08_sim::mdns::MdnsAdvertiser;
use je08_sim::mqtt::SimMqttOptions;
use je08_sim::wifi::{Air, WifiNetwork};
use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};

use super::broker_login::{BrokerLoginArgs, setup_failed};

/// Options of `je08 sim`.
#[derive(clap::Args)]
#[command(mut_arg("broker", |a| a.help(
    "Publish over MQTT to this broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT]. The login \
     fills each meter's saved protocols block and certificate slots; MQTT runs in application \
     mode as that block says"
)))]
pub struct Args {
    /// Address to serve on [default: 127.0.0.1; with --count > 1, 127.0.0.2,
    /// 127.0.0.3, … one per meter].
    #[arg(long)]
    pub bind: Option<IpAddr>,
    /// Modbus TCP port (0 = any free port; 502 needs privileges). With
    /// --count and an explicit --bind, meter i uses port P+i.
    #[arg(long, default_value_t = 1502)]
    pub modbus_port: u16,
    /// Device id of the (first) meter; further meters get id+1, id+2, …
    #[arg(long, default_value_t = 1001)]
    pub id: u32,
    /// Noise seed [default: the device id].
    #[arg(long)]
    pub seed: Option<u64>,
    /// What is connected to the meter.
    #[arg(long, value_enum, default_value_t = Scenario::Balanced)]
    pub scenario: Scenario,
    /// Energy accumulates this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// How long a reboot keeps the meter offline, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    pub reboot_delay_ms: u64,
    /// Number of meters to serve.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=253))]
    pub count: u16,
    /// The broker the meters publish to (else the embedded broker, if any)
    /// and how they log in to it.
    #[command(flatten)]
    pub broker: BrokerLoginArgs,
    /// Publish topic; {id} is replaced by the device id.
    #[arg(long, value_name = "TOPIC", default_value = DEFAULT_PUBLISH_TOPIC)]
    pub publish_topic: String,
    /// Subscribe (command) topic; {id} is replaced by the device id.
    #[arg(long, value_name = "TOPIC", default_value = DEFAULT_SUBSCRIBE_TOPIC)]
    pub subscribe_topic: String,
    /// Seconds between DATA publications (1–3600).
    #[arg(long, value_name = "S", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub interval: u64,
    /// Run an MQTT broker in this process on 127.0.0.1:PORT (no PORT: a free
    /// one); the meters publish to it unless --broker names another broker.
    #[arg(long, value_name = "PORT", num_args = 0..=1, default_missing_value = "0")]
    pub embedded_broker: Option<u16>,
    /// HTTP API port (0 = any free port; 80 needs privileges). With --count
    /// and an explicit --bind, meter i uses port P+i.
    #[arg(long, default_value_t = 8080)]
    pub http_port: u16,
    /// espota UDP port (0 = any free port), numbered like --http-port.
    #[arg(long, default_value_t = 8266)]
    pub ota_port: u16,
    /// Serve the simulator control interface on 127.0.0.1:P (meter i on
    /// P+i; 0 = any free port). Not served when absent.
    #[arg(long, value_name = "P")]
    pub control_port: Option<u16>,
    /// Interface password of the meters [default: bintechnology].
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Mode the meters start in.
    #[arg(long, default_value = "application", value_parser = ["application", "configuration", "update"])]
    pub start_mode: String,
    /// Advertise the meters over mDNS (_http, _modbus, _arduino), on the
    /// loopback interface only; needs a loopback address (127.x.x.x).
    #[arg(long)]
    pub mdns: bool,
    /// Start with the factory network settings (spec §1): access point
    /// BIN_XXXX, factory interface password, configuration mode.
    #[arg(long, conflicts_with_all = ["password", "start_mode"])]
    pub factory: bool,
    /// Where the meter answers while it is an access point (it stands for
    /// 192.168.1.1 on the meter's own network) [default: --bind]. Models
    /// Wi-Fi, like --factory and --wifi: a station answers only on a
    /// network it can join. One meter only.
    #[arg(long, value_name = "IP")]
    pub ap_bind: Option<IpAddr>,
    /// A Wi-Fi network in the meter's range (repeatable): a meter set up
    /// as a station with this SSID and password joins it at boot and
    /// answers at IP, its DHCP lease. One meter only.
    #[arg(long, value_name = "SSID:PASSWORD@IP")]
    pub wifi: Vec<WifiNetwork>,
    /// Load every phase with this share of the fitted CTs' rating, in %
    /// (the scenario's currents otherwise).
    #[arg(long, value_name = "PERCENT")]
    pub load: Option<f64>,
}

impl std::fmt::Debug for Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Args")
            .field("bind", &self.bind)
            .field("modbus_port", &self.modbus_port)
            .field("http_port", &self.http_port)
            .field("ota_port", &self.ota_port)
            .field("control_port", &self.control_port)
            .field("id", &self.id)
            .field("count", &self.count)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("broker", &self.broker)
            .field("start_mode", &self.start_mode)
            .field("factory", &self.factory)
            .field("ap_bind", &self.ap_bind)
            .field("wifi", &self.wifi)
            .field("load", &self.load)
            .finish_non_exhaustive()
    }
}

/// Port `base` for meter `index`: `base + index` when the meters share one
/// address, `base` when each has its own; 0 stays 0 (any free port).
fn nth_port(base: u16, index: u16, shared_address: bool, what: &str) -> anyhow::Result<u16> {
    if base == 0 || !shared_address {
        return Ok(base);
    }
    base.checked_add(index)
        .with_context(|| format!("{what} port past 65535"))
}

/// The meters' MQTT settings, if MQTT is on: --broker, else the embedded
/// broker when there is one.
fn mqtt_options(args: &Args, embedded: Option<SocketAddr>) -> anyhow::Result<Option<SimMqttOptions>> {
    let url = match (&args.broker.broker, embedded) {
        (Some(url), _) => url.clone(),
        (None, Some(addr)) => BrokerUrl {
            tls: false,
            host: addr.ip().to_string(),
            port: addr.port(),
        },
        (None, None) => return Ok(None),
    };
    let login = args.broker.login_to(url).map_err(setup_failed)?;
    let mut options = SimMqttOptions::new(login);
    options.publish_topic = args.publish_topic.clone();
    options.subscribe_topic = args.subscribe_topic.clone();
    options.interval = Duration::from_secs(args.interval);
    Ok(Some(options))
}

/// The options of meter `index` (0-based) of the set described by `args`.
pub fn meter_options(args: &Args, index: u16) -> anyhow::Result<MeterOptions> {
    let id = args
        .id
        .checked_add(u32::from(index))
        .context("device id overflows")?;
    let mut options = MeterOptions::scenario(id, args.scenario);
    options.device.seed = args
        .seed
        .map_or(u64::from(id), |s| s.wrapping_add(u64::from(index)));
    options.device.model.time_scale = args.time_scale;
    options.device.reboot_delay = Duration::from_millis(args.reboot_delay_ms);
    options.device.start_mode = args.start_mode.parse().map_err(anyhow::Error::msg)?;
    if let Some(password) = &args.password {
        let secret = Some(Secret::new(password.clone()));
        options.device.network.interface_password = secret;
    }
    let shared = args.bind.is_some() || args.count == 1;
    options.http_port = Some(nth_port(args.http_port, index, shared, "HTTP")?);
    options.ota_port = Some(nth_port(args.ota_port, index, shared, "espota")?);
    options.control_port = args
        .control_port
        .map(|p| nth_port(p, index, true, "control"))
        .transpose()?;
    match args.bind {
        Some(ip) => {
            options.bind = ip;
            options.modbus_port = if args.modbus_port == 0 {
                0
            } else {
                args.modbus_port
                    .checked_add(index)
                    .context("Modbus port past 65535")?
            };
        }
        None if args.count == 1 => {
            options.bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
            options.modbus_port = args.modbus_port;
        }
        None => {
            let last = u8::try_from(index + 2).context("at most 253 meters")?;
            options.bind = IpAddr::V4(Ipv4Addr::new(127, 0, 0, last));
            options.modbus_port = args.modbus_port;
        }
    }
    if args.factory {
        options.device.network = Connectivity::factory(id);
        options.device.start_mode = Mode::Configuration;
    }
    if args.factory || args.ap_bind.is_some() || !args.wifi.is_empty() {
        options.wifi = Some(Air {
            ap: args.ap_bind.unwrap_or(options.bind),
            networks: args.wifi.clone(),
        });
    }
    if let Some(percent) = args.load {
        options.device.model.set_load_percent(percent);
    }
    Ok(options)
}

/// Check the flags `clap` cannot check alone.
fn check(args: &Args) -> anyhow::Result<()> {
    if !args.time_scale.is_finite() || args.time_scale < 0.0 {
        bail!("--time-scale must be a finite number ≥ 0");
    }
    if args.load.is_some_and(|p| !p.is_finite() || p < 0.0) {
        bail!("--load must be a finite percentage ≥ 0");
    }
    if args.count > 1 && (args.ap_bind.is_some() || !args.wifi.is_empty()) {
        bail!("--ap-bind and --wifi give one meter its addresses; use them without --count");
    }
    Ok(())
}

/// Run the simulator until Ctrl-C or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    check(&args)?;
    let embedded = match args.embedded_broker {
        Some(port) => Some(
            start_embedded_broker(port)
                .await
                .context("cannot start the embedded MQTT broker")?,
        ),
        None => None,
    };
    let mqtt = mqtt_options(&args, embedded)?;
    let mdns = if args.mdns {
        let given = [(args.bind, "--bind"), (args.ap_bind, "--ap-bind")]
            .into_iter()
            .chain(args.wifi.iter().map(|n| (Some(n.ip), "--wifi")));
        for (ip, flag) in given {
            if let Some(ip) = ip.filter(|ip| !ip.is_loopback() || ip.is_ipv6()) {
                bail!(
                    "--mdns advertises on the loopback interface only, so it needs a 127.x.x.x \
                     address; {ip} was given with {flag}"
                );
            }
        }
        Some(MdnsAdvertiser::loopback().context("cannot start mDNS advertising")?)
    } else {
        None
    };
    let mut meters: Vec<SimMeter> = Vec::with_capacity(usize::from(args.count));
    for index in 0..args.count {
        let mut options = meter_options(&args, index)?;
        options.mqtt = mqtt.clone();
        options.mdns = mdns.clone();
        let (ip, port) = (options.bind, options.modbus_port);
        let meter = spawn_meter(options).await.with_context(|| {
            format!("cannot serve meter on {ip} (Modbus port {port}, or its HTTP/espota/control port)")
        })?;
        let mut ready = meter.ready_line();
        ready.broker = embedded.map(|a| a.to_string());
        let line = serde_json::to_string(&ready)?;
        outln!("{line}")?;
        tracing::info!(id = meter.id(), modbus = %meter.modbus, http = ?meter.http, ota = ?meter.ota, "meter ready");
        meters.push(meter);
    }
    shutdown_signal().await?;
    for meter in meters {
        meter.shutdown().await;
    }
    if let Some(mdns) = mdns {
        mdns.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// Wait for Ctrl-C (or SIGTERM on Unix).
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("cannot wait for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
    Ok(())
}
