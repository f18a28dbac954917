//! `show adj-rib in|out [extensive]` lines (spec §2.4):
//! `127.0.0.1 ipv4 unicast 10.3.0.0/24 next-hop 192.0.2.2`, or with
//! `extensive` the peer's name string in front and the attributes after.

use crate::batch::{PeerId, Rib};
use ferrobgp_api::RibSide;
use ferrobgp_wire::json::update::attributes_text;
use ferrobgp_wire::route::{NextHop, Route};
use std::net::IpAddr;

fn line(head: &str, r: &Route, extensive: bool) -> String {
    let nh = match &r.next_hop {
        NextHop::None => String::new(),
        other => format!(" next-hop {other}"),
    };
    let attrs = if extensive {
        attributes_text(&r.attributes)
    } else {
        String::new()
    };
    format!("{head} {} {}{nh}{attrs}", r.family(), r.nlri)
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
        match side {
            RibSide::Out => out.extend(p.out.routes().map(|r| line(&head, r, extensive))),
            RibSide::In => out.extend(p.adj_in.routes().map(|r| line(&head, r, extensive))),
        }
    }
    out
}
