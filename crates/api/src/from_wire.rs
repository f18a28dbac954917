//! Builds event contents from crates/wire's decoded messages, using wire's
//! JSON and text renderings, so the rib process only decodes and forwards.

use crate::event::{Content, Negotiated, OperationalKind};
use crate::json::update::{update_message_json, update_text_lines};
use crate::json::{capabilities_json, operational_json};
use crate::text::capabilities_text;
use ferrobgp_wire::message::{Message, Operational};
use ferrobgp_wire::negotiated::Negotiated as WireNegotiated;
use std::net::IpAddr;

/// The decoded content of a message, or None for a message type ExaBGP
/// does not report (unknown types, operational kinds it cannot render).
pub fn content(m: &Message) -> Option<Content> {
    Some(match m {
        Message::Open(o) => Content::Open {
            version: o.version,
            asn: o.asn(),
            hold_time: o.hold_time,
            router_id: IpAddr::V4(o.router_id),
            capabilities_json: capabilities_json(o),
            capabilities_text: capabilities_text(o),
        },
        // `received.eor()`, not the update's: an UPDATE whose NLRIs were all
        // treated as withdrawn (RFC 7606) is not an End-of-RIB
        Message::Update(u) => match u.received.eor() {
            Some(f) => Content::Eor(f),
            // RFC 7606: what the UPDATE means, not what it carried
            // (treat-as-withdraw: its routes are reported withdrawn)
            None => {
                let reported = u.received.reported();
                let mut json = update_message_json(&reported);
                mark_error(&mut json, &u.received);
                Content::Update {
                    json,
                    text: update_text_lines(&reported),
                }
            }
        },
        Message::Notification(n) => Content::Notification {
            code: n.code,
            subcode: n.subcode,
            data: n.data.clone(),
        },
        Message::Keepalive => Content::Keepalive,
        Message::RouteRefresh(r) => Content::Refresh {
            family: r.family,
            subtype: r.subtype_name().to_string(),
        },
        Message::Operational(o) => {
            let v = operational_json(o)?;
            let name = v.get("name")?.as_str()?.to_string();
            let family = match o {
                Operational::Advisory { family, .. }
                | Operational::Query { family, .. }
                | Operational::Counter { family, .. } => *family,
                Operational::Raw { .. } => return None,
            };
            let kind = match o {
                Operational::Advisory { text, .. } => {
                    OperationalKind::Advisory(String::from_utf8_lossy(text).into_owned())
                }
                Operational::Counter {
                    router_id,
                    sequence,
                    counter,
                    ..
                } => OperationalKind::Counter {
                    router_id: IpAddr::V4(*router_id),
                    sequence: *sequence,
                    counter: *counter,
                },
                _ => OperationalKind::Query,
            };
            Content::Operational { name, family, kind }
        }
        Message::Unknown { .. } => return None,
    })
}

/// ExaBGP's marker of an UPDATE that RFC 7606 error handling changed: the
/// last attribute is `"error": "treat-as-withdraw"` (its routes are
/// reported withdrawn) or `"error": "discard"` (an attribute was dropped),
/// the strongest verdict when there are several. An NLRI discard (an
/// action ExaBGP does not take) has no marker.
fn mark_error(json: &mut serde_json::Value, rx: &ferrobgp_wire::update::Received) {
    use ferrobgp_wire::update::Verdict;
    use serde_json::{Map, Value};
    let marker = match rx.verdict() {
        Some(Verdict::TreatAsWithdraw) => "treat-as-withdraw",
        Some(Verdict::AttributeDiscard) => "discard",
        _ => return,
    };
    let Some(Value::Object(update)) = json.get_mut("update") else {
        return;
    };
    // "attribute" stays the first key of the update object
    let mut rebuilt = Map::new();
    let mut attrs = match update.remove("attribute") {
        Some(Value::Object(a)) => a,
        _ => Map::new(),
    };
    attrs.insert("error".into(), Value::String(marker.into()));
    rebuilt.insert("attribute".into(), Value::Object(attrs));
    rebuilt.append(update);
    *update = rebuilt;
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
