//! Finding meters (spec §6): mDNS browsing, Modbus range scans, MQTT
//! sightings and manual entry, all merged into one [`DiscoveryList`] keyed
//! by device id.

pub mod manual;
pub mod mdns;
pub mod mqtt;
pub mod registry;
pub mod scan;
pub mod session;

pub use registry::{
    Change, DiscoveryList, FORGET_AFTER, MAX_ADDRESSES, MAX_METERS, MeterEntry, Ports, Sighting, Source,
};
pub use session::{DiscoverOptions, DiscoverReport, discover};
