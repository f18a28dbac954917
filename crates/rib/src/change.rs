//! What the rib asks a session worker to send, in order: the typed form of
//! `ferrobgp_ipc::Change` (the rib process converts when it frames them).

use ferrobgp_wire::route::Route;
use ferrobgp_wire::Family;

/// One change for one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerChange {
    Announce(Route),
    /// The route's NLRI is withdrawn; its attributes and next hop only
    /// decide which UPDATE carries it (ExaBGP groups the changes of one
    /// UPDATE by attribute set, next hop and family).
    Withdraw(Route),
    Eor(Family),
    RouteRefresh(Family),
}

impl PeerChange {
    pub fn route(&self) -> Option<&Route> {
        match self {
            PeerChange::Announce(r) | PeerChange::Withdraw(r) => Some(r),
            _ => None,
        }
    }
}
