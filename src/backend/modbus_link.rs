//! [`MeterLink`] over the Modbus TCP client: whole-map reads, settings
//! changes (validate → write → SAVE_PARAMS → read back → compare) and
//! energy resets, all through `je08_client`.

use crate::commissioning::journal;
use futures::future::BoxFuture;
use je08_client::journal::Origin;
use je08_net::backoff::BackoffPolicy;

use super::link::{Connector, EnergyKind, FieldOutcome, LinkError, MeterLink};
use je08_client::endpoint::Endpoint;
use je08_client::modbus::{ClientConfig, DEFAULT_PORT, ModbusClient};
use je08_client::params::{self, ApplyOptions, EnergyCounters};
use std::sync::Arc;

use je08_client::modbus::traffic::TrafficLog;
use je08_protocol::codec::{RegisterBlock, decode};
use je08_protocol::readings::{Settings, Snapshot};
use je08_protocol::validate::WritePlan;

/// Opens Modbus TCP links with the client's default deadlines.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModbusConnector;

struct ModbusLink {
    client: ModbusClient,
    /// The registers of the last read.
    last: RegisterBlock,
}

/// Open a link to `address`, recording its exchanges in `traffic` if given.
fn open(
    address: String,
    traffic: Option<Arc<TrafficLog>>,
) -> BoxFuture<'static, Result<Box<dyn MeterLink>, LinkError>> {
    Box::pin(async move {
        let endpoint = Endpoint::parse(&address, DEFAULT_PORT).map_err(LinkError::BadAddress)?;
        let mut client = ModbusClient::new(endpoint, ClientConfig::default());
        if let Some(log) = traffic {
            client = client.with_traffic(log);
        }
        let last = client.read_map().await.map_err(LinkError::Modbus)?;
        Ok(Box::new(ModbusLink { client, last }) as Box<dyn MeterLink>)
    })
}

impl Connector for ModbusConnector {
    fn connect(&self, address: String) -> BoxFuture<'static, Result<Box<dyn MeterLink>, LinkError>> {
        open(address, None)
    }

    fn connect_traced(
        &self,
        address: String,
        traffic: Arc<TrafficLog>,
    ) -> BoxFuture<'static, Result<Box<dyn MeterLink>, LinkError>> {
        open(address, Some(traffic))
    }

    fn reconnect(&self) -> BackoffPolicy {
        je08_client::modbus::RECONNECT
    }
}

impl MeterLink for ModbusLink {
    fn read(&mut self) -> BoxFuture<'_, Result<Snapshot, LinkError>> {
        Box::pin(async move {
            self.last = self.client.read_map().await.map_err(LinkError::Modbus)?;
            Ok(decode(&self.last))
        })
    }

    fn registers(&self) -> Option<RegisterBlock> {
        Some(self.last)
    }

    fn write_settings(
        &mut self,
        base: Settings,
        wanted: Settings,
    ) -> BoxFuture<'_, Result<Vec<FieldOutcome>, LinkError>> {
        Box::pin(async move {
            let plan = WritePlan::between(&base, &wanted).map_err(LinkError::Invalid)?;
            if plan.is_empty() {
                return Ok(Vec::new());
            }
            let outcome =
                params::apply_settings_from(&mut self.client, &base, &plan, ApplyOptions::default()).await;
            let address = self.client.meter().to_string();
            journal::settings(
                Origin::Window,
                &address,
                &journal::asked_settings(&plan, false),
                &outcome,
            );
            let outcome = outcome.map_err(LinkError::Params)?;
            Ok(outcome
                .fields
                .iter()
                .filter_map(|f| {
                    f.wanted.map(|wanted| FieldOutcome {
                        addr: f.addr,
                        wanted,
                        actual: Some(f.read_back),
                    })
                })
                .collect())
        })
    }

    fn restore_defaults(&mut self) -> BoxFuture<'_, Result<Settings, LinkError>> {
        Box::pin(async move {
            let options = ApplyOptions {
                restore_defaults: true,
                save: true,
            };
            let plan = WritePlan::default();
            let outcome = params::apply_settings(&mut self.client, &plan, options).await;
            let address = self.client.meter().to_string();
            journal::settings(
                Origin::Window,
                &address,
                &journal::asked_settings(&plan, true),
                &outcome,
            );
            let outcome = outcome.map_err(LinkError::Params)?;
            Ok(outcome.after)
        })
    }

    fn reset_energy(&mut self, kind: EnergyKind) -> BoxFuture<'_, Result<(), LinkError>> {
        Box::pin(async move {
            let which = EnergyCounters {
                kwh: kind == EnergyKind::ActiveKwh,
                kvarh: kind == EnergyKind::ReactiveKvarh,
            };
            let outcome = params::reset_energy(&mut self.client, which).await;
            let address = self.client.meter().to_string();
            journal::energy_reset(Origin::Window, &address, &format!("zero {kind:?}"), &outcome);
            let outcome = outcome.map_err(LinkError::Params)?;
            if outcome.is_ok() {
                Ok(())
            } else {
                Err(LinkError::NotReset {
                    meter: self.client.meter().to_string(),
                })
            }
        })
    }
}

/// The connector the app uses for real meters (Modbus TCP).
pub fn default_connector() -> std::sync::Arc<dyn Connector> {
    std::sync::Arc::new(ModbusConnector)
}
