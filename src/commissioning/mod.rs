//! Commissioning and calibration workflows built on the client and the
//! analysis: sample windows, the wiring check with its one-click fix, the
//! calibration wizard, configuration profiles, recordings and reports, and
//! the formats exports and pictures are saved in.
//!
//! Every workflow is an async function taking a [`ModbusClient`] (or
//! addresses), a progress callback and a cancellation token where it runs for
//! more than a moment, and returns a serde-friendly result that the command
//! line prints and the window shows.
//!
//! [`ModbusClient`]: je08_client::modbus::ModbusClient

pub mod calibrate;
pub mod export;
pub mod journal;
pub mod journal_export;
pub mod mqtt_check;
pub mod pdf;
pub mod picture;
pub mod profile;
pub mod provision;
pub mod record;
pub mod report;
pub mod sampler;
pub mod wiring_check;
pub mod wiring_text;
