//! mDNS advertising of simulated meters (spec §6), on the loopback interface
//! only: nothing the simulator does ever multicasts onto a real network.
//!
//! One [`MdnsAdvertiser`] (one mDNS daemon) per process serves every meter;
//! [`follow`] keeps one meter's advertisement in step with its state and
//! withdraws it when the meter stops.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mdns_sd::{IfKind, ServiceDaemon, ServiceInfo};
use tokio::sync::watch;

use super::handle::{PowerState, SimDevice};
use je08_protocol::discovery::{Advert, host_name, instance_name};

/// How long a daemon command may wait for room in the daemon's queue, and
/// how long a withdrawal waits for its confirmation.
const COMMAND_DEADLINE: Duration = Duration::from_secs(2);

/// Pause between withdrawing a meter's advert and announcing it again
/// (browsers drop goodbye records one second after receiving them, and a
/// record is not multicast twice within one second).
pub const REANNOUNCE_GAP: Duration = Duration::from_secs(2);

/// Why advertising failed.
#[derive(Debug, thiserror::Error)]
pub enum AdvertiseError {
    /// The mDNS daemon could not start or refused a command.
    #[error("mDNS advertising of meter {id}: {message}")]
    Daemon {
        /// The meter (0 when starting the daemon).
        id: u32,
        /// What the daemon said.
        message: String,
    },
}

/// Advertises simulated meters over mDNS on loopback.
pub struct MdnsAdvertiser {
    daemon: ServiceDaemon,
    state: Mutex<Registrations>,
}

/// What the daemon currently advertises, per meter id.
#[derive(Debug, Default)]
struct Registrations {
    /// Registered service full names.
    registered: HashMap<u32, Vec<String>>,
    /// When each meter's last advert was withdrawn.
    withdrawn_at: HashMap<u32, Instant>,
}

impl std::fmt::Debug for MdnsAdvertiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MdnsAdvertiser").finish_non_exhaustive()
    }
}

impl MdnsAdvertiser {
    /// Start an mDNS daemon restricted to the IPv4 loopback interface.
    pub fn loopback() -> Result<Arc<Self>, AdvertiseError> {
        let failed = |err: mdns_sd::Error| AdvertiseError::Daemon {
            id: 0,
            message: err.to_string(),
        };
        let daemon = ServiceDaemon::new().map_err(failed)?;
        daemon.disable_interface(IfKind::All).map_err(failed)?;
        daemon.enable_interface(IfKind::LoopbackV4).map_err(failed)?;
        Ok(Arc::new(Self {
            daemon,
            state: Mutex::new(Registrations::default()),
        }))
    }

    fn state(&self) -> MutexGuard<'_, Registrations> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Advertise `advert` at `ip`, replacing what this meter advertised
    /// before. A change is a withdrawal (goodbye packets) followed, after
    /// [`REANNOUNCE_GAP`], by a fresh registration: a goodbye for one service
    /// also retires the host's address record, and browsers only take the
    /// fresh records as new once the goodbye has expired — much like a real
    /// meter rebooting into another mode.
    pub async fn publish(&self, ip: Ipv4Addr, advert: &Advert) -> Result<(), AdvertiseError> {
        let failed = |message: String| AdvertiseError::Daemon {
            id: advert.id,
            message,
        };
        let mut infos = Vec::new();
        for service in advert.services() {
            let mut info = ServiceInfo::new(
                service.service_type,
                &instance_name(advert.id),
                &host_name(advert.id),
                IpAddr::V4(ip),
                service.port,
                service.txt.as_slice(),
            )
            .map_err(|err| failed(err.to_string()))?;
            // The name is unique by construction (the device id). Probing
            // would also mistake this daemon's own records from before a
            // mode change for a rival and rename the meter.
            info.set_requires_probe(false);
            infos.push(info);
        }
        self.withdraw(advert.id).await?;
        let withdrawn_at = self.state().withdrawn_at.get(&advert.id).copied();
        if let Some(at) = withdrawn_at {
            tokio::time::sleep_until((at + REANNOUNCE_GAP).into()).await;
        }
        for info in infos {
            let name = info.get_fullname().to_owned();
            retry_again(|| self.daemon.register(info.clone()))
                .await
                .map_err(|err| failed(err.to_string()))?;
            self.state().registered.entry(advert.id).or_default().push(name);
        }
        Ok(())
    }

    /// Withdraw every service of meter `id` (goodbye packets); no-op if none.
    pub async fn withdraw(&self, id: u32) -> Result<(), AdvertiseError> {
        let names = self.state().registered.remove(&id).unwrap_or_default();
        if names.is_empty() {
            return Ok(());
        }
        for name in names {
            let status = retry_again(|| self.daemon.unregister(&name))
                .await
                .map_err(|err| AdvertiseError::Daemon {
                    id,
                    message: err.to_string(),
                })?;
            // The daemon answers once the goodbye is queued; a missing answer
            // only means the daemon is going away, which withdraws it anyway.
            let _ = tokio::time::timeout(COMMAND_DEADLINE, status.recv_async()).await;
        }
        self.state().withdrawn_at.insert(id, Instant::now());
        Ok(())
    }

    /// Withdraw every meter and stop the daemon.
    pub async fn shutdown(&self) {
        let ids: Vec<u32> = self.state().registered.keys().copied().collect();
        for id in ids {
            if let Err(err) = self.withdraw(id).await {
                tracing::warn!("{err}");
            }
        }
        if let Ok(status) = self.daemon.shutdown() {
            let _ = tokio::time::timeout(COMMAND_DEADLINE, status.recv_async()).await;
        }
    }
}

/// Run a daemon command, retrying while its queue is full, within [`COMMAND_DEADLINE`].
async fn retry_again<T>(mut command: impl FnMut() -> Result<T, mdns_sd::Error>) -> Result<T, mdns_sd::Error> {
    let deadline = tokio::time::Instant::now() + COMMAND_DEADLINE;
    let mut pause = Duration::from_millis(2);
    loop {
        match command() {
            Err(mdns_sd::Error::Again) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// Keep a meter's advertisement in step with `state`: publish what
/// `to_advert` makes of it (an advert and the IPv4 address it is at), re-publish whenever that changes (a mode change
/// withdraws and re-announces), withdraw while it is `None` (meter offline,
/// rebooting), and withdraw for good when `stop` completes or the sender is
/// dropped.
pub async fn follow<T: Clone>(
    advertiser: Arc<MdnsAdvertiser>,
    mut state: watch::Receiver<T>,
    stop: impl Future<Output = ()>,
    to_advert: impl Fn(&T) -> Option<(Ipv4Addr, Advert)>,
) {
    let mut stop = std::pin::pin!(stop);
    let mut current: Option<(Ipv4Addr, Advert)> = None;
    let mut id = None;
    loop {
        // Copy the state out first: `to_advert` may take other locks.
        let value = state.borrow_and_update().clone();
        let advert = to_advert(&value);
        if advert != current {
            let outcome = match &advert {
                Some((ip, advert)) => {
                    id = Some(advert.id);
                    advertiser.publish(*ip, advert).await
                }
                None => match id {
                    Some(id) => advertiser.withdraw(id).await,
                    None => Ok(()),
                },
            };
            if let Err(err) = outcome {
                tracing::warn!("{err}");
            }
            current = advert;
        }
        tokio::select! {
            changed = state.changed() => if changed.is_err() { break },
            () = &mut stop => break,
        }
    }
    if let Some(id) = id
        && let Err(err) = advertiser.withdraw(id).await
    {
        tracing::warn!("{err}");
    }
}

/// Ports a simulated meter serves, for its advert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvertPorts {
    /// HTTP API, if served.
    pub http: Option<u16>,
    /// Modbus TCP.
    pub modbus: u16,
    /// espota (UDP), if served.
    pub ota: Option<u16>,
}

/// The advert of a simulated meter right now and the address it answers
/// at; `None` while it reboots or answers nowhere, or at an IPv6 address.
pub fn device_advert(
    device: &SimDevice,
    power: PowerState,
    ports: AdvertPorts,
) -> Option<(Ipv4Addr, Advert)> {
    if !power.online {
        return None;
    }
    let (ip, name, mac, firmware, modbus_enabled) = device.with(|d| {
        let status = d.status(std::time::Instant::now());
        (
            d.address(),
            d.name().to_owned(),
            d.mac_string(),
            status.esp_version,
            d.modbus_enabled(),
        )
    });
    let Some(IpAddr::V4(ip)) = ip else {
        return None;
    };
    Some((
        ip,
        Advert {
            id: device.id(),
            mac,
            mode: power.mode,
            firmware,
            name,
            modbus_enabled,
            http_port: ports.http,
            modbus_port: ports.modbus,
            ota_port: ports.ota,
        },
    ))
}

/// One simulated meter's advertisement, following its power state and mode.
#[derive(Debug)]
pub struct MeterAdvert {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl MeterAdvert {
    /// Advertise `device` at the address of each boot's Wi-Fi start through
    /// `advertiser` until [`MeterAdvert::shutdown`].
    pub fn spawn(advertiser: Arc<MdnsAdvertiser>, device: SimDevice, ports: AdvertPorts) -> Self {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let power = device.subscribe_power();
        let task = tokio::spawn(async move {
            let stopped = async {
                let _ = stopped.await;
            };
            follow(advertiser, power, stopped, |state| {
                device_advert(&device, *state, ports)
            })
            .await;
        });
        Self { stop, task }
    }

    /// Withdraw the advert (goodbye packets sent) and stop following.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        if let Err(err) = self.task.await {
            tracing::warn!("mDNS advert task failed: {err}");
        }
    }
}
