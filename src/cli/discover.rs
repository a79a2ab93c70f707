//! `je08 discover`: find meters by mDNS, range scans and typed addresses,
//! and print one row per meter.

use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use super::broker_login::{ClientArgs, said, setup_failed};
use super::progress::{Steps, Style};
use je08_client::discovery::manual::ProbeOptions;
use je08_client::discovery::mdns::MdnsInterface;
use je08_client::discovery::{DiscoverOptions, MeterEntry, discover};
use je08_client::endpoint::Endpoint;
use je08_client::mqtt::MonitorOptions;
use je08_client::store::meters::MeterStore;
use je08_protocol::discovery::{FACTORY_HELP, FACTORY_IP, MODBUS_PORT, ScanRange};
use je08_protocol::http_api::DEFAULT_HTTP_PORT;

/// Options of `je08 discover`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("broker", |a| a.help(
    "Also watch this MQTT broker (mqtt://HOST[:PORT] or mqtts://HOST[:PORT]) for --timeout \
     seconds: meters publishing DATA or INFO there are listed with source mqtt"
)))]
pub struct Args {
    /// Seconds to listen for mDNS adverts.
    #[arg(long, value_name = "S", default_value = "3", value_parser = parse_seconds)]
    pub timeout: Duration,
    /// Also scan an address range over Modbus, e.g. 192.168.0.0/24,
    /// 192.168.0.1-254 or 10.0.0.0/24:1502 (repeatable; at most 4096
    /// addresses each).
    #[arg(long = "scan", value_name = "RANGE[:PORT]")]
    pub scans: Vec<ScanRange>,
    /// Do not browse mDNS (e.g. where multicast does not cross the network).
    #[arg(long)]
    pub no_mdns: bool,
    /// Browse mDNS only on this interface: lo, a name like eth0, or an IP
    /// address (repeatable; default: every interface).
    #[arg(long = "mdns-interface", value_name = "NAME|IP")]
    pub mdns_interfaces: Vec<MdnsInterface>,
    /// Probe an address or host name typed by hand, over Modbus (port 502
    /// unless given) and HTTP (repeatable).
    #[arg(long = "probe", value_name = "HOST[:PORT]")]
    pub probes: Vec<String>,
    /// HTTP port used by --probe and --factory.
    #[arg(long, value_name = "PORT", default_value_t = DEFAULT_HTTP_PORT)]
    pub http_port: u16,
    /// Explain how to reach a meter in factory state, then probe 192.168.1.1.
    #[arg(long)]
    pub factory: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// A broker to watch too, how to log in to it and the client id.
    #[command(flatten)]
    pub broker: ClientArgs,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(0.0..=3600.0).contains(&seconds) {
        return Err(format!("{seconds} s is outside 0–3600 s"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// One printed row: what discovery found plus what the person remembered.
#[derive(Debug, Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    entry: &'a MeterEntry,
    remembered_name: Option<&'a str>,
    notes: Option<&'a str>,
}

/// Run one discovery and print the merged list.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.no_mdns && !args.mdns_interfaces.is_empty() {
        anyhow::bail!("--mdns-interface has no effect with --no-mdns; drop one of them");
    }
    let mut probes = Vec::new();
    for text in &args.probes {
        let endpoint = Endpoint::parse(text, MODBUS_PORT).map_err(anyhow::Error::msg)?;
        probes.push((endpoint.host, probe_options(endpoint.port, args.http_port)));
    }
    if args.factory {
        errln!("{FACTORY_HELP}\n");
        probes.push((FACTORY_IP.to_string(), probe_options(MODBUS_PORT, args.http_port)));
    }
    if args.no_mdns && args.scans.is_empty() && probes.is_empty() && args.broker.login.broker.is_none() {
        anyhow::bail!("nothing to do: with --no-mdns give --scan RANGE, --probe HOST or --broker URL");
    }
    let given = &args.broker;
    let logs_in = given.login.user.is_some() || given.login.ca.is_some() || given.login.cert.is_some();
    let mqtt = match given.link().map_err(setup_failed)? {
        Some(link) => Some(MonitorOptions::new(link)),
        None if logs_in || given.client_id.is_some() => {
            anyhow::bail!("--user, --ca, --cert, --key and --client-id need --broker URL")
        }
        None => None,
    };
    let options = DiscoverOptions {
        listen: args.timeout,
        mdns: (!args.no_mdns).then(|| args.mdns_interfaces.clone()),
        scans: args.scans.clone(),
        probes,
        mqtt,
        ..DiscoverOptions::default()
    };
    let mut progress = Steps::new(Style::detect(args.json));
    progress.step(&format!(
        "looking for meters for {} s ({})",
        options.listen.as_secs_f64(),
        sources(&options)
    ));
    let report = discover(&options).await;
    progress.finish();
    let report = report?;
    for err in &report.probe_errors {
        errln!("error: {err}");
    }
    if let Some(err) = &report.mqtt_error {
        errln!("warning: the MQTT broker was not reached: {}", said(err));
    }

    let store = open_store();
    let remembered = |id| store.as_ref().and_then(|s| s.get(id));
    let rows: Vec<Row> = report
        .list
        .entries()
        .map(|entry| Row {
            entry,
            remembered_name: remembered(entry.id).and_then(|m| m.name.as_deref()),
            notes: remembered(entry.id)
                .map(|m| m.notes.as_str())
                .filter(|n| !n.is_empty()),
        })
        .collect();
    for entry in report.list.entries().filter(|e| e.conflict) {
        errln!("warning: {}", conflict_warning(entry));
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?)?;
    } else {
        print_table(&rows)?;
    }
    if let Some(mut store) = store {
        let mut changed = false;
        for entry in report.list.entries().filter(|e| !e.conflict) {
            changed |= store.note_seen(
                entry.id,
                entry.current_ip,
                entry.ports.modbus,
                entry.ports.http,
                entry.last_seen,
            );
        }
        if changed && let Err(err) = store.save() {
            errln!("warning: {err}");
        }
    }
    Ok(if report.probe_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn probe_options(modbus_port: u16, http_port: u16) -> ProbeOptions {
    ProbeOptions {
        modbus_port,
        http_port,
        ..ProbeOptions::default()
    }
}

/// The remembered meters, or `None` (with a warning) if they cannot be read.
fn open_store() -> Option<MeterStore> {
    match MeterStore::open_default() {
        Ok((store, recovery)) => {
            if let Some(recovery) = recovery {
                errln!("warning: {recovery}");
            }
            Some(store)
        }
        Err(err) => {
            errln!("warning: {err}; remembered names are not shown");
            None
        }
    }
}

/// What a discovery looks through, for its progress line.
fn sources(options: &DiscoverOptions) -> String {
    let mut said = Vec::new();
    if options.mdns.is_some() {
        said.push("mDNS".to_owned());
    }
    said.extend(options.scans.iter().map(|r| format!("scan {r}")));
    if !options.probes.is_empty() {
        said.push(format!("{} address(es)", options.probes.len()));
    }
    if options.mqtt.is_some() {
        said.push("MQTT".to_owned());
    }
    said.join(", ")
}

fn print_table(rows: &[Row]) -> Result<(), super::output::OutputError> {
    if rows.is_empty() {
        errln!(
            "no meters found; try a longer --timeout, --scan with the meters' subnet, \
             --probe ADDRESS, or --factory for a meter in factory state"
        );
        return Ok(());
    }
    let cells: Vec<[String; 6]> = rows.iter().map(row_cells).collect();
    let header = ["ID", "NAME", "ADDRESSES", "MODE", "FW", "SOURCES"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&cells) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        outln!("{}", line.join("  ").trim_end())?;
    }
    Ok(())
}

/// Why a meter's row is marked: one id answering at several addresses.
fn conflict_warning(entry: &MeterEntry) -> String {
    let addresses: Vec<String> = entry.addresses.iter().map(|a| a.ip.to_string()).collect();
    format!(
        "meter {} is seen at {} at the same time: another device claims its id; \
         check which address is the meter before sending it a password, a configuration or firmware",
        entry.id,
        addresses.join(" and ")
    )
}

fn row_cells(row: &Row) -> [String; 6] {
    let entry = row.entry;
    let dash = || "-".to_owned();
    let name = match (row.remembered_name, entry.name.as_deref()) {
        (Some(mine), Some(device)) if mine != device => format!("{mine} ({device})"),
        (Some(name), _) | (None, Some(name)) => name.to_owned(),
        (None, None) => dash(),
    };
    let addresses: Vec<String> = entry.addresses.iter().map(|a| a.ip.to_string()).collect();
    let sources: Vec<&str> = entry.sources.keys().map(|s| s.as_str()).collect();
    [
        entry.id.to_string(),
        name,
        match (addresses.is_empty(), entry.conflict) {
            (true, _) => dash(),
            (false, false) => addresses.join(", "),
            (false, true) => format!("{} (CONFLICT)", addresses.join(", ")),
        },
        entry.mode.map_or_else(dash, |m| m.to_string()),
        entry.firmware.map_or_else(dash, |f| f.to_string()),
        sources.join(","),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_client::discovery::{DiscoveryList, Sighting, Source};
    use je08_client::store::meters::RememberedMeter;

    #[test]
    fn rows_show_remembered_and_device_names() {
        let mut list = DiscoveryList::default();
        list.apply(Sighting {
            ip: Some([10, 0, 0, 9].into()),
            name: Some("JE08-7".into()),
            ..Sighting::new(7, Source::Scan, chrono::Utc::now())
        });
        let entry = list.get(7).unwrap();
        let mut mine = RememberedMeter::new(7);
        mine.name = Some("Feeder 2".into());
        let row = Row {
            entry,
            remembered_name: mine.name.as_deref(),
            notes: None,
        };
        let cells = row_cells(&row);
        assert_eq!(cells[0], "7");
        assert_eq!(cells[1], "Feeder 2 (JE08-7)");
        assert_eq!(cells[2], "10.0.0.9");
        assert_eq!(cells[3], "-");
        assert_eq!(cells[5], "scan");
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(json["id"], 7);
        assert_eq!(json["remembered_name"], "Feeder 2");
        assert!(json["sources"]["scan"].is_string());
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_seconds("-1").is_err());
    }
}
