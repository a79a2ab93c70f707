//! Finding a freshly provisioned meter on the plant network by its device
//! id: mDNS browsing, a Modbus scan of a range, or both at once.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use je08_client::discovery::mdns::{MdnsBrowseError, MdnsBrowser, MdnsInterface};
use je08_client::discovery::scan::{ScanOptions, probe_range};
use je08_protocol::discovery::ScanRange;
use je08_protocol::http_api::Mode;

/// Where to look for the meter once it has joined.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Finder {
    /// Browse mDNS on these interfaces (empty: every interface); `None`: no mDNS.
    pub mdns: Option<Vec<MdnsInterface>>,
    /// Scan this range again and again; `None`: no scan.
    pub scan: Option<ScanRange>,
}

impl Finder {
    /// Where it looks, as a person reads it ("mDNS", "10.0.0.0/24:502", both).
    pub fn place(&self) -> String {
        let mut places = Vec::new();
        if self.mdns.is_some() {
            places.push("mDNS".to_owned());
        }
        if let Some(range) = &self.scan {
            places.push(range.to_string());
        }
        places.join(" + ")
    }

    /// The Modbus address of meter `id` once it is seen, or `None` when
    /// `deadline` passes first.
    pub async fn find(&self, id: u32, deadline: Instant) -> Result<Option<SocketAddr>, MdnsBrowseError> {
        let (sink, sightings) = tokio::sync::mpsc::channel(256);
        let _browser = match &self.mdns {
            Some(interfaces) => Some(MdnsBrowser::start(interfaces, sink)?),
            None => None,
        };
        let by_mdns = by_mdns(sightings, id);
        let by_scan = async {
            match self.scan {
                Some(range) => by_scan(range, id).await,
                None => std::future::pending().await,
            }
        };
        let first = async {
            tokio::select! {
                found = by_mdns => found,
                found = by_scan => Some(found),
            }
        };
        Ok(tokio::time::timeout_at(deadline.into(), first)
            .await
            .ok()
            .flatten())
    }
}

/// Scan `range` until meter `id` answers there.
async fn by_scan(range: ScanRange, id: u32) -> SocketAddr {
    let options = ScanOptions::default();
    loop {
        let mut probes = std::pin::pin!(probe_range(range, options));
        while let Some(found) = probes.next().await {
            if let Some(sighting) = found.filter(|s| s.id == id)
                && let (Some(ip), Some(port)) = (sighting.ip, sighting.ports.modbus)
            {
                return SocketAddr::new(ip, port);
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Wait until meter `id` is advertised in application mode with a Modbus
/// port; `None` when no browser runs (or it stopped).
async fn by_mdns(
    mut sightings: tokio::sync::mpsc::Receiver<je08_client::discovery::registry::Sighting>,
    id: u32,
) -> Option<SocketAddr> {
    while let Some(sighting) = sightings.recv().await {
        if sighting.id == id
            && sighting.mode == Some(Mode::Application)
            && let (Some(ip), Some(port)) = (sighting.ip, sighting.ports.modbus)
        {
            return Some(SocketAddr::new(ip, port));
        }
    }
    // No browser: the scan (or the deadline) decides.
    std::future::pending().await
}
