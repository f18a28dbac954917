//! BGP-LS Attribute (type code 29, RFC 7752 section 3.3, with the segment
//! routing TLVs of RFC 9085): an optional non-transitive attribute made of
//! TLVs (type 2 bytes, length 2 bytes) describing a node, link or prefix.
//!
//! Its JSON rendering: [`json`] renders ExaBGP 5.0.15's `"bgp-ls"`
//! object for the TLVs it knows (node flags, name, IS-IS area, router IDs,
//! opaque attributes, admin group, bandwidths, protection and MPLS masks,
//! TE and IGP metrics, SRLG, link name, adjacency SID, IGP flags, route
//! tags, prefix metric, OSPF forwarding address, SR capabilities and
//! algorithms, prefix SID, prefix attribute flags, source router ID; the
//! SRv6 capabilities, endpoint behavior and SID structure of RFC 9514,
//! SR adjacency LAN SIDs, SRv6 End.X / LAN End.X SIDs and locator. Other
//! TLVs appear as
//! `"generic-lsid-<type>": ["0x<hex>"]`. A value whose TLVs overrun is
//! rendered as `{"raw": "0x<hex>"}` (RFC 7752 section 8.2.2: a malformed
//! BGP-LS attribute is discarded, never a session reset).

use ferrobgp_wire::codec::Reader;
use serde_json::{json, Map, Value};
use std::net::{Ipv4Addr, Ipv6Addr};

fn hex(b: &[u8]) -> String {
    let s: String = b.iter().map(|x| format!("{x:02X}")).collect();
    format!("0x{s}")
}

/// A big-endian unsigned integer of at most 8 bytes.
pub fn uint(b: &[u8]) -> u64 {
    b.iter().take(8).fold(0u64, |v, x| (v << 8) | u64::from(*x))
}

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

fn float(b: &[u8]) -> Option<f64> {
    Some(f64::from(f32::from_be_bytes(b.try_into().ok()?)))
}

/// Renders one TLV into `m`; `None` when its value does not parse.
fn tlv(m: &mut Map<String, Value>, t: u16, v: &[u8]) -> Option<()> {
    match t {
        1024 => {
            m.insert(
                "node-flags".into(),
                flags(*v.first()?, &["O", "T", "E", "B", "R", "V"]),
            );
        }
        1026 => {
            m.insert(
                "node-name".into(),
                json!(String::from_utf8_lossy(v).into_owned()),
            );
        }
        1027 => {
            m.insert("area-id".into(), json!(uint(v).to_string()));
        }
        1028 | 1029 => {
            // IPv4 and IPv6 local TE router IDs merge into one list
            let ip = match v.len() {
                4 => Ipv4Addr::from(<[u8; 4]>::try_from(v).ok()?).to_string(),
                16 => Ipv6Addr::from(<[u8; 16]>::try_from(v).ok()?).to_string(),
                _ => return None,
            };
            push(m, "local-te-router-ids", json!(ip));
        }
        1034 => {
            let f = *v.first()?;
            m.insert("sr-capability-flags".into(), flags(f, &["I", "V"]));
            // range (3) + SID/label sub-TLV (type 2, length 2, 3-byte label)
            let mut r = Reader::new(v.get(2..)?);
            let mut sids = Vec::new();
            while !r.is_empty() {
                let range = r.u24().ok()?;
                let _kind = r.u16().ok()?;
                let len = r.u16().ok()?;
                let b = r.take(usize::from(len)).ok()?;
                sids.push(json!([range, uint(b)]));
            }
            m.insert("sids".into(), Value::Array(sids));
        }
        1035 => {
            // an empty list means the default SPF (IOS XR sends it)
            let algos: Vec<u8> = if v.is_empty() { vec![0] } else { v.to_vec() };
            m.insert("sr-algorithms".into(), json!(algos));
        }
        1038 => {
            // RFC 9514 section 3.1: flags (2, O-flag 0x4000), reserved (2)
            let f = u16::from_be_bytes([*v.first()?, *v.get(1)?]);
            m.insert(
                "srv6-capabilities".into(),
                // ExaBGP 5.0.15 reports the masked bit 0x0040 (64 or 0)
                json!({ "flags": { "O": f & 0x40 } }),
            );
        }
        1088 => {
            m.insert("admin-group-mask".into(), json!(uint(v)));
        }
        1089 => {
            m.insert("maximum-link-bandwidth".into(), json!(float(v)?));
        }
        1090 => {
            m.insert("maximum-reservable-link-bandwidth".into(), json!(float(v)?));
        }
        1091 => {
            let v: Option<Vec<f64>> = v.chunks(4).map(float).collect();
            m.insert("unreserved-bandwidth".into(), json!(v?));
        }
        1092 => {
            m.insert("te-metric".into(), json!(uint(v)));
        }
        1095 => {
            m.insert("igp-metric".into(), json!(uint(v)));
        }
        1096 => {
            let v: Vec<u64> = v.chunks(4).map(uint).collect();
            m.insert("shared-risk-link-groups".into(), json!(v));
        }
        1098 => {
            m.insert(
                "link-name".into(),
                json!(String::from_utf8_lossy(v).into_owned()),
            );
        }
        1152 => {
            m.insert(
                "igp-flags".into(),
                flags(*v.first()?, &["D", "N", "L", "P"]),
            );
        }
        1155 => {
            m.insert("prefix-metric".into(), json!(uint(v)));
        }
        1158 => {
            // flags (1), algorithm (1), reserved (2), SIDs: labels (3) when
            // V and L are set, one index (4) when neither is
            let f = *v.first()?;
            let algo = *v.get(1)?;
            m.insert(
                "sr-prefix-flags".into(),
                flags(f, &["R", "N", "P", "E", "V", "L"]),
            );
            let (sids, raw) = sid_list(f & 0x08 != 0, f & 0x04 != 0, v.get(4..)?, true)?;
            m.insert("sids".into(), json!(sids));
            m.insert("undecoded-sids".into(), json!(raw));
            m.insert("sr-algorithm".into(), json!(algo));
        }
        1099 => {
            // RFC 9085 2.2.1: flags (1), weight (1), reserved (2), SIDs
            let f = *v.first()?;
            let weight = *v.get(1)?;
            let (sids, raw) = sid_list(
                f & 0x20 != 0,
                f & 0x10 != 0,
                v.get(4..).unwrap_or(&[]),
                false,
            )?;
            m.insert(
                "sr-adj".into(),
                json!({ "flags": flags(f, &["F", "B", "V", "L", "S", "P"]), "sids": sids,
                        "weight": weight, "undecoded-sids": raw }),
            );
        }
        1025 | 1097 | 1157 => {
            let key = match t {
                1025 => "opaque",
                1097 => "opaque-link",
                _ => "opaque-prefix",
            };
            m.insert(key.into(), json!(String::from_utf8_lossy(v).into_owned()));
        }
        1030 | 1031 | 1156 | 1171 => {
            // one key per TLV (ExaBGP repeats the key; a JSON reader keeps
            // the last, as this map does)
            let key = match t {
                1030 | 1031 => "remote-te-router-id",
                1156 => "ospf-forwarding-address",
                _ => "sr-source-router-id",
            };
            let ip = match v.len() {
                4 => Ipv4Addr::from(<[u8; 4]>::try_from(v).ok()?).to_string(),
                16 => Ipv6Addr::from(<[u8; 16]>::try_from(v).ok()?).to_string(),
                _ => return None,
            };
            m.insert(key.into(), json!(ip));
        }
        1093 if v.len() == 2 => {
            let names = [
                "ExtraTrafic",
                "Unprotected",
                "Shared",
                "Dedicated 1:1",
                "Dedicated 1+1",
                "Enhanced",
            ];
            m.insert("link-protection-flags".into(), flags(v[0], &names));
        }
        1094 if v.len() == 1 => {
            m.insert("mpls-mask".into(), flags(v[0], &["LDP", "RSVP-TE"]));
        }
        1153 if v.len() % 4 == 0 => {
            let t: Vec<u64> = v.chunks(4).map(uint).collect();
            m.insert("igp-route-tags".into(), json!(t));
        }
        1154 if v.len() % 8 == 0 => {
            let t: Vec<u64> = v.chunks(8).map(uint).collect();
            m.insert("igp-extended-route-tags".into(), json!(t));
        }
        1170 => {
            m.insert(
                "sr-prefix-attribute-flags".into(),
                flags(*v.first()?, &["X", "R", "N"]),
            );
        }
        1100 if v.len() >= 10 => {
            // RFC 9085 2.2.2: flags, weight, reserved (2), neighbor system
            // ID (6), SIDs; every such TLV joins one list
            let f = v[0];
            let (sids, raw) = sid_list(f & 0x20 != 0, f & 0x10 != 0, &v[10..], false)?;
            push(
                m,
                "sr-adj-lan-sids",
                json!({ "flags": flags(f, &["F", "B", "V", "L", "S", "P"]), "weight": v[1],
                        "system-id": hex_lower(&v[4..10]), "sids": sids, "undecoded": raw }),
            );
        }
        1106..=1108 => {
            // RFC 9514 sections 4.1 / 4.2: SRv6 End.X and LAN End.X SIDs
            let (key, o) = endx(t, v)?;
            push(m, key, Value::Object(o));
        }
        1162 if v.len() >= 8 => {
            // RFC 9514 section 5.1: flags, algorithm, reserved (2), metric
            m.insert(
                "srv6-locator".into(),
                json!({ "flags": flags(v[0], &["D"]), "algorithm": v[1],
                        "metric": uint(&v[4..8]) }),
            );
        }
        1250 => {
            // RFC 9514 section 7.1: behavior (2), flags (1), algorithm (1)
            let behavior = u16::from_be_bytes([*v.first()?, *v.get(1)?]);
            let f = *v.get(2)?;
            let flags: Vec<u8> = if f == 0 { Vec::new() } else { vec![f] };
            m.insert(
                "srv6-endpoint-behavior".into(),
                json!({ "endpoint-behavior": behavior, "flags": flags, "algorithm": *v.get(3)? }),
            );
        }
        1252 => {
            // RFC 9514 section 8: locator block, node, function, argument
            m.insert(
                "srv6-sid-structure".into(),
                json!({ "loc_block_len": *v.first()?, "loc_node_len": *v.get(1)?,
                        "func_len": *v.get(2)?, "arg_len": *v.get(3)? }),
            );
        }
        _ => push(m, &format!("generic-lsid-{t}"), json!(hex(v))),
    }
    Some(())
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An SRv6 End.X (1106) or LAN End.X (1107 IS-IS, 1108 OSPFv3) SID: its
/// JSON key and object (flags B/S/P, behavior, algorithm, weight, neighbor
/// for LAN, SID, then its sub-TLVs: the SID structure (1252) by name,
/// others as hex). `None` when shorter than its fixed part or a sub-TLV
/// overruns it.
pub fn endx(t: u16, v: &[u8]) -> Option<(&'static str, Map<String, Value>)> {
    let (key, fixed, neighbor) = match t {
        1106 => ("srv6-endx", 22, None),
        1107 => ("srv6-lan-endx-isis", 28, Some(hex_lower(v.get(6..12)?))),
        _ => (
            "srv6-lan-endx-ospf",
            26,
            Some(Ipv4Addr::from(<[u8; 4]>::try_from(v.get(6..10)?).ok()?).to_string()),
        ),
    };
    if v.len() < fixed {
        return None;
    }
    let sid = Ipv6Addr::from(<[u8; 16]>::try_from(&v[fixed - 16..fixed]).ok()?);
    let mut o = Map::new();
    o.insert("flags".into(), flags(v[2], &["B", "S", "P"]));
    if let Some(n) = neighbor {
        o.insert("neighbor-id".into(), json!(n));
    }
    o.insert("behavior".into(), json!(u16::from_be_bytes([v[0], v[1]])));
    o.insert("algorithm".into(), json!(v[3]));
    o.insert("weight".into(), json!(v[4]));
    o.insert("sid".into(), json!(sid.to_string()));
    let mut r = Reader::new(&v[fixed..]);
    // a remnant shorter than a sub-TLV header is ignored, as ExaBGP does
    while r.left() >= 4 {
        let st = r.u16().ok()?;
        let sl = r.u16().ok()?;
        let sv = r.take(usize::from(sl)).ok()?;
        if st == 1252 {
            // ExaBGP refuses (discards the attribute) a short structure
            if sv.len() < 4 {
                return None;
            }
            o.insert(
                "srv6-sid-structure".into(),
                json!({ "loc_block_len": sv[0], "loc_node_len": sv[1],
                        "func_len": sv[2], "arg_len": sv[3] }),
            );
        } else if t == 1106 {
            o.insert(format!("subtlv-not-implemented-{st}"), json!(hex(sv)));
        } else {
            o.insert(format!("{st}-undecoded"), json!(hex(sv)));
        }
    }
    Some((key, o))
}

/// The SIDs after an SR prefix / adjacency header as ExaBGP reads them:
/// 3-byte labels when V and L are set, 4-byte indexes when neither is (for
/// a prefix SID exactly one: `None` otherwise), else the rest undecoded
/// (`0x` + upper hex).
pub fn sid_list(
    v_flag: bool,
    l_flag: bool,
    mut data: &[u8],
    prefix: bool,
) -> Option<(Vec<u64>, Vec<String>)> {
    let mut sids = Vec::new();
    let mut raw = Vec::new();
    while !data.is_empty() {
        if v_flag && l_flag {
            sids.push(uint(data.get(..3)?));
            data = &data[3..];
        } else if !v_flag && !l_flag {
            if prefix && data.len() != 4 {
                return None;
            }
            sids.push(uint(data.get(..4)?));
            data = &data[4..];
        } else {
            raw.push(hex(data));
            break;
        }
    }
    Some((sids, raw))
}

fn push(m: &mut Map<String, Value>, key: &str, v: Value) {
    if let Value::Array(list) = m
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        list.push(v);
    }
}

/// The `"bgp-ls"` JSON object for an attribute value.
pub fn json(value: &[u8]) -> Value {
    let mut m = Map::new();
    let mut r = Reader::new(value);
    while !r.is_empty() {
        let parsed = (|| {
            let t = r.u16().ok()?;
            let l = r.u16().ok()?;
            let v = r.take(usize::from(l)).ok()?;
            tlv(&mut m, t, v)
        })();
        if parsed.is_none() {
            return json!({ "raw": hex(value) });
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
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
