//! Conversion between a 110-register block and the typed [`Snapshot`],
//! driven by the register table.
//!
//! The codec knows no scale, sign or pairing of its own. [`RegisterBlock`]'s
//! accessors ([`RegisterBlock::value`], [`RegisterBlock::set_value`],
//! [`RegisterBlock::integer`], [`RegisterBlock::set_integer`]) read each
//! register's [`Encoding`] and divisor from [`MAP`](crate::registers::MAP).
//! Which register feeds which field of [`Measurements`] is one list next to
//! that struct (`Measurements::visit_registers`); decode and encode both walk
//! it. Identity and settings registers are bound here by hand, still through
//! the table-driven accessors; the temperature's "no reading" sentinel is the
//! one rule the table cannot state, so it is kept here too.
//!
//! Decoding never fails and never panics: every possible block yields a
//! snapshot. Encoding quantizes engineering values back into registers (used
//! by the simulator), rounding and saturating at the register limits.

use super::readings::{
    DeviceStatus, Gains, Inversions, Measurements, PhaseGains, ResetReason, Settings, Snapshot, Version,
    WifiMode,
};
use super::registers::{Encoding, MAP_LEN, Register, addr};

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

    /// The raw integer of the register at `a` as its table row encodes it:
    /// the word, sign-extended for a signed register, HIGH × radix + LOW for
    /// the HIGH row of a pair.
    ///
    /// # Panics
    ///
    /// When the table does not list `a` (see [`Register::at`]).
    pub fn integer(&self, a: u16) -> i64 {
        self.integer_of(Register::at(a))
    }

    /// Store the raw integer `raw` in the register at `a` (both words of a
    /// pair), saturated to its encoding's range.
    ///
    /// # Panics
    ///
    /// When the table does not list `a` (see [`Register::at`]).
    pub fn set_integer(&mut self, a: u16, raw: i64) {
        self.set_integer_of(Register::at(a), raw);
    }

    /// The engineering value of the register at `a`: its raw integer divided
    /// by the table's divisor.
    ///
    /// # Panics
    ///
    /// When the table does not list `a` (see [`Register::at`]).
    pub fn value(&self, a: u16) -> f64 {
        let register = Register::at(a);
        register.scale(self.integer_of(register))
    }

    /// Store the engineering value `value` in the register at `a`, quantized
    /// with the table's divisor (rounded, saturated to the encoding's range).
    ///
    /// # Panics
    ///
    /// When the table does not list `a` (see [`Register::at`]).
    pub fn set_value(&mut self, a: u16, value: f64) {
        let register = Register::at(a);
        self.set_integer_of(register, register.quantize(value));
    }

    fn integer_of(&self, register: &Register) -> i64 {
        let a = register.addr;
        match register.encoding {
            Encoding::U16 | Encoding::Low => i64::from(self.get(a)),
            Encoding::I16 => i64::from(self.get(a) as i16),
            Encoding::High(radix) => i64::from(self.get(a)) * radix.factor() + i64::from(self.get(a + 1)),
        }
    }

    fn set_integer_of(&mut self, register: &Register, raw: i64) {
        let a = register.addr;
        let (lo, hi) = register.encoding.raw_range();
        let raw = raw.clamp(lo, hi);
        match register.encoding {
            Encoding::U16 | Encoding::Low => self.set(a, raw as u16),
            Encoding::I16 => self.set(a, raw as i16 as u16),
            Encoding::High(radix) => {
                self.set(a, (raw / radix.factor()) as u16);
                self.set(a + 1, (raw % radix.factor()) as u16);
            }
        }
    }
}

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

/// Decode the measurement part of a block.
pub fn decode_measurements(block: &RegisterBlock) -> Measurements {
    let mut m = Measurements::default();
    m.visit_registers(|a, field| *field = block.value(a));
    let no_reading = block.integer(addr::TEMP_DS18B20) == i64::from(TEMP_NO_READING);
    m.temperature_c = (!no_reading).then(|| block.value(addr::TEMP_DS18B20));
    m.temperature_errors = block.get(addr::ERRS_DS18B20);
    m
}

/// Decode the identity and health part of a block.
pub fn decode_device(block: &RegisterBlock) -> DeviceStatus {
    DeviceStatus {
        // The table's ranges make these conversions exact: a Word pair is
        // 32 bits unsigned, WIFI_RSSI is signed 16-bit.
        id: block.integer(addr::DEVICE_ID_HIGH) as u32,
        esp_version: Version(block.get(addr::ESP_VERSION)),
        stm32_version: Version(block.get(addr::STM32_VERSION)),
        uptime_s: block.integer(addr::UPTIME_HIGH) as u32,
        wifi_mode: WifiMode::from_raw(block.get(addr::WIFI_MODE)),
        rssi_dbm: block.integer(addr::WIFI_RSSI) as i16,
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

/// Write the measurement registers of `m` into `block`.
pub fn encode_measurements(block: &mut RegisterBlock, m: &Measurements) {
    m.clone().visit_registers(|a, value| block.set_value(a, *value));
    let sentinel = i64::from(TEMP_NO_READING);
    let temperature = match m.temperature_c {
        // A real reading that would quantize onto the sentinel is nudged off it.
        Some(t) => match Register::at(addr::TEMP_DS18B20).quantize(t) {
            raw if raw == sentinel => sentinel + 1,
            raw => raw,
        },
        None => sentinel,
    };
    block.set_integer(addr::TEMP_DS18B20, temperature);
    block.set(addr::ERRS_DS18B20, m.temperature_errors);
}

/// Write the identity registers of `d` into `block`.
pub fn encode_device(block: &mut RegisterBlock, d: &DeviceStatus) {
    block.set_integer(addr::DEVICE_ID_HIGH, i64::from(d.id));
    block.set(addr::ESP_VERSION, d.esp_version.0);
    block.set(addr::STM32_VERSION, d.stm32_version.0);
    block.set_integer(addr::UPTIME_HIGH, i64::from(d.uptime_s));
    block.set(addr::WIFI_MODE, d.wifi_mode.raw());
    block.set_integer(addr::WIFI_RSSI, i64::from(d.rssi_dbm));
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
    use std::collections::BTreeSet;

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

    #[test]
    fn the_binding_names_each_value_register_once() {
        let mut bound = Vec::new();
        Measurements::default().visit_registers(|a, _| bound.push(a));
        let mut seen = BTreeSet::from([addr::TEMP_DS18B20, addr::ERRS_DS18B20]);
        for a in bound {
            let r = register(a).unwrap_or_else(|| panic!("register {a} is not in the table"));
            assert_eq!(r.access, Access::Read, "{}", r.name);
            assert_ne!(
                r.encoding,
                Encoding::Low,
                "{} is read through its HIGH row",
                r.name
            );
            assert!(seen.insert(a), "{} bound twice", r.name);
        }
    }

    #[test]
    fn every_register_but_the_triggers_reaches_the_snapshot() {
        let zero = decode(&RegisterBlock::default());
        for r in MAP.iter().filter(|r| ![1, 2, 7, 8].contains(&r.addr)) {
            let mut block = RegisterBlock::default();
            block.set(r.addr, 1);
            assert_ne!(decode(&block), zero, "{} is not decoded", r.name);
        }
    }

    #[test]
    fn pairs_combine_and_saturate_at_their_radix() {
        let mut b = RegisterBlock::default();
        b.set_value(addr::KWHA_HIGH, 1234.5);
        assert_eq!((b.get(addr::KWHA_HIGH), b.get(addr::KWHA_HIGH + 1)), (12, 345));
        b.set_integer(addr::KWHT_HIGH, i64::MAX);
        assert_eq!(
            (b.get(addr::KWHT_HIGH), b.get(addr::KWHT_HIGH + 1)),
            (65_535, 999)
        );
        assert_eq!(b.value(addr::KWHT_HIGH), 6_553_599.9);
        b.set_value(addr::KVARHT_HIGH, -5.0);
        assert_eq!((b.get(addr::KVARHT_HIGH), b.get(addr::KVARHT_HIGH + 1)), (0, 0));
        b.set_integer(addr::UPTIME_HIGH, 65_541);
        assert_eq!((b.get(addr::UPTIME_HIGH), b.get(addr::UPTIME_LOW)), (1, 5));
        b.set_integer(addr::UPTIME_HIGH, i64::MAX);
        assert_eq!(
            (b.get(addr::UPTIME_HIGH), b.get(addr::UPTIME_LOW)),
            (0xFFFF, 0xFFFF)
        );
        assert_eq!(b.integer(addr::UPTIME_HIGH), i64::from(u32::MAX));
        // A LOW word above 999 (never sent by a meter) still adds up.
        b.set(addr::KWHB_HIGH, 2);
        b.set(addr::KWHB_HIGH + 1, 1500);
        assert_eq!(b.integer(addr::KWHB_HIGH), 3500);
        // Signed single registers saturate at the i16 limits.
        b.set_value(addr::POTENCIA_ATIVA_T, 1e6);
        assert_eq!(b.integer(addr::POTENCIA_ATIVA_T), 32_767);
        b.set_value(addr::POTENCIA_ATIVA_T, -1e6);
        assert_eq!(b.get(addr::POTENCIA_ATIVA_T), 0x8000);
    }

    #[test]
    fn temperature_next_to_the_sentinel_is_nudged_off_it() {
        let mut m = Measurements {
            temperature_c: Some(-100.0),
            ..Measurements::default()
        };
        let mut b = RegisterBlock::default();
        encode_measurements(&mut b, &m);
        assert_eq!(b.integer(addr::TEMP_DS18B20), i64::from(TEMP_NO_READING) + 1);
        assert_eq!(decode_measurements(&b).temperature_c, Some(-99.9));
        m.temperature_c = None;
        encode_measurements(&mut b, &m);
        assert_eq!(b.get(addr::TEMP_DS18B20), TEMP_NO_READING as u16);
    }

    /// Any register of the table and any raw integer it can hold.
    fn register_and_raw() -> impl Strategy<Value = (&'static crate::registers::Register, i64)> {
        (0..MAP.len()).prop_flat_map(|i| {
            let (lo, hi) = MAP[i].encoding.raw_range();
            (Just(&MAP[i]), lo..=hi)
        })
    }

    proptest! {
        /// For every register, a value representable at its divisor goes in
        /// with set_value and comes back unchanged from value and integer.
        #[test]
        fn every_register_round_trips_its_values((r, raw) in register_and_raw()) {
            let value = r.scale(raw);
            let mut block = RegisterBlock::default();
            block.set_value(r.addr, value);
            prop_assert_eq!(block.value(r.addr), value, "{}", r.name);
            prop_assert_eq!(block.integer(r.addr), raw, "{}", r.name);
            let mut again = RegisterBlock::default();
            again.set_integer(r.addr, raw);
            prop_assert_eq!(again, block);
        }

        /// Writing a raw integer past the encoding's range stores its limit.
        #[test]
        fn every_register_saturates((r, raw) in register_and_raw(), beyond in 1i64..1 << 40) {
            let (lo, hi) = r.encoding.raw_range();
            let mut block = RegisterBlock::default();
            block.set_integer(r.addr, hi + beyond);
            prop_assert_eq!(block.integer(r.addr), hi, "{}", r.name);
            block.set_integer(r.addr, lo - beyond);
            prop_assert_eq!(block.integer(r.addr), lo, "{}", r.name);
            block.set_integer(r.addr, raw);
            prop_assert_eq!(block.integer(r.addr), raw, "{}", r.name);
        }
    }
}
