//! Bounded time series of live readings and min/max decimation for plots.
//!
//! Memory stays bounded whatever happens to the window: each meter keeps at
//! most [`History::capacity`] samples (one hour at 1 Hz by default).

use std::collections::VecDeque;

use je08_protocol::readings::Measurements;

/// A plotted quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Phase voltage A, B, C (V).
    Voltage(usize),
    /// Current A, B, C (A).
    Current(usize),
    /// Active power A, B, C, total (kW).
    Active(usize),
    /// Reactive power A, B, C, total (kVAr).
    Reactive(usize),
    /// Apparent power A, B, C, total (kVA).
    Apparent(usize),
    /// Power factor A, B, C, total.
    PowerFactor(usize),
    /// Frequency (Hz).
    Frequency,
    /// Temperature (°C); NaN when absent.
    Temperature,
}

const CHANNELS: usize = 24;

impl Channel {
    fn index(self) -> usize {
        match self {
            Self::Voltage(k) => k.min(2),
            Self::Current(k) => 3 + k.min(2),
            Self::Active(k) => 6 + k.min(3),
            Self::Reactive(k) => 10 + k.min(3),
            Self::Apparent(k) => 14 + k.min(3),
            Self::PowerFactor(k) => 18 + k.min(3),
            Self::Frequency => 22,
            Self::Temperature => 23,
        }
    }
}

/// One stored sample: time in seconds (UNIX) and every channel as f32.
#[derive(Debug, Clone, Copy)]
struct Sample {
    t: f64,
    v: [f32; CHANNELS],
}

fn sample(t: f64, m: &Measurements) -> Sample {
    let mut v = [0f32; CHANNELS];
    let put = |v: &mut [f32; CHANNELS], at: usize, xs: &[f64]| {
        for (k, x) in xs.iter().enumerate() {
            v[at + k] = *x as f32;
        }
    };
    put(&mut v, 0, &m.voltage_v.to_array());
    put(&mut v, 3, &m.current_a.to_array());
    let four = |p: je08_protocol::readings::PerPhaseTotal| [p.a, p.b, p.c, p.total];
    put(&mut v, 6, &four(m.active_power_kw));
    put(&mut v, 10, &four(m.reactive_power_kvar));
    put(&mut v, 14, &four(m.apparent_power_kva));
    put(&mut v, 18, &four(m.power_factor));
    v[22] = m.frequency_hz as f32;
    v[23] = m.temperature_c.map_or(f32::NAN, |t| t as f32);
    Sample { t, v }
}

/// A ring buffer of samples.
#[derive(Debug, Clone)]
pub struct History {
    samples: VecDeque<Sample>,
    capacity: usize,
}

impl Default for History {
    fn default() -> Self {
        Self::with_capacity(3600)
    }
}

impl History {
    /// An empty history keeping at most `capacity` samples.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            samples: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
        }
    }

    /// Most samples kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Samples held.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Append a reading taken at `t` (UNIX seconds), dropping the oldest
    /// when full. Out-of-order samples are ignored.
    pub fn push(&mut self, t: f64, m: &Measurements) {
        if self.samples.back().is_some_and(|last| t <= last.t) {
            return;
        }
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(sample(t, m));
    }

    /// Time of the newest sample.
    pub fn last_time(&self) -> Option<f64> {
        self.samples.back().map(|s| s.t)
    }

    /// Every sample between `from` and `to` (inclusive), undecimated: its
    /// time and the value of each of `channels` (NaN where absent).
    pub fn rows(&self, channels: &[Channel], from: f64, to: f64) -> Vec<(f64, Vec<f64>)> {
        let start = self.samples.partition_point(|s| s.t < from);
        let end = self.samples.partition_point(|s| s.t <= to);
        self.samples
            .range(start..end)
            .map(|s| (s.t, channels.iter().map(|c| f64::from(s.v[c.index()])).collect()))
            .collect()
    }

    /// Points `[t, value]` of `channel` between `from` and `to`, decimated to
    /// at most about `2 × buckets` points by keeping each bucket's minimum
    /// and maximum in time order (spikes survive, lines keep their shape).
    pub fn decimated(&self, channel: Channel, from: f64, to: f64, buckets: usize) -> Vec<[f64; 2]> {
        let c = channel.index();
        let start = self.samples.partition_point(|s| s.t < from);
        let end = self.samples.partition_point(|s| s.t <= to);
        let n = end.saturating_sub(start);
        let buckets = buckets.max(1);
        let mut out = Vec::with_capacity(n.min(2 * buckets + 2));
        if n <= 2 * buckets {
            for s in self.samples.range(start..end) {
                if s.v[c].is_finite() {
                    out.push([s.t, f64::from(s.v[c])]);
                }
            }
            return out;
        }
        let per = n.div_ceil(buckets);
        let mut i = start;
        while i < end {
            let stop = (i + per).min(end);
            let mut lo: Option<&Sample> = None;
            let mut hi: Option<&Sample> = None;
            for s in self.samples.range(i..stop) {
                if !s.v[c].is_finite() {
                    continue;
                }
                if lo.is_none_or(|l| s.v[c] < l.v[c]) {
                    lo = Some(s);
                }
                if hi.is_none_or(|h| s.v[c] > h.v[c]) {
                    hi = Some(s);
                }
            }
            if let (Some(lo), Some(hi)) = (lo, hi) {
                let (first, second) = if lo.t <= hi.t { (lo, hi) } else { (hi, lo) };
                out.push([first.t, f64::from(first.v[c])]);
                if second.t != first.t {
                    out.push([second.t, f64::from(second.v[c])]);
                }
            }
            i = stop;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: f64) -> Measurements {
        let mut m = Measurements::default();
        m.voltage_v.a = v;
        m
    }

    #[test]
    fn ring_buffer_is_bounded_and_ordered() {
        let mut h = History::with_capacity(10);
        for t in 0..25 {
            h.push(f64::from(t), &m(f64::from(t)));
        }
        h.push(3.0, &m(0.0));
        assert_eq!(h.len(), 10);
        assert_eq!(h.last_time(), Some(24.0));
        let pts = h.decimated(Channel::Voltage(0), 0.0, 100.0, 100);
        assert_eq!(pts.first(), Some(&[15.0, 15.0]));
    }

    #[test]
    fn decimation_keeps_spikes_and_bounds_points() {
        let mut h = History::with_capacity(3600);
        for t in 0..3600 {
            let v = if t == 1234 {
                500.0
            } else if t == 2000 {
                10.0
            } else {
                220.0
            };
            h.push(f64::from(t), &m(v));
        }
        let pts = h.decimated(Channel::Voltage(0), 0.0, 3600.0, 100);
        assert!(pts.len() <= 202, "{}", pts.len());
        assert!(pts.iter().any(|p| p[1] == 500.0));
        assert!(pts.iter().any(|p| p[1] == 10.0));
        assert!(pts.windows(2).all(|w| w[0][0] < w[1][0]));
        let window = h.decimated(Channel::Voltage(0), 3500.0, 3600.0, 400);
        assert_eq!(window.len(), 100);
    }

    #[test]
    fn rows_are_every_sample_in_the_window() {
        let mut h = History::with_capacity(100);
        for t in 0..50 {
            h.push(f64::from(t), &m(200.0 + f64::from(t)));
        }
        let rows = h.rows(&[Channel::Voltage(0), Channel::Voltage(1)], 10.0, 20.0);
        assert_eq!(rows.len(), 11);
        assert_eq!(rows[0], (10.0, vec![210.0, 0.0]));
        assert_eq!(rows[10].0, 20.0);
    }

    #[test]
    fn missing_temperature_is_not_plotted() {
        let mut h = History::default();
        h.push(1.0, &Measurements::default());
        assert!(h.decimated(Channel::Temperature, 0.0, 2.0, 10).is_empty());
    }
}
