//! What the meter commands (`read`, `set`, `reset-energy`) share: the
//! `HOST[:PORT]` argument and the request deadline.

use std::time::Duration;

use je08_client::endpoint::{AddressError, Endpoint};
use je08_client::modbus::{ClientConfig, DEFAULT_PORT, ModbusClient};

/// The meter to talk to over Modbus TCP.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// The meter's address, HOST or HOST:PORT (Modbus TCP port 502 by default).
    #[arg(value_name = "HOST[:PORT]", value_parser = parse_meter)]
    pub meter: Endpoint,
    /// Deadline of each Modbus request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub timeout: u64,
}

impl Target {
    /// A Modbus client for this meter with this deadline.
    pub fn client(&self) -> ModbusClient {
        ModbusClient::new(
            self.meter.clone(),
            ClientConfig {
                timeout: Duration::from_millis(self.timeout),
                ..ClientConfig::default()
            },
        )
    }
}

fn parse_meter(text: &str) -> Result<Endpoint, AddressError> {
    Endpoint::parse(text, DEFAULT_PORT)
}
