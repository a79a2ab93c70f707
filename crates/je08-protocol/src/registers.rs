//! The JE08 Modbus register map (spec §2) as one data table: the one place
//! that states how each register's words hold its value.
//!
//! Each row of [`MAP`] states a register's address, name, access, its
//! [`Encoding`] (unsigned, signed, or the HIGH/LOW words of a pair combined
//! with a [`Radix`]), the divisor that turns the raw integer into the
//! engineering value, that value's unit and, for writable registers, the
//! allowed range. The codec ([`crate::codec`], whose `RegisterBlock`
//! accessors interpret the encoding), the MQTT DATA map, the simulator and
//! the clients take every scale, sign and pairing from here through
//! [`Register::at`], [`Register::scale`] and [`Register::quantize`]; nothing
//! else hard-codes a register number or its scale. Looking a register up by
//! address is O(1) (a constant index built from the table at compile time).

use serde::Serialize;

/// Number of registers in the map (addresses 0–109); one read fetches them all.
pub const MAP_LEN: u16 = 110;

/// Largest register count a read request may ask for (Modbus limit).
pub const MAX_READ_QUANTITY: u16 = 125;

/// Largest register count a write-multiple request may carry (Modbus limit).
pub const MAX_WRITE_QUANTITY: u16 = 123;

/// Who may touch a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Readable only.
    Read,
    /// Readable and writable with functions 6 and 16.
    ReadWrite,
}

/// How the HIGH word of a pair combines with the LOW word after it:
/// value = HIGH × radix + LOW.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Radix {
    /// HIGH × 1000 + LOW, LOW below 1000 (the energy accumulators).
    Thousand,
    /// HIGH × 65536 + LOW: one unsigned 32-bit integer (device id, uptime).
    Word,
}

impl Radix {
    /// What one unit of the HIGH word is worth.
    pub const fn factor(self) -> i64 {
        match self {
            Radix::Thousand => 1000,
            Radix::Word => 1 << 16,
        }
    }
}

/// How the 16-bit word(s) of a register hold its raw integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// Unsigned 16-bit integer.
    U16,
    /// Two's-complement signed 16-bit integer.
    I16,
    /// HIGH word of a pair whose LOW word is at the next address; the
    /// register's raw integer is HIGH × radix + LOW.
    High(Radix),
    /// LOW word of the pair whose HIGH word is at the previous address; read
    /// alone it is a plain unsigned word.
    Low,
}

impl Encoding {
    /// The smallest and largest raw integer this encoding can hold; writes
    /// saturate to it.
    pub const fn raw_range(self) -> (i64, i64) {
        const WORD_MAX: i64 = u16::MAX as i64;
        match self {
            Encoding::U16 | Encoding::Low => (0, WORD_MAX),
            Encoding::I16 => (i16::MIN as i64, i16::MAX as i64),
            Encoding::High(radix) => (0, WORD_MAX * radix.factor() + radix.factor() - 1),
        }
    }
}

/// One register of the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Register {
    /// Modbus address (0-based); the HIGH word's address for a pair.
    pub addr: u16,
    /// Name as printed in the vendor manual.
    pub name: &'static str,
    /// Read-only or read/write.
    pub access: Access,
    /// Signedness and pairing of the word(s).
    pub encoding: Encoding,
    /// Engineering value = raw integer / divisor (1 for plain integers).
    pub divisor: f64,
    /// Engineering unit of the scaled value ("" for none).
    pub unit: &'static str,
    /// Inclusive range a write must respect; `None` for read-only registers.
    pub range: Option<(u16, u16)>,
}

impl Register {
    /// The register the table lists at `addr`, for addresses known to be in
    /// the map (the constants of [`addr`]).
    ///
    /// # Panics
    ///
    /// When `addr` is reserved or past the map: a programming error, never
    /// caused by what a meter sends. Use [`register`] for untrusted addresses.
    pub const fn at(addr: u16) -> &'static Register {
        match register(addr) {
            Some(r) => r,
            None => panic!("the register map does not list this address"),
        }
    }

    /// The engineering value of the raw integer `raw`: raw / divisor.
    pub fn scale(&self, raw: i64) -> f64 {
        raw as f64 / self.divisor
    }

    /// The raw integer that stores the engineering value `value`:
    /// value × divisor, rounded, saturated to the encoding's range (NaN → 0).
    pub fn quantize(&self, value: f64) -> i64 {
        let (lo, hi) = self.encoding.raw_range();
        (value * self.divisor).round().clamp(lo as f64, hi as f64) as i64
    }
}

/// Register addresses by name.
pub mod addr {
    #![allow(missing_docs)]
    pub const SAVE_PARAMS: u16 = 1;
    pub const DEFAULT_PARAMS: u16 = 2;
    pub const ZERA_KVARH: u16 = 7;
    pub const ZERA_KWH: u16 = 8;
    pub const GANHO_FREQUENCIA: u16 = 9;
    pub const GANHO_TENSAO_A: u16 = 10;
    pub const GANHO_CORRENTE_A: u16 = 11;
    pub const GANHO_TENSAO_B: u16 = 12;
    pub const GANHO_CORRENTE_B: u16 = 13;
    pub const GANHO_TENSAO_C: u16 = 14;
    pub const GANHO_CORRENTE_C: u16 = 15;
    pub const RELACAO_TC: u16 = 16;
    pub const INVERTE_TC_FASE_A: u16 = 17;
    pub const INVERTE_TC_FASE_B: u16 = 18;
    pub const INVERTE_TC_FASE_C: u16 = 19;
    pub const RESET_REASON: u16 = 30;
    pub const KVARHA_HIGH: u16 = 35;
    pub const KWHA_HIGH: u16 = 37;
    pub const KVARHB_HIGH: u16 = 39;
    pub const KWHB_HIGH: u16 = 41;
    pub const KVARHC_HIGH: u16 = 43;
    pub const KWHC_HIGH: u16 = 45;
    pub const KVARHT_HIGH: u16 = 47;
    pub const KWHT_HIGH: u16 = 49;
    pub const VA_RMS: u16 = 61;
    pub const IA_RMS: u16 = 62;
    pub const VB_RMS: u16 = 63;
    pub const IB_RMS: u16 = 64;
    pub const VC_RMS: u16 = 65;
    pub const IC_RMS: u16 = 66;
    pub const POTENCIA_ATIVA_A: u16 = 67;
    pub const POTENCIA_ATIVA_B: u16 = 68;
    pub const POTENCIA_ATIVA_C: u16 = 69;
    pub const POTENCIA_ATIVA_T: u16 = 70;
    pub const POTENCIA_APARENTE_A: u16 = 71;
    pub const POTENCIA_APARENTE_B: u16 = 72;
    pub const POTENCIA_APARENTE_C: u16 = 73;
    pub const POTENCIA_APARENTE_T: u16 = 74;
    pub const FATOR_POTENCIA_A: u16 = 75;
    pub const FATOR_POTENCIA_B: u16 = 76;
    pub const FATOR_POTENCIA_C: u16 = 77;
    pub const FATOR_POTENCIA_T: u16 = 78;
    pub const POTENCIA_REATIVA_A: u16 = 79;
    pub const POTENCIA_REATIVA_B: u16 = 80;
    pub const POTENCIA_REATIVA_C: u16 = 81;
    pub const POTENCIA_REATIVA_T: u16 = 82;
    pub const VAB_RMS: u16 = 83;
    pub const VBC_RMS: u16 = 84;
    pub const VCA_RMS: u16 = 85;
    pub const VABC_T_RMS_MEDIO: u16 = 86;
    pub const FREQUENCIA: u16 = 87;
    pub const STM32_VERSION: u16 = 88;
    pub const TEMP_DS18B20: u16 = 100;
    pub const ERRS_DS18B20: u16 = 101;
    pub const WIFI_RSSI: u16 = 102;
    pub const WIFI_MODE: u16 = 103;
    pub const DEVICE_ID_HIGH: u16 = 104;
    pub const DEVICE_ID_LOW: u16 = 105;
    pub const UPTIME_HIGH: u16 = 106;
    pub const UPTIME_LOW: u16 = 107;
    pub const STM32_FAILS: u16 = 108;
    pub const ESP_VERSION: u16 = 109;
}

const fn rw(addr: u16, name: &'static str, divisor: f64, lo: u16, hi: u16) -> Register {
    Register {
        addr,
        name,
        access: Access::ReadWrite,
        encoding: U16,
        divisor,
        unit: "",
        range: Some((lo, hi)),
    }
}

const fn ro(addr: u16, name: &'static str, encoding: Encoding, divisor: f64, unit: &'static str) -> Register {
    Register {
        addr,
        name,
        access: Access::Read,
        encoding,
        divisor,
        unit,
        range: None,
    }
}

use Encoding::{High, I16, Low, U16};
use Radix::{Thousand, Word};

/// The whole map; addresses not listed are reserved and read 0. Gains are
/// factors (raw 1000 = ×1.000); energies are HIGH × 1000 + LOW tenths.
pub const MAP: &[Register] = &[
    rw(1, "SAVE_PARAMS", 1.0, 0, 65535),
    rw(2, "DEFAULT_PARAMS", 1.0, 0, 65535),
    rw(7, "ZERA_KVARH", 1.0, 0, 65535),
    rw(8, "ZERA_KWH", 1.0, 0, 65535),
    rw(9, "GANHO_FREQUENCIA", 1000.0, 0, 65535),
    rw(10, "GANHO_TENSAO_A", 1000.0, 500, 1500),
    rw(11, "GANHO_CORRENTE_A", 1000.0, 100, 1500),
    rw(12, "GANHO_TENSAO_B", 1000.0, 500, 1500),
    rw(13, "GANHO_CORRENTE_B", 1000.0, 100, 1500),
    rw(14, "GANHO_TENSAO_C", 1000.0, 500, 1500),
    rw(15, "GANHO_CORRENTE_C", 1000.0, 100, 1500),
    rw(16, "RELACAO_TC", 1.0, 20, 400),
    rw(17, "INVERTE_TC_FASE_A", 1.0, 0, 1),
    rw(18, "INVERTE_TC_FASE_B", 1.0, 0, 1),
    rw(19, "INVERTE_TC_FASE_C", 1.0, 0, 1),
    ro(30, "RESET_REASON", U16, 1.0, ""),
    ro(35, "KVARHA_HIGH", High(Thousand), 10.0, "kVArh"),
    ro(36, "KVARHA_LOW", Low, 1.0, ""),
    ro(37, "KWHA_HIGH", High(Thousand), 10.0, "kWh"),
    ro(38, "KWHA_LOW", Low, 1.0, ""),
    ro(39, "KVARHB_HIGH", High(Thousand), 10.0, "kVArh"),
    ro(40, "KVARHB_LOW", Low, 1.0, ""),
    ro(41, "KWHB_HIGH", High(Thousand), 10.0, "kWh"),
    ro(42, "KWHB_LOW", Low, 1.0, ""),
    ro(43, "KVARHC_HIGH", High(Thousand), 10.0, "kVArh"),
    ro(44, "KVARHC_LOW", Low, 1.0, ""),
    ro(45, "KWHC_HIGH", High(Thousand), 10.0, "kWh"),
    ro(46, "KWHC_LOW", Low, 1.0, ""),
    ro(47, "KVARHT_HIGH", High(Thousand), 10.0, "kVArh"),
    ro(48, "KVARHT_LOW", Low, 1.0, ""),
    ro(49, "KWHT_HIGH", High(Thousand), 10.0, "kWh"),
    ro(50, "KWHT_LOW", Low, 1.0, ""),
    ro(61, "VA_RMS", U16, 1.0, "V"),
    ro(62, "IA_RMS", U16, 10.0, "A"),
    ro(63, "VB_RMS", U16, 1.0, "V"),
    ro(64, "IB_RMS", U16, 10.0, "A"),
    ro(65, "VC_RMS", U16, 1.0, "V"),
    ro(66, "IC_RMS", U16, 10.0, "A"),
    ro(67, "POTENCIA_ATIVA_A", I16, 10.0, "kW"),
    ro(68, "POTENCIA_ATIVA_B", I16, 10.0, "kW"),
    ro(69, "POTENCIA_ATIVA_C", I16, 10.0, "kW"),
    ro(70, "POTENCIA_ATIVA_T", I16, 10.0, "kW"),
    ro(71, "POTENCIA_APARENTE_A", U16, 10.0, "kVA"),
    ro(72, "POTENCIA_APARENTE_B", U16, 10.0, "kVA"),
    ro(73, "POTENCIA_APARENTE_C", U16, 10.0, "kVA"),
    ro(74, "POTENCIA_APARENTE_T", U16, 10.0, "kVA"),
    ro(75, "FATOR_POTENCIA_A", I16, 1000.0, ""),
    ro(76, "FATOR_POTENCIA_B", I16, 1000.0, ""),
    ro(77, "FATOR_POTENCIA_C", I16, 1000.0, ""),
    ro(78, "FATOR_POTENCIA_T", I16, 1000.0, ""),
    ro(79, "POTENCIA_REATIVA_A", I16, 10.0, "kVAr"),
    ro(80, "POTENCIA_REATIVA_B", I16, 10.0, "kVAr"),
    ro(81, "POTENCIA_REATIVA_C", I16, 10.0, "kVAr"),
    ro(82, "POTENCIA_REATIVA_T", I16, 10.0, "kVAr"),
    ro(83, "VAB_RMS", U16, 1.0, "V"),
    ro(84, "VBC_RMS", U16, 1.0, "V"),
    ro(85, "VCA_RMS", U16, 1.0, "V"),
    ro(86, "VABC_T_RMS_MEDIO", U16, 1.0, "V"),
    ro(87, "FREQUENCIA", U16, 100.0, "Hz"),
    ro(88, "STM32_VERSION", U16, 100.0, ""),
    ro(100, "TEMP_DS18B20", I16, 10.0, "°C"),
    ro(101, "ERRS_DS18B20", U16, 1.0, ""),
    ro(102, "WIFI_RSSI", I16, 1.0, "dBm"),
    ro(103, "WIFI_MODE", U16, 1.0, ""),
    ro(104, "DEVICE_ID_HIGH", High(Word), 1.0, ""),
    ro(105, "DEVICE_ID_LOW", Low, 1.0, ""),
    ro(106, "UPTIME_HIGH", High(Word), 1.0, "s"),
    ro(107, "UPTIME_LOW", Low, 1.0, ""),
    ro(108, "STM32_FAILS", U16, 1.0, ""),
    ro(109, "ESP_VERSION", U16, 100.0, ""),
];

/// Marks an address of [`INDEX`] that [`MAP`] does not list.
const UNLISTED: u8 = u8::MAX;

/// Position in [`MAP`] of every address of the map, or [`UNLISTED`]; built
/// from the table at compile time so a lookup is one array access.
const INDEX: [u8; MAP_LEN as usize] = {
    assert!(MAP.len() < UNLISTED as usize);
    let mut index = [UNLISTED; MAP_LEN as usize];
    let mut i = 0;
    while i < MAP.len() {
        let a = MAP[i].addr as usize;
        assert!(
            a < MAP_LEN as usize && index[a] == UNLISTED,
            "MAP rows must be unique and inside the map"
        );
        index[a] = i as u8;
        i += 1;
    }
    index
};

/// The register at `addr`, or `None` when the address is reserved or past the map.
pub const fn register(addr: u16) -> Option<&'static Register> {
    let a = addr as usize;
    if a >= INDEX.len() || INDEX[a] == UNLISTED {
        return None;
    }
    Some(&MAP[INDEX[a] as usize])
}

/// The register called `name` (manual spelling), if any.
pub fn register_named(name: &str) -> Option<&'static Register> {
    MAP.iter().find(|r| r.name.eq_ignore_ascii_case(name))
}

/// A human label for an address: its name, or `RESERVED<n>`.
pub fn label(addr: u16) -> String {
    register(addr).map_or_else(|| format!("RESERVED{addr}"), |r| r.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_inside_the_map() {
        for pair in MAP.windows(2) {
            assert!(
                pair[0].addr < pair[1].addr,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        assert!(MAP.iter().all(|r| r.addr < MAP_LEN));
    }

    #[test]
    fn named_constants_match_the_table() {
        let named = [
            (addr::SAVE_PARAMS, "SAVE_PARAMS"),
            (addr::RELACAO_TC, "RELACAO_TC"),
            (addr::INVERTE_TC_FASE_C, "INVERTE_TC_FASE_C"),
            (addr::KWHT_HIGH, "KWHT_HIGH"),
            (addr::POTENCIA_ATIVA_B, "POTENCIA_ATIVA_B"),
            (addr::POTENCIA_ATIVA_C, "POTENCIA_ATIVA_C"),
            (addr::POTENCIA_ATIVA_T, "POTENCIA_ATIVA_T"),
            (addr::POTENCIA_APARENTE_B, "POTENCIA_APARENTE_B"),
            (addr::POTENCIA_APARENTE_C, "POTENCIA_APARENTE_C"),
            (addr::POTENCIA_APARENTE_T, "POTENCIA_APARENTE_T"),
            (addr::FATOR_POTENCIA_B, "FATOR_POTENCIA_B"),
            (addr::FATOR_POTENCIA_C, "FATOR_POTENCIA_C"),
            (addr::FATOR_POTENCIA_T, "FATOR_POTENCIA_T"),
            (addr::POTENCIA_REATIVA_B, "POTENCIA_REATIVA_B"),
            (addr::POTENCIA_REATIVA_C, "POTENCIA_REATIVA_C"),
            (addr::POTENCIA_REATIVA_T, "POTENCIA_REATIVA_T"),
            (addr::FREQUENCIA, "FREQUENCIA"),
            (addr::TEMP_DS18B20, "TEMP_DS18B20"),
            (addr::ESP_VERSION, "ESP_VERSION"),
        ];
        for (a, name) in named {
            assert_eq!(register(a).unwrap().name, name);
        }
    }

    #[test]
    fn only_writable_registers_have_ranges() {
        for r in MAP {
            assert_eq!(r.access == Access::ReadWrite, r.range.is_some(), "{}", r.name);
        }
        assert_eq!(register(addr::GANHO_TENSAO_A).unwrap().range, Some((500, 1500)));
        assert_eq!(register(addr::RELACAO_TC).unwrap().range, Some((20, 400)));
        assert!(register(0).is_none());
        assert!(register(55).is_none());
        assert!(register(110).is_none());
    }

    #[test]
    fn lookup_by_address_agrees_with_the_table() {
        for a in 0..=MAP_LEN + 20 {
            assert_eq!(register(a), MAP.iter().find(|r| r.addr == a), "address {a}");
        }
        assert_eq!(register(u16::MAX), None);
        for r in MAP {
            assert_eq!(Register::at(r.addr), r, "{}", r.name);
        }
    }

    #[test]
    #[should_panic(expected = "does not list")]
    fn a_reserved_address_is_no_register() {
        Register::at(55);
    }

    #[test]
    fn every_pair_is_a_high_row_then_its_low_row() {
        for (i, r) in MAP.iter().enumerate() {
            match r.encoding {
                Encoding::High(_) => {
                    let low = MAP
                        .get(i + 1)
                        .unwrap_or_else(|| panic!("{} has no LOW row", r.name));
                    assert_eq!(low.addr, r.addr + 1, "{}", r.name);
                    assert_eq!(low.encoding, Encoding::Low, "{}", low.name);
                    assert_eq!(
                        low.name.strip_suffix("_LOW"),
                        r.name.strip_suffix("_HIGH"),
                        "{} / {}",
                        r.name,
                        low.name
                    );
                }
                Encoding::Low => {
                    let high = &MAP[i.checked_sub(1).expect("a LOW row cannot come first")];
                    assert!(matches!(high.encoding, Encoding::High(_)), "{}", r.name);
                    // The value, its divisor and unit belong to the HIGH row.
                    assert_eq!((r.divisor, r.unit), (1.0, ""), "{}", r.name);
                }
                Encoding::U16 | Encoding::I16 => {
                    assert!(
                        !r.name.ends_with("_HIGH") && !r.name.ends_with("_LOW"),
                        "{}",
                        r.name
                    );
                }
            }
        }
    }

    #[test]
    fn encodings_hold_the_manuals_ranges() {
        assert_eq!(Encoding::U16.raw_range(), (0, 65_535));
        assert_eq!(Encoding::Low.raw_range(), (0, 65_535));
        assert_eq!(Encoding::I16.raw_range(), (-32_768, 32_767));
        assert_eq!(Encoding::High(Radix::Thousand).raw_range(), (0, 65_535_999));
        assert_eq!(Encoding::High(Radix::Word).raw_range(), (0, i64::from(u32::MAX)));
    }

    #[test]
    fn rows_state_the_engineering_value() {
        let row = |a| Register::at(a);
        for high in [addr::KWHA_HIGH, addr::KWHB_HIGH, addr::KWHC_HIGH, addr::KWHT_HIGH] {
            let r = row(high);
            assert_eq!(
                (r.encoding, r.divisor, r.unit),
                (Encoding::High(Radix::Thousand), 10.0, "kWh")
            );
        }
        for high in [
            addr::KVARHA_HIGH,
            addr::KVARHB_HIGH,
            addr::KVARHC_HIGH,
            addr::KVARHT_HIGH,
        ] {
            let r = row(high);
            assert_eq!(
                (r.encoding, r.divisor, r.unit),
                (Encoding::High(Radix::Thousand), 10.0, "kVArh")
            );
        }
        let uptime = row(addr::UPTIME_HIGH);
        assert_eq!(
            (uptime.encoding, uptime.divisor, uptime.unit),
            (Encoding::High(Radix::Word), 1.0, "s")
        );
        assert_eq!(row(addr::DEVICE_ID_HIGH).encoding, Encoding::High(Radix::Word));
        let temp = row(addr::TEMP_DS18B20);
        assert_eq!(
            (temp.encoding, temp.divisor, temp.unit),
            (Encoding::I16, 10.0, "°C")
        );
        assert_eq!(row(addr::WIFI_RSSI).encoding, Encoding::I16);
        for gain in addr::GANHO_FREQUENCIA..=addr::GANHO_CORRENTE_C {
            assert_eq!(row(gain).divisor, 1000.0, "{}", row(gain).name);
            assert_eq!(row(gain).scale(1000), 1.0);
        }
        assert_eq!(row(addr::FREQUENCIA).scale(6012), 60.12);
        assert_eq!(row(addr::POTENCIA_ATIVA_T).quantize(-85.2), -852);
        assert!(MAP.iter().all(|r| r.divisor >= 1.0), "divisors scale down");
    }

    #[test]
    fn quantize_rounds_and_saturates() {
        let p = Register::at(addr::POTENCIA_ATIVA_A);
        assert_eq!(p.quantize(0.05), 1);
        assert_eq!(p.quantize(-0.05), -1);
        assert_eq!(p.quantize(1e9), 32_767);
        assert_eq!(p.quantize(-1e9), -32_768);
        assert_eq!(p.quantize(f64::NAN), 0);
        let v = Register::at(addr::VA_RMS);
        assert_eq!(v.quantize(-3.0), 0);
        assert_eq!(v.quantize(f64::INFINITY), 65_535);
        let kwh = Register::at(addr::KWHT_HIGH);
        assert_eq!(kwh.quantize(1e12), 65_535_999);
        assert_eq!(kwh.quantize(1234.56), 12_346);
    }

    proptest::proptest! {
        /// Every raw integer a register can hold survives scale → quantize, so
        /// the divisor and the encoding's range agree for every row.
        #[test]
        fn every_raw_integer_survives_scaling(index in 0..MAP.len(), fraction in 0.0..=1.0f64) {
            let r = &MAP[index];
            let (lo, hi) = r.encoding.raw_range();
            let raw = lo + ((hi - lo) as f64 * fraction).round() as i64;
            proptest::prop_assert_eq!(r.quantize(r.scale(raw)), raw, "{}", r.name);
        }
    }
}
