//! `je08 report`: a commissioning report (PDF) for one meter or a batch:
//! identity, firmware, settings as found and as left, wiring-check verdicts
//! (and the fix with `--fix`), readings, and the MQTT check when a broker is
//! given (`--broker`) or configured on the meter (`--http-blocks`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use crate::commissioning::pdf;
use crate::commissioning::report::{InspectOptions, document, inspect};
use crate::commissioning::sampler::WindowOptions;
use crate::commissioning::wiring_check::WiringCheck;
use je08_client::endpoint::MeterAddress;
use je08_protocol::mqtt::BrokerUrl;
use je08_protocol::registers::label;

use super::batch::{AccessArgs, parse_meter_address};
use super::confirm::ask;
use super::lang::LangArg;
use super::mqtt::BrokerAccess;

/// Options of `je08 report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meters, HOST[:MODBUS_PORT][,http=HTTP_PORT].
    #[arg(value_name = "HOST", required = true, value_parser = parse_meter_address)]
    pub meters: Vec<MeterAddress>,
    /// The PDF file to write.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// Samples of the wiring check window.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub samples: usize,
    /// Time between samples, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub interval: u64,
    /// Apply the wiring check's register fix when it proposes one (asks
    /// first unless --yes); the report shows what changed.
    #[arg(long)]
    pub fix: bool,
    /// Do not ask before applying the fix.
    #[arg(long, requires = "fix")]
    pub yes: bool,
    /// Also read the HTTP blocks (connectivity, protocols): each meter
    /// reboots into configuration mode and back first, so its energy
    /// accumulators restart from zero.
    #[arg(long)]
    pub http_blocks: bool,
    /// MQTT check through this broker: mqtt://HOST[:PORT] or mqtts://…
    /// (else through the meter's own broker when --http-blocks finds one).
    #[arg(long, value_name = "URL")]
    pub broker: Option<BrokerUrl>,
    /// MQTT user name.
    #[arg(long, value_name = "USER")]
    pub mqtt_user: Option<String>,
    /// MQTT password (prefer the environment variable).
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "JE08_MQTT_PASSWORD",
        hide_env_values = true
    )]
    pub mqtt_password: Option<String>,
    /// CA certificate (PEM) of the broker (mqtts://).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM), for brokers that require one.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Client private key (PEM) of --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// How long to wait for each meter's INFO and DATA, in seconds.
    #[arg(long, value_name = "S", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub mqtt_wait_s: u64,
    /// Language of the PDF (`en` or `pt-BR`; English unless given, whatever the OS locale).
    #[arg(long, value_enum, value_name = "LANG", default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Deadlines and the interface password.
    #[command(flatten)]
    pub access: AccessArgs,
}

fn confirm_fix(yes: bool) -> impl Fn(&WiringCheck) -> bool + Send + Sync {
    move |check: &WiringCheck| {
        let list: Vec<String> = check
            .report
            .register_fix()
            .iter()
            .map(|(a, v)| format!("{} (register {a}) = {v}", label(*a)))
            .collect();
        let question = format!(
            "Write {} to meter {}, save it and check again?",
            list.join(", "),
            check.meter
        );
        match ask(
            &question,
            yes,
            &format!("refusing to change meter {}", check.meter),
        ) {
            Ok(answer) => answer,
            Err(e) => {
                eprintln!("{e}");
                false
            }
        }
    }
}

/// Check every meter and write the report.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cancel = super::interrupt::cancel_on_ctrl_c("the report");
    let mut options = InspectOptions::new(WindowOptions {
        samples: args.samples.max(1),
        interval: Duration::from_millis(args.interval.max(1)),
    });
    options.http_blocks = args.http_blocks;
    options.fix = args.fix;
    options.mqtt_deadline = Duration::from_secs(args.mqtt_wait_s);
    let login = BrokerAccess {
        user: args.mqtt_user.clone(),
        password: args.mqtt_password.clone(),
        ca: args.ca.clone(),
        cert: args.cert.clone(),
        key: args.key.clone(),
        client_id: None,
    };
    if let Some(broker) = &args.broker {
        options.broker = Some(login.link(broker.clone())?);
    } else if login.user.is_some() || login.ca.is_some() || login.cert.is_some() {
        // Credentials and TLS for the meters' own broker: the URL is set per meter.
        let stand_in = BrokerUrl {
            tls: login.ca.is_some(),
            host: "localhost".into(),
            port: 1883,
        };
        options.own_broker_link = Some(login.link(stand_in)?);
    }
    let names: Vec<String> = args.meters.iter().map(|m| m.http.to_string()).collect();
    let access = args.access.access(args.http_blocks, &names.join(", "))?;
    if args.http_blocks {
        eprintln!(
            "warning: each meter reboots into configuration mode and back to read its HTTP blocks; its kWh and kVArh accumulators restart from zero"
        );
    }
    let confirm = confirm_fix(args.yes);
    let mut reports = Vec::new();
    for meter in &args.meters {
        let report = inspect(meter, &access, &options, &confirm, &cancel).await;
        match &report {
            Ok(r) => eprintln!(
                "meter {}: wiring {}{}",
                r.meter,
                if r.fix
                    .as_ref()
                    .map_or(r.check.report.healthy, |f| f.after.report.healthy)
                {
                    "healthy"
                } else {
                    "NOT healthy"
                },
                r.mqtt
                    .as_ref()
                    .map_or_else(String::new, |m| format!(", MQTT {}", m.summary()))
            ),
            Err((meter, why)) => eprintln!("meter {meter}: NOT REACHED: {why}"),
        }
        reports.push(report);
    }
    pdf::write(&document(args.lang.tr(), &reports), &args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("report written to {}", args.out.display());
    let mqtt_ok = reports
        .iter()
        .flatten()
        .all(|r| r.mqtt.as_ref().is_none_or(|m| m.seen()));
    Ok(if reports.iter().all(Result::is_ok) && mqtt_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
