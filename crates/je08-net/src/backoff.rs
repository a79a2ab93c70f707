//! Capped exponential reconnect backoff with jitter.
//!
//! Every transport that reconnects after a failure paces its attempts with a
//! [`Backoff`] under its own named [`BackoffPolicy`] (the Modbus client's
//! `RECONNECT`, the MQTT link's `RECONNECT`; there is no generic default): the first retry waits about `initial`, each further failure
//! doubles the wait up to `cap`, and a success resets it. Jitter ("equal
//! jitter": a random point in the upper half of the nominal delay) keeps many
//! clients that failed together from reconnecting in lockstep, and never
//! exceeds the cap.

use std::time::Duration;

/// The shape of a backoff: first delay and ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Nominal delay after the first failure.
    pub initial: Duration,
    /// Largest nominal delay.
    pub cap: Duration,
    /// Randomize each delay within its upper half.
    pub jitter: bool,
}

/// The reconnect pacing state of one connection.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    failures: u32,
    next_delay: Duration,
}

impl Backoff {
    /// A fresh backoff: no failure yet, so no delay.
    pub fn new(policy: BackoffPolicy) -> Self {
        Self {
            policy,
            failures: 0,
            next_delay: Duration::ZERO,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> BackoffPolicy {
        self.policy
    }

    /// Consecutive failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// How long to wait before the next attempt (zero after a success).
    pub fn next_delay(&self) -> Duration {
        self.next_delay
    }

    /// The nominal (jitter-free) delay after `failures` consecutive failures.
    pub fn nominal(&self, failures: u32) -> Duration {
        if failures == 0 {
            return Duration::ZERO;
        }
        let doublings = (failures - 1).min(31);
        self.policy
            .initial
            .saturating_mul(1u32 << doublings)
            .min(self.policy.cap)
    }

    /// Record a failure and return the delay to wait before the next attempt.
    pub fn fail(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let nominal = self.nominal(self.failures);
        self.next_delay = if self.policy.jitter {
            let half = nominal / 2;
            half + nominal.saturating_sub(half).mul_f64(rand::random::<f64>())
        } else {
            nominal
        };
        self.next_delay
    }

    /// Record a failure that retrying will not fix soon (e.g. refused
    /// credentials): wait the whole cap before the next attempt.
    pub fn fail_to_cap(&mut self) -> Duration {
        self.failures = self.failures.max(32);
        self.fail()
    }

    /// Record a success: the next attempt may happen at once.
    pub fn succeed(&mut self) {
        self.failures = 0;
        self.next_delay = Duration::ZERO;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 100 ms doubling to a 5 s cap, with jitter.
    const POLICY: BackoffPolicy = BackoffPolicy {
        initial: Duration::from_millis(100),
        cap: Duration::from_secs(5),
        jitter: true,
    };

    #[test]
    fn doubles_from_initial_to_the_cap_and_resets_on_success() {
        let mut b = Backoff::new(BackoffPolicy {
            jitter: false,
            ..POLICY
        });
        assert_eq!(b.next_delay(), Duration::ZERO);
        let delays: Vec<u64> = (0..10).map(|_| b.fail().as_millis() as u64).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
        b.succeed();
        assert_eq!(b.next_delay(), Duration::ZERO);
        assert_eq!(b.failures(), 0);
        assert_eq!(b.fail(), Duration::from_millis(100));
    }

    #[test]
    fn jitter_stays_in_the_upper_half_and_under_the_cap() {
        let mut b = Backoff::new(POLICY);
        for n in 1..200u32 {
            let d = b.fail();
            let nominal = b.nominal(n);
            assert!(d >= nominal / 2 && d <= nominal, "{d:?} vs {nominal:?}");
            assert!(d <= Duration::from_secs(5));
        }
    }

    #[test]
    fn a_hopeless_failure_waits_the_whole_cap() {
        let mut b = Backoff::new(BackoffPolicy {
            jitter: false,
            ..POLICY
        });
        assert_eq!(b.fail_to_cap(), Duration::from_secs(5));
        b.succeed();
        assert_eq!(b.fail(), Duration::from_millis(100));
    }

    #[test]
    fn many_failures_never_overflow() {
        let mut b = Backoff::new(BackoffPolicy {
            initial: Duration::from_secs(1),
            cap: Duration::MAX,
            jitter: false,
        });
        for _ in 0..100 {
            b.fail();
        }
        assert!(b.next_delay() >= Duration::from_secs(1 << 31));
    }
}
