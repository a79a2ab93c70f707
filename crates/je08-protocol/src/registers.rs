//! The JE08 Modbus register map (spec §2) as one data table.
//!
//! Every other part of the program (decoding, validation, the simulator, the
//! command line) reads addresses, scales and ranges from [`MAP`]; nothing
//! else hard-codes a register number.

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

/// How the 16 bits of a register are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Unsigned 16-bit integer.
    U16,
    /// Two's-complement signed 16-bit integer.
    I16,
}

/// One register of the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Register {
    /// Modbus address (0-based).
    pub addr: u16,
    /// Name as printed in the vendor manual.
    pub name: &'static str,
    /// Read-only or read/write.
    pub access: Access,
    /// Signedness.
    pub value_type: ValueType,
    /// Engineering value = raw / divisor (1 for plain integers).
    pub divisor: f64,
    /// Engineering unit of the scaled value ("" for none).
    pub unit: &'static str,
    /// Inclusive range a write must respect; `None` for read-only registers.
    pub range: Option<(u16, u16)>,
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
    pub const POTENCIA_APARENTE_A: u16 = 71;
    pub const FATOR_POTENCIA_A: u16 = 75;
    pub const POTENCIA_REATIVA_A: u16 = 79;
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

const fn rw(addr: u16, name: &'static str, unit: &'static str, lo: u16, hi: u16) -> Register {
    Register {
        addr,
        name,
        access: Access::ReadWrite,
        value_type: ValueType::U16,
        divisor: 1.0,
        unit,
        range: Some((lo, hi)),
    }
}

const fn ro(
    addr: u16,
    name: &'static str,
    value_type: ValueType,
    divisor: f64,
    unit: &'static str,
) -> Register {
    Register {
        addr,
        name,
        access: Access::Read,
        value_type,
        divisor,
        unit,
        range: None,
    }
}

use ValueType::{I16, U16};

/// The whole map; addresses not listed are reserved and read 0.
pub const MAP: &[Register] = &[
    rw(1, "SAVE_PARAMS", "", 0, 65535),
    rw(2, "DEFAULT_PARAMS", "", 0, 65535),
    rw(7, "ZERA_KVARH", "", 0, 65535),
    rw(8, "ZERA_KWH", "", 0, 65535),
    rw(9, "GANHO_FREQUENCIA", "", 0, 65535),
    rw(10, "GANHO_TENSAO_A", "", 500, 1500),
    rw(11, "GANHO_CORRENTE_A", "", 100, 1500),
    rw(12, "GANHO_TENSAO_B", "", 500, 1500),
    rw(13, "GANHO_CORRENTE_B", "", 100, 1500),
    rw(14, "GANHO_TENSAO_C", "", 500, 1500),
    rw(15, "GANHO_CORRENTE_C", "", 100, 1500),
    rw(16, "RELACAO_TC", "", 20, 400),
    rw(17, "INVERTE_TC_FASE_A", "", 0, 1),
    rw(18, "INVERTE_TC_FASE_B", "", 0, 1),
    rw(19, "INVERTE_TC_FASE_C", "", 0, 1),
    ro(30, "RESET_REASON", U16, 1.0, ""),
    ro(35, "KVARHA_HIGH", U16, 1.0, ""),
    ro(36, "KVARHA_LOW", U16, 1.0, ""),
    ro(37, "KWHA_HIGH", U16, 1.0, ""),
    ro(38, "KWHA_LOW", U16, 1.0, ""),
    ro(39, "KVARHB_HIGH", U16, 1.0, ""),
    ro(40, "KVARHB_LOW", U16, 1.0, ""),
    ro(41, "KWHB_HIGH", U16, 1.0, ""),
    ro(42, "KWHB_LOW", U16, 1.0, ""),
    ro(43, "KVARHC_HIGH", U16, 1.0, ""),
    ro(44, "KVARHC_LOW", U16, 1.0, ""),
    ro(45, "KWHC_HIGH", U16, 1.0, ""),
    ro(46, "KWHC_LOW", U16, 1.0, ""),
    ro(47, "KVARHT_HIGH", U16, 1.0, ""),
    ro(48, "KVARHT_LOW", U16, 1.0, ""),
    ro(49, "KWHT_HIGH", U16, 1.0, ""),
    ro(50, "KWHT_LOW", U16, 1.0, ""),
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
    ro(104, "DEVICE_ID_HIGH", U16, 1.0, ""),
    ro(105, "DEVICE_ID_LOW", U16, 1.0, ""),
    ro(106, "UPTIME_HIGH", U16, 1.0, ""),
    ro(107, "UPTIME_LOW", U16, 1.0, "s"),
    ro(108, "STM32_FAILS", U16, 1.0, ""),
    ro(109, "ESP_VERSION", U16, 100.0, ""),
];

/// The register at `addr`, or `None` when the address is reserved or past the map.
pub fn register(addr: u16) -> Option<&'static Register> {
    MAP.iter().find(|r| r.addr == addr)
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
}
