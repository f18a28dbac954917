//! Conversions at the rib process's edges: rib changes to IPC changes, session reports to API events, and
//! which helper gets what (the `api` blocks of a neighbor).

use crate::Change;
use ferrobgp_api::event::{Content, DirectionSwitches, MessageType, PeerInfo, Subscription};
use ferrobgp_config::{ApiDirection, LocalAddress, Neighbor};
use ferrobgp_ipc as ipc;
use ferrobgp_wire::negotiated::Negotiated;
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

/// ExaBGP's name string of a neighbor, which API selectors match.
pub fn peer_name(n: &Neighbor) -> String {
    ferrobgp_api::PeerName {
        peer_address: n.peer_address.addr(),
        local_address: n.local_address.ip(),
        local_as: n.local_as.asn().unwrap_or(0),
        peer_as: n.peer_as.asn().unwrap_or(0),
        router_id: Some(IpAddr::V4(n.router_id)),
        family_allowed: if n.capabilities.multi_session {
            ferrobgp_api::FamilyAllowed::Families(n.families.clone())
        } else {
            ferrobgp_api::FamilyAllowed::InOpen
        },
    }
    .render()
}

/// The API's view of what was negotiated.
pub fn api_negotiated(
    n: &ferrobgp_wire::negotiated::Negotiated,
) -> ferrobgp_api::event::Negotiated {
    ferrobgp_api::event::Negotiated {
        message_size: n.max_message_size() as u32,
        hold_time: n.hold_time,
        asn4: n.asn4,
        multisession: n.multisession,
        operational: n.operational,
        refresh: n.refresh.name().to_string(),
        families: n.families.clone(),
        nexthop: n.ext_nexthop.iter().copied().collect(),
        add_path_send: n.addpath_send.iter().copied().collect(),
        add_path_receive: n.addpath_receive.iter().copied().collect(),
    }
}

/// The message type of a raw message (header included).
pub fn message_type(raw: &[u8]) -> Option<MessageType> {
    Some(match *raw.get(18)? {
        1 => MessageType::Open,
        2 => MessageType::Update,
        3 => MessageType::Notification,
        4 => MessageType::Keepalive,
        5 => MessageType::Refresh,
        6 => MessageType::Operational,
        _ => return None,
    })
}

/// Decodes a raw message (header included) into the API's content, with
/// the session's negotiated context (`None` before the session is up:
/// ExaBGP's standalone defaults). `None` when it does not decode or has no
/// API form.
pub fn decode_content(raw: &[u8], negotiated: Option<&Negotiated>) -> Option<Content> {
    use ferrobgp_wire::message::Message;
    let standalone;
    let n = match negotiated {
        Some(n) => n,
        None => {
            standalone = Negotiated::standalone();
            &standalone
        }
    };
    let kind = *raw.get(18)?;
    let m = Message::decode(kind, raw.get(19..)?, n).ok()?;
    Some(match m {
        Message::Open(o) => Content::Open {
            version: o.version,
            asn: o.asn(),
            hold_time: o.hold_time,
            router_id: IpAddr::V4(o.router_id),
            capabilities_json: ferrobgp_wire::json::capabilities_json(&o),
            capabilities_text: ferrobgp_wire::json::capabilities_text(&o),
        },
        Message::Update(u) => match u.received.eor() {
            Some(f) => Content::Eor(f),
            None => Content::Update {
                json: ferrobgp_wire::json::update::update_message_json(&u.received.update),
                text: ferrobgp_wire::json::update::update_text_lines(&u.received.update),
            },
        },
        Message::Notification(x) => Content::Notification {
            code: x.code,
            subcode: x.subcode,
            data: x.data.clone(),
        },
        Message::Keepalive => Content::Keepalive,
        Message::RouteRefresh(r) => Content::Refresh {
            family: r.family,
            subtype: match r.subtype {
                1 => "begin",
                2 => "end",
                _ => "query",
            }
            .to_string(),
        },
        _ => return None,
    })
}
