//! What the batch commands (`profile`, `report`) share: meters given as
//! `HOST[:MODBUS_PORT][,http=HTTP_PORT]` and how to reach them (Modbus and
//! HTTP deadlines, the interface password, the reboot deadline).

use std::time::Duration;

use crate::commissioning::profile::Access;
use je08_client::endpoint::{AddressError, MeterAddress};
use je08_client::modbus::{ClientConfig, DEFAULT_PORT};
use je08_protocol::http_api::DEFAULT_HTTP_PORT;

use super::web::interface_password;

/// Parse `HOST[:MODBUS_PORT][,http=HTTP_PORT]` (ports 502 and 80 by default).
pub fn parse_meter_address(text: &str) -> Result<MeterAddress, AddressError> {
    MeterAddress::parse(text, DEFAULT_PORT, DEFAULT_HTTP_PORT)
}

/// Deadlines and credentials of a batch.
#[derive(Clone, clap::Args)]
pub struct AccessArgs {
    /// Interface password of the HTTP API (else JE08_PASSWORD, else a prompt).
    #[arg(long, env = "JE08_PASSWORD", hide_env_values = true, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Deadline of each Modbus request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub timeout: u64,
    /// Deadline of each HTTP request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub http_timeout: u64,
    /// How long a meter may take to come back after a reboot, in seconds.
    #[arg(long, value_name = "S", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub wait_s: u64,
}

impl std::fmt::Debug for AccessArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessArgs")
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("http_timeout", &self.http_timeout)
            .field("wait_s", &self.wait_s)
            .finish()
    }
}

impl AccessArgs {
    /// The library's [`Access`]; asks for the password only when `http` is
    /// needed and none was given.
    pub fn access(&self, http: bool, meters: &str) -> anyhow::Result<Access> {
        let password = if http {
            interface_password(self.password.as_deref(), meters)?
        } else {
            None
        };
        Ok(Access {
            modbus: ClientConfig {
                timeout: Duration::from_millis(self.timeout),
                ..ClientConfig::default()
            },
            password,
            http_timeout: Duration::from_millis(self.http_timeout),
            reboot_deadline: Duration::from_secs(self.wait_s),
            origin: je08_client::journal::Origin::Cli,
        })
    }
}
