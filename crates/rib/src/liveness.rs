//! Worker liveness: the rib pings each session worker over its channel and
//! expects the answer within a bound of at most a third of the hold time
//! (capped, so that a long hold time still finds a hung worker quickly). A
//! worker that does not answer in time is hung: its session is reported
//! down at once and the supervisor replaces the worker. No I/O here: the
//! caller sends the pings this decides and feeds back the answers.

use std::time::{Duration, Instant};

/// Longest wait for an answer, whatever the hold time.
pub const MAX_BOUND: Duration = Duration::from_secs(30);
/// Shortest wait for an answer (a hold time of 3 s still gives a busy
/// worker a second).
pub const MIN_BOUND: Duration = Duration::from_secs(1);

/// The bound for a session whose hold time is `hold` seconds (0: none).
pub fn bound(hold: u16) -> Duration {
    if hold == 0 {
        return MAX_BOUND;
    }
    (Duration::from_secs(u64::from(hold)) / 3).clamp(MIN_BOUND, MAX_BOUND)
}

/// The heartbeat of one worker link.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    bound: Duration,
    next: u64,
    /// The ping waiting for its answer, and when it was sent.
    waiting: Option<(u64, Instant)>,
}

impl Heartbeat {
    pub fn new(bound: Duration) -> Heartbeat {
        Heartbeat {
            bound,
            next: 0,
            waiting: None,
        }
    }

    /// The ping to send now, when none is waiting for its answer.
    pub fn ping(&mut self, now: Instant) -> Option<u64> {
        if self.waiting.is_some() {
            return None;
        }
        self.next += 1;
        self.waiting = Some((self.next, now));
        Some(self.next)
    }

    /// The answer to ping `n` arrived.
    pub fn pong(&mut self, n: u64) {
        if self.waiting.is_some_and(|(w, _)| w == n) {
            self.waiting = None;
        }
    }

    /// The rib itself held the waiting ping back (see the rib's journal
    /// gate): the worker has not seen it, so its wait counts from `now`.
    pub fn held(&mut self, now: Instant) {
        if let Some((_, at)) = self.waiting.as_mut() {
            *at = now;
        }
    }

    /// True when the waiting ping is older than the bound.
    pub fn hung(&self, now: Instant) -> bool {
        self.waiting
            .is_some_and(|(_, at)| now.saturating_duration_since(at) > self.bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ping_the_rib_held_back_counts_from_its_release() {
        let t0 = Instant::now();
        let mut h = Heartbeat::new(Duration::from_secs(1));
        h.ping(t0).expect("first ping");
        h.held(t0 + Duration::from_secs(5));
        assert!(!h.hung(t0 + Duration::from_secs(6)));
        assert!(h.hung(t0 + Duration::from_millis(6001)));
    }

    #[test]
    fn the_bound_is_a_third_of_the_hold_time_within_limits() {
        assert_eq!(bound(9), Duration::from_secs(3));
        assert_eq!(bound(3), Duration::from_secs(1));
        assert_eq!(bound(180), MAX_BOUND);
        assert_eq!(bound(0), MAX_BOUND);
        assert!(bound(20) <= Duration::from_secs(20) / 3);
    }

    #[test]
    fn a_worker_that_answers_is_alive_one_that_does_not_is_hung() {
        let t0 = Instant::now();
        let mut h = Heartbeat::new(Duration::from_secs(3));
        let n = h.ping(t0).expect("first ping");
        assert_eq!(h.ping(t0 + Duration::from_secs(1)), None, "one at a time");
        assert!(!h.hung(t0 + Duration::from_secs(3)));
        h.pong(n + 7); // an answer to something else
        assert!(h.hung(t0 + Duration::from_millis(3001)));
        h.pong(n);
        assert!(!h.hung(t0 + Duration::from_secs(60)));
        let m = h.ping(t0 + Duration::from_secs(60)).expect("next ping");
        assert!(m > n);
        assert!(!h.hung(t0 + Duration::from_secs(62)));
        assert!(h.hung(t0 + Duration::from_secs(64)));
    }
}
