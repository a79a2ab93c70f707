//! The merged list of meters: every sighting from every source folded into
//! one entry per device id, with every address it was seen at.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use je08_protocol::mode::Mode;
use je08_protocol::readings::Version;

/// How a meter became known: to discovery (mDNS, scan, MQTT, an address
/// typed by a person) or to the configurator's list (remembered from an
/// earlier run, started by `je08 demo`). Ordered as a list shows them: the
/// person's own first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Address typed by a person.
    Manual,
    /// Remembered from an earlier run.
    Remembered,
    /// Started by `je08 demo`.
    Demo,
    /// mDNS advertisement.
    Mdns,
    /// Modbus scan of an address range.
    Scan,
    /// DATA or INFO packet on an MQTT broker.
    Mqtt,
}

impl Source {
    /// Short lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Remembered => "remembered",
            Self::Demo => "demo",
            Self::Mdns => "mdns",
            Self::Scan => "scan",
            Self::Mqtt => "mqtt",
        }
    }
}

/// Ports at which a meter's services were seen (`None`: not known).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Ports {
    /// Modbus TCP.
    pub modbus: Option<u16>,
    /// HTTP API.
    pub http: Option<u16>,
    /// ArduinoOTA (UDP).
    pub ota: Option<u16>,
}

impl Ports {
    /// Take every port `newer` knows, keep the others.
    fn update(&mut self, newer: Ports) {
        self.modbus = newer.modbus.or(self.modbus);
        self.http = newer.http.or(self.http);
        self.ota = newer.ota.or(self.ota);
    }
}

/// One observation of a meter by one source.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    /// Device id (the merge key).
    pub id: u32,
    /// Who saw it.
    pub source: Source,
    /// When.
    pub at: DateTime<Utc>,
    /// Address it answered or announced at, if the source knows one.
    pub ip: Option<IpAddr>,
    /// Host name (mDNS host or the name typed by hand).
    pub host: Option<String>,
    /// Service ports seen.
    pub ports: Ports,
    /// Operating mode, if the source tells.
    pub mode: Option<Mode>,
    /// ESP firmware version, if the source tells.
    pub firmware: Option<Version>,
    /// Device name, if the source tells.
    pub name: Option<String>,
    /// MAC address, if the source tells.
    pub mac: Option<String>,
}

impl Sighting {
    /// A sighting with only the id, source and time filled in.
    pub fn new(id: u32, source: Source, at: DateTime<Utc>) -> Self {
        Self {
            id,
            source,
            at,
            ip: None,
            host: None,
            ports: Ports::default(),
            mode: None,
            firmware: None,
            name: None,
            mac: None,
        }
    }
}

/// One address a meter was seen at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressSeen {
    /// The address.
    pub ip: IpAddr,
    /// Sources that saw the meter there.
    pub sources: BTreeSet<Source>,
    /// First sighting at this address.
    pub first_seen: DateTime<Utc>,
    /// Latest sighting at this address.
    pub last_seen: DateTime<Utc>,
}

/// One row of the list: everything known about one meter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeterEntry {
    /// Device id.
    pub id: u32,
    /// Device name as the meter reports it.
    pub name: Option<String>,
    /// MAC address.
    pub mac: Option<String>,
    /// Host name.
    pub host: Option<String>,
    /// Address of the latest sighting that carried one.
    pub current_ip: Option<IpAddr>,
    /// Service ports last seen.
    pub ports: Ports,
    /// Operating mode last reported.
    pub mode: Option<Mode>,
    /// ESP firmware version last reported.
    pub firmware: Option<Version>,
    /// Every address the meter was seen at, latest first.
    pub addresses: Vec<AddressSeen>,
    /// Latest sighting time per source.
    pub sources: BTreeMap<Source, DateTime<Utc>>,
    /// Latest sighting from any source.
    pub last_seen: DateTime<Utc>,
    /// Not seen for longer than the list's stale age (kept until
    /// [`FORGET_AFTER`]).
    pub stale: bool,
    /// The id is live at two or more addresses at the same time: another
    /// device claims it (or two meters share it). Nothing should follow
    /// either address automatically.
    pub conflict: bool,
}

impl MeterEntry {
    fn new(s: &Sighting) -> Self {
        Self {
            id: s.id,
            name: None,
            mac: None,
            host: None,
            current_ip: None,
            ports: Ports::default(),
            mode: None,
            firmware: None,
            addresses: Vec::new(),
            sources: BTreeMap::new(),
            last_seen: s.at,
            stale: false,
            conflict: false,
        }
    }

    /// Fold one sighting in. Facts from a sighting older than the latest one
    /// only fill gaps; they never overwrite newer facts.
    fn apply(&mut self, s: Sighting) -> Change {
        let newest = s.at >= self.last_seen;
        let previous_ip = self.current_ip;
        let previous_mode = self.mode;
        let source_time = self.sources.entry(s.source).or_insert(s.at);
        *source_time = (*source_time).max(s.at);
        if let Some(ip) = s.ip {
            self.note_address(ip, s.source, s.at);
            if newest || self.current_ip.is_none() {
                self.current_ip = Some(ip);
            }
        }
        fn take<T>(field: &mut Option<T>, value: Option<T>, newest: bool) {
            if value.is_some() && (newest || field.is_none()) {
                *field = value;
            }
        }
        take(&mut self.name, s.name, newest);
        take(&mut self.mac, s.mac, newest);
        take(&mut self.host, s.host, newest);
        take(&mut self.mode, s.mode, newest);
        take(&mut self.firmware, s.firmware, newest);
        if newest {
            self.ports.update(s.ports);
            self.last_seen = s.at;
            self.stale = false;
        }
        self.conflict = self.live_conflict();
        match (previous_ip, self.current_ip) {
            (Some(from), Some(to)) if from != to => return Change::AddressChanged { from, to },
            _ => {}
        }
        match (previous_mode, self.mode) {
            (Some(from), Some(to)) if from != to => Change::ModeChanged { from, to },
            _ => Change::Updated,
        }
    }

    fn note_address(&mut self, ip: IpAddr, source: Source, at: DateTime<Utc>) {
        match self.addresses.iter_mut().find(|a| a.ip == ip) {
            Some(seen) => {
                seen.sources.insert(source);
                seen.first_seen = seen.first_seen.min(at);
                seen.last_seen = seen.last_seen.max(at);
            }
            None => self.addresses.push(AddressSeen {
                ip,
                sources: BTreeSet::from([source]),
                first_seen: at,
                last_seen: at,
            }),
        }
        self.addresses.sort_by_key(|a| std::cmp::Reverse(a.last_seen));
        self.addresses.truncate(MAX_ADDRESSES);
    }

    /// True when two addresses were both seen recently and during one
    /// stretch of time (their first-to-last sightings overlap, or come within
    /// [`SIMULTANEOUS_S`] of each other): one id answering at two places at
    /// once, unlike a meter that moved, whose old address falls silent
    /// before the new one is first seen.
    fn live_conflict(&self) -> bool {
        let seconds = chrono::Duration::seconds;
        let recent =
            |a: &&AddressSeen| self.last_seen.signed_duration_since(a.last_seen) <= seconds(LIVE_WINDOW_S);
        let live: Vec<&AddressSeen> = self.addresses.iter().filter(recent).collect();
        let together = |a: &AddressSeen, b: &AddressSeen| {
            a.first_seen <= b.last_seen + seconds(SIMULTANEOUS_S)
                && b.first_seen <= a.last_seen + seconds(SIMULTANEOUS_S)
        };
        live.iter()
            .enumerate()
            .any(|(i, a)| live[i + 1..].iter().any(|b| together(a, b)))
    }
}

/// Addresses remembered per meter (the most recent ones); a peer
/// announcing one id at ever new addresses cannot grow a row without bound.
pub const MAX_ADDRESSES: usize = 16;
/// Meters the list holds; past it, the one seen least recently is dropped.
pub const MAX_METERS: usize = 4096;
/// A meter not seen for this long leaves the list.
pub const FORGET_AFTER: Duration = Duration::from_secs(3600);
/// Two addresses count as live at the same time only when each was seen
/// within this many seconds of the meter's latest sighting.
const LIVE_WINDOW_S: i64 = 120;
/// Sightings at two addresses this close in time are simultaneous (one
/// discovery run resolves each advert once, a few seconds apart).
const SIMULTANEOUS_S: i64 = 10;

/// What a sighting changed in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A meter not in the list before.
    New,
    /// A meter not in the list before, which took the place of meter
    /// `dropped` in a full list.
    Replaced {
        /// The id that left the list.
        dropped: u32,
    },
    /// A known meter, same address and mode.
    Updated,
    /// A known meter now answers at another address (e.g. a new DHCP lease).
    AddressChanged {
        /// Previous current address.
        from: IpAddr,
        /// New current address.
        to: IpAddr,
    },
    /// A known meter reports another operating mode.
    ModeChanged {
        /// Previous mode.
        from: Mode,
        /// New mode.
        to: Mode,
    },
}

/// Default age after which a meter not seen is marked stale.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(60);

/// The merged list of meters, keyed by device id.
#[derive(Debug, Clone)]
pub struct DiscoveryList {
    entries: BTreeMap<u32, MeterEntry>,
    stale_after: Duration,
}

impl Default for DiscoveryList {
    fn default() -> Self {
        Self::new(DEFAULT_STALE_AFTER)
    }
}

impl DiscoveryList {
    /// An empty list whose entries go stale after `stale_after` without a sighting.
    pub fn new(stale_after: Duration) -> Self {
        Self {
            entries: BTreeMap::new(),
            stale_after,
        }
    }

    /// Fold one sighting into the list. A new meter in a full list
    /// ([`MAX_METERS`]) takes the place of the one seen least recently.
    pub fn apply(&mut self, sighting: Sighting) -> Change {
        match self.entries.get_mut(&sighting.id) {
            Some(entry) => entry.apply(sighting),
            None => {
                let mut change = Change::New;
                if self.entries.len() >= MAX_METERS
                    && let Some(oldest) = self.entries.values().min_by_key(|e| e.last_seen).map(|e| e.id)
                {
                    self.entries.remove(&oldest);
                    change = Change::Replaced { dropped: oldest };
                }
                let mut entry = MeterEntry::new(&sighting);
                entry.apply(sighting);
                self.entries.insert(entry.id, entry);
                change
            }
        }
    }

    /// Mark entries not seen since `now - stale_after` as stale; returns the
    /// ids that just became stale.
    pub fn mark_stale(&mut self, now: DateTime<Utc>) -> Vec<u32> {
        let limit = chrono::Duration::from_std(self.stale_after).unwrap_or(chrono::Duration::MAX);
        let mut newly = Vec::new();
        for entry in self.entries.values_mut() {
            let stale = now.signed_duration_since(entry.last_seen) > limit;
            if stale && !entry.stale {
                newly.push(entry.id);
            }
            entry.stale = stale;
        }
        newly
    }

    /// Drop the meters not seen for [`FORGET_AFTER`]; returns their ids.
    pub fn forget_stale(&mut self, now: DateTime<Utc>) -> Vec<u32> {
        let limit = chrono::Duration::from_std(FORGET_AFTER).unwrap_or(chrono::Duration::MAX);
        let gone: Vec<u32> = self
            .entries
            .values()
            .filter(|e| now.signed_duration_since(e.last_seen) > limit)
            .map(|e| e.id)
            .collect();
        for id in &gone {
            self.entries.remove(id);
        }
        gone
    }

    /// The entry of one meter.
    pub fn get(&self, id: u32) -> Option<&MeterEntry> {
        self.entries.get(&id)
    }

    /// Every entry, by id.
    pub fn entries(&self) -> impl Iterator<Item = &MeterEntry> {
        self.entries.values()
    }

    /// Number of meters in the list.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 168, 0, last])
    }

    fn seen(id: u32, source: Source, at: i64, last: u8) -> Sighting {
        Sighting {
            ip: Some(ip(last)),
            ..Sighting::new(id, source, t(at))
        }
    }

    #[test]
    fn one_meter_from_every_source_is_one_entry() {
        let mut list = DiscoveryList::default();
        let mdns = Sighting {
            mode: Some(Mode::Application),
            name: Some("Panel 3".into()),
            host: Some("je08-7.local.".into()),
            ports: Ports {
                http: Some(80),
                ..Ports::default()
            },
            ..seen(7, Source::Mdns, 0, 10)
        };
        assert_eq!(list.apply(mdns), Change::New);
        let scan = Sighting {
            firmware: Some(Version(300)),
            ports: Ports {
                modbus: Some(502),
                ..Ports::default()
            },
            ..seen(7, Source::Scan, 1, 10)
        };
        assert_eq!(list.apply(scan), Change::Updated);
        assert_eq!(list.apply(Sighting::new(7, Source::Mqtt, t(2))), Change::Updated);
        assert_eq!(list.apply(seen(8, Source::Scan, 2, 11)), Change::New);

        assert_eq!(list.len(), 2);
        let entry = list.get(7).unwrap();
        assert_eq!(
            entry.sources.keys().copied().collect::<Vec<_>>(),
            [Source::Mdns, Source::Scan, Source::Mqtt]
        );
        assert_eq!(entry.current_ip, Some(ip(10)));
        assert_eq!(entry.addresses.len(), 1);
        assert_eq!(
            entry.addresses[0].sources,
            BTreeSet::from([Source::Mdns, Source::Scan])
        );
        assert_eq!(entry.name.as_deref(), Some("Panel 3"));
        assert_eq!(entry.firmware, Some(Version(300)));
        assert_eq!(entry.mode, Some(Mode::Application));
        assert_eq!(entry.ports.modbus, Some(502));
        assert_eq!(entry.ports.http, Some(80));
        assert_eq!(entry.last_seen, t(2));
    }

    #[test]
    fn a_new_address_is_followed_and_the_old_one_remembered() {
        let mut list = DiscoveryList::default();
        list.apply(seen(7, Source::Scan, 0, 10));
        assert_eq!(
            list.apply(seen(7, Source::Mdns, 5, 42)),
            Change::AddressChanged {
                from: ip(10),
                to: ip(42)
            }
        );
        let entry = list.get(7).unwrap();
        assert_eq!(entry.current_ip, Some(ip(42)));
        let addresses: Vec<_> = entry.addresses.iter().map(|a| a.ip).collect();
        assert_eq!(addresses, [ip(42), ip(10)]);
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn late_sightings_do_not_overwrite_newer_facts() {
        let mut list = DiscoveryList::default();
        list.apply(Sighting {
            mode: Some(Mode::Update),
            ..seen(7, Source::Mdns, 10, 42)
        });
        let late = Sighting {
            mode: Some(Mode::Application),
            firmware: Some(Version(300)),
            ..seen(7, Source::Scan, 3, 10)
        };
        assert_eq!(list.apply(late), Change::Updated);
        let entry = list.get(7).unwrap();
        assert_eq!(entry.current_ip, Some(ip(42)));
        assert_eq!(entry.mode, Some(Mode::Update));
        assert_eq!(entry.firmware, Some(Version(300)), "gaps are filled");
        assert_eq!(entry.last_seen, t(10));
        assert_eq!(entry.addresses[1].ip, ip(10));
    }

    #[test]
    fn mode_changes_are_reported() {
        let mut list = DiscoveryList::default();
        let mode = |m, at| Sighting {
            mode: Some(m),
            ..seen(7, Source::Mdns, at, 10)
        };
        list.apply(mode(Mode::Application, 0));
        assert_eq!(
            list.apply(mode(Mode::Configuration, 1)),
            Change::ModeChanged {
                from: Mode::Application,
                to: Mode::Configuration
            }
        );
        assert_eq!(list.get(7).unwrap().mode, Some(Mode::Configuration));
    }

    #[test]
    fn silent_meters_go_stale_but_stay() {
        let mut list = DiscoveryList::new(Duration::from_secs(30));
        list.apply(seen(7, Source::Scan, 0, 10));
        list.apply(seen(8, Source::Scan, 20, 11));
        assert_eq!(list.mark_stale(t(30)), Vec::<u32>::new());
        assert_eq!(list.mark_stale(t(31)), [7]);
        assert_eq!(list.mark_stale(t(40)), Vec::<u32>::new(), "reported once");
        assert!(list.get(7).unwrap().stale);
        assert!(!list.get(8).unwrap().stale);
        list.apply(seen(7, Source::Mdns, 41, 10));
        assert!(!list.get(7).unwrap().stale, "a sighting revives it");
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn one_id_at_two_live_addresses_is_a_conflict_and_a_move_is_not() {
        let mut list = DiscoveryList::default();
        list.apply(seen(7, Source::Mdns, 0, 10));
        list.apply(seen(7, Source::Mdns, 20, 10));
        list.apply(seen(7, Source::Mqtt, 35, 66));
        assert!(
            !list.get(7).unwrap().conflict,
            "15 s apart: 10 may have moved to 66"
        );
        list.apply(seen(7, Source::Mdns, 40, 10));
        let entry = list.get(7).unwrap();
        assert!(entry.conflict, "10 was seen again after 66 appeared");
        let addresses: Vec<_> = entry.addresses.iter().map(|a| a.ip).collect();
        assert_eq!(addresses, [ip(10), ip(66)]);

        list.apply(seen(7, Source::Mdns, 40 + LIVE_WINDOW_S + 1, 10));
        assert!(!list.get(7).unwrap().conflict, "66 fell silent long ago");

        let mut moved = DiscoveryList::default();
        moved.apply(seen(8, Source::Mdns, 0, 10));
        moved.apply(seen(8, Source::Mdns, 20, 10));
        moved.apply(seen(8, Source::Mdns, 45, 42));
        moved.apply(seen(8, Source::Mdns, 65, 42));
        assert!(!moved.get(8).unwrap().conflict, "a new lease is not a conflict");

        let mut run = DiscoveryList::default();
        run.apply(seen(9, Source::Mdns, 0, 10));
        run.apply(seen(9, Source::Mdns, 2, 66));
        assert!(run.get(9).unwrap().conflict, "two adverts in one discovery run");
    }

    #[test]
    fn a_flood_of_addresses_and_ids_stays_bounded() {
        let mut list = DiscoveryList::default();
        for k in 0..1000u32 {
            let ip = IpAddr::from(Ipv4Addr::from(0x0A00_0000 + k));
            list.apply(Sighting {
                ip: Some(ip),
                ..Sighting::new(7, Source::Mdns, t(i64::from(k)))
            });
        }
        let entry = list.get(7).unwrap();
        assert_eq!(entry.addresses.len(), MAX_ADDRESSES);
        assert_eq!(
            entry.current_ip,
            Some(IpAddr::from(Ipv4Addr::from(0x0A00_0000 + 999)))
        );

        for id in 0..(MAX_METERS as u32 + 100) {
            list.apply(seen(1000 + id, Source::Mqtt, 2000 + i64::from(id), 1));
        }
        assert_eq!(list.len(), MAX_METERS);
        assert_eq!(
            list.apply(seen(99_999, Source::Mqtt, 90_000, 1)),
            Change::Replaced { dropped: 1100 },
            "the least recently seen of the flood makes room next"
        );
        assert!(list.get(7).is_none(), "the least recently seen made room");
        assert!(list.get(1000 + MAX_METERS as u32 + 99).is_some());
    }

    #[test]
    fn meters_silent_for_long_leave_the_list() {
        let mut list = DiscoveryList::default();
        list.apply(seen(7, Source::Scan, 0, 10));
        list.apply(seen(8, Source::Scan, 3000, 11));
        let hour = FORGET_AFTER.as_secs() as i64;
        assert!(list.forget_stale(t(hour)).is_empty());
        assert_eq!(list.forget_stale(t(hour + 1)), [7]);
        assert!(list.get(7).is_none());
        assert_eq!(list.len(), 1);
    }
}
