//! What the HTTP meter commands share: the `HOST[:PORT]` argument (HTTP port
//! 80 by default), the interface password and the request deadline.
//!
//! The password comes from `--password`, the `JE08_PASSWORD` environment
//! variable or a prompt without echo (when stdin is a terminal); it is never
//! printed or logged.

use std::io::IsTerminal;
use std::time::Duration;

use je08_client::endpoint::{AddressError, Endpoint};
use je08_client::http::MeterHttp;
use je08_protocol::http_api::{DEFAULT_HTTP_PORT, Secret};

/// The meter to talk to over HTTP, with its credentials.
#[derive(Clone, clap::Args)]
pub struct WebTarget {
    /// The meter's address, HOST or HOST:PORT (HTTP port 80 by default).
    #[arg(value_name = "HOST[:PORT]", value_parser = parse_web_host)]
    pub meter: Endpoint,
    /// Interface password (else JE08_PASSWORD, else a prompt).
    #[arg(long, env = "JE08_PASSWORD", hide_env_values = true, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Deadline of each HTTP request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout: u64,
}

impl std::fmt::Debug for WebTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebTarget")
            .field("meter", &self.meter)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Parse `HOST[:PORT]` with the HTTP default port.
pub fn parse_web_host(text: &str) -> Result<Endpoint, AddressError> {
    Endpoint::parse(text, DEFAULT_HTTP_PORT)
}

impl WebTarget {
    /// A client without credentials (for `/api/info`).
    pub fn anonymous(&self) -> MeterHttp {
        MeterHttp::new(&self.meter.host, self.meter.port, None)
            .with_timeout(Duration::from_millis(self.timeout))
    }

    /// A client with the interface password (prompting when needed).
    pub fn client(&self) -> anyhow::Result<MeterHttp> {
        Ok(self.client_with(self.secret()?))
    }

    /// A client with this password.
    pub fn client_with(&self, password: Option<Secret>) -> MeterHttp {
        MeterHttp::new(&self.meter.host, self.meter.port, password)
            .with_timeout(Duration::from_millis(self.timeout))
    }

    /// The password from the flag, the environment or a prompt.
    pub fn secret(&self) -> anyhow::Result<Option<Secret>> {
        interface_password(self.password.as_deref(), &self.meter.to_string())
    }
}

/// The interface password from the flag (or JE08_PASSWORD, which clap puts
/// there), else a prompt without echo when stdin is a terminal, else none.
pub fn interface_password(flag: Option<&str>, meters: &str) -> anyhow::Result<Option<Secret>> {
    if let Some(p) = flag {
        return Ok(Some(Secret::new(p)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let typed = rpassword::prompt_password(format!("interface password for meter {meters}: "))?;
    Ok(Some(Secret::new(typed)))
}

/// Warn on stderr before an action that reboots the meter (spec §1).
pub fn warn_reboot(meter: &Endpoint, what: &str) {
    errln!("warning: meter {meter} reboots to {what}; its kWh and kVArh accumulators restart from zero");
}
