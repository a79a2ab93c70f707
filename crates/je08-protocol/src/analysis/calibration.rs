//! Calibration maths: preconditions over a window of samples and the new gain.
//!
//! The manual asks for a current above 50% of nominal and stable before any
//! gain is adjusted. The new gain is `old × reference / measured`, refused
//! when it falls outside the register's range. Nothing here talks to a meter.

use serde::Serialize;

use super::stats::WindowStats;
use super::wiring::Phase;
use crate::codec::{GAIN_I, GAIN_V};
use crate::i18n::{Describe, Tr};
use crate::readings::{Measurements, Settings};
use crate::registers::register;
use crate::texts::ProtocolMsg;

/// What is being calibrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Phase-to-neutral voltage (GANHO_TENSAO_x).
    Voltage,
    /// Current (GANHO_CORRENTE_x).
    Current,
}

impl Quantity {
    /// Unit symbol.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Voltage => "V",
            Self::Current => "A",
        }
    }

    /// The gain register of `phase` for this quantity.
    pub fn gain_register(self, phase: Phase) -> u16 {
        match self {
            Self::Voltage => GAIN_V[phase.index()],
            Self::Current => GAIN_I[phase.index()],
        }
    }

    /// The value of this quantity on `phase` in one reading.
    pub fn value(self, m: &Measurements, phase: Phase) -> f64 {
        match self {
            Self::Voltage => m.voltage_v.to_array()[phase.index()],
            Self::Current => m.current_a.to_array()[phase.index()],
        }
    }

    fn current_gain(self, s: &Settings, phase: Phase) -> u16 {
        match self {
            Self::Voltage => s.gains.voltage.to_array()[phase.index()],
            Self::Current => s.gains.current.to_array()[phase.index()],
        }
    }
}

/// Conditions a window of samples must meet before calibrating.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Preconditions {
    /// Fewest samples in the window.
    pub min_samples: usize,
    /// Smallest current as a fraction of the CT rating (manual: 50%).
    pub min_current_fraction: f64,
    /// Largest relative standard deviation of the current and of the
    /// calibrated quantity.
    pub max_relative_spread: f64,
}

impl Default for Preconditions {
    fn default() -> Self {
        Self {
            min_samples: 5,
            min_current_fraction: 0.5,
            max_relative_spread: 0.01,
        }
    }
}

/// Why a calibration was refused; nothing has been written.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not enough samples yet.
    TooFewSamples {
        /// Samples available.
        have: usize,
        /// Samples needed.
        need: usize,
    },
    /// The reference value typed by the user cannot be right.
    BadReference {
        /// The value typed.
        reference: f64,
    },
    /// Current too low (manual: above 50% of nominal).
    CurrentTooLow {
        /// Phase.
        phase: Phase,
        /// Mean current.
        amps: f64,
        /// Current needed.
        needed: f64,
        /// CT rating in amps.
        rating_a: u32,
    },
    /// Readings not stable.
    Unstable {
        /// Phase.
        phase: Phase,
        /// The quantity that varies.
        quantity: Quantity,
        /// Relative standard deviation in per cent.
        spread_percent: f64,
        /// Allowed relative standard deviation in per cent.
        limit_percent: f64,
    },
    /// The computed gain is outside the register's range.
    GainOutOfRange {
        /// Register name.
        register: &'static str,
        /// Computed gain.
        gain: i64,
        /// Smallest allowed.
        min: u16,
        /// Largest allowed.
        max: u16,
    },
}

impl Describe for Refusal {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::TooFewSamples { have, need } => tr.f(
                ProtocolMsg::RefuseFewSamples,
                &[&have.to_string(), &need.to_string()],
            ),
            Self::BadReference { reference } => {
                tr.f(ProtocolMsg::RefuseBadReference, &[&reference.to_string()])
            }
            Self::CurrentTooLow {
                phase,
                amps,
                needed,
                rating_a,
            } => tr.f(
                ProtocolMsg::RefuseLowCurrent,
                &[
                    &phase.to_string(),
                    &format!("{amps:.1}"),
                    &format!("{needed:.1}"),
                    &rating_a.to_string(),
                ],
            ),
            Self::Unstable {
                phase,
                quantity,
                spread_percent,
                limit_percent,
            } => tr.f(
                match quantity {
                    Quantity::Current => ProtocolMsg::RefuseUnstableCurrent,
                    Quantity::Voltage => ProtocolMsg::RefuseUnstableVoltage,
                },
                &[
                    &phase.to_string(),
                    &format!("{spread_percent:.2}"),
                    &format!("{limit_percent:.2}"),
                ],
            ),
            Self::GainOutOfRange {
                register,
                gain,
                min,
                max,
            } => tr.f(
                ProtocolMsg::RefuseGainRange,
                &[register, &gain.to_string(), &min.to_string(), &max.to_string()],
            ),
        }
    }
}

crate::english_display!(errors: Refusal);

/// A checked calibration step, ready to write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationPlan {
    /// Phase calibrated.
    pub phase: Phase,
    /// Quantity calibrated.
    pub quantity: Quantity,
    /// Gain register address.
    pub register: u16,
    /// Gain in force while measuring.
    pub old_gain: u16,
    /// Gain to write.
    pub new_gain: u16,
    /// Statistics of the measured quantity.
    pub measured: WindowStats,
    /// Reference value read on the user's instrument.
    pub reference: f64,
    /// Error of the meter before calibration, in per cent.
    pub error_before_percent: f64,
}

/// Error of `measured` against `reference` in per cent.
pub fn error_percent(measured: f64, reference: f64) -> f64 {
    100.0 * (measured - reference) / reference
}

fn stable(stats: &WindowStats, phase: Phase, quantity: Quantity, pre: &Preconditions) -> Result<(), Refusal> {
    let spread = stats.relative_spread();
    if spread > pre.max_relative_spread {
        return Err(Refusal::Unstable {
            phase,
            quantity,
            spread_percent: 100.0 * spread,
            limit_percent: 100.0 * pre.max_relative_spread,
        });
    }
    Ok(())
}

/// The statistics a calibration is based on, once the preconditions hold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Checked {
    /// The quantity being calibrated on the phase.
    pub measured: WindowStats,
    /// The phase current (the load condition).
    pub current: WindowStats,
    /// The CT rating in amps the current was judged against.
    pub rating_a: u32,
}

/// Check the preconditions on `samples` (taken with `settings` in force)
/// before any reference value is known: enough samples, current above the
/// minimum fraction of the CT rating, current (and voltage) stable.
pub fn check_preconditions(
    phase: Phase,
    quantity: Quantity,
    samples: &[Measurements],
    settings: &Settings,
    pre: &Preconditions,
) -> Result<Checked, Refusal> {
    if samples.len() < pre.min_samples.max(1) {
        return Err(Refusal::TooFewSamples {
            have: samples.len(),
            need: pre.min_samples.max(1),
        });
    }
    let stats_of = |q: Quantity| WindowStats::of(samples.iter().map(|m| q.value(m, phase)));
    let (Some(current), Some(measured)) = (stats_of(Quantity::Current), stats_of(quantity)) else {
        return Err(Refusal::TooFewSamples {
            have: 0,
            need: pre.min_samples,
        });
    };
    let rating_a = settings.ct_primary_a();
    let needed = f64::from(rating_a) * pre.min_current_fraction;
    if current.mean < needed {
        return Err(Refusal::CurrentTooLow {
            phase,
            amps: current.mean,
            needed,
            rating_a,
        });
    }
    stable(&current, phase, Quantity::Current, pre)?;
    if quantity == Quantity::Voltage {
        stable(&measured, phase, Quantity::Voltage, pre)?;
    }
    Ok(Checked {
        measured,
        current,
        rating_a,
    })
}

/// Check the preconditions on `samples` (taken with `settings` in force)
/// and compute the new gain that makes `quantity` on `phase` read `reference`.
pub fn plan(
    phase: Phase,
    quantity: Quantity,
    reference: f64,
    samples: &[Measurements],
    settings: &Settings,
    pre: &Preconditions,
) -> Result<CalibrationPlan, Refusal> {
    if !(reference.is_finite() && reference > 0.0) {
        return Err(Refusal::BadReference { reference });
    }
    let Checked { measured, .. } = check_preconditions(phase, quantity, samples, settings, pre)?;
    let reg_addr = quantity.gain_register(phase);
    let old_gain = quantity.current_gain(settings, phase);
    let gain = (f64::from(old_gain) * reference / measured.mean).round() as i64;
    let reg = register(reg_addr).expect("gain registers are in the map");
    let (min, max) = reg.range.unwrap_or((0, u16::MAX));
    if gain < i64::from(min) || gain > i64::from(max) {
        return Err(Refusal::GainOutOfRange {
            register: reg.name,
            gain,
            min,
            max,
        });
    }
    Ok(CalibrationPlan {
        phase,
        quantity,
        register: reg_addr,
        old_gain,
        new_gain: gain as u16,
        measured,
        reference,
        error_before_percent: error_percent(measured.mean, reference),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readings::PerPhase;

    fn settings() -> Settings {
        Settings {
            ct_ratio: 20,
            ..Settings::factory()
        }
    }

    fn samples(volts: f64, amps: &[f64]) -> Vec<Measurements> {
        amps.iter()
            .map(|&a| Measurements {
                voltage_v: PerPhase {
                    a: volts,
                    b: volts,
                    c: volts,
                },
                current_a: PerPhase { a, b: a, c: a },
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn gain_scales_by_reference_over_measured() {
        let p = plan(
            Phase::A,
            Quantity::Voltage,
            220.0,
            &samples(224.4, &[80.0; 6]),
            &settings(),
            &Preconditions::default(),
        )
        .unwrap();
        assert_eq!(p.new_gain, 980);
        assert!((p.error_before_percent - 2.0).abs() < 1e-9);
        assert_eq!(p.register, crate::registers::addr::GANHO_TENSAO_A);
    }

    #[test]
    fn low_or_unstable_current_is_refused() {
        let pre = Preconditions::default();
        let low = plan(
            Phase::B,
            Quantity::Current,
            40.0,
            &samples(220.0, &[40.0; 6]),
            &settings(),
            &pre,
        );
        assert!(matches!(low, Err(Refusal::CurrentTooLow { .. })), "{low:?}");
        let wobbly = plan(
            Phase::B,
            Quantity::Current,
            80.0,
            &samples(220.0, &[70.0, 90.0, 70.0, 90.0, 80.0]),
            &settings(),
            &pre,
        );
        assert!(matches!(wobbly, Err(Refusal::Unstable { .. })), "{wobbly:?}");
        let few = plan(
            Phase::B,
            Quantity::Current,
            80.0,
            &samples(220.0, &[80.0]),
            &settings(),
            &pre,
        );
        assert!(matches!(few, Err(Refusal::TooFewSamples { .. })));
    }

    #[test]
    fn gain_outside_the_register_range_is_refused() {
        let r = plan(
            Phase::C,
            Quantity::Voltage,
            500.0,
            &samples(220.0, &[80.0; 6]),
            &settings(),
            &Preconditions::default(),
        );
        let err = r.unwrap_err();
        assert!(matches!(
            err,
            Refusal::GainOutOfRange {
                min: 500,
                max: 1500,
                ..
            }
        ));
        assert!(err.to_string().contains("GANHO_TENSAO_C"));
        assert!(matches!(
            plan(
                Phase::C,
                Quantity::Voltage,
                -1.0,
                &samples(220.0, &[80.0; 6]),
                &settings(),
                &Preconditions::default()
            ),
            Err(Refusal::BadReference { .. })
        ));
    }
}
