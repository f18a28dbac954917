//! Builds event contents from crates/wire's decoded messages, using wire's
//! JSON and text renderings, so the rib process only decodes and forwards.

use crate::event::{Content, Negotiated, OperationalKind};
use crate::json::{capabilities_json, operational_json};
use crate::text::capabilities_text;
use crate::UpdateRendering;
use ferrobgp_wire::message::{Message, Operational};
use ferrobgp_wire::negotiated::Negotiated as WireNegotiated;
use std::net::IpAddr;

/// The decoded content of a message, or None for a message type ExaBGP
/// does not report (unknown types, operational kinds it cannot render).
/// Takes the message: an UPDATE's content keeps it (rendered when a
/// helper asks), without a copy.
pub fn content(m: Message) -> Option<Content> {
    Some(match m {
        Message::Open(o) => Content::Open {
            version: o.version,
            asn: o.asn(),
            hold_time: o.hold_time,
            router_id: IpAddr::V4(o.router_id),
            capabilities_json: capabilities_json(&o),
            capabilities_text: capabilities_text(&o),
        },
        // `received.eor()`, not the update's: an UPDATE whose NLRIs were all
        // treated as withdrawn (RFC 7606) is not an End-of-RIB
        Message::Update(u) => match u.received.eor() {
            Some(f) => Content::Eor(f),
            // RFC 7606: what the UPDATE means, not what it carried
            // (treat-as-withdraw: its routes are reported withdrawn)
            None => {
                let verdict = u.received.verdict().cloned();
                Content::Update(UpdateRendering::new(
                    u.received.into_reported(),
                    verdict.as_ref(),
                ))
            }
        },
        Message::Notification(n) => Content::Notification {
            code: n.code,
            subcode: n.subcode,
            data: n.data,
        },
        Message::Keepalive => Content::Keepalive,
        Message::RouteRefresh(r) => Content::Refresh {
            family: r.family,
            subtype: r.subtype_name().to_string(),
        },
        Message::Operational(o) => {
            let v = operational_json(&o)?;
            let name = v.get("name")?.as_str()?.to_string();
            let family = match o {
                Operational::Advisory { family, .. }
                | Operational::Query { family, .. }
                | Operational::Counter { family, .. } => family,
                Operational::Raw { .. } => return None,
            };
            let kind = match o {
                Operational::Advisory { text, .. } => {
                    OperationalKind::Advisory(String::from_utf8_lossy(&text).into_owned())
                }
                Operational::Counter {
                    router_id,
                    sequence,
                    counter,
                    ..
                } => OperationalKind::Counter {
                    router_id: IpAddr::V4(router_id),
                    sequence,
                    counter,
                },
                _ => OperationalKind::Query,
            };
            Content::Operational { name, family, kind }
        }
        Message::Unknown { .. } => return None,
    })
}

/// The `negotiated` event's data from the session's negotiation result.
pub fn negotiated(n: &WireNegotiated) -> Negotiated {
    Negotiated {
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

/// Decodes a raw message (header included) with the session's negotiated
/// context (`None` before the session is up: ExaBGP's standalone
/// defaults). `None` when it does not decode.
pub fn decode(raw: &[u8], negotiated: Option<&WireNegotiated>) -> Option<Message> {
    decode_at(raw, negotiated, None, None)
}

/// As [`decode`], for a message received on a live session whose local
/// address is `local` and whose peer is `peer`: the UPDATE checks of RFC
/// 4271 6.3 that need them apply (see
/// `ferrobgp_wire::update::Context::{local_address, peer_address}`), so
/// that helpers are told what the session worker decided.
pub fn decode_at(
    raw: &[u8],
    negotiated: Option<&WireNegotiated>,
    local: Option<IpAddr>,
    peer: Option<IpAddr>,
) -> Option<Message> {
    let standalone;
    let n = match negotiated {
        Some(n) => n,
        None => {
            standalone = WireNegotiated::standalone();
            &standalone
        }
    };
    let ctx = ferrobgp_wire::update::Context::live(n, local, peer);
    Message::decode_with(*raw.get(18)?, raw.get(19..)?, &ctx).ok()
}
