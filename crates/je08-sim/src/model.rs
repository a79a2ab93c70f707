//! The measurement model of the virtual JE08 (spec §7). Pure and seedable.
//!
//! The physics is described by [`ModelParams`]: what is really connected to
//! the meter (per-phase voltage, primary current and load angle, mains
//! frequency, the physical CT ratio, wiring faults, a DS18B20 or not) and how
//! imperfect the meter's channels are (a hardware gain error per channel).
//! [`Model`] turns these plus the meter's [`Settings`] (gains, configured CT
//! ratio, inversions) into the [`Measurements`] the meter reports:
//!
//! - channel `i` sees the voltage of phase `i` (0 V when that phase is
//!   missing) and the current of phase `wiring.ct_source[i]`, negated when the
//!   CT is reversed, negated again when `INVERTE_TC` is set;
//! - reported voltage = true × hw error × gain, where a gain is its raw
//!   register value scaled as the register table says (1000 = ×1.000);
//! - reported current = true primary / physical ratio × configured ratio ×
//!   hw error × gain (the meter measures the secondary and multiplies
//!   by RELACAO_TC, so a wrong ratio gives wrong currents);
//! - P = V·I·cos θ, Q = V·I·sin θ (inductive positive), S = V·I, PF = P/S
//!   (0 when S = 0), where θ is the angle from the channel's current phasor
//!   to its voltage phasor; totals are sums, PF_T = P_T / S_T;
//! - line voltages are the magnitudes of the phasor differences of the
//!   reported phase voltages (A at 0°, B at −120°, C at +120°);
//! - energy: kWh integrates P while P > 0, kVArh integrates |Q|, per phase and
//!   for the total, over model time multiplied by `time_scale`;
//! - noise: every reported magnitude is multiplied by `1 + noise·u`
//!   (u uniform in [−1, 1]) and angles jitter by `noise·u` radians; energy
//!   integrates the noiseless values so it is exactly predictable.
//!
//! Named [`Scenario`]s give ready-made parameters; tests build custom ones by
//! editing the public fields of [`ModelParams`] (a known hardware error on
//! one channel, a load-angle sweep, no noise, …).

use std::f64::consts::PI;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use je08_protocol::codec::{GAIN_I, GAIN_V};
use je08_protocol::readings::{LineVoltages, Measurements, PerPhase, PerPhaseTotal, Settings};
use je08_protocol::registers::{Register, addr};

/// What is connected to one phase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseLoad {
    /// True phase-to-neutral RMS voltage.
    pub voltage_v: f64,
    /// True primary RMS current.
    pub current_a: f64,
    /// Load angle φ in degrees: current lags voltage by φ (inductive positive).
    pub angle_deg: f64,
}

/// How the CTs and voltage leads are connected (faults included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wiring {
    /// Channel `i` measures the current of phase `ct_source[i]`
    /// (`[0, 1, 2]` is correct; `[1, 0, 2]` swaps the CTs of A and B).
    pub ct_source: [usize; 3],
    /// CT mounted backwards on channel `i` (current negated).
    pub ct_reversed: [bool; 3],
    /// Voltage lead of phase `i` not connected (reads 0 V).
    pub voltage_missing: [bool; 3],
}

impl Default for Wiring {
    fn default() -> Self {
        Self {
            ct_source: [0, 1, 2],
            ct_reversed: [false; 3],
            voltage_missing: [false; 3],
        }
    }
}

/// The DS18B20 temperature sensor, as seen from a boot onwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TempSensor {
    /// No sensor: every read fails; TEMP reads −1000 from boot.
    Absent,
    /// A working sensor at this temperature.
    Present {
        /// Temperature in °C.
        celsius: f64,
    },
    /// Works, then fails from `after` (uptime) on: the last reading is kept
    /// for 10 s, then TEMP reads −1000.
    FailsAfter {
        /// Temperature in °C while it works.
        celsius: f64,
        /// Uptime at which reads start failing.
        after: Duration,
    },
}

/// How long a failing sensor's last reading is still reported.
pub const TEMP_HOLD: Duration = Duration::from_secs(10);

/// Everything the model needs; every knob is public so tests can build
/// custom situations.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelParams {
    /// Load per phase A, B, C.
    pub phases: [PhaseLoad; 3],
    /// Mains frequency (60 Hz in Brazil, 50 Hz elsewhere).
    pub frequency_hz: f64,
    /// Hardware gain error of each voltage channel (1.0 = perfect).
    pub voltage_hw_error: [f64; 3],
    /// Hardware gain error of each current channel (1.0 = perfect).
    pub current_hw_error: [f64; 3],
    /// Hardware gain error of the frequency measurement.
    pub frequency_hw_error: f64,
    /// Ratio N of the CTs really installed (N×5 A : 5 A).
    pub physical_ct_ratio: u16,
    /// CT and voltage connections.
    pub wiring: Wiring,
    /// Relative noise amplitude (0.002 = ±0.2 %); 0 for exact values.
    pub noise: f64,
    /// The temperature sensor.
    pub temp_sensor: TempSensor,
    /// DS18B20 reading enabled in the meter's settings; when disabled TEMP
    /// reads −1000 and no errors are counted.
    pub sensor_enabled: bool,
    /// Energy accumulates `time_scale` times faster than real time.
    pub time_scale: f64,
}

impl ModelParams {
    /// The primary rating of the fitted CTs in amps (N×5 A : 5 A).
    pub fn ct_rating_a(&self) -> f64 {
        f64::from(self.physical_ct_ratio) * 5.0
    }

    /// Load every phase with `percent` % of the fitted CTs' rating (load
    /// angles and voltages unchanged).
    pub fn set_load_percent(&mut self, percent: f64) {
        let current_a = self.ct_rating_a() * percent / 100.0;
        for phase in &mut self.phases {
            phase.current_a = current_a;
        }
    }
}

impl Default for ModelParams {
    fn default() -> Self {
        Scenario::Balanced.params()
    }
}

/// Ready-made situations (CLI `--scenario`, tests, demos).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Scenario {
    /// Correctly wired, slightly unbalanced inductive load, PF ≈ 0.9.
    Balanced,
    /// As balanced, with the CT of phase B mounted backwards.
    ReversedCtB,
    /// As balanced, with the CTs of phases A and B swapped.
    SwappedCtAb,
    /// As balanced, with the voltage lead of phase C disconnected.
    MissingVc,
    /// As balanced, without a DS18B20.
    NoTempSensor,
    /// As balanced, but 300 A : 5 A CTs are fitted (physical ratio 60) while
    /// the meter keeps its default RELACAO_TC of 100: currents and powers
    /// read 5/3 too high.
    WrongCtRatio,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 6] = [
        Scenario::Balanced,
        Scenario::ReversedCtB,
        Scenario::SwappedCtAb,
        Scenario::MissingVc,
        Scenario::NoTempSensor,
        Scenario::WrongCtRatio,
    ];

    /// The command-line name (`reversed-ct-b`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Balanced => "balanced",
            Self::ReversedCtB => "reversed-ct-b",
            Self::SwappedCtAb => "swapped-ct-ab",
            Self::MissingVc => "missing-vc",
            Self::NoTempSensor => "no-temp-sensor",
            Self::WrongCtRatio => "wrong-ct-ratio",
        }
    }

    /// The model parameters of this scenario.
    pub fn params(self) -> ModelParams {
        let mut p = ModelParams {
            phases: [
                PhaseLoad {
                    voltage_v: 220.0,
                    current_a: 80.0,
                    angle_deg: 25.8,
                },
                PhaseLoad {
                    voltage_v: 219.0,
                    current_a: 76.0,
                    angle_deg: 28.0,
                },
                PhaseLoad {
                    voltage_v: 221.0,
                    current_a: 84.0,
                    angle_deg: 23.5,
                },
            ],
            frequency_hz: 60.0,
            voltage_hw_error: [1.012, 0.988, 1.006],
            current_hw_error: [0.982, 1.017, 1.009],
            frequency_hw_error: 1.0,
            physical_ct_ratio: 100,
            wiring: Wiring::default(),
            noise: 0.002,
            temp_sensor: TempSensor::Present { celsius: 31.5 },
            sensor_enabled: true,
            time_scale: 1.0,
        };
        match self {
            Self::Balanced => {}
            Self::ReversedCtB => p.wiring.ct_reversed[1] = true,
            Self::SwappedCtAb => p.wiring.ct_source = [1, 0, 2],
            Self::MissingVc => p.wiring.voltage_missing[2] = true,
            Self::NoTempSensor => p.temp_sensor = TempSensor::Absent,
            Self::WrongCtRatio => p.physical_ct_ratio = 60,
        }
        p
    }
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One instantaneous set of electrical values as the meter computes them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    /// Phase voltages (V).
    pub voltage_v: [f64; 3],
    /// Current magnitudes (A, primary side).
    pub current_a: [f64; 3],
    /// Active power per phase (kW).
    pub p_kw: [f64; 3],
    /// Reactive power per phase (kVAr).
    pub q_kvar: [f64; 3],
    /// Apparent power per phase (kVA).
    pub s_kva: [f64; 3],
    /// Line voltages AB, BC, CA (V).
    pub line_v: [f64; 3],
    /// Measured frequency (Hz; 0 without any voltage).
    pub frequency_hz: f64,
}

impl Sample {
    /// Total active power.
    pub fn p_total(&self) -> f64 {
        self.p_kw.iter().sum()
    }

    /// Total reactive power.
    pub fn q_total(&self) -> f64 {
        self.q_kvar.iter().sum()
    }

    /// Total apparent power (sum of the phases).
    pub fn s_total(&self) -> f64 {
        self.s_kva.iter().sum()
    }
}

/// Energy accumulators in kWh / kVArh: A, B, C, total.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Energy {
    /// Active energy A, B, C, T.
    pub kwh: [f64; 4],
    /// Reactive energy A, B, C, T.
    pub kvarh: [f64; 4],
}

/// The running model: parameters, noise source, energy and sensor state.
#[derive(Debug, Clone)]
pub struct Model {
    params: ModelParams,
    rng: StdRng,
    energy: Energy,
    uptime: Duration,
    temp_errors: u16,
}

fn phasor(magnitude: f64, angle: f64) -> (f64, f64) {
    (magnitude * angle.cos(), magnitude * angle.sin())
}

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// The factor a gain register's raw value multiplies by, scaled by that
/// register's divisor in the table (raw 1000 = ×1.000).
fn gain_factor(register: u16, raw: u16) -> f64 {
    Register::at(register).scale(i64::from(raw))
}

fn ratio(value: f64, denominator: f64) -> f64 {
    if denominator.abs() < 1e-9 {
        0.0
    } else {
        value / denominator
    }
}

/// Angle of phase `i`'s voltage: A 0°, B −120°, C +120°.
fn voltage_angle(i: usize) -> f64 {
    -2.0 * PI / 3.0 * i as f64
}

impl Model {
    /// A model at power-on (uptime 0, energy 0); `seed` fixes the noise.
    pub fn new(params: ModelParams, seed: u64) -> Self {
        Self {
            params,
            rng: StdRng::seed_from_u64(seed),
            energy: Energy::default(),
            uptime: Duration::ZERO,
            temp_errors: 0,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// The parameters, to change the situation while running
    /// (load, faults, sensor); takes effect at the next sample.
    pub fn params_mut(&mut self) -> &mut ModelParams {
        &mut self.params
    }

    /// Energy accumulated since the last reset or restart.
    pub fn energy(&self) -> Energy {
        self.energy
    }

    /// Time since the last restart.
    pub fn uptime(&self) -> Duration {
        self.uptime
    }

    /// DS18B20 read errors since the last restart.
    pub fn temp_errors(&self) -> u16 {
        self.temp_errors
    }

    /// Zero the four kWh accumulators.
    pub fn zero_kwh(&mut self) {
        self.energy.kwh = [0.0; 4];
    }

    /// Zero the four kVArh accumulators.
    pub fn zero_kvarh(&mut self) {
        self.energy.kvarh = [0.0; 4];
    }

    /// A reboot: uptime, energy and sensor error count start again from 0.
    pub fn restart(&mut self) {
        self.energy = Energy::default();
        self.uptime = Duration::ZERO;
        self.temp_errors = 0;
    }

    /// Let `dt` of real time pass under `settings`: integrates energy
    /// (scaled by `time_scale`) and counts one DS18B20 error per failing
    /// one-second read.
    pub fn advance(&mut self, dt: Duration, settings: &Settings) {
        let before = self.uptime;
        self.uptime += dt;
        let s = self.ideal(settings);
        let hours = dt.as_secs_f64() * self.params.time_scale.max(0.0) / 3600.0;
        for i in 0..3 {
            self.energy.kwh[i] += s.p_kw[i].max(0.0) * hours;
            self.energy.kvarh[i] += s.q_kvar[i].abs() * hours;
        }
        self.energy.kwh[3] += s.p_total().max(0.0) * hours;
        self.energy.kvarh[3] += s.q_total().abs() * hours;
        let failed = self.failed_reads_between(before, self.uptime);
        self.temp_errors = self.temp_errors.wrapping_add((failed % 65536) as u16);
    }

    /// Uptime from which sensor reads fail, if they do.
    fn failing_from(&self) -> Option<Duration> {
        if !self.params.sensor_enabled {
            return None;
        }
        match self.params.temp_sensor {
            TempSensor::Absent => Some(Duration::ZERO),
            TempSensor::Present { .. } => None,
            TempSensor::FailsAfter { after, .. } => Some(after),
        }
    }

    /// Failing reads at whole seconds k ≥ 1 with `from < k ≤ to`.
    fn failed_reads_between(&self, from: Duration, to: Duration) -> u64 {
        let Some(start) = self.failing_from() else {
            return 0;
        };
        let first = (from.as_secs() + 1).max(start.as_secs_f64().ceil() as u64).max(1);
        let last = to.as_secs();
        if last >= first { last - first + 1 } else { 0 }
    }

    /// The temperature reported now, `None` for "no valid reading".
    pub fn temperature(&mut self) -> Option<f64> {
        if !self.params.sensor_enabled {
            return None;
        }
        let jitter = self.params.noise * 25.0 * self.rng.random_range(-1.0..=1.0);
        match self.params.temp_sensor {
            TempSensor::Absent => None,
            TempSensor::Present { celsius } => Some(celsius + jitter),
            TempSensor::FailsAfter { celsius, after } => {
                (self.uptime <= after + TEMP_HOLD).then_some(celsius)
            }
        }
    }

    /// The values the meter computes under `settings`, without noise.
    pub fn ideal(&self, settings: &Settings) -> Sample {
        self.sample(settings, &mut |_| 0.0)
    }

    /// The values the meter computes under `settings`, with noise.
    pub fn noisy(&mut self, settings: &Settings) -> Sample {
        let noise = self.params.noise;
        let mut rng = self.rng.clone();
        let sample = self.sample(settings, &mut |scale| {
            noise * scale * rng.random_range(-1.0..=1.0)
        });
        self.rng = rng;
        sample
    }

    /// Compute a sample; `jitter(scale)` returns the relative error to apply.
    fn sample(&self, settings: &Settings, jitter: &mut dyn FnMut(f64) -> f64) -> Sample {
        let p = &self.params;
        let raw_v = settings.gains.voltage.to_array();
        let raw_i = settings.gains.current.to_array();
        let gains_v: [f64; 3] = std::array::from_fn(|i| gain_factor(GAIN_V[i], raw_v[i]));
        let gains_i: [f64; 3] = std::array::from_fn(|i| gain_factor(GAIN_I[i], raw_i[i]));
        let invert = settings.invert.to_array();
        let ct_scale = ratio(f64::from(settings.ct_ratio), f64::from(p.physical_ct_ratio));
        let mut s = Sample::default();
        let mut v_phasors = [(0.0, 0.0); 3];
        for i in 0..3 {
            let v_true = if p.wiring.voltage_missing[i] {
                0.0
            } else {
                p.phases[i].voltage_v
            };
            let v = v_true * p.voltage_hw_error[i] * gains_v[i] * (1.0 + jitter(1.0));
            let v = v.max(0.0);
            let src = p.wiring.ct_source[i].min(2);
            let load = p.phases[src];
            let current =
                load.current_a * ct_scale * p.current_hw_error[i] * gains_i[i] * (1.0 + jitter(1.0));
            let current = current.max(0.0);
            let mut i_angle = voltage_angle(src) - load.angle_deg.to_radians();
            if p.wiring.ct_reversed[i] != invert[i] {
                i_angle += PI;
            }
            let theta = voltage_angle(i) - i_angle + jitter(1.0);
            let va = v * current / 1000.0;
            s.voltage_v[i] = v;
            s.current_a[i] = current;
            s.p_kw[i] = va * theta.cos();
            s.q_kvar[i] = va * theta.sin();
            s.s_kva[i] = va;
            v_phasors[i] = phasor(v, voltage_angle(i));
        }
        for (k, (a, b)) in [(0, 1), (1, 2), (2, 0)].into_iter().enumerate() {
            s.line_v[k] = distance(v_phasors[a], v_phasors[b]);
        }
        let any_voltage = s.voltage_v.iter().any(|v| *v > 1.0);
        s.frequency_hz = if any_voltage {
            p.frequency_hz
                * p.frequency_hw_error
                * gain_factor(addr::GANHO_FREQUENCIA, settings.gains.frequency)
                * (1.0 + jitter(0.05))
        } else {
            0.0
        };
        s
    }

    /// Everything the meter reports now (noisy sample, energy, temperature).
    pub fn measure(&mut self, settings: &Settings) -> Measurements {
        let s = self.noisy(settings);
        let temperature_c = self.temperature();
        let pf = |p: f64, va: f64| ratio(p, va);
        let totals = |v: [f64; 3], total: f64| PerPhaseTotal {
            a: v[0],
            b: v[1],
            c: v[2],
            total,
        };
        let e = self.energy;
        Measurements {
            voltage_v: PerPhase::from_array(s.voltage_v),
            line_voltage_v: LineVoltages {
                ab: s.line_v[0],
                bc: s.line_v[1],
                ca: s.line_v[2],
                mean: s.line_v.iter().sum::<f64>() / 3.0,
            },
            current_a: PerPhase::from_array(s.current_a),
            active_power_kw: totals(s.p_kw, s.p_total()),
            reactive_power_kvar: totals(s.q_kvar, s.q_total()),
            apparent_power_kva: totals(s.s_kva, s.s_total()),
            power_factor: PerPhaseTotal {
                a: pf(s.p_kw[0], s.s_kva[0]),
                b: pf(s.p_kw[1], s.s_kva[1]),
                c: pf(s.p_kw[2], s.s_kva[2]),
                total: pf(s.p_total(), s.s_total()),
            },
            energy_kwh: PerPhaseTotal {
                a: e.kwh[0],
                b: e.kwh[1],
                c: e.kwh[2],
                total: e.kwh[3],
            },
            energy_kvarh: PerPhaseTotal {
                a: e.kvarh[0],
                b: e.kvarh[1],
                c: e.kvarh[2],
                total: e.kvarh[3],
            },
            frequency_hz: s.frequency_hz,
            temperature_c,
            temperature_errors: self.temp_errors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(scenario: Scenario) -> ModelParams {
        let mut p = scenario.params();
        p.noise = 0.0;
        p.voltage_hw_error = [1.0; 3];
        p.current_hw_error = [1.0; 3];
        p
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn balanced_powers_follow_the_load_angle() {
        let mut p = exact(Scenario::Balanced);
        p.phases = [PhaseLoad {
            voltage_v: 220.0,
            current_a: 100.0,
            angle_deg: 30.0,
        }; 3];
        let m = Model::new(p, 1).ideal(&Settings::factory());
        for i in 0..3 {
            assert!(close(m.s_kva[i], 22.0, 1e-9));
            assert!(close(m.p_kw[i], 22.0 * 30f64.to_radians().cos(), 1e-9));
            assert!(close(m.q_kvar[i], 11.0, 1e-9), "inductive Q is positive");
            assert!(close(m.line_v[i], 220.0 * 3f64.sqrt(), 1e-6));
        }
        assert!(close(m.frequency_hz, 60.0, 1e-9));
    }

    #[test]
    fn reversed_ct_gives_negative_power_and_inversion_undoes_it() {
        let p = exact(Scenario::ReversedCtB);
        let mut settings = Settings::factory();
        let m = Model::new(p.clone(), 1).ideal(&settings);
        assert!(m.p_kw[0] > 0.0 && m.p_kw[1] < 0.0 && m.p_kw[2] > 0.0);
        assert!(m.q_kvar[1] < 0.0);
        settings.invert.b = true;
        let fixed = Model::new(p, 1).ideal(&settings);
        assert!(fixed.p_kw[1] > 0.0 && close(fixed.p_kw[1], -m.p_kw[1], 1e-9));
    }

    #[test]
    fn swapped_cts_measure_the_other_phase_current() {
        let m = Model::new(exact(Scenario::SwappedCtAb), 1).ideal(&Settings::factory());
        assert!(close(m.current_a[0], 76.0, 1e-9));
        assert!(close(m.current_a[1], 80.0, 1e-9));
        // 120° between voltage and current: PF far from the load's 0.9.
        assert!(m.p_kw[0] / m.s_kva[0] < 0.0 || m.p_kw[0] / m.s_kva[0] < 0.6);
        assert!(m.p_kw[2] / m.s_kva[2] > 0.9);
    }

    #[test]
    fn missing_voltage_zeroes_the_phase_and_bends_line_voltages() {
        let m = Model::new(exact(Scenario::MissingVc), 1).ideal(&Settings::factory());
        assert_eq!(m.voltage_v[2], 0.0);
        assert_eq!(m.p_kw[2], 0.0);
        assert!(close(m.line_v[1], 219.0, 1e-6), "VBC = |VB - 0|");
        assert!(close(m.line_v[2], 220.0, 1e-6), "VCA = |0 - VA|");
        assert!(m.line_v[0] > 370.0);
    }

    #[test]
    fn load_percent_is_a_share_of_the_fitted_ct_rating() {
        let mut p = Scenario::Balanced.params();
        p.physical_ct_ratio = 60;
        p.set_load_percent(75.0);
        assert!(p.phases.iter().all(|ph| (ph.current_a - 225.0).abs() < 1e-9));
    }

    #[test]
    fn gains_hw_error_and_ct_ratio_scale_the_readings() {
        let mut p = exact(Scenario::Balanced);
        p.voltage_hw_error[0] = 1.03;
        p.current_hw_error[1] = 0.95;
        let mut settings = Settings::factory();
        let m = Model::new(p.clone(), 1).ideal(&settings);
        assert!(close(m.voltage_v[0], 220.0 * 1.03, 1e-9));
        assert!(close(m.current_a[1], 76.0 * 0.95, 1e-9));
        settings.gains.voltage.a = 971; // calibration removes the error
        settings.ct_ratio = 200; // configured twice the physical ratio
        let m = Model::new(p, 1).ideal(&settings);
        assert!(close(m.voltage_v[0], 220.0, 0.1));
        assert!(close(m.current_a[0], 160.0, 1e-9));
    }

    #[test]
    fn energy_integrates_with_the_time_scale() {
        let mut p = exact(Scenario::ReversedCtB);
        p.time_scale = 3600.0;
        let settings = Settings::factory();
        let mut model = Model::new(p, 1);
        let s = model.ideal(&settings);
        model.advance(Duration::from_secs(2), &settings); // two scaled hours
        let e = model.energy();
        assert!(close(e.kwh[0], 2.0 * s.p_kw[0], 1e-9));
        assert_eq!(e.kwh[1], 0.0, "negative power does not count");
        assert!(close(e.kvarh[1], 2.0 * s.q_kvar[1].abs(), 1e-9));
        assert!(close(e.kwh[3], 2.0 * s.p_total(), 1e-9));
        model.zero_kwh();
        assert_eq!(model.energy().kwh, [0.0; 4]);
        assert!(model.energy().kvarh[0] > 0.0);
    }

    #[test]
    fn scenario_names_match_the_command_line() {
        use clap::ValueEnum as _;
        for scenario in Scenario::ALL {
            let value = scenario
                .to_possible_value()
                .expect("every scenario is selectable");
            assert_eq!(value.get_name(), scenario.name());
        }
        let wrong = Model::new(exact(Scenario::WrongCtRatio), 1).ideal(&Settings::factory());
        assert!(close(wrong.current_a[0], 80.0 * 100.0 / 60.0, 1e-9));
    }

    #[test]
    fn same_seed_same_readings() {
        let settings = Settings::factory();
        let mut a = Model::new(Scenario::Balanced.params(), 42);
        let mut b = Model::new(Scenario::Balanced.params(), 42);
        let mut c = Model::new(Scenario::Balanced.params(), 43);
        let (ma, mb, mc) = (a.measure(&settings), b.measure(&settings), c.measure(&settings));
        assert_eq!(ma, mb);
        assert_ne!(ma, mc);
        assert!(close(ma.voltage_v.a, 220.0 * 1.012, 220.0 * 0.005));
    }

    #[test]
    fn absent_sensor_reads_nothing_and_counts_one_error_per_second() {
        let settings = Settings::factory();
        let mut model = Model::new(Scenario::NoTempSensor.params(), 1);
        assert_eq!(model.measure(&settings).temperature_c, None);
        model.advance(Duration::from_millis(2500), &settings);
        assert_eq!(model.temp_errors(), 2);
        model.advance(Duration::from_millis(600), &settings);
        assert_eq!(model.temp_errors(), 3);
        model.params_mut().sensor_enabled = false;
        model.advance(Duration::from_secs(5), &settings);
        assert_eq!(model.temp_errors(), 3);
    }

    #[test]
    fn failing_sensor_holds_its_reading_for_ten_seconds() {
        let settings = Settings::factory();
        let mut p = exact(Scenario::Balanced);
        p.temp_sensor = TempSensor::FailsAfter {
            celsius: 40.0,
            after: Duration::from_secs(5),
        };
        let mut model = Model::new(p, 1);
        model.advance(Duration::from_secs(4), &settings);
        assert_eq!(model.temperature(), Some(40.0));
        assert_eq!(model.temp_errors(), 0);
        model.advance(Duration::from_secs(10), &settings); // uptime 14 s
        assert_eq!(model.temperature(), Some(40.0));
        assert_eq!(model.temp_errors(), 10, "reads at 5..=14 s failed");
        model.advance(Duration::from_secs(2), &settings); // uptime 16 s
        assert_eq!(model.temperature(), None);
        model.restart();
        assert_eq!(model.temp_errors(), 0);
        assert_eq!(model.temperature(), Some(40.0));
    }

    #[test]
    fn totals_are_sums_and_pf_total_is_their_ratio() {
        let mut model = Model::new(exact(Scenario::ReversedCtB), 1);
        let m = model.measure(&Settings::factory());
        let p = m.active_power_kw;
        assert!(close(p.total, p.a + p.b + p.c, 1e-9));
        assert!(close(
            m.power_factor.total,
            p.total / m.apparent_power_kva.total,
            1e-12
        ));
        assert!(m.power_factor.b < 0.0);
    }
}
