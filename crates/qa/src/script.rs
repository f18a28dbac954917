//! The test peer's expectation state, without I/O: which group is current,
//! matching a received message, the pending actions after a match, and the
//! UPDATEs remembered for route-refresh replay. Shared by all connections
//! of a test.

use crate::bgp;
use crate::hex;
use crate::msgfile::{Group, Kind, Line};

/// Something the peer must do after a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send the daemon this signal (lower-case name as written, e.g. `sigusr1`).
    Signal(String),
    /// Send this NOTIFICATION (complete message) on the connection.
    Send(Vec<u8>),
    /// Send these UPDATEs again, then a KEEPALIVE (route-refresh replay).
    Replay(Vec<Vec<u8>>),
}

/// A received message that no line of the current group accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The message received.
    pub received: Vec<u8>,
    /// The key of the current group (None when nothing was expected any more).
    pub group: Option<String>,
    /// The lines the current group still holds.
    pub expected: Vec<Line>,
}

impl Mismatch {
    /// A multi-line, readable report: what was expected, what arrived.
    pub fn report(&self) -> String {
        let mut out = String::new();
        match &self.group {
            Some(group) => out.push_str(&format!(
                "unexpected message; group {group} expects one of:\n"
            )),
            None => out.push_str("unexpected message; nothing more was expected\n"),
        }
        for line in &self.expected {
            out.push_str(&format!(
                "  expected (line {}) {}\n",
                line.number, line.text
            ));
            if let Kind::Raw(bytes) = &line.kind {
                out.push_str(&format!("           {}\n", bgp::summary(bytes)));
            }
        }
        out.push_str(&format!("  received {}\n", hex::encode(&self.received)));
        out.push_str(&format!("           {}", bgp::summary(&self.received)));
        out
    }
}

/// The expectation state of one test.
#[derive(Debug, Clone)]
pub struct Script {
    groups: Vec<Group>,
    current: usize,
    remembered: Vec<Vec<u8>>,
}

impl Script {
    /// A script working through `groups` in the given order.
    pub fn new(groups: Vec<Group>) -> Script {
        Script {
            groups,
            current: 0,
            remembered: Vec::new(),
        }
    }

    /// True once every line of every group has been consumed.
    pub fn is_done(&self) -> bool {
        self.groups[self.current.min(self.groups.len())..]
            .iter()
            .all(|g| g.lines.is_empty())
    }

    fn skip_empty(&mut self) {
        while self.current < self.groups.len() && self.groups[self.current].lines.is_empty() {
            self.current += 1;
        }
    }

    /// The current group, if any is left.
    pub fn current(&self) -> Option<&Group> {
        self.groups[self.current.min(self.groups.len())..]
            .iter()
            .find(|g| !g.lines.is_empty())
    }

    /// Matches a received message against the current group; on success the
    /// first matching line is removed (and a non End-of-RIB UPDATE is
    /// remembered for route-refresh replay).
    pub fn accept(&mut self, msg: &[u8]) -> Result<(), Mismatch> {
        self.skip_empty();
        let Some(group) = self.groups.get_mut(self.current) else {
            return Err(Mismatch {
                received: msg.to_vec(),
                group: None,
                expected: Vec::new(),
            });
        };
        match group.lines.iter().position(|line| line.matches(msg)) {
            Some(index) => {
                group.lines.remove(index);
                if bgp::kind(msg) == bgp::UPDATE && !bgp::is_end_of_rib(msg) {
                    self.remembered.push(msg.to_vec());
                }
                Ok(())
            }
            None => Err(Mismatch {
                received: msg.to_vec(),
                group: Some(group.key.to_string()),
                expected: group.lines.clone(),
            }),
        }
    }

    /// The actions pending after a match (or after the OPEN): at most one
    /// signal and one notification, each only when it heads the current
    /// group, then the replay when `matched_kind` is a ROUTE-REFRESH.
    pub fn actions(&mut self, matched_kind: Option<u8>) -> Vec<Action> {
        let mut actions = Vec::new();
        self.skip_empty();
        if let Some(group) = self.groups.get_mut(self.current) {
            if let Some(Kind::Signal(name)) = group.lines.first().map(|l| &l.kind) {
                actions.push(Action::Signal(name.clone()));
                group.lines.remove(0);
            }
        }
        self.skip_empty();
        if let Some(group) = self.groups.get_mut(self.current) {
            if let Some(Kind::Notification(data)) = group.lines.first().map(|l| &l.kind) {
                actions.push(Action::Send(bgp::cease(data)));
                group.lines.remove(0);
            }
        }
        if matched_kind == Some(bgp::ROUTE_REFRESH) {
            actions.push(Action::Replay(self.remembered.clone()));
        }
        actions
    }

    /// A line that blocks the test for ever: the current group holds no
    /// `raw` line and its first line is of an unknown kind.
    pub fn stuck(&self) -> Option<&Line> {
        let group = self.current()?;
        let head = group.lines.first()?;
        let has_raw = group.lines.iter().any(|l| matches!(l.kind, Kind::Raw(_)));
        (!has_raw && matches!(head.kind, Kind::Unknown(_))).then_some(head)
    }

    /// Every line not consumed yet, with its group, for timeout reports.
    pub fn remaining(&self) -> Vec<(String, &Line)> {
        self.groups[self.current.min(self.groups.len())..]
            .iter()
            .flat_map(|g| g.lines.iter().map(move |l| (g.key.to_string(), l)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgfile::MsgFile;

    fn script(text: &str) -> Script {
        Script::new(MsgFile::parse("t", text).unwrap().groups)
    }

    fn msg(body_hex: &str, kind: u8) -> Vec<u8> {
        bgp::message(kind, &hex::decode(body_hex).unwrap())
    }

    const EOR: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000";

    #[test]
    fn any_order_within_a_group_and_groups_in_order() {
        let a = msg("0000000240010100", 2);
        let b = msg("0000000240010101", 2);
        let c = msg("0000000240010102", 2);
        let text = format!(
            "1:raw:{}\n1:raw:{}\n2:raw:{}\n",
            hex::encode(&a),
            hex::encode(&b),
            hex::encode(&c)
        );
        let mut s = script(&text);
        // c belongs to a later group: arriving early is a failure.
        let err = s.clone().accept(&c).unwrap_err();
        assert_eq!(err.group.as_deref(), Some("1"));
        assert_eq!(err.expected.len(), 2);
        s.accept(&b).unwrap();
        assert!(s.accept(&b).is_err(), "a line is consumed once");
        let mut s = script(&text);
        s.accept(&b).unwrap();
        s.accept(&a).unwrap();
        assert!(!s.is_done());
        s.accept(&c).unwrap();
        assert!(s.is_done());
        let err = s.accept(&c).unwrap_err();
        assert_eq!(err.group, None);
    }

    #[test]
    fn mismatch_report_shows_expected_and_received_decoded() {
        let mut s = script(&format!("10:raw:{EOR}\n"));
        let err = s.accept(&bgp::default_route()).unwrap_err();
        let report = err.report();
        assert_eq!(
            report,
            "unexpected message; group 10 expects one of:\n\
             \x20 expected (line 1) 10:raw:ffffffffffffffffffffffffffffffff:0017:02:00000000\n\
             \x20          UPDATE length 23: withdrawn 0 bytes, attributes 0 bytes [], NLRI 0 bytes (End-of-RIB)\n\
             \x20 received FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0031020000001540010100400200\
             4003047F000001400504000000642000000000\n\
             \x20          UPDATE length 49: withdrawn 0 bytes, attributes 21 bytes [1 2 3 5], NLRI 5 bytes"
        );
    }

    #[test]
    fn notification_at_head_runs_after_open_and_can_finish_the_test() {
        let mut s = script("A1:notification:closing session because we can\n");
        let actions = s.actions(None);
        assert_eq!(
            actions,
            [Action::Send(bgp::cease(b"closing session because we can"))]
        );
        assert!(s.is_done());
    }

    #[test]
    fn notification_not_at_head_waits_for_the_match_before_it() {
        let eor = hex::decode(&EOR.replace(':', "")).unwrap();
        let mut s = script(&format!("1:raw:{EOR}\n1:notification:bye\n2:raw:{EOR}\n"));
        assert!(s.actions(None).is_empty());
        s.accept(&eor).unwrap();
        assert_eq!(s.actions(Some(2)), [Action::Send(bgp::cease(b"bye"))]);
        assert!(!s.is_done());
        // the emptied group gives way to the next one
        s.accept(&eor).unwrap();
        assert!(s.is_done());
    }

    #[test]
    fn signal_then_notification_in_one_step() {
        let mut s = script("1:signal:SIGUSR1\n2:notification:x\n2:notification:y\n");
        let actions = s.actions(None);
        assert_eq!(
            actions,
            [
                Action::Signal("sigusr1".into()),
                Action::Send(bgp::cease(b"x"))
            ]
        );
        // only one notification per step
        assert!(!s.is_done());
        assert_eq!(s.actions(None), [Action::Send(bgp::cease(b"y"))]);
        assert!(s.is_done());
    }

    #[test]
    fn route_refresh_replays_remembered_updates_but_not_end_of_rib() {
        let route = bgp::default_route();
        let eor = hex::decode(&EOR.replace(':', "")).unwrap();
        let rr = msg("00010001", bgp::ROUTE_REFRESH);
        let text = format!(
            "1:raw:{}\n1:raw:{}\n2:raw:{}\n3:raw:{}\n",
            hex::encode(&route),
            hex::encode(&eor),
            hex::encode(&rr),
            hex::encode(&route)
        );
        let mut s = script(&text);
        s.accept(&eor).unwrap();
        assert!(s.actions(Some(2)).is_empty());
        s.accept(&route).unwrap();
        assert!(s.actions(Some(2)).is_empty());
        s.accept(&rr).unwrap();
        assert_eq!(s.actions(Some(5)), [Action::Replay(vec![route.clone()])]);
    }

    #[test]
    fn unknown_kind_blocks_when_no_raw_line_is_left() {
        let eor = hex::decode(&EOR.replace(':', "")).unwrap();
        let mut s = script(&format!("1:raw:{EOR}\n1:bogus:x\n"));
        assert!(s.stuck().is_none());
        s.accept(&eor).unwrap();
        assert_eq!(s.stuck().map(|l| l.number), Some(2));
        assert_eq!(s.remaining().len(), 1);
    }
}
