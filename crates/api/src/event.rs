//! The events written to helpers (spec §3) as data, and which of them a
//! process gets according to its `api` block switches (spec §1.8).
//!
//! The decoded contents of OPEN capabilities and UPDATEs are rendered by
//! crates/wire; an event carries those renderings (JSON fragment and text)
//! and the encoders in [`crate::json`] and [`crate::text`] wrap them in
//! ExaBGP's envelope.

use crate::neighbor_api::NeighborApi;
use ferrobgp_config::model::ApiDirection;
use ferrobgp_wire::Family;
use std::net::{IpAddr, Ipv4Addr};

/// Receive or send: the wire crate's, part of an event.
pub use ferrobgp_wire::message::Direction;

/// The neighbor an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    pub local_address: IpAddr,
    pub peer_address: IpAddr,
    pub local_as: u32,
    pub peer_as: u32,
    /// Our router id on this session (`"router-id"` in the JSON, as 5.0.15).
    pub router_id: Option<Ipv4Addr>,
}

/// BGP message types, as the `api` block names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    Open,
    Update,
    Notification,
    Keepalive,
    Refresh,
    Operational,
}

impl MessageType {
    /// The BGP message type code (the `category` of `packets` events).
    pub fn code(self) -> u8 {
        match self {
            MessageType::Open => 1,
            MessageType::Update => 2,
            MessageType::Notification => 3,
            MessageType::Keepalive => 4,
            MessageType::Refresh => 5,
            MessageType::Operational => 6,
        }
    }
    /// ExaBGP's name of a message type code (the `type` of `packets` events).
    pub fn name_of(code: u8) -> &'static str {
        match code {
            1 => "open",
            2 => "update",
            3 => "notification",
            4 => "keepalive",
            5 => "refresh",
            6 => "operational",
            _ => "unknown",
        }
    }
}

/// What was negotiated with the peer (the `negotiated` event and object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub message_size: u32,
    pub hold_time: u16,
    pub asn4: bool,
    pub multisession: bool,
    pub operational: bool,
    /// `absent`, `normal` or `enhanced`.
    pub refresh: String,
    pub families: Vec<Family>,
    /// (family, next-hop AFI) pairs of RFC 8950 next-hop encoding.
    pub nexthop: Vec<(Family, ferrobgp_wire::Afi)>,
    pub add_path_send: Vec<Family>,
    pub add_path_receive: Vec<Family>,
}

/// An operational message's variable part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationalKind {
    Advisory(String),
    Query,
    Counter {
        router_id: IpAddr,
        sequence: u32,
        counter: u32,
    },
}

/// The decoded content of a BGP message.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Open {
        version: u8,
        asn: u32,
        hold_time: u16,
        router_id: IpAddr,
        /// The `capabilities` JSON object (crates/wire `capabilities_json`).
        capabilities_json: serde_json::Value,
        /// The capabilities as the text encoder prints them inside `[...]`.
        capabilities_text: String,
    },
    /// Its JSON (the value of `"message"`) and text renderings, made when
    /// a helper first needs them.
    Update(crate::update_rendering::UpdateRendering),
    Eor(Family),
    Notification {
        code: u8,
        subcode: u8,
        data: Vec<u8>,
    },
    Keepalive,
    /// subtype: `query`, `begin` or `end`.
    Refresh {
        family: Family,
        subtype: String,
    },
    Operational {
        name: String,
        family: Family,
        kind: OperationalKind,
    },
}

impl Content {
    pub fn message_type(&self) -> MessageType {
        match self {
            Content::Open { .. } => MessageType::Open,
            Content::Update(_) | Content::Eor(_) => MessageType::Update,
            Content::Notification { .. } => MessageType::Notification,
            Content::Keepalive => MessageType::Keepalive,
            Content::Refresh { .. } => MessageType::Refresh,
            Content::Operational { .. } => MessageType::Operational,
        }
    }
}

/// A neighbor state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Connected,
    Up,
    Down(String),
}

/// One event about a neighbor.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    State(State),
    /// FSM state name (IDLE, ACTIVE, CONNECT, OPENSENT, OPENCONFIRM, ESTABLISHED).
    Fsm(String),
    Signal {
        code: i32,
        name: String,
    },
    Negotiated(Negotiated),
    /// A decoded message; `raw` = (header, body) when consolidated with packets.
    Message {
        direction: Direction,
        content: Content,
        raw: Option<(Vec<u8>, Vec<u8>)>,
        negotiated: Option<Negotiated>,
    },
    /// A raw message (`packets` without `consolidate`).
    Packets {
        direction: Direction,
        category: u8,
        header: Vec<u8>,
        body: Vec<u8>,
        negotiated: Option<Negotiated>,
    },
}

/// Whether a direction's switches select messages of type `t` (the
/// switches are the configuration's own type: `receive { ... }` /
/// `send { ... }` of an `api` block).
fn wants_type(d: &ApiDirection, t: MessageType) -> bool {
    match t {
        MessageType::Open => d.open,
        MessageType::Update => d.update,
        MessageType::Notification => d.notification,
        MessageType::Keepalive => d.keepalive,
        MessageType::Refresh => d.refresh,
        MessageType::Operational => d.operational,
    }
}

/// The union of the `api` blocks of a neighbor that name one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Subscription {
    pub neighbor_changes: bool,
    pub negotiated: bool,
    pub fsm: bool,
    pub signal: bool,
    pub receive: ApiDirection,
    pub send: ApiDirection,
    /// The union of all the neighbor's blocks, whose `parsed`, `packets`,
    /// `consolidate` and `negotiated` apply to every process (see
    /// [`crate::neighbor_api`]); None: this process's blocks are all the
    /// neighbor has.
    pub neighbor: Option<NeighborApi>,
}

/// How a message is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// a `packets` event (category/header/body)
    Packets,
    /// a decoded message; `raw`: with top-level header/body (consolidate+packets)
    Parsed { raw: bool },
}

impl Subscription {
    /// Merges another `api` block naming the same process.
    pub fn union(&mut self, other: &Subscription) {
        self.neighbor_changes |= other.neighbor_changes;
        self.negotiated |= other.negotiated;
        self.fsm |= other.fsm;
        self.signal |= other.signal;
        crate::neighbor_api::or(&mut self.receive, &other.receive);
        crate::neighbor_api::or(&mut self.send, &other.send);
    }

    /// Whether message reports carry the negotiated data (`negotiated` in
    /// any block of the neighbor, as in ExaBGP 5.0.15).
    pub fn message_negotiated(&self) -> bool {
        self.neighbor.map_or(self.negotiated, |n| n.negotiated)
    }

    /// The reports of a message of type `t` in `direction`, in the order
    /// they are written, with ExaBGP 5.0.15's per-neighbor merge of the
    /// format switches (see [`crate::neighbor_api`]): packets before
    /// parsed; `consolidate` gives one parsed report carrying the raw bytes
    /// (on receive always, on send when `packets` is on too).
    pub fn reports(&self, direction: Direction, t: MessageType) -> Vec<Report> {
        let own = match direction {
            Direction::Receive => &self.receive,
            Direction::Send => &self.send,
        };
        let all = match (self.neighbor, direction) {
            (Some(n), Direction::Receive) => n.receive,
            (Some(n), Direction::Send) => n.send,
            (None, _) => *own,
        };
        // no block of the neighbor asks for this type: not reported
        if !wants_type(&all, t) {
            return Vec::new();
        }
        if all.consolidate {
            if !wants_type(own, t) {
                return Vec::new();
            }
            let raw = direction == Direction::Receive || all.packets;
            return vec![Report::Parsed { raw }];
        }
        let mut out = Vec::new();
        if own.packets {
            out.push(Report::Packets);
        }
        if all.parsed && wants_type(own, t) {
            out.push(Report::Parsed { raw: false });
        }
        out
    }

    /// True when a non-message event of this kind goes to the process.
    pub fn wants(&self, event: &Event) -> bool {
        match event {
            Event::State(_) => self.neighbor_changes,
            Event::Fsm(_) => self.fsm,
            Event::Signal { .. } => self.signal,
            Event::Negotiated(_) => self.negotiated,
            Event::Message {
                direction, content, ..
            } => !self.reports(*direction, content.message_type()).is_empty(),
            Event::Packets {
                direction,
                category,
                ..
            } => {
                let t = match category {
                    1 => MessageType::Open,
                    2 => MessageType::Update,
                    3 => MessageType::Notification,
                    4 => MessageType::Keepalive,
                    5 => MessageType::Refresh,
                    6 => MessageType::Operational,
                    _ => return false,
                };
                self.reports(*direction, t).contains(&Report::Packets)
            }
        }
    }
}

/// Hexadecimal as ExaBGP prints raw bytes: `0x` and upper-case digits.
pub fn hexstring(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02X}"));
    }
    s
}
