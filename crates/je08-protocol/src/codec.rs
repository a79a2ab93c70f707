//! Conversion between a 110-register block and the typed [`Snapshot`].
//!
//! Decoding never fails and never panics: every possible block yields a
//! snapshot. Encoding quantizes engineering values back into registers (used
//! by the simulator), saturating at the register limits.

use super::readings::{
    DeviceStatus, Gains, Inversions, LineVoltages, Measurements, PerPhase, PerPhaseTotal, PhaseGains,
    ResetReason, Settings, Snapshot, Version, WifiMode,
};
use super::registers::{MAP_LEN, addr};

/// TEMP_DS18B20 value meaning "no valid reading for over 10 s".
pub const TEMP_NO_READING: i16 = -1000;

/// The whole register map as read in one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterBlock(pub [u16; MAP_LEN as usize]);

impl Default for RegisterBlock {
    fn default() -> Self {
        Self([0; MAP_LEN as usize])
    }
}

impl TryFrom<&[u16]> for RegisterBlock {
    type Error = usize;

    /// Fails with the slice's length when it is not exactly [`MAP_LEN`] words.
    fn try_from(words: &[u16]) -> Result<Self, usize> {
        <[u16; MAP_LEN as usize]>::try_from(words)
            .map(Self)
            .map_err(|_| words.len())
    }
}

impl RegisterBlock {
    /// Raw word at `a`.
    pub fn get(&self, a: u16) -> u16 {
        self.0[usize::from(a)]
    }

    /// Set the raw word at `a`.
    pub fn set(&mut self, a: u16, value: u16) {
        self.0[usize::from(a)] = value;
    }

    fn signed(&self, a: u16) -> i16 {
        self.get(a) as i16
    }

    fn scaled(&self, a: u16, divisor: f64) -> f64 {
        f64::from(self.get(a)) / divisor
    }

    fn scaled_signed(&self, a: u16, divisor: f64) -> f64 {
        f64::from(self.signed(a)) / divisor
    }

    /// HIGH×65536 + LOW (device id, uptime).
    fn wide(&self, high: u16) -> u32 {
        (u32::from(self.get(high)) << 16) | u32::from(self.get(high + 1))
    }

    fn set_wide(&mut self, high: u16, value: u32) {
        self.set(high, (value >> 16) as u16);
        self.set(high + 1, value as u16);
    }

    /// Energy in tenths: HIGH×1000 + LOW.
    pub fn energy_tenths(&self, high: u16) -> u64 {
        u64::from(self.get(high)) * 1000 + u64::from(self.get(high + 1))
    }

    /// Store an energy in tenths as HIGH×1000 + LOW (saturating).
    pub fn set_energy_tenths(&mut self, high: u16, tenths: u64) {
        let tenths = tenths.min(u64::from(u16::MAX) * 1000 + 999);
        self.set(high, (tenths / 1000) as u16);
        self.set(high + 1, (tenths % 1000) as u16);
    }
}

/// HIGH registers of the kWh accumulators A, B, C, T.
pub const KWH_HIGH: [u16; 4] = [addr::KWHA_HIGH, addr::KWHB_HIGH, addr::KWHC_HIGH, addr::KWHT_HIGH];
/// HIGH registers of the kVArh accumulators A, B, C, T.
pub const KVARH_HIGH: [u16; 4] = [
    addr::KVARHA_HIGH,
    addr::KVARHB_HIGH,
    addr::KVARHC_HIGH,
    addr::KVARHT_HIGH,
];
/// Phase voltage registers A, B, C.
pub const V_RMS: [u16; 3] = [addr::VA_RMS, addr::VB_RMS, addr::VC_RMS];
/// Phase current registers A, B, C.
pub const I_RMS: [u16; 3] = [addr::IA_RMS, addr::IB_RMS, addr::IC_RMS];
/// Voltage gain registers A, B, C.
pub const GAIN_V: [u16; 3] = [addr::GANHO_TENSAO_A, addr::GANHO_TENSAO_B, addr::GANHO_TENSAO_C];
/// Current gain registers A, B, C.
pub const GAIN_I: [u16; 3] = [
    addr::GANHO_CORRENTE_A,
    addr::GANHO_CORRENTE_B,
    addr::GANHO_CORRENTE_C,
];
/// Inversion registers A, B, C.
pub const INVERT: [u16; 3] = [
    addr::INVERTE_TC_FASE_A,
    addr::INVERTE_TC_FASE_B,
    addr::INVERTE_TC_FASE_C,
];

fn per_phase_total(block: &RegisterBlock, first: u16, divisor: f64, signed: bool) -> PerPhaseTotal {
    let v = |i: u16| {
        if signed {
            block.scaled_signed(first + i, divisor)
        } else {
            block.scaled(first + i, divisor)
        }
    };
    PerPhaseTotal {
        a: v(0),
        b: v(1),
        c: v(2),
        total: v(3),
    }
}

fn energy(block: &RegisterBlock, highs: [u16; 4]) -> PerPhaseTotal {
    let e = |i: usize| block.energy_tenths(highs[i]) as f64 / 10.0;
    PerPhaseTotal {
        a: e(0),
        b: e(1),
        c: e(2),
        total: e(3),
    }
}

/// Decode the measurement part of a block.
pub fn decode_measurements(block: &RegisterBlock) -> Measurements {
    let temp = block.signed(addr::TEMP_DS18B20);
    Measurements {
        voltage_v: PerPhase::from_array(V_RMS.map(|a| block.scaled(a, 1.0))),
        line_voltage_v: LineVoltages {
            ab: block.scaled(addr::VAB_RMS, 1.0),
            bc: block.scaled(addr::VBC_RMS, 1.0),
            ca: block.scaled(addr::VCA_RMS, 1.0),
            mean: block.scaled(addr::VABC_T_RMS_MEDIO, 1.0),
        },
        current_a: PerPhase::from_array(I_RMS.map(|a| block.scaled(a, 10.0))),
        active_power_kw: per_phase_total(block, addr::POTENCIA_ATIVA_A, 10.0, true),
        apparent_power_kva: per_phase_total(block, addr::POTENCIA_APARENTE_A, 10.0, false),
        power_factor: per_phase_total(block, addr::FATOR_POTENCIA_A, 1000.0, true),
        reactive_power_kvar: per_phase_total(block, addr::POTENCIA_REATIVA_A, 10.0, true),
        energy_kwh: energy(block, KWH_HIGH),
        energy_kvarh: energy(block, KVARH_HIGH),
        frequency_hz: block.scaled(addr::FREQUENCIA, 100.0),
        temperature_c: (temp != TEMP_NO_READING).then(|| f64::from(temp) / 10.0),
        temperature_errors: block.get(addr::ERRS_DS18B20),
    }
}

/// Decode the identity and health part of a block.
pub fn decode_device(block: &RegisterBlock) -> DeviceStatus {
    DeviceStatus {
        id: block.wide(addr::DEVICE_ID_HIGH),
        esp_version: Version(block.get(addr::ESP_VERSION)),
        stm32_version: Version(block.get(addr::STM32_VERSION)),
        uptime_s: block.wide(addr::UPTIME_HIGH),
        wifi_mode: WifiMode::from_raw(block.get(addr::WIFI_MODE)),
        rssi_dbm: block.signed(addr::WIFI_RSSI),
        reset_reason: ResetReason(block.get(addr::RESET_REASON)),
        stm32_fails: block.get(addr::STM32_FAILS),
    }
}

/// Decode the settings part of a block (registers 9–19).
pub fn decode_settings(block: &RegisterBlock) -> Settings {
    Settings {
        ct_ratio: block.get(addr::RELACAO_TC),
        invert: Inversions::from_array(INVERT.map(|a| block.get(a) != 0)),
        gains: Gains {
            frequency: block.get(addr::GANHO_FREQUENCIA),
            voltage: PhaseGains::from_array(GAIN_V.map(|a| block.get(a))),
            current: PhaseGains::from_array(GAIN_I.map(|a| block.get(a))),
        },
    }
}

/// Decode a whole block.
pub fn decode(block: &RegisterBlock) -> Snapshot {
    Snapshot {
        device: decode_device(block),
        measurements: decode_measurements(block),
        settings: decode_settings(block),
    }
}

/// Quantize `value × scale` into an unsigned register (rounded, saturating).
pub fn quantize_u16(value: f64, scale: f64) -> u16 {
    (value * scale).round().clamp(0.0, f64::from(u16::MAX)) as u16
}

/// Quantize `value × scale` into a signed register (rounded, saturating).
pub fn quantize_i16(value: f64, scale: f64) -> u16 {
    (value * scale)
        .round()
        .clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16 as u16
}

fn set_per_phase_total(block: &mut RegisterBlock, first: u16, v: PerPhaseTotal, scale: f64, signed: bool) {
    for (i, value) in [v.a, v.b, v.c, v.total].into_iter().enumerate() {
        let raw = if signed {
            quantize_i16(value, scale)
        } else {
            quantize_u16(value, scale)
        };
        block.set(first + i as u16, raw);
    }
}

fn set_energy(block: &mut RegisterBlock, highs: [u16; 4], v: PerPhaseTotal) {
    for (high, value) in highs.into_iter().zip([v.a, v.b, v.c, v.total]) {
        block.set_energy_tenths(high, (value * 10.0).round().max(0.0) as u64);
    }
}

/// Write the measurement registers of `m` into `block`.
pub fn encode_measurements(block: &mut RegisterBlock, m: &Measurements) {
    for (a, v) in V_RMS.into_iter().zip(m.voltage_v.to_array()) {
        block.set(a, quantize_u16(v, 1.0));
    }
    for (a, v) in I_RMS.into_iter().zip(m.current_a.to_array()) {
        block.set(a, quantize_u16(v, 10.0));
    }
    let lv = m.line_voltage_v;
    block.set(addr::VAB_RMS, quantize_u16(lv.ab, 1.0));
    block.set(addr::VBC_RMS, quantize_u16(lv.bc, 1.0));
    block.set(addr::VCA_RMS, quantize_u16(lv.ca, 1.0));
    block.set(addr::VABC_T_RMS_MEDIO, quantize_u16(lv.mean, 1.0));
    set_per_phase_total(block, addr::POTENCIA_ATIVA_A, m.active_power_kw, 10.0, true);
    set_per_phase_total(
        block,
        addr::POTENCIA_APARENTE_A,
        m.apparent_power_kva,
        10.0,
        false,
    );
    set_per_phase_total(block, addr::FATOR_POTENCIA_A, m.power_factor, 1000.0, true);
    set_per_phase_total(block, addr::POTENCIA_REATIVA_A, m.reactive_power_kvar, 10.0, true);
    set_energy(block, KWH_HIGH, m.energy_kwh);
    set_energy(block, KVARH_HIGH, m.energy_kvarh);
    block.set(addr::FREQUENCIA, quantize_u16(m.frequency_hz, 100.0));
    let temp = match m.temperature_c {
        // A real reading that would quantize onto the sentinel is nudged off it.
        Some(t) => match quantize_i16(t, 10.0) as i16 {
            TEMP_NO_READING => (TEMP_NO_READING + 1) as u16,
            raw => raw as u16,
        },
        None => TEMP_NO_READING as u16,
    };
    block.set(addr::TEMP_DS18B20, temp);
    block.set(addr::ERRS_DS18B20, m.temperature_errors);
}

/// Write the identity registers of `d` into `block`.
pub fn encode_device(block: &mut RegisterBlock, d: &DeviceStatus) {
    block.set_wide(addr::DEVICE_ID_HIGH, d.id);
    block.set(addr::ESP_VERSION, d.esp_version.0);
    block.set(addr::STM32_VERSION, d.stm32_version.0);
    block.set_wide(addr::UPTIME_HIGH, d.uptime_s);
    block.set(addr::WIFI_MODE, d.wifi_mode.raw());
    block.set(addr::WIFI_RSSI, d.rssi_dbm as u16);
    block.set(addr::RESET_REASON, d.reset_reason.0);
    block.set(addr::STM32_FAILS, d.stm32_fails);
}

/// Write the settings registers of `s` into `block`.
pub fn encode_settings(block: &mut RegisterBlock, s: &Settings) {
    block.set(addr::RELACAO_TC, s.ct_ratio);
    for (a, on) in INVERT.into_iter().zip(s.invert.to_array()) {
        block.set(a, u16::from(on));
    }
    block.set(addr::GANHO_FREQUENCIA, s.gains.frequency);
    for (a, g) in GAIN_V.into_iter().zip(s.gains.voltage.to_array()) {
        block.set(a, g);
    }
    for (a, g) in GAIN_I.into_iter().zip(s.gains.current.to_array()) {
        block.set(a, g);
    }
}

/// Encode a whole snapshot; trigger and reserved registers are left at 0.
pub fn encode(snapshot: &Snapshot) -> RegisterBlock {
    let mut block = RegisterBlock::default();
    encode_device(&mut block, &snapshot.device);
    encode_measurements(&mut block, &snapshot.measurements);
    encode_settings(&mut block, &snapshot.settings);
    block
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::{Access, MAP, register};
    use proptest::prelude::*;

    fn example_block() -> RegisterBlock {
        let mut b = RegisterBlock::default();
        b.set(addr::VA_RMS, 220);
        b.set(addr::IA_RMS, 314);
        b.set(addr::POTENCIA_ATIVA_A, 852);
        b.set(addr::POTENCIA_ATIVA_A + 1, (-852i16) as u16);
        b.set(addr::FATOR_POTENCIA_A + 3, (-998i16) as u16);
        b.set(addr::FREQUENCIA, 6012);
        b.set(addr::KWHA_HIGH, 12);
        b.set(addr::KWHA_HIGH + 1, 345);
        b.set(addr::DEVICE_ID_HIGH, 0x0012);
        b.set(addr::DEVICE_ID_LOW, 0xD687);
        b.set(addr::UPTIME_HIGH, 1);
        b.set(addr::UPTIME_LOW, 5);
        b.set(addr::TEMP_DS18B20, (-354i16) as u16);
        b.set(addr::WIFI_RSSI, (-36i16) as u16);
        b.set(addr::WIFI_MODE, 1);
        b.set(addr::ESP_VERSION, 300);
        b.set(addr::RELACAO_TC, 100);
        b.set(addr::INVERTE_TC_FASE_B, 1);
        b
    }

    #[test]
    fn decodes_the_manual_examples() {
        let s = decode(&example_block());
        let m = &s.measurements;
        assert_eq!(m.voltage_v.a, 220.0);
        assert_eq!(m.current_a.a, 31.4);
        assert_eq!(m.active_power_kw.a, 85.2);
        assert_eq!(m.active_power_kw.b, -85.2);
        assert_eq!(m.power_factor.total, -0.998);
        assert_eq!(m.frequency_hz, 60.12);
        assert_eq!(m.energy_kwh.a, 1234.5);
        assert_eq!(m.temperature_c, Some(-35.4));
        assert_eq!(s.device.id, 0x0012_D687);
        assert_eq!(s.device.uptime_s, 65541);
        assert_eq!(s.device.rssi_dbm, -36);
        assert_eq!(s.device.wifi_mode, WifiMode::Station);
        assert_eq!(s.device.esp_version.to_string(), "3.00");
        assert_eq!(s.settings.ct_primary_a(), 500);
        assert!(s.settings.invert.b && !s.settings.invert.a);
    }

    #[test]
    fn temperature_sentinel_means_no_reading() {
        let mut b = example_block();
        b.set(addr::TEMP_DS18B20, TEMP_NO_READING as u16);
        assert_eq!(decode(&b).measurements.temperature_c, None);
        let json = serde_json::to_value(decode(&b)).unwrap();
        assert!(json["temperature_c"].is_null());
    }

    #[test]
    fn json_has_the_documented_shape() {
        let json = serde_json::to_value(decode(&example_block())).unwrap();
        for key in [
            "device",
            "voltage_v",
            "line_voltage_v",
            "current_a",
            "active_power_kw",
            "reactive_power_kvar",
            "apparent_power_kva",
            "power_factor",
            "energy_kwh",
            "energy_kvarh",
            "frequency_hz",
            "temperature_c",
            "temperature_errors",
            "settings",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        assert_eq!(json["device"]["wifi_mode"], "station");
        assert_eq!(json["settings"]["ct_primary_a"], 500);
        assert_eq!(json["settings"]["gains"]["voltage"]["a"], 0);
        assert_eq!(json["energy_kwh"]["total"], 0.0);
    }

    /// A block as a real meter produces it: reserved registers zero, energy
    /// LOW words below 1000, temperature never quantized onto the sentinel
    /// unless it is the sentinel.
    fn canonical(mut words: [u16; MAP_LEN as usize]) -> RegisterBlock {
        for (a, w) in words.iter_mut().enumerate() {
            let a = a as u16;
            match register(a) {
                None => *w = 0,
                Some(r) if r.access == Access::ReadWrite && !(9..=19).contains(&a) => *w = 0,
                Some(r) if r.name.ends_with("_LOW") && r.name.starts_with('K') => *w %= 1000,
                Some(r) if r.name.starts_with("INVERTE") => *w %= 2,
                _ => {}
            }
        }
        RegisterBlock(words)
    }

    proptest! {
        #[test]
        fn any_block_decodes_without_panic(words in proptest::array::uniform32(any::<u16>()), rest in proptest::collection::vec(any::<u16>(), 78)) {
            let mut all = [0u16; MAP_LEN as usize];
            all[..32].copy_from_slice(&words);
            all[32..].copy_from_slice(&rest);
            let snapshot = decode(&RegisterBlock(all));
            let _ = serde_json::to_string(&snapshot).unwrap();
        }

        #[test]
        fn canonical_blocks_round_trip(rest in proptest::collection::vec(any::<u16>(), MAP_LEN as usize)) {
            let block = canonical(rest.try_into().unwrap());
            prop_assert_eq!(encode(&decode(&block)), block);
        }

        #[test]
        fn decode_encode_is_stable(rest in proptest::collection::vec(any::<u16>(), MAP_LEN as usize)) {
            let once = decode(&RegisterBlock(rest.try_into().unwrap()));
            let twice = decode(&encode(&once));
            prop_assert_eq!(decode(&encode(&twice)), twice);
        }
    }

    #[test]
    fn every_writable_register_is_a_setting_or_trigger() {
        let decoded_settings: Vec<u16> = (9..=19).collect();
        for r in MAP.iter().filter(|r| r.access == Access::ReadWrite) {
            assert!(
                decoded_settings.contains(&r.addr) || [1, 2, 7, 8].contains(&r.addr),
                "{}",
                r.name
            );
        }
    }
}
