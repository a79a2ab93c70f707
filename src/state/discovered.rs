//! Discovery in the window's state: discovery's merged entries folded into
//! the meters list (one row per device id), the mode from the best source,
//! `/api/info` probes, and the "Find meters" panel's state (range, scan).
//!
//! Sessions: a discovered row gets a Modbus session only when the user
//! selects or adds it, never automatically, so a plant with dozens of meters
//! does not get dozens of connections.

use std::net::SocketAddr;
use std::time::SystemTime;

use super::model::{MeterRow, Model};
use super::whereabouts;
use crate::backend::discovery::{MdnsStatus, Request, Update};
use crate::backend::{Command, JobId, JobOutcome, MeterKey};
use je08_client::discovery::{self as registry, Source};
use je08_client::endpoint::Endpoint;
use je08_protocol::discovery::{ScanRange, ScanRangeError};
use je08_protocol::http_api::DEFAULT_HTTP_PORT;
use je08_protocol::mode::Mode;

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
/// configuration or update mode, whose Wi-Fi role the LED needs) and, for
/// a row whose session lost its meter while discovery sees the id
/// elsewhere, the identity check of that address
/// ([`whereabouts::track`]). A row with a session never moves here; a row
/// without one shows discovery's address unless the id is in conflict.
pub fn merge(model: &mut Model, entries: Vec<registry::MeterEntry>) -> Vec<Command> {
    let now = SystemTime::now();
    let mut probes = Vec::new();
    for entry in entries {
        let key = match row_for(model, &entry) {
            Some(key) => key,
            None => {
                let key = model.new_key();
                let source = entry.sources.keys().next().copied().unwrap_or(Source::Scan);
                model
                    .meters
                    .push(MeterRow::new(key, shown_address(&entry), String::new(), source));
                key
            }
        };
        let Some(row) = model.meter_mut(key) else {
            continue;
        };
        let before = row.found.entry.as_ref().and_then(|e| e.mode);
        row.device_id = Some(entry.id);
        row.sources.extend(entry.sources.keys().copied());
        if row.session {
            probes.extend(whereabouts::track(row, &entry, now));
        } else if !entry.conflict && (row.address.is_empty() || modbus_address(&entry).is_some()) {
            row.address = shown_address(&entry);
        }
        let seen = SystemTime::from(entry.last_seen);
        row.last_seen = Some(row.last_seen.map_or(seen, |t| t.max(seen)));
        let newly_not_app = entry.mode.is_some_and(|m| m != Mode::Application) && before != entry.mode;
        let stale = entry.stale;
        row.found.entry = Some(entry);
        if newly_not_app
            && !stale
            && let Some(probe) = info_probe(row)
        {
            probes.push(probe);
        }
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

/// `/api/info` of a meter discovery saw in another mode, at the row's own
/// host (discovery made the address of a row without a session).
fn info_probe(row: &MeterRow) -> Option<Command> {
    Some(Command::Discovery(Request::ProbeInfo {
        meter: row.key,
        host: row.trusted_host()?,
        port: row.entry_here()?.ports.http?,
    }))
}

/// The probe to send when the Modbus session of `meter` goes offline: its
/// HTTP API tells "in configuration (or update) mode" from "unreachable".
/// It goes to the row's HTTP address (the one given for it, else the row's
/// own host), never to where discovery last heard the id.
pub fn offline_probe(meter: &MeterRow) -> Option<Command> {
    meter.trusted_host()?; // no host of its own: nothing to probe
    let http = Endpoint::parse(&meter.http_address(), DEFAULT_HTTP_PORT).ok()?;
    Some(Command::Discovery(Request::ProbeInfo {
        meter: meter.key,
        host: http.host,
        port: http.port,
    }))
}

/// Where selecting a row without a session connects: the address it shows,
/// when discovery saw a Modbus port there and the meter is not known to be
/// in another mode. Picking the row is the user's choice of that address.
pub fn connect_target(meter: &MeterRow) -> Option<String> {
    if meter.session || matches!(meter.mode(), Some(Mode::Configuration | Mode::Update)) {
        return None;
    }
    meter.entry_here()?.ports.modbus?;
    meter.address.parse::<SocketAddr>().ok().map(|a| a.to_string())
}

/// The "Find meters" panel's state.
#[derive(Debug, Default)]
pub struct DiscoveryState {
    /// The range typed for a scan.
    pub range: String,
    /// The running or last scan: job and progress.
    pub scan: Option<ScanView>,
    /// Why the typed range was refused.
    pub range_error: Option<ScanRangeError>,
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
                self.range_error = Some(err);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    use crate::backend::LinkState;
    use crate::backend::identity::MoveRefused;
    use crate::backend::link::LinkError;
    use crate::state::whereabouts::MoveCheck;
    use chrono::Utc;
    use je08_client::endpoint::Endpoint;
    use je08_client::modbus::ModbusError;
    use je08_protocol::http_api::Info;
    use je08_protocol::readings::WifiMode;

    fn refused() -> LinkState {
        LinkState::Offline(LinkError::Modbus(ModbusError::Refused {
            meter: Endpoint::parse("127.0.0.1:502", 502).unwrap(),
        }))
    }

    fn entry(id: u32, mode: Mode, ports: registry::Ports) -> registry::MeterEntry {
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
        let mut manual = MeterRow::new(key, "127.0.0.1:1502".into(), String::new(), Source::Manual);
        manual.session = true;
        model.meters.push(manual);
        let modbus = registry::Ports {
            modbus: Some(1502),
            http: Some(8080),
            ..registry::Ports::default()
        };
        assert!(merge(&mut model, vec![entry(7, Mode::Application, modbus)]).is_empty());
        assert_eq!(model.meters.len(), 1);
        let row = &model.meters[0];
        assert_eq!(row.device_id, Some(7));
        assert_eq!(row.sources, [Source::Manual, Source::Mdns].into());
        assert_eq!(row.mode(), Some(Mode::Application));

        let http_only = registry::Ports {
            http: Some(8081),
            ..registry::Ports::default()
        };
        let probes = merge(&mut model, vec![entry(8, Mode::Configuration, http_only)]);
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
        let mut demo = MeterRow::new(key, "127.0.0.1:1502".into(), "Demo".into(), Source::Demo);
        demo.session = true;
        model.meters.push(demo);
        let http_only = registry::Ports {
            http: Some(8080),
            ..registry::Ports::default()
        };
        merge(&mut model, vec![entry(7, Mode::Application, http_only)]);
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
    fn a_session_follows_a_new_address_only_once_the_device_there_proves_to_be_its_meter() {
        let mut model = Model::default();
        let modbus = registry::Ports {
            modbus: Some(1502),
            http: Some(8080),
            ..registry::Ports::default()
        };
        merge(&mut model, vec![entry(5, Mode::Application, modbus)]);
        let key = model.meters[0].key;
        model.meters[0].session = true;
        model.meters[0].link = refused();
        let mut moved = entry(5, Mode::Application, modbus);
        moved.current_ip = Some(IpAddr::from([127, 0, 0, 9]));
        let commands = merge(&mut model, vec![moved.clone()]);
        assert!(
            matches!(&commands[..], [Command::Discovery(Request::VerifyMove { meter, modbus, http_port: Some(8080), identity })]
                if *meter == key && modbus.to_string() == "127.0.0.9:1502" && identity.id == 5),
            "{commands:?}"
        );
        let row = &model.meters[0];
        assert_eq!(row.address, "127.0.0.1:1502", "a sighting alone moves nothing");
        assert_eq!(
            row.http_address(),
            "127.0.0.1:80",
            "the password stays with the chosen host"
        );
        assert_eq!(row.moved.as_ref().map(|m| &m.check), Some(&MoveCheck::Checking));
        assert!(merge(&mut model, vec![moved.clone()]).is_empty(), "asked once");

        let there: SocketAddr = "127.0.0.9:1502".parse().unwrap();
        let impostor = Err(MoveRefused::OtherId {
            address: there,
            found: 6,
            expected: 5,
        });
        assert!(whereabouts::checked(&mut model, key, there, impostor).is_none());
        assert_eq!(model.meters[0].address, "127.0.0.1:1502");
        assert!(matches!(
            model.meters[0].moved.as_ref().map(|m| &m.check),
            Some(MoveCheck::Refused { .. })
        ));

        let command = whereabouts::checked(&mut model, key, there, Ok(()));
        assert!(
            matches!(&command, Some(Command::Connect { meter, address }) if *meter == key && address == "127.0.0.9:1502"),
            "{command:?}"
        );
        assert_eq!(model.meters[0].address, "127.0.0.9:1502");
        assert_eq!(model.meters[0].moved, None);

        model.meters[0].link = LinkState::Online;
        moved.current_ip = Some(IpAddr::from([127, 0, 0, 10]));
        assert!(
            merge(&mut model, vec![moved.clone()]).is_empty(),
            "an online session stays where it is"
        );
        assert_eq!(model.meters[0].address, "127.0.0.9:1502");
        assert_eq!(
            model.meters[0].moved.as_ref().map(|m| m.ip),
            Some(IpAddr::from([127, 0, 0, 10])),
            "but the other address is shown"
        );
        let command = whereabouts::confirmed(&mut model, key);
        assert!(
            matches!(&command, Some(Command::Connect { address, .. }) if address == "127.0.0.10:1502"),
            "the user may confirm it: {command:?}"
        );
    }

    #[test]
    fn an_id_in_conflict_moves_no_row() {
        let mut model = Model::default();
        let modbus = registry::Ports {
            modbus: Some(1502),
            ..registry::Ports::default()
        };
        merge(
            &mut model,
            vec![
                entry(5, Mode::Application, modbus),
                entry(6, Mode::Application, modbus),
            ],
        );
        model.meters[0].session = true;
        model.meters[0].link = refused();
        let claimed = |id| {
            let mut e = entry(id, Mode::Application, modbus);
            e.current_ip = Some(IpAddr::from([127, 0, 0, 66]));
            e.conflict = true;
            e
        };
        let commands = merge(&mut model, vec![claimed(5), claimed(6)]);
        assert!(commands.is_empty(), "no check, no reconnect: {commands:?}");
        for row in &model.meters {
            assert_eq!(
                row.address, "127.0.0.1:1502",
                "neither the session row nor the discovered one moves"
            );
            assert!(row.conflict());
        }
    }

    #[test]
    fn the_newest_source_tells_the_mode_and_a_failed_probe_means_unreachable() {
        let mut model = Model::default();
        let modbus = registry::Ports {
            modbus: Some(502),
            ..registry::Ports::default()
        };
        merge(&mut model, vec![entry(9, Mode::Application, modbus)]);
        let key = model.meters[0].key;
        assert_eq!(connect_target(&model.meters[0]).as_deref(), Some("127.0.0.1:502"));
        model.meters[0].link = refused();
        assert_eq!(
            model.meters[0].mode(),
            Some(Mode::Application),
            "discovery still says so"
        );
        let later = SystemTime::now() + std::time::Duration::from_secs(1);
        model.meter_mut(key).unwrap().take_probe(
            later,
            Err(je08_client::http::HttpError::Unreachable {
                meter: "127.0.0.1:80".into(),
                detail: "connection refused".into(),
            }),
        );
        assert!(model.meters[0].unreachable());
        assert_eq!(model.meters[0].mode(), None);
        let info: Info = serde_json::from_value(serde_json::json!({
            "devtype": "JE08", "subtype": "WATT METER", "id": 9, "name": "", "mac": "",
            "ip": "127.0.0.1", "mode": "update", "esp_version": "3.01", "stm32_version": "3.00",
            "wifi": {"mode": "ap", "state": "connected", "ssid": "x", "rssi": -50}, "uptime_s": 1
        }))
        .unwrap();
        model
            .meter_mut(key)
            .unwrap()
            .take_probe(later, Ok(Box::new(info.clone())));
        assert_eq!(model.meters[0].mode(), Some(Mode::Update));
        assert_eq!(model.meters[0].wifi(), Some(WifiMode::AccessPoint));
        let other = Info { id: 10, ..info };
        model
            .meter_mut(key)
            .unwrap()
            .take_probe(later, Ok(Box::new(other)));
        assert!(
            model.meters[0].unreachable(),
            "another meter's answer is not this one's"
        );
    }
}
