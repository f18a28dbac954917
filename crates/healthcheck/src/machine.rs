//! The health state machine of ExaBGP's healthcheck helper, without I/O.
//!
//! [`Machine`] holds the state and the count of consecutive checks that
//! agree; [`Machine::step`] takes one iteration's observations (disable
//! file present, check command successful) and says which state the
//! iteration triggered, if any. The transitions are ExaBGP 5.0.15's:
//! `rise`/`fall` consecutive results move RISING to UP and FALLING to DOWN,
//! a `rise` or `fall` of 1 or less skips RISING/FALLING, the disable file
//! wins over everything and leaving DISABLED goes back through INIT.

use std::fmt;

/// A state of the helper. The names are the ones ExaBGP prints and puts in
/// the `STATE` environment variable of `--execute` hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Before the first check, and after the disable file went away.
    Init,
    /// The disable file exists.
    Disabled,
    /// Checks succeed, but not yet `rise` times in a row.
    Rising,
    /// Checks fail, but not yet `fall` times in a row.
    Falling,
    /// The service is up.
    Up,
    /// The service is down.
    Down,
    /// Stopping on a signal: routes are withdrawn (and set-up addresses removed).
    Exit,
    /// Stopping after one announcement (`--interval 0`): routes stay.
    End,
}

impl State {
    /// The upper-case name ExaBGP uses.
    pub fn name(self) -> &'static str {
        match self {
            State::Init => "INIT",
            State::Disabled => "DISABLED",
            State::Rising => "RISING",
            State::Falling => "FALLING",
            State::Up => "UP",
            State::Down => "DOWN",
            State::Exit => "EXIT",
            State::End => "END",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The outcome of one iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The state the iteration triggered (its hooks run), if it changed anything.
    pub triggered: Option<State>,
    /// The state after the iteration.
    pub state: State,
    /// Whether the state differs from the one before the iteration.
    pub changed: bool,
}

/// The state machine: current state and consecutive-check counter.
#[derive(Debug, Clone)]
pub struct Machine {
    state: State,
    checks: i64,
    rise: i64,
    fall: i64,
}

impl Machine {
    /// A machine in INIT with the `--rise` and `--fall` thresholds.
    pub fn new(rise: i64, fall: i64) -> Self {
        Machine {
            state: State::Init,
            checks: 0,
            rise,
            fall,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// RISING and FALLING become UP and DOWN at once when the threshold is 1 or less.
    fn shortcut(&self, target: State) -> State {
        match target {
            State::Rising if self.rise <= 1 => State::Up,
            State::Falling if self.fall <= 1 => State::Down,
            other => other,
        }
    }

    /// One iteration: `disabled` is whether the disable file exists,
    /// `successful` whether the check passed (true when disabled, as the
    /// check is not run then).
    pub fn step(&mut self, disabled: bool, successful: bool) -> Step {
        let before = self.state;
        let mut triggered = None;
        let mut go = |m: &mut Machine, target: State| {
            let target = m.shortcut(target);
            triggered = Some(target);
            m.state = target;
        };
        match self.state {
            s if s != State::Disabled && disabled => go(self, State::Disabled),
            State::Init => {
                if successful && self.rise <= 1 {
                    go(self, State::Up);
                } else if successful {
                    go(self, State::Rising);
                    self.checks = 1;
                } else {
                    go(self, State::Falling);
                    self.checks = 1;
                }
            }
            State::Disabled => {
                if !disabled {
                    go(self, State::Init);
                }
            }
            State::Rising => {
                if successful {
                    self.checks += 1;
                    if self.checks >= self.rise {
                        go(self, State::Up);
                    }
                } else {
                    go(self, State::Falling);
                    self.checks = 1;
                }
            }
            State::Falling => {
                if !successful {
                    self.checks += 1;
                    if self.checks >= self.fall {
                        go(self, State::Down);
                    }
                } else {
                    go(self, State::Rising);
                    self.checks = 1;
                }
            }
            State::Up => {
                if !successful {
                    go(self, State::Falling);
                    self.checks = 1;
                }
            }
            State::Down => {
                if successful {
                    go(self, State::Rising);
                    self.checks = 1;
                }
            }
            // The loop never steps from EXIT or END: it has stopped.
            State::Exit | State::End => {}
        }
        Step {
            triggered,
            state: self.state,
            changed: self.state != before,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(m: &mut Machine, seq: &[(bool, bool)]) -> Vec<State> {
        seq.iter().map(|&(d, s)| m.step(d, s).state).collect()
    }

    #[test]
    fn rise_and_fall_count_consecutive_checks() {
        let mut m = Machine::new(3, 2);
        let ok = (false, true);
        let ko = (false, false);
        assert_eq!(
            run(&mut m, &[ok, ok, ko, ok, ok, ok, ok, ko, ko, ko, ok]),
            [
                State::Rising,
                State::Rising,
                State::Falling,
                State::Rising,
                State::Rising,
                State::Up,
                State::Up,
                State::Falling,
                State::Down,
                State::Down,
                State::Rising,
            ]
        );
    }

    #[test]
    fn rise_of_one_skips_rising_and_fall_of_one_skips_falling() {
        let mut m = Machine::new(1, 1);
        let s = m.step(false, true);
        assert_eq!((s.triggered, s.state), (Some(State::Up), State::Up));
        let s = m.step(false, false);
        assert_eq!((s.triggered, s.state), (Some(State::Down), State::Down));
        let s = m.step(false, true);
        assert_eq!((s.triggered, s.state), (Some(State::Up), State::Up));
        // a failing first check with fall 1: INIT -> FALLING shortcut -> DOWN
        let mut m = Machine::new(3, 1);
        assert_eq!(m.step(false, false).state, State::Down);
    }

    #[test]
    fn disabled_wins_and_leaves_through_init() {
        let mut m = Machine::new(2, 2);
        m.step(false, true);
        m.step(false, true);
        assert_eq!(m.state(), State::Up);
        let s = m.step(true, true);
        assert_eq!((s.triggered, s.changed), (Some(State::Disabled), true));
        let s = m.step(true, true);
        assert_eq!(
            (s.triggered, s.state, s.changed),
            (None, State::Disabled, false)
        );
        let s = m.step(false, false);
        assert_eq!((s.triggered, s.state), (Some(State::Init), State::Init));
        assert_eq!(m.step(false, false).state, State::Falling);
    }

    #[test]
    fn steady_states_trigger_nothing() {
        let mut m = Machine::new(1, 1);
        m.step(false, true);
        let s = m.step(false, true);
        assert_eq!((s.triggered, s.state, s.changed), (None, State::Up, false));
    }
}
