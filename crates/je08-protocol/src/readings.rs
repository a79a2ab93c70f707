//! The typed readings model shared by Modbus, MQTT, the UI and reports.
//!
//! Values are in engineering units; the JSON field names carry the unit
//! (`voltage_v`, `active_power_kw`, …) and are the `je08 read --json` format.
//! Which register carries each measured quantity is stated once, next to
//! [`Measurements`], and the codec reads and writes through that binding.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer, ser::SerializeStruct};

use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;

use super::registers::addr;

/// One value per phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PerPhase {
    /// Phase A.
    pub a: f64,
    /// Phase B.
    pub b: f64,
    /// Phase C.
    pub c: f64,
}

impl PerPhase {
    /// The three values in phase order.
    pub fn to_array(self) -> [f64; 3] {
        [self.a, self.b, self.c]
    }

    /// Build from values in phase order.
    pub fn from_array([a, b, c]: [f64; 3]) -> Self {
        Self { a, b, c }
    }
}

/// One value per phase plus the three-phase total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PerPhaseTotal {
    /// Phase A.
    pub a: f64,
    /// Phase B.
    pub b: f64,
    /// Phase C.
    pub c: f64,
    /// Three-phase total (for PF: P_T / S_T).
    pub total: f64,
}

impl PerPhaseTotal {
    /// The per-phase values in phase order (without the total).
    pub fn phases(self) -> [f64; 3] {
        [self.a, self.b, self.c]
    }
}

/// Line-to-line voltages and their mean.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LineVoltages {
    /// Between terminals VA and VB.
    pub ab: f64,
    /// Between VB and VC.
    pub bc: f64,
    /// Between VC and VA.
    pub ca: f64,
    /// Mean of the three.
    pub mean: f64,
}

/// Everything the meter measures, as published by both Modbus and MQTT.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// Phase-to-neutral RMS voltage.
    pub voltage_v: PerPhase,
    /// Line-to-line RMS voltage.
    pub line_voltage_v: LineVoltages,
    /// RMS current (primary side, after the CT ratio).
    pub current_a: PerPhase,
    /// Active power.
    pub active_power_kw: PerPhaseTotal,
    /// Reactive power (inductive positive).
    pub reactive_power_kvar: PerPhaseTotal,
    /// Apparent power.
    pub apparent_power_kva: PerPhaseTotal,
    /// Power factor, signed.
    pub power_factor: PerPhaseTotal,
    /// Active energy since the last reset or reboot.
    pub energy_kwh: PerPhaseTotal,
    /// Reactive energy since the last reset or reboot.
    pub energy_kvarh: PerPhaseTotal,
    /// Mains frequency, measured on the voltage.
    pub frequency_hz: f64,
    /// DS18B20 temperature; `None` when the meter reports no valid reading.
    pub temperature_c: Option<f64>,
    /// DS18B20 read errors.
    pub temperature_errors: u16,
}

impl Measurements {
    /// The binding of readings to registers: calls `visit` with every `f64`
    /// quantity and the address of the register that carries it (the HIGH
    /// row for an energy pair), in the engineering unit the register table
    /// scales it to. [`crate::codec`] decodes and encodes by walking this one
    /// list, so a new measured quantity needs its table row, its field and a
    /// line here. The temperature (with its no-reading sentinel) and the
    /// error counter are bound in the codec.
    ///
    /// A visitor rather than a returned list so that, once inlined, every
    /// address is a constant at its call and the table lookups fold away.
    #[inline]
    pub(crate) fn visit_registers(&mut self, mut visit: impl FnMut(u16, &mut f64)) {
        visit(addr::VA_RMS, &mut self.voltage_v.a);
        visit(addr::VB_RMS, &mut self.voltage_v.b);
        visit(addr::VC_RMS, &mut self.voltage_v.c);
        visit(addr::VAB_RMS, &mut self.line_voltage_v.ab);
        visit(addr::VBC_RMS, &mut self.line_voltage_v.bc);
        visit(addr::VCA_RMS, &mut self.line_voltage_v.ca);
        visit(addr::VABC_T_RMS_MEDIO, &mut self.line_voltage_v.mean);
        visit(addr::IA_RMS, &mut self.current_a.a);
        visit(addr::IB_RMS, &mut self.current_a.b);
        visit(addr::IC_RMS, &mut self.current_a.c);
        visit(addr::POTENCIA_ATIVA_A, &mut self.active_power_kw.a);
        visit(addr::POTENCIA_ATIVA_B, &mut self.active_power_kw.b);
        visit(addr::POTENCIA_ATIVA_C, &mut self.active_power_kw.c);
        visit(addr::POTENCIA_ATIVA_T, &mut self.active_power_kw.total);
        visit(addr::POTENCIA_REATIVA_A, &mut self.reactive_power_kvar.a);
        visit(addr::POTENCIA_REATIVA_B, &mut self.reactive_power_kvar.b);
        visit(addr::POTENCIA_REATIVA_C, &mut self.reactive_power_kvar.c);
        visit(addr::POTENCIA_REATIVA_T, &mut self.reactive_power_kvar.total);
        visit(addr::POTENCIA_APARENTE_A, &mut self.apparent_power_kva.a);
        visit(addr::POTENCIA_APARENTE_B, &mut self.apparent_power_kva.b);
        visit(addr::POTENCIA_APARENTE_C, &mut self.apparent_power_kva.c);
        visit(addr::POTENCIA_APARENTE_T, &mut self.apparent_power_kva.total);
        visit(addr::FATOR_POTENCIA_A, &mut self.power_factor.a);
        visit(addr::FATOR_POTENCIA_B, &mut self.power_factor.b);
        visit(addr::FATOR_POTENCIA_C, &mut self.power_factor.c);
        visit(addr::FATOR_POTENCIA_T, &mut self.power_factor.total);
        visit(addr::KWHA_HIGH, &mut self.energy_kwh.a);
        visit(addr::KWHB_HIGH, &mut self.energy_kwh.b);
        visit(addr::KWHC_HIGH, &mut self.energy_kwh.c);
        visit(addr::KWHT_HIGH, &mut self.energy_kwh.total);
        visit(addr::KVARHA_HIGH, &mut self.energy_kvarh.a);
        visit(addr::KVARHB_HIGH, &mut self.energy_kvarh.b);
        visit(addr::KVARHC_HIGH, &mut self.energy_kvarh.c);
        visit(addr::KVARHT_HIGH, &mut self.energy_kvarh.total);
        visit(addr::FREQUENCIA, &mut self.frequency_hz);
    }
}

/// Wi-Fi role of the meter (register WIFI_MODE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WifiMode {
    /// Client of a router (1).
    Station,
    /// Own access point, e.g. factory state (2).
    AccessPoint,
    /// Any other register value.
    Unknown(u16),
}

impl WifiMode {
    /// Decode the WIFI_MODE register.
    pub fn from_raw(raw: u16) -> Self {
        match raw {
            1 => Self::Station,
            2 => Self::AccessPoint,
            other => Self::Unknown(other),
        }
    }

    /// The WIFI_MODE register value.
    pub fn raw(self) -> u16 {
        match self {
            Self::Station => 1,
            Self::AccessPoint => 2,
            Self::Unknown(raw) => raw,
        }
    }
}

impl fmt::Display for WifiMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Station => f.write_str("station"),
            Self::AccessPoint => f.write_str("access_point"),
            Self::Unknown(raw) => write!(f, "unknown({raw})"),
        }
    }
}

impl Serialize for WifiMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A firmware version as the meter encodes it (300 = 3.00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Version(pub u16);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A text that is not a firmware version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadVersion {
    /// The text given.
    pub text: String,
}

impl Describe for BadVersion {
    fn describe(&self, tr: Tr) -> String {
        tr.f(ProtocolMsg::BadVersion, &[&self.text])
    }
}

crate::english_display!(errors: BadVersion);

impl std::str::FromStr for Version {
    type Err = BadVersion;

    /// Parse "3.01", "03.01" or "3".
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadVersion {
            text: text.to_owned(),
        };
        let (major, minor) = text.trim().split_once('.').unwrap_or((text.trim(), "0"));
        let major: u16 = major.parse().map_err(|_| bad())?;
        if minor.is_empty() || minor.len() > 2 {
            return Err(bad());
        }
        let mut minor_value: u16 = minor.parse().map_err(|_| bad())?;
        if minor.len() == 1 {
            minor_value *= 10;
        }
        major
            .checked_mul(100)
            .and_then(|m| m.checked_add(minor_value))
            .map(Version)
            .ok_or_else(bad)
    }
}

/// One cause of the last reset (RESET_REASON bits 1–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetCause {
    /// Bit 1.
    OptionByteLoader,
    /// Bit 2.
    NresetPin,
    /// Bit 3: power-on or brown-out.
    PowerOn,
    /// Bit 4.
    Software,
    /// Bit 5.
    IndependentWatchdog,
    /// Bit 6.
    WindowWatchdog,
    /// Bit 7.
    LowPower,
}

impl ResetCause {
    /// Every cause with its bit number.
    pub const ALL: [(u8, ResetCause); 7] = [
        (1, Self::OptionByteLoader),
        (2, Self::NresetPin),
        (3, Self::PowerOn),
        (4, Self::Software),
        (5, Self::IndependentWatchdog),
        (6, Self::WindowWatchdog),
        (7, Self::LowPower),
    ];

    /// The bit of RESET_REASON this cause sets.
    pub fn bit(self) -> u16 {
        let (bit, _) = Self::ALL
            .iter()
            .find(|(_, c)| *c == self)
            .copied()
            .unwrap_or((0, self));
        1 << bit
    }

    /// A sentence-case English description.
    pub fn describe(self) -> &'static str {
        match self {
            Self::OptionByteLoader => "option byte loader reset",
            Self::NresetPin => "reset pin (NRESET)",
            Self::PowerOn => "power-on or brown-out",
            Self::Software => "software reset",
            Self::IndependentWatchdog => "independent watchdog",
            Self::WindowWatchdog => "window watchdog",
            Self::LowPower => "low-power reset",
        }
    }
}

/// The RESET_REASON register, kept raw so no bit is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResetReason(pub u16);

impl ResetReason {
    /// The named causes whose bits are set.
    pub fn causes(self) -> Vec<ResetCause> {
        ResetCause::ALL
            .iter()
            .filter(|(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, cause)| *cause)
            .collect()
    }

    /// Set bits that have no documented meaning (bit 0 and 8–15).
    pub fn unknown_bits(self) -> Vec<u8> {
        (0..16u8)
            .filter(|b| self.0 & (1 << b) != 0 && !(1..=7).contains(b))
            .collect()
    }
}

impl Serialize for ResetReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names: Vec<String> = self
            .causes()
            .into_iter()
            .map(|c| {
                serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .chain(self.unknown_bits().into_iter().map(|b| format!("bit_{b}")))
            .collect();
        names.serialize(s)
    }
}

/// Identity and health of the meter (registers 30, 88, 102–109).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceStatus {
    /// Unique device id.
    pub id: u32,
    /// ESP8266 firmware version.
    pub esp_version: Version,
    /// STM32 firmware version.
    pub stm32_version: Version,
    /// Seconds since power-on.
    pub uptime_s: u32,
    /// Wi-Fi role.
    pub wifi_mode: WifiMode,
    /// Received signal strength.
    pub rssi_dbm: i16,
    /// Causes of the last reset.
    pub reset_reason: ResetReason,
    /// ESP ⇄ STM32 communication errors.
    pub stm32_fails: u16,
}

/// Per-phase current inversion flags (INVERTE_TC_FASE_x).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inversions {
    /// Phase A inverted.
    pub a: bool,
    /// Phase B inverted.
    pub b: bool,
    /// Phase C inverted.
    pub c: bool,
}

impl Inversions {
    /// The flags in phase order.
    pub fn to_array(self) -> [bool; 3] {
        [self.a, self.b, self.c]
    }

    /// Build from flags in phase order.
    pub fn from_array([a, b, c]: [bool; 3]) -> Self {
        Self { a, b, c }
    }
}

/// Gains as raw register values (1000 = ×1.000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gains {
    /// GANHO_FREQUENCIA.
    pub frequency: u16,
    /// GANHO_TENSAO_A/B/C.
    pub voltage: PhaseGains,
    /// GANHO_CORRENTE_A/B/C.
    pub current: PhaseGains,
}

impl Gains {
    /// The factory gains, which DEFAULT_PARAMS also restores: every gain
    /// 1000 (×1.000).
    pub fn factory() -> Self {
        Self {
            frequency: 1000,
            voltage: PhaseGains::from_array([1000; 3]),
            current: PhaseGains::from_array([1000; 3]),
        }
    }
}

/// One raw gain per phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseGains {
    /// Phase A.
    pub a: u16,
    /// Phase B.
    pub b: u16,
    /// Phase C.
    pub c: u16,
}

impl PhaseGains {
    /// The gains in phase order.
    pub fn to_array(self) -> [u16; 3] {
        [self.a, self.b, self.c]
    }

    /// Build from gains in phase order.
    pub fn from_array([a, b, c]: [u16; 3]) -> Self {
        Self { a, b, c }
    }
}

/// The metering settings held in registers 9–19.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Settings {
    /// RELACAO_TC: N means N×5 A : 5 A.
    pub ct_ratio: u16,
    /// Current inversion per phase.
    pub invert: Inversions,
    /// Calibration gains.
    pub gains: Gains,
}

impl Settings {
    /// The factory metering settings: CT ratio 100 (500 A : 5 A), no
    /// inversion, every gain ×1.000.
    pub fn factory() -> Self {
        Self {
            ct_ratio: 100,
            invert: Inversions::default(),
            gains: Gains::factory(),
        }
    }

    /// Primary current of the configured CT in amps (ratio × 5 A).
    pub fn ct_primary_a(&self) -> u32 {
        u32::from(self.ct_ratio) * 5
    }
}

impl Serialize for Settings {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Settings", 4)?;
        st.serialize_field("ct_ratio", &self.ct_ratio)?;
        st.serialize_field("ct_primary_a", &self.ct_primary_a())?;
        st.serialize_field("invert", &self.invert)?;
        st.serialize_field("gains", &self.gains)?;
        st.end()
    }
}

/// One full read of the map: identity, measurements and settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// Identity and health.
    pub device: DeviceStatus,
    /// Readings.
    #[serde(flatten)]
    pub measurements: Measurements,
    /// Metering settings.
    pub settings: Settings,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_print_and_parse() {
        assert_eq!(Version(300).to_string(), "3.00");
        assert_eq!(Version(301).to_string(), "3.01");
        assert_eq!("03.00".parse::<Version>().unwrap(), Version(300));
        assert_eq!("3.1".parse::<Version>().unwrap(), Version(310));
        assert!("x".parse::<Version>().is_err());
        assert!("3.001".parse::<Version>().is_err());
    }

    #[test]
    fn reset_reason_names_each_documented_bit() {
        let r = ResetReason((1 << 3) | (1 << 5) | 1);
        assert_eq!(
            r.causes(),
            vec![ResetCause::PowerOn, ResetCause::IndependentWatchdog]
        );
        assert_eq!(r.unknown_bits(), vec![0]);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"["power_on","independent_watchdog","bit_0"]"#
        );
        for (bit, cause) in ResetCause::ALL {
            assert_eq!(cause.bit(), 1 << bit);
        }
    }
}
