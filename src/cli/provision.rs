//! `je08 provision`: take one meter straight from the box onto the plant
//! network, with the steps of [`crate::commissioning::provision`] shown as
//! progress lines on stderr.

use std::io::IsTerminal as _;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::commissioning::profile::Profile;
use crate::commissioning::provision::{self, Addressing, Finder, Plan, ProvisionError, StaticIp, Step};
use crate::i18n::{Describe, Tr};

use super::exit::refused;
use super::progress::{Steps, Style};
use je08_client::discovery::mdns::MdnsInterface;
use je08_client::endpoint::Endpoint;
use je08_client::journal::Origin;
use je08_protocol::discovery::ScanRange;
use je08_protocol::http_api::Secret;

use super::web::parse_web_host;

/// How to find the meter on the plant network once it has joined.
#[derive(Debug, Clone)]
pub enum Find {
    /// mDNS browsing.
    Mdns,
    /// A Modbus scan of an address range.
    Scan(ScanRange),
}

fn parse_find(text: &str) -> Result<Find, String> {
    if text == "mdns" {
        return Ok(Find::Mdns);
    }
    match text.strip_prefix("scan:") {
        Some(range) => range
            .parse::<ScanRange>()
            .map(Find::Scan)
            .map_err(|e| e.to_string()),
        None => Err("expected mdns or scan:CIDR[:PORT]".to_owned()),
    }
}

/// Options of `je08 provision`.
#[derive(Clone, clap::Args)]
pub struct Args {
    /// The meter on its own access point, HOST or HOST:PORT (HTTP port 80).
    #[arg(value_name = "AP_HOST[:PORT]", value_parser = parse_web_host, default_value = "192.168.1.1")]
    pub ap: Endpoint,
    /// Network the meter joins.
    #[arg(long)]
    pub ssid: String,
    /// Its Wi-Fi password (else JE08_WIFI_PASSWORD, else a prompt).
    #[arg(long, env = "JE08_WIFI_PASSWORD", hide_env_values = true, value_name = "P")]
    pub wifi_password: Option<String>,
    /// A static address instead of DHCP, IP/PREFIX (with --gateway and --dns).
    #[arg(long = "static", value_name = "IP/PREFIX", 
          requires_all = ["gateway", "dns"])]
    pub static_ip: Option<StaticIp>,
    /// Default gateway of the static address.
    #[arg(long, value_name = "G", requires = "static_ip")]
    pub gateway: Option<Ipv4Addr>,
    /// DNS server of the static address.
    #[arg(long, value_name = "D", requires = "static_ip")]
    pub dns: Option<Ipv4Addr>,
    /// Device name (MQTT, mDNS); `{id}` is replaced by the device id; the
    /// factory name is kept without it.
    #[arg(long)]
    pub name: Option<String>,
    /// New interface password replacing the factory one (else JE08_NEW_PASSWORD, else a prompt).
    #[arg(long, env = "JE08_NEW_PASSWORD", hide_env_values = true, value_name = "P")]
    pub new_password: Option<String>,
    /// A profile (`je08 profile save`) applied once the meter has joined; its
    /// Wi-Fi settings give way to those given here.
    #[arg(long, value_name = "FILE.toml")]
    pub profile: Option<std::path::PathBuf>,
    /// How to find the meter on the plant network: mdns or scan:CIDR[:PORT].
    #[arg(long, value_name = "mdns|scan:CIDR[:PORT]", value_parser = parse_find, default_value = "mdns")]
    pub find: Find,
    /// Browse mDNS only on this interface (a name, an IP address, or lo); repeatable.
    #[arg(long = "mdns-interface", value_name = "IFACE")]
    pub mdns_interfaces: Vec<MdnsInterface>,
    /// How long to look for the meter on the plant network, in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub wait_s: u64,
    /// Deadline of each HTTP request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout: u64,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Do not ask before rebooting the meter.
    #[arg(long)]
    pub yes: bool,
}

impl std::fmt::Debug for Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Args")
            .field("ap", &self.ap)
            .field("ssid", &self.ssid)
            .field("static_ip", &self.static_ip)
            .field("name", &self.name)
            .field("find", &self.find)
            .finish_non_exhaustive()
    }
}

/// A secret from the flag (or its environment variable), else a prompt
/// without echo when stdin is a terminal.
fn secret(flag: Option<&str>, what: &str, flag_name: &str) -> anyhow::Result<Secret> {
    if let Some(p) = flag {
        return Ok(Secret::new(p));
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no {what}: give {flag_name}");
    }
    Ok(Secret::new(rpassword::prompt_password(format!("{what}: "))?))
}

impl Args {
    /// The plan these options describe, with the secrets given.
    fn plan(&self, wifi_password: Secret, new_password: Secret, profile: Option<Profile>) -> Plan {
        let addressing = match (self.static_ip, self.gateway, self.dns) {
            (Some(ip), Some(gateway), Some(dns)) => Addressing::Static { ip, gateway, dns },
            _ => Addressing::Dhcp,
        };
        let find = match &self.find {
            Find::Mdns => Finder {
                mdns: Some(self.mdns_interfaces.clone()),
                scan: None,
            },
            Find::Scan(range) => Finder {
                mdns: None,
                scan: Some(*range),
            },
        };
        Plan {
            ap: self.ap.clone(),
            ssid: self.ssid.clone(),
            wifi_password,
            addressing,
            name: self.name.clone(),
            new_password,
            profile,
            find,
            wait: Duration::from_secs(self.wait_s),
            http_timeout: Duration::from_millis(self.timeout),
            origin: Origin::Cli,
        }
    }
}

/// Run `je08 provision`.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let profile = args
        .profile
        .as_deref()
        .map(Profile::load)
        .transpose()
        .map_err(|e| ProvisionError::ProfileFile(Box::new(e)))?;
    let wifi_password = secret(args.wifi_password.as_deref(), "Wi-Fi password", "--wifi-password")?;
    let new_password = secret(
        args.new_password.as_deref(),
        "new interface password",
        "--new-password",
    )?;
    let mut plan = args.plan(wifi_password, new_password, profile);
    // A question and a spinner would share the terminal.
    let style = match Style::detect(args.json) {
        Style::Bars if !args.yes => Style::Lines,
        style => style,
    };
    let progress = std::sync::Mutex::new(Steps::new(style));
    let step = |text: &str| progress.lock().unwrap_or_else(|e| e.into_inner()).step(text);

    step(&format!("{} ({})", Step::Reach.describe(Tr::EN), args.ap));
    let info = provision::reach(&plan.ap, plan.http_timeout).await?;
    step(&format!(
        "found meter {} (firmware {}) in {} mode",
        info.id, info.esp_version, info.mode
    ));
    plan.name = plan.name.map(|n| provision::expand_name(&n, 1, info.id));
    let block = provision::connectivity(&plan, &info).map_err(refused)?;
    let question = format!(
        "write the Wi-Fi settings to meter {} and restart it on \"{}\" (its access point goes away)?",
        info.id, block.ssid
    );
    if !super::confirm::ask_to_change(&args.ap, &question, args.yes)? {
        errln!("nothing was changed");
        return Ok(ExitCode::FAILURE);
    }
    let addressing = match plan.addressing {
        Addressing::Dhcp => "DHCP".to_owned(),
        Addressing::Static { ip, .. } => format!("static {ip}"),
    };
    let on_step = |s: Step| match s {
        Step::WriteConnectivity => step(&format!(
            "{} (station on \"{}\", {addressing})",
            s.describe(Tr::EN),
            block.ssid
        )),
        Step::Find => step(&format!("{} ({})", s.describe(Tr::EN), plan.find.place())),
        _ => step(&s.describe(Tr::EN)),
    };
    let joined = provision::run_journaled(&plan, &info, &on_step, &CancellationToken::new()).await;
    progress.lock().unwrap_or_else(|e| e.into_inner()).finish();
    let joined = joined?;
    if args.json {
        let out = serde_json::json!({
            "id": joined.id,
            "address": joined.modbus.to_string(),
            "http": joined.http.to_string(),
            "wifi": "station",
            "result": "joined",
        });
        outln!("{out}")?;
    } else {
        outln!(
            "meter {} joined \"{}\" at {} (HTTP {})",
            joined.id,
            args.ssid,
            joined.modbus,
            joined.http
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_is_mdns_or_a_scan() {
        assert!(matches!(parse_find("mdns"), Ok(Find::Mdns)));
        let Ok(Find::Scan(range)) = parse_find("scan:10.0.0.0/30:1502") else {
            panic!("a scan");
        };
        assert_eq!(range.port, 1502);
        assert!(parse_find("10.0.0.0/24").is_err());
        assert!(parse_find("scan:nonsense").is_err());
    }
}
