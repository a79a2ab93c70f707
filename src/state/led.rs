//! What the meter's status LED should be doing, from the mode and Wi-Fi state
//! the transports report (device profile §1): 5 s period, N short blinks in
//! application mode, N short *off* pulses in configuration mode, 3 s on / 3 s
//! off in update mode. Pure timing maths so the widget can repaint only at
//! the next change.

use je08_protocol::mode::Mode;
use je08_protocol::readings::WifiMode;

/// Period of the blink patterns, seconds.
pub const PERIOD_S: f64 = 5.0;
/// Length of one short pulse, seconds.
pub const PULSE_S: f64 = 0.2;
/// Distance between pulse starts, seconds.
pub const PULSE_PITCH_S: f64 = 0.5;
/// Half period of the update-mode pattern, seconds.
pub const UPDATE_HALF_S: f64 = 3.0;

/// An LED behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedPattern {
    /// `count` short pulses every 5 s; `inverted` = LED on, pulses off.
    Blinks {
        /// 1 = access point, 2 = station connected, 3 = station with a problem.
        count: u8,
        /// Configuration mode.
        inverted: bool,
    },
    /// Update mode: 3 s on, 3 s off.
    Update,
    /// State unknown (meter not reachable).
    Unknown,
}

/// The pattern for a meter in `mode` with Wi-Fi role `wifi`.
pub fn pattern(mode: Option<Mode>, wifi: Option<WifiMode>) -> LedPattern {
    let count = match wifi {
        Some(WifiMode::AccessPoint) => 1,
        Some(WifiMode::Station) => 2,
        Some(WifiMode::Unknown(_)) => 3,
        None => 0,
    };
    match mode {
        Some(Mode::Update) => LedPattern::Update,
        Some(Mode::Application) if count > 0 => LedPattern::Blinks {
            count,
            inverted: false,
        },
        Some(Mode::Configuration) if count > 0 => LedPattern::Blinks {
            count,
            inverted: true,
        },
        _ => LedPattern::Unknown,
    }
}

/// Whether the LED is lit at `t` seconds, and how long until it changes.
pub fn state_at(p: LedPattern, t: f64) -> (bool, f64) {
    match p {
        LedPattern::Unknown => (false, f64::INFINITY),
        LedPattern::Update => {
            let phase = t.rem_euclid(2.0 * UPDATE_HALF_S);
            if phase < UPDATE_HALF_S {
                (true, UPDATE_HALF_S - phase)
            } else {
                (false, 2.0 * UPDATE_HALF_S - phase)
            }
        }
        LedPattern::Blinks { count, inverted } => {
            let phase = t.rem_euclid(PERIOD_S);
            let k = (phase / PULSE_PITCH_S).floor();
            let within = phase - k * PULSE_PITCH_S;
            let in_pulse = (k as u8) < count && within < PULSE_S;
            let until = if in_pulse {
                PULSE_S - within
            } else if ((k + 1.0) as u8) < count {
                (k + 1.0) * PULSE_PITCH_S - phase
            } else {
                PERIOD_S - phase
            };
            (in_pulse != inverted, until.max(0.001))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn station_in_application_mode_blinks_twice_per_period() {
        let p = pattern(Some(Mode::Application), Some(WifiMode::Station));
        let lit: Vec<bool> = (0..50).map(|i| state_at(p, f64::from(i) * 0.1).0).collect();
        let rising = lit.windows(2).filter(|w| !w[0] && w[1]).count() + usize::from(lit[0]);
        assert_eq!(rising, 2);
    }

    #[test]
    fn configuration_mode_inverts() {
        let p = pattern(Some(Mode::Configuration), Some(WifiMode::AccessPoint));
        assert!(!state_at(p, 0.05).0);
        assert!(state_at(p, 1.0).0);
        assert!((state_at(p, 1.0).1 - 4.0).abs() < 1e-9);
    }

    #[test]
    fn update_mode_is_three_on_three_off_and_unknown_never_changes() {
        assert_eq!(state_at(LedPattern::Update, 1.0), (true, 2.0));
        assert_eq!(state_at(LedPattern::Update, 4.0), (false, 2.0));
        assert_eq!(pattern(None, Some(WifiMode::Station)), LedPattern::Unknown);
        assert_eq!(state_at(LedPattern::Unknown, 3.0).1, f64::INFINITY);
    }
}
