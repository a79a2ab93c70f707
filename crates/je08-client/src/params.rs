//! Settings writes and energy resets over Modbus, following the spec's
//! configurator sequence: validate → write → trigger SAVE_PARAMS → read back
//! → compare, reporting any difference field by field.
//!
//! Validation happens before this module is reached: callers build a
//! [`WritePlan`], which refuses any bad value with the register name and
//! allowed range, so nothing is sent when one value is wrong.
//!
//! All requested settings go out in **one** request whenever they lie in the
//! settings block 9–19: function 16 over the span from the first to the last
//! changed register, the registers in between rewritten with the values just
//! read (function 6 when only one register changes). The meter applies a
//! multi-register write all or nothing, so a change of several fields can
//! never be left half done. Only plans touching other registers fall back to
//! one request per contiguous run. Writes are never retried.
//!
//! Another client may change settings at the same time (a commissioning job
//! on its own connection, a second configurator). The registers in between
//! are filled from a read made just before the write, a change planned from
//! an earlier read is refused when any other register of 9–19 moved since
//! ([`apply_settings_from`]), and the read-back checks all of 9–19: a
//! concurrent change is reported as [`ConcurrentChange`], never undone.

mod concurrent;

pub use self::concurrent::{ConcurrentChange, RegisterChange};

use crate::texts::ClientMsg;
use je08_protocol::i18n::{Describe, Tr};

use super::modbus::{ModbusClient, ModbusError};
use je08_protocol::codec::{RegisterBlock, decode_settings, encode_settings};
use je08_protocol::readings::Settings;
use je08_protocol::registers::{addr, label};
use je08_protocol::validate::{Mismatch, WritePlan, compare, trigger_value};

/// The settings registers (gains, CT ratio, inversions).
pub const SETTINGS_REGISTERS: std::ops::RangeInclusive<u16> = 9..=19;

/// How far a settings change got when it failed, and what that means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the current state; nothing was written.
    ReadBefore,
    /// Firing DEFAULT_PARAMS.
    RestoreDefaults,
    /// Writing the requested registers.
    Write,
    /// Firing SAVE_PARAMS after the settings were written.
    Save,
    /// Reading back after writing.
    ReadBack,
    /// Firing ZERA_KWH / ZERA_KVARH.
    ResetEnergy,
}

impl Describe for Stage {
    /// What the stage a change failed at means for the meter.
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::ReadBefore => ClientMsg::StageReadBefore,
            Self::RestoreDefaults => ClientMsg::StageRestoreDefaults,
            Self::Write => ClientMsg::StageWrite,
            Self::Save => ClientMsg::StageSave,
            Self::ReadBack => ClientMsg::StageReadBack,
            Self::ResetEnergy => ClientMsg::StageResetEnergy,
        })
        .to_owned()
    }
}

je08_protocol::english_display!(Stage, ParamsError);

/// A settings change or energy reset that failed part way: the Modbus
/// failure and what it means for the meter, e.g. "… (nothing was written)",
/// or another client's change found in its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamsError {
    /// A Modbus request failed.
    Modbus {
        /// How far the change got.
        stage: Stage,
        /// The Modbus failure.
        source: ModbusError,
    },
    /// Another client changed settings registers this change did not plan
    /// to write; they were not overwritten.
    Concurrent(ConcurrentChange),
}

impl ParamsError {
    /// The Modbus failure behind this error, if one is.
    pub fn modbus(&self) -> Option<&ModbusError> {
        match self {
            Self::Modbus { source, .. } => Some(source),
            Self::Concurrent(_) => None,
        }
    }
}

impl Describe for ParamsError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Modbus { stage, source } => format!("{} ({})", source.describe(tr), stage.describe(tr)),
            Self::Concurrent(change) => change.describe(tr),
        }
    }
}

impl std::error::Error for ParamsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.modbus().map(|e| e as _)
    }
}

fn at(stage: Stage) -> impl FnOnce(ModbusError) -> ParamsError {
    move |source| ParamsError::Modbus { stage, source }
}

/// Options of [`apply_settings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Restore the default gains (DEFAULT_PARAMS) before writing the plan.
    pub restore_defaults: bool,
    /// Persist with SAVE_PARAMS afterwards.
    pub save: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            restore_defaults: false,
            save: true,
        }
    }
}

/// One settings register before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOutcome {
    /// Register address.
    pub addr: u16,
    /// Register name.
    pub name: String,
    /// Value before anything was written.
    pub before: u16,
    /// Value requested, if this register was part of the plan.
    pub wanted: Option<u16>,
    /// Value read back at the end.
    pub read_back: u16,
}

impl FieldOutcome {
    /// The read-back value is the one requested (or none was requested).
    pub fn ok(&self) -> bool {
        self.wanted.is_none_or(|w| w == self.read_back)
    }

    /// The register holds a different value than before.
    pub fn changed(&self) -> bool {
        self.before != self.read_back
    }
}

/// What a settings change did, field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsOutcome {
    /// The meter's device id (registers 104–105), from the read before writing.
    pub device_id: u32,
    /// Every settings register (9–19), requested or not.
    pub fields: Vec<FieldOutcome>,
    /// Settings before the change.
    pub before: Settings,
    /// Settings read back after the change.
    pub after: Settings,
    /// DEFAULT_PARAMS was fired.
    pub defaults_restored: bool,
    /// SAVE_PARAMS was fired.
    pub saved: bool,
    /// Requested registers whose read-back value differs.
    pub mismatches: Vec<Mismatch>,
}

impl SettingsOutcome {
    /// Every requested value reads back as written.
    pub fn is_ok(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// The fields that were requested or changed.
    pub fn relevant(&self) -> impl Iterator<Item = &FieldOutcome> {
        self.fields.iter().filter(|f| f.wanted.is_some() || f.changed())
    }
}

/// The requests that carry `plan`, given the block currently on the meter:
/// one span over the settings block when possible, else one per run.
pub fn write_requests(plan: &WritePlan, current: &RegisterBlock) -> Vec<(u16, Vec<u16>)> {
    let writes = plan.writes();
    let (Some(first), Some(last)) = (writes.first(), writes.last()) else {
        return Vec::new();
    };
    let (first, last) = (first.0, last.0);
    if !(SETTINGS_REGISTERS.contains(&first) && SETTINGS_REGISTERS.contains(&last)) {
        return plan.runs();
    }
    let values = (first..=last)
        .map(|a| {
            writes
                .iter()
                .find(|(w, _)| *w == a)
                .map_or_else(|| current.get(a), |(_, v)| *v)
        })
        .collect();
    vec![(first, values)]
}

async fn send(client: &mut ModbusClient, first: u16, values: &[u16]) -> Result<(), ModbusError> {
    match values {
        [one] => client.write_register(first, *one).await,
        many => client.write_registers(first, many).await,
    }
}

/// Fire a trigger register: read its current value, write the next one.
pub async fn fire_trigger(client: &mut ModbusClient, trigger: u16) -> Result<(), ModbusError> {
    let current = client.read_registers(trigger, 1).await?;
    let value = trigger_value(current.first().copied().unwrap_or_default());
    client.write_register(trigger, value).await
}

/// Apply `plan` (already validated) and optionally restore defaults first
/// and save afterwards; read back and compare every requested field. The
/// plan is taken as made from the read this function makes before writing;
/// a register of 9–19 outside the plan that reads back different from it
/// was changed by another client meanwhile: [`ParamsError::Concurrent`].
pub async fn apply_settings(
    client: &mut ModbusClient,
    plan: &WritePlan,
    options: ApplyOptions,
) -> Result<SettingsOutcome, ParamsError> {
    apply(client, None, plan, options).await
}

/// [`apply_settings`] for a plan made from `basis`, the settings an earlier
/// read found: when the read just before writing shows a register of 9–19
/// outside the plan no longer as in `basis`, another client changed it;
/// nothing is written and [`ParamsError::Concurrent`] names it.
pub async fn apply_settings_from(
    client: &mut ModbusClient,
    basis: &Settings,
    plan: &WritePlan,
    options: ApplyOptions,
) -> Result<SettingsOutcome, ParamsError> {
    apply(client, Some(basis), plan, options).await
}

async fn apply(
    client: &mut ModbusClient,
    basis: Option<&Settings>,
    plan: &WritePlan,
    options: ApplyOptions,
) -> Result<SettingsOutcome, ParamsError> {
    let before = client.read_map().await.map_err(at(Stage::ReadBefore))?;
    if let Some(basis) = basis {
        let mut planned_from = before;
        encode_settings(&mut planned_from, basis);
        if let Some(change) = ConcurrentChange::find(client.meter(), plan, &planned_from, &before, false) {
            return Err(ParamsError::Concurrent(change));
        }
    }
    let mut current = before;
    if options.restore_defaults {
        fire_trigger(client, addr::DEFAULT_PARAMS)
            .await
            .map_err(at(Stage::RestoreDefaults))?;
        current = client.read_map().await.map_err(at(Stage::RestoreDefaults))?;
    }
    for (first, values) in write_requests(plan, &current) {
        send(client, first, &values).await.map_err(at(Stage::Write))?;
    }
    if options.save {
        fire_trigger(client, addr::SAVE_PARAMS)
            .await
            .map_err(at(Stage::Save))?;
    }
    let after = client.read_map().await.map_err(at(Stage::ReadBack))?;
    if let Some(change) = ConcurrentChange::find(client.meter(), plan, &current, &after, true) {
        return Err(ParamsError::Concurrent(change));
    }
    let fields = SETTINGS_REGISTERS
        .map(|a| FieldOutcome {
            addr: a,
            name: label(a),
            before: before.get(a),
            wanted: plan.writes().iter().find(|(w, _)| *w == a).map(|(_, v)| *v),
            read_back: after.get(a),
        })
        .collect();
    Ok(SettingsOutcome {
        device_id: before.integer(addr::DEVICE_ID_HIGH) as u32,
        fields,
        before: decode_settings(&before),
        after: decode_settings(&after),
        defaults_restored: options.restore_defaults,
        saved: options.save,
        mismatches: compare(plan, &after),
    })
}

/// Which energy accumulators to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnergyCounters {
    /// Every kWh accumulator (ZERA_KWH).
    pub kwh: bool,
    /// Every kVArh accumulator (ZERA_KVARH).
    pub kvarh: bool,
}

/// One accumulator family's three-phase total before and after a reset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyReset {
    /// Total before, in kWh or kVArh.
    pub before: f64,
    /// Total after.
    pub after: f64,
}

impl EnergyReset {
    /// The total went down (or was already zero): the reset took effect.
    pub fn took_effect(&self) -> bool {
        self.before == 0.0 || self.after < self.before
    }
}

/// What an energy reset did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyResetOutcome {
    /// The meter's device id (registers 104–105), from the read before the reset.
    pub device_id: u32,
    /// kWh totals, when reset.
    pub kwh: Option<EnergyReset>,
    /// kVArh totals, when reset.
    pub kvarh: Option<EnergyReset>,
}

impl EnergyResetOutcome {
    /// Every requested reset took effect.
    pub fn is_ok(&self) -> bool {
        [self.kwh, self.kvarh]
            .iter()
            .flatten()
            .all(EnergyReset::took_effect)
    }
}

/// Zero the chosen accumulators with the ZERA_KWH / ZERA_KVARH triggers and
/// read back the totals.
pub async fn reset_energy(
    client: &mut ModbusClient,
    which: EnergyCounters,
) -> Result<EnergyResetOutcome, ParamsError> {
    let before = client.read_map().await.map_err(at(Stage::ReadBefore))?;
    if which.kwh {
        fire_trigger(client, addr::ZERA_KWH)
            .await
            .map_err(at(Stage::ResetEnergy))?;
    }
    if which.kvarh {
        fire_trigger(client, addr::ZERA_KVARH)
            .await
            .map_err(at(Stage::ResetEnergy))?;
    }
    let after = client.read_map().await.map_err(at(Stage::ReadBack))?;
    let family = |on: bool, total_register| {
        on.then(|| EnergyReset {
            before: before.value(total_register),
            after: after.value(total_register),
        })
    };
    Ok(EnergyResetOutcome {
        device_id: before.integer(addr::DEVICE_ID_HIGH) as u32,
        kwh: family(which.kwh, addr::KWHT_HIGH),
        kvarh: family(which.kvarh, addr::KVARHT_HIGH),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> RegisterBlock {
        let mut b = RegisterBlock::default();
        for a in SETTINGS_REGISTERS {
            b.set(a, 1000 + a);
        }
        b
    }

    #[test]
    fn settings_go_out_as_one_span_with_gaps_kept() {
        let plan = WritePlan::new(&[(16, 120), (10, 900), (19, 1)]).unwrap();
        let requests = write_requests(&plan, &block());
        assert_eq!(
            requests,
            vec![(10, vec![900, 1011, 1012, 1013, 1014, 1015, 120, 1017, 1018, 1])]
        );
    }

    #[test]
    fn a_single_setting_is_a_single_register() {
        let plan = WritePlan::new(&[(16, 120)]).unwrap();
        assert_eq!(write_requests(&plan, &block()), vec![(16, vec![120])]);
        assert!(write_requests(&WritePlan::default(), &block()).is_empty());
    }

    #[test]
    fn plans_outside_the_settings_block_use_runs() {
        let plan = WritePlan::new(&[(8, 5), (16, 120)]).unwrap();
        assert_eq!(
            write_requests(&plan, &block()),
            vec![(8, vec![5]), (16, vec![120])]
        );
    }

    #[test]
    fn field_outcomes_flag_mismatches_and_changes() {
        let f = FieldOutcome {
            addr: 16,
            name: "RELACAO_TC".into(),
            before: 100,
            wanted: Some(120),
            read_back: 100,
        };
        assert!(!f.ok() && !f.changed());
        let g = FieldOutcome {
            wanted: None,
            read_back: 90,
            ..f
        };
        assert!(g.ok() && g.changed());
    }

    #[test]
    fn save_failure_says_the_settings_are_not_saved() {
        let err = ParamsError::Modbus {
            stage: Stage::Save,
            source: ModbusError::Refused {
                meter: crate::endpoint::Endpoint::parse("10.0.0.7", 502).unwrap(),
            },
        };
        let text = err.to_string();
        assert!(
            text.contains("10.0.0.7:502") && text.contains("NOT saved"),
            "{text}"
        );
    }
}
