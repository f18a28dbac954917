//! What the rib knows of one peer's session, and the sans-I/O core of the
//! session events (issue #15, item 3): fed what the peer's worker reports
//! ([`SessionState`], a link that ended, counters) and a clock reading, it
//! keeps the session's status and says which events go to the helpers and
//! what the peer's tables must do. It also composes the first table a new
//! session gets: the advisories (ASM) known when it came up, then the
//! Adj-RIB-Out, as ExaBGP re-announces them.
//!
//! The rib process (`process/sessions.rs`) is the shell: it moves the
//! worker's messages in, the events out to the subscribed helpers and the
//! table to the worker.

use crate::tally::PeerTally;
use ferrobgp_api::event::{Event, State};
use ferrobgp_api::from_wire;
use ferrobgp_ipc::{Change, ChangeList, MessageCounts, SessionState};
use ferrobgp_wire::message::operational::Operational;
use ferrobgp_wire::message::Open;
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::Family;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

/// One peer's session as its worker reported it.
#[derive(Debug, Clone)]
pub struct SessionStatus {
    /// TCP connected (and not yet down again).
    pub connected: bool,
    pub local: Option<SocketAddr>,
    pub remote: Option<SocketAddr>,
    /// What the last established session negotiated.
    pub negotiated: Option<Negotiated>,
    /// When the session came up, while it is up (for `show neighbor
    /// summary`): `Some` exactly while the session is established.
    pub up_since: Option<Instant>,
    /// When the session went down (or the peer was configured).
    pub down_since: Instant,
    /// Last FSM state the worker reported.
    pub fsm: String,
    /// The OPEN the peer sent, while the session is up.
    pub peer_open: Option<Open>,
    /// Messages of the current (or last) connection, as the worker counts them.
    pub sent: MessageCounts,
    pub received: MessageCounts,
    /// Messages over every connection and flaps, for the metrics.
    pub tally: PeerTally,
    /// The last ASM (advisory static message) announced per family, sent
    /// again whenever the session comes up, as ExaBGP does.
    asm: BTreeMap<Family, Operational>,
    /// The ASMs known when the current session came up: they go ahead of
    /// its first table (one announced later was sent as it came).
    asm_replay: Vec<(Family, Operational)>,
}

/// What the peer's tables must do after a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tables {
    /// Nothing.
    Keep,
    /// The session is established with these families: the Adj-RIB-Out
    /// starts a new session, the Adj-RIB-In too.
    Up(Vec<Family>),
    /// The session ended; `peer_closed` as in [`SessionState::Down`]
    /// (the Adj-RIB-In may keep the routes as stale).
    Down { peer_closed: bool },
}

/// The outcome of one [`SessionStatus::report`].
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    /// For the subscribed helpers, in this order.
    pub events: Vec<Event>,
    pub tables: Tables,
}

impl SessionStatus {
    /// A configured peer whose session has not been seen yet.
    pub fn new(now: Instant) -> SessionStatus {
        SessionStatus {
            connected: false,
            local: None,
            remote: None,
            negotiated: None,
            up_since: None,
            down_since: now,
            fsm: "idle".into(),
            peer_open: None,
            sent: MessageCounts::default(),
            received: MessageCounts::default(),
            tally: PeerTally::default(),
            asm: BTreeMap::new(),
            asm_replay: Vec::new(),
        }
    }

    /// The session is established.
    pub fn is_up(&self) -> bool {
        self.up_since.is_some()
    }

    /// Takes in a state change the worker reported at `now`.
    pub fn report(&mut self, state: SessionState, now: Instant) -> Reported {
        let (events, tables) = match state {
            SessionState::Connected { local, remote } => {
                self.local = Some(local);
                self.remote = Some(remote);
                self.connected = true;
                self.tally.new_connection();
                (vec![Event::State(State::Connected)], Tables::Keep)
            }
            SessionState::Up {
                local,
                remote,
                families,
                negotiated,
                peer_open,
            } => {
                let api = from_wire::negotiated(&negotiated);
                self.peer_open = Some(*peer_open);
                self.local = Some(local);
                self.remote = Some(remote);
                self.up_since = Some(now);
                self.asm_replay = self.asm.iter().map(|(f, m)| (*f, m.clone())).collect();
                self.fsm = "established".into();
                self.negotiated = Some(*negotiated);
                let events = vec![Event::State(State::Up), Event::Negotiated(api)];
                (events, Tables::Up(families))
            }
            SessionState::Down {
                reason,
                peer_closed,
            } => {
                let was = self.ended(now);
                let events = was
                    .then(|| Event::State(State::Down(reason)))
                    .into_iter()
                    .collect();
                (events, Tables::Down { peer_closed })
            }
            SessionState::Fsm { state } => {
                self.fsm = state.clone();
                (vec![Event::Fsm(state)], Tables::Keep)
            }
        };
        Reported { events, tables }
    }

    /// The worker's link ended (the worker is gone): the session with it,
    /// reported down for `reason` when it was connected or up.
    pub fn link_gone(&mut self, reason: &str, now: Instant) -> Option<Event> {
        self.ended(now)
            .then(|| Event::State(State::Down(reason.to_string())))
    }

    /// The session ends at `now`; whether it was connected or up.
    fn ended(&mut self, now: Instant) -> bool {
        let up = self.is_up();
        if up {
            self.tally.flapped();
        }
        let was = up || self.connected;
        if was {
            self.down_since = now;
        }
        self.connected = false;
        self.up_since = None;
        self.peer_open = None;
        self.fsm = "idle".into();
        was
    }

    /// The worker's counts of the current connection.
    pub fn counters(&mut self, sent: MessageCounts, received: MessageCounts) {
        self.sent = sent;
        self.received = received;
        self.tally.report(sent, received);
    }

    /// An advisory announced for `family`: the one sent again (alone for
    /// its family) whenever a session comes up.
    pub fn advisory(&mut self, family: Family, message: Operational) {
        self.asm.insert(family, message);
    }

    /// The first table of the current session, of `families` (every one
    /// when empty): the advisories known when it came up, then `table`
    /// (the Adj-RIB-Out's changes). The advisories are sent once.
    pub fn first_table(&mut self, families: &[Family], table: ChangeList) -> ChangeList {
        let mut list: ChangeList = std::mem::take(&mut self.asm_replay)
            .into_iter()
            .filter(|(f, _)| families.is_empty() || families.contains(f))
            .map(|(_, m)| Change::Operational(m))
            .collect::<Vec<Change>>()
            .into();
        list.append(table);
        list
    }

    /// The families to re-send on `flush adj-rib out`: those negotiated,
    /// else `configured`, sorted, once each.
    pub fn flush_families(&self, configured: &[Family]) -> Vec<Family> {
        let mut families = match &self.negotiated {
            Some(n) if !n.families.is_empty() => n.families.clone(),
            _ => configured.to_vec(),
        };
        families.sort();
        families.dedup();
        families
    }
}

#[cfg(test)]
mod tests;
