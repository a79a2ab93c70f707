//! Validation of register writes and planning of settings changes.
//!
//! Everything is checked here before a single byte goes to the meter; an
//! error names the register, the value and the allowed range.

use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;

use super::readings::Settings;
use super::registers::{Access, MAP_LEN, register};

/// A write that must not be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The value lies outside the register's range.
    OutOfRange {
        /// Register name.
        name: &'static str,
        /// Register address.
        addr: u16,
        /// Rejected value.
        value: i64,
        /// Smallest allowed value.
        min: u16,
        /// Largest allowed value.
        max: u16,
    },
    /// The register is read-only or reserved.
    NotWritable {
        /// Register name or `RESERVED<n>`.
        label: String,
        /// Register address.
        addr: u16,
    },
    /// The address lies past the end of the map.
    NoSuchRegister {
        /// Rejected address.
        addr: u16,
    },
}

impl Describe for WriteError {
    fn describe(&self, tr: Tr) -> String {
        let n = |v: &dyn ToString| v.to_string();
        match self {
            Self::OutOfRange {
                name,
                addr,
                value,
                min,
                max,
            } => tr.f(
                ProtocolMsg::WriteOutOfRange,
                &[name, &n(addr), &n(value), &n(min), &n(max)],
            ),
            Self::NotWritable { label, addr } => tr.f(ProtocolMsg::WriteNotWritable, &[label, &n(addr)]),
            Self::NoSuchRegister { addr } => {
                tr.f(ProtocolMsg::WriteNoSuchRegister, &[&n(addr), &n(&(MAP_LEN - 1))])
            }
        }
    }
}

crate::english_display!(errors: WriteError);

/// Check one value for one register and return it as a register word.
pub fn validate_write(addr: u16, value: i64) -> Result<u16, WriteError> {
    if addr >= MAP_LEN {
        return Err(WriteError::NoSuchRegister { addr });
    }
    let reg = register(addr)
        .filter(|r| r.access == Access::ReadWrite)
        .ok_or_else(|| WriteError::NotWritable {
            label: super::registers::label(addr),
            addr,
        })?;
    let (min, max) = reg.range.unwrap_or((0, u16::MAX));
    if value < i64::from(min) || value > i64::from(max) {
        return Err(WriteError::OutOfRange {
            name: reg.name,
            addr,
            value,
            min,
            max,
        });
    }
    Ok(value as u16)
}

/// A set of register writes, validated and merged into contiguous runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WritePlan {
    writes: Vec<(u16, u16)>,
}

impl WritePlan {
    /// Validate every `(address, value)` pair; the first failure rejects the
    /// whole plan so that nothing is written. A later value for the same
    /// address replaces an earlier one.
    pub fn new(requested: &[(u16, i64)]) -> Result<Self, WriteError> {
        let mut writes: Vec<(u16, u16)> = Vec::with_capacity(requested.len());
        for &(addr, value) in requested {
            let word = validate_write(addr, value)?;
            writes.retain(|(a, _)| *a != addr);
            writes.push((addr, word));
        }
        writes.sort_unstable_by_key(|(a, _)| *a);
        Ok(Self { writes })
    }

    /// The plan that turns `current` settings into `wanted` settings
    /// (only the registers that differ).
    pub fn between(current: &Settings, wanted: &Settings) -> Result<Self, WriteError> {
        let before = settings_words(current);
        let after = settings_words(wanted);
        let changed: Vec<(u16, i64)> = before
            .iter()
            .zip(after.iter())
            .filter(|(b, a)| b.1 != a.1)
            .map(|(_, a)| (a.0, i64::from(a.1)))
            .collect();
        Self::new(&changed)
    }

    /// True when nothing is to be written.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// The single writes, sorted by address.
    pub fn writes(&self) -> &[(u16, u16)] {
        &self.writes
    }

    /// Contiguous runs `(first address, values)`, each one Modbus request.
    pub fn runs(&self) -> Vec<(u16, Vec<u16>)> {
        let mut runs: Vec<(u16, Vec<u16>)> = Vec::new();
        for &(addr, word) in &self.writes {
            match runs.last_mut() {
                Some((start, values)) if *start + values.len() as u16 == addr => values.push(word),
                _ => runs.push((addr, vec![word])),
            }
        }
        runs
    }
}

/// The settings registers 9–19 as `(address, value)` pairs.
pub fn settings_words(s: &Settings) -> Vec<(u16, u16)> {
    let mut block = super::codec::RegisterBlock::default();
    super::codec::encode_settings(&mut block, s);
    (9..=19).map(|a| (a, block.get(a))).collect()
}

/// The value that fires a trigger register currently holding `current`.
pub fn trigger_value(current: u16) -> u16 {
    current.wrapping_add(1)
}

/// Registers 9–19 that differ between what was written and what was read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Register address.
    pub addr: u16,
    /// Value written.
    pub wanted: u16,
    /// Value read back.
    pub actual: u16,
}

impl Describe for Mismatch {
    /// The register, what was written and what came back.
    fn describe(&self, tr: Tr) -> String {
        let n = |v: u16| v.to_string();
        tr.f(
            ProtocolMsg::WriteReadBack,
            &[
                &super::registers::label(self.addr),
                &n(self.addr),
                &n(self.wanted),
                &n(self.actual),
            ],
        )
    }
}

crate::english_display!(Mismatch);

/// Compare a plan with the block read back after writing it.
pub fn compare(plan: &WritePlan, read_back: &super::codec::RegisterBlock) -> Vec<Mismatch> {
    plan.writes()
        .iter()
        .filter(|(a, w)| read_back.get(*a) != *w)
        .map(|&(addr, wanted)| Mismatch {
            addr,
            wanted,
            actual: read_back.get(addr),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::addr;

    #[test]
    fn out_of_range_names_register_value_and_range() {
        let err = validate_write(addr::GANHO_TENSAO_A, 1600).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GANHO_TENSAO_A (register 10): 1600 is out of range; allowed 500–1500"
        );
        assert!(validate_write(addr::RELACAO_TC, 10).is_err());
        assert!(validate_write(addr::INVERTE_TC_FASE_A, 2).is_err());
        assert!(validate_write(addr::RELACAO_TC, -1).is_err());
        assert_eq!(validate_write(addr::RELACAO_TC, 400), Ok(400));
    }

    #[test]
    fn read_only_reserved_and_missing_registers_are_refused() {
        assert!(matches!(
            validate_write(addr::VA_RMS, 1),
            Err(WriteError::NotWritable { .. })
        ));
        assert!(matches!(
            validate_write(3, 0),
            Err(WriteError::NotWritable { .. })
        ));
        assert!(matches!(
            validate_write(110, 0),
            Err(WriteError::NoSuchRegister { .. })
        ));
    }

    #[test]
    fn one_bad_value_rejects_the_whole_plan() {
        assert!(WritePlan::new(&[(addr::RELACAO_TC, 100), (addr::GANHO_TENSAO_B, 9999)]).is_err());
    }

    #[test]
    fn plans_merge_into_contiguous_runs() {
        let plan = WritePlan::new(&[(17, 1), (16, 100), (10, 1000), (19, 0), (16, 120)]).unwrap();
        assert_eq!(
            plan.runs(),
            vec![(10, vec![1000]), (16, vec![120, 1]), (19, vec![0])]
        );
    }

    #[test]
    fn trigger_wraps() {
        assert_eq!(trigger_value(65535), 0);
        assert_eq!(trigger_value(7), 8);
    }
}
