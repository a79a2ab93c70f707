//! Discovery in the window: discovery's merged entries folded into the
//! meters list (one row per device id), the mode from the best source, the
//! "Find meters" panel (mDNS state, range scan with progress and cancel).
//!
//! Sessions: a discovered row gets a Modbus session only when the user
//! selects or adds it, never automatically, so a plant with dozens of meters
//! does not get dozens of connections.

use std::net::{IpAddr, SocketAddr};
use std::time::SystemTime;

use eframe::egui;

use super::app::Action;
use super::model::{MeterEntry, Mode, Model, Source};
use crate::backend::discovery::{MdnsStatus, Request, Update};
use crate::backend::{Command, JobId, JobOutcome, LinkState, MeterKey};
use crate::i18n::{Msg, Tr};
use je08_client::discovery::{self as registry, mdns::MdnsInterface};
use je08_protocol::discovery::ScanRange;
use je08_protocol::http_api::{self, DEFAULT_HTTP_PORT, Info};
use je08_protocol::mode::Mode as DeviceMode;
use je08_protocol::readings::WifiMode;

/// What `/api/info` said when probed.
#[derive(Debug, Clone, PartialEq)]
pub struct Probed {
    /// Operating mode.
    pub mode: Mode,
    /// Wi-Fi role, for the LED mirror.
    pub wifi: WifiMode,
    /// ESP firmware version as reported.
    pub esp_version: String,
    /// STM32 firmware version as reported.
    pub stm32_version: String,
}

/// What discovery and probes tell about one row.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Discovery's merged entry for this meter, latest.
    pub entry: Option<registry::MeterEntry>,
    /// The latest `/api/info` probe: when, and its answer or why none came.
    pub probe: Option<(SystemTime, Result<Probed, String>)>,
}

impl Found {
    /// The device's own name, as a discovery source reported it.
    pub fn device_name(&self) -> Option<&str> {
        self.entry.as_ref().and_then(|e| e.name.as_deref())
    }

    /// Latest mode with its time, from discovery (when not stale) or the
    /// probe, whichever is newer; `Some((t, None))` when the newest word is
    /// "unreachable".
    fn latest(&self) -> Option<(SystemTime, Option<Mode>)> {
        let discovered = self
            .entry
            .as_ref()
            .filter(|e| !e.stale)
            .and_then(|e| e.mode.map(|m| (SystemTime::from(e.last_seen), Some(ui_mode(m)))));
        let probed = self
            .probe
            .as_ref()
            .map(|(at, result)| (*at, result.as_ref().ok().map(|p| p.mode)));
        match (discovered, probed) {
            (Some(d), Some(p)) => Some(if p.0 >= d.0 { p } else { d }),
            (d, p) => d.or(p),
        }
    }
}

/// The mode from the best source: a Modbus session answering now means
/// application mode; otherwise the newest of discovery (mDNS TXT `mode=`,
/// MQTT, scans) and the `/api/info` probe.
pub fn mode(meter: &MeterEntry) -> Option<Mode> {
    if meter.link == LinkState::Online {
        return Some(Mode::Application);
    }
    meter.found.latest().and_then(|(_, mode)| mode)
}

/// True when the newest word about the meter is a failed `/api/info` probe
/// (Modbus and HTTP both silent): it is unreachable, not in another mode.
pub fn unreachable(meter: &MeterEntry) -> bool {
    meter.link != LinkState::Online && matches!(meter.found.latest(), Some((_, None)))
}

/// True when no source has seen the meter for a while and no session reads it.
pub fn stale(meter: &MeterEntry) -> bool {
    meter.link != LinkState::Online && meter.found.entry.as_ref().is_some_and(|e| e.stale)
}

/// The Wi-Fi role for the LED mirror: from the last reading, else from `/api/info`.
pub fn wifi(meter: &MeterEntry) -> Option<WifiMode> {
    meter.latest.as_ref().map(|s| s.device.wifi_mode).or_else(|| {
        meter
            .found
            .probe
            .as_ref()
            .and_then(|(_, r)| r.as_ref().ok().map(|p| p.wifi))
    })
}

/// Firmware text: from the last reading, else `/api/info`, else discovery.
pub fn firmware(meter: &MeterEntry) -> Option<String> {
    if let Some(s) = &meter.latest {
        return Some(format!(
            "ESP {} · STM32 {}",
            s.device.esp_version, s.device.stm32_version
        ));
    }
    if let Some((_, Ok(p))) = &meter.found.probe {
        return Some(format!("ESP {} · STM32 {}", p.esp_version, p.stm32_version));
    }
    let entry = meter.found.entry.as_ref()?;
    entry.firmware.map(|v| format!("ESP {v}"))
}

/// Every address discovery saw the meter at, latest first.
pub fn addresses(meter: &MeterEntry) -> Vec<IpAddr> {
    meter
        .found
        .entry
        .as_ref()
        .map(|e| e.addresses.iter().map(|a| a.ip).collect())
        .unwrap_or_default()
}

fn ui_mode(mode: DeviceMode) -> Mode {
    match mode {
        DeviceMode::Application => Mode::Application,
        DeviceMode::Configuration => Mode::Configuration,
        DeviceMode::Update => Mode::Update,
    }
}

fn ui_source(source: registry::Source) -> Source {
    match source {
        registry::Source::Mdns => Source::Mdns,
        registry::Source::Scan => Source::Scan,
        registry::Source::Mqtt => Source::Mqtt,
        registry::Source::Manual => Source::Manual,
    }
}

/// The Modbus address discovery knows for `entry` (`ip:port`).
fn modbus_address(entry: &registry::MeterEntry) -> Option<SocketAddr> {
    Some(SocketAddr::new(entry.current_ip?, entry.ports.modbus?))
}

/// What to show as the address of a row made from `entry`.
fn shown_address(entry: &registry::MeterEntry) -> String {
    match (modbus_address(entry), entry.current_ip, &entry.host) {
        (Some(addr), _, _) => addr.to_string(),
        (None, Some(ip), _) => ip.to_string(),
        (None, None, Some(host)) => host.trim_end_matches('.').to_owned(),
        (None, None, None) => String::new(),
    }
}

/// The row `entry` belongs to: the same device id, else a row whose
/// Modbus address is the one discovery saw.
fn row_for(model: &Model, entry: &registry::MeterEntry) -> Option<MeterKey> {
    if let Some(m) = model.meters.iter().find(|m| m.device_id == Some(entry.id)) {
        return Some(m.key);
    }
    let addr = modbus_address(entry)?;
    model
        .meters
        .iter()
        .find(|m| m.device_id.is_none() && m.address.parse::<SocketAddr>().ok() == Some(addr))
        .map(|m| m.key)
}

/// Fold changed entries into the rows: a known meter gains the sources and
/// facts, an unknown one becomes a new row without a session. Returns the
/// commands worth sending: `/api/info` probes (a meter newly seen in
/// configuration or update mode, whose Wi-Fi role the LED needs) and a
/// reconnect when a meter whose session is not online now answers at
/// another Modbus address.
pub fn merge(model: &mut Model, entries: Vec<registry::MeterEntry>) -> Vec<Command> {
    let mut probes = Vec::new();
    for entry in entries {
        let key = match row_for(model, &entry) {
            Some(key) => key,
            None => {
                let key = model.new_key();
                let source = entry
                    .sources
                    .keys()
                    .next()
                    .map_or(Source::Scan, |s| ui_source(*s));
                model
                    .meters
                    .push(MeterEntry::new(key, shown_address(&entry), String::new(), source));
                key
            }
        };
        let Some(row) = model.meter_mut(key) else {
            continue;
        };
        let before = row.found.entry.as_ref().and_then(|e| e.mode);
        row.device_id = Some(entry.id);
        row.sources.extend(entry.sources.keys().map(|s| ui_source(*s)));
        if row.address.is_empty() || (!row.session && modbus_address(&entry).is_some()) {
            row.address = shown_address(&entry);
        } else if let (true, Some(now), Ok(before)) = (
            row.session,
            modbus_address(&entry),
            row.address.parse::<SocketAddr>(),
        ) && now != before
            && row.link != LinkState::Online
        {
            // The meter moved (a new DHCP lease) while its session could not
            // reach the old address: follow it.
            row.address = now.to_string();
            probes.push(Command::Connect {
                meter: key,
                address: row.address.clone(),
            });
        }
        let seen = SystemTime::from(entry.last_seen);
        row.last_seen = Some(row.last_seen.map_or(seen, |t| t.max(seen)));
        let newly_not_app = entry.mode.is_some_and(|m| m != DeviceMode::Application) && before != entry.mode;
        if newly_not_app
            && !entry.stale
            && let Some(probe) = info_probe(key, &entry)
        {
            probes.push(probe);
        }
        row.found.entry = Some(entry);
    }
    probes
}

/// A reading told the device id of `key`: a session-less row discovery
/// made for the same meter (before the id was known) is folded into it.
/// Returns the row removed, if any.
pub fn absorb_duplicate(model: &mut Model, key: MeterKey) -> Option<MeterKey> {
    let id = model.meter(key)?.device_id?;
    let index = model
        .meters
        .iter()
        .position(|m| m.key != key && !m.session && m.device_id == Some(id))?;
    let twin = model.meters.remove(index);
    let row = model.meter_mut(key)?;
    row.sources.extend(twin.sources);
    if row.found.entry.is_none() {
        row.found = twin.found;
    }
    if row.name.is_empty() {
        (row.name, row.notes) = (twin.name, twin.notes);
    }
    Some(twin.key)
}

fn info_probe(meter: MeterKey, entry: &registry::MeterEntry) -> Option<Command> {
    Some(Command::Discovery(Request::ProbeInfo {
        meter,
        host: entry.current_ip?.to_string(),
        port: entry.ports.http?,
    }))
}

/// The probe to send when the Modbus session of `meter` goes offline: its
/// HTTP API tells "in configuration (or update) mode" from "unreachable".
pub fn offline_probe(meter: &MeterEntry) -> Option<Command> {
    let entry = meter.found.entry.as_ref();
    let host = match entry.and_then(|e| e.current_ip) {
        Some(ip) => ip.to_string(),
        None => {
            je08_client::endpoint::Endpoint::parse(&meter.address, 0)
                .ok()?
                .host
        }
    };
    let port = entry.and_then(|e| e.ports.http).unwrap_or(DEFAULT_HTTP_PORT);
    Some(Command::Discovery(Request::ProbeInfo {
        meter: meter.key,
        host,
        port,
    }))
}

/// Take an `/api/info` answer: it is only the meter's word when the id
/// matches (or the row's id is not known yet).
pub fn probed(model: &mut Model, meter: MeterKey, at: SystemTime, result: Result<Box<Info>, String>) {
    let Some(row) = model.meter_mut(meter) else {
        return;
    };
    let result = match result {
        Ok(info) if row.device_id.is_some_and(|id| id != info.id) => Err(format!(
            "the HTTP API answers for meter {}, not {}",
            info.id,
            row.device_id.unwrap_or_default()
        )),
        Ok(info) => {
            row.device_id = Some(info.id);
            Ok(Probed {
                mode: ui_mode(info.mode),
                wifi: match (info.wifi.mode, info.wifi.state) {
                    (http_api::WifiMode::Ap, _) => WifiMode::AccessPoint,
                    (http_api::WifiMode::St, http_api::WifiState::Connected) => WifiMode::Station,
                    (http_api::WifiMode::St, _) => WifiMode::Unknown(0),
                },
                esp_version: info.esp_version,
                stm32_version: info.stm32_version,
            })
        }
        Err(why) => Err(why),
    };
    if result.is_ok() {
        row.last_seen = Some(row.last_seen.map_or(at, |t| t.max(at)));
    }
    row.found.probe = Some((at, result));
}

/// Where selecting a row without a session connects: a meter discovery
/// saw with a Modbus port, not known to be in another mode.
pub fn connect_target(meter: &MeterEntry) -> Option<String> {
    if meter.session || matches!(mode(meter), Some(Mode::Configuration | Mode::Update)) {
        return None;
    }
    modbus_address(meter.found.entry.as_ref()?).map(|a| a.to_string())
}

/// The "Find meters" panel's state.
#[derive(Debug, Default)]
pub struct DiscoveryState {
    /// The range typed for a scan.
    pub range: String,
    /// The running or last scan: job and progress.
    pub scan: Option<ScanView>,
    /// Why the typed range was refused.
    pub range_error: Option<String>,
    /// mDNS browsing state.
    pub mdns: Option<MdnsStatus>,
}

/// A scan as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanView {
    /// The job.
    pub job: JobId,
    /// The range, as parsed.
    pub range: String,
    /// Addresses probed.
    pub probed: u64,
    /// Addresses in the range.
    pub total: u64,
    /// JE08s found.
    pub found: u64,
    /// How it ended, once it has.
    pub outcome: Option<JobOutcome>,
}

impl DiscoveryState {
    /// Parse the typed range and make the scan command (or show why not).
    pub fn start_scan(&mut self, job: JobId) -> Option<Command> {
        match self.range.parse::<ScanRange>() {
            Ok(range) => {
                self.range_error = None;
                self.scan = Some(ScanView {
                    job,
                    range: range.to_string(),
                    probed: 0,
                    total: range.host_count(),
                    found: 0,
                    outcome: None,
                });
                Some(Command::Discovery(Request::Scan { job, range }))
            }
            Err(err) => {
                self.range_error = Some(err.to_string());
                None
            }
        }
    }

    /// Take a discovery update meant for the panel; false when it was not.
    pub fn update(&mut self, update: &Update) -> bool {
        match update {
            Update::Mdns(status) => self.mdns = Some(status.clone()),
            Update::Scanned {
                job,
                probed,
                total,
                found,
            } => {
                if let Some(scan) = self.scan.as_mut().filter(|s| s.job == *job) {
                    (scan.probed, scan.total, scan.found) = (*probed, *total, *found);
                }
            }
            _ => return false,
        }
        true
    }

    /// A job ended; record it if it is the scan.
    pub fn finished(&mut self, job: JobId, outcome: &JobOutcome) {
        if let Some(scan) = self.scan.as_mut().filter(|s| s.job == job) {
            scan.outcome = Some(outcome.clone());
        }
    }
}

/// The "Find meters" panel: mDNS state, a range to scan, progress and cancel.
pub fn find_ui(ui: &mut egui::Ui, tr: Tr, state: &mut DiscoveryState, actions: &mut Vec<Action>) {
    egui::CollapsingHeader::new(tr.t(Msg::FindMeters))
        .default_open(true)
        .show(ui, |ui| {
            match &state.mdns {
                Some(MdnsStatus::Browsing(interfaces)) if interfaces.is_empty() => {
                    ui.weak(tr.t(Msg::MdnsAllInterfaces))
                }
                Some(MdnsStatus::Browsing(interfaces)) => {
                    let names: Vec<String> = interfaces.iter().map(MdnsInterface::to_string).collect();
                    ui.weak(tr.f(Msg::MdnsOn, &[&names.join(", ")]))
                }
                Some(MdnsStatus::Failed(why)) => {
                    ui.colored_label(ui.visuals().warn_fg_color, tr.f(Msg::MdnsFailed, &[why]))
                }
                Some(MdnsStatus::Off) | None => ui.weak(tr.t(Msg::MdnsOff)),
            };
            let running = state.scan.as_ref().is_some_and(|s| s.outcome.is_none());
            // Button first, right to left, so the field takes exactly the
            // width left (see the address row of the meters list).
            ui.horizontal(|ui| {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let mut scan = false;
                    if running {
                        if let Some(job) = state.scan.as_ref().map(|s| s.job)
                            && ui.button(tr.t(Msg::Cancel)).clicked()
                        {
                            actions.push(Action::Cancel(job));
                        }
                    } else {
                        scan = ui.button(tr.t(Msg::Scan)).clicked();
                    }
                    let field = egui::TextEdit::singleline(&mut state.range)
                        .hint_text(tr.t(Msg::ScanRangeHint))
                        .desired_width(ui.available_width());
                    let response = ui
                        .add_enabled(!running, field)
                        .accessible_name(tr.t(Msg::ScanRange));
                    let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if scan || (enter && !running) {
                        actions.push(Action::Scan);
                    }
                });
            });
            if let Some(why) = &state.range_error {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
            if let Some(scan) = &state.scan {
                let fraction = if scan.total == 0 {
                    1.0
                } else {
                    scan.probed as f32 / scan.total as f32
                };
                let counts = [
                    scan.range.as_str(),
                    &scan.probed.to_string(),
                    &scan.total.to_string(),
                    &scan.found.to_string(),
                ];
                let text = match &scan.outcome {
                    None => tr.f(Msg::ScanProgress, &counts),
                    Some(JobOutcome::Cancelled) => tr.f(Msg::ScanCancelled, &counts),
                    Some(JobOutcome::Failed(why)) => why.clone(),
                    Some(_) => tr.f(Msg::ScanDone, &counts),
                };
                ui.add(egui::ProgressBar::new(fraction).text(text));
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::link::{Cause, LinkError};
    use chrono::Utc;

    fn refused() -> LinkState {
        LinkState::Offline(LinkError::Modbus {
            meter: "127.0.0.1:502".into(),
            cause: Cause::Refused,
            stage: None,
        })
    }

    fn entry(id: u32, mode: DeviceMode, ports: registry::Ports) -> registry::MeterEntry {
        let mut list = registry::DiscoveryList::default();
        list.apply(registry::Sighting {
            ip: Some(IpAddr::from([127, 0, 0, 1])),
            mode: Some(mode),
            ports,
            ..registry::Sighting::new(id, registry::Source::Mdns, Utc::now())
        });
        list.get(id).unwrap().clone()
    }

    #[test]
    fn a_sighting_of_a_listed_address_joins_its_row_and_a_new_id_makes_a_row() {
        let mut model = Model::default();
        let key = model.new_key();
        let mut manual = MeterEntry::new(key, "127.0.0.1:1502".into(), String::new(), Source::Manual);
        manual.session = true;
        model.meters.push(manual);
        let modbus = registry::Ports {
            modbus: Some(1502),
            http: Some(8080),
            ..registry::Ports::default()
        };
        assert!(merge(&mut model, vec![entry(7, DeviceMode::Application, modbus)]).is_empty());
        assert_eq!(model.meters.len(), 1);
        let row = &model.meters[0];
        assert_eq!(row.device_id, Some(7));
        assert_eq!(row.sources, [Source::Manual, Source::Mdns].into());
        assert_eq!(row.mode(), Some(Mode::Application));

        let http_only = registry::Ports {
            http: Some(8081),
            ..registry::Ports::default()
        };
        let probes = merge(&mut model, vec![entry(8, DeviceMode::Configuration, http_only)]);
        assert_eq!(model.meters.len(), 2);
        let row = &model.meters[1];
        assert!(!row.session, "no session is opened for a discovered meter");
        assert_eq!(row.address, "127.0.0.1");
        assert_eq!(row.mode(), Some(Mode::Configuration));
        assert_eq!(
            connect_target(row),
            None,
            "nothing to connect to in configuration mode"
        );
        assert!(
            matches!(
                &probes[..],
                [Command::Discovery(Request::ProbeInfo { port: 8081, .. })]
            ),
            "the LED needs /api/info: {probes:?}"
        );
    }

    #[test]
    fn a_row_found_before_its_first_reading_is_folded_into_the_session_row() {
        let mut model = Model::default();
        let key = model.new_key();
        let mut demo = MeterEntry::new(key, "127.0.0.1:1502".into(), "Demo".into(), Source::Demo);
        demo.session = true;
        model.meters.push(demo);
        let http_only = registry::Ports {
            http: Some(8080),
            ..registry::Ports::default()
        };
        merge(&mut model, vec![entry(7, DeviceMode::Application, http_only)]);
        assert_eq!(model.meters.len(), 2, "the id is not known yet");
        model.meters[0].device_id = Some(7);
        let twin = model.meters[1].key;
        assert_eq!(absorb_duplicate(&mut model, key), Some(twin));
        assert_eq!(model.meters.len(), 1);
        assert_eq!(model.meters[0].sources, [Source::Demo, Source::Mdns].into());
        assert_eq!(model.meters[0].name, "Demo");
        assert_eq!(absorb_duplicate(&mut model, key), None);
    }

    #[test]
    fn a_session_that_lost_its_meter_follows_it_to_a_new_address() {
        let mut model = Model::default();
        let modbus = registry::Ports {
            modbus: Some(1502),
            ..registry::Ports::default()
        };
        merge(&mut model, vec![entry(5, DeviceMode::Application, modbus)]);
        let key = model.meters[0].key;
        model.meters[0].session = true;
        model.meters[0].link = refused();
        let mut moved = entry(5, DeviceMode::Application, modbus);
        moved.current_ip = Some(IpAddr::from([127, 0, 0, 9]));
        let commands = merge(&mut model, vec![moved.clone()]);
        assert!(
            matches!(&commands[..], [Command::Connect { meter, address }] if *meter == key && address == "127.0.0.9:1502"),
            "{commands:?}"
        );
        assert_eq!(model.meters[0].address, "127.0.0.9:1502");
        model.meters[0].link = LinkState::Online;
        moved.current_ip = Some(IpAddr::from([127, 0, 0, 10]));
        assert!(
            merge(&mut model, vec![moved]).is_empty(),
            "an online session stays where it is"
        );
    }

    #[test]
    fn the_newest_source_tells_the_mode_and_a_failed_probe_means_unreachable() {
        let mut model = Model::default();
        let modbus = registry::Ports {
            modbus: Some(502),
            ..registry::Ports::default()
        };
        merge(&mut model, vec![entry(9, DeviceMode::Application, modbus)]);
        let key = model.meters[0].key;
        assert_eq!(connect_target(&model.meters[0]).as_deref(), Some("127.0.0.1:502"));
        model.meters[0].link = refused();
        assert_eq!(
            model.meters[0].mode(),
            Some(Mode::Application),
            "discovery still says so"
        );
        let later = SystemTime::now() + std::time::Duration::from_secs(1);
        probed(&mut model, key, later, Err("no answer".into()));
        assert!(unreachable(&model.meters[0]));
        assert_eq!(model.meters[0].mode(), None);
        let info: Info = serde_json::from_value(serde_json::json!({
            "devtype": "JE08", "subtype": "WATT METER", "id": 9, "name": "", "mac": "",
            "ip": "127.0.0.1", "mode": "update", "esp_version": "3.01", "stm32_version": "3.00",
            "wifi": {"mode": "ap", "state": "connected", "ssid": "x", "rssi": -50}, "uptime_s": 1
        }))
        .unwrap();
        probed(&mut model, key, later, Ok(Box::new(info.clone())));
        assert_eq!(model.meters[0].mode(), Some(Mode::Update));
        assert_eq!(wifi(&model.meters[0]), Some(WifiMode::AccessPoint));
        let other = Info { id: 10, ..info };
        probed(&mut model, key, later, Ok(Box::new(other)));
        assert!(
            unreachable(&model.meters[0]),
            "another meter's answer is not this one's"
        );
    }
}
