//! The wiring check: what the readings say about how the meter is wired.
//!
//! The meter reports only RMS values, P, Q and PF, so CT placement is found
//! by explaining the per-channel load angles atan2(Q, P). Every hypothesis
//! "channel k carries phase σ(k)'s current, reversed or not" (6 permutations
//! × 8 polarities) predicts one common load angle per channel; the simplest
//! hypothesis whose predictions agree and fall inside the expected load-angle
//! window wins. Verdicts are computed on the mean of a window of samples and
//! are discrete, so noise does not make them flicker.

use std::fmt;

use serde::Serialize;

use super::phasor::{angle_between, expected_line_voltage, load_angle_deg, normalize_deg as wrap_deg};
use super::stats::WindowStats;
use crate::codec::INVERT;
use crate::readings::{Measurements, Settings};
use crate::registers::addr;

/// A phase (or the measuring channel wired for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// Phase A (inputs VA, TC1).
    A,
    /// Phase B (inputs VB, TC2).
    B,
    /// Phase C (inputs VC, TC3).
    C,
}

impl Phase {
    /// The three phases in order.
    pub const ALL: [Phase; 3] = [Phase::A, Phase::B, Phase::C];

    /// Index 0–2.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Nominal voltage angle in a positive-sequence system (A 0°, B −120°, C +120°).
    fn nominal_angle(self) -> f64 {
        [0.0, -120.0, 120.0][self.index()]
    }

    /// Current input terminal name (TC1–TC3).
    pub fn ct_input(self) -> &'static str {
        ["TC1", "TC2", "TC3"][self.index()]
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(["A", "B", "C"][self.index()])
    }
}

/// What the installation is expected to look like.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Expectation {
    /// Smallest plausible load angle in degrees (negative = capacitive).
    pub min_load_angle_deg: f64,
    /// Largest plausible load angle in degrees (positive = inductive).
    pub max_load_angle_deg: f64,
    /// The CT primary the installer fitted, when known (e.g. 500 for 500 A/5 A).
    pub ct_primary_a: Option<u32>,
}

impl Default for Expectation {
    /// An importing load with PF ≥ 0.5 lagging or ≥ 0.9 leading.
    fn default() -> Self {
        Self {
            min_load_angle_deg: -25.0,
            max_load_angle_deg: 60.0,
            ct_primary_a: None,
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; not a fault.
    Info,
    /// Suspicious or undecidable.
    Warning,
    /// A wiring or setting fault.
    Fault,
}

/// What was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    /// A phase voltage is (nearly) absent.
    MissingVoltage {
        /// Voltage input concerned.
        phase: Phase,
        /// Measured volts.
        volts: f64,
    },
    /// Two voltage inputs are not 120° apart.
    LineVoltageInconsistent {
        /// First input.
        first: Phase,
        /// Second input.
        second: Phase,
        /// Measured line voltage.
        measured_v: f64,
        /// Line voltage expected from the two phase voltages.
        expected_v: f64,
        /// Angle between the two inputs from the law of cosines.
        angle_deg: f64,
    },
    /// Too little current on a phase to judge its CT.
    NoLoad {
        /// Channel concerned.
        phase: Phase,
        /// Measured amps.
        amps: f64,
    },
    /// A CT is mounted the wrong way round.
    ReversedCt {
        /// Channel concerned.
        phase: Phase,
    },
    /// A CT sits on another phase's conductor.
    CtOnWrongPhase {
        /// Channel (current input) concerned.
        channel: Phase,
        /// Phase whose current the channel measures.
        carries: Phase,
        /// Also reversed.
        reversed: bool,
    },
    /// The CT angles fit no wiring hypothesis.
    AnglesInconsistent {
        /// Load angle per judged channel.
        angles_deg: Vec<(Phase, f64)>,
    },
    /// The configured CT ratio differs from the fitted CT.
    CtRatioMismatch {
        /// Primary amps configured in RELACAO_TC.
        configured_a: u32,
        /// Primary amps expected.
        expected_a: u32,
    },
    /// A current above the configured CT rating.
    CurrentAboveRating {
        /// Channel concerned.
        phase: Phase,
        /// Measured amps.
        amps: f64,
        /// Configured CT primary in amps.
        rating_a: u32,
    },
    /// Every current is a tiny fraction of the CT rating.
    CtOversized {
        /// Largest current as a percentage of the rating.
        percent_of_rating: f64,
    },
    /// Currents differ strongly between phases.
    CurrentUnbalance {
        /// Largest deviation from the mean, in per cent.
        percent: f64,
    },
    /// Voltages differ strongly between phases.
    VoltageUnbalance {
        /// Largest deviation from the mean, in per cent.
        percent: f64,
    },
}

/// What to do about a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Remedy {
    /// Nothing to do.
    Nothing,
    /// Registers that fix it (one click); read back and re-check afterwards.
    WriteRegisters {
        /// `(address, value)` pairs.
        writes: Vec<(u16, u16)>,
    },
    /// Only rewiring fixes it.
    Rewire {
        /// Which wires to move.
        instruction: String,
    },
}

/// One verdict of the wiring check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What was found.
    #[serde(flatten)]
    pub kind: FindingKind,
    /// How bad it is.
    pub severity: Severity,
    /// How sure the check is, 0–1.
    pub confidence: f64,
    /// One English sentence for people and logs.
    pub message: String,
    /// What to do.
    pub remedy: Remedy,
}

/// The result of a wiring check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WiringReport {
    /// Samples the verdict is based on.
    pub samples: usize,
    /// True when no fault or warning was found.
    pub healthy: bool,
    /// The common load angle of the winning hypothesis, if any.
    pub load_angle_deg: Option<f64>,
    /// Every finding, faults first.
    pub findings: Vec<Finding>,
}

impl WiringReport {
    /// All one-click register writes of the findings, merged.
    pub fn register_fix(&self) -> Vec<(u16, u16)> {
        let mut writes: Vec<(u16, u16)> = self
            .findings
            .iter()
            .filter_map(|f| match &f.remedy {
                Remedy::WriteRegisters { writes } => Some(writes.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        writes.sort_unstable();
        writes.dedup();
        writes
    }
}

/// Below this fraction of the strongest phase voltage (or 40 V) a phase
/// voltage counts as missing; the meter's input range starts at 80 V.
const MISSING_VOLTAGE_FRACTION: f64 = 0.25;
const MISSING_VOLTAGE_FLOOR_V: f64 = 40.0;
/// Line voltages may deviate this much from the 120° expectation.
const LINE_VOLTAGE_TOLERANCE: f64 = 0.08;
/// Channels below this fraction of the CT rating are not judged.
const NO_LOAD_FRACTION: f64 = 0.01;
/// Largest spread of per-channel load angles one hypothesis may leave.
const ANGLE_TOLERANCE_DEG: f64 = 25.0;

/// Mean values of a window of samples.
struct Means {
    volts: [f64; 3],
    line: [f64; 3],
    amps: [f64; 3],
    p: [f64; 3],
    q: [f64; 3],
}

fn means(samples: &[Measurements]) -> Option<Means> {
    let mean = |f: &dyn Fn(&Measurements) -> f64| WindowStats::of(samples.iter().map(f)).map(|s| s.mean);
    let per = |f: &dyn Fn(&Measurements) -> [f64; 3]| -> Option<[f64; 3]> {
        Some([mean(&|m| f(m)[0])?, mean(&|m| f(m)[1])?, mean(&|m| f(m)[2])?])
    };
    Some(Means {
        volts: per(&|m| m.voltage_v.to_array())?,
        line: per(&|m| [m.line_voltage_v.ab, m.line_voltage_v.bc, m.line_voltage_v.ca])?,
        amps: per(&|m| m.current_a.to_array())?,
        p: per(&|m| m.active_power_kw.phases())?,
        q: per(&|m| m.reactive_power_kvar.phases())?,
    })
}

fn finding(
    kind: FindingKind,
    severity: Severity,
    confidence: f64,
    message: String,
    remedy: Remedy,
) -> Finding {
    Finding {
        kind,
        severity,
        confidence: confidence.clamp(0.0, 1.0),
        message,
        remedy,
    }
}

/// Check the wiring from a window of samples (e.g. 10 s of 1 Hz readings)
/// taken with the given settings in force.
pub fn check(samples: &[Measurements], settings: &Settings, expect: &Expectation) -> WiringReport {
    let Some(m) = means(samples) else {
        return WiringReport {
            samples: 0,
            healthy: false,
            load_angle_deg: None,
            findings: Vec::new(),
        };
    };
    let mut findings = Vec::new();
    let present = voltage_findings(&m, &mut findings);
    let rating = settings.ct_primary_a();
    let loaded = current_findings(&m, rating, expect, settings, &mut findings);
    let judged: Vec<Phase> = Phase::ALL
        .into_iter()
        .filter(|p| present[p.index()] && loaded[p.index()])
        .collect();
    let load_angle = ct_findings(&m, &judged, settings, expect, &mut findings);
    unbalance_findings(&m, &present, &mut findings);
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let healthy = findings.iter().all(|f| f.severity == Severity::Info);
    WiringReport {
        samples: samples.len(),
        healthy,
        load_angle_deg: load_angle,
        findings,
    }
}

/// Missing voltages and inconsistent line voltages; returns which phase
/// voltages are present.
fn voltage_findings(m: &Means, out: &mut Vec<Finding>) -> [bool; 3] {
    let strongest = m.volts.iter().copied().fold(0.0, f64::max);
    let threshold = (strongest * MISSING_VOLTAGE_FRACTION).max(MISSING_VOLTAGE_FLOOR_V);
    let present = m.volts.map(|v| v >= threshold);
    for phase in Phase::ALL {
        let volts = m.volts[phase.index()];
        if !present[phase.index()] {
            out.push(finding(
                FindingKind::MissingVoltage { phase, volts },
                Severity::Fault,
                1.0 - (volts / threshold) * 0.5,
                format!("Voltage input V{phase} reads {volts:.0} V: the phase is missing (open fuse or breaker, loose wire at terminal X1)."),
                Remedy::Rewire { instruction: format!("Check the wire from phase {phase} to terminal V{phase} (X1) and its fuse.") },
            ));
        }
    }
    for (k, (first, second)) in [(Phase::A, Phase::B), (Phase::B, Phase::C), (Phase::C, Phase::A)]
        .into_iter()
        .enumerate()
    {
        let (v1, v2) = (m.volts[first.index()], m.volts[second.index()]);
        if !present[first.index()] || !present[second.index()] {
            continue;
        }
        let expected_v = expected_line_voltage(v1, v2);
        let measured_v = m.line[k];
        let deviation = (measured_v - expected_v).abs() / expected_v;
        if deviation <= LINE_VOLTAGE_TOLERANCE {
            continue;
        }
        let angle_deg = angle_between(v1, v2, measured_v).unwrap_or(0.0);
        let cause = if angle_deg < 30.0 {
            format!("V{first} and V{second} are on the same phase")
        } else if (angle_deg - 60.0).abs() < 25.0 {
            format!("V{first} or V{second} has phase and neutral swapped")
        } else {
            format!("V{first} and V{second} are {angle_deg:.0}° apart instead of 120°")
        };
        out.push(finding(
            FindingKind::LineVoltageInconsistent { first, second, measured_v, expected_v, angle_deg },
            Severity::Fault,
            (deviation / (3.0 * LINE_VOLTAGE_TOLERANCE)).clamp(0.5, 1.0),
            format!("Line voltage V{first}{second} is {measured_v:.0} V, expected {expected_v:.0} V: {cause}."),
            Remedy::Rewire { instruction: format!("Check which phase feeds terminals V{first} and V{second} (X1); each must be on its own phase.") },
        ));
    }
    present
}

/// Current level checks; returns which channels carry enough current to judge.
fn current_findings(
    m: &Means,
    rating: u32,
    expect: &Expectation,
    settings: &Settings,
    out: &mut Vec<Finding>,
) -> [bool; 3] {
    let rating_f = f64::from(rating.max(1));
    if let Some(expected_a) = expect.ct_primary_a.filter(|e| *e != rating) {
        let ratio = expected_a / 5;
        let remedy = if expected_a % 5 == 0 && (20..=400).contains(&ratio) {
            Remedy::WriteRegisters {
                writes: vec![(addr::RELACAO_TC, ratio as u16)],
            }
        } else {
            Remedy::Rewire {
                instruction: format!(
                    "A {expected_a} A/5 A CT cannot be configured (100–2000 A in steps of 5 A); fit a supported CT."
                ),
            }
        };
        out.push(finding(
            FindingKind::CtRatioMismatch { configured_a: rating, expected_a },
            Severity::Fault,
            1.0,
            format!("RELACAO_TC is {} ({rating} A/5 A) but the fitted CT is {expected_a} A/5 A: every current and power reads wrong.", settings.ct_ratio),
            remedy,
        ));
    }
    for phase in Phase::ALL {
        let amps = m.amps[phase.index()];
        if amps > rating_f * 1.2 {
            out.push(finding(
                FindingKind::CurrentAboveRating { phase, amps, rating_a: rating },
                Severity::Warning,
                0.8,
                format!("Phase {phase} reads {amps:.1} A, above the configured {rating} A/5 A CT: the CT ratio setting is likely wrong or the CT is overloaded."),
                Remedy::Nothing,
            ));
        }
    }
    let loaded = m.amps.map(|a| a >= rating_f * NO_LOAD_FRACTION && a > 0.0);
    let largest = m.amps.iter().copied().fold(0.0, f64::max);
    if largest > 0.0 && largest < rating_f * 0.05 {
        out.push(finding(
            FindingKind::CtOversized { percent_of_rating: 100.0 * largest / rating_f },
            Severity::Info,
            0.6,
            format!("The largest current is {:.1}% of the {rating} A CT rating: check RELACAO_TC; accuracy suffers below about 10% of the rating.", 100.0 * largest / rating_f),
            Remedy::Nothing,
        ));
    }
    for phase in Phase::ALL.into_iter().filter(|p| !loaded[p.index()]) {
        let amps = m.amps[phase.index()];
        out.push(finding(
            FindingKind::NoLoad { phase, amps },
            Severity::Info,
            0.9,
            format!(
                "Phase {phase} carries {amps:.1} A, too little to judge its CT; repeat the check under load."
            ),
            Remedy::Nothing,
        ));
    }
    loaded
}

/// One wiring hypothesis: channel k measures phase `source[k]`, reversed or not.
#[derive(Debug, Clone, Copy)]
struct Hypothesis {
    source: [Phase; 3],
    reversed: [bool; 3],
}

impl Hypothesis {
    fn all() -> Vec<Hypothesis> {
        use Phase::{A, B, C};
        let perms = [[A, B, C], [A, C, B], [B, A, C], [B, C, A], [C, A, B], [C, B, A]];
        perms
            .into_iter()
            .flat_map(|source| {
                (0..8u8).map(move |bits| Hypothesis {
                    source,
                    reversed: [0, 1, 2].map(|k| bits & (1 << k) != 0),
                })
            })
            .collect()
    }

    /// Number of faults among the judged channels.
    fn faults(&self, judged: &[Phase]) -> usize {
        judged
            .iter()
            .map(|c| usize::from(self.source[c.index()] != *c) + usize::from(self.reversed[c.index()]))
            .sum()
    }

    /// The load angle each judged channel implies under this hypothesis.
    fn implied_load_angles(&self, judged: &[Phase], angle: &[f64; 3]) -> Vec<f64> {
        judged
            .iter()
            .map(|c| {
                let k = c.index();
                let shift = c.nominal_angle() - self.source[k].nominal_angle()
                    + if self.reversed[k] { 180.0 } else { 0.0 };
                wrap_deg(angle[k] - shift)
            })
            .collect()
    }
}

/// Circular mean and largest deviation from it, in degrees.
fn circular_mean_spread(angles: &[f64]) -> (f64, f64) {
    let (s, c) = angles.iter().fold((0.0, 0.0), |(s, c), a| {
        (s + a.to_radians().sin(), c + a.to_radians().cos())
    });
    let mean = s.atan2(c).to_degrees();
    let spread = angles
        .iter()
        .map(|a| wrap_deg(a - mean).abs())
        .fold(0.0, f64::max);
    (mean, spread)
}

/// CT polarity and placement from the load angles; returns the common load angle.
fn ct_findings(
    m: &Means,
    judged: &[Phase],
    settings: &Settings,
    expect: &Expectation,
    out: &mut Vec<Finding>,
) -> Option<f64> {
    if judged.is_empty() {
        return None;
    }
    let mut angle = [0.0; 3];
    for c in judged {
        angle[c.index()] = load_angle_deg(m.p[c.index()], m.q[c.index()]).unwrap_or(0.0);
    }
    // Candidates: consistent and plausible, ranked by fault count then spread.
    let mut candidates: Vec<(usize, f64, f64, Hypothesis)> = Hypothesis::all()
        .into_iter()
        .filter(|h| judged.iter().all(|c| judged.contains(&h.source[c.index()])))
        .filter_map(|h| {
            let (mean, spread) = circular_mean_spread(&h.implied_load_angles(judged, &angle));
            let plausible = (expect.min_load_angle_deg..=expect.max_load_angle_deg).contains(&mean);
            (plausible && spread <= ANGLE_TOLERANCE_DEG).then_some((h.faults(judged), spread, mean, h))
        })
        .collect();
    candidates.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let Some(&(faults, spread, load_angle, best)) = candidates.first() else {
        out.push(finding(
            FindingKind::AnglesInconsistent { angles_deg: judged.iter().map(|c| (*c, angle[c.index()])).collect() },
            Severity::Warning,
            0.5,
            format!(
                "The load angles ({}) fit no wiring: the load may be strongly unbalanced or exporting; repeat under a balanced importing load.",
                judged.iter().map(|c| format!("{c}: {:.0}°", angle[c.index()])).collect::<Vec<_>>().join(", ")
            ),
            Remedy::Nothing,
        ));
        return None;
    };
    let rivals = candidates.iter().filter(|c| c.0 == faults).count();
    let confidence = (1.0 - spread / (2.0 * ANGLE_TOLERANCE_DEG)) * if rivals > 1 { 0.6 } else { 1.0 };
    let mut swaps = Vec::new();
    for &channel in judged {
        let k = channel.index();
        let carries = best.source[k];
        let reversed = best.reversed[k];
        if carries != channel {
            swaps.push((channel, carries, reversed));
        } else if reversed {
            let now_inverted = settings.invert.to_array()[k];
            out.push(finding(
                FindingKind::ReversedCt { phase: channel },
                Severity::Fault,
                confidence,
                format!("The CT on phase {channel} ({}) is reversed: its active power reads negative while the load imports.", channel.ct_input()),
                Remedy::WriteRegisters { writes: vec![(INVERT[k], u16::from(!now_inverted))] },
            ));
        }
    }
    for &(channel, carries, reversed) in &swaps {
        let polarity = if reversed { " and is also reversed" } else { "" };
        out.push(finding(
            FindingKind::CtOnWrongPhase {
                channel,
                carries,
                reversed,
            },
            Severity::Fault,
            confidence,
            format!(
                "The CT on input {} (channel {channel}) measures phase {carries}'s current{polarity}.",
                channel.ct_input()
            ),
            Remedy::Rewire {
                instruction: rewire_instruction(&swaps),
            },
        ));
    }
    Some(load_angle)
}

/// One sentence telling which CTs to move, shared by every wrong-phase finding.
fn rewire_instruction(swaps: &[(Phase, Phase, bool)]) -> String {
    let moves: Vec<String> = swaps
        .iter()
        .map(|(channel, carries, reversed)| {
            let flip = if *reversed {
                ", turned round (S1/S2 swapped)"
            } else {
                ""
            };
            format!(
                "the CT now on phase {carries}'s conductor belongs on phase {channel}'s{flip} (input {})",
                channel.ct_input()
            )
        })
        .collect();
    format!(
        "Move the CTs so each input measures its own phase: {}.",
        moves.join("; ")
    )
}

fn unbalance_percent(values: &[f64]) -> Option<f64> {
    let stats = WindowStats::of(values.iter().copied())?;
    (stats.mean > 0.0)
        .then(|| 100.0 * values.iter().map(|v| (v - stats.mean).abs()).fold(0.0, f64::max) / stats.mean)
}

fn unbalance_findings(m: &Means, present: &[bool; 3], out: &mut Vec<Finding>) {
    if present.iter().all(|p| *p)
        && let Some(percent) = unbalance_percent(&m.volts).filter(|p| *p > 3.0)
    {
        out.push(finding(
                FindingKind::VoltageUnbalance { percent },
                Severity::Warning,
                0.9,
                format!("Phase voltages differ by up to {percent:.1}% from their mean: check the supply and the voltage connections."),
                Remedy::Nothing,
            ));
    }
    if let Some(percent) = unbalance_percent(&m.amps).filter(|p| *p > 25.0) {
        out.push(finding(
            FindingKind::CurrentUnbalance { percent },
            Severity::Info,
            0.9,
            format!("Phase currents differ by up to {percent:.0}% from their mean: the load is strongly unbalanced."),
            Remedy::Nothing,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readings::{LineVoltages, PerPhase, PerPhaseTotal};

    fn settings() -> Settings {
        Settings::factory()
    }

    /// Readings of a balanced load at `phi` degrees with channel k measuring
    /// phase `source[k]`, reversed where flagged, phase voltages `volts`.
    fn reading(phi: f64, source: [usize; 3], reversed: [bool; 3], volts: [f64; 3]) -> Measurements {
        let nominal = [0.0f64, -120.0, 120.0];
        let amps = 200.0;
        let mut p = [0.0; 3];
        let mut q = [0.0; 3];
        for k in 0..3 {
            let current_angle = nominal[source[k]] - phi + if reversed[k] { 180.0 } else { 0.0 };
            let theta = (nominal[k] - current_angle).to_radians();
            let s = volts[k] * amps / 1000.0;
            p[k] = s * theta.cos();
            q[k] = s * theta.sin();
        }
        let line = |i: usize, j: usize| {
            let (a, b) = (nominal[i].to_radians(), nominal[j].to_radians());
            let (x, y) = (
                volts[i] * a.cos() - volts[j] * b.cos(),
                volts[i] * a.sin() - volts[j] * b.sin(),
            );
            (x * x + y * y).sqrt()
        };
        let sum = |v: [f64; 3]| PerPhaseTotal {
            a: v[0],
            b: v[1],
            c: v[2],
            total: v.iter().sum(),
        };
        Measurements {
            voltage_v: PerPhase::from_array(volts),
            line_voltage_v: LineVoltages {
                ab: line(0, 1),
                bc: line(1, 2),
                ca: line(2, 0),
                mean: 0.0,
            },
            current_a: PerPhase::from_array([amps; 3]),
            active_power_kw: sum(p),
            reactive_power_kvar: sum(q),
            ..Default::default()
        }
    }

    fn kinds(report: &WiringReport) -> Vec<FindingKind> {
        report.findings.iter().map(|f| f.kind.clone()).collect()
    }

    #[test]
    fn healthy_wiring_has_no_alarm_across_load_angles() {
        for phi in (-20..=55).step_by(5) {
            let r = check(
                &[reading(f64::from(phi), [0, 1, 2], [false; 3], [220.0; 3])],
                &settings(),
                &Expectation::default(),
            );
            assert!(r.healthy, "phi {phi}: {:?}", r.findings);
            assert!((r.load_angle_deg.unwrap() - f64::from(phi)).abs() < 1e-6);
        }
    }

    #[test]
    fn reversed_ct_is_found_with_a_register_fix() {
        let r = check(
            &[reading(25.0, [0, 1, 2], [false, true, false], [220.0; 3])],
            &settings(),
            &Expectation::default(),
        );
        assert_eq!(kinds(&r), vec![FindingKind::ReversedCt { phase: Phase::B }]);
        assert_eq!(r.register_fix(), vec![(addr::INVERTE_TC_FASE_B, 1)]);
        let mut inverted = settings();
        inverted.invert.b = true;
        let r = check(
            &[reading(25.0, [0, 1, 2], [false, true, false], [220.0; 3])],
            &inverted,
            &Expectation::default(),
        );
        assert_eq!(r.register_fix(), vec![(addr::INVERTE_TC_FASE_B, 0)]);
    }

    #[test]
    fn swapped_cts_are_named_with_a_rewire_instruction() {
        let r = check(
            &[reading(25.0, [1, 0, 2], [false; 3], [220.0; 3])],
            &settings(),
            &Expectation::default(),
        );
        assert_eq!(
            kinds(&r),
            vec![
                FindingKind::CtOnWrongPhase {
                    channel: Phase::A,
                    carries: Phase::B,
                    reversed: false
                },
                FindingKind::CtOnWrongPhase {
                    channel: Phase::B,
                    carries: Phase::A,
                    reversed: false
                },
            ]
        );
        assert!(r.register_fix().is_empty());
        assert!(
            matches!(&r.findings[0].remedy, Remedy::Rewire { instruction } if instruction.contains("TC1"))
        );
    }

    #[test]
    fn missing_voltage_is_found_and_other_channels_still_judged() {
        let r = check(
            &[reading(
                25.0,
                [0, 1, 2],
                [true, false, false],
                [220.0, 220.0, 0.0],
            )],
            &settings(),
            &Expectation::default(),
        );
        let k = kinds(&r);
        assert!(
            k.contains(&FindingKind::MissingVoltage {
                phase: Phase::C,
                volts: 0.0
            }),
            "{k:?}"
        );
        assert!(k.contains(&FindingKind::ReversedCt { phase: Phase::A }), "{k:?}");
        assert!(!r.healthy);
    }

    #[test]
    fn two_voltage_inputs_on_one_phase_break_the_line_voltage() {
        let mut m = reading(25.0, [0, 1, 2], [false; 3], [220.0; 3]);
        m.line_voltage_v.ab = 2.0;
        let r = check(&[m], &settings(), &Expectation::default());
        assert!(
            r.findings.iter().any(|f| f.message.contains("same phase")),
            "{:?}",
            r.findings
        );
    }

    #[test]
    fn ct_ratio_mismatch_offers_the_register_fix() {
        let expect = Expectation {
            ct_primary_a: Some(1000),
            ..Default::default()
        };
        let r = check(
            &[reading(25.0, [0, 1, 2], [false; 3], [220.0; 3])],
            &settings(),
            &expect,
        );
        assert_eq!(r.register_fix(), vec![(addr::RELACAO_TC, 200)]);
    }

    #[test]
    fn no_samples_is_not_healthy() {
        assert!(!check(&[], &settings(), &Expectation::default()).healthy);
    }
}
