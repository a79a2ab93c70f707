//! je08: configurator, simulator and command line for the JE08 WATT METER.
#![warn(missing_docs)]

pub mod analysis;
pub mod backend;
pub mod backoff;
pub mod certs;
pub mod cli;
pub mod client;
pub mod commissioning;
pub mod i18n;
pub mod mqtt_link;
pub mod protocol;
pub mod sim;
pub mod store;
pub mod ui;
