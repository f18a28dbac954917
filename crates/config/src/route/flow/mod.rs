//! FlowSpec routes (spec §1.10, RFC 8955/8956): `flow { route [<name>] {
//! rd; next-hop; match { ... } then { ... } scope { ... } } }`, the one-line
//! form `route { match { ... } then { ... } }`, and the inline form of
//! `announce { ipv4 { flow ...; } }` and of the API (`flow route <match
//! words> <then words>`). The result is a typed [`FlowRoute`] whose match
//! components and actions map one to one onto RFC 8955 components and
//! extended communities.

mod builder;
mod match_values;
mod to_wire;

use super::attributes::{route_keyword, AttrSet, NextHopSpec, RouteSpec};
use super::cursor::Cursor;
use super::{ConfigRoute, RouteMeta};
use crate::error::{PResult, ParseError, Pos};
use crate::lexer::{Token, TokenKind};
use crate::section::Sink;
use crate::tree::{Node, Section};
use crate::values;
use builder::Builder;
use ferrobgp_wire::attribute::{ExtendedCommunities, ExtendedCommunity, RawAttribute};
use ferrobgp_wire::nlri::flow::{op, Component, Term};
use ferrobgp_wire::nlri::{Flow, Nlri, RouteDistinguisher};
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::{Afi, Family, Safi};
use ipnet::IpNet;
use match_values::{continues_list, flow_prefix, terms};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// RFC 8955/8956 component types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FlowComponent {
    Destination = 1,
    Source = 2,
    /// IPv4 protocol / IPv6 next-header.
    Protocol = 3,
    Port = 4,
    DestinationPort = 5,
    SourcePort = 6,
    IcmpType = 7,
    IcmpCode = 8,
    TcpFlags = 9,
    PacketLength = 10,
    /// IPv4 DSCP / IPv6 traffic class.
    Dscp = 11,
    Fragment = 12,
    FlowLabel = 13,
}

impl FlowComponent {
    pub fn code(self) -> u8 {
        self as u8
    }
    /// Bitmask components use the bitmask operator byte (tcp-flags, fragment).
    pub fn is_bitmask(self) -> bool {
        matches!(self, FlowComponent::TcpFlags | FlowComponent::Fragment)
    }
}

/// One term of a numeric or bitmask match: `and` joins it to the previous
/// term (`&`); list items are ORed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FlowTerm {
    pub and: bool,
    /// Numeric: less-than. Bitmask: unused.
    pub lt: bool,
    /// Numeric: greater-than. Bitmask: unused.
    pub gt: bool,
    /// Numeric: equal. Bitmask: the match bit (`=`).
    pub eq: bool,
    /// Bitmask: the not bit (`!`).
    pub not: bool,
    pub value: u64,
}

/// One match component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlowMatch {
    /// Destination or source prefix; `offset` is the IPv6 prefix offset.
    Prefix {
        component: FlowComponent,
        prefix: IpNet,
        offset: u8,
    },
    /// Numeric or bitmask operator/value pairs.
    Terms {
        component: FlowComponent,
        terms: Vec<FlowTerm>,
    },
}

impl FlowMatch {
    pub fn component(&self) -> FlowComponent {
        match self {
            FlowMatch::Prefix { component, .. } | FlowMatch::Terms { component, .. } => *component,
        }
    }
}

/// `redirect` targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Redirect {
    /// Route-target style `ASN:NN` (0x8008; 4-octet form 0x8208 above 65535).
    Asn { asn: u32, number: u32 },
    /// `IPv4:NN` (0x8108).
    Ipv4 { ip: Ipv4Addr, number: u16 },
    /// `[IPv6]:NN` (IPv6 address specific, RFC 5701 form).
    Ipv6 { ip: std::net::Ipv6Addr, number: u16 },
    /// A bare address: next-hop redirect (draft-simpson 0x0800), also sets the next hop.
    NextHop(IpAddr),
}

/// One `then` action.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum FlowAction {
    Accept,
    /// traffic-rate 0.
    Discard,
    /// traffic-rate in bytes per second.
    RateLimit(f32),
    Redirect(Redirect),
    /// 0x0800 using the route's next hop.
    RedirectToNexthop,
    /// draft-ietf-idr-flowspec-redirect-ip next hop.
    RedirectToNexthopIetf(IpAddr),
    /// next-hop redirect with the copy bit.
    Copy(IpAddr),
    /// DSCP remark.
    Mark(u8),
    /// traffic-action bits.
    Action {
        sample: bool,
        terminal: bool,
    },
}

impl Eq for FlowAction {}
impl std::hash::Hash for FlowAction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            FlowAction::RateLimit(r) => r.to_bits().hash(state),
            FlowAction::Redirect(r) => r.hash(state),
            FlowAction::RedirectToNexthopIetf(a) | FlowAction::Copy(a) => a.hash(state),
            FlowAction::Mark(m) => m.hash(state),
            FlowAction::Action { sample, terminal } => (sample, terminal).hash(state),
            _ => {}
        }
    }
}

/// `scope { interface-set (transitive|non-transitive):(input|output|input-output):ASN:group; }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InterfaceSet {
    pub transitive: bool,
    /// 1 input, 2 output, 3 both.
    pub direction: u8,
    pub asn: u32,
    pub group: u16,
}

/// A FlowSpec rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FlowRoute {
    /// ipv4/ipv6 flow, or flow-vpn with an rd.
    pub family: Family,
    pub rd: Option<RouteDistinguisher>,
    pub next_hop: Option<NextHopSpec>,
    /// In the order written; encoders sort by component type.
    pub matches: Vec<FlowMatch>,
    pub actions: Vec<FlowAction>,
    pub interface_sets: Vec<InterfaceSet>,
    /// Communities and other attributes given in `then`.
    pub attrs: Arc<AttrSet>,
    pub meta: RouteMeta,
}

const MATCH_KEYWORDS: [&str; 20] = [
    "source",
    "destination",
    "source-ipv4",
    "destination-ipv4",
    "source-ipv6",
    "destination-ipv6",
    "protocol",
    "next-header",
    "port",
    "destination-port",
    "source-port",
    "icmp-type",
    "icmp-code",
    "tcp-flags",
    "packet-length",
    "dscp",
    "traffic-class",
    "fragment",
    "flow-label",
    "dont-fragment",
];
const THEN_KEYWORDS: [&str; 14] = [
    "accept",
    "discard",
    "rate-limit",
    "redirect",
    "redirect-to-nexthop",
    "redirect-to-nexthop-ietf",
    "copy",
    "mark",
    "action",
    "community",
    "large-community",
    "extended-community",
    "as-path",
    "origin",
];

/// Runs `f` over each statement of a sub-section (`match`, `then`, `scope`).
fn sub_block(
    s: &Section,
    b: &mut Builder,
    sink: &mut Sink,
    f: fn(&mut Builder, &Token, &mut Cursor<'_>) -> PResult<bool>,
    known: &[&str],
) {
    crate::section::no_args(s, sink);
    let what = format!("flow {}", s.name());
    for node in &s.body {
        let st = match crate::section::expect_statement(node, &what) {
            Ok(st) => st,
            Err(e) => {
                sink.error(e);
                continue;
            }
        };
        let mut cur = Cursor::new(st.args(), st.end);
        let kw = st.keyword();
        let r = f(b, kw, &mut cur).and_then(|ok| {
            if ok {
                Ok(true)
            } else if s.name() == "then" {
                // attributes in then: community, extended-community, ...
                route_keyword(kw, &mut cur, &mut b.spec)
            } else {
                Ok(false)
            }
        });
        match r {
            Ok(true) => {
                if let Some(e) = cur.left_after(kw) {
                    sink.error(e);
                }
            }
            Ok(false) => sink.error(crate::section::unknown_keyword(kw, &what, known)),
            Err(e) => sink.error(e),
        }
    }
}

fn route_block(s: &Section, sink: &mut Sink) -> Option<FlowRoute> {
    let mut b = Builder::default();
    let before = sink.errors.len();
    // `route name { ... }` or `route { ... }`; the name becomes the route name
    if let Some(name) = s.head.get(1) {
        b.spec.name = Some(name.text.clone());
    }
    if let Some(extra) = s.head.get(2) {
        sink.err(
            extra.pos,
            format!(
                "unexpected \"{}\" after the flow route name: expected \"{{\"",
                extra.text
            ),
        );
    }
    for node in &s.body {
        match node {
            Node::Section(sub) => match sub.name() {
                "match" => sub_block(sub, &mut b, sink, Builder::match_keyword, &MATCH_KEYWORDS),
                "then" => sub_block(sub, &mut b, sink, Builder::then_keyword, &THEN_KEYWORDS),
                "scope" => sub_block(
                    sub,
                    &mut b,
                    sink,
                    Builder::scope_keyword,
                    &["interface-set"],
                ),
                _ => match sub.head.first() {
                    Some(t) => sink.error(crate::section::unknown_keyword(
                        t,
                        "flow route",
                        &["match", "then", "scope"],
                    )),
                    None => sink.err(sub.open, "unexpected \"{\" in flow route"),
                },
            },
            Node::Statement(st) => {
                let mut cur = Cursor::new(st.args(), st.end);
                match route_keyword(st.keyword(), &mut cur, &mut b.spec) {
                    Ok(true) => {}
                    Ok(false) => sink.error(crate::section::unknown_keyword(
                        st.keyword(),
                        "flow route",
                        &[
                            "rd",
                            "route-distinguisher",
                            "next-hop",
                            "match",
                            "then",
                            "scope",
                        ],
                    )),
                    Err(e) => sink.error(e),
                }
            }
        }
    }
    if sink.errors.len() > before {
        return None;
    }
    sink.take(b.finish(s.pos()))
}

/// `flow { route [<name>] { ... } ... }`.
pub fn flow_section(s: &Section, sink: &mut Sink) -> Vec<(ConfigRoute, Pos)> {
    crate::section::no_args(s, sink);
    let mut out = Vec::new();
    for node in &s.body {
        match node {
            Node::Section(r) if r.name() == "route" => {
                if let Some(f) = route_block(r, sink) {
                    out.push((ConfigRoute::Flow(f), r.pos()));
                }
            }
            other => {
                let pos = other.pos();
                sink.err(pos, "unexpected content in flow: expected \"route [<name>] { match { ... } then { ... } }\"");
            }
        }
    }
    out
}

/// A flow route from the tokens of one line: either `{ match { ... } then
/// { ... } }` (braces included, optionally preceded by a name) or the
/// inline `<match words> <then words>` form. Used by `announce { ipv4 {
/// flow ...; } }` and by the API's `announce|withdraw flow route ...`.
pub fn parse_flow_tokens(tokens: &[Token], end: Pos) -> PResult<FlowRoute> {
    if tokens.iter().any(|t| t.kind == TokenKind::LBrace) {
        let mut toks = vec![Token::word("route", tokens.first().map_or(end, |t| t.pos))];
        toks.extend(tokens.iter().cloned());
        let tree = crate::tree::build(toks, end);
        if let Some(e) = tree.errors.into_iter().next() {
            return Err(e);
        }
        let mut sink = Sink::default();
        let route =
            match tree.nodes.as_slice() {
                [Node::Section(s)] => route_block(s, &mut sink),
                _ => return Err(ParseError::new(
                    end,
                    "expected one flow route block: route [<name>] { match { ... } then { ... } }",
                )),
            };
        if let Some(e) = sink.errors.into_iter().next() {
            return Err(e);
        }
        return route.ok_or_else(|| ParseError::new(end, "invalid flow route"));
    }
    let mut b = Builder::default();
    let mut cur = Cursor::new(tokens, end);
    // `match` / `then` / `scope` words are optional separators in the inline form
    while let Some(kw) = cur.advance() {
        if kw.is("match") || kw.is("then") || kw.is("scope") {
            continue;
        }
        b.any_keyword(kw, &mut cur)?;
    }
    b.finish(tokens.first().map_or(end, |t| t.pos))
}
