//! Conversions at the rib process's edges: rib changes to IPC changes, session reports to API events, and
//! which helper gets what (the `api` blocks of a neighbor).

use crate::Change;
use ferrobgp_api::event::{Direction, DirectionSwitches, Event, PeerInfo, Subscription};
use ferrobgp_config::{ApiDirection, LocalAddress, Neighbor};
use ferrobgp_ipc as ipc;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch, as ExaBGP's `time.time()`.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// A rib change as it travels to the session worker.
pub fn change_to_ipc(c: Change) -> ipc::Result<ipc::Change> {
    Ok(match c {
        Change::Announce(r) => ipc::Change::Announce(ipc::Serialized::of(&r)?),
        Change::Withdraw(r) => ipc::Change::Withdraw(ipc::Serialized::of(&r)?),
        Change::Eor(f) => ipc::Change::Eor(f),
        Change::RouteRefresh(f) => ipc::Change::RouteRefresh(f),
    })
}

fn switches(d: &ApiDirection) -> DirectionSwitches {
    DirectionSwitches {
        parsed: d.parsed,
        packets: d.packets,
        consolidate: d.consolidate,
        open: d.open,
        update: d.update,
        notification: d.notification,
        keepalive: d.keepalive,
        refresh: d.refresh,
        operational: d.operational,
    }
}

/// What `process` asked to hear about `neighbor` (union of the `api`
/// blocks naming it); `None` when no block names it.
pub fn subscription(neighbor: &Neighbor, process: &str) -> Option<Subscription> {
    let mut out: Option<Subscription> = None;
    for api in &neighbor.api {
        if !api.processes.iter().any(|p| p == process) {
            continue;
        }
        let s = Subscription {
            neighbor_changes: api.neighbor_changes,
            negotiated: api.negotiated,
            fsm: api.fsm,
            signal: api.signal,
            receive: switches(&api.receive),
            send: switches(&api.send),
        };
        match out.as_mut() {
            Some(o) => o.union(&s),
            None => out = Some(s),
        }
    }
    out
}

/// The neighbor fields of an event.
pub fn peer_info(n: &Neighbor, local: Option<SocketAddr>, remote: Option<SocketAddr>) -> PeerInfo {
    let local_address = local.map(|a| a.ip()).unwrap_or(match n.local_address {
        LocalAddress::Ip(a) => a,
        LocalAddress::Auto => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    });
    PeerInfo {
        local_address,
        peer_address: remote.map(|a| a.ip()).unwrap_or(n.peer_address.addr()),
        local_as: n.local_as.asn().unwrap_or(0),
        peer_as: n.peer_as.asn().unwrap_or(0),
    }
}

/// The `packets` event of a raw message (header included); `None` when it
/// is shorter than a BGP header.
pub fn packet_event(direction: ipc::Direction, raw: &[u8]) -> Option<Event> {
    if raw.len() < 19 {
        return None;
    }
    Some(Event::Packets {
        direction: match direction {
            ipc::Direction::Received => Direction::Receive,
            ipc::Direction::Sent => Direction::Send,
        },
        category: raw[18],
        header: raw[..19].to_vec(),
        body: raw[19..].to_vec(),
        negotiated: None,
    })
}
