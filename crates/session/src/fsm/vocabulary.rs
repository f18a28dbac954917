//! The state machine's vocabulary: its states, the events fed to it
//! ([`Input`]) and what it asks its caller to do ([`Action`]).

use ferrobgp_wire::Notify;
use std::net::Ipv4Addr;

/// Identifies one TCP connection of this worker (assigned by the caller).
pub type ConnId = u64;

/// RFC 4271 states, with ExaBGP's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Idle,
    Active,
    Connect,
    OpenSent,
    OpenConfirm,
    Established,
}

impl State {
    /// ExaBGP's upper-case name (`"OPENCONFIRM"`), as used in `fsm` events.
    pub fn name(self) -> &'static str {
        match self {
            State::Idle => "IDLE",
            State::Active => "ACTIVE",
            State::Connect => "CONNECT",
            State::OpenSent => "OPENSENT",
            State::OpenConfirm => "OPENCONFIRM",
            State::Established => "ESTABLISHED",
        }
    }
}

/// What the FSM needs from a received OPEN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerOpen {
    pub hold_time: u16,
    pub router_id: Ipv4Addr,
}

/// Kinds of received messages the FSM distinguishes beyond OPEN, KEEPALIVE
/// and NOTIFICATION.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherKind {
    Update,
    RouteRefresh,
    Operational,
}

impl OtherKind {
    /// The message type octet, the data of an RFC 6608 NOTIFICATION.
    pub(super) fn code(self) -> u8 {
        match self {
            OtherKind::Update => 2,
            OtherKind::RouteRefresh => 5,
            OtherKind::Operational => 6,
        }
    }
}

/// Events fed to the state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The worker starts (configuration received).
    Start,
    /// The outgoing connection asked for by [`Action::Connect`] is up.
    TcpConnected {
        conn: ConnId,
    },
    /// The outgoing connection attempt failed.
    TcpFailed,
    /// A connection accepted by the supervisor was handed to us.
    Incoming {
        conn: ConnId,
    },
    /// The peer closed the connection, or reading/writing failed.
    TcpClosed {
        conn: ConnId,
    },
    /// Writes to the peer made no progress for longer than the hold time.
    WriteStalled {
        conn: ConnId,
    },
    /// The peer's OPEN; `problem` is the NOTIFICATION to answer with when
    /// it is not acceptable (peer AS, identifier, hold time, capabilities).
    OpenReceived {
        conn: ConnId,
        open: PeerOpen,
        problem: Option<Notify>,
    },
    KeepaliveReceived {
        conn: ConnId,
    },
    /// Any other well-formed message.
    OtherReceived {
        conn: ConnId,
        kind: OtherKind,
    },
    NotificationReceived {
        conn: ConnId,
        code: u8,
        subcode: u8,
    },
    /// A received message is malformed (or a message could not be built):
    /// send this NOTIFICATION and close.
    Fatal {
        conn: ConnId,
        notify: Notify,
    },
    /// Operator teardown: send `notify` (a Cease, with graceful restart
    /// too), close, then reconnect at once.
    Teardown {
        notify: Notify,
    },
    /// Stop for good: optional NOTIFICATION, then [`Action::Finished`].
    Stop {
        notify: Option<Notify>,
        reason: String,
    },
}

/// What the caller must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open an outgoing TCP connection (one attempt).
    Connect,
    /// Give up the outgoing attempt in progress (an incoming one won).
    AbandonConnect,
    /// The FSM changed state.
    State(State),
    /// TCP is up on `conn` (report `connected`).
    Connected {
        conn: ConnId,
    },
    SendOpen {
        conn: ConnId,
    },
    SendKeepalive {
        conn: ConnId,
    },
    SendNotification {
        conn: ConnId,
        notify: Notify,
    },
    /// Close `conn` (after flushing what was queued on it).
    Close {
        conn: ConnId,
    },
    /// Refuse a handed-in connection: send this NOTIFICATION on it, close it.
    Refuse {
        conn: ConnId,
        notify: Notify,
    },
    /// The session is up with this negotiated hold time.
    Established {
        conn: ConnId,
        hold_time: u16,
    },
    /// A session that reported [`Action::Connected`] is over;
    /// `peer_closed`: the peer closed the connection without a
    /// NOTIFICATION either way (a graceful restart of the peer, RFC 4724).
    Down {
        reason: String,
        peer_closed: bool,
    },
    /// The worker is done for good (stopped, or attempts used up).
    Finished {
        reason: String,
    },
}
