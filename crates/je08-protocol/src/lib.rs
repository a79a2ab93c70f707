//! What a JE08 WATT METER says and what it means, with no I/O: the register
//! map as one table, the typed readings model, the block ⇄ snapshot codec,
//! write validation, MQTT and HTTP API payloads, firmware images, operating
//! modes, the discovery vocabulary and the analysis of readings (phasors,
//! wiring check, calibration maths).
//!
//! No tokio, no sockets, no GUI: usable by anything that talks to a JE08.
#![warn(missing_docs)]

pub mod analysis;
pub mod codec;
pub mod discovery;
pub mod firmware;
pub mod http_api;
pub mod i18n;
pub mod mode;
pub mod mqtt;
pub mod readings;
pub mod registers;
pub mod texts;
pub mod validate;
