//! `je08 mqtt watch` and `je08 mqtt send`: meters seen through a broker.
//!
//! Connection behaviour (what a fleet operator expects from a long-running
//! watcher): network trouble — broker down, refused, timeout, connection
//! lost, a broker silent past the keep-alive, a message over 64 KiB that the
//! broker sends at every connection — is printed as ONE line on stderr each
//! time the error changes and retried with capped exponential backoff until
//! the broker is back ("connected" is printed on recovery). Errors only a configuration change
//! can fix — TLS trust or expiry, a rejected client certificate, bad
//! credentials, not authorized — are printed as one line and end the
//! command with exit status 2, so scripts and supervisors see them at once.
//! Each line is the library's sentence, followed by the flag to give or
//! check when one applies (see [`super::broker_login`]).

use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use je08_client::mqtt::{Monitor, MonitorEvent, MonitorOptions, SendError};
use je08_net::mqtt_link::{LinkError, LinkOptions};
use je08_protocol::mqtt::{
    Command, DEFAULT_DATA_FILTER, DEFAULT_PUBLISH_TOPIC, DEFAULT_SUBSCRIBE_TOPIC, ID_PLACEHOLDER,
};

use super::broker_login::{ClientArgs, advice, said};
use super::exit::Outcome;

/// Exit status for errors that need a configuration change (the broker
/// refused the login, a URL or file that cannot work): refused.
const EXIT_CONFIG: u8 = Outcome::Refused.code();

/// The `je08 mqtt` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Print every DATA and INFO packet seen on the broker until Ctrl-C.
    ///
    /// A broker that is down or drops the connection is reported in one line
    /// and retried with backoff; TLS, certificate and credential errors are
    /// reported in one line and end the command with exit status 5.
    #[command(
        after_help = "Examples:\n  je08 mqtt watch --broker mqtt://10.0.0.2\n  je08 mqtt watch --broker mqtts://10.0.0.2 --ca ca.pem --user op --json"
    )]
    Watch(WatchArgs),
    /// Send a command to one meter through the broker.
    #[command(
        after_help = "Examples:\n  je08 mqtt send --broker mqtt://10.0.0.2 --device 1001 get-info --wait\n  je08 mqtt send --broker mqtt://10.0.0.2 --device 1001 reset-kwh"
    )]
    Send(SendArgs),
}

/// Options of `je08 mqtt watch`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("broker", |a| a.required(true)))]
pub struct WatchArgs {
    /// Broker, credentials and client id.
    #[command(flatten)]
    pub broker: ClientArgs,
    /// Topic filter; the level matched by the first `+` is the meter id.
    #[arg(long, value_name = "FILTER", default_value = DEFAULT_DATA_FILTER)]
    pub topic: String,
    /// One JSON object per line (engineering units, as `je08 read --json`).
    #[arg(long)]
    pub json: bool,
}

/// Options of `je08 mqtt send`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("broker", |a| a.required(true)))]
pub struct SendArgs {
    /// Broker, credentials and client id.
    #[command(flatten)]
    pub broker: ClientArgs,
    /// The meter's id (as in its topics).
    #[arg(long, value_name = "ID")]
    pub device: String,
    /// get-info, get-data, reset-kwh or reset-kvarh.
    #[arg(value_name = "COMMAND")]
    pub command: Command,
    /// The meter's subscribe topic; {id} is replaced by --device.
    #[arg(long, value_name = "TOPIC", default_value = DEFAULT_SUBSCRIBE_TOPIC)]
    pub cmd_topic: String,
    /// The meter's publish topic, watched with --wait; {id} is replaced by --device.
    #[arg(long, value_name = "TOPIC", default_value = DEFAULT_PUBLISH_TOPIC)]
    pub data_topic: String,
    /// Wait for the meter's answer and print it as JSON (after a reset:
    /// request DATA and print it, showing the zeroed energy).
    #[arg(long)]
    pub wait: bool,
    /// Deadline in seconds for connecting, the broker's acknowledgement and --wait.
    #[arg(long, value_name = "S", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
}

/// Run `je08 mqtt …`.
pub async fn run(action: Action) -> anyhow::Result<ExitCode> {
    match action {
        Action::Watch(a) => watch(a).await,
        Action::Send(a) => send(a).await,
    }
}

/// The JSON line for a DATA or INFO event (None for other events).
pub fn event_json(event: &MonitorEvent) -> Option<serde_json::Value> {
    match event {
        MonitorEvent::Data { id, topic, sample } => {
            let mut line = json!({
                "time": sample.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "type": "data",
                "device": id,
                "topic": topic,
            });
            if let (Some(obj), Ok(serde_json::Value::Object(data))) =
                (line.as_object_mut(), serde_json::to_value(sample.data.as_ref()))
            {
                obj.extend(data);
            }
            Some(line)
        }
        MonitorEvent::Info { id, topic, at, info } => Some(json!({
            "time": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "type": "info",
            "device": id,
            "topic": topic,
            "info": info,
        })),
        _ => None,
    }
}

fn human_line(event: &MonitorEvent) -> Option<String> {
    match event {
        MonitorEvent::Data { id, sample, .. } => {
            let m = &sample.data.measurements;
            Some(format!(
                "{} meter {id}: V {:.0}/{:.0}/{:.0} V  I {:.1}/{:.1}/{:.1} A  P {:.1} kW  PF {:.3}  {:.2} Hz  {:.1} kWh  {:.1} kVArh  RSSI {} dBm",
                sample.at.format("%H:%M:%S"),
                m.voltage_v.a,
                m.voltage_v.b,
                m.voltage_v.c,
                m.current_a.a,
                m.current_a.b,
                m.current_a.c,
                m.active_power_kw.total,
                m.power_factor.total,
                m.frequency_hz,
                m.energy_kwh.total,
                m.energy_kvarh.total,
                sample.data.rssi_dbm,
            ))
        }
        MonitorEvent::Info { id, at, info, .. } => Some(format!(
            "{} meter {id}: INFO name \"{}\" ip {} mac {} {} {} firmware {}",
            at.format("%H:%M:%S"),
            info.name,
            info.ip,
            info.mac,
            info.devtype,
            info.subtype,
            info.version
        )),
        _ => None,
    }
}

/// Print a connection problem once per change; Some(exit) when it is fatal.
fn report_down(error: &LinkError, retry_in: Duration, last: &mut Option<LinkError>) -> Option<ExitCode> {
    if error.needs_configuration() {
        errln!("error: {}", said(error));
        return Some(ExitCode::from(EXIT_CONFIG));
    }
    if last.as_ref() != Some(error) {
        errln!(
            "warning: {}; retrying (next in {:.1} s)",
            said(error),
            retry_in.as_secs_f64()
        );
        *last = Some(error.clone());
    }
    None
}

/// The link options of `--broker`, or the exit status after printing why
/// they cannot work.
fn link(args: &ClientArgs) -> Result<LinkOptions, ExitCode> {
    match args.link() {
        Ok(Some(link)) => Ok(link),
        Ok(None) => {
            errln!("error: give the broker with --broker URL");
            Err(ExitCode::from(EXIT_CONFIG))
        }
        Err(e) => {
            errln!("error: {}", said(&e.into()));
            Err(ExitCode::from(EXIT_CONFIG))
        }
    }
}

async fn watch(args: WatchArgs) -> anyhow::Result<ExitCode> {
    let link = match link(&args.broker) {
        Ok(link) => link,
        Err(code) => return Ok(code),
    };
    let broker = link.broker().clone();
    let mut options = MonitorOptions::new(link);
    options.filter = Some(args.topic.clone());
    options.history = 1;
    let monitor = Monitor::start(options);
    let mut events = monitor.subscribe();
    let mut last_error: Option<LinkError> = None;
    let mut connected_once = false;
    // One Ctrl-C listener for the whole watch: one made afresh per event
    // could miss a press that came between two events.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let event = tokio::select! {
            _ = &mut ctrl_c => return Ok(Outcome::Interrupted.into()),
            event = events.recv() => event,
        };
        let event = match event {
            Ok(event) => event,
            Err(RecvError::Lagged(n)) => {
                errln!("warning: output too slow, {n} messages skipped");
                continue;
            }
            Err(RecvError::Closed) => return Ok(ExitCode::FAILURE),
        };
        match &event {
            MonitorEvent::Connected => {
                if last_error.take().is_some() || !connected_once {
                    errln!("connected to {broker} (watching {})", args.topic);
                }
                connected_once = true;
            }
            MonitorEvent::Down { error, retry_in } => {
                if let Some(code) = report_down(error, *retry_in, &mut last_error) {
                    return Ok(code);
                }
            }
            MonitorEvent::Malformed { id, topic, error } => {
                errln!(
                    "warning: meter {id} ({topic}) sent a malformed payload: {error} (further ones are only counted)"
                );
            }
            _ => {
                let line = if args.json {
                    event_json(&event).map(|v| v.to_string())
                } else {
                    human_line(&event)
                };
                if let Some(line) = line {
                    outln!("{line}")?;
                }
            }
        }
    }
}

async fn send(args: SendArgs) -> anyhow::Result<ExitCode> {
    let deadline = Duration::from_secs(args.timeout);
    let link = match link(&args.broker) {
        Ok(link) => link,
        Err(code) => return Ok(code),
    };
    let mut options = MonitorOptions::new(link);
    options.command_topic = args.cmd_topic.clone();
    options.filter = args.wait.then(|| args.data_topic.replace(ID_PLACEHOLDER, "+"));
    if args.wait && !args.data_topic.contains(ID_PLACEHOLDER) {
        options.filter = Some(args.data_topic.clone());
    }
    let monitor = Monitor::start(options);
    if let Err(e) = monitor.wait_connected(deadline).await {
        let cause = match &e {
            SendError::NotConnected(cause) => cause.as_ref(),
            _ => None,
        };
        match cause.and_then(advice) {
            Some(advice) => errln!("error: {e}; {advice}"),
            None => errln!("error: {e}"),
        }
        let fatal = cause.is_some_and(LinkError::needs_configuration);
        return Ok(if fatal {
            ExitCode::from(EXIT_CONFIG)
        } else {
            ExitCode::FAILURE
        });
    }
    let mut events = monitor.subscribe();
    // The --wait subscription was queued at ConnAck, before this publish: the
    // broker handles both in order, so it is in place when the meter answers.
    let topic = args.cmd_topic.replace(ID_PLACEHOLDER, &args.device);
    monitor.send(&args.device, args.command.clone(), deadline).await?;
    errln!(
        "sent {} to meter {} on {topic}; the broker acknowledged it",
        args.command,
        args.device
    );
    if !args.wait {
        return Ok(ExitCode::SUCCESS);
    }
    let want_info = args.command == Command::GetInfo;
    if matches!(args.command, Command::ResetKwh | Command::ResetKvarh) {
        monitor.send(&args.device, Command::GetData, deadline).await?;
    }
    let expected_id = if args.data_topic.contains(ID_PLACEHOLDER) {
        args.device.clone()
    } else {
        args.data_topic.clone()
    };
    let answer = tokio::time::timeout(deadline, async {
        loop {
            match events.recv().await {
                Ok(event @ MonitorEvent::Info { .. }) if want_info => {
                    if matches!(&event, MonitorEvent::Info { id, .. } if *id == expected_id) {
                        return Some(event);
                    }
                }
                Ok(event @ MonitorEvent::Data { .. }) if !want_info => {
                    if matches!(&event, MonitorEvent::Data { id, .. } if *id == expected_id) {
                        return Some(event);
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            }
        }
    })
    .await;
    match answer.ok().flatten().as_ref().and_then(event_json) {
        Some(line) => {
            outln!("{line}")?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            errln!(
                "error: meter {} did not answer on {} within {} s",
                args.device,
                args.data_topic.replace(ID_PLACEHOLDER, &args.device),
                args.timeout
            );
            Ok(Outcome::Unreachable.into())
        }
    }
}
