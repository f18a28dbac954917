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

/// The first line of `show neighbor summary`.
pub const SUMMARY_HEADER: &str =
    "Peer            AS        up/down state       |     #sent     #recvd";

/// What `show neighbor` without a view prints (then `done`).
pub const NEIGHBOR_USAGE: [&str; 2] = [
    "please specify summary, extensive or configuration",
    "you can filter by peer ip address adding it after the word neighbor",
];

/// One peer's row of `show neighbor summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub peer_address: IpAddr,
    /// None until known (`n/a`).
    pub peer_as: Option<u32>,
    /// Seconds since the session came up; None when down.
    pub up_for: Option<u64>,
    /// FSM state name (printed in lower case).
    pub state: String,
    pub updates_sent: u64,
    pub updates_received: u64,
}

/// Python's `str(timedelta(seconds=n))`: `0:00:11`, `1 day, 2:03:04`.
pub fn timedelta(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let hms = format!("{}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
    match days {
        0 => hms,
        1 => format!("1 day, {hms}"),
        d => format!("{d} days, {hms}"),
    }
}

/// `127.0.0.1       65000     0:00:11 established          11          7`
pub fn summary_line(row: &SummaryRow) -> String {
    let asn = row
        .peer_as
        .map(|a| a.to_string())
        .unwrap_or_else(|| "n/a".into());
    let up = match row.up_for {
        Some(s) if s > 0 => timedelta(s),
        _ => "down".into(),
    };
    format!(
        "{:<15} {:<7} {:>9} {:<12} {:>10} {:>10}",
        row.peer_address.to_string(),
        asn,
        up,
        row.state.to_lowercase(),
        row.updates_sent,
        row.updates_received
    )
}
