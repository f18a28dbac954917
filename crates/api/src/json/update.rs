//! ExaBGP's JSON (spec 3.4) and text-encoder lines (spec 3.5) for UPDATE
//! messages, built from a decoded [`Update`].
//!
//! JSON: `{"update": {"attribute": {...}, "announce": {...}, "withdraw":
//! {...}}}` (each part only when present, in that order) or `{"eor": {"afi":
//! ..., "safi": ...}}`. Attributes are keyed by name in type-code order;
//! NEXT_HOP is not an attribute there but the key NLRIs are listed under.
//! Renderings follow ExaBGP 5.0.15 (checked with `exabgp decode`):
//! an empty AS_PATH is not shown; unknown transitive attributes appear as
//! `"attribute-0xCC-0xFF": "0x<lowercase hex>"` with the Partial bit added
//! to the flags (ExaBGP sets it on receipt); unknown non-transitive ones are
//! not shown; AIGP is an integer (the reference prints an invalid bare hex
//! literal, spec 9.3). The envelope (`neighbor`, `direction`, ...) is the
//! api crate's.

use super::{hex_lower_prefixed, hex_upper};
pub use crate::text::update::{attributes_text, update_text_lines};
use ferrobgp_wire::attribute::{
    code, flag, Attributes, Ipv6ExtendedCommunities, PrefixSid, RawAttribute, TYPED_ORDER,
};
use ferrobgp_wire::family::{Afi, Family, Safi};
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::NextHop;
use ferrobgp_wire::update::Update;
use serde_json::{json, Map, Value};

/// The value under `"message"` for an UPDATE: `{"update": ...}` or
/// `{"eor": ...}`.
pub fn update_message_json(u: &Update) -> Value {
    update_message_json_with(u, false)
}

/// As [`update_message_json`]; with `compact` (ExaBGP's
/// `exabgp.api.compact`), unicast/multicast NLRIs without path identifier
/// are bare strings (`"10.0.0.0/24"`) instead of `{"nlri": ...}` objects.
pub fn update_message_json_with(u: &Update, compact: bool) -> Value {
    if let Some(f) = u.eor() {
        return json!({ "eor": { "afi": f.afi.to_string(), "safi": f.safi.to_string() } });
    }
    let mut update = Map::new();
    let attrs = attributes_json(&u.attributes);
    if !attrs.is_empty() {
        update.insert("attribute".into(), Value::Object(attrs));
    }
    // announce: family -> next hop -> [nlri]; the next hop's keys are
    // printed once, and each run of one family is looked up once
    let mut announce: Map<String, Value> = Map::new();
    let mut add = |nh: &NextHop, nlri: &[Nlri]| {
        let keys = nh.addresses();
        for run in nlri.chunk_by(|a, b| shown_family(a) == shown_family(b)) {
            let fam = announce
                .entry(shown_family(&run[0]).spaced())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(by_nh) = fam else { continue };
            for key in &keys {
                let items = run
                    .iter()
                    .map(|n| compacted(n, nlri_json_at(n, Some(key)), compact));
                if let Value::Array(list) = by_nh
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(vec![]))
                {
                    list.extend(items);
                }
            }
        }
    };
    add(&u.next_hop.map_or(NextHop::None, NextHop::V4), &u.nlri);
    if let Some(r) = &u.mp_reach {
        add(&r.next_hop, &r.nlri);
    }
    if !announce.is_empty() {
        update.insert("announce".into(), Value::Object(announce));
    }
    let mut withdraw: Map<String, Value> = Map::new();
    let unreach = u.mp_unreach.iter().flat_map(|m| &m.nlri);
    for n in u.withdrawn.iter().chain(unreach) {
        if let Value::Array(list) = withdraw
            .entry(shown_family(n).spaced())
            .or_insert_with(|| Value::Array(vec![]))
        {
            list.push(compacted(n, nlri_json(n), compact));
        }
    }
    if !withdraw.is_empty() {
        update.insert("withdraw".into(), Value::Object(withdraw));
    }
    // built, not `json!`: the macro would copy the whole tree through serde
    let mut message = Map::new();
    message.insert("update".into(), Value::Object(update));
    Value::Object(message)
}

/// The family ExaBGP 5.0.15 reports an NLRI under: its own, except
/// BGP-LS-VPN (SAFI 72), which the reference reports as `bgp-ls bgp-ls`
/// (reference defect kept so that helpers find the routes where ExaBGP
/// puts them; the `rd` key of the NLRI object tells the two apart).
pub fn shown_family(n: &Nlri) -> Family {
    let f = n.family();
    if f == Family::new(Afi::BGP_LS, Safi::BGP_LS_VPN) {
        Family::new(Afi::BGP_LS, Safi::BGP_LS)
    } else {
        f
    }
}

/// ExaBGP's compact form of a plain prefix: the bare string.
fn compacted(n: &Nlri, item: Value, compact: bool) -> Value {
    match n {
        Nlri::Prefix(p) if compact && p.path_id.is_none() => Value::String(p.net.to_string()),
        _ => item,
    }
}

/// `{"nlri": "10.0.0.0/24"}`, with `"path-information": "0.0.0.1"` when
/// the NLRI has a path identifier; the other families' objects as ExaBGP
/// writes them in a withdrawal (see [`nlri_json_at`]).
pub fn nlri_json(n: &Nlri) -> Value {
    nlri_json_at(n, None)
}

/// The JSON object of an NLRI announced with next hop `next_hop` (the key
/// it is listed under; `None` in withdrawals). FlowSpec and BGP-LS repeat
/// the next hop inside the object, as ExaBGP 5.0.15 does (BGP-LS: `"None"`
/// in withdrawals).
pub fn nlri_json_at(n: &Nlri, next_hop: Option<&str>) -> Value {
    let withdrawn = next_hop.is_none();
    let next_hop = next_hop.filter(|nh| *nh != "no-nexthop");
    match n {
        Nlri::Labelled(l) => {
            let mut m = Map::new();
            m.insert("nlri".into(), Value::String(l.net.to_string()));
            if let Some(id) = l.path_id {
                m.insert(
                    "path-information".into(),
                    Value::String(std::net::Ipv4Addr::from(id).to_string()),
                );
            }
            if !l.labels.is_empty() {
                let v: Vec<Value> = l.labels.values().map(|x| json!([x])).collect();
                m.insert("label".into(), Value::Array(v));
            }
            if let Some(rd) = &l.rd {
                m.insert("rd".into(), Value::String(rd.to_string()));
            }
            Value::Object(m)
        }
        Nlri::Flow(f) => {
            let mut m = Map::new();
            for (name, v) in f.rendered() {
                m.insert(name.into(), json!(v));
            }
            if let Some(rd) = &f.rd {
                m.insert("rd".into(), Value::String(rd.to_string()));
            }
            if let Some(nh) = next_hop {
                m.insert("next-hop".into(), Value::String(nh.to_string()));
            }
            m.insert("string".into(), Value::String(f.text(next_hop)));
            Value::Object(m)
        }
        Nlri::Vpls(v) => json!({
            "rd": v.rd.to_string(),
            "endpoint": v.endpoint,
            "base": v.base(),
            "offset": v.offset,
            "size": v.size,
        }),
        Nlri::Evpn(e) => super::nlri::evpn_json(e),
        Nlri::Mvpn(m) => mvpn_json(m),
        Nlri::Mup(m) => mup_json(m),
        Nlri::Rtc(r) => super::nlri::rtc_json(r),
        // a withdrawn node / prefix NLRI carries `"nexthop": "None"` in
        // ExaBGP 5.0.15 (Python's None printed; kept for helpers)
        Nlri::BgpLs(b) if withdrawn => super::nlri::bgp_ls_nlri_json(b, Some("None")),
        Nlri::BgpLs(b) => super::nlri::bgp_ls_nlri_json(b, next_hop),
        Nlri::Prefix(p) => {
            let mut m = Map::new();
            m.insert("nlri".into(), Value::String(p.net.to_string()));
            if let Some(id) = p.path_id {
                m.insert(
                    "path-information".into(),
                    Value::String(std::net::Ipv4Addr::from(id).to_string()),
                );
            }
            Value::Object(m)
        }
        // families without a parser yet: their bytes, so nothing is hidden
        Nlri::Unknown(u) => json!({ "raw": hex_lower_prefixed(&u.bytes) }),
    }
}

/// ExaBGP's MCAST-VPN object: code, parsed, raw, then for the route types
/// 5.0.15 decodes (5, 6, 7) the name and the fields; types 1 to 4 are its
/// generic object, without a name (seen on real captures of RFC 6514 A-D
/// routes).
fn mvpn_json(m: &ferrobgp_wire::nlri::Mvpn) -> Value {
    use ferrobgp_wire::nlri::mvpn::route_type;
    let mut raw = Vec::with_capacity(m.wire_len());
    m.encode(&mut raw);
    let mut o = Map::new();
    o.insert("code".into(), json!(m.route_type));
    let fields = m.fields();
    o.insert("parsed".into(), json!(fields.is_some()));
    o.insert("raw".into(), json!(hex_upper(&raw)));
    if matches!(
        m.route_type,
        route_type::SOURCE_AD | route_type::SHARED_JOIN | route_type::SOURCE_JOIN
    ) {
        o.insert("name".into(), json!(m.name()));
    }
    if let Some(f) = fields {
        o.insert("rd".into(), json!(f.rd.to_string()));
        if let Some(a) = f.source_as {
            o.insert("source-as".into(), json!(a.to_string()));
        }
        o.insert("source".into(), json!(f.source.to_string()));
        o.insert("group".into(), json!(f.group.to_string()));
    }
    Value::Object(o)
}

/// ExaBGP's MUP object (key names and string/number choices of 5.0.15,
/// whose output for T1ST lacks a comma: here it is valid JSON).
fn mup_json(m: &ferrobgp_wire::nlri::Mup) -> Value {
    use ferrobgp_wire::nlri::mup::MupFields;
    let mut o = Map::new();
    o.insert("name".into(), json!(m.name()));
    o.insert("arch".into(), json!(m.arch));
    o.insert("code".into(), json!(m.route_type));
    let bits = |ip: &std::net::IpAddr| if ip.is_ipv6() { 128 } else { 32 };
    match m.fields() {
        Some(MupFields::Isd { rd, prefix }) => {
            o.insert("prefix_ip_len".into(), json!(prefix.prefix_len()));
            o.insert("prefix_ip".into(), json!(prefix.addr().to_string()));
            o.insert("rd".into(), json!(rd.to_string()));
        }
        Some(MupFields::Dsd { rd, ip }) => {
            o.insert("ip".into(), json!(ip.to_string()));
            o.insert("rd".into(), json!(rd.to_string()));
        }
        Some(MupFields::T1st {
            rd,
            prefix,
            teid,
            qfi,
            endpoint,
            source,
        }) => {
            o.insert("prefix_ip_len".into(), json!(prefix.prefix_len()));
            o.insert("prefix_ip".into(), json!(prefix.addr().to_string()));
            o.insert("teid".into(), json!(teid.to_string()));
            o.insert("qfi".into(), json!(qfi.to_string()));
            o.insert("rd".into(), json!(rd.to_string()));
            for (len_key, key, ip) in [
                ("endpoint_ip_len", "endpoint_ip", endpoint),
                ("source_ip_len", "source_ip", source),
            ] {
                match ip {
                    Some(a) => {
                        o.insert(len_key.into(), json!(bits(&a)));
                        o.insert(key.into(), json!(a.to_string()));
                    }
                    None => {
                        o.insert(len_key.into(), json!(0));
                        o.insert(key.into(), json!("b''"));
                    }
                }
            }
        }
        Some(MupFields::T2st {
            rd,
            endpoint_len,
            endpoint,
            teid,
        }) => {
            o.insert("endpoint_len".into(), json!(endpoint_len));
            o.insert("endpoint_ip".into(), json!(endpoint.to_string()));
            o.insert("rd".into(), json!(rd.to_string()));
            o.insert("teid".into(), json!(teid.to_string()));
        }
        None => {}
    }
    o.insert("raw".into(), json!(m.raw_hex()));
    Value::Object(o)
}

/// The flags ExaBGP shows for an attribute kept raw: Partial added to a
/// transitive one; `None` for a non-transitive one (ExaBGP drops those).
fn shown_flags(flags: u8) -> Option<u8> {
    (flags & flag::TRANSITIVE != 0).then_some(flags | flag::PARTIAL)
}

/// ExaBGP's `"extended-community-ipv6"` list: `{"value": <the 160-bit
/// integer>, "string": ...}` per community, sorted by bytes; `None` when
/// the value is not a whole number of communities (shown raw then).
fn ipv6_extended_communities_json(value: &[u8]) -> Option<Value> {
    let c = Ipv6ExtendedCommunities::parse(value).ok()?;
    let items: Option<Vec<Value>> = c
        .sorted()
        .iter()
        .map(|x| {
            let n: serde_json::Number = serde_json::from_str(&x.value_decimal()).ok()?;
            Some(json!({ "value": Value::Number(n), "string": x.json_string() }))
        })
        .collect();
    Some(Value::Array(items?))
}

/// The `"attribute"` object (may be empty): typed attributes and those
/// kept raw, in type-code order.
pub fn attributes_json(a: &Attributes) -> Map<String, Value> {
    let mut m = Map::new();
    let mut raw = a.other.iter().peekable();
    // (NEXT_HOP gives nothing here: it is the next hop of the announcements)
    for c in TYPED_ORDER {
        // raw attributes whose code sorts before `c`
        while let Some(r) = raw.next_if(|r| r.code < c) {
            raw_attribute_json(&mut m, r);
        }
        typed_attribute_json(&mut m, a, c);
    }
    for r in raw {
        raw_attribute_json(&mut m, r);
    }
    m
}

/// An attribute kept raw: decoded where ExaBGP decodes it (BGP-LS, PMSI,
/// IPv6 extended communities, Prefix-SID), else its hex value under
/// `attribute-0xCODE-0xFLAGS` (transitive ones only).
fn raw_attribute_json(m: &mut Map<String, Value>, r: &RawAttribute) {
    if r.code == code::BGP_LS {
        m.insert("bgp-ls".into(), super::bgp_ls::json(&r.value));
        return;
    }
    if r.code == code::PMSI_TUNNEL {
        if let Some(t) = crate::text::attribute::pmsi_text(&r.value) {
            m.insert("pmsi".into(), Value::String(t));
            return;
        }
    }
    if r.code == code::IPV6_EXTENDED_COMMUNITIES {
        if let Some(v) = ipv6_extended_communities_json(&r.value) {
            m.insert("extended-community-ipv6".into(), v);
            return;
        }
    }
    if r.code == code::PREFIX_SID {
        if let Ok(p) = PrefixSid::parse(&r.value) {
            m.insert("bgp-prefix-sid".into(), super::nlri::prefix_sid_json(&p));
            return;
        }
    }
    if let Some(f) = shown_flags(r.flags) {
        m.insert(
            format!("attribute-0x{:02X}-0x{:02X}", r.code, f),
            Value::String(hex_lower_prefixed(&r.value)),
        );
    }
}

/// The typed attribute of code `c` of `a`, when it is set.
fn typed_attribute_json(m: &mut Map<String, Value>, a: &Attributes, c: u8) {
    let (key, value) = match c {
        code::ORIGIN => match a.origin {
            Some(o) => ("origin", Value::String(o.name().into())),
            None => return,
        },
        code::AS_PATH => match a.as_path.as_ref().filter(|p| !p.segments.is_empty()) {
            Some(p) => {
                let mut segs = Map::new();
                for (i, s) in p.segments.iter().enumerate() {
                    segs.insert(
                        i.to_string(),
                        json!({ "element": s.kind.json_name(), "value": s.asns }),
                    );
                }
                ("as-path", Value::Object(segs))
            }
            None => return,
        },
        code::MED => match a.med {
            Some(v) => ("med", json!(v)),
            None => return,
        },
        code::LOCAL_PREF => match a.local_pref {
            Some(v) => ("local-preference", json!(v)),
            None => return,
        },
        code::ATOMIC_AGGREGATE if a.atomic_aggregate => ("atomic-aggregate", Value::Bool(true)),
        code::AGGREGATOR => match &a.aggregator {
            Some(g) => ("aggregator", Value::String(g.to_string())),
            None => return,
        },
        code::ORIGINATOR_ID => match a.originator_id {
            Some(id) => ("originator-id", Value::String(id.to_string())),
            None => return,
        },
        code::AIGP => match a.aigp {
            Some(v) => ("aigp", json!(v)),
            None => return,
        },
        _ => match community_list_json(a, c) {
            Some(kv) => kv,
            None => return,
        },
    };
    m.insert(key.into(), value);
}

/// The list attributes of code `c` (communities, cluster list, extended
/// and large communities), when not empty.
fn community_list_json(a: &Attributes, c: u8) -> Option<(&'static str, Value)> {
    let (key, v): (&str, Vec<Value>) = match c {
        code::COMMUNITIES if !a.communities.is_empty() => (
            "community",
            a.communities
                .as_slice()
                .iter()
                .map(|c| json!([c.high(), c.low()]))
                .collect(),
        ),
        code::CLUSTER_LIST if !a.cluster_list.is_empty() => (
            "cluster-list",
            a.cluster_list
                .iter()
                .map(|c| Value::String(c.to_string()))
                .collect(),
        ),
        code::EXTENDED_COMMUNITIES if !a.extended_communities.is_empty() => (
            "extended-community",
            a.extended_communities
                .as_slice()
                .iter()
                .map(|c| json!({ "value": c.value(), "string": c.to_string() }))
                .collect(),
        ),
        code::LARGE_COMMUNITY if !a.large_communities.is_empty() => (
            "large-community",
            a.large_communities
                .as_slice()
                .iter()
                .map(|c| json!([c.global, c.local1, c.local2]))
                .collect(),
        ),
        _ => return None,
    };
    Some((key, Value::Array(v)))
}
