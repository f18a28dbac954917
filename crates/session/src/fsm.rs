//! The BGP finite state machine of RFC 4271 section 8, as ExaBGP runs it,
//! without any I/O: inputs (events) go in with the current time, actions
//! come out, and timers are deadlines the caller asks for with
//! [`Fsm::next_deadline`] and fires with [`Fsm::poll`].
//!
//! States follow ExaBGP's names and order: ACTIVE at start (and while a
//! passive neighbor waits), IDLE while an outgoing connection is attempted,
//! CONNECT once TCP is up, OPENSENT after our OPEN, OPENCONFIRM once the
//! peer's OPEN was accepted and our KEEPALIVE sent, ESTABLISHED on the
//! peer's KEEPALIVE. With `local-as auto` the peer's OPEN is read before
//! ours is sent. Connections are named by a [`ConnId`] the caller assigns;
//! events about a connection that is no longer current are ignored.
//!
//! Collision handling is ExaBGP's (spec 7.1): an incoming connection is
//! refused with Cease 6/7 while Established, or while in OPENCONFIRM when
//! the peer's BGP identifier is lower than ours; otherwise it replaces the
//! current connection.

use crate::backoff::{Attempts, Backoff};
use crate::notify;
use ferrobgp_wire::Notify;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

mod vocabulary;

pub use vocabulary::{Action, ConnId, Input, OtherKind, PeerOpen, State};

/// What the state machine needs from the neighbor's configuration: part
/// of the [`PeerConfig`](ferrobgp_ipc::PeerConfig) the supervisor sends.
pub use ferrobgp_ipc::FsmConfig;

#[derive(Debug, Clone, Copy, Default)]
struct Timers {
    connect: Option<Instant>,
    open_wait: Option<Instant>,
    hold: Option<Instant>,
    keepalive: Option<Instant>,
}

/// The state machine of one neighbor.
#[derive(Debug, Clone)]
pub struct Fsm {
    cfg: FsmConfig,
    state: State,
    conn: Option<ConnId>,
    /// `Connected` was reported for the current connection.
    reported_up: bool,
    /// The connection being ended was closed by the peer with no
    /// NOTIFICATION (set just before [`Fsm::end`], which reports it).
    peer_closed: bool,
    connecting: bool,
    open_sent: bool,
    peer_router_id: Option<Ipv4Addr>,
    hold_time: u16,
    timers: Timers,
    backoff: Backoff,
    attempts: Attempts,
    stopping: bool,
    finished: bool,
    started: bool,
    /// KEEPALIVEs received while Established with a zero hold time.
    zero_hold_keepalives: u32,
}

fn secs(n: u16) -> Duration {
    Duration::from_secs(u64::from(n))
}

impl Fsm {
    pub fn new(cfg: FsmConfig) -> Fsm {
        let attempts = Attempts::new(cfg.max_attempts);
        Fsm {
            cfg,
            state: State::Idle,
            conn: None,
            reported_up: false,
            peer_closed: false,
            connecting: false,
            open_sent: false,
            peer_router_id: None,
            hold_time: 0,
            timers: Timers::default(),
            backoff: Backoff::new(),
            attempts,
            stopping: false,
            finished: false,
            started: false,
            zero_hold_keepalives: 0,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// The current connection, if TCP is up.
    pub fn conn(&self) -> Option<ConnId> {
        self.conn
    }

    pub fn is_established(&self) -> bool {
        self.state == State::Established
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The negotiated hold time (valid from OPENCONFIRM on).
    pub fn hold_time(&self) -> u16 {
        self.hold_time
    }

    /// Outgoing attempts made so far.
    pub fn attempts_made(&self) -> u32 {
        self.attempts.made()
    }

    /// The earliest pending timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        let t = &self.timers;
        [t.connect, t.open_wait, t.hold, t.keepalive]
            .into_iter()
            .flatten()
            .min()
    }

    /// Fires every timer due at `now`.
    pub fn poll(&mut self, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        if self.finished {
            return out;
        }
        if self.timers.connect.is_some_and(|t| t <= now) {
            self.timers.connect = None;
            self.connect(&mut out);
        }
        if let Some(conn) = self.conn {
            if self.timers.open_wait.is_some_and(|t| t <= now) {
                self.timers.open_wait = None;
                let n = notify::with_text(
                    1,
                    1,
                    "waited for open too long, we do not like stuck in active",
                );
                self.fail(conn, n, now, &mut out);
                return out;
            }
            if self.timers.hold.is_some_and(|t| t <= now) {
                self.timers.hold = None;
                self.fail(conn, notify::bare(4, 0), now, &mut out);
                return out;
            }
            if self.timers.keepalive.is_some_and(|t| t <= now) {
                let interval = secs(self.hold_time / 3).max(Duration::from_secs(1));
                self.timers.keepalive = Some(now + interval);
                out.push(Action::SendKeepalive { conn });
            }
        }
        out
    }

    /// Handles one event at time `now`.
    pub fn handle(&mut self, now: Instant, input: Input) -> Vec<Action> {
        let mut out = Vec::new();
        if self.finished {
            if let Input::Incoming { conn } = input {
                out.push(Action::Refuse {
                    conn,
                    notify: notify::with_text(6, 3, "no session configured for the peer"),
                });
            }
            return out;
        }
        match input {
            Input::Start => {
                if !self.started {
                    self.started = true;
                    self.set_state(State::Active, &mut out);
                    self.schedule_connect(now, &mut out);
                }
            }
            Input::TcpConnected { conn } => {
                if !self.connecting || self.conn.is_some() {
                    out.push(Action::Close { conn });
                } else {
                    self.connecting = false;
                    self.adopt(conn, now, &mut out);
                }
            }
            Input::TcpFailed => {
                if self.connecting {
                    self.connecting = false;
                    self.after_session(now, &mut out);
                }
            }
            Input::Incoming { conn } => self.incoming(conn, now, &mut out),
            Input::Teardown { notify } => {
                self.backoff.reset();
                if let Some(conn) = self.conn {
                    self.fail(conn, notify, now, &mut out);
                }
            }
            Input::Stop { notify, reason } => self.stop(notify, reason, now, &mut out),
            Input::TcpClosed { conn }
            | Input::WriteStalled { conn }
            | Input::OpenReceived { conn, .. }
            | Input::KeepaliveReceived { conn }
            | Input::OtherReceived { conn, .. }
            | Input::NotificationReceived { conn, .. }
            | Input::Fatal { conn, .. } => {
                // events of a connection that is no longer the current one
                // are ignored
                if self.conn == Some(conn) {
                    self.connection_event(conn, input, now, &mut out);
                }
            }
        }
        out
    }

    /// An event of the current connection `conn`.
    fn connection_event(
        &mut self,
        conn: ConnId,
        input: Input,
        now: Instant,
        out: &mut Vec<Action>,
    ) {
        match input {
            Input::TcpClosed { .. } => {
                self.peer_closed = true;
                self.end(conn, "closing connection".into(), now, out);
            }
            Input::WriteStalled { .. } => self.end(
                conn,
                "peer is not reading, hold time exceeded while writing".into(),
                now,
                out,
            ),
            Input::OpenReceived { open, problem, .. } => {
                self.open_received(conn, open, problem, now, out)
            }
            Input::KeepaliveReceived { .. } => self.keepalive_received(conn, now, out),
            Input::OtherReceived { kind, .. } => match self.state {
                State::Established => self.touch_hold(now),
                State::OpenConfirm => self.fail(conn, unexpected(5, 2, kind.code()), now, out),
                _ => self.fail(conn, unexpected(5, 1, kind.code()), now, out),
            },
            Input::NotificationReceived { code, subcode, .. } => {
                let reason = format!("notification received ({code},{subcode})");
                self.end(conn, reason, now, out);
            }
            Input::Fatal { notify, .. } => self.fail(conn, notify, now, out),
            _ => {}
        }
    }

    /// Stop for good: the outgoing attempt abandoned, the session (if
    /// any) ended with `notify`, then finished.
    fn stop(
        &mut self,
        notify: Option<Notify>,
        reason: String,
        now: Instant,
        out: &mut Vec<Action>,
    ) {
        self.stopping = true;
        if self.connecting {
            self.connecting = false;
            out.push(Action::AbandonConnect);
        }
        if let Some(conn) = self.conn {
            if let Some(n) = notify {
                out.push(Action::SendNotification { conn, notify: n });
            }
            self.end(conn, reason, now, out);
        } else {
            self.finish(reason, out);
        }
    }

    fn set_state(&mut self, s: State, out: &mut Vec<Action>) {
        if self.state != s {
            self.state = s;
            out.push(Action::State(s));
        }
    }

    /// Arms the connect timer (or waits, when passive).
    fn schedule_connect(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.cfg.passive {
            self.set_state(State::Active, out);
            return;
        }
        let wait = self.backoff.take();
        self.timers.connect = Some(now + wait);
    }

    fn connect(&mut self, out: &mut Vec<Action>) {
        if self.conn.is_some() || self.connecting {
            return;
        }
        if !self.attempts.can_retry() {
            self.finish("maximum connection attempts reached".into(), out);
            return;
        }
        self.attempts.record();
        self.connecting = true;
        self.set_state(State::Idle, out);
        out.push(Action::Connect);
    }

    fn adopt(&mut self, conn: ConnId, now: Instant, out: &mut Vec<Action>) {
        self.conn = Some(conn);
        self.reported_up = true;
        self.open_sent = false;
        self.peer_router_id = None;
        self.timers = Timers::default();
        out.push(Action::Connected { conn });
        self.set_state(State::Connect, out);
        if !self.cfg.read_open_first {
            out.push(Action::SendOpen { conn });
            self.open_sent = true;
            self.set_state(State::OpenSent, out);
        }
        self.timers.open_wait = Some(now + self.cfg.open_wait);
    }

    fn incoming(&mut self, conn: ConnId, now: Instant, out: &mut Vec<Action>) {
        if self.stopping {
            out.push(Action::Refuse {
                conn,
                notify: notify::with_text(6, 3, "no session configured for the peer"),
            });
            return;
        }
        if self.state == State::Established {
            out.push(Action::Refuse {
                conn,
                notify: notify::with_text(
                    6,
                    7,
                    "could not accept the connection, already established",
                ),
            });
            return;
        }
        if self.state == State::OpenConfirm {
            if let Some(remote) = self.peer_router_id {
                if remote.octets() < self.cfg.router_id.octets() {
                    out.push(Action::Refuse {
                        conn,
                        notify: notify::with_text(
                            6,
                            7,
                            "could not accept the connection, as another connection is already in open-confirm and will go through",
                        ),
                    });
                    return;
                }
            }
        }
        if self.connecting {
            self.connecting = false;
            out.push(Action::AbandonConnect);
        }
        if let Some(old) = self.conn.take() {
            out.push(Action::Close { conn: old });
            if self.reported_up {
                out.push(Action::Down {
                    reason: "closing outgoing connection as we have another incoming on with higher router-id"
                        .into(),
                    peer_closed: false,
                });
            }
        }
        self.timers.connect = None;
        self.backoff.reset();
        self.adopt(conn, now, out);
    }

    fn open_received(
        &mut self,
        conn: ConnId,
        open: PeerOpen,
        problem: Option<Notify>,
        now: Instant,
        out: &mut Vec<Action>,
    ) {
        let expecting = match self.state {
            State::OpenSent => true,
            State::Connect => !self.open_sent,
            _ => false,
        };
        if !expecting {
            let n = match self.state {
                State::OpenConfirm => unexpected(5, 2, 1),
                _ => unexpected(5, 3, 1),
            };
            self.fail(conn, n, now, out);
            return;
        }
        if !self.open_sent {
            out.push(Action::SendOpen { conn });
            self.open_sent = true;
            self.set_state(State::OpenSent, out);
        }
        self.peer_router_id = Some(open.router_id);
        self.timers.open_wait = None;
        if let Some(n) = problem {
            self.fail(conn, n, now, out);
            return;
        }
        self.hold_time = self.cfg.hold_time.min(open.hold_time);
        out.push(Action::SendKeepalive { conn });
        self.set_state(State::OpenConfirm, out);
        self.touch_hold(now);
    }

    fn keepalive_received(&mut self, conn: ConnId, now: Instant, out: &mut Vec<Action>) {
        match self.state {
            State::OpenConfirm => {
                self.zero_hold_keepalives = 0;
                self.set_state(State::Established, out);
                self.backoff.established(now);
                self.touch_hold(now);
                if self.hold_time > 0 {
                    let interval = secs(self.hold_time / 3).max(Duration::from_secs(1));
                    self.timers.keepalive = Some(now + interval);
                }
                out.push(Action::Established {
                    conn,
                    hold_time: self.hold_time,
                });
            }
            State::Established if self.hold_time == 0 => {
                // ExaBGP tolerates one, then answers 2/6: with a zero hold
                // time no periodic KEEPALIVE may be sent (RFC 4271 4.4).
                self.zero_hold_keepalives += 1;
                if self.zero_hold_keepalives > 1 {
                    let n = notify::with_text(
                        2,
                        6,
                        "Negotiated holdtime was zero, it was invalid to send us a keepalive messages",
                    );
                    self.fail(conn, n, now, out);
                }
            }
            State::Established => self.touch_hold(now),
            _ => self.fail(conn, unexpected(5, 1, 4), now, out),
        }
    }

    fn touch_hold(&mut self, now: Instant) {
        self.timers.hold = if self.hold_time > 0 {
            Some(now + secs(self.hold_time))
        } else {
            None
        };
    }

    /// Sends `n` on `conn`, closes it, and ends the session.
    fn fail(&mut self, conn: ConnId, n: Notify, now: Instant, out: &mut Vec<Action>) {
        let reason = format!("notification sent ({},{})", n.code, n.subcode);
        out.push(Action::SendNotification { conn, notify: n });
        self.end(conn, reason, now, out);
    }

    /// Closes `conn`, reports the session down, and decides what is next.
    fn end(&mut self, conn: ConnId, reason: String, now: Instant, out: &mut Vec<Action>) {
        out.push(Action::Close { conn });
        self.backoff.session_ended(now);
        self.conn = None;
        self.timers = Timers::default();
        self.open_sent = false;
        self.peer_router_id = None;
        let peer_closed = std::mem::take(&mut self.peer_closed);
        if self.reported_up {
            self.reported_up = false;
            out.push(Action::Down {
                reason: reason.clone(),
                peer_closed,
            });
        }
        if self.stopping {
            self.finish(reason, out);
        } else {
            self.after_session(now, out);
        }
    }

    /// After a failed attempt or a finished session: retry or give up.
    fn after_session(&mut self, now: Instant, out: &mut Vec<Action>) {
        if !self.cfg.passive && !self.attempts.can_retry() {
            self.finish("maximum connection attempts reached".into(), out);
            return;
        }
        if self.cfg.passive {
            self.set_state(State::Active, out);
        } else {
            self.set_state(State::Idle, out);
            self.schedule_connect(now, out);
        }
    }

    fn finish(&mut self, reason: String, out: &mut Vec<Action>) {
        self.finished = true;
        self.timers = Timers::default();
        self.set_state(State::Idle, out);
        out.push(Action::Finished { reason });
    }
}

#[cfg(test)]
#[path = "fsm_tests.rs"]
mod tests;

/// An RFC 6608 Finite State Machine Error (code 5): the data is the type
/// octet of the unexpected message (RFC 6608 section 4). ExaBGP 5.0.15
/// sends an English text instead (README, "Differences from ExaBGP").
fn unexpected(code: u8, subcode: u8, kind: u8) -> Notify {
    Notify::new(code, subcode, vec![kind])
}
