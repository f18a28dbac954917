//! ExaBGP 5.0.15's `"bgp-ls"` JSON object for a BGP-LS attribute (type
//! code 29), rendered from the wire crate's typed model
//! ([`ferrobgp_wire::bgp_ls::LsAttribute`]; the TLVs and their RFCs are
//! documented there): [`ls_json`] reads the model, never the bytes. TLVs the
//! model keeps as `(type, bytes)` (unknown types, or a length the RFC does
//! not allow) appear as `"generic-lsid-<type>": ["0x<hex>"]`. A value the
//! model cannot decode, or that ExaBGP's JSON refuses, is rendered as
//! `{"raw": "0x<hex>"}` ([`json`]; RFC 9552 section 8.2.2: a
//! malformed BGP-LS attribute is discarded, never a session reset).

use super::{hex_lower, hex_prefixed};
use ferrobgp_wire::bgp_ls::sr::{EndXNeighbor, EndXSubTlv};
use ferrobgp_wire::bgp_ls::sr::{SidList, SidStructure, Srv6EndX};
use ferrobgp_wire::bgp_ls::{LsAttribute, LsAttributeTlv};
use serde_json::{json, Map, Value};

// The flag names of the TLVs, from the most significant bit, as ExaBGP
// 5.0.15 names them (the JSON and the text renderings both use these).

/// Node Flag Bits (1024, RFC 9552 5.3.1.1).
pub(crate) const NODE_FLAGS: [&str; 6] = ["O", "T", "E", "B", "R", "V"];
/// SR Capabilities flags (1034, RFC 9085 2.1.2).
pub(crate) const SR_CAPABILITY_FLAGS: [&str; 2] = ["I", "V"];
/// IGP Flags (1152, RFC 9552 5.3.3.1).
pub(crate) const IGP_FLAGS: [&str; 4] = ["D", "N", "L", "P"];
/// Prefix SID flags (1158, RFC 9085 2.3.1).
pub(crate) const SR_PREFIX_FLAGS: [&str; 6] = ["R", "N", "P", "E", "V", "L"];
/// Adjacency SID and LAN Adjacency SID flags (1099, 1100, RFC 9085
/// 2.2.1).
pub(crate) const SR_ADJ_FLAGS: [&str; 6] = ["F", "B", "V", "L", "S", "P"];
/// The Link Protection Type flags (1093, RFC 5307 1.2).
pub(crate) const LINK_PROTECTION: [&str; 6] = [
    "ExtraTrafic",
    "Unprotected",
    "Shared",
    "Dedicated 1:1",
    "Dedicated 1+1",
    "Enhanced",
];
/// MPLS Protocol Mask (1094, RFC 9552 5.3.2.2).
pub(crate) const MPLS_MASK: [&str; 2] = ["LDP", "RSVP-TE"];
/// Prefix Attribute Flags (1170, RFC 9085 2.3.2).
pub(crate) const PREFIX_ATTRIBUTE_FLAGS: [&str; 3] = ["X", "R", "N"];
/// SRv6 End.X SID flags (1106-1108, RFC 9514 4.1).
pub(crate) const SRV6_ENDX_FLAGS: [&str; 3] = ["B", "S", "P"];
/// SRv6 Locator flags (1162, RFC 9514 5.1).
pub(crate) const SRV6_LOCATOR_FLAGS: [&str; 1] = ["D"];

fn flags(byte: u8, names: &[&str]) -> Value {
    let mut m = Map::new();
    for (i, n) in names.iter().enumerate() {
        m.insert((*n).into(), json!((byte >> (7 - i)) & 1));
    }
    let used = names.len() as u32;
    let rsv = if used >= 8 {
        0
    } else {
        byte & (0xFFu8 >> used)
    };
    m.insert("RSV".into(), json!(rsv));
    Value::Object(m)
}

/// The algorithms of an SR Algorithm TLV as ExaBGP lists them: an empty
/// list means the default SPF (IOS XR sends it).
pub(crate) fn sr_algorithms(v: &[u8]) -> Vec<u8> {
    if v.is_empty() {
        vec![0]
    } else {
        v.to_vec()
    }
}

/// The undecoded SID data as the list ExaBGP prints.
pub(crate) fn undecoded(s: &SidList) -> Vec<String> {
    s.undecoded.iter().map(|b| hex_prefixed(b)).collect()
}

fn structure(s: &SidStructure) -> Value {
    json!({ "loc_block_len": s.locator_block, "loc_node_len": s.locator_node,
            "func_len": s.function, "arg_len": s.argument })
}

/// An SRv6 End.X (1106) or LAN End.X (1107 IS-IS, 1108 OSPFv3) SID: its
/// JSON key and object (flags B/S/P, neighbor for LAN, behavior,
/// algorithm, weight, SID, then its sub-TLVs: the SID structure by name,
/// others as hex).
fn endx(e: &Srv6EndX) -> (&'static str, Value) {
    let key = match e.kind {
        1106 => "srv6-endx",
        1107 => "srv6-lan-endx-isis",
        _ => "srv6-lan-endx-ospf",
    };
    let mut o = Map::new();
    o.insert("flags".into(), flags(e.flags, &SRV6_ENDX_FLAGS));
    if let Some(n) = &e.neighbor {
        o.insert("neighbor-id".into(), json!(neighbor(n)));
    }
    o.insert("behavior".into(), json!(e.behavior));
    o.insert("algorithm".into(), json!(e.algorithm));
    o.insert("weight".into(), json!(e.weight));
    o.insert("sid".into(), json!(e.sid.to_string()));
    for s in &e.sub_tlvs {
        match s {
            EndXSubTlv::Structure(st) => {
                o.insert("srv6-sid-structure".into(), structure(st));
            }
            EndXSubTlv::Other { kind, value } if e.kind == 1106 => {
                o.insert(
                    format!("subtlv-not-implemented-{kind}"),
                    json!(hex_prefixed(value)),
                );
            }
            EndXSubTlv::Other { kind, value } => {
                o.insert(format!("{kind}-undecoded"), json!(hex_prefixed(value)));
            }
        }
    }
    (key, Value::Object(o))
}

/// The neighbor of a LAN End.X SID as ExaBGP prints it.
pub(crate) fn neighbor(n: &EndXNeighbor) -> String {
    match n {
        EndXNeighbor::IsisSystemId(id) => hex_lower(id),
        EndXNeighbor::OspfRouterId(ip) => ip.to_string(),
    }
}

fn utf8(b: &[u8]) -> Value {
    json!(String::from_utf8_lossy(b).into_owned())
}

/// Renders one TLV into `m`; `None` where ExaBGP's JSON refuses it. The
/// node, link and prefix attribute TLVs of RFC 9552 (and unknown or
/// malformed ones) here, the segment routing ones in [`sr_tlv`].
fn tlv(m: &mut Map<String, Value>, t: &LsAttributeTlv) -> Option<()> {
    use LsAttributeTlv as T;
    let mut insert = |k: &str, v: Value| {
        m.insert(k.into(), v);
    };
    match t {
        T::NodeFlags(f) => insert("node-flags", flags(*f, &NODE_FLAGS)),
        T::NodeName(v) => insert("node-name", utf8(v)),
        T::IsisAreaId(n) => insert("area-id", json!(n.value.to_string())),
        // IPv4 and IPv6 local TE router IDs merge into one list
        T::LocalTeRouterId { addr, .. } => push(m, "local-te-router-ids", json!(addr.to_string())),
        T::AdminGroup(n) => insert("admin-group-mask", json!(n.value)),
        T::MaxLinkBandwidth(f) => insert("maximum-link-bandwidth", json!(f64::from(*f))),
        T::MaxReservableBandwidth(f) => {
            insert("maximum-reservable-link-bandwidth", json!(f64::from(*f)))
        }
        T::UnreservedBandwidth(v) => {
            let v: Vec<f64> = v.iter().map(|f| f64::from(*f)).collect();
            insert("unreserved-bandwidth", json!(v));
        }
        T::TeMetric(n) => insert("te-metric", json!(n.value)),
        T::IgpMetric(n) => insert("igp-metric", json!(n.value)),
        T::Srlg(v) => {
            let v: Vec<u64> = v.iter().map(|n| n.value).collect();
            insert("shared-risk-link-groups", json!(v));
        }
        T::LinkName(v) => insert("link-name", utf8(v)),
        T::IgpFlags(f) => insert("igp-flags", flags(*f, &IGP_FLAGS)),
        T::PrefixMetric(n) => insert("prefix-metric", json!(n.value)),
        T::OpaqueNode(v) => insert("opaque", utf8(v)),
        T::OpaqueLink(v) => insert("opaque-link", utf8(v)),
        T::OpaquePrefix(v) => insert("opaque-prefix", utf8(v)),
        // one key per TLV (ExaBGP repeats the key; a JSON reader keeps the
        // last, as this map does)
        T::RemoteTeRouterId { addr, .. } => insert("remote-te-router-id", json!(addr.to_string())),
        T::OspfForwardingAddress(a) => insert("ospf-forwarding-address", json!(a.to_string())),
        T::SourceRouterId(a) => insert("sr-source-router-id", json!(a.to_string())),
        T::LinkProtection(f) => {
            insert("link-protection-flags", flags(*f, &LINK_PROTECTION));
        }
        T::MplsMask(f) => insert("mpls-mask", flags(*f, &MPLS_MASK)),
        T::RouteTags(v) => insert("igp-route-tags", json!(v)),
        T::ExtendedRouteTags(v) => insert("igp-extended-route-tags", json!(v)),
        T::PrefixAttributeFlags(f) => insert(
            "sr-prefix-attribute-flags",
            flags(*f, &PREFIX_ATTRIBUTE_FLAGS),
        ),
        T::Malformed { kind, value } | T::Unknown { kind, value } => push(
            m,
            &format!("generic-lsid-{kind}"),
            json!(hex_prefixed(value)),
        ),
        T::SrCapabilities(_)
        | T::SrAlgorithms(_)
        | T::Srv6Capabilities(_)
        | T::SrPrefixSid(_)
        | T::SrAdjacency(_)
        | T::SrLanAdjacency(_)
        | T::Srv6EndX(_)
        | T::Srv6Locator(_)
        | T::Srv6EndpointBehavior(_)
        | T::Srv6SidStructure(_) => return sr_tlv(m, t),
    }
    Some(())
}

/// Renders a segment routing TLV (RFC 9085, RFC 9514) into `m`; `None`
/// where ExaBGP's JSON refuses it.
fn sr_tlv(m: &mut Map<String, Value>, t: &LsAttributeTlv) -> Option<()> {
    use LsAttributeTlv as T;
    let mut insert = |k: &str, v: Value| {
        m.insert(k.into(), v);
    };
    match t {
        T::SrCapabilities(c) => {
            insert("sr-capability-flags", flags(c.flags, &SR_CAPABILITY_FLAGS));
            let sids: Vec<Value> = c
                .ranges
                .iter()
                .map(|r| json!([r.range, r.sid.value]))
                .collect();
            insert("sids", Value::Array(sids));
        }
        T::SrAlgorithms(v) => insert("sr-algorithms", json!(sr_algorithms(v))),
        // ExaBGP 5.0.15 reports the masked bit 0x0040 (64 or 0)
        T::Srv6Capabilities(f) => {
            insert("srv6-capabilities", json!({ "flags": { "O": f & 0x40 } }))
        }
        T::SrPrefixSid(p) => {
            if !p.complete {
                return None;
            }
            insert("sr-prefix-flags", flags(p.flags, &SR_PREFIX_FLAGS));
            insert("sids", json!(p.sids.sids));
            insert("undecoded-sids", json!(undecoded(&p.sids)));
            insert("sr-algorithm", json!(p.algorithm));
        }
        T::SrAdjacency(a) => insert(
            "sr-adj",
            json!({ "flags": flags(a.flags, &SR_ADJ_FLAGS), "sids": a.sids.sids,
                    "weight": a.weight, "undecoded-sids": undecoded(&a.sids) }),
        ),
        // every such TLV joins one list
        T::SrLanAdjacency(a) => push(
            m,
            "sr-adj-lan-sids",
            json!({ "flags": flags(a.flags, &SR_ADJ_FLAGS), "weight": a.weight,
                    "system-id": hex_lower(&a.system_id), "sids": a.sids.sids,
                    "undecoded": undecoded(&a.sids) }),
        ),
        T::Srv6EndX(e) => {
            let (key, o) = endx(e);
            push(m, key, o);
        }
        T::Srv6Locator(l) => insert(
            "srv6-locator",
            json!({ "flags": flags(l.flags, &SRV6_LOCATOR_FLAGS), "algorithm": l.algorithm,
                    "metric": l.metric }),
        ),
        T::Srv6EndpointBehavior(b) => {
            let flags: Vec<u8> = if b.flags == 0 {
                Vec::new()
            } else {
                vec![b.flags]
            };
            insert(
                "srv6-endpoint-behavior",
                json!({ "endpoint-behavior": b.behavior, "flags": flags,
                        "algorithm": b.algorithm }),
            );
        }
        T::Srv6SidStructure(s) => insert("srv6-sid-structure", structure(s)),
        // the RFC 9552 TLVs: tlv
        _ => {}
    }
    Some(())
}

fn push(m: &mut Map<String, Value>, key: &str, v: Value) {
    if let Value::Array(list) = m
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        list.push(v);
    }
}

/// The `"bgp-ls"` JSON object for a decoded attribute; `None` where a TLV
/// is one ExaBGP's JSON refuses.
pub fn ls_json(a: &LsAttribute) -> Option<Value> {
    let mut m = Map::new();
    for t in &a.tlvs {
        tlv(&mut m, t)?;
    }
    Some(Value::Object(m))
}

/// The `"bgp-ls"` JSON object for an attribute value: its model's
/// [`ls_json`], or `{"raw": "0x<hex>"}` when the value does not decode or
/// ExaBGP's JSON refuses a TLV.
pub fn json(value: &[u8]) -> Value {
    LsAttribute::decode(value)
        .ok()
        .and_then(|a| ls_json(&a))
        .unwrap_or_else(|| json!({ "raw": hex_prefixed(value) }))
}
#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        ferrobgp_wire::hex::parse_hex(s).unwrap()
    }

    #[test]
    fn exabgp_renderings() {
        // values hand-built; expected JSON from exabgp 5.0.15 decode
        let node = unhex(
            "04000001800402000772 6F75746572310403000349000104040004 0A000001"
                .replace(' ', "")
                .as_str(),
        );
        assert_eq!(
            json(&node),
            json!({ "node-flags": {"O": 1, "T": 0, "E": 0, "B": 0, "R": 0, "V": 0, "RSV": 0},
                    "node-name": "router1", "area-id": "4784129",
                    "local-te-router-ids": ["10.0.0.1"] })
        );
        let link = unhex("044000040A000002044100044E6E6B28044400040000000A04470003000014044800080000000100000002044A000465746830");
        assert_eq!(
            json(&link),
            json!({ "admin-group-mask": 167772162, "maximum-link-bandwidth": 1000000000.0,
                    "te-metric": 10, "igp-metric": 20, "shared-risk-link-groups": [1, 2],
                    "link-name": "eth0" })
        );
        let prefix = unhex("0480000180048300040000001E048600084000000000000064");
        assert_eq!(
            json(&prefix),
            json!({ "igp-flags": {"D": 1, "N": 0, "L": 0, "P": 0, "RSV": 0}, "prefix-metric": 30,
                    "sr-prefix-flags": {"R": 0, "N": 1, "P": 0, "E": 0, "V": 0, "L": 0, "RSV": 0},
                    "sids": [100], "undecoded-sids": [], "sr-algorithm": 0 })
        );
        let sr = unhex("040A000C80000003E804890003003E80");
        assert_eq!(
            json(&sr),
            json!({ "sr-capability-flags": {"I": 1, "V": 0, "RSV": 0}, "sids": [[1000, 16000]] })
        );
        assert_eq!(json(&[4, 0, 0, 9]), json!({"raw": "0x04000009"}));
    }
}
