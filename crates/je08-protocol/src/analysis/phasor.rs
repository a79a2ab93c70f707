//! Phasor geometry from what a JE08 reports.
//!
//! The meter gives RMS magnitudes only. The angles between the phase voltages
//! follow from the three line voltages by the law of cosines; each current is
//! placed at its voltage's angle minus the load angle `atan2(Q, P)` (inductive
//! Q positive, so an inductive current lags its voltage). Phase A is the 0°
//! reference and the sequence is assumed to be A-B-C.

use crate::readings::Measurements;

/// One phasor: RMS magnitude and angle in degrees (counter-clockwise
/// positive, normalised to (-180, 180]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phasor {
    /// RMS magnitude (volts or amps).
    pub magnitude: f64,
    /// Angle in degrees.
    pub angle_deg: f64,
}

impl Phasor {
    /// Cartesian coordinates (x = real, y = imaginary).
    pub fn xy(self) -> (f64, f64) {
        let r = self.angle_deg.to_radians();
        (self.magnitude * r.cos(), self.magnitude * r.sin())
    }
}

/// The three voltages and three currents of one reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhasorSet {
    /// Phase-to-neutral voltages A, B, C.
    pub voltage: [Phasor; 3],
    /// Currents A, B, C.
    pub current: [Phasor; 3],
    /// False when the line voltages do not close into a triangle consistent
    /// with the phase voltages (a missing phase, a sensor fault): the nominal
    /// 120° spacing was used for the angles that could not be computed.
    pub voltage_angles_measured: bool,
}

/// Normalise an angle in degrees to (-180, 180].
pub fn normalize_deg(angle: f64) -> f64 {
    let mut a = angle % 360.0;
    if a <= -180.0 {
        a += 360.0;
    } else if a > 180.0 {
        a -= 360.0;
    }
    a
}

/// Angle in degrees between two sides `a` and `b` of a triangle whose third
/// side is `c` (law of cosines). `None` when a side is not positive or the
/// three lengths cannot form a triangle (beyond a 2 % tolerance for rounding).
pub fn angle_between(a: f64, b: f64, c: f64) -> Option<f64> {
    if !(a > 0.0 && b > 0.0 && c >= 0.0 && a.is_finite() && b.is_finite() && c.is_finite()) {
        return None;
    }
    let cos = (a * a + b * b - c * c) / (2.0 * a * b);
    if !(-1.02..=1.02).contains(&cos) {
        return None;
    }
    Some(cos.clamp(-1.0, 1.0).acos().to_degrees())
}

/// Angles of the phase voltages A, B, C in degrees from their magnitudes and
/// the line voltages AB, BC, CA. A is at 0°, B lags A by ∠AB, C leads A by
/// ∠CA. The flag is false when an angle could not be computed and the
/// nominal -120°/+120° was used instead.
pub fn voltage_angles(phase: [f64; 3], line_ab_bc_ca: [f64; 3]) -> ([f64; 3], bool) {
    let [va, vb, vc] = phase;
    let [vab, _vbc, vca] = line_ab_bc_ca;
    let ab = angle_between(va, vb, vab);
    let ca = angle_between(vc, va, vca);
    let b = ab.map_or(-120.0, |t| -t);
    let c = ca.unwrap_or(120.0);
    (
        [0.0, normalize_deg(b), normalize_deg(c)],
        ab.is_some() && ca.is_some(),
    )
}

/// Load angle φ = atan2(Q, P) in degrees (positive = inductive). `None` when
/// both powers are zero (no current, no defined angle).
pub fn load_angle_deg(p: f64, q: f64) -> Option<f64> {
    if p == 0.0 && q == 0.0 {
        return None;
    }
    Some(q.atan2(p).to_degrees())
}

/// Angle of a current phasor: its voltage's angle minus the load angle.
/// A current with no defined load angle is drawn in phase with its voltage.
pub fn current_angle_deg(voltage_angle: f64, p: f64, q: f64) -> f64 {
    normalize_deg(voltage_angle - load_angle_deg(p, q).unwrap_or(0.0))
}

/// All six phasors of one reading.
pub fn phasors(m: &Measurements) -> PhasorSet {
    let line = m.line_voltage_v;
    let (angles, measured) = voltage_angles(m.voltage_v.to_array(), [line.ab, line.bc, line.ca]);
    let v = m.voltage_v.to_array();
    let i = m.current_a.to_array();
    let p = m.active_power_kw.phases();
    let q = m.reactive_power_kvar.phases();
    let voltage = std::array::from_fn(|k| Phasor {
        magnitude: v[k],
        angle_deg: angles[k],
    });
    let current = std::array::from_fn(|k| Phasor {
        magnitude: i[k],
        angle_deg: current_angle_deg(angles[k], p[k], q[k]),
    });
    PhasorSet {
        voltage,
        current,
        voltage_angles_measured: measured,
    }
}

/// Line-to-line magnitude expected from two phase voltages 120° apart.
pub fn expected_line_voltage(v1: f64, v2: f64) -> f64 {
    (v1 * v1 + v2 * v2 + v1 * v2).sqrt()
}

/// The phasors a healthy installation would show for the same magnitudes:
/// voltages at 0°, −120°, +120° and every current at its voltage minus the
/// common load angle `load_angle_deg` (from the wiring check).
pub fn expected(m: &Measurements, load_angle_deg: f64) -> PhasorSet {
    const NOMINAL: [f64; 3] = [0.0, -120.0, 120.0];
    let v = m.voltage_v.to_array();
    let i = m.current_a.to_array();
    PhasorSet {
        voltage: std::array::from_fn(|k| Phasor {
            magnitude: v[k],
            angle_deg: NOMINAL[k],
        }),
        current: std::array::from_fn(|k| Phasor {
            magnitude: i[k],
            angle_deg: normalize_deg(NOMINAL[k] - load_angle_deg),
        }),
        voltage_angles_measured: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readings::{LineVoltages, PerPhase, PerPhaseTotal};

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn balanced_system_gives_120_degrees() {
        let line = 220.0 * 3f64.sqrt();
        let (angles, ok) = voltage_angles([220.0; 3], [line; 3]);
        assert!(ok);
        assert!(close(angles[0], 0.0, 1e-9));
        assert!(close(angles[1], -120.0, 1e-6));
        assert!(close(angles[2], 120.0, 1e-6));
    }

    #[test]
    fn unbalanced_angles_follow_the_law_of_cosines() {
        // Vb at -110°, Vc at +125°: build the line voltages from the phasors.
        let pa = Phasor {
            magnitude: 230.0,
            angle_deg: 0.0,
        };
        let pb = Phasor {
            magnitude: 215.0,
            angle_deg: -110.0,
        };
        let pc = Phasor {
            magnitude: 225.0,
            angle_deg: 125.0,
        };
        let dist = |x: Phasor, y: Phasor| {
            let (x1, y1) = x.xy();
            let (x2, y2) = y.xy();
            ((x1 - x2).powi(2) + (y1 - y2).powi(2)).sqrt()
        };
        let (angles, ok) = voltage_angles([230.0, 215.0, 225.0], [dist(pa, pb), dist(pb, pc), dist(pc, pa)]);
        assert!(ok);
        assert!(close(angles[1], -110.0, 1e-6), "{angles:?}");
        assert!(close(angles[2], 125.0, 1e-6), "{angles:?}");
    }

    #[test]
    fn impossible_triangle_falls_back_to_nominal() {
        let (angles, ok) = voltage_angles([220.0, 0.0, 220.0], [220.0, 220.0, 381.0]);
        assert!(!ok);
        assert_eq!(angles[1], -120.0);
        assert!(close(angles[2], 120.0, 0.5));
        assert_eq!(angle_between(1.0, 1.0, 5.0), None);
    }

    #[test]
    fn inductive_current_lags_and_reversed_ct_points_backwards() {
        // PF 0.866 inductive: φ = 30°, current at -30° on phase A.
        assert!(close(current_angle_deg(0.0, 0.866, 0.5), -30.0, 0.01));
        // Capacitive: leads.
        assert!(close(current_angle_deg(0.0, 0.866, -0.5), 30.0, 0.01));
        // Reversed CT negates both powers: the current turns by 180°.
        assert!(close(current_angle_deg(-120.0, -0.866, -0.5), 30.0, 0.01));
        assert_eq!(load_angle_deg(0.0, 0.0), None);
        assert_eq!(current_angle_deg(120.0, 0.0, 0.0), 120.0);
    }

    #[test]
    fn normalisation_keeps_angles_in_range() {
        assert_eq!(normalize_deg(180.0), 180.0);
        assert_eq!(normalize_deg(-180.0), 180.0);
        assert_eq!(normalize_deg(270.0), -90.0);
        assert_eq!(normalize_deg(-450.0), -90.0);
    }

    /// 220 V phases 120° apart carrying `amps` each, with per-phase
    /// active and reactive powers `p` and `q` (kW, kvar).
    fn balanced(amps: f64, p: PerPhaseTotal, q: PerPhaseTotal) -> Measurements {
        let line = 220.0 * 3f64.sqrt();
        Measurements {
            voltage_v: PerPhase::from_array([220.0; 3]),
            line_voltage_v: LineVoltages {
                ab: line,
                bc: line,
                ca: line,
                mean: line,
            },
            current_a: PerPhase::from_array([amps; 3]),
            active_power_kw: p,
            reactive_power_kvar: q,
            ..Measurements::default()
        }
    }

    /// Per-phase values and their sum.
    fn with_total([a, b, c]: [f64; 3]) -> PerPhaseTotal {
        PerPhaseTotal {
            a,
            b,
            c,
            total: a + b + c,
        }
    }

    #[test]
    fn phasor_set_from_measurements() {
        let m = balanced(10.0, with_total([2.0, -2.0, 2.0]), with_total([0.0; 3]));
        let set = phasors(&m);
        assert!(set.voltage_angles_measured);
        assert!(close(set.current[0].angle_deg, 0.0, 1e-6));
        assert!(
            close(set.current[1].angle_deg, 60.0, 1e-6),
            "reversed B sits opposite Vb"
        );
        assert!(close(set.current[2].angle_deg, 120.0, 1e-6));
        assert_eq!(set.current[1].magnitude, 10.0);
    }

    #[test]
    fn expected_phasors_match_a_healthy_reading() {
        let line = expected_line_voltage(220.0, 220.0);
        assert!(close(line, 220.0 * 3f64.sqrt(), 1e-9));
        let s = 220.0 * 100.0 / 1000.0;
        let (p, q) = (s * 30f64.to_radians().cos(), s * 30f64.to_radians().sin());
        let m = balanced(100.0, with_total([p; 3]), with_total([q; 3]));
        let (got, want) = (phasors(&m), expected(&m, 30.0));
        for k in 0..3 {
            assert!(close(got.current[k].angle_deg, want.current[k].angle_deg, 1e-6));
            assert!(close(got.voltage[k].angle_deg, want.voltage[k].angle_deg, 1e-6));
        }
    }
}
