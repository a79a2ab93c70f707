//! The seam between the app's sessions and a transport: a [`Connector`]
//! opens a [`MeterLink`] to one meter. The Modbus client implements it; the
//! sessions and the UI only know this trait. A failure is a [`LinkError`].

mod error;

pub use self::error::LinkError;

use futures::future::BoxFuture;
use je08_net::backoff::BackoffPolicy;

use je08_client::modbus::traffic::TrafficLog;
use je08_protocol::codec::RegisterBlock;
use je08_protocol::readings::{Settings, Snapshot};
use je08_protocol::registers;
use std::sync::Arc;

/// Which energy accumulators to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnergyKind {
    /// Every kWh accumulator (ZERA_KWH).
    ActiveKwh,
    /// Every kVArh accumulator (ZERA_KVARH).
    ReactiveKvarh,
}

/// The result of writing one register during a settings write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOutcome {
    /// Register address.
    pub addr: u16,
    /// Value written.
    pub wanted: u16,
    /// Value read back, when the read-back happened.
    pub actual: Option<u16>,
}

impl FieldOutcome {
    /// The register's name from the map.
    pub fn name(&self) -> String {
        registers::label(self.addr)
    }

    /// True when the read-back equals what was written.
    pub fn confirmed(&self) -> bool {
        self.actual == Some(self.wanted)
    }
}

/// An open connection to one meter. Every call has its own deadline inside
/// the transport; an error means the link should be dropped and reopened.
pub trait MeterLink: Send {
    /// Read the whole register map.
    fn read(&mut self) -> BoxFuture<'_, Result<Snapshot, LinkError>>;
    /// Validate → write → SAVE_PARAMS → read back → compare, field by field,
    /// the registers where `wanted` differs from `base` (what the change was
    /// planned from); refused, nothing written, when another register of the
    /// settings no longer holds its `base` value.
    fn write_settings(
        &mut self,
        base: Settings,
        wanted: Settings,
    ) -> BoxFuture<'_, Result<Vec<FieldOutcome>, LinkError>>;
    /// Trigger DEFAULT_PARAMS and return the settings read back.
    fn restore_defaults(&mut self) -> BoxFuture<'_, Result<Settings, LinkError>>;
    /// Trigger ZERA_KWH or ZERA_KVARH.
    fn reset_energy(&mut self, kind: EnergyKind) -> BoxFuture<'_, Result<(), LinkError>>;
    /// The raw registers of the last [`Self::read`], when the transport
    /// has them (the registers view).
    fn registers(&self) -> Option<RegisterBlock> {
        None
    }
}

/// Opens links; shared by every session.
pub trait Connector: Send + Sync {
    /// Connect to `address` (`host` or `host:port`, Modbus TCP).
    fn connect(&self, address: String) -> BoxFuture<'static, Result<Box<dyn MeterLink>, LinkError>>;

    /// The same, recording every exchange in `traffic` (the registers
    /// view's traffic log) when the transport can.
    fn connect_traced(
        &self,
        address: String,
        traffic: Arc<TrafficLog>,
    ) -> BoxFuture<'static, Result<Box<dyn MeterLink>, LinkError>> {
        let _ = traffic;
        self.connect(address)
    }

    /// How a session paces its attempts to reach a meter it cannot reach:
    /// the transport's own reconnect policy.
    fn reconnect(&self) -> BackoffPolicy;
}
