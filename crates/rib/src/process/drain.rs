//! Shutdown, first step: the helpers got the notice (and SIGTERM from the
//! supervisor) but the sessions are still up, so what they write on their
//! way out (withdrawals) is still sent. This tracks which helpers have not
//! yet ended their output, to tell the supervisor once every one has and
//! its last commands are answered.

use std::collections::BTreeSet;

/// The helpers being waited for.
#[derive(Debug, Default)]
pub struct Drain<K: Ord> {
    waiting: BTreeSet<K>,
    active: bool,
}

impl<K: Ord + Copy> Drain<K> {
    /// Starts waiting for the output of `keys` to end.
    pub fn start(&mut self, keys: impl IntoIterator<Item = K>) {
        self.waiting = keys.into_iter().collect();
        self.active = true;
    }

    /// The output of `key` ended (or the helper is gone).
    pub fn ended(&mut self, key: K) {
        self.waiting.remove(&key);
    }

    /// True once, when every helper's output ended and nothing is `busy`
    /// (commands queued or waiting for their answer): time to say so.
    pub fn quiet_now(&mut self, busy: bool) -> bool {
        if self.active && self.waiting.is_empty() && !busy {
            self.active = false;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_once_every_output_ended_and_nothing_is_busy() {
        let mut d = Drain::default();
        assert!(!d.quiet_now(false), "not draining yet");
        d.start([1u64, 2]);
        assert!(!d.quiet_now(false));
        d.ended(1);
        assert!(!d.quiet_now(false));
        d.ended(2);
        assert!(!d.quiet_now(true), "a batch is still in flight");
        assert!(d.quiet_now(false));
        assert!(!d.quiet_now(false), "said only once");
    }

    #[test]
    fn no_helper_is_quiet_at_once() {
        let mut d: Drain<u64> = Drain::default();
        d.start([]);
        assert!(d.quiet_now(false));
    }
}
