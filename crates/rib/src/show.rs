//! The `show adj-rib` commands over the rib's tables: each peer's routes
//! of one side handed to the api crate's renderers
//! ([`ferrobgp_api::show`], which also renders `show neighbor`).

use crate::batch::{PeerId, Rib};
use ferrobgp_api::show::NeighborStatus;
use ferrobgp_api::RibSide;
use ferrobgp_wire::route::Route;
use std::borrow::Cow;
use std::net::IpAddr;

/// The routes of `side` of a peer, in the table's order.
fn side_routes(p: &crate::peer::PeerRib, side: RibSide) -> Vec<Cow<'_, Route>> {
    match side {
        RibSide::Out => p.out.routes().collect(),
        RibSide::In => p.adj_in.routes().collect(),
    }
}

/// The lines for `peers` (id, address, name string), in that order.
pub fn adj_rib(
    rib: &Rib,
    side: RibSide,
    extensive: bool,
    peers: &[(PeerId, IpAddr, &str)],
) -> Vec<String> {
    let mut out = Vec::new();
    for (id, ip, name) in peers {
        let Some(p) = rib.peer(*id) else { continue };
        let head = if extensive {
            name.to_string()
        } else {
            ip.to_string()
        };
        out.extend(ferrobgp_api::show::adj_rib(
            &head,
            side_routes(p, side).iter().map(|r| &**r),
            extensive,
        ));
    }
    out
}

/// `show adj-rib in|out [extensive] [IP] json` for `peers`, in that order
/// (see [`ferrobgp_api::show::adj_rib_json`]).
pub fn adj_rib_json(
    rib: &Rib,
    side: RibSide,
    peers: &[(PeerId, NeighborStatus<'_>)],
    extensive: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for (id, status) in peers {
        let Some(p) = rib.peer(*id) else { continue };
        out.extend(ferrobgp_api::show::adj_rib_json(
            status,
            side_routes(p, side).iter().map(|r| &**r),
            extensive,
        ));
    }
    out
}
