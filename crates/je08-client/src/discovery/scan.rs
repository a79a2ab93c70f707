//! Find meters by reading registers 103–109 over Modbus TCP, one address at a
//! time (manual entry) or over a whole range with bounded concurrency.

use crate::texts::ClientMsg;
use je08_protocol::i18n::{Describe, Tr};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use chrono::Utc;
use futures::{Stream, StreamExt};

use super::registry::{Ports, Sighting, Source};
use crate::endpoint::Endpoint;
use crate::modbus::{ClientConfig, ModbusClient, ModbusError};
use je08_protocol::discovery::{IDENTITY_FIRST, IDENTITY_LEN, IdentityError, RegisterIdentity, ScanRange};
use je08_protocol::mode::Mode;

/// Why an address did not identify as a JE08 over Modbus; said in words by
/// its [`Describe`] (its English is its `Display`).
#[derive(Debug, Clone, PartialEq, Eq, derive_more::From)]
pub enum ModbusProbeError {
    /// The Modbus request failed (no connection, timeout, exception...).
    #[from]
    Modbus(ModbusError),
    /// Something answered, but not like a JE08.
    NotJe08 {
        /// Address probed.
        addr: SocketAddr,
        /// What did not fit.
        source: IdentityError,
    },
}

impl Describe for ModbusProbeError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Modbus(err) => err.describe(tr),
            Self::NotJe08 { addr, source } => tr.f(
                ClientMsg::ProbeModbusNotJe08,
                &[&addr.to_string(), &source.describe(tr)],
            ),
        }
    }
}

je08_protocol::english_display!(errors: ModbusProbeError);

/// Read registers 103–109 at `addr` and check they identify a JE08; connect
/// and read together must finish within `deadline`. The connection is
/// closed afterwards.
pub async fn probe_modbus(
    addr: SocketAddr,
    deadline: Duration,
) -> Result<RegisterIdentity, ModbusProbeError> {
    let config = ClientConfig {
        timeout: deadline,
        ..ClientConfig::default()
    };
    let mut client = ModbusClient::new(Endpoint::from(addr), config);
    let regs = client.read_registers(IDENTITY_FIRST, IDENTITY_LEN).await;
    client.disconnect().await;
    RegisterIdentity::from_registers(&regs?).map_err(|source| ModbusProbeError::NotJe08 { addr, source })
}

/// The sighting a successful Modbus probe makes: Modbus only answers in
/// application mode.
pub fn sighting_from_registers(identity: &RegisterIdentity, addr: SocketAddr, source: Source) -> Sighting {
    Sighting {
        ip: Some(addr.ip()),
        ports: Ports {
            modbus: Some(addr.port()),
            ..Ports::default()
        },
        mode: Some(Mode::Application),
        firmware: Some(identity.firmware),
        ..Sighting::new(identity.id, source, Utc::now())
    }
}

/// How a range scan probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    /// Addresses probed at the same time.
    pub concurrency: usize,
    /// Deadline for connect + read at one address.
    pub per_host: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            concurrency: 64,
            per_host: Duration::from_millis(400),
        }
    }
}

/// Probe every address of `range`; yields one sighting per JE08 found, as
/// they answer. Addresses that do not answer or are not JE08s are skipped.
pub fn scan(range: ScanRange, options: ScanOptions) -> impl Stream<Item = Sighting> {
    probe_range(range, options).filter_map(std::future::ready)
}

/// Probe every address of `range`; yields one item per address probed, as
/// the probes finish (`Some` for a JE08), so a caller can show progress.
pub fn probe_range(range: ScanRange, options: ScanOptions) -> impl Stream<Item = Option<Sighting>> {
    let port = range.port;
    futures::stream::iter(range.hosts())
        .map(move |ip| async move {
            let addr = SocketAddr::new(IpAddr::V4(ip), port);
            match probe_modbus(addr, options.per_host).await {
                Ok(identity) => Some(sighting_from_registers(&identity, addr, Source::Scan)),
                Err(err) => {
                    tracing::trace!("scan: {err}");
                    None
                }
            }
        })
        .buffer_unordered(options.concurrency.max(1))
}
