//! What the `api` blocks of one neighbor switch on together. ExaBGP 5.0.15
//! flattens every `api` block of a neighbor into one set of lists before it
//! reports a message, so some switches are per neighbor, not per process:
//! - a message type asked by any block makes that message reach the API;
//! - `parsed` asked by any block gives a decoded report to every process
//!   whose own blocks ask for the message type;
//! - `packets` asked by any block gives the raw message to every process
//!   whose own blocks say `packets` (their own message types do not matter);
//! - `consolidate` asked by any block replaces both with one decoded report
//!   to the processes asking for the type, carrying the raw bytes always on
//!   receive and only with `packets` on send;
//! - `negotiated` asked by any block adds the negotiated data to every
//!   message report.
//!
//! Recorded from 5.0.15 with five processes on one neighbor (see the
//! ferrobgp crate's `api_blocks_merged` test).

use ferrobgp_config::model::{Api, ApiDirection};

/// The union of all `api` blocks of one neighbor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NeighborApi {
    pub negotiated: bool,
    pub receive: ApiDirection,
    pub send: ApiDirection,
}

/// One direction's switches ORed.
pub(crate) fn or(a: &mut ApiDirection, b: &ApiDirection) {
    a.parsed |= b.parsed;
    a.packets |= b.packets;
    a.consolidate |= b.consolidate;
    a.open |= b.open;
    a.update |= b.update;
    a.notification |= b.notification;
    a.keepalive |= b.keepalive;
    a.refresh |= b.refresh;
    a.operational |= b.operational;
}

impl NeighborApi {
    /// The union of `apis` (all the blocks of a neighbor).
    pub fn of(apis: &[Api]) -> NeighborApi {
        let mut n = NeighborApi::default();
        for a in apis {
            n.negotiated |= a.negotiated;
            or(&mut n.receive, &a.receive);
            or(&mut n.send, &a.send);
        }
        n
    }
}
