//! Capabilities in ExaBGP's OPEN JSON: an object keyed by capability code
//! (as a string), in order of first appearance, where several TLVs of one
//! code merge as ExaBGP merges them (Multiprotocol families, ADD-PATH,
//! Extended Next Hop entries and Graceful Restart families accumulate;
//! Multisession keeps the first; any other code keeps the last value at
//! the first position).
//!
//! Renderings (checked against `exabgp decode` of ExaBGP 5.0.15, see
//! tests/json.rs): `{ "name": "multiprotocol", "families": [ "ipv4/unicast" ] }`,
//! `{ "name": "asn4", "asn4": N }`, `{ "name": "nexthop", "conversion": [
//! "ipv4/unicast/ipv6" ] }`, `{ "name": "addpath", "ipv4/unicast":
//! "send/receive" }`, `{ "name": "graceful restart", "time": T,
//! "address-family-flags": { "ipv4/unicast": [ "restart" ] },
//! "restart-flags": [ "forwarding" ] }` (ExaBGP labels the F bit
//! "restart" and the R bit "forwarding"; reproduced as is),
//! `{ "name": "route-refresh", "variant": "RFC"|"Cisco" }`,
//! `{ "name": "enhanced-route-refresh" }`, `{ "name": "operational" }`,
//! `{ "name": "extended-message", "size": 65535 }`, `{ "host-name": ..,
//! "domain-name": .. }`, `{ "software": .. }`, `{ "name": "multisession",
//! "variant": "RFC"|"Cisco", "capabilities": [ names ] }`, and for unknown
//! codes `{ "name": "unknown", "iana": "unassigned"|"reserved"|"unknown",
//! "value": code, "raw": "HEX" }`.

use super::hex_upper;
use ferrobgp_wire::capability::{
    cap_064_graceful_restart as gr, codes, Capability, RouteRefreshVariant,
};
use ferrobgp_wire::message::open::Open;
use serde_json::{json, Map, Value};

/// ExaBGP's name for a capability code, as used in the multisession
/// Session Id list (`multiprotocol`, `route-refresh`, ...,
/// `unassigned-0x47`, `reserved-0x90`, `capability-0x42`).
pub fn capability_code_name(code: u8) -> String {
    let name = match code {
        0 => "reserved",
        1 => "multiprotocol",
        2 => "route-refresh",
        3 => "outbound-route-filtering",
        4 => "multiple-routes",
        5 => "nexthop",
        6 => "extended-message",
        64 => "graceful-restart",
        65 => "asn4",
        67 => "dynamic-capability",
        68 => "multi-session",
        69 => "add-path",
        70 => "enhanced-route-refresh",
        73 => "hostname",
        75 => "software-version",
        128 => "cisco-route-refresh",
        131 => "cisco-multi-sesion",
        185 => "operational",
        c if (70..128).contains(&c) => return format!("unassigned-{c:#x}"),
        c if c >= 128 => return format!("reserved-{c:#x}"),
        c => return format!("capability-{c:#x}"),
    };
    name.to_string()
}

fn iana(code: u8) -> &'static str {
    if (70..128).contains(&code) {
        "unassigned"
    } else if code >= 128 {
        "reserved"
    } else {
        "unknown"
    }
}

/// Renders one capability on its own.
pub fn capability_json(c: &Capability) -> Value {
    match c {
        Capability::Multiprotocol(f) => {
            json!({ "name": "multiprotocol", "families": [ f.slashed() ] })
        }
        Capability::RouteRefresh(v) => json!({
            "name": "route-refresh",
            "variant": match v { RouteRefreshVariant::Rfc => "RFC", RouteRefreshVariant::Cisco => "Cisco" },
        }),
        Capability::ExtendedNextHop(entries) => json!({
            "name": "nexthop",
            "conversion": entries
                .iter()
                .map(|e| format!("{}/{}", e.family.slashed(), e.nexthop_afi))
                .collect::<Vec<_>>(),
        }),
        Capability::ExtendedMessage => json!({ "name": "extended-message", "size": 65535 }),
        Capability::GracefulRestart(g) => {
            let mut fams = Map::new();
            for f in &g.families {
                let flags: Vec<&str> = if f.flags & gr::FORWARDING_STATE != 0 {
                    vec!["restart"]
                } else {
                    vec![]
                };
                fams.insert(f.family.slashed(), json!(flags));
            }
            let restart: Vec<&str> = if g.flags & gr::RESTART_STATE != 0 {
                vec!["forwarding"]
            } else {
                vec![]
            };
            json!({
                "name": "graceful restart",
                "time": g.time,
                "address-family-flags": Value::Object(fams),
                "restart-flags": restart,
            })
        }
        Capability::Asn4(a) => json!({ "name": "asn4", "asn4": a }),
        Capability::Multisession(m) => json!({
            "name": "multisession",
            "variant": if m.cisco { "Cisco" } else { "RFC" },
            "capabilities": m
                .codes
                .iter()
                .filter(|c| **c != codes::MULTISESSION && **c != codes::MULTISESSION_CISCO)
                .map(|c| capability_code_name(*c))
                .collect::<Vec<_>>(),
        }),
        Capability::AddPath(entries) => {
            let mut m = Map::new();
            m.insert("name".into(), json!("addpath"));
            for e in entries {
                m.insert(e.family.slashed(), json!(e.mode.name()));
            }
            Value::Object(m)
        }
        Capability::EnhancedRouteRefresh => json!({ "name": "enhanced-route-refresh" }),
        Capability::Fqdn(f) => json!({ "host-name": f.host_name, "domain-name": f.domain_name }),
        Capability::SoftwareVersion(s) => json!({ "software": s }),
        Capability::Operational => json!({ "name": "operational" }),
        Capability::Unknown { code, value } => json!({
            "name": "unknown",
            "iana": iana(*code),
            "value": code,
            "raw": hex_upper(value),
        }),
    }
}

/// Appends the entries of a list-valued capability rendering to an
/// earlier one of the same code.
fn merge(into: &mut Value, c: &Capability) {
    let new = capability_json(c);
    let (Value::Object(into), Value::Object(new)) = (into, new) else {
        return;
    };
    match c {
        Capability::Multiprotocol(_) | Capability::ExtendedNextHop(_) => {
            let key = if matches!(c, Capability::Multiprotocol(_)) {
                "families"
            } else {
                "conversion"
            };
            if let (Some(Value::Array(a)), Some(Value::Array(b))) =
                (into.get_mut(key), new.get(key))
            {
                for v in b {
                    if !a.contains(v) {
                        a.push(v.clone());
                    }
                }
            }
        }
        Capability::AddPath(_) => {
            for (k, v) in new {
                if k != "name" {
                    into.insert(k, v);
                }
            }
        }
        Capability::GracefulRestart(_) => {
            for key in ["time", "restart-flags"] {
                if let Some(v) = new.get(key) {
                    into.insert(key.into(), v.clone());
                }
            }
            if let (Some(Value::Object(a)), Some(Value::Object(b))) = (
                into.get_mut("address-family-flags"),
                new.get("address-family-flags"),
            ) {
                for (k, v) in b {
                    a.insert(k.clone(), v.clone());
                }
            }
        }
        Capability::Multisession(_) => {}
        _ => {
            *into = new;
        }
    }
}

/// The `"capabilities"` object of an OPEN.
pub fn capabilities_json(open: &Open) -> Value {
    let mut out = Map::new();
    for c in open.capabilities() {
        let key = c.code().to_string();
        match out.get_mut(&key) {
            Some(existing) => merge(existing, c),
            None => {
                out.insert(key, capability_json(c));
            }
        }
    }
    Value::Object(out)
}
