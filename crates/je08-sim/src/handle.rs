//! [`SimDevice`]: the shared, cloneable handle on one virtual meter.
//!
//! Every protocol server (Modbus, HTTP, MQTT, OTA, mDNS) and the control
//! interface hold a clone. Access the state with [`SimDevice::with`] (a
//! short critical section on a std `Mutex`: never hold it across an await).
//! Two `watch` channels tell servers when to act:
//!
//! - [`SimDevice::subscribe_power`] publishes [`PowerState`] (online, mode,
//!   boot count): a server that runs only in some modes starts and stops
//!   itself on every change; a new `boot_count` means a reboot happened and
//!   open connections must be dropped;
//! - [`SimDevice::subscribe_faults`] publishes [`Faults`] injected by tests
//!   and the control interface (stall, refuse, drop connections, delay).
//!
//! Never call into the handle while holding a `borrow()` of either channel
//! (copy the value out first): the handle may publish on it.
//!
//! Reboots go through [`SimDevice::reboot`] and friends, which take the
//! device offline and bring it back after its reboot delay.

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::device::{ButtonOutcome, Device, Exception, RebootTicket};
use je08_protocol::codec::RegisterBlock;
use je08_protocol::http_api::Connectivity;
use je08_protocol::mode::Mode;
use je08_protocol::readings::ResetCause;

/// Whether the device runs, and in which mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PowerState {
    /// False while rebooting.
    pub online: bool,
    /// Operating mode (the target mode while offline).
    pub mode: Mode,
    /// Completed boots; changes on every reboot.
    pub boot_count: u32,
}

impl PowerState {
    /// Online in `mode`.
    pub fn serving(self, mode: Mode) -> bool {
        self.online && self.mode == mode
    }
}

/// Injected network faults, honoured by every protocol server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Faults {
    /// Accept connections and requests but never answer.
    pub stall: bool,
    /// Close the listening sockets (connections refused) until cleared.
    pub refuse: bool,
    /// Answer every request this late.
    pub delay: Option<Duration>,
    /// Incremented by [`SimDevice::drop_connections`]: servers close every
    /// open connection when it changes (listeners stay open).
    pub drop_generation: u64,
}

struct Shared {
    device: Mutex<Device>,
    power: watch::Sender<PowerState>,
    faults: watch::Sender<Faults>,
}

/// Cloneable handle on one virtual meter.
#[derive(Clone)]
pub struct SimDevice {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SimDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimDevice")
            .field("power", &*self.shared.power.borrow())
            .finish_non_exhaustive()
    }
}

fn power_of(device: &Device) -> PowerState {
    PowerState {
        online: device.online(),
        mode: device.mode(),
        boot_count: device.boot_count(),
    }
}

impl SimDevice {
    /// Share `device`.
    pub fn new(device: Device) -> Self {
        let (power, _) = watch::channel(power_of(&device));
        let (faults, _) = watch::channel(Faults::default());
        Self {
            shared: Arc::new(Shared {
                device: Mutex::new(device),
                power,
                faults,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Device> {
        // A panic while holding the lock cannot leave the state half
        // written in a way that matters more than stopping the simulator.
        self.shared
            .device
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Run `f` on the device state (keep it short; no awaits inside). Power
    /// changes made by `f` are published afterwards.
    pub fn with<R>(&self, f: impl FnOnce(&mut Device) -> R) -> R {
        let (result, power) = {
            let mut device = self.lock();
            let result = f(&mut device);
            (result, power_of(&device))
        };
        self.publish(power);
        result
    }

    fn publish(&self, state: PowerState) {
        if *self.shared.power.borrow() == state {
            return;
        }
        self.shared.power.send_if_modified(|current| {
            let changed = *current != state;
            *current = state;
            changed
        });
    }

    /// Device id.
    pub fn id(&self) -> u32 {
        self.lock().id()
    }

    /// The whole register map now.
    pub fn registers(&self) -> RegisterBlock {
        self.lock().registers(Instant::now())
    }

    /// Modbus read (functions 3/4) now.
    pub fn read(&self, start: u16, quantity: u16) -> Result<Vec<u16>, Exception> {
        self.lock().read(start, quantity, Instant::now())
    }

    /// Modbus write (functions 6/16) now, all or nothing.
    pub fn write(&self, start: u16, values: &[u16]) -> Result<(), Exception> {
        self.lock().write(start, values, Instant::now())
    }

    /// The current power state.
    pub fn power_state(&self) -> PowerState {
        *self.shared.power.borrow()
    }

    /// Follow power changes (online/offline, mode, boots).
    pub fn subscribe_power(&self) -> watch::Receiver<PowerState> {
        self.shared.power.subscribe()
    }

    /// Wait until `pred` holds for the power state, at most `timeout`.
    /// `pred` runs while the channel is borrowed: it must not call back
    /// into this handle.
    pub async fn wait_power(
        &self,
        timeout: Duration,
        mut pred: impl FnMut(&PowerState) -> bool,
    ) -> Option<PowerState> {
        let mut rx = self.subscribe_power();
        let found = tokio::time::timeout(timeout, rx.wait_for(|s| pred(s))).await;
        match found {
            Ok(Ok(state)) => Some(*state),
            _ => None,
        }
    }

    /// Commanded reboot into `into` (software reset): offline for the
    /// reboot delay, unsaved settings lost, accumulators zeroed.
    pub fn reboot(&self, into: Mode) {
        let ticket = self.with(|d| d.begin_reboot(into, ResetCause::Software, Instant::now()));
        self.schedule_boot(ticket);
    }

    /// Power cycle: power-on reset, back in application mode.
    pub fn power_cycle(&self) {
        let ticket = self.with(|d| d.begin_reboot(Mode::Application, ResetCause::PowerOn, Instant::now()));
        self.schedule_boot(ticket);
    }

    /// Factory network settings, then reboot into configuration mode.
    pub fn factory_network_reset(&self) {
        let ticket = self.with(|d| {
            d.network_saved = Connectivity::factory(d.id());
            d.begin_reboot(Mode::Configuration, ResetCause::Software, Instant::now())
        });
        self.schedule_boot(ticket);
    }

    /// Press the button for `held` and release it (no real waiting).
    pub fn press_button(&self, held: Duration) -> ButtonOutcome {
        let (outcome, ticket) = self.with(|d| d.press_button(held, Instant::now()));
        if let Some(ticket) = ticket {
            self.schedule_boot(ticket);
        }
        outcome
    }

    /// Finish the reboot of `ticket` after its delay.
    fn schedule_boot(&self, ticket: RebootTicket) {
        let weak: Weak<Shared> = Arc::downgrade(&self.shared);
        let finish = move || {
            if let Some(shared) = weak.upgrade() {
                SimDevice { shared }.with(|d| d.finish_boot(ticket.generation, Instant::now()));
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    tokio::time::sleep(ticket.delay).await;
                    finish();
                });
            }
            Err(_) => {
                std::thread::spawn(move || {
                    std::thread::sleep(ticket.delay);
                    finish();
                });
            }
        }
    }

    /// The injected faults now.
    pub fn faults(&self) -> Faults {
        *self.shared.faults.borrow()
    }

    /// Follow fault changes.
    pub fn subscribe_faults(&self) -> watch::Receiver<Faults> {
        self.shared.faults.subscribe()
    }

    fn change_faults(&self, f: impl FnOnce(&mut Faults)) {
        self.shared.faults.send_modify(f);
    }

    /// Accept but never answer (true), or answer again (false).
    pub fn set_stall(&self, on: bool) {
        self.change_faults(|f| f.stall = on);
    }

    /// Close the listeners so connections are refused (true), or reopen
    /// them on the same ports (false).
    pub fn set_refuse(&self, on: bool) {
        self.change_faults(|f| f.refuse = on);
    }

    /// Answer every request `delay` late (`None`: at once).
    pub fn set_delay(&self, delay: Option<Duration>) {
        self.change_faults(|f| f.delay = delay);
    }

    /// Close every open connection now; listeners stay open.
    pub fn drop_connections(&self) {
        self.change_faults(|f| f.drop_generation += 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::DeviceConfig;

    #[tokio::test]
    async fn reboot_goes_offline_then_back_in_the_requested_mode() {
        let mut config = DeviceConfig::new(5);
        config.reboot_delay = Duration::from_millis(50);
        let sim = SimDevice::new(Device::new(config, Instant::now()));
        let first = sim.power_state();
        assert!(first.serving(Mode::Application));
        sim.reboot(Mode::Configuration);
        assert!(!sim.power_state().online);
        let back = sim
            .wait_power(Duration::from_secs(10), |s| s.online)
            .await
            .unwrap();
        assert_eq!(back.mode, Mode::Configuration);
        assert_eq!(back.boot_count, first.boot_count + 1);
        assert_eq!(
            sim.press_button(Duration::from_secs(7)),
            ButtonOutcome::SwitchMode(Mode::Application)
        );
        let back = sim
            .wait_power(Duration::from_secs(10), |s| s.online)
            .await
            .unwrap();
        assert_eq!(back.mode, Mode::Application);
    }

    #[tokio::test]
    async fn power_cycle_sets_the_power_on_reason_and_loses_unsaved_settings() {
        let mut config = DeviceConfig::new(6);
        config.reboot_delay = Duration::from_millis(20);
        config.start_mode = Mode::Configuration;
        let sim = SimDevice::new(Device::new(config, Instant::now()));
        sim.write(je08_protocol::registers::addr::RELACAO_TC, &[300])
            .unwrap();
        sim.power_cycle();
        let back = sim
            .wait_power(Duration::from_secs(10), |s| s.online)
            .await
            .unwrap();
        assert_eq!(back.mode, Mode::Application, "power-on starts in application");
        sim.with(|d| {
            assert_eq!(d.reset_reason().causes(), vec![ResetCause::PowerOn]);
            assert_eq!(d.live_settings().ct_ratio, 100);
        });
    }
}
