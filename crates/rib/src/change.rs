//! What the rib asks a session worker to send, in order: the typed form of
//! `ferrobgp_ipc::Change` (the rib process converts when it frames them).

use ferrobgp_wire::route::Route;
use ferrobgp_wire::Family;

/// One change for one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Announce(Route),
    /// The route's NLRI is withdrawn (attributes are irrelevant).
    Withdraw(Route),
    Eor(Family),
    RouteRefresh(Family),
}

impl Change {
    pub fn route(&self) -> Option<&Route> {
        match self {
            Change::Announce(r) | Change::Withdraw(r) => Some(r),
            _ => None,
        }
    }
}
