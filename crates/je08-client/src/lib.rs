//! Async transports the configurator uses to talk to meters. Every call has
//! a deadline; errors are typed and say what failed, on which meter and what
//! to do.
#![warn(missing_docs)]

pub mod discovery;
pub mod endpoint;
pub mod flash;
pub mod http;
pub mod journal;
pub mod modbus;
pub mod mqtt;
pub mod ota;
pub mod params;
pub mod store;
pub mod texts;
