//! The route keyword grammar shared by configuration routes and API commands
//! (spec §1.9, §2.4): next-hop, path attributes and route options. The
//! entry point is [`route_keyword`]: it parses one keyword and its value at
//! a [`Cursor`] into a [`RouteSpec`].

use super::cursor::Cursor;
use crate::error::{PResult, ParseError};
use crate::lexer::{Token, TokenKind};
use crate::values;
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
    let a = &mut r.attrs;
    match kw.text.as_str() {
        "next-hop" => {
            let v = cur.value("next-hop", "an IP address or self")?;
            r.next_hop = Some(if v.is("self") {
                NextHopSpec::SelfAddress
            } else {
                NextHopSpec::Ip(values::ip(v, "next-hop")?)
            });
        }
        "origin" => {
            let v = cur.value("origin", "igp, egp or incomplete")?;
            a.origin = Some(
                Origin::from_name(&v.text.to_ascii_lowercase()).ok_or_else(|| {
                    ParseError::new(
                        v.pos,
                        format!(
                            "invalid origin \"{}\": expected igp, egp or incomplete",
                            v.text
                        ),
                    )
                })?,
            );
        }
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
                let c = t.text.parse::<LargeCommunity>().map_err(|_| {
                    ParseError::new(
                        t.pos,
                        format!("invalid large-community \"{}\": expected global:local1:local2 (three integers 0..4294967295)", t.text),
                    )
                })?;
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

fn as_path(cur: &mut Cursor<'_>) -> PResult<AsPath> {
    let asn = |t: &Token| {
        values::asn(t).map_err(|_| {
            ParseError::new(
                t.pos,
                format!(
                    "invalid AS number \"{}\" in as-path: expected 0..4294967295",
                    t.text
                ),
            )
        })
    };
    match cur.peek_kind() {
        Some(TokenKind::LBracket) | Some(TokenKind::LParen) => {}
        _ => {
            let t = cur.value("as-path", "an AS number or [ ... ]")?;
            return Ok(AsPath {
                segments: vec![Segment {
                    kind: SegmentType::Sequence,
                    asns: vec![asn(t)?],
                }],
            });
        }
    }
    let mut segments = Vec::new();
    while let Some(open) = cur.peek() {
        let (close, plain, confed) = match open.kind {
            TokenKind::LBracket => (
                TokenKind::RBracket,
                SegmentType::Sequence,
                SegmentType::ConfedSequence,
            ),
            TokenKind::LParen => (TokenKind::RParen, SegmentType::Set, SegmentType::ConfedSet),
            _ => break,
        };
        cur.advance();
        let mut asns = Vec::new();
        let mut kind = plain;
        loop {
            let Some(t) = cur.advance() else {
                return Err(ParseError::new(
                    cur.end(),
                    format!("unterminated as-path group opened by \"{}\"", open.text),
                ));
            };
            match t.kind {
                k if k == close => break,
                TokenKind::Comma => {}
                TokenKind::LBrace => {
                    // confederation group: { a b } inside the brackets
                    if !asns.is_empty() {
                        segments.push(Segment {
                            kind,
                            asns: std::mem::take(&mut asns),
                        });
                    }
                    let mut conf = Vec::new();
                    loop {
                        match cur.advance() {
                            Some(t) if t.kind == TokenKind::RBrace => break,
                            Some(t) if t.kind == TokenKind::Comma => {}
                            Some(t) if t.is_word() => conf.push(asn(t)?),
                            Some(t) => return Err(ParseError::new(t.pos, format!("found \"{}\" in a confederation group: expected an AS number or \"}}\"", t.text))),
                            None => return Err(ParseError::new(cur.end(), "unterminated confederation group: expected \"}\"")),
                        }
                    }
                    segments.push(Segment {
                        kind: confed,
                        asns: conf,
                    });
                    kind = plain;
                }
                _ if t.is_word() => asns.push(asn(t)?),
                _ => {
                    return Err(ParseError::new(
                        t.pos,
                        format!(
                            "found \"{}\" in as-path: expected an AS number or \"{}\"",
                            t.text,
                            if close == TokenKind::RBracket {
                                "]"
                            } else {
                                ")"
                            }
                        ),
                    ))
                }
            }
        }
        if !asns.is_empty() {
            segments.push(Segment { kind, asns });
        }
    }
    Ok(AsPath { segments })
}

fn aggregator(cur: &mut Cursor<'_>) -> PResult<Aggregator> {
    let paren = cur.eat(TokenKind::LParen);
    let t = cur.value("aggregator", "asn:ipv4")?;
    let bad = || {
        ParseError::new(
            t.pos,
            format!(
                "invalid aggregator \"{}\": expected asn:ipv4 such as 65000:192.0.2.1",
                t.text
            ),
        )
    };
    let (asn, ip) = t.text.split_once(':').ok_or_else(bad)?;
    let asn = values::asn(&Token::word(asn, t.pos)).map_err(|_| bad())?;
    let ip = ip.parse::<Ipv4Addr>().map_err(|_| bad())?;
    if paren {
        cur.expect(TokenKind::RParen, "\")\" to close the aggregator")?;
    }
    Ok(Aggregator { asn, ip })
}

/// One standard community: `a:b`, decimal, `0x..` or a well-known name.
pub fn community(t: &Token) -> PResult<Community> {
    let bad =
        |why: &str| ParseError::new(t.pos, format!("invalid community \"{}\": {why}", t.text));
    let s = t.text.to_ascii_lowercase();
    Ok(match s.as_str() {
        "no-export" => Community::NO_EXPORT,
        "no-advertise" => Community::NO_ADVERTISE,
        "no-export-subconfed" => Community::NO_EXPORT_SUBCONFED,
        "nopeer" | "no-peer" => Community::NOPEER,
        "blackhole" => Community::BLACKHOLE,
        _ => {
            if let Some((hi, lo)) = s.split_once(':') {
                match (hi.parse::<u16>(), lo.parse::<u16>()) {
                    (Ok(h), Ok(l)) => Community::new(h, l),
                    _ => return Err(bad("expected a:b with both parts 0..65535")),
                }
            } else if let Some(h) = s.strip_prefix("0x") {
                Community(
                    u32::from_str_radix(h, 16)
                        .map_err(|_| bad("expected a 32-bit hexadecimal value"))?,
                )
            } else {
                Community(s.parse::<u32>().map_err(|_| {
                    bad("expected a:b, a 32-bit integer, or no-export, no-advertise, no-export-subconfed, nopeer, blackhole")
                })?)
            }
        }
    })
}

/// One extended community in any of ExaBGP's forms.
pub fn extended_community(t: &Token) -> PResult<ExtendedCommunity> {
    t.text.parse::<ExtendedCommunity>().map_err(|_| {
        ParseError::new(
            t.pos,
            format!(
                "invalid extended-community \"{}\": expected target:ASN:NN, target:IPv4:NN, origin:..., redirect:ASN:NN, l2info:..., bandwidth:ASN:rate, mup:A:B, redirect-to-nexthop or 0x followed by 16 hex digits",
                t.text
            ),
        )
    })
}

/// `asn2:nn`, `asn4:nn` or `ipv4:nn` (type chosen by magnitude).
pub fn route_distinguisher(t: &Token) -> PResult<RouteDistinguisher> {
    let bad = || {
        ParseError::new(
            t.pos,
            format!("invalid route distinguisher \"{}\": expected asn:number (65000:1) or ipv4:number (192.0.2.1:1)", t.text),
        )
    };
    let (admin, num) = t.text.rsplit_once(':').ok_or_else(bad)?;
    if let Ok(ip) = admin.parse::<Ipv4Addr>() {
        return Ok(RouteDistinguisher::ip(
            ip,
            num.parse::<u16>().map_err(|_| bad())?,
        ));
    }
    let asn = admin
        .strip_suffix('L')
        .unwrap_or(admin)
        .parse::<u32>()
        .map_err(|_| bad())?;
    if asn <= 0xFFFF && !admin.ends_with('L') {
        Ok(RouteDistinguisher::as2(
            asn as u16,
            num.parse::<u32>().map_err(|_| bad())?,
        ))
    } else {
        Ok(RouteDistinguisher::as4(
            asn,
            num.parse::<u16>().map_err(|_| bad())?,
        ))
    }
}

fn hex_bytes(t: &Token) -> PResult<Vec<u8>> {
    let h = t
        .text
        .strip_prefix("0x")
        .or_else(|| t.text.strip_prefix("0X"))
        .ok_or_else(|| {
            ParseError::new(
                t.pos,
                format!(
                    "invalid attribute data \"{}\": expected 0x followed by hexadecimal digits",
                    t.text
                ),
            )
        })?;
    if h.len() % 2 != 0 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ParseError::new(
            t.pos,
            format!(
                "invalid attribute data \"{}\": expected an even number of hexadecimal digits",
                t.text
            ),
        ));
    }
    Ok((0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0))
        .collect())
}

fn generic(cur: &mut Cursor<'_>) -> PResult<RawAttribute> {
    cur.expect(
        TokenKind::LBracket,
        "\"[\" (attribute [ 0xCODE 0xFLAGS 0xDATA ])",
    )?;
    let code = values::int_in(
        cur.value("attribute", "an attribute type code")?,
        "attribute code",
        0,
        255,
    )? as u8;
    let flags = values::int_in(
        cur.value("attribute", "attribute flags")?,
        "attribute flags",
        0,
        255,
    )? as u8;
    let data = hex_bytes(cur.value("attribute", "attribute data (0x...)")?)?;
    if data.len() > 0xFFFF {
        return cur.error("attribute data longer than 65535 bytes");
    }
    cur.expect(TokenKind::RBracket, "\"]\" to close the attribute")?;
    Ok(RawAttribute::new(code, flags, data))
}

fn prefix_sid(cur: &mut Cursor<'_>) -> PResult<SrLabelIndex> {
    if !cur.eat(TokenKind::LBracket) {
        let t = cur.value("bgp-prefix-sid", "a label index or [ ... ]")?;
        return Ok(SrLabelIndex {
            label_index: values::u32_any(t, "label index")?,
            srgbs: Vec::new(),
        });
    }
    let idx = values::u32_any(cur.value("bgp-prefix-sid", "a label index")?, "label index")?;
    cur.eat(TokenKind::Comma);
    let mut srgbs = Vec::new();
    if cur.eat(TokenKind::LBracket) {
        loop {
            if cur.eat(TokenKind::RBracket) {
                break;
            }
            if cur.eat(TokenKind::Comma) {
                continue;
            }
            cur.expect(TokenKind::LParen, "\"(\" starting an SRGB (base,range)")?;
            let base = values::int_in(
                cur.value("bgp-prefix-sid", "an SRGB base")?,
                "SRGB base",
                0,
                0xFF_FFFF,
            )? as u32;
            cur.eat(TokenKind::Comma);
            let range = values::int_in(
                cur.value("bgp-prefix-sid", "an SRGB range")?,
                "SRGB range",
                0,
                0xFF_FFFF,
            )? as u32;
            cur.expect(TokenKind::RParen, "\")\" closing the SRGB")?;
            srgbs.push((base, range));
        }
    }
    cur.expect(TokenKind::RBracket, "\"]\" to close bgp-prefix-sid")?;
    Ok(SrLabelIndex {
        label_index: idx,
        srgbs,
    })
}

fn srv6(cur: &mut Cursor<'_>) -> PResult<Srv6ServiceSid> {
    cur.expect(
        TokenKind::LParen,
        "\"(\" (bgp-prefix-sid-srv6 ( l3-service <sid> ... ))",
    )?;
    let k = cur.value("bgp-prefix-sid-srv6", "l3-service or l2-service")?;
    let service = match k.text.as_str() {
        "l3-service" => Srv6Service::L3,
        "l2-service" => Srv6Service::L2,
        _ => {
            return Err(ParseError::new(
                k.pos,
                format!(
                    "invalid SRv6 service \"{}\": expected l3-service or l2-service",
                    k.text
                ),
            ))
        }
    };
    let s = cur.value("bgp-prefix-sid-srv6", "an IPv6 SID")?;
    let sid = s.text.parse::<Ipv6Addr>().map_err(|_| {
        ParseError::new(
            s.pos,
            format!("invalid SRv6 SID \"{}\": expected an IPv6 address", s.text),
        )
    })?;
    let mut out = Srv6ServiceSid {
        service,
        sid,
        behavior: None,
        structure: None,
    };
    if cur.peek().is_some_and(|t| t.is_word()) {
        let b = cur
            .advance()
            .ok_or_else(|| ParseError::new(cur.end(), "missing behavior"))?;
        out.behavior = Some(values::u16_in(b, "SRv6 behavior", 0, 0xFFFF)?);
        if cur.eat(TokenKind::LBracket) {
            let mut v = [0u8; 6];
            let mut n = 0;
            loop {
                match cur.advance() {
                    Some(t) if t.kind == TokenKind::RBracket => break,
                    Some(t) if t.kind == TokenKind::Comma => {}
                    Some(t) if t.is_word() && n < 6 => {
                        v[n] = values::u8_in(t, "SID structure length", 0, 255)?;
                        n += 1;
                    }
                    Some(t) => return Err(ParseError::new(t.pos, format!("found \"{}\" in the SID structure: expected six numbers lbl,lnl,fl,al,tlen,toff", t.text))),
                    None => return Err(ParseError::new(cur.end(), "unterminated SID structure: expected \"]\"")),
                }
            }
            if n != 6 {
                return cur.error(format!(
                    "SID structure has {n} values: expected six (lbl,lnl,fl,al,tlen,toff)"
                ));
            }
            out.structure = Some(v);
        }
    }
    cur.expect(TokenKind::RParen, "\")\" to close bgp-prefix-sid-srv6")?;
    Ok(out)
}
