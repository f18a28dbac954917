//! Pure restart policies: the session worker restart backoff and ExaBGP's
//! helper respawn limit. Time is passed in, so both are tested without clocks.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Delay before restarting a crashed session worker: 1 s, doubling up to
/// 60 s; back to 1 s when the worker had been running for a stable period.
#[derive(Debug, Clone)]
pub struct RestartBackoff {
    next: Duration,
    min: Duration,
    max: Duration,
    stable: Duration,
}

impl Default for RestartBackoff {
    fn default() -> Self {
        RestartBackoff::new(
            Duration::from_secs(1),
            Duration::from_secs(60),
            Duration::from_secs(60),
        )
    }
}

impl RestartBackoff {
    pub fn new(min: Duration, max: Duration, stable: Duration) -> Self {
        RestartBackoff {
            next: min,
            min,
            max,
            stable,
        }
    }

    /// The worker died after running `uptime`: how long to wait before the restart.
    pub fn on_death(&mut self, uptime: Duration) -> Duration {
        if uptime >= self.stable {
            self.next = self.min;
        }
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }
}

/// ExaBGP's helper respawn limit: a helper started more than `max` times
/// within `window` makes the daemon give up.
#[derive(Debug, Clone)]
pub struct RespawnLimiter {
    starts: VecDeque<Instant>,
    max: usize,
    window: Duration,
}

impl Default for RespawnLimiter {
    fn default() -> Self {
        RespawnLimiter::new(5, Duration::from_secs(64))
    }
}

impl RespawnLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        RespawnLimiter {
            starts: VecDeque::new(),
            max,
            window,
        }
    }

    /// Records a start at `now`; false when this start exceeds the limit.
    pub fn start(&mut self, now: Instant) -> bool {
        while let Some(&first) = self.starts.front() {
            if now.duration_since(first) >= self.window {
                self.starts.pop_front();
            } else {
                break;
            }
        }
        self.starts.push_back(now);
        self.starts.len() <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_resets() {
        let mut b = RestartBackoff::default();
        let quick = Duration::from_millis(10);
        let got: Vec<u64> = (0..9).map(|_| b.on_death(quick).as_secs()).collect();
        assert_eq!(got, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(b.on_death(Duration::from_secs(61)).as_secs(), 1);
        assert_eq!(b.on_death(quick).as_secs(), 2);
    }

    #[test]
    fn respawn_limit_is_more_than_five_in_64_seconds() {
        let mut l = RespawnLimiter::default();
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(l.start(t0 + Duration::from_secs(i)), "start {i}");
        }
        assert!(!l.start(t0 + Duration::from_secs(10)));
        let mut l = RespawnLimiter::default();
        for i in 0..20 {
            assert!(
                l.start(t0 + Duration::from_secs(i * 13)),
                "spread start {i}"
            );
        }
    }
}
