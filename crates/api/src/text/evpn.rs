//! An EVPN route (RFC 7432 types 1 to 4, RFC 9136 type 5) as ExaBGP
//! 5.0.15 writes its NLRI's `str()`, the form `show adj-rib` prints:
//! `evpn:<short name>::<rd>:` then the route type's fields separated by
//! `:`, the labels last as ` label 100 (1601)`:
//!
//! - 1 `evpn:ethernetad::RD:ESI:TAG:LABELS`
//! - 2 `evpn:macadv::RD:ESI:TAG:MAC/48:IP:LABELS` (IP empty when absent)
//! - 3 `evpn:multicast::RD:TAG:IP`
//! - 4 `evpn:segment::RD:ESI:IP`
//! - 5 `evpn:prfxadv::RD:ESI:TAG:PREFIX/LEN:GATEWAY:LABELS`
//!
//! The ESI is lower-case hex or `-` when all zero, the MAC upper-case hex
//! (the fields of ExaBGP's JSON, [`crate::json::nlri`], read the same
//! way). A route of another type, or whose body does not parse, is
//! written as ExaBGP's generic EVPN route: `evpn:<short name>:0x<body in
//! lower-case hex>`.

use crate::json::hex_lower;
use crate::json::nlri::evpn_fields;
use ferrobgp_wire::nlri::Evpn;
use serde_json::{Map, Value};

/// ExaBGP's short name of the route type, lower-cased.
fn short_name(route_type: u8) -> &'static str {
    match route_type {
        1 => "ethernetad",
        2 => "macadv",
        3 => "multicast",
        4 => "segment",
        5 => "prfxadv",
        _ => "unknown",
    }
}

/// ExaBGP's `Labels.__str__`: ` label N (RAW)` for one label, ` label [
/// N (RAW) M (RAW) ]` for several, nothing for none; a raw value of 0 is
/// not shown.
fn labels_text(v: Option<&Value>) -> String {
    let one = |l: &Value| {
        let label = l.get(0).and_then(Value::as_u64).unwrap_or(0);
        match l.get(1).and_then(Value::as_u64).unwrap_or(0) {
            0 => label.to_string(),
            raw => format!("{label} ({raw})"),
        }
    };
    match v.and_then(Value::as_array).map(Vec::as_slice) {
        None | Some([]) => String::new(),
        Some([l]) => format!(" label {}", one(l)),
        Some(ls) => format!(
            " label [ {} ]",
            ls.iter().map(one).collect::<Vec<_>>().join(" ")
        ),
    }
}

/// The text of a parsed route's fields.
fn fields_text(route_type: u8, m: &Map<String, Value>) -> Option<String> {
    let s = |k: &str| -> Option<String> {
        Some(match m.get(k)? {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let labels = labels_text(m.get("label"));
    let rest = match route_type {
        1 => format!("{}:{}:{labels}", s("esi")?, s("ethernet-tag")?),
        2 => format!(
            "{}:{}:{}/48:{}:{labels}",
            s("esi")?,
            s("ethernet-tag")?,
            s("mac")?,
            s("ip").unwrap_or_default()
        ),
        3 => format!("{}:{}", s("ethernet-tag")?, s("ip")?),
        4 => format!("{}:{}", s("esi")?, s("ip")?),
        5 => format!(
            "{}:{}:{}/{}:{}:{labels}",
            s("esi")?,
            s("ethernet-tag")?,
            s("ip")?,
            s("iplen")?,
            s("gateway")?
        ),
        _ => return None,
    };
    Some(format!(
        "evpn:{}::{}:{rest}",
        short_name(route_type),
        s("rd")?
    ))
}

/// The route as 5.0.15's `show adj-rib` prints it (no next hop).
pub fn evpn_text(e: &Evpn) -> String {
    evpn_fields(e)
        .and_then(|m| fields_text(e.route_type, &m))
        .unwrap_or_else(|| format!("evpn:{}:0x{}", short_name(e.route_type), hex_lower(&e.body)))
}
