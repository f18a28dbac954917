//! Builds event contents from crates/wire's decoded messages, using wire's
//! JSON and text renderings, so the rib process only decodes and forwards.

use crate::event::{Content, Negotiated, OperationalKind};
use ferrobgp_wire::json::update::{update_message_json, update_text_lines};
use ferrobgp_wire::json::{capabilities_json, operational_json};
use ferrobgp_wire::message::{Message, Operational};
use ferrobgp_wire::negotiated::Negotiated as WireNegotiated;
use serde_json::Value;
use std::net::IpAddr;

/// The decoded content of a message, or None for a message type ExaBGP
/// does not report (unknown types, operational kinds it cannot render).
pub fn content(m: &Message) -> Option<Content> {
    Some(match m {
        Message::Open(o) => {
            let caps = capabilities_json(o);
            Content::Open {
                version: o.version,
                asn: o.asn(),
                hold_time: o.hold_time,
                router_id: IpAddr::V4(o.router_id),
                capabilities_text: capabilities_text(&caps),
                capabilities_json: caps,
            }
        }
        Message::Update(u) => {
            let update = &u.received.update;
            match update.eor() {
                Some(f) => Content::Eor(f),
                None => Content::Update {
                    json: update_message_json(update),
                    text: update_text_lines(update),
                },
            }
        }
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

/// The capabilities as the text encoder lists them: `multiprotocol(ipv4
/// unicast,ipv6 unicast), asn4(65000), route-refresh, ...` (ExaBGP prints
/// each capability's own string; names and the multiprotocol and asn4
/// values are rendered, other details are left out).
pub fn capabilities_text(caps: &Value) -> String {
    let Some(map) = caps.as_object() else {
        return String::new();
    };
    let items: Vec<String> = map
        .iter()
        .map(|(code, v)| {
            let name = v
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("capability-{code}"));
            if let Some(families) = v.get("families").and_then(Value::as_array) {
                let fams: Vec<String> = families
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|f| f.replace('/', " "))
                    .collect();
                format!("{name}({})", fams.join(","))
            } else if let Some(asn) = v.get("asn4").and_then(Value::as_u64) {
                format!("{name}({asn})")
            } else {
                name
            }
        })
        .collect();
    items.join(", ")
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
        add_path_send: n
            .families
            .iter()
            .copied()
            .filter(|f| n.addpath_send.contains(f))
            .collect(),
        add_path_receive: n
            .families
            .iter()
            .copied()
            .filter(|f| n.addpath_receive.contains(f))
            .collect(),
    }
}
