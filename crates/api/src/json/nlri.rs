//! ExaBGP's JSON for the NLRIs and attributes whose rendering reads
//! fields the codec keeps as bytes or typed TLVs: EVPN routes, BGP-LS
//! NLRIs, route-target membership and the Prefix-SID attribute.

use super::{hex_lower, hex_upper};
use ferrobgp_wire::attribute::attr_40_prefix_sid::PrefixSidTlv;
use ferrobgp_wire::attribute::PrefixSid;
use ferrobgp_wire::bgp_ls::{IgpRouterId, NlriTlv, NodeDescriptor};
use ferrobgp_wire::nlri::evpn::{Esi, EvpnRoute};
use ferrobgp_wire::nlri::{BgpLs, Evpn, Rtc};
use serde_json::{json, Map, Value};

/// A MAC address as ExaBGP 5.0.15 prints it: upper-case hex (its ESI is
/// lower-case).
pub(crate) fn mac(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Colon-separated hex; ExaBGP shows an all-zero ESI as `-`.
pub(crate) fn esi(b: &Esi) -> String {
    if b.iter().all(|x| *x == 0) {
        return "-".into();
    }
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// ExaBGP renders EVPN labels as `[label, raw 24-bit value]`.
fn labels(raw: &[u32]) -> Value {
    Value::Array(raw.iter().map(|l| json!([l >> 4, l])).collect())
}

/// The type-specific fields as ExaBGP's JSON keys, in its order; `None`
/// when the body does not parse ([`Evpn::fields`]).
fn evpn_fields(e: &Evpn) -> Option<Map<String, Value>> {
    let f = e.fields()?;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.into(), v);
    };
    put("rd", json!(f.rd.to_string()));
    match &f.route {
        EvpnRoute::EthernetAd {
            esi: e,
            tag,
            labels: l,
        } => {
            put("esi", json!(esi(e)));
            put("ethernet-tag", json!(tag));
            put("label", labels(l));
        }
        // ExaBGP shows the first label only (label 2 is skipped)
        EvpnRoute::MacIp {
            esi: e,
            tag,
            mac: a,
            ip,
            label,
            ..
        } => {
            put("esi", json!(esi(e)));
            put("ethernet-tag", json!(tag));
            put("mac", json!(mac(a)));
            put("label", labels(&[*label]));
            if let Some(ip) = ip {
                put("ip", json!(ip.to_string()));
            }
        }
        EvpnRoute::InclusiveMulticast { tag, ip } => {
            put("ethernet-tag", json!(tag));
            put("ip", json!(ip.to_string()));
        }
        EvpnRoute::EthernetSegment { esi: e, ip } => {
            put("esi", json!(esi(e)));
            put("ip", json!(ip.to_string()));
        }
        EvpnRoute::IpPrefix(p) => {
            put("esi", json!(esi(&p.esi)));
            put("ethernet-tag", json!(p.tag));
            put("label", labels(&p.labels));
            put("ip", json!(p.prefix.to_string()));
            put("iplen", json!(p.prefix_len));
            put("gateway", json!(p.gateway.to_string()));
        }
    }
    Some(m)
}

/// ExaBGP's JSON object: `code`, `parsed`, `raw`, `name`, then the
/// fields of the route type.
pub fn evpn_json(e: &Evpn) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), json!(e.route_type));
    let parsed = evpn_fields(e);
    m.insert("parsed".into(), json!(parsed.is_some()));
    m.insert("raw".into(), json!(e.raw_hex()));
    m.insert("name".into(), json!(e.name()));
    if let Some(p) = parsed {
        m.extend(p);
    }
    Value::Object(m)
}

// ---- BGP-LS NLRI

/// The IGP Router-ID sub-TLV as ExaBGP 5.0.15 shows it: IS-IS the system
/// ID in lower-case hex (the pseudonode octet included) and a non-zero
/// pseudonode number as `psn`; OSPF the router ID dotted, and for a
/// pseudonode the designated router's interface address as
/// `designated-router-id`; anything else in hex.
fn igp_router_id(id: &IgpRouterId) -> Value {
    match id {
        IgpRouterId::Isis {
            system_id,
            pseudonode,
        } => {
            let mut sysid = hex_lower(system_id);
            if let Some(p) = pseudonode {
                sysid.push_str(&format!("{p:02x}"));
            }
            match pseudonode.filter(|psn| *psn != 0) {
                Some(psn) => json!({ "router-id": sysid, "psn": psn.to_string() }),
                None => json!({ "router-id": sysid }),
            }
        }
        IgpRouterId::Ospf {
            router_id,
            designated_router: Some(dr),
        } => json!({ "router-id": router_id.to_string(), "designated-router-id": dr.to_string() }),
        IgpRouterId::Ospf { router_id, .. } => json!({ "router-id": router_id.to_string() }),
        IgpRouterId::Other(b) => json!({ "router-id": hex_upper(b) }),
    }
}

/// Node descriptor sub-TLVs as ExaBGP lists them.
fn node_descriptors(d: &[NodeDescriptor]) -> Value {
    let out = d
        .iter()
        .map(|d| match d {
            NodeDescriptor::As(a) => json!({ "autonomous-system": a }),
            NodeDescriptor::BgpLsIdentifier(i) => json!({ "bgp-ls-identifier": i.to_string() }),
            NodeDescriptor::OspfAreaId(a) => json!({ "ospf-area-id": a.to_string() }),
            NodeDescriptor::IgpRouterId(id) => igp_router_id(id),
            NodeDescriptor::Other { kind, value } => {
                json!({ format!("generic-lsid-{kind}"): hex_upper(value) })
            }
        })
        .collect();
    Value::Array(out)
}

fn bgp_ls_fields(b: &BgpLs, next_hop: Option<&str>) -> Option<Map<String, Value>> {
    let name = b.type_name()?;
    let d = b.descriptors()?;
    let mut m = Map::new();
    m.insert("ls-nlri-type".into(), json!(name));
    m.insert("l3-routing-topology".into(), json!(d.identifier));
    m.insert("protocol-id".into(), json!(d.protocol));
    let (mut ifaces, mut neighbors, mut mt, mut link_ids) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut prefix: Option<(String, String)> = None;
    let mut srv6_sid: Option<String> = None;
    let mut ospf_route_type: Option<u8> = None;
    for t in &d.tlvs {
        match t {
            NlriTlv::LocalNode(n) if b.nlri_type == 2 => {
                m.insert("local-node-descriptors".into(), node_descriptors(n));
            }
            NlriTlv::LocalNode(n) => {
                m.insert("node-descriptors".into(), node_descriptors(n));
            }
            NlriTlv::RemoteNode(n) => {
                m.insert("remote-node-descriptors".into(), node_descriptors(n));
            }
            NlriTlv::LinkIdentifiers(v) => link_ids.push(json!(hex_upper(v))),
            NlriTlv::InterfaceAddress(a) => ifaces.push(json!(a.to_string())),
            NlriTlv::NeighborAddress(a) => neighbors.push(json!(a.to_string())),
            NlriTlv::MultiTopology(v) => mt.push(json!(hex_upper(v))),
            NlriTlv::OspfRouteType(t) => ospf_route_type = Some(*t),
            NlriTlv::Srv6Sid(a) => srv6_sid = Some(a.to_string()),
            NlriTlv::IpReachability { prefix_len, addr } => {
                prefix = Some((addr.to_string(), format!("{addr}/{prefix_len}")));
            }
            NlriTlv::Other { kind, value } => {
                m.insert(format!("generic-lsid-{kind}"), json!(hex_upper(value)));
            }
        }
    }
    match b.nlri_type {
        2 => {
            m.insert("interface-addresses".into(), Value::Array(ifaces));
            m.insert("neighbor-addresses".into(), Value::Array(neighbors));
            m.insert("multi-topology-ids".into(), Value::Array(mt));
            m.insert("link-identifiers".into(), Value::Array(link_ids));
        }
        6 => {
            let mut d = Map::new();
            d.insert("multi-topology-ids".into(), Value::Array(mt));
            if let Some(sid) = srv6_sid {
                d.insert("srv6-sid".into(), json!(sid));
            }
            m.insert("srv6-sid-descriptors".into(), Value::Object(d));
        }
        3 | 4 => {
            if let Some((a, p)) = prefix {
                m.insert("ip-reachability-tlv".into(), json!(a));
                m.insert("ip-reach-prefix".into(), json!(p));
            }
        }
        _ => {}
    }
    if !matches!(b.nlri_type, 2 | 6) {
        if let Some(nh) = next_hop {
            m.insert("nexthop".into(), json!(nh));
        }
    }
    // the OSPF Route Type TLV (RFC 9552 5.2.3.1), after the next hop as
    // 5.0.15 prints it
    if let Some(t) = ospf_route_type {
        m.insert("ospf-route-type".into(), json!(t));
    }
    Some(m)
}

/// ExaBGP's JSON for the NLRI; `next_hop` is the announcement's next hop
/// (ExaBGP repeats it inside node and prefix NLRIs).
pub fn bgp_ls_nlri_json(b: &BgpLs, next_hop: Option<&str>) -> Value {
    let mut m = bgp_ls_fields(b, next_hop).unwrap_or_else(|| {
        let mut m = Map::new();
        m.insert("ls-nlri-type".into(), json!(b.nlri_type));
        m.insert("raw".into(), json!(hex_upper(&b.body)));
        m
    });
    if let Some(rd) = &b.rd {
        m.insert("rd".into(), json!(rd.to_string()));
    }
    Value::Object(m)
}

/// ExaBGP's JSON: `{"origin": 65000, "route-target": "target:65000:1"}`
/// (`null` route target when absent).
pub fn rtc_json(r: &Rtc) -> Value {
    json!({
        "origin": r.origin(),
        "route-target": r.route_target().map(|c| c.to_string()),
    })
}

/// ExaBGP's `"bgp-prefix-sid"` object: `sr-label-index`, `sr-srgbs`,
/// `l3-service` / `l2-service` lists. (ExaBGP 5.0.15 prints the SRv6
/// `sid` and `endpoint_behavior` as unformatted `%s` / `%d`, invalid
/// JSON; here they carry their values.)
pub fn prefix_sid_json(p: &PrefixSid) -> Value {
    let mut m = Map::new();
    for t in &p.tlvs {
        match t {
            PrefixSidTlv::LabelIndex { index, .. } => {
                m.insert("sr-label-index".into(), json!(index));
            }
            PrefixSidTlv::Srgb { ranges, .. } => {
                let v: Vec<Value> = ranges.iter().map(|(b, r)| json!([b, r])).collect();
                m.insert("sr-srgbs".into(), Value::Array(v));
            }
            PrefixSidTlv::Srv6Service { l2, sids } => {
                let v: Vec<Value> = sids
                    .iter()
                    .map(|s| {
                        let mut o = Map::new();
                        o.insert("sid".into(), json!(s.sid.to_string()));
                        o.insert("flags".into(), json!(s.flags));
                        o.insert("endpoint_behavior".into(), json!(s.behavior));
                        if let Some(st) = &s.structure {
                            o.insert(
                                "structure".into(),
                                json!({
                                    "locator-block-length": st.locator_block,
                                    "locator-node-length": st.locator_node,
                                    "function-length": st.function,
                                    "argument-length": st.argument,
                                    "transposition-length": st.transposition_length,
                                    "transposition-offset": st.transposition_offset,
                                }),
                            );
                        }
                        Value::Object(o)
                    })
                    .collect();
                let key = if *l2 { "l2-service" } else { "l3-service" };
                m.insert(key.into(), Value::Array(v));
            }
            PrefixSidTlv::Other { kind, value } => {
                let hex: String = value.iter().map(|b| format!("{b:02X}")).collect();
                m.insert(
                    format!("attribute-not-implemented-{kind}"),
                    json!(format!("0x{hex}")),
                );
            }
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::codec::Reader;

    #[test]
    fn evpn_mac_ip_route() {
        // RFC 7432 route type 2, built by hand; JSON from exabgp 5.0.15 decode
        let wire = [
            0x02, 0x28, 0x00, 0x00, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33,
            0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0x00, 0x00, 0x00, 0x64, 0x30, 0x00, 0x11, 0x22,
            0x33, 0x44, 0x55, 0x20, 0x0A, 0x00, 0x00, 0x01, 0x00, 0x06, 0x41, 0x00, 0x07, 0xD1,
        ];
        let e = Evpn::decode(&mut Reader::new(&wire)).unwrap();
        let j = evpn_json(&e);
        assert_eq!(j["mac"], "00:11:22:33:44:55");
        assert_eq!(j["ip"], "10.0.0.1");
        assert_eq!(j["label"], json!([[100, 1601]]));
        assert_eq!(j["parsed"], true);
        let bad = Evpn {
            route_type: 2,
            body: wire[2..20].into(),
        };
        assert_eq!(evpn_json(&bad)["parsed"], false);
    }

    #[test]
    fn bgp_ls_node_nlri() {
        // hand-built node NLRI (IS-IS L2, AS 65000, router 0000.0000.0001);
        // expected JSON from exabgp 5.0.15 decode
        let wire = [
            0x00, 0x01, 0x00, 0x27, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x1A, 0x02,
            0x00, 0x00, 0x04, 0x00, 0x00, 0xFD, 0xE8, 0x02, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00,
            0x00, 0x02, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        ];
        let n = BgpLs::decode(&mut Reader::new(&wire), false).unwrap();
        assert_eq!(
            bgp_ls_nlri_json(&n, Some("192.0.2.1")),
            json!({ "ls-nlri-type": "bgpls-node", "l3-routing-topology": 0, "protocol-id": 2,
                    "node-descriptors": [ { "autonomous-system": 65000 },
                        { "bgp-ls-identifier": "0" }, { "router-id": "000000000001" } ],
                    "nexthop": "192.0.2.1" })
        );
    }

    #[test]
    fn rtc_membership() {
        let wire = [
            96, 0, 0, 0xFD, 0xE8, 0x00, 0x02, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x01,
        ];
        let m = Rtc::decode(&mut Reader::new(&wire), false).unwrap();
        // JSON from exabgp 5.0.15 decode
        assert_eq!(
            rtc_json(&m),
            json!({"origin": 65000, "route-target": "target:65000:1"})
        );
        assert_eq!(
            rtc_json(&Rtc::decode(&mut Reader::new(&[0]), false).unwrap()),
            json!({"origin": 0, "route-target": null})
        );
    }

    #[test]
    fn prefix_sid_label_index() {
        // conf-prefix-sid: bgp-prefix-sid [ 300, [ ( 800000,4096 ), ( 1000000,5000 ) ] ]
        let p = PrefixSid::label_index(300, &[(800000, 4096), (1000000, 5000)]);
        assert_eq!(
            prefix_sid_json(&p),
            json!({"sr-label-index": 300, "sr-srgbs": [[800000, 4096], [1000000, 5000]]})
        );
    }
}
