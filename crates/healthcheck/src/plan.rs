//! One loop iteration of the helper as a list of effects, without I/O.
//!
//! [`Plan::iteration`] feeds the state machine and returns what the shell
//! must do, in order (hooks, address setup, API lines, address removal) and
//! how long to sleep before the next check; [`Plan::exit`] is what a signal
//! does. The shell only performs the effects, so the whole behaviour of
//! ExaBGP's loop is testable here with a fake clock.

use crate::announce::Announce;
use crate::machine::{Machine, State};
use std::time::Duration;

/// Something the shell does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Run `command` through `/bin/sh -c` with `STATE=state` in its
    /// environment, output discarded, and wait for it.
    Execute { command: String, state: State },
    /// Add the missing advertised addresses to their interfaces.
    SetupIps,
    /// Write one API line (then read the acknowledgement, unless `--no-ack`).
    Line(String),
    /// Remove the advertised addresses that are on the interfaces.
    RemoveIps,
}

/// What comes after an iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Check again after this long.
    Sleep(Duration),
    /// `--interval 0`: stop, leaving the routes announced.
    Stop,
}

/// The `--execute` hooks.
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    pub any: Vec<String>,
    pub up: Vec<String>,
    pub down: Vec<String>,
    pub disabled: Vec<String>,
}

impl Hooks {
    /// The commands for a transition to `state`: the state's own, then the general ones.
    fn for_state(&self, state: State) -> impl Iterator<Item = &String> {
        let own: &[String] = match state {
            State::Up => &self.up,
            State::Down => &self.down,
            State::Disabled => &self.disabled,
            _ => &[],
        };
        own.iter().chain(self.any.iter())
    }
}

/// The helper's behaviour: machine, lines and timing.
#[derive(Debug, Clone)]
pub struct Plan {
    pub machine: Machine,
    pub announce: Announce,
    pub hooks: Hooks,
    /// Seconds between checks in steady states; zero: stop after the first announcement.
    pub interval: f64,
    /// Seconds between checks while RISING or FALLING.
    pub fast_interval: f64,
    /// `--debounce`: write lines only when the state changed.
    pub debounce: bool,
    /// `--dynamic-ip-setup`: add addresses on UP, remove them on DOWN and DISABLED.
    pub dynamic_ip: bool,
    /// Addresses were set up at start (so EXIT removes them).
    pub ip_setup: bool,
}

fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::ZERO)
}

impl Plan {
    /// What telling ExaBGP about `state` involves (ExaBGP's `exabgp()` function).
    fn report(&self, state: State, out: &mut Vec<Effect>) {
        if !matches!(
            state,
            State::Up | State::Down | State::Disabled | State::Exit
        ) {
            return;
        }
        if state == State::Up && self.dynamic_ip {
            out.push(Effect::SetupIps);
        }
        out.extend(self.announce.lines(state).into_iter().map(Effect::Line));
        let remove = match state {
            State::Exit => self.dynamic_ip || self.ip_setup,
            State::Down | State::Disabled => self.dynamic_ip,
            _ => false,
        };
        if remove {
            out.push(Effect::RemoveIps);
        }
    }

    /// One iteration with the observations of this round.
    pub fn iteration(&mut self, disabled: bool, successful: bool) -> (Vec<Effect>, Next) {
        let step = self.machine.step(disabled, successful || disabled);
        let mut out = Vec::new();
        if let Some(target) = step.triggered {
            out.extend(self.hooks.for_state(target).map(|c| Effect::Execute {
                command: c.clone(),
                state: target,
            }));
        }
        if !self.debounce || step.changed {
            self.report(step.state, &mut out);
        }
        let next = if matches!(step.state, State::Rising | State::Falling) {
            Next::Sleep(seconds(self.fast_interval))
        } else if self.interval == 0.0 {
            Next::Stop
        } else {
            Next::Sleep(seconds(self.interval))
        };
        (out, next)
    }

    /// What stopping on SIGTERM or SIGINT does: withdraw, remove addresses.
    pub fn exit(&self) -> Vec<Effect> {
        let mut out = Vec::new();
        self.report(State::Exit, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(rise: i64, fall: i64) -> Plan {
        Plan {
            machine: Machine::new(rise, fall),
            announce: Announce {
                ips: vec!["192.0.2.1/32".parse().unwrap()],
                up_metric: 100,
                down_metric: 1000,
                disabled_metric: 500,
                increase: 1,
                local_preference: -1,
                ..Announce::default()
            },
            hooks: Hooks::default(),
            interval: 5.0,
            fast_interval: 1.0,
            debounce: false,
            dynamic_ip: false,
            ip_setup: true,
        }
    }

    /// Runs the plan against a fake clock: `check(t)` gives (disabled,
    /// successful) at time t (milliseconds); returns (time, line) pairs
    /// until `until`.
    fn simulate(
        p: &mut Plan,
        until: u64,
        check: impl Fn(u64) -> (bool, bool),
    ) -> Vec<(u64, String)> {
        let mut t = 0;
        let mut lines = Vec::new();
        while t <= until {
            let (d, s) = check(t);
            let (effects, next) = p.iteration(d, s);
            for e in effects {
                if let Effect::Line(l) = e {
                    lines.push((t, l));
                }
            }
            match next {
                Next::Sleep(d) => t += d.as_millis() as u64,
                Next::Stop => break,
            }
        }
        lines
    }

    fn med(l: &str) -> &str {
        l.rsplit(' ').next().unwrap()
    }

    #[test]
    fn fake_clock_rise_fast_interval_then_steady_interval() {
        let mut p = plan(3, 2);
        // healthy from the start, failing from t=20s, healthy again at t=40s
        let got = simulate(&mut p, 60_000, |t| (false, !(20_000..40_000).contains(&t)));
        let summary: Vec<(u64, &str)> = got.iter().map(|(t, l)| (*t, med(l))).collect();
        assert_eq!(
            summary,
            [
                // RISING at 0 and 1 s (fast interval), UP at 2 s, then every 5 s
                (2_000, "100"),
                (7_000, "100"),
                (12_000, "100"),
                (17_000, "100"),
                // 22 s: FALLING (nothing), 23 s: DOWN, then every 5 s
                (23_000, "1000"),
                (28_000, "1000"),
                (33_000, "1000"),
                (38_000, "1000"),
                // 43 s: RISING, 44 s RISING (2), 45 s UP
                (45_000, "100"),
                (50_000, "100"),
                (55_000, "100"),
                (60_000, "100"),
            ]
        );
    }

    #[test]
    fn debounce_writes_only_on_changes() {
        let mut p = plan(1, 1);
        p.debounce = true;
        let got = simulate(&mut p, 30_000, |t| (false, t < 10_000));
        let summary: Vec<(u64, &str)> = got.iter().map(|(t, l)| (*t, med(l))).collect();
        assert_eq!(summary, [(0, "100"), (10_000, "1000")]);
    }

    #[test]
    fn interval_zero_stops_after_the_first_announcement() {
        let mut p = plan(2, 2);
        p.interval = 0.0;
        let got = simulate(&mut p, 60_000, |_| (false, true));
        // RISING at 0 sleeps the fast interval, UP at 1 s announces and stops
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, 1_000);
    }

    #[test]
    fn hooks_run_before_lines_with_the_triggered_state() {
        let mut p = plan(1, 3);
        p.hooks = Hooks {
            any: vec!["any".into()],
            up: vec!["up".into()],
            down: vec!["down".into()],
            disabled: vec![],
        };
        let (effects, _) = p.iteration(false, true);
        assert_eq!(
            effects[..2],
            [
                Effect::Execute {
                    command: "up".into(),
                    state: State::Up
                },
                Effect::Execute {
                    command: "any".into(),
                    state: State::Up
                },
            ]
        );
        assert!(matches!(effects[2], Effect::Line(_)));
        // FALLING: only the general hook, no line
        let (effects, _) = p.iteration(false, false);
        assert_eq!(
            effects,
            [Effect::Execute {
                command: "any".into(),
                state: State::Falling
            }]
        );
        // steady FALLING: nothing at all
        assert!(p.iteration(false, false).0.is_empty());
    }

    #[test]
    fn dynamic_ip_setup_and_exit_removal() {
        let mut p = plan(1, 1);
        p.dynamic_ip = true;
        let (e, _) = p.iteration(false, true);
        assert_eq!(e[0], Effect::SetupIps);
        let (e, _) = p.iteration(true, true);
        assert_eq!(e.last(), Some(&Effect::RemoveIps));
        let exit = p.exit();
        assert!(matches!(&exit[0], Effect::Line(l) if l.contains(" withdraw ")));
        assert_eq!(exit.last(), Some(&Effect::RemoveIps));
        p.dynamic_ip = false;
        p.ip_setup = false;
        assert!(!p.exit().contains(&Effect::RemoveIps));
    }
}
