//! The messages exchanged between ferrobgp's processes: one enum per
//! direction of each channel (supervisor<->rib, supervisor<->session,
//! rib<->session). Descriptors that travel with a message are listed in its
//! doc comment, in order; [`Fds::fds_expected`] says how many a receiver
//! must get with each message (a mismatch means the sender is broken).

use crate::config_source::{ConfigFile, SettingsSource};
use crate::sets::SetTable;
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::message::operational::Operational;
use ferrobgp_wire::message::{Open, RouteRefresh};
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::Family;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Daemon-wide identifier of a configured neighbor (stable across worker restarts).
pub type PeerId = u32;

/// Sequence number of the ordering protocol (one per API command line).
pub type Seq = u64;

/// How many descriptors a message carries.
pub trait Fds {
    fn fds_expected(&self) -> usize {
        0
    }
}

/// Encoder of a helper process (`process { encoder ...; }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoder {
    Text,
    Json,
}

/// The peer id of one neighbor of the configuration the rib is given:
/// one per neighbor the configuration's files define, in their order (the
/// rib loads the same files and matches its neighbors one to one; a
/// neighbor defined twice keeps its last definition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfiguredPeer {
    pub id: PeerId,
    /// Remote address (`neighbor <ip>`), which the rib's neighbor at the
    /// same place must have.
    pub peer_address: IpAddr,
}

/// One helper program of a `process` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperInfo {
    /// The `process` block name.
    pub name: String,
    pub encoder: Encoder,
    /// Process id of this instance (for the `shutdown PID PPID` notice and logs).
    pub pid: u32,
}

// ---------------------------------------------------------------------------
// supervisor <-> rib

/// Supervisor to rib.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SupervisorToRib {
    /// First message: the configuration, which the rib loads itself.
    Init {
        /// The environment settings' sources.
        settings: SettingsSource,
        /// The configuration files that run, in order.
        config: Vec<ConfigFile>,
        /// Each neighbor's peer id, in the files' order.
        peers: Vec<ConfiguredPeer>,
        /// Process id of the supervisor (the daemon's pid for helpers).
        daemon_pid: u32,
        /// Parent process id of the supervisor (the `ppid` helpers are told).
        daemon_ppid: u32,
        /// The peers whose session worker outlived the previous rib (empty
        /// at the daemon's start): until each asks for its table, what the
        /// new rib withdraws for them is remembered for the resync.
        outlived: Vec<PeerId>,
    },
    /// A helper was (re)started. Descriptors: \[0\] write end of its stdin,
    /// \[1\] read end of its stdout.
    Helper(HelperInfo),
    /// A helper exited; its pipes are closed.
    HelperDied { name: String, pid: u32 },
    /// The rib end of a new rib<->session socketpair for `peer`'s worker
    /// (sent at each (re)spawn). Descriptors: \[0\] the socket.
    SessionChannel { peer: PeerId },
    /// `peer`'s worker died: the rib marks the peer down and tells helpers.
    SessionDied { peer: PeerId },
    /// A new configuration was loaded (SIGUSR1/SIGHUP or API `reload`).
    Reload {
        /// The configuration files that run from now on, in order.
        config: Vec<ConfigFile>,
        /// Each neighbor's peer id, in the files' order.
        peers: Vec<ConfiguredPeer>,
    },
    /// The daemon stops, first step: send the shutdown notice to every
    /// helper but keep reading what they write (their last withdrawals are
    /// still sent: the sessions are up), and answer
    /// [`RibToSupervisor::HelpersQuiet`] once each one's output has ended
    /// and its commands are answered.
    NoticeHelpers,
    /// The daemon stops: send the shutdown notice to every helper (unless
    /// [`SupervisorToRib::NoticeHelpers`] did), then exit.
    Shutdown,
    /// The control socket (`ferrobgp cli`), bound by the supervisor; the rib
    /// accepts its clients. Descriptors: \[0\] the listening Unix stream socket.
    ControlSocket,
    /// The named-pipe cli of ExaBGP 5 (`exabgp-cli`), made by the
    /// supervisor; the rib serves it. Descriptors: \[0\] the command FIFO
    /// (`<pipename>.in`), \[1\] the answer FIFO (`<pipename>.out`), both
    /// open read-write and non-blocking.
    CliPipes,
    /// Answer to [`RibToSupervisor::Reload`] (the API `reload`): `None` when
    /// the new configuration was applied (its `Reload` was sent before), else
    /// why nothing changed (e.g. `file:line:column: message`).
    ReloadDone { error: Option<String> },
    /// A part of the route journal (see [`crate::journal`]) a new rib
    /// replays after a crash of the previous one, sent after `Init` and
    /// before any helper, worker or control socket.
    Journal(crate::journal::JournalOps),
    /// The metrics endpoint is scraped: answer
    /// [`RibToSupervisor::Metrics`] with the same `n` and the rib's
    /// counters (cheap: no walk over the tables).
    Metrics { n: u64 },
}

impl Fds for SupervisorToRib {
    fn fds_expected(&self) -> usize {
        match self {
            SupervisorToRib::Helper(_) => 2,
            SupervisorToRib::SessionChannel { .. } => 1,
            SupervisorToRib::ControlSocket => 1,
            SupervisorToRib::CliPipes => 2,
            _ => 0,
        }
    }
}

/// Rib to supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RibToSupervisor {
    /// Init was applied: every configured route parsed and installed.
    Ready,
    /// Answer to Init when a route of the configuration does not parse
    /// (the supervisor never parses routes: see `ferrobgp_config::route_text`):
    /// each error as `FILE:LINE:COLUMN: message`. The rib installed
    /// nothing and waits for the supervisor to stop the daemon.
    Refused { errors: Vec<String> },
    /// Answer to every [`SupervisorToRib::Reload`]: `errors` empty when it
    /// was applied, else why its routes do not parse (nothing changed).
    Reloaded { errors: Vec<String> },
    /// API `shutdown`: stop the daemon.
    Shutdown,
    /// API `reload`.
    Reload,
    /// Answer to [`SupervisorToRib::NoticeHelpers`]: every helper's output
    /// has ended and its commands are answered.
    HelpersQuiet,
    /// API `restart`: restart the daemon's sessions (all, or one peer).
    Restart { peer: Option<PeerId> },
    /// The worker of `peer` stopped answering the rib's heartbeat: kill
    /// it and start a new one as after a crash.
    Hung { peer: PeerId },
    /// The rib finished its shutdown (helpers were told) and is about to exit.
    Stopped,
    /// What the batch `seq` of API commands changed in the Adj-RIB-Outs,
    /// for the supervisor's route journal (sequence numbers increase); the
    /// batch's answers wait until it is written to this channel, which
    /// the supervisor reads to its end even after the rib died.
    Journal {
        seq: u64,
        ops: crate::journal::JournalOps,
    },
    /// Answer to [`SupervisorToRib::Metrics`] `n`.
    Metrics {
        n: u64,
        snapshot: crate::metrics::RibMetrics,
    },
}

impl Fds for RibToSupervisor {}

// ---------------------------------------------------------------------------
// supervisor <-> session

/// How a session is stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopMode {
    /// Close TCP without a NOTIFICATION.
    Silent,
    /// Send NOTIFICATION Cease with this subcode (and RFC 8203 text for 2 and 4).
    Cease { subcode: u8, message: String },
}

/// Supervisor to session worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SupervisorToSession {
    /// First message.
    Init {
        peer: PeerId,
        /// The neighbor's session configuration, built by the supervisor.
        config: Box<crate::peer::PeerConfig>,
        /// How many times this peer's worker was restarted before (0 = first start).
        restarts: u32,
        /// The worker replaces one stopped on request (API/cli `restart`,
        /// SIGALRM, or a reload that changed the neighbor): with graceful
        /// restart configured, its OPEN sets the Restart State (R) bit
        /// (spec §7.7) until a session reaches Established.
        restarted_on_request: bool,
    },
    /// An accepted TCP connection from this neighbor. Descriptors: \[0\] the socket.
    Incoming {
        remote: SocketAddr,
        local: SocketAddr,
    },
    /// Stop the session and exit.
    Stop(StopMode),
    /// Answer to [`SessionToSupervisor::Connect`]: the supervisor connected
    /// to the neighbor, with its configured local address and socket
    /// options. Descriptors: \[0\] the connected socket.
    Connected {
        attempt: u64,
        local: SocketAddr,
        remote: SocketAddr,
    },
    /// Answer to [`SessionToSupervisor::Connect`]: the attempt failed (or
    /// was refused: a passive neighbor, too many attempts in progress).
    ConnectFailed { attempt: u64, error: String },
    /// A new rib replaced one that died: the worker's channel to it.
    /// The worker keeps its session through the rib's death and, when
    /// established, tells the new rib so ([`SessionToRib::NeedRoutes`]
    /// with `resync`). Descriptors: \[0\] the worker's end of the channel.
    Rib,
}

impl Fds for SupervisorToSession {
    fn fds_expected(&self) -> usize {
        match self {
            SupervisorToSession::Incoming { .. } => 1,
            SupervisorToSession::Connected { .. } => 1,
            SupervisorToSession::Rib => 1,
            _ => 0,
        }
    }
}

/// Session worker to supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SessionToSupervisor {
    /// Init was applied.
    Ready,
    /// The worker gives up on this neighbor for good (e.g. `tcp.attempts`
    /// used up) and exits after this message; it must not be restarted.
    Finished { reason: String },
    /// Connect to the neighbor for me (a worker cannot create sockets):
    /// the supervisor answers [`SupervisorToSession::Connected`] or
    /// [`SupervisorToSession::ConnectFailed`] with the same `attempt`.
    /// Where to connect, and how, comes from the supervisor's own
    /// configuration, never from the worker. A new request replaces the
    /// worker's attempt still in progress.
    Connect { attempt: u64 },
    /// The FSM gave up `attempt` (e.g. an incoming connection won): the
    /// supervisor stops it; an answer already on its way is ignored.
    CancelConnect { attempt: u64 },
}

impl Fds for SessionToSupervisor {}

// ---------------------------------------------------------------------------
// rib <-> session

/// One change to a peer's Adj-RIB-Out, as the worker must put it on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// A route announced: its NLRI and next hop, and its attribute set as
    /// an index into the `attributes` of the [`RibToSession::Changes`]
    /// carrying it (routes sharing a set travel and are decoded once per
    /// set; see [`ChangeList`]).
    Announce {
        nlri: Nlri,
        next_hop: NextHop,
        attributes: u32,
    },
    /// A route withdrawn (its NLRI identifies what is withdrawn; its next
    /// hop and attribute set, an index as for [`Change::Announce`], group
    /// it into UPDATEs as ExaBGP does and go with the families whose
    /// withdrawals carry attributes).
    Withdraw {
        nlri: Nlri,
        next_hop: NextHop,
        attributes: u32,
    },
    /// End-of-RIB marker for a family.
    Eor(Family),
    /// A ROUTE-REFRESH, encoded by the worker. A request (subtype 0,
    /// RFC 2918) is sent only when `route-refresh` is configured; the
    /// demarcations of an enhanced refresh (BoRR 1 / EoRR 2, RFC 7313)
    /// are sent as given: the rib decided to bracket the resend.
    RouteRefresh(RouteRefresh),
    /// An OPERATIONAL message (type 6), complete (router-id and sequence
    /// already chosen by the rib), encoded by the worker; dropped unless
    /// the operational capability was negotiated.
    Operational(Operational),
    /// A route sent again by a route refresh or `flush adj-rib out`: in
    /// an UPDATE of its own, as ExaBGP re-sends each cached route (the
    /// attribute set an index as for [`Change::Announce`]).
    Resend {
        nlri: Nlri,
        next_hop: NextHop,
        attributes: u32,
    },
}

/// The changes of one message to a worker, with the attribute sets their
/// routes (announced, withdrawn, re-sent) refer to, each distinct set once
/// (the same `Arc` is found by its address, an equal set by value).
#[derive(Debug, Clone, Default)]
pub struct ChangeList {
    sets: SetTable,
    changes: Vec<Change>,
}

impl ChangeList {
    pub fn new() -> ChangeList {
        ChangeList::default()
    }

    /// Appends the announcement of `route`.
    pub fn announce(&mut self, route: Route) {
        self.route(route, |nlri, next_hop, attributes| Change::Announce {
            nlri,
            next_hop,
            attributes,
        });
    }

    /// Appends the withdrawal of `route`.
    pub fn withdraw(&mut self, route: Route) {
        self.route(route, |nlri, next_hop, attributes| Change::Withdraw {
            nlri,
            next_hop,
            attributes,
        });
    }

    /// Appends `route` sent again (in an UPDATE of its own).
    pub fn resend(&mut self, route: Route) {
        self.route(route, |nlri, next_hop, attributes| Change::Resend {
            nlri,
            next_hop,
            attributes,
        });
    }

    /// Appends the change `make` builds of `route`'s parts, its attribute
    /// set as this list's index.
    fn route(&mut self, route: Route, make: fn(Nlri, NextHop, u32) -> Change) {
        let attributes = self.sets.index(&route.attributes);
        self.changes
            .push(make(route.nlri, route.next_hop, attributes));
    }

    /// Appends a change that carries no route (a route pushed here keeps
    /// its index, which then refers to this list's sets: use
    /// [`ChangeList::announce`], [`ChangeList::withdraw`] or
    /// [`ChangeList::resend`]).
    pub fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Appends `other`'s changes, its routes re-pointed to this list's
    /// attribute sets.
    pub fn append(&mut self, other: ChangeList) {
        let sets: Vec<u32> = other
            .sets
            .sets()
            .iter()
            .map(|a| self.sets.index(a))
            .collect();
        self.changes.reserve(other.changes.len());
        for mut c in other.changes {
            if let Change::Announce { attributes, .. }
            | Change::Withdraw { attributes, .. }
            | Change::Resend { attributes, .. } = &mut c
            {
                *attributes = sets.get(*attributes as usize).copied().unwrap_or(u32::MAX);
            }
            self.changes.push(c);
        }
    }

    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The distinct attribute sets, in order of first use.
    pub fn attributes(&self) -> &[Arc<Attributes>] {
        self.sets.sets()
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The message carrying these changes as the batch `seq`.
    pub fn into_message(self, seq: Seq) -> RibToSession {
        RibToSession::Changes {
            seq,
            attributes: self.sets.into_sets(),
            changes: self.changes,
        }
    }
}

impl From<Vec<Change>> for ChangeList {
    /// A list of changes without routes (a route keeps its index, which
    /// refers to no set of this list).
    fn from(changes: Vec<Change>) -> ChangeList {
        ChangeList {
            changes,
            ..ChangeList::default()
        }
    }
}

/// Rib to session worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RibToSession {
    /// Apply these changes in order, then answer `Ack { seq }`.
    /// `attributes`: the attribute sets the routes refer to by index.
    Changes {
        seq: Seq,
        attributes: Vec<Arc<Attributes>>,
        changes: Vec<Change>,
    },
    /// API `teardown`: send Cease with this subcode, close, reconnect later.
    Teardown { subcode: u8, message: String },
    /// The peer's backlog in the rib passed its bound: close the session
    /// with RFC 9687's NOTIFICATION (Send Hold Timer Expired), drop what
    /// is queued, reconnect later (the rib resends the table).
    SendHoldExpired,
    /// Heartbeat: answer `SessionToRib::Pong` with the same number at once.
    Ping { n: u64 },
}

impl Fds for RibToSession {}

/// Direction of a BGP message reported to the rib: the wire crate's.
pub use ferrobgp_wire::message::Direction;

/// Session state changes the rib reports to helpers (`neighbor-changes`, `fsm`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SessionState {
    /// TCP connected.
    Connected {
        local: SocketAddr,
        remote: SocketAddr,
    },
    /// Established.
    Up {
        local: SocketAddr,
        remote: SocketAddr,
        /// What was negotiated.
        negotiated: Box<Negotiated>,
        /// Families usable in this session, in ExaBGP's order.
        families: Vec<Family>,
        /// The OPEN the peer sent (its hold time and capabilities, for
        /// `show neighbor`).
        peer_open: Box<Open>,
    },
    /// The session ended. `peer_closed`: the peer closed the TCP
    /// connection with no NOTIFICATION either way, which is how a graceful
    /// restart of the peer looks (RFC 4724 4.2: its routes are kept as
    /// stale when it announced graceful restart).
    Down { reason: String, peer_closed: bool },
    /// FSM transition (for `fsm` events), ExaBGP's state name.
    Fsm { state: String },
}

/// Session worker to rib.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SessionToRib {
    /// The changes up to `seq` were written to the TCP socket (or the session
    /// is not Established and they will go out with the full table later).
    Ack {
        seq: Seq,
    },
    /// The answer to `RibToSession::Ping`.
    Pong {
        n: u64,
    },
    State(SessionState),
    /// A BGP message received or sent, header included (for `receive`/`send` events).
    Message {
        direction: Direction,
        #[serde(with = "serde_bytes")]
        raw: Vec<u8>,
    },
    /// The session came up: send the whole Adj-RIB-Out of these families as one batch, then End-of-RIB
    /// per family unless `manual-eor`.
    NeedRoutes {
        families: Vec<Family>,
        eor: bool,
        /// The session outlived the previous rib (it died and this one
        /// replaced it): the peer already has a table, so what it gets is
        /// an implicit replace — every route again, and a withdrawal of
        /// each route the route journal names that is no longer announced.
        resync: bool,
    },
    /// The peer asked for a route refresh of `family` (RFC 2918): send that
    /// family's Adj-RIB-Out again, between BoRR and EoRR (RFC 7313) when
    /// enhanced route refresh was negotiated.
    RouteRefresh {
        family: Family,
        enhanced: bool,
    },
    /// The messages of the current connection so far, per type and
    /// direction (for `show neighbor`); sent when they changed.
    Counters {
        sent: MessageCounts,
        received: MessageCounts,
    },
}

pub use ferrobgp_wire::message::MessageCounts;

impl Fds for SessionToRib {}
