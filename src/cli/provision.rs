//! `je08 provision`: take one meter straight from the box onto the plant
//! network. Reach it on its own access point, write the connectivity block
//! (station, SSID, Wi-Fi password, DHCP or static, name, a new interface
//! password), reboot it into application mode, then find the same device id
//! on the plant network and confirm it over Modbus.

use std::io::IsTerminal as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use je08_client::endpoint::MeterAddress;
use je08_client::modbus::ClientConfig;
use tokio_util::sync::CancellationToken;

use crate::commissioning::profile::{Access, ApplyStatus, Profile, apply};
use je08_client::discovery::mdns::{MdnsBrowser, MdnsInterface};
use je08_client::discovery::scan::{ScanOptions, probe_modbus, probe_range};
use je08_client::endpoint::Endpoint;
use je08_client::http::MeterHttp;
use je08_protocol::discovery::ScanRange;
use je08_protocol::http_api::{Connectivity, FACTORY_PASSWORD, Mode, Secret, WifiMode};
use je08_protocol::readings::WifiMode as RegisterWifiMode;

use super::web::parse_web_host;

/// What the meter's LED shows when it could not join, and how to recover.
pub const NOT_JOINED: &str = "the meter's LED now blinks three times: it could not join the network \
(check the SSID and the Wi-Fi password); to recover, hold its button until the LED lights again \
(over 20 s), join its Wi-Fi BIN_XXXX again and run provision once more";

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

/// A static address with its prefix length.
#[derive(Debug, Clone, Copy)]
pub struct StaticIp {
    ip: Ipv4Addr,
    prefix: u8,
}

fn parse_static(text: &str) -> Result<StaticIp, String> {
    let (ip, prefix) = text
        .split_once('/')
        .ok_or_else(|| "expected IP/PREFIX, e.g. 192.168.0.50/24".to_owned())?;
    let ip = ip.parse::<Ipv4Addr>().map_err(|e| format!("{ip}: {e}"))?;
    let prefix = prefix
        .parse::<u8>()
        .ok()
        .filter(|p| (1..=32).contains(p))
        .ok_or_else(|| format!("{prefix}: the prefix is 1 to 32"))?;
    Ok(StaticIp { ip, prefix })
}

fn netmask(prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0))
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
    #[arg(long = "static", value_name = "IP/PREFIX", value_parser = parse_static,
          requires_all = ["gateway", "dns"])]
    pub static_ip: Option<StaticIp>,
    /// Default gateway of the static address.
    #[arg(long, value_name = "G", requires = "static_ip")]
    pub gateway: Option<Ipv4Addr>,
    /// DNS server of the static address.
    #[arg(long, value_name = "D", requires = "static_ip")]
    pub dns: Option<Ipv4Addr>,
    /// Device name (MQTT, mDNS); the factory name is kept without it.
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

/// One progress line on stderr.
fn step(text: &str) {
    errln!("provision: {text}");
}

/// Run `je08 provision`.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let profile = args.profile.as_deref().map(Profile::load).transpose()?;
    let wifi_password = secret(args.wifi_password.as_deref(), "Wi-Fi password", "--wifi-password")?;
    let new_password = secret(
        args.new_password.as_deref(),
        "new interface password",
        "--new-password",
    )?;
    let timeout = Duration::from_millis(args.timeout);
    let http = MeterHttp::new(&args.ap.host, args.ap.port, Some(Secret::new(FACTORY_PASSWORD)))
        .with_timeout(timeout);

    step(&format!("reaching the meter at {}", args.ap));
    let info = http.info().await?;
    step(&format!(
        "found meter {} (firmware {}) in {} mode",
        info.id, info.esp_version, info.mode
    ));
    if info.mode != Mode::Configuration {
        step("entering configuration mode");
        http.switch_mode(Mode::Configuration, Duration::from_secs(60))
            .await?;
    }

    let mut block = Connectivity::factory(info.id);
    block.wifi_mode = WifiMode::St;
    block.ssid = args.ssid.clone();
    block.password = Some(wifi_password);
    block.interface_password = Some(new_password);
    if let Some(name) = &args.name {
        block.device_name = name.clone();
    } else if !info.name.is_empty() {
        block.device_name = info.name.clone();
    }
    match (args.static_ip, args.gateway, args.dns) {
        (Some(s), Some(gateway), Some(dns)) => {
            block.dhcp = false;
            block.ip = s.ip.to_string();
            block.netmask = netmask(s.prefix).to_string();
            block.gateway = gateway.to_string();
            block.dns = dns.to_string();
        }
        _ => block.dhcp = true,
    }
    if let Err(errors) = block.validate() {
        anyhow::bail!("the connectivity settings are not valid, nothing was sent: {errors}");
    }
    let question = format!(
        "write the Wi-Fi settings to meter {} and restart it on \"{}\" (its access point goes away)?",
        info.id, block.ssid
    );
    if !super::confirm::ask_to_change(&args.ap, &question, args.yes)? {
        errln!("nothing was changed");
        return Ok(ExitCode::FAILURE);
    }
    step(&format!(
        "writing the connectivity block (station on \"{}\", {})",
        block.ssid,
        if block.dhcp {
            "DHCP".to_owned()
        } else {
            format!("static {}", block.ip)
        }
    ));
    http.set_connectivity(&block).await?;

    step("rebooting into application mode");
    http.request_mode(Mode::Application).await?;

    let deadline = Instant::now() + Duration::from_secs(args.wait_s);
    let (found, place) = match args.find {
        Find::Scan(range) => {
            step(&format!("looking for meter {} on {range}", info.id));
            (find_by_scan(range, info.id, deadline).await, range.to_string())
        }
        Find::Mdns => {
            step(&format!("looking for meter {} by mDNS", info.id));
            let found = find_by_mdns(&args.mdns_interfaces, info.id, deadline).await?;
            (found, "mDNS".to_owned())
        }
    };
    let Some(addr) = found else {
        anyhow::bail!(
            "meter {} did not appear on {place} within {} s; {NOT_JOINED}",
            info.id,
            args.wait_s
        );
    };
    let identity = probe_modbus(addr, Duration::from_secs(5)).await?;
    if identity.id != info.id || identity.wifi_mode != RegisterWifiMode::Station {
        anyhow::bail!(
            "the meter at {addr} is id {} in Wi-Fi mode {:?}, not meter {} in station mode",
            identity.id,
            identity.wifi_mode,
            info.id
        );
    }
    let http_addr = SocketAddr::new(addr.ip(), args.ap.port);
    step(&format!(
        "meter {} joined \"{}\": Modbus {addr}, HTTP {http_addr}",
        info.id, args.ssid
    ));
    if let Some(mut profile) = profile {
        if let Some(http) = &mut profile.http {
            let c = &mut http.connectivity;
            c.wifi_mode = block.wifi_mode;
            c.ssid = block.ssid.clone();
            c.dhcp = block.dhcp;
            c.netmask = block.netmask.clone();
            c.gateway = block.gateway.clone();
            c.dns = block.dns.clone();
            if args.name.is_some() {
                c.device_name = Some(block.device_name.clone());
            }
        }
        step(&format!("applying the profile ({})", profile.kind()));
        let meter = MeterAddress::new(&addr.ip().to_string(), addr.port(), args.ap.port);
        let access = Access {
            modbus: ClientConfig::default(),
            password: block.interface_password.clone(),
            http_timeout: timeout,
            ..Access::default()
        };
        let results = apply(
            &profile,
            &[meter],
            false,
            &access,
            &|_, _| {},
            &CancellationToken::new(),
        )
        .await;
        if let Some(failed) = results
            .iter()
            .find(|r| !matches!(r.status, ApplyStatus::Ok | ApplyStatus::Changed))
        {
            let why = failed
                .reason
                .as_ref()
                .map_or_else(|| format!("{:?}", failed.status), ToString::to_string);
            anyhow::bail!(
                "meter {} joined at {addr}, but the profile was not applied: {why}",
                info.id
            );
        }
    }
    if args.json {
        let out = serde_json::json!({
            "id": info.id,
            "address": addr.to_string(),
            "http": http_addr.to_string(),
            "wifi": "station",
            "result": "joined",
        });
        outln!("{out}")?;
    } else {
        outln!(
            "meter {} joined \"{}\" at {addr} (HTTP {http_addr})",
            info.id,
            args.ssid
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Scan `range` again and again until meter `id` answers there or `deadline` passes.
async fn find_by_scan(range: ScanRange, id: u32, deadline: Instant) -> Option<SocketAddr> {
    let options = ScanOptions::default();
    while Instant::now() < deadline {
        let mut probes = std::pin::pin!(probe_range(range, options));
        while let Some(found) = probes.next().await {
            if let Some(sighting) = found.filter(|s| s.id == id)
                && let (Some(ip), Some(port)) = (sighting.ip, sighting.ports.modbus)
            {
                return Some(SocketAddr::new(ip, port));
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    None
}

/// Browse mDNS until meter `id` is advertised in application mode with a
/// Modbus port, or `deadline` passes.
async fn find_by_mdns(
    interfaces: &[MdnsInterface],
    id: u32,
    deadline: Instant,
) -> anyhow::Result<Option<SocketAddr>> {
    let (sink, mut sightings) = tokio::sync::mpsc::channel(256);
    let _browser = MdnsBrowser::start(interfaces, sink)?;
    let wait = async {
        while let Some(sighting) = sightings.recv().await {
            if sighting.id == id
                && sighting.mode == Some(Mode::Application)
                && let (Some(ip), Some(port)) = (sighting.ip, sighting.ports.modbus)
            {
                return Some(SocketAddr::new(ip, port));
            }
        }
        None
    };
    Ok(tokio::time::timeout_at(deadline.into(), wait)
        .await
        .ok()
        .flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_addresses_parse_with_their_netmask() {
        let s = parse_static("192.168.0.50/24").unwrap();
        assert_eq!(
            (s.ip, netmask(s.prefix)),
            (Ipv4Addr::new(192, 168, 0, 50), Ipv4Addr::new(255, 255, 255, 0))
        );
        assert_eq!(netmask(32), Ipv4Addr::new(255, 255, 255, 255));
        assert_eq!(netmask(8), Ipv4Addr::new(255, 0, 0, 0));
        for bad in ["192.168.0.50", "192.168.0.50/0", "192.168.0.50/33", "nope/24"] {
            assert!(parse_static(bad).is_err(), "{bad}");
        }
    }

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
