//! What happens to a helper that exited (or could not be started): the pure
//! policy, with time passed in.
//!
//! ExaBGP restarts a dead helper at once and, when one is started more than
//! five times within 64 seconds, exits (every session goes down with it).
//! ferrobgp keeps the limit but not its cost: restarts are spaced by an
//! exponential back-off (1 s doubling up to 60 s, back to 1 s after a minute
//! of stable running), and a helper that reaches the limit is marked
//! *failed* — logged as an error, reported by `show`-like status, never
//! restarted until a reload changes it or SIGUSR2 restarts the helpers —
//! while the sessions carry on. `exabgp.api.respawn_exit` restores
//! ExaBGP's exit.

use crate::limits::{RespawnLimiter, RestartBackoff};
use std::time::{Duration, Instant};

/// The decision for a helper that ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterExit {
    /// Start it again after this delay.
    Respawn(Duration),
    /// Leave it stopped (respawn is disabled for it).
    Stay,
    /// The respawn limit is reached: leave it stopped, marked failed.
    Failed,
    /// The respawn limit is reached and the operator asked for ExaBGP's
    /// behaviour: stop the daemon.
    Exit,
}

/// How respawning is configured for one helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RespawnRules {
    /// `exabgp.api.respawn` and the process's own `respawn`.
    pub respawn: bool,
    /// `exabgp.api.respawn_exit`: the limit stops the daemon, as in ExaBGP.
    pub exit_on_limit: bool,
}

/// One helper's respawn state.
#[derive(Debug, Clone, Default)]
pub struct HelperRespawn {
    backoff: RestartBackoff,
    limiter: RespawnLimiter,
    failed: bool,
}

impl HelperRespawn {
    /// The helper ended at `now` after running for `uptime` (zero when it
    /// could not be started at all).
    pub fn on_exit(&mut self, now: Instant, uptime: Duration, rules: RespawnRules) -> AfterExit {
        if !rules.respawn {
            return AfterExit::Stay;
        }
        let delay = self.backoff.on_death(uptime);
        // The restart is counted when it is decided, so that the limit
        // counts restarts within the window as ExaBGP does.
        if !self.limiter.start(now + delay) {
            if rules.exit_on_limit {
                return AfterExit::Exit;
            }
            self.failed = true;
            return AfterExit::Failed;
        }
        AfterExit::Respawn(delay)
    }

    /// True once the helper reached the respawn limit.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// A fresh start on the operator's request (reload changed the helper,
    /// SIGUSR2): forget the failures and the back-off.
    pub fn reset(&mut self) {
        *self = HelperRespawn::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: RespawnRules = RespawnRules {
        respawn: true,
        exit_on_limit: false,
    };

    /// A helper that dies at once every time: the times it is started
    /// again (seconds after the first start) and the final decision.
    fn crash_loop(rules: RespawnRules, max: usize) -> (Vec<u64>, AfterExit) {
        let mut r = HelperRespawn::default();
        let t0 = Instant::now();
        let mut now = t0;
        let mut starts = Vec::new();
        for _ in 0..max {
            match r.on_exit(now, Duration::ZERO, rules) {
                AfterExit::Respawn(d) => {
                    now += d;
                    starts.push(now.duration_since(t0).as_secs());
                }
                other => return (starts, other),
            }
        }
        (starts, AfterExit::Respawn(Duration::ZERO))
    }

    #[test]
    fn a_crash_loop_backs_off_then_fails_without_exiting() {
        let (starts, end) = crash_loop(ON, 20);
        assert_eq!(starts, vec![1, 3, 7, 15, 31]);
        assert_eq!(end, AfterExit::Failed);
    }

    #[test]
    fn respawn_exit_restores_exabgps_exit() {
        let rules = RespawnRules {
            respawn: true,
            exit_on_limit: true,
        };
        let (starts, end) = crash_loop(rules, 20);
        assert_eq!(starts.len(), 5);
        assert_eq!(end, AfterExit::Exit);
    }

    #[test]
    fn no_respawn_leaves_it_stopped_and_not_failed() {
        let mut r = HelperRespawn::default();
        let rules = RespawnRules {
            respawn: false,
            exit_on_limit: true,
        };
        assert_eq!(
            r.on_exit(Instant::now(), Duration::ZERO, rules),
            AfterExit::Stay
        );
        assert!(!r.failed());
    }

    #[test]
    fn a_helper_that_runs_a_while_between_deaths_is_never_failed() {
        let mut r = HelperRespawn::default();
        let mut now = Instant::now();
        for i in 0..50 {
            let d = r.on_exit(now, Duration::from_secs(120), ON);
            assert_eq!(d, AfterExit::Respawn(Duration::from_secs(1)), "death {i}");
            now += Duration::from_secs(121);
        }
        assert!(!r.failed());
    }

    #[test]
    fn the_delay_is_capped_at_a_minute_and_reset_clears_failure() {
        let mut r = HelperRespawn::default();
        let mut now = Instant::now();
        let mut delays = Vec::new();
        // Deaths after 20 s of running: never stable, rarely within the limit.
        for _ in 0..10 {
            match r.on_exit(now, Duration::from_secs(20), ON) {
                AfterExit::Respawn(d) => {
                    delays.push(d.as_secs());
                    now += d + Duration::from_secs(20);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
        let (_, end) = crash_loop(ON, 20);
        assert_eq!(end, AfterExit::Failed);
        r.failed = true;
        r.reset();
        assert!(!r.failed());
        assert_eq!(
            r.on_exit(now, Duration::ZERO, ON),
            AfterExit::Respawn(Duration::from_secs(1))
        );
    }
}
