//! JSON of OPEN, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH and OPERATIONAL as
//! ExaBGP writes them inside the neighbor object (spec 3.3), checked
//! against `exabgp decode` (ExaBGP 5.0.15) where it can decode the type.
//!
//! - open: `{ "version": 4, "asn": <My AS field>, "hold_time": .., "router_id": "..", "capabilities": {..} }`
//! - notification: `{ "code": c, "subcode": s, "data": "0x..", "message": ".." }`
//!   where data/message are ExaBGP's interpretation of the data
//!   ([`Notification::display_data`]).
//! - route-refresh: `{ "afi": "ipv4", "safi": "unicast", "subtype": "query|begin|end|invalid" }`
//! - operational: `{ "name": "ASM", "afi": .., "safi": .., "advisory": ".." }`;
//!   queries without advisory; counters add `router-id`, `sequence`, `counter`.

use super::capabilities_json;
use super::hex_prefixed;
use ferrobgp_wire::message::{Message, Notification, Open, Operational, RouteRefresh};
use serde_json::{json, Map, Value};

pub fn open_json(open: &Open) -> Value {
    json!({
        "version": open.version,
        "asn": open.my_as,
        "hold_time": open.hold_time,
        "router_id": open.router_id.to_string(),
        "capabilities": capabilities_json(open),
    })
}

pub fn notification_json(n: &Notification) -> Value {
    let data = n.display_data();
    json!({
        "code": n.code,
        "subcode": n.subcode,
        "data": hex_prefixed(&data),
        "message": String::from_utf8_lossy(&data),
    })
}

pub fn route_refresh_json(r: &RouteRefresh) -> Value {
    json!({
        "afi": r.family.afi.to_string(),
        "safi": r.family.safi.to_string(),
        "subtype": r.subtype_name(),
    })
}

/// `None` for operational types ExaBGP cannot render (it raises on them).
pub fn operational_json(o: &Operational) -> Option<Value> {
    let name = ferrobgp_wire::message::operational::type_name(o.kind())?;
    Some(match o {
        Operational::Advisory { family, text, .. } => json!({
            "name": name,
            "afi": family.afi.to_string(),
            "safi": family.safi.to_string(),
            "advisory": String::from_utf8_lossy(text),
        }),
        Operational::Query { family, .. } => json!({
            "name": name,
            "afi": family.afi.to_string(),
            "safi": family.safi.to_string(),
        }),
        Operational::Counter {
            family,
            router_id,
            sequence,
            counter,
            ..
        } => json!({
            "name": name,
            "afi": family.afi.to_string(),
            "safi": family.safi.to_string(),
            "router-id": router_id.to_string(),
            "sequence": sequence,
            "counter": counter,
        }),
        Operational::Raw { .. } => return None,
    })
}

/// ExaBGP's `"type"` of the event and the keys it adds to the neighbor
/// object after `"direction"`, for every message of this half. `None` for
/// UPDATEs (rendered by the UPDATE half as `"message": { "update": .. }`),
/// unknown message types and operational messages ExaBGP cannot render.
pub fn message_content(m: &Message) -> Option<(&'static str, Map<String, Value>)> {
    let mut map = Map::new();
    let kind = match m {
        Message::Open(o) => {
            map.insert("open".into(), open_json(o));
            "open"
        }
        Message::Notification(n) => {
            map.insert("notification".into(), notification_json(n));
            "notification"
        }
        Message::Keepalive => "keepalive",
        Message::RouteRefresh(r) => {
            map.insert("route-refresh".into(), route_refresh_json(r));
            "refresh"
        }
        Message::Operational(o) => {
            map.insert("operational".into(), operational_json(o)?);
            "operational"
        }
        Message::Update(_) | Message::Unknown { .. } => return None,
    };
    Some((kind, map))
}
