//! Reconnection pacing: ExaBGP's back-off between outgoing connection
//! attempts and the bounded attempt counter (`tcp.attempts`,
//! `exabgp_tcp_connections`, `tcp.once`).
//!
//! The delay before the next attempt starts at 0 s; every time a connection
//! ends or fails it becomes `int(1 + delay * 1.2)`, capped at 60 s (0, 1, 2,
//! 3, 4, 5, 7, 9, 11, 14, ... 60). It goes back to 0 when a session reaches
//! Established or on an operator action (teardown).
//!
//! One deliberate difference from ExaBGP: a session that ends within
//! [`SHORT_SESSION`] of reaching Established does not keep that reset. The
//! delay then continues from where the connection attempts had brought it,
//! and is never below 1 s. ExaBGP reconnects at once after every
//! Established session, so a peer that resets the session on each UPDATE
//! (a policy error, a too-long message, a malformed attribute) gets a new
//! connection, a new OPEN and the whole table again in a tight loop; here
//! it gets them after 1, 2, 3, 4, 5, 7 ... up to 60 s, as if each of those
//! sessions had been a failed attempt. A session that stayed up longer
//! still reconnects at once, as in ExaBGP, and a teardown asked by an
//! operator reconnects at once whatever the session's age.

use std::time::{Duration, Instant};

/// The longest wait between two connection attempts.
pub const MAX_DELAY_SECS: u64 = 60;

/// A session that ends less than this long after it reached Established is
/// treated as a failed attempt for the back-off (see the module doc). Ten
/// seconds is far longer than the time a peer needs to reject our OPEN's
/// first UPDATEs, and far shorter than any hold time a peer that has
/// accepted the session would let expire.
pub const SHORT_SESSION: Duration = Duration::from_secs(10);

/// ExaBGP's reconnection delay, with the floor after short sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backoff {
    next: u64,
    /// When the current session reached Established, and the delay the
    /// attempts had reached before it (restored if the session is short).
    established: Option<(Instant, u64)>,
}

impl Backoff {
    pub fn new() -> Backoff {
        Backoff {
            next: 0,
            established: None,
        }
    }

    /// The wait to apply now, then grows the next one.
    pub fn take(&mut self) -> Duration {
        let now = self.next;
        // int(1 + next * 1.2) computed in integers: 1 + floor(next * 6 / 5)
        self.next = (1 + self.next * 6 / 5).min(MAX_DELAY_SECS);
        Duration::from_secs(now)
    }

    /// The wait [`Backoff::take`] would return, without growing it.
    #[cfg(test)]
    pub fn peek(&self) -> Duration {
        Duration::from_secs(self.next)
    }

    /// Back to 0 at once (an operator action, a connection from the peer).
    pub fn reset(&mut self) {
        self.next = 0;
        self.established = None;
    }

    /// A session reached Established at `now`: back to 0, as ExaBGP does,
    /// remembering what [`Backoff::session_ended`] restores if it is short.
    pub fn established(&mut self, now: Instant) {
        self.established = Some((now, self.next));
        self.next = 0;
    }

    /// The session that reached Established ended at `now`. Within
    /// [`SHORT_SESSION`]: the delay goes back to what the attempts had
    /// reached, at least 1 s. Later: it stays 0. No-op without a session
    /// (or after [`Backoff::reset`]).
    pub fn session_ended(&mut self, now: Instant) {
        let Some((at, before)) = self.established.take() else {
            return;
        };
        if now.saturating_duration_since(at) < SHORT_SESSION {
            self.next = self.next.max(before).max(1);
        }
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

    /// A fake clock: a fixed start and offsets in seconds.
    struct Clock(Instant);
    impl Clock {
        fn at(&self, secs: u64) -> Instant {
            self.0 + Duration::from_secs(secs)
        }
    }

    #[test]
    fn a_long_session_reconnects_at_once_like_exabgp() {
        let c = Clock(Instant::now());
        let mut b = Backoff::new();
        for _ in 0..5 {
            b.take();
        }
        b.established(c.at(100));
        assert_eq!(b.peek(), Duration::ZERO);
        b.session_ended(c.at(100) + SHORT_SESSION);
        assert_eq!(b.take(), Duration::ZERO);
        assert_eq!(b.peek(), Duration::from_secs(1));
    }

    #[test]
    fn a_peer_resetting_every_session_is_paced_like_failed_attempts() {
        let c = Clock(Instant::now());
        let mut b = Backoff::new();
        let mut t = 0;
        let mut waits = Vec::new();
        for _ in 0..14 {
            let w = b.take().as_secs();
            waits.push(w);
            t += w;
            b.established(c.at(t));
            // the peer sends a NOTIFICATION on our first UPDATE
            t += 1;
            b.session_ended(c.at(t));
        }
        assert_eq!(waits, [0, 1, 2, 3, 4, 5, 7, 9, 11, 14, 17, 21, 26, 32]);
        // then capped
        for _ in 0..10 {
            b.take();
            b.established(c.at(t));
            b.session_ended(c.at(t));
        }
        assert_eq!(b.take(), Duration::from_secs(MAX_DELAY_SECS));
        // one session that stays up long enough clears the record
        b.established(c.at(t));
        b.session_ended(c.at(t + 3600));
        assert_eq!(b.take(), Duration::ZERO);
    }

    #[test]
    fn the_floor_is_one_second_even_right_after_a_reset() {
        let c = Clock(Instant::now());
        let mut b = Backoff::new();
        b.reset();
        // established through a connection the peer made (no attempt taken)
        b.established(c.at(0));
        b.session_ended(c.at(9));
        assert_eq!(b.take(), Duration::from_secs(1));
        // just under the threshold still counts as short, at it does not
        b.established(c.at(20));
        b.session_ended(c.at(20) + SHORT_SESSION - Duration::from_millis(1));
        assert_eq!(b.peek(), Duration::from_secs(2));
        b.take();
        b.established(c.at(40));
        b.session_ended(c.at(40) + SHORT_SESSION);
        assert_eq!(b.peek(), Duration::ZERO);
    }

    #[test]
    fn an_operator_teardown_reconnects_at_once_whatever_the_age() {
        let c = Clock(Instant::now());
        let mut b = Backoff::new();
        b.take();
        b.established(c.at(0));
        b.reset();
        b.session_ended(c.at(1));
        assert_eq!(b.take(), Duration::ZERO);
        // and a session end without Established changes nothing
        let before = b.peek();
        b.session_ended(c.at(2));
        assert_eq!(b.peek(), before);
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
