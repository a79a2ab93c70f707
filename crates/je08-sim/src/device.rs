//! The state of one virtual JE08 (spec §1, §2): identity, firmware, mode,
//! Wi-Fi, live and saved settings, triggers, energy, reboots, button and LED.
//!
//! [`Device`] is plain synchronous state; every method that depends on time
//! takes `now` so tests control the clock. Protocol servers do not use it
//! directly but through the shared handle [`super::SimDevice`], which also
//! runs the reboot timers.
//!
//! Extension points for the other simulator servers:
//! - [`Device::network`] / [`Device::network_saved`] (connectivity block) and
//!   [`Device::protocols`] / [`Device::protocols_saved`] (protocols block),
//!   both the `http_api` types: the active block and the one applied at the
//!   next boot (a PUT in configuration mode writes the `_saved` one). A factory
//!   network reset sets `network_saved` to `Connectivity::factory`. At every
//!   boot `protocols.ds18b20.enabled` becomes the model's `sensor_enabled`;
//!   Modbus is served while `protocols.modbus.enabled` (its port is ignored:
//!   the simulator serves on the port it was given); the MQTT client
//!   connects as `protocols.mqtt` and [`Device::certs`] say at each boot into
//!   application mode;
//! - [`Device::esp_version`], [`Device::app_image_valid`] (a boot into
//!   application mode falls back to update mode while it is false),
//!   [`Device::wifi_problem`], [`Device::rssi_dbm`], [`Device::stm32_fails`],
//!   [`Device::reboot_delay`] are public knobs (with a modelled Wi-Fi,
//!   [`Radio::Air`], each boot sets `wifi_problem` from the join);
//! - [`Device::address`]: where the meter answers after this boot's Wi-Fi
//!   start ([`super::wifi`]), `None` when a station failed to join;
//! - [`Device::model_mut`] changes the physics while running.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::model::{Model, ModelParams};
use super::wifi::{Join, Radio};
use je08_protocol::codec::{self, RegisterBlock};
use je08_protocol::http_api::{CertKind, Connectivity, Protocols, Secret, WifiMode as WifiRole, WifiState};
use je08_protocol::mode::Mode;
use je08_protocol::readings::{
    DeviceStatus, Gains, Inversions, ResetCause, ResetReason, Settings, Version, WifiMode,
};
use je08_protocol::registers::{MAP_LEN, MAX_READ_QUANTITY, MAX_WRITE_QUANTITY, addr};
use je08_protocol::validate::{WriteError, validate_write};

/// A Modbus exception the device answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    /// 01: function not supported.
    IllegalFunction,
    /// 02: address outside the map, or not writable.
    IllegalDataAddress,
    /// 03: bad quantity or value out of range.
    IllegalDataValue,
}

impl Exception {
    /// The Modbus exception code.
    pub fn code(self) -> u8 {
        match self {
            Self::IllegalFunction => 1,
            Self::IllegalDataAddress => 2,
            Self::IllegalDataValue => 3,
        }
    }
}

/// LED blinks per 5 s period for a Wi-Fi state: 1 access point, 2 station
/// connected, 3 station with a problem.
pub fn led_blinks(state: WifiState) -> u8 {
    match state {
        WifiState::Ap => 1,
        WifiState::Connected => 2,
        WifiState::Failed => 3,
    }
}

/// A commissioned meter's connectivity: station on the plant network at `ip`
/// (the factory block otherwise).
pub fn station_connectivity(id: u32, ip: Ipv4Addr) -> Connectivity {
    let [a, b, c, _] = ip.octets();
    Connectivity {
        wifi_mode: WifiRole::St,
        ssid: "PLANT".to_string(),
        dhcp: false,
        ip: ip.to_string(),
        gateway: Ipv4Addr::new(a, b, c, 1).to_string(),
        dns: Ipv4Addr::new(a, b, c, 1).to_string(),
        ..Connectivity::factory(id)
    }
}

/// How a virtual meter is built.
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    /// Device id (registers 104/105).
    pub id: u32,
    /// ESP8266 firmware version (300 = 3.00).
    pub esp_version: u16,
    /// STM32 firmware version.
    pub stm32_version: u16,
    /// The physics.
    pub model: ModelParams,
    /// Noise seed.
    pub seed: u64,
    /// How long a reboot keeps the device offline.
    pub reboot_delay: Duration,
    /// Wi-Fi signal in station mode.
    pub rssi_dbm: i16,
    /// Connectivity settings at power-on.
    pub network: Connectivity,
    /// Protocol settings at power-on.
    pub protocols: Protocols,
    /// MQTT TLS material in the certificate slots at power-on (PEM).
    pub certs: HashMap<CertKind, Secret>,
    /// Saved metering settings at power-on.
    pub settings: Settings,
    /// Mode at first power-on (a real meter always starts in application).
    pub start_mode: Mode,
    /// The Wi-Fi the meter finds at each boot.
    pub radio: Radio,
}

impl DeviceConfig {
    /// A commissioned meter with id `id` at 127.0.0.1 with default settings.
    pub fn new(id: u32) -> Self {
        Self {
            id,
            esp_version: 300,
            stm32_version: 300,
            model: ModelParams::default(),
            seed: u64::from(id),
            reboot_delay: Duration::from_secs(3),
            rssi_dbm: -58,
            network: station_connectivity(id, Ipv4Addr::LOCALHOST),
            protocols: Protocols::factory(id),
            certs: HashMap::new(),
            settings: Settings::factory(),
            start_mode: Mode::Application,
            radio: Radio::Fixed(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        }
    }
}

/// What a button press does on release (spec §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "action", content = "mode")]
pub enum ButtonOutcome {
    /// Held under 5 s.
    Nothing,
    /// Held 5–20 s: reboot into the other of application / configuration.
    SwitchMode(Mode),
    /// Held over 20 s: factory network settings, reboot into configuration.
    FactoryNetworkReset,
}

/// Shortest press that switches modes.
pub const BUTTON_SWITCH: Duration = Duration::from_secs(5);
/// Presses longer than this reset the network settings.
pub const BUTTON_FACTORY: Duration = Duration::from_secs(20);

/// The outcome of releasing the button after `held` in `mode`.
pub fn button_outcome(held: Duration, mode: Mode) -> ButtonOutcome {
    if held < BUTTON_SWITCH {
        ButtonOutcome::Nothing
    } else if held <= BUTTON_FACTORY {
        ButtonOutcome::SwitchMode(match mode {
            Mode::Application => Mode::Configuration,
            Mode::Configuration | Mode::Update => Mode::Application,
        })
    } else {
        ButtonOutcome::FactoryNetworkReset
    }
}

/// The LED while the button has been held for `elapsed`: on, off from 5 s,
/// on again (and staying on) after 20 s.
pub fn led_while_held(elapsed: Duration) -> bool {
    !(BUTTON_SWITCH..=BUTTON_FACTORY).contains(&elapsed)
}

/// The status LED's repeating pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LedPattern {
    /// Device off or rebooting.
    Off,
    /// Application mode: `count` short on-pulses per 5 s period.
    Blinks {
        /// Pulses per period.
        count: u8,
    },
    /// Configuration mode: LED on, `count` short off-pulses per period.
    InvertedBlinks {
        /// Pulses per period.
        count: u8,
    },
    /// Update mode: 3 s on, 3 s off.
    Update,
}

/// Blink period in application and configuration mode.
pub const LED_PERIOD: Duration = Duration::from_secs(5);
/// Length of one short pulse.
pub const LED_PULSE: Duration = Duration::from_millis(200);
/// Pulse start to next pulse start.
pub const LED_PULSE_PITCH: Duration = Duration::from_millis(500);
/// Update mode half period.
pub const LED_UPDATE_HALF: Duration = Duration::from_secs(3);

impl LedPattern {
    /// The LED (true = lit) at `t` after the pattern started (the boot).
    pub fn state_at(self, t: Duration) -> bool {
        let in_pulse = |count: u8| {
            let phase = t.as_millis() % LED_PERIOD.as_millis();
            let n = phase / LED_PULSE_PITCH.as_millis();
            n < u128::from(count) && phase % LED_PULSE_PITCH.as_millis() < LED_PULSE.as_millis()
        };
        match self {
            Self::Off => false,
            Self::Blinks { count } => in_pulse(count),
            Self::InvertedBlinks { count } => !in_pulse(count),
            Self::Update => t.as_millis() % (2 * LED_UPDATE_HALF.as_millis()) < LED_UPDATE_HALF.as_millis(),
        }
    }
}

/// A pending end of reboot: the handle sleeps `delay` then calls
/// [`Device::finish_boot`] with this generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebootTicket {
    /// Identifies this reboot; a later reboot makes it stale.
    pub generation: u64,
    /// Offline time.
    pub delay: Duration,
}

/// The virtual meter's state.
#[derive(Debug)]
pub struct Device {
    id: u32,
    /// ESP8266 firmware version (ESP_VERSION); an update changes it.
    pub esp_version: u16,
    /// STM32 firmware version (STM32_VERSION).
    pub stm32_version: u16,
    /// False while the application image is broken (interrupted update):
    /// boots into application mode end in update mode instead.
    pub app_image_valid: bool,
    /// Active connectivity settings.
    pub network: Connectivity,
    /// Connectivity settings applied at the next boot.
    pub network_saved: Connectivity,
    /// Active protocol settings (Modbus enabled, MQTT, DS18B20).
    pub protocols: Protocols,
    /// Protocol settings applied at the next boot.
    pub protocols_saved: Protocols,
    /// MQTT TLS material stored over `/api/certs` (PEM, write-only; kept
    /// across reboots like the flash it lives in).
    pub certs: HashMap<CertKind, Secret>,
    /// In station mode: the connection fails (wrong SSID/password, no lease).
    pub wifi_problem: bool,
    /// Wi-Fi signal while connected as a station.
    pub rssi_dbm: i16,
    /// ESP ⇄ STM32 communication errors reported in STM32_FAILS.
    pub stm32_fails: u16,
    /// How long a reboot keeps the device offline.
    pub reboot_delay: Duration,
    radio: Radio,
    join: Join,
    mode: Mode,
    online: bool,
    boot_count: u32,
    generation: u64,
    pending_mode: Mode,
    booted_at: Instant,
    last_tick: Instant,
    reset_reason: u16,
    live: Settings,
    saved: Settings,
    triggers: [u16; 4],
    model: Model,
}

const TRIGGERS: [u16; 4] = [
    addr::SAVE_PARAMS,
    addr::DEFAULT_PARAMS,
    addr::ZERA_KVARH,
    addr::ZERA_KWH,
];

impl Device {
    /// A device just powered on at `now` (online at once, power-on reset).
    pub fn new(config: DeviceConfig, now: Instant) -> Self {
        let mut device = Self {
            id: config.id,
            esp_version: config.esp_version,
            stm32_version: config.stm32_version,
            app_image_valid: true,
            network: config.network.clone(),
            network_saved: config.network,
            protocols: config.protocols.clone(),
            protocols_saved: config.protocols,
            certs: config.certs,
            wifi_problem: false,
            rssi_dbm: config.rssi_dbm,
            stm32_fails: 0,
            reboot_delay: config.reboot_delay,
            radio: config.radio,
            join: Join::Failed,
            mode: config.start_mode,
            online: false,
            boot_count: 0,
            generation: 0,
            pending_mode: config.start_mode,
            booted_at: now,
            last_tick: now,
            reset_reason: ResetCause::PowerOn.bit(),
            live: config.settings,
            saved: config.settings,
            triggers: [0; 4],
            model: Model::new(config.model, config.seed),
        };
        device.finish_boot(0, now);
        device
    }

    /// Device id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// MAC address: Espressif OUI 5C:CF:7F + the low 24 bits of the id.
    pub fn mac(&self) -> [u8; 6] {
        let [_, a, b, c] = self.id.to_be_bytes();
        [0x5C, 0xCF, 0x7F, a, b, c]
    }

    /// MAC as `XX:XX:XX:XX:XX:XX`.
    pub fn mac_string(&self) -> String {
        self.mac().map(|b| format!("{b:02X}")).join(":")
    }

    /// Device name (from the active network settings).
    pub fn name(&self) -> &str {
        &self.network.device_name
    }

    /// Modbus TCP enabled in the active protocol settings.
    pub fn modbus_enabled(&self) -> bool {
        self.protocols.modbus.enabled
    }

    /// Current operating mode (the target mode while rebooting).
    pub fn mode(&self) -> Mode {
        if self.online { self.mode } else { self.pending_mode }
    }

    /// True while running; false during a reboot.
    pub fn online(&self) -> bool {
        self.online
    }

    /// Completed boots since power-on of the simulator (first boot = 1).
    pub fn boot_count(&self) -> u32 {
        self.boot_count
    }

    /// RESET_REASON register value.
    pub fn reset_reason(&self) -> ResetReason {
        ResetReason(self.reset_reason)
    }

    /// Settings in effect (registers 9–19).
    pub fn live_settings(&self) -> Settings {
        self.live
    }

    /// Settings that survive a reboot.
    pub fn saved_settings(&self) -> Settings {
        self.saved
    }

    /// Store the CT block of the HTTP API (RELACAO_TC, INVERTE_TC_FASE_A/B/C)
    /// as saved settings: it becomes live at the next boot.
    pub fn save_ct(&mut self, ratio: u16, invert: Inversions) {
        self.saved.ct_ratio = ratio;
        self.saved.invert = invert;
    }

    /// The measurement model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The measurement model, to change the physics while running.
    pub fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    /// Where the meter answers after this boot's Wi-Fi start; `None` when
    /// a station could not join its network.
    pub fn address(&self) -> Option<IpAddr> {
        self.join.address()
    }

    /// The IP address the meter reports (`/api/info`, MQTT INFO): its lease
    /// as a station on a modelled network, else the connectivity block's.
    pub fn reported_ip(&self) -> String {
        match (&self.radio, self.join) {
            (Radio::Air(_), Join::Station(ip)) => ip.to_string(),
            _ => self.network.ip.clone(),
        }
    }

    /// Wi-Fi state derived from the active settings.
    pub fn wifi_state(&self) -> WifiState {
        match (self.network.wifi_mode, self.wifi_problem) {
            (WifiRole::Ap, _) => WifiState::Ap,
            (WifiRole::St, false) => WifiState::Connected,
            (WifiRole::St, true) => WifiState::Failed,
        }
    }

    /// WIFI_RSSI: the signal when connected, −100 with a station problem,
    /// 0 as an access point.
    pub fn rssi(&self) -> i16 {
        match self.wifi_state() {
            WifiState::Ap => 0,
            WifiState::Connected => self.rssi_dbm,
            WifiState::Failed => -100,
        }
    }

    /// Seconds since the last boot.
    pub fn uptime(&self, now: Instant) -> Duration {
        if self.online {
            now.saturating_duration_since(self.booted_at)
        } else {
            Duration::ZERO
        }
    }

    /// Bring the model up to `now` (energy, sensor errors). Called by every
    /// reader and writer; harmless to call more often.
    pub fn tick(&mut self, now: Instant) {
        if !self.online {
            return;
        }
        let dt = now.saturating_duration_since(self.last_tick);
        if !dt.is_zero() {
            self.model.advance(dt, &self.live);
            self.last_tick = now;
        }
    }

    /// The identity and health registers as typed values.
    pub fn status(&self, now: Instant) -> DeviceStatus {
        DeviceStatus {
            id: self.id,
            esp_version: Version(self.esp_version),
            stm32_version: Version(self.stm32_version),
            uptime_s: u32::try_from(self.uptime(now).as_secs()).unwrap_or(u32::MAX),
            wifi_mode: match self.network.wifi_mode {
                WifiRole::St => WifiMode::Station,
                WifiRole::Ap => WifiMode::AccessPoint,
            },
            rssi_dbm: self.rssi(),
            reset_reason: self.reset_reason(),
            stm32_fails: self.stm32_fails,
        }
    }

    /// The whole register map at `now`.
    pub fn registers(&mut self, now: Instant) -> RegisterBlock {
        self.tick(now);
        let mut block = RegisterBlock::default();
        codec::encode_device(&mut block, &self.status(now));
        let measurements = self.model.measure(&self.live);
        codec::encode_measurements(&mut block, &measurements);
        codec::encode_settings(&mut block, &self.live);
        for (a, value) in TRIGGERS.into_iter().zip(self.triggers) {
            block.set(a, value);
        }
        block
    }

    /// Function 3/4: `quantity` registers from `start`.
    pub fn read(&mut self, start: u16, quantity: u16, now: Instant) -> Result<Vec<u16>, Exception> {
        if quantity == 0 || quantity > MAX_READ_QUANTITY {
            return Err(Exception::IllegalDataValue);
        }
        let end = u32::from(start) + u32::from(quantity);
        if end > u32::from(MAP_LEN) {
            return Err(Exception::IllegalDataAddress);
        }
        let block = self.registers(now);
        Ok(block.0[usize::from(start)..end as usize].to_vec())
    }

    /// Function 6/16: write `values` from `start`, all or nothing.
    ///
    /// Quantity 0 or over 123 → 03; any address past the map, read-only or
    /// reserved → 02; any value out of range → 03; nothing changes on error.
    pub fn write(&mut self, start: u16, values: &[u16], now: Instant) -> Result<(), Exception> {
        if values.is_empty() || values.len() > usize::from(MAX_WRITE_QUANTITY) {
            return Err(Exception::IllegalDataValue);
        }
        let checks: Vec<Result<u16, WriteError>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| match u16::try_from(usize::from(start) + i) {
                Ok(a) => validate_write(a, i64::from(*v)),
                Err(_) => Err(WriteError::NoSuchRegister { addr: u16::MAX }),
            })
            .collect();
        let address_error = |e: &WriteError| {
            matches!(
                e,
                WriteError::NoSuchRegister { .. } | WriteError::NotWritable { .. }
            )
        };
        if checks.iter().any(|c| c.as_ref().is_err_and(address_error)) {
            return Err(Exception::IllegalDataAddress);
        }
        if checks.iter().any(Result::is_err) {
            return Err(Exception::IllegalDataValue);
        }
        self.tick(now);
        for (i, value) in values.iter().enumerate() {
            self.apply(start + i as u16, *value);
        }
        Ok(())
    }

    fn apply(&mut self, a: u16, value: u16) {
        if let Some(slot) = TRIGGERS.iter().position(|t| *t == a) {
            let fired = self.triggers[slot] != value;
            self.triggers[slot] = value;
            if fired {
                self.fire(a);
            }
            return;
        }
        let mut block = RegisterBlock::default();
        codec::encode_settings(&mut block, &self.live);
        block.set(a, value);
        self.live = codec::decode_settings(&block);
    }

    fn fire(&mut self, trigger: u16) {
        match trigger {
            addr::SAVE_PARAMS => self.saved = self.live,
            addr::DEFAULT_PARAMS => self.live.gains = Gains::factory(),
            addr::ZERA_KVARH => self.model.zero_kvarh(),
            addr::ZERA_KWH => self.model.zero_kwh(),
            _ => {}
        }
    }

    /// Zero the four kWh accumulators (ZERA_KWH, MQTT `{"RST":"KWH"}`).
    pub fn zero_kwh(&mut self, now: Instant) {
        self.tick(now);
        self.model.zero_kwh();
    }

    /// Zero the four kVArh accumulators.
    pub fn zero_kvarh(&mut self, now: Instant) {
        self.tick(now);
        self.model.zero_kvarh();
    }

    /// Start a reboot into `into` for `cause`: the device goes offline,
    /// unsaved settings are lost and the accumulators zeroed. The caller
    /// must call [`Self::finish_boot`] after the ticket's delay.
    pub fn begin_reboot(&mut self, into: Mode, cause: ResetCause, now: Instant) -> RebootTicket {
        self.tick(now);
        self.online = false;
        self.generation += 1;
        self.pending_mode = into;
        self.reset_reason = cause.bit();
        self.live = self.saved;
        self.triggers = [0; 4];
        self.model.restart();
        RebootTicket {
            generation: self.generation,
            delay: self.reboot_delay,
        }
    }

    /// End the reboot of `generation` (stale generations are ignored):
    /// online again in the requested mode (update mode if the application
    /// image is invalid), saved network settings active, uptime from 0.
    /// Returns whether the boot happened.
    pub fn finish_boot(&mut self, generation: u64, now: Instant) -> bool {
        if self.online || generation != self.generation {
            return false;
        }
        self.mode = match self.pending_mode {
            Mode::Application if !self.app_image_valid => Mode::Update,
            other => other,
        };
        self.pending_mode = self.mode;
        self.network = self.network_saved.clone();
        self.join = self.radio.join(&self.network);
        if let Radio::Air(_) = self.radio {
            self.wifi_problem = self.join == Join::Failed;
        }
        self.protocols = self.protocols_saved.clone();
        self.model.params_mut().sensor_enabled = self.protocols.ds18b20.enabled;
        self.online = true;
        self.boot_count += 1;
        self.booted_at = now;
        self.last_tick = now;
        self.model.restart();
        true
    }

    /// Release the button after `held`: apply the documented outcome.
    /// Returns the outcome and, when it reboots, the ticket to finish it.
    pub fn press_button(&mut self, held: Duration, now: Instant) -> (ButtonOutcome, Option<RebootTicket>) {
        let outcome = button_outcome(held, self.mode());
        let ticket = match outcome {
            ButtonOutcome::Nothing => None,
            ButtonOutcome::SwitchMode(mode) => Some(self.begin_reboot(mode, ResetCause::Software, now)),
            ButtonOutcome::FactoryNetworkReset => {
                self.network_saved = Connectivity::factory(self.id);
                Some(self.begin_reboot(Mode::Configuration, ResetCause::Software, now))
            }
        };
        (outcome, ticket)
    }

    /// The status LED pattern now.
    pub fn led_pattern(&self) -> LedPattern {
        if !self.online {
            return LedPattern::Off;
        }
        let count = led_blinks(self.wifi_state());
        match self.mode {
            Mode::Application => LedPattern::Blinks { count },
            Mode::Configuration => LedPattern::InvertedBlinks { count },
            Mode::Update => LedPattern::Update,
        }
    }

    /// The status LED (true = lit) at `now`.
    pub fn led_state_at(&self, now: Instant) -> bool {
        self.led_pattern().state_at(self.uptime(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::codec::decode;
    use je08_protocol::validate::trigger_value;

    fn device() -> (Device, Instant) {
        let now = Instant::now();
        let mut config = DeviceConfig::new(0x0012_D687);
        config.model.time_scale = 3600.0;
        (Device::new(config, now), now)
    }

    #[test]
    fn powers_on_online_in_application_with_power_on_reason() {
        let (mut d, t0) = device();
        assert!(d.online() && d.mode() == Mode::Application && d.boot_count() == 1);
        let s = decode(&d.registers(t0 + Duration::from_secs(3)));
        assert_eq!(s.device.id, 0x0012_D687);
        assert_eq!(s.device.uptime_s, 3);
        assert_eq!(s.device.reset_reason.causes(), vec![ResetCause::PowerOn]);
        assert_eq!(s.device.esp_version, Version(300));
        assert_eq!(s.settings, Settings::factory());
        assert_eq!(d.mac_string(), "5C:CF:7F:12:D6:87");
        assert_eq!(Connectivity::factory(d.id()).ssid, "BIN_D687");
    }

    #[test]
    fn reads_follow_the_modbus_rules() {
        let (mut d, t0) = device();
        assert_eq!(d.read(0, 110, t0).map(|v| v.len()), Ok(110));
        assert_eq!(d.read(109, 1, t0).map(|v| v.len()), Ok(1));
        assert_eq!(d.read(0, 0, t0), Err(Exception::IllegalDataValue));
        assert_eq!(d.read(0, 126, t0), Err(Exception::IllegalDataValue));
        assert_eq!(d.read(100, 11, t0), Err(Exception::IllegalDataAddress));
        assert_eq!(d.read(110, 1, t0), Err(Exception::IllegalDataAddress));
        assert_eq!(d.read(0, 125, t0), Err(Exception::IllegalDataAddress));
    }

    #[test]
    fn writes_follow_the_modbus_rules_and_are_all_or_nothing() {
        let (mut d, t0) = device();
        let before = d.live_settings();
        assert_eq!(d.write(10, &[], t0), Err(Exception::IllegalDataValue));
        assert_eq!(d.write(10, &[1000; 124], t0), Err(Exception::IllegalDataValue));
        assert_eq!(d.write(61, &[1], t0), Err(Exception::IllegalDataAddress));
        assert_eq!(d.write(3, &[0], t0), Err(Exception::IllegalDataAddress));
        assert_eq!(d.write(110, &[0], t0), Err(Exception::IllegalDataAddress));
        assert_eq!(d.write(19, &[0, 0], t0), Err(Exception::IllegalDataAddress));
        assert_eq!(d.write(10, &[1600], t0), Err(Exception::IllegalDataValue));
        assert_eq!(d.write(16, &[10], t0), Err(Exception::IllegalDataValue));
        assert_eq!(d.write(17, &[2], t0), Err(Exception::IllegalDataValue));
        assert_eq!(
            d.write(10, &[1100, 1200, 9999], t0),
            Err(Exception::IllegalDataValue)
        );
        assert_eq!(d.live_settings(), before);
        assert_eq!(d.write(16, &[200, 0, 1, 0], t0), Ok(()));
        let s = d.live_settings();
        assert_eq!((s.ct_ratio, s.invert.b), (200, true));
    }

    #[test]
    fn save_survives_reboot_and_unsaved_is_lost() {
        let (mut d, t0) = device();
        d.write(addr::RELACAO_TC, &[150], t0).unwrap();
        d.write(addr::SAVE_PARAMS, &[trigger_value(0)], t0).unwrap();
        d.write(addr::GANHO_TENSAO_A, &[1100], t0).unwrap();
        let ticket = d.begin_reboot(Mode::Application, ResetCause::Software, t0);
        assert!(!d.online());
        assert!(!d.finish_boot(ticket.generation + 1, t0), "stale ticket");
        assert!(d.finish_boot(ticket.generation, t0 + ticket.delay));
        let s = d.live_settings();
        assert_eq!((s.ct_ratio, s.gains.voltage.a), (150, 1000));
        assert_eq!(d.reset_reason().causes(), vec![ResetCause::Software]);
        assert_eq!(d.boot_count(), 2);
    }

    #[test]
    fn triggers_fire_on_change_only() {
        let (mut d, t0) = device();
        let t1 = t0 + Duration::from_secs(10);
        d.registers(t1);
        assert!(d.model().energy().kwh[3] > 0.0);
        d.write(addr::ZERA_KWH, &[0], t1).unwrap(); // same value: no fire
        assert!(d.model().energy().kwh[3] > 0.0);
        d.write(addr::ZERA_KWH, &[5], t1).unwrap();
        assert_eq!(d.model().energy().kwh, [0.0; 4]);
        assert!(d.model().energy().kvarh[3] > 0.0);
        assert_eq!(d.registers(t1).get(addr::ZERA_KWH), 5);
        d.write(addr::ZERA_KVARH, &[1], t1).unwrap();
        assert_eq!(d.model().energy().kvarh, [0.0; 4]);
        d.write(addr::GANHO_CORRENTE_C, &[900], t1).unwrap();
        d.write(addr::DEFAULT_PARAMS, &[1], t1).unwrap();
        assert_eq!(d.live_settings().gains, Gains::factory());
    }

    #[test]
    fn button_outcomes_and_led_while_held() {
        use ButtonOutcome::*;
        let app = Mode::Application;
        assert_eq!(button_outcome(Duration::from_secs(4), app), Nothing);
        assert_eq!(
            button_outcome(Duration::from_secs(10), app),
            SwitchMode(Mode::Configuration)
        );
        assert_eq!(
            button_outcome(Duration::from_secs(10), Mode::Configuration),
            SwitchMode(Mode::Application)
        );
        assert_eq!(button_outcome(Duration::from_secs(25), app), FactoryNetworkReset);
        assert!(led_while_held(Duration::from_secs(1)));
        assert!(!led_while_held(Duration::from_secs(6)));
        assert!(led_while_held(Duration::from_secs(21)));
    }

    #[test]
    fn factory_reset_by_button_boots_configuration_in_ap_mode() {
        let (mut d, t0) = device();
        let (outcome, ticket) = d.press_button(Duration::from_secs(25), t0);
        assert_eq!(outcome, ButtonOutcome::FactoryNetworkReset);
        assert_eq!(d.led_pattern(), LedPattern::Off);
        let ticket = ticket.unwrap();
        d.finish_boot(ticket.generation, t0);
        assert_eq!(d.mode(), Mode::Configuration);
        assert_eq!(d.network, Connectivity::factory(d.id()));
        assert_eq!(d.wifi_state(), WifiState::Ap);
        assert_eq!(d.led_pattern(), LedPattern::InvertedBlinks { count: 1 });
    }

    #[test]
    fn led_patterns_over_a_period() {
        let ms = Duration::from_millis;
        let two = LedPattern::Blinks { count: 2 };
        let lit: Vec<bool> = [0, 100, 300, 600, 900, 1100, 4000, 5100]
            .into_iter()
            .map(|t| two.state_at(ms(t)))
            .collect();
        assert_eq!(lit, [true, true, false, true, false, false, false, true]);
        let inv = LedPattern::InvertedBlinks { count: 3 };
        assert!(!inv.state_at(ms(1100)) && inv.state_at(ms(1300)) && inv.state_at(ms(3000)));
        assert!(LedPattern::Update.state_at(ms(2900)) && !LedPattern::Update.state_at(ms(3100)));
        assert!(LedPattern::Update.state_at(ms(6100)));
    }

    #[test]
    fn invalid_application_image_falls_back_to_update() {
        let (mut d, t0) = device();
        d.app_image_valid = false;
        let ticket = d.begin_reboot(Mode::Application, ResetCause::Software, t0);
        d.finish_boot(ticket.generation, t0);
        assert_eq!(d.mode(), Mode::Update);
        assert_eq!(d.led_pattern(), LedPattern::Update);
    }
}
