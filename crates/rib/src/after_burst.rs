//! When the rib hands freed memory back to the system: once a burst of
//! work is over.
//!
//! A million routes in (a configuration load, an API stream, a peer's full
//! table) leave hundreds of megabytes of freed pages that the allocator
//! keeps for reuse, and only gives back while the process goes on
//! allocating. Giving them back at every free costs the busy paths 15 to
//! 35 % of their CPU; giving them back on a timer in the middle of a burst
//! costs page faults right after. So the rib releases at the first tick
//! without work after one with work: a burst pays nothing, an idle rib
//! holds what it uses.

/// Tracks a count that grows with work done, tick by tick.
#[derive(Debug, Default)]
pub struct AfterBurst {
    last: u64,
    pending: bool,
}

impl AfterBurst {
    /// Called on every tick with the work counter; true when memory is to
    /// be released now (work happened before the previous tick, none since).
    pub fn tick(&mut self, activity: u64) -> bool {
        if activity != self.last {
            self.last = activity;
            self.pending = true;
            false
        } else {
            std::mem::take(&mut self.pending)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AfterBurst;

    #[test]
    fn releases_once_at_the_first_quiet_tick_after_work() {
        let mut a = AfterBurst::default();
        assert!(!a.tick(0), "no work yet");
        assert!(!a.tick(5), "working");
        assert!(!a.tick(9), "still working");
        assert!(a.tick(9), "first quiet tick");
        assert!(!a.tick(9), "released already");
        assert!(!a.tick(9));
        assert!(!a.tick(10), "a new burst");
        assert!(a.tick(10));
    }
}
