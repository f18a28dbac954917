//! The route keyword grammar shared by configuration routes and API commands
//! (spec §1.9, §2.4): next-hop, path attributes and route options. The
//! entry point is [`route_keyword`]: it parses one keyword and its value at
//! a [`Cursor`] into a [`RouteSpec`].

mod attribute_values;

use super::cursor::Cursor;
use crate::error::{PResult, ParseError};
use crate::lexer::{Token, TokenKind};
use crate::values;
use attribute_values::{
    aggregator, as_path, community, extended_community, generic, prefix_sid, route_distinguisher,
    srv6,
};
use ferrobgp_wire::attribute::attr_40_prefix_sid::SidStructure;
use ferrobgp_wire::attribute::PrefixSid as WirePrefixSid;
use ferrobgp_wire::attribute::{
    code, Aggregator, AsPath, Attributes, Communities, Community, ExtendedCommunities,
    ExtendedCommunity, LargeCommunities, LargeCommunity, Origin, RawAttribute, Segment,
    SegmentType,
};
use ferrobgp_wire::nlri::RouteDistinguisher;
use ferrobgp_wire::route::NextHop;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// BGP Prefix-SID (RFC 8669) label index with optional SRGB ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SrLabelIndex {
    pub label_index: u32,
    /// (base, range) pairs of the Originator SRGB TLV.
    pub srgbs: Vec<(u32, u32)>,
}

/// Kind of SRv6 service TLV (RFC 9252).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Srv6Service {
    L3,
    L2,
}

/// `bgp-prefix-sid-srv6 ( l3-service <sid> [<behavior> [ lbl,lnl,fl,al,tlen,toff ]] )`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Srv6ServiceSid {
    pub service: Srv6Service,
    pub sid: Ipv6Addr,
    /// SRv6 endpoint behavior (RFC 8986 code point).
    pub behavior: Option<u16>,
    /// SID structure: locator block, locator node, function, argument
    /// lengths, transposition length and offset.
    pub structure: Option<[u8; 6]>,
}

/// The path attributes of a route as configured. Each value uses the wire
/// crate's type for that attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct AttrSet {
    pub origin: Option<Origin>,
    pub as_path: Option<AsPath>,
    pub med: Option<u32>,
    pub local_pref: Option<u32>,
    pub atomic_aggregate: bool,
    pub aggregator: Option<Aggregator>,
    /// Standard communities, kept sorted (duplicates kept, as ExaBGP).
    pub communities: Vec<Community>,
    pub originator_id: Option<Ipv4Addr>,
    pub cluster_list: Vec<Ipv4Addr>,
    /// Extended communities, kept sorted.
    pub extended_communities: Vec<ExtendedCommunity>,
    /// Large communities, sorted, duplicates dropped.
    pub large_communities: Vec<LargeCommunity>,
    pub aigp: Option<u64>,
    pub prefix_sid: Option<SrLabelIndex>,
    pub srv6: Option<Srv6ServiceSid>,
    /// `attribute [ code flags data ]`, in type-code order.
    pub generic: Vec<RawAttribute>,
}

impl SrLabelIndex {
    /// The wire crate's Prefix-SID (RFC 8669): Label-Index TLV and, with
    /// SRGB ranges, an Originator SRGB TLV.
    pub fn to_wire(&self) -> WirePrefixSid {
        WirePrefixSid::label_index(self.label_index, &self.srgbs)
    }
}

impl Srv6ServiceSid {
    /// The wire crate's Prefix-SID holding the SRv6 L3/L2 Service TLV
    /// (RFC 9252) with one SRv6 SID Information sub-TLV and, when given,
    /// its SID Structure. Without a behavior the code point 0xFFFF
    /// (opaque) is sent.
    pub fn to_wire(&self) -> WirePrefixSid {
        let structure = self.structure.map(|s| SidStructure {
            locator_block: s[0],
            locator_node: s[1],
            function: s[2],
            argument: s[3],
            transposition_length: s[4],
            transposition_offset: s[5],
        });
        WirePrefixSid::srv6_service(
            self.service == Srv6Service::L2,
            self.sid,
            self.behavior.unwrap_or(0xFFFF),
            structure,
        )
    }
}

impl AttrSet {
    /// The wire crate's attribute set. Generic `attribute [ ... ]` values
    /// go through `Attributes::insert_raw` (a known code whose value parses
    /// becomes the typed attribute, as in ExaBGP); keywords given by name
    /// take precedence over them. Prefix-SID and SRv6 become a raw
    /// PREFIX_SID attribute (code 40, flags optional transitive).
    pub fn to_wire(&self) -> Attributes {
        let mut a = Attributes::default();
        for g in &self.generic {
            a.insert_raw(g.code, g.flags, &g.value);
        }
        macro_rules! copy {
            ($($f:ident),*) => { $( if self.$f.is_some() { a.$f = self.$f.clone(); } )* };
        }
        copy!(
            origin,
            as_path,
            med,
            local_pref,
            aggregator,
            originator_id,
            aigp
        );
        a.atomic_aggregate |= self.atomic_aggregate;
        if !self.communities.is_empty() {
            a.communities = Communities::new(self.communities.clone());
        }
        if !self.cluster_list.is_empty() {
            a.cluster_list = self.cluster_list.clone();
        }
        if !self.extended_communities.is_empty() {
            a.extended_communities = ExtendedCommunities::new(self.extended_communities.clone());
        }
        if !self.large_communities.is_empty() {
            a.large_communities = LargeCommunities::new(self.large_communities.clone());
        }
        if self.prefix_sid.is_some() || self.srv6.is_some() {
            let mut sid = WirePrefixSid::default();
            if let Some(p) = &self.prefix_sid {
                sid.tlvs.extend(p.to_wire().tlvs);
            }
            if let Some(s) = &self.srv6 {
                sid.tlvs.extend(s.to_wire().tlvs);
            }
            a.other.retain(|r| r.code != code::PREFIX_SID);
            a.other.push(sid.to_raw());
            a.other.sort();
        }
        a
    }
}

/// `next-hop` as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NextHopSpec {
    Ip(IpAddr),
    /// `next-hop self`.
    SelfAddress,
}

impl NextHopSpec {
    pub fn to_wire(self) -> NextHop {
        match self {
            NextHopSpec::Ip(ip) => NextHop::from_ip(ip),
            NextHopSpec::SelfAddress => NextHop::SelfAddress,
        }
    }
}

/// Everything the route keywords can say: attributes plus route options.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteSpec {
    pub attrs: AttrSet,
    pub next_hop: Option<NextHopSpec>,
    pub labels: Option<Vec<u32>>,
    pub rd: Option<RouteDistinguisher>,
    pub path_id: Option<u32>,
    /// `split /<len>`.
    pub split: Option<(u8, crate::error::Pos)>,
    pub name: Option<String>,
    pub watchdog: Option<String>,
    pub withdraw: bool,
}

/// Every keyword [`route_keyword`] understands.
pub const ROUTE_KEYWORDS: [&str; 26] = [
    "next-hop",
    "origin",
    "as-path",
    "med",
    "local-preference",
    "atomic-aggregate",
    "aggregator",
    "community",
    "extended-community",
    "large-community",
    "originator-id",
    "cluster-list",
    "aigp",
    "attribute",
    "bgp-prefix-sid",
    "bgp-prefix-sid-srv6",
    "label",
    "rd",
    "route-distinguisher",
    "path-information",
    "split",
    "name",
    "watchdog",
    "withdraw",
    "local-pref",
    "nlri",
];

fn dup(kw: &Token) -> ParseError {
    ParseError::new(
        kw.pos,
        format!("\"{}\" given twice for the same route", kw.text),
    )
}

/// Parses one route keyword (already consumed: `kw`) and its value.
/// Returns `Ok(false)` (consuming nothing more) when `kw` is not a route
/// keyword, so callers can handle keywords of their own.
pub fn route_keyword(kw: &Token, cur: &mut Cursor<'_>, r: &mut RouteSpec) -> PResult<bool> {
    if !kw.is_word() {
        return Err(ParseError::new(
            kw.pos,
            format!("found \"{}\" but expected a route keyword", kw.text),
        ));
    }
    Ok(route_field(kw, cur, r)? || attribute_keyword(kw, cur, &mut r.attrs)?)
}

/// A keyword of the route itself (next hop, labels, RD, path id, split,
/// name, watchdog, withdraw): false when `kw` is not one.
fn route_field(kw: &Token, cur: &mut Cursor<'_>, r: &mut RouteSpec) -> PResult<bool> {
    match kw.text.as_str() {
        "next-hop" => {
            let v = cur.value("next-hop", "an IP address or self")?;
            r.next_hop = Some(if v.is("self") {
                NextHopSpec::SelfAddress
            } else {
                NextHopSpec::Ip(values::ip(v, "next-hop")?)
            });
        }
        "label" => {
            let mut v = Vec::new();
            for t in cur.list("label", "an MPLS label 0..1048575")? {
                v.push(values::int_in(t, "label", 0, 0xF_FFFF)? as u32);
            }
            if v.is_empty() {
                return Err(ParseError::new(
                    kw.pos,
                    "empty label stack: expected at least one label",
                ));
            }
            r.labels = Some(v);
        }
        "rd" | "route-distinguisher" => {
            if r.rd.is_some() {
                return Err(dup(kw));
            }
            r.rd = Some(route_distinguisher(
                cur.value(&kw.text, "a route distinguisher (65000:1 or 1.2.3.4:1)")?,
            )?);
        }
        "path-information" => {
            let v = cur.value("path-information", "an integer or a dotted quad")?;
            r.path_id = Some(match v.text.parse::<Ipv4Addr>() {
                Ok(ip) => u32::from(ip),
                Err(_) => values::u32_any(v, "path-information")?,
            });
        }
        "split" => {
            let v = cur.value("split", "a prefix length such as /24")?;
            let len = v
                .text
                .strip_prefix('/')
                .and_then(|l| l.parse::<u8>().ok())
                .filter(|l| *l <= 128);
            match len {
                Some(l) => r.split = Some((l, v.pos)),
                None => {
                    return Err(ParseError::new(
                        v.pos,
                        format!(
                            "invalid split \"{}\": expected /<length> such as /24",
                            v.text
                        ),
                    ))
                }
            }
        }
        "name" => r.name = Some(cur.value("name", "a word")?.text.clone()),
        "watchdog" => r.watchdog = Some(cur.value("watchdog", "a watchdog name")?.text.clone()),
        "withdraw" => r.withdraw = true,
        _ => return Ok(false),
    }
    Ok(true)
}

/// A path attribute keyword and its value: false when `kw` is not one.
fn attribute_keyword(kw: &Token, cur: &mut Cursor<'_>, a: &mut AttrSet) -> PResult<bool> {
    match kw.text.as_str() {
        "origin" => a.origin = Some(origin(cur)?),
        "as-path" => a.as_path = Some(as_path(cur)?),
        "med" => a.med = Some(values::u32_any(cur.value("med", "an integer")?, "med")?),
        "local-preference" | "local-pref" => {
            a.local_pref = Some(values::u32_any(
                cur.value(&kw.text, "an integer")?,
                "local-preference",
            )?)
        }
        "atomic-aggregate" => a.atomic_aggregate = true,
        "aggregator" => a.aggregator = Some(aggregator(cur)?),
        "community" => {
            for t in cur.list("community", "a community (65000:1, no-export, ...)")? {
                a.communities.push(community(t)?);
            }
            a.communities.sort();
        }
        "extended-community" => {
            for t in cur.list(
                "extended-community",
                "an extended community (target:65000:1, ...)",
            )? {
                a.extended_communities.push(extended_community(t)?);
            }
            a.extended_communities.sort();
        }
        "large-community" => {
            for t in cur.list("large-community", "a large community (65000:1:2)")? {
                let c = large_community(t)?;
                if !a.large_communities.contains(&c) {
                    a.large_communities.push(c);
                }
            }
            a.large_communities.sort();
        }
        "originator-id" => {
            a.originator_id = Some(values::ipv4(
                cur.value("originator-id", "an IPv4 address")?,
                "originator-id",
            )?)
        }
        "cluster-list" => {
            for t in cur.list("cluster-list", "an IPv4 address")? {
                a.cluster_list.push(values::ipv4(t, "cluster-list entry")?);
            }
        }
        "aigp" => {
            a.aigp = Some(values::int_in(
                cur.value("aigp", "an integer")?,
                "aigp",
                0,
                u64::MAX,
            )?)
        }
        "attribute" => {
            let g = generic(cur)?;
            a.generic.retain(|x| x.code != g.code);
            a.generic.push(g);
            a.generic.sort();
        }
        "bgp-prefix-sid" => a.prefix_sid = Some(prefix_sid(cur)?),
        "bgp-prefix-sid-srv6" => a.srv6 = Some(srv6(cur)?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// `origin igp|egp|incomplete` (any case).
fn origin(cur: &mut Cursor<'_>) -> PResult<Origin> {
    let v = cur.value("origin", "igp, egp or incomplete")?;
    Origin::from_name(&v.text.to_ascii_lowercase()).ok_or_else(|| {
        ParseError::new(
            v.pos,
            format!(
                "invalid origin \"{}\": expected igp, egp or incomplete",
                v.text
            ),
        )
    })
}

/// A large community, `global:local1:local2`.
fn large_community(t: &Token) -> PResult<LargeCommunity> {
    t.text.parse::<LargeCommunity>().map_err(|_| {
        ParseError::new(
            t.pos,
            format!("invalid large-community \"{}\": expected global:local1:local2 (three integers 0..4294967295)", t.text),
        )
    })
}

/// Parses route keywords until the end of the cursor.
pub fn route_keywords(cur: &mut Cursor<'_>, r: &mut RouteSpec) -> PResult<()> {
    while let Some(kw) = cur.advance() {
        if !route_keyword(kw, cur, r)? {
            return Err(unknown_route_keyword(kw));
        }
    }
    Ok(())
}

pub fn unknown_route_keyword(kw: &Token) -> ParseError {
    crate::section::unknown_keyword(kw, "route", &ROUTE_KEYWORDS)
}
