//! Every register of a block as a support table shows it: address, name,
//! access, the raw word and the decoded value with its unit. One list for
//! `je08 read --raw` and the window's Registers tab.

use crate::codec::RegisterBlock;
use crate::registers::{Access, Encoding, MAP_LEN, register};

/// One register of the table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RawRow {
    /// Modbus address (0-based).
    pub addr: u16,
    /// Its name in the manual, or `RESERVED<n>`.
    pub name: String,
    /// Read-only or read/write; `None` for a reserved address.
    pub access: Option<Access>,
    /// The word as read.
    pub raw: u16,
    /// The engineering value with its unit ("" for a reserved address or
    /// the LOW word of a pair, whose value is on its HIGH word's row).
    pub decoded: String,
}

impl RawRow {
    /// `R`, `RW` or `—`.
    pub fn access_text(&self) -> &'static str {
        match self.access {
            Some(Access::Read) => "R",
            Some(Access::ReadWrite) => "RW",
            None => "—",
        }
    }
}

/// The table of all [`MAP_LEN`] addresses of `block`.
pub fn raw_rows(block: &RegisterBlock) -> Vec<RawRow> {
    (0..MAP_LEN)
        .map(|addr| {
            let listed = register(addr);
            let decoded = match listed {
                Some(r) if r.encoding != Encoding::Low => {
                    let decimals = r.divisor.log10().round().max(0.0) as usize;
                    let value = block.value(addr);
                    match r.unit {
                        "" => format!("{value:.decimals$}"),
                        unit => format!("{value:.decimals$} {unit}"),
                    }
                }
                _ => String::new(),
            };
            RawRow {
                addr,
                name: crate::registers::label(addr),
                access: listed.map(|r| r.access),
                raw: block.get(addr),
                decoded,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::addr;

    #[test]
    fn every_address_has_a_row_with_its_raw_word_and_scaled_value() {
        let mut block = RegisterBlock::default();
        block.set_value(addr::RELACAO_TC, 150.0);
        block.set_integer(addr::KWHT_HIGH, 123_456);
        let rows = raw_rows(&block);
        assert_eq!(rows.len(), usize::from(MAP_LEN));
        let ct = &rows[usize::from(addr::RELACAO_TC)];
        assert_eq!(
            (ct.name.as_str(), ct.raw, ct.access_text()),
            ("RELACAO_TC", 150, "RW")
        );
        assert_eq!(ct.decoded, "150");
        let high = &rows[usize::from(addr::KWHT_HIGH)];
        assert_eq!(high.raw, 123);
        assert_eq!(high.decoded, "12345.6 kWh");
        let low = &rows[usize::from(addr::KWHT_HIGH) + 1];
        assert_eq!((low.raw, low.decoded.as_str()), (456, ""));
        let reserved = rows
            .iter()
            .find(|r| r.access.is_none())
            .expect("a reserved address");
        assert!(reserved.name.starts_with("RESERVED"));
    }
}
