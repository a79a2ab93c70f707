//! Summary statistics over a window of samples.

use serde::Serialize;

/// Mean and spread of a window of samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WindowStats {
    /// Number of samples.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (0 for fewer than two samples).
    pub std_dev: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
}

impl WindowStats {
    /// Statistics of `samples`; `None` when there are none.
    pub fn of(samples: impl IntoIterator<Item = f64>) -> Option<Self> {
        let values: Vec<f64> = samples.into_iter().collect();
        let count = values.len();
        if count == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / count as f64;
        let var = if count > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1) as f64
        } else {
            0.0
        };
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(Self {
            count,
            mean,
            std_dev: var.sqrt(),
            min,
            max,
        })
    }

    /// Standard deviation relative to the mean (coefficient of variation);
    /// infinite when the mean is zero.
    pub fn relative_spread(&self) -> f64 {
        if self.mean == 0.0 {
            f64::INFINITY
        } else {
            self.std_dev / self.mean.abs()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_spread() {
        let s = WindowStats::of([1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(s.count, 4);
        assert_eq!(s.mean, 2.5);
        assert!((s.std_dev - 1.290_994).abs() < 1e-6);
        assert_eq!((s.min, s.max), (1.0, 4.0));
        assert!(WindowStats::of([]).is_none());
        assert_eq!(WindowStats::of([0.0]).unwrap().relative_spread(), f64::INFINITY);
    }
}
