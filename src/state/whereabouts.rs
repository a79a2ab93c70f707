//! Where a row's passwords, settings and firmware go: the address the user
//! typed, picked or confirmed (the row's `address`), never wherever
//! discovery last heard the meter's id. A meter seen elsewhere is shown
//! ("seen at 10.0.0.7 since 14:02"); its session follows only after the
//! device there proves to be the same meter
//! ([`crate::backend::identity::verify`]) or the user confirms the move.
//! One id live at two addresses at once is a conflict: nothing follows.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime};

use super::model::{MeterRow, Model};
use crate::backend::discovery::Request;
use crate::backend::identity::{Identity, MoveRefused};
use crate::backend::{Command, LinkState, MeterKey};
use je08_client::discovery::{MeterEntry, Source};
use je08_client::endpoint::Endpoint;

/// How long a check that found nothing answering waits before it is tried
/// again (the meter may still be booting at its new address).
pub const RECHECK_AFTER: Duration = Duration::from_secs(30);

/// The meter seen at an address other than the row's.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// Where discovery saw it.
    pub ip: IpAddr,
    /// Its Modbus address there, when discovery knows the port.
    pub modbus: Option<SocketAddr>,
    /// Its HTTP port there, when discovery knows it.
    pub http_port: Option<u16>,
    /// First sighting at that address.
    pub since: SystemTime,
    /// Whether the device there was checked.
    pub check: MoveCheck,
}

/// The identity check of a new address.
#[derive(Debug, Clone, PartialEq)]
pub enum MoveCheck {
    /// Not asked (the session still answers, the id is unknown, or the id
    /// is in conflict).
    Waiting,
    /// Asked; the answer is pending.
    Checking,
    /// The device there is not shown to be this meter.
    Refused {
        /// Why.
        why: MoveRefused,
        /// When the check ended.
        at: SystemTime,
    },
}

impl MeterRow {
    /// The host of the row's own address (typed, picked or confirmed).
    pub fn trusted_host(&self) -> Option<String> {
        Endpoint::parse(&self.address, je08_client::modbus::DEFAULT_PORT)
            .ok()
            .map(|e| e.host)
    }

    /// Discovery's entry, only when its latest sighting is at the row's own
    /// host: the ports it saw there may be used for this meter.
    pub fn entry_here(&self) -> Option<&MeterEntry> {
        let entry = self.found.entry.as_ref()?;
        let host = self.trusted_host()?;
        (entry.current_ip?.to_string() == host).then_some(entry)
    }

    /// True when discovery sees this meter's id live at two addresses.
    pub fn conflict(&self) -> bool {
        self.found.entry.as_ref().is_some_and(|e| e.conflict)
    }

    /// What the row knows of its meter, to check a new address against.
    fn identity(&self) -> Option<Identity> {
        let mac = match &self.found.probe {
            Some((_, Ok(probed))) if !probed.mac.is_empty() => Some(probed.mac.clone()),
            _ => None,
        };
        Some(Identity {
            id: self.device_id?,
            mac,
        })
    }
}

/// Note where discovery sees a row's meter (`entry`, the row having a
/// session): the row never moves by itself; the check of a new address is
/// asked for when the session has lost the meter and the id is not in
/// conflict.
pub fn track(row: &mut MeterRow, entry: &MeterEntry, now: SystemTime) -> Option<Command> {
    let ip = entry.current_ip?;
    let host = row.trusted_host()?;
    if host.parse::<IpAddr>().is_err() || ip.to_string() == host {
        // A host name cannot be compared with an address; the same address is no move.
        row.moved = None;
        return None;
    }
    let since = entry
        .addresses
        .iter()
        .find(|a| a.ip == ip)
        .map_or(entry.last_seen, |a| a.first_seen);
    let modbus = entry.ports.modbus.map(|port| SocketAddr::new(ip, port));
    let identity = row.identity();
    let moved = match &mut row.moved {
        Some(moved) if moved.ip == ip => {
            (moved.modbus, moved.http_port) = (modbus.or(moved.modbus), entry.ports.http.or(moved.http_port));
            moved
        }
        other => other.insert(Moved {
            ip,
            modbus,
            http_port: entry.ports.http,
            since: since.into(),
            check: MoveCheck::Waiting,
        }),
    };
    if let MoveCheck::Refused { why, at } = &moved.check
        && matches!(why, MoveRefused::NoAnswer(_) | MoveRefused::NoInfo(_))
        && now.duration_since(*at).unwrap_or_default() >= RECHECK_AFTER
    {
        moved.check = MoveCheck::Waiting;
    }
    if entry.conflict || row.link == LinkState::Online || moved.check != MoveCheck::Waiting {
        return None;
    }
    let (modbus, identity) = (moved.modbus?, identity?);
    moved.check = MoveCheck::Checking;
    Some(Command::Discovery(Request::VerifyMove {
        meter: row.key,
        modbus,
        http_port: moved.http_port,
        identity,
    }))
}

/// The check of `modbus` for row `meter` ended: a proven move is followed
/// (the session reconnects there) unless the id went into conflict meanwhile.
pub fn checked(
    model: &mut Model,
    meter: MeterKey,
    modbus: SocketAddr,
    result: Result<(), MoveRefused>,
) -> Option<Command> {
    let row = model.meter_mut(meter)?;
    let conflict = row.conflict();
    let moved = row.moved.as_mut().filter(|m| m.modbus == Some(modbus))?;
    match result {
        Ok(()) if !conflict => follow(row),
        Ok(()) => {
            moved.check = MoveCheck::Waiting;
            None
        }
        Err(why) => {
            moved.check = MoveCheck::Refused {
                why,
                at: SystemTime::now(),
            };
            None
        }
    }
}

/// The user confirmed the new address of row `meter`: follow it.
pub fn confirmed(model: &mut Model, meter: MeterKey) -> Option<Command> {
    follow(model.meter_mut(meter)?)
}

fn follow(row: &mut MeterRow) -> Option<Command> {
    let modbus = row.moved.as_ref()?.modbus?;
    row.address = modbus.to_string();
    row.moved = None;
    Some(Command::Connect {
        meter: row.key,
        address: row.address.clone(),
    })
}

/// Discovery dropped meters `ids`: rows it alone made (no session, not
/// typed, remembered or a demo) go; the others only lose its entry.
pub fn forgotten(model: &mut Model, ids: &[u32]) {
    let discovered_only = |row: &MeterRow| {
        !row.session
            && row
                .sources
                .iter()
                .all(|s| matches!(s, Source::Mdns | Source::Scan | Source::Mqtt))
    };
    model
        .meters
        .retain(|row| !(row.device_id.is_some_and(|id| ids.contains(&id)) && discovered_only(row)));
    for row in &mut model.meters {
        if row.device_id.is_some_and(|id| ids.contains(&id)) {
            row.found.entry = None;
            row.moved = None;
        }
    }
}
