//! Reconnection pacing: ExaBGP's back-off between outgoing connection
//! attempts and the bounded attempt counter (`tcp.attempts`,
//! `exabgp_tcp_connections`, `tcp.once`).
//!
//! The delay before the next attempt starts at 0 s; every time a connection
//! ends or fails it becomes `int(1 + delay * 1.2)`, capped at 60 s (0, 1, 2,
//! 3, 4, 5, 7, 9, 11, 14, ... 60). It goes back to 0 when a session reaches
//! Established or on an operator action (teardown).

use std::time::Duration;

/// The longest wait between two connection attempts.
pub const MAX_DELAY_SECS: u64 = 60;

/// ExaBGP's reconnection delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backoff {
    next: u64,
}

impl Backoff {
    pub fn new() -> Backoff {
        Backoff { next: 0 }
    }

    /// The wait to apply now, then grows the next one.
    pub fn take(&mut self) -> Duration {
        let now = self.next;
        // int(1 + next * 1.2) computed in integers: 1 + floor(next * 6 / 5)
        self.next = (1 + self.next * 6 / 5).min(MAX_DELAY_SECS);
        Duration::from_secs(now)
    }

    /// The wait [`Backoff::take`] would return, without growing it.
    pub fn peek(&self) -> Duration {
        Duration::from_secs(self.next)
    }

    pub fn reset(&mut self) {
        self.next = 0;
    }
}

/// How many outgoing connection attempts are allowed (0 = unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    max: u32,
    made: u32,
}

impl Attempts {
    /// `max` = 0 means unlimited.
    pub fn new(max: u32) -> Attempts {
        Attempts { max, made: 0 }
    }

    /// Counts one attempt.
    pub fn record(&mut self) {
        self.made = self.made.saturating_add(1);
    }

    /// Whether another attempt may be made (ExaBGP `can_reconnect`).
    pub fn can_retry(&self) -> bool {
        self.max == 0 || self.made < self.max
    }

    pub fn made(&self) -> u32 {
        self.made
    }

    pub fn max(&self) -> u32 {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exabgp_sequence() {
        let mut b = Backoff::new();
        let seq: Vec<u64> = (0..16).map(|_| b.take().as_secs()).collect();
        assert_eq!(
            seq,
            [0, 1, 2, 3, 4, 5, 7, 9, 11, 14, 17, 21, 26, 32, 39, 47]
        );
        let later: Vec<u64> = (0..4).map(|_| b.take().as_secs()).collect();
        assert_eq!(later, [57, 60, 60, 60]);
        b.reset();
        assert_eq!(b.peek(), Duration::ZERO);
        assert_eq!(b.take(), Duration::ZERO);
        assert_eq!(b.peek(), Duration::from_secs(1));
    }

    #[test]
    fn attempts_bounded_and_unlimited() {
        let mut a = Attempts::new(2);
        assert!(a.can_retry());
        a.record();
        assert!(a.can_retry());
        a.record();
        assert!(!a.can_retry());
        let mut u = Attempts::new(0);
        for _ in 0..1000 {
            u.record();
        }
        assert!(u.can_retry());
        assert_eq!(u.made(), 1000);
    }
}
