//! FlowSpec routes (spec §1.10, RFC 8955/8956): `flow { route [<name>] {
//! rd; next-hop; match { ... } then { ... } scope { ... } } }`, the one-line
//! form `route { match { ... } then { ... } }`, and the inline form of
//! `announce { ipv4 { flow ...; } }` and of the API (`flow route <match
//! words> <then words>`). The result is a typed [`FlowRoute`] whose match
//! components and actions map one to one onto RFC 8955 components and
//! extended communities.

use super::attributes::{route_keyword, AttrSet, NextHopSpec, RouteSpec};
use super::cursor::Cursor;
use super::{ConfigRoute, RouteMeta};
use crate::error::{PResult, ParseError, Pos};
use crate::lexer::{Token, TokenKind};
use crate::section::Sink;
use crate::tree::{Node, Section};
use crate::values;
use ferrobgp_wire::attribute::{ExtendedCommunities, ExtendedCommunity, RawAttribute};
use ferrobgp_wire::nlri::flow::{op, Component, Term};
use ferrobgp_wire::nlri::{Flow, Nlri, RouteDistinguisher};
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::{Afi, Family, Safi};
use ipnet::IpNet;
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

fn symbol(component: FlowComponent, s: &str) -> Option<u64> {
    let s = s.to_ascii_lowercase();
    let v = match component {
        FlowComponent::Protocol => match s.as_str() {
            "hopopt" => 0,
            "icmp" => 1,
            "igmp" => 2,
            "ggp" => 3,
            "ipip" | "ip" => 4,
            "st" => 5,
            "tcp" => 6,
            "egp" => 8,
            "igp" => 9,
            "udp" => 17,
            "rsvp" => 46,
            "gre" => 47,
            "esp" => 50,
            "ah" => 51,
            "icmp6" | "ipv6-icmp" => 58,
            "eigrp" => 88,
            "ospf" => 89,
            "pim" => 103,
            "vrrp" => 112,
            "l2tp" => 115,
            "sctp" => 132,
            _ => return None,
        },
        FlowComponent::Port | FlowComponent::DestinationPort | FlowComponent::SourcePort => {
            match s.as_str() {
                "ftp-data" => 20,
                "ftp" => 21,
                "ssh" => 22,
                "telnet" => 23,
                "smtp" => 25,
                "domain" | "dns" => 53,
                "bootps" => 67,
                "bootpc" => 68,
                "http" | "www" => 80,
                "pop3" => 110,
                "ntp" => 123,
                "imap" => 143,
                "snmp" => 161,
                "bgp" => 179,
                "https" => 443,
                "syslog" => 514,
                _ => return None,
            }
        }
        FlowComponent::IcmpType => match s.as_str() {
            "echo-reply" => 0,
            "unreachable" => 3,
            "source-quench" => 4,
            "redirect" => 5,
            "echo-request" => 8,
            "router-advertisement" => 9,
            "router-solicit" => 10,
            "time-exceeded" => 11,
            "parameter-problem" => 12,
            "timestamp" => 13,
            "timestamp-reply" => 14,
            "photuris" => 40,
            "experimental-mobility" => 41,
            "extended-echo-request" => 42,
            "extended-echo-reply" => 43,
            _ => return None,
        },
        FlowComponent::IcmpCode => match s.as_str() {
            "network-unreachable" => 0,
            "host-unreachable" => 1,
            "protocol-unreachable" => 2,
            "port-unreachable" => 3,
            "fragmentation-needed" => 4,
            "source-route-failed" => 5,
            "destination-network-unknown" => 6,
            "destination-host-unknown" => 7,
            "source-host-isolated" => 8,
            "destination-network-prohibited" => 9,
            "destination-host-prohibited" => 10,
            "network-unreachable-for-tos" => 11,
            "host-unreachable-for-tos" => 12,
            "communication-prohibited-by-filtering" => 13,
            "host-precedence-violation" => 14,
            "precedence-cutoff-in-effect" => 15,
            _ => return None,
        },
        FlowComponent::TcpFlags => match s.as_str() {
            "fin" => 0x01,
            "syn" => 0x02,
            "rst" => 0x04,
            "push" | "psh" => 0x08,
            "ack" => 0x10,
            "urgent" | "urg" => 0x20,
            "ece" => 0x40,
            "cwr" => 0x80,
            "ns" => 0x100,
            _ => return None,
        },
        FlowComponent::Fragment => match s.as_str() {
            "dont-fragment" => 0x01,
            "is-fragment" => 0x02,
            "first-fragment" => 0x04,
            "last-fragment" => 0x08,
            _ => return None,
        },
        _ => return None,
    };
    Some(v)
}

fn max_value(c: FlowComponent) -> u64 {
    match c {
        FlowComponent::Protocol
        | FlowComponent::IcmpType
        | FlowComponent::IcmpCode
        | FlowComponent::Fragment => 0xFF,
        FlowComponent::Dscp => 0xFF,
        FlowComponent::TcpFlags
        | FlowComponent::Port
        | FlowComponent::DestinationPort
        | FlowComponent::SourcePort
        | FlowComponent::PacketLength => 0xFFFF,
        FlowComponent::FlowLabel => 0xF_FFFF,
        _ => 0xFFFF_FFFF,
    }
}

/// Parses `>8080&<8088`, `=80`, `!=tcp`, `SYN`, `true` ... into terms.
fn terms(component: FlowComponent, t: &Token, out: &mut Vec<FlowTerm>) -> PResult<()> {
    let bitmask = component.is_bitmask();
    for (i, part) in t.text.split('&').enumerate() {
        let bad =
            |why: String| ParseError::new(t.pos, format!("invalid match \"{}\": {why}", t.text));
        let mut term = FlowTerm {
            and: i > 0,
            lt: false,
            gt: false,
            eq: false,
            not: false,
            value: 0,
        };
        let rest = if bitmask {
            if let Some(r) = part.strip_prefix("!=") {
                term.not = true;
                term.eq = true;
                r
            } else if let Some(r) = part.strip_prefix('!') {
                term.not = true;
                r
            } else if let Some(r) = part.strip_prefix('=') {
                term.eq = true;
                r
            } else {
                part
            }
        } else if part == "true" {
            term.lt = true;
            term.gt = true;
            term.eq = true;
            out.push(term);
            continue;
        } else if part == "false" {
            out.push(term);
            continue;
        } else if let Some(r) = part.strip_prefix(">=") {
            term.gt = true;
            term.eq = true;
            r
        } else if let Some(r) = part.strip_prefix("<=") {
            term.lt = true;
            term.eq = true;
            r
        } else if let Some(r) = part.strip_prefix("!=") {
            term.lt = true;
            term.gt = true;
            r
        } else if let Some(r) = part.strip_prefix('>') {
            term.gt = true;
            r
        } else if let Some(r) = part.strip_prefix('<') {
            term.lt = true;
            r
        } else {
            term.eq = true;
            part.strip_prefix('=').unwrap_or(part)
        };
        if rest.is_empty() {
            return Err(bad("missing value after the operator".into()));
        }
        let value = if rest.bytes().all(|b| b.is_ascii_digit()) {
            rest.parse::<u64>()
                .map_err(|_| bad("number too large".into()))?
        } else if let Some(h) = rest.strip_prefix("0x") {
            u64::from_str_radix(h, 16).map_err(|_| bad("invalid hexadecimal number".into()))?
        } else {
            symbol(component, rest)
                .ok_or_else(|| bad(format!("\"{rest}\" is not a number or a known name")))?
        };
        if value > max_value(component) {
            return Err(bad(format!(
                "value {value} is out of range: expected 0..{}",
                max_value(component)
            )));
        }
        term.value = value;
        out.push(term);
    }
    Ok(())
}

/// `10.0.0.0/24` or IPv6 `2001:db8::/64[/offset]`.
fn flow_prefix(t: &Token, want: Option<Afi>) -> PResult<(IpNet, u8)> {
    let (main, offset) = match t.text.matches('/').count() {
        2 => {
            let (a, o) = t.text.rsplit_once('/').unwrap_or((&t.text, "0"));
            (a.to_string(), Some(o))
        }
        _ => (t.text.clone(), None),
    };
    let tok = Token::word(main, t.pos);
    let net = values::prefix(&tok).or_else(|e| {
        // IPv6 flow prefixes may have bits set beyond the length with an offset
        match (tok.text.split_once('/'), offset) {
            (Some((a, l)), Some(_)) => match (a.parse::<std::net::Ipv6Addr>(), l.parse::<u8>()) {
                (Ok(a), Ok(l)) if l <= 128 => {
                    Ok(IpNet::V6(ipnet::Ipv6Net::new(a, l).map_err(|_| e.clone())?))
                }
                _ => Err(e),
            },
            _ => Err(e),
        }
    })?;
    let offset = match offset {
        None => 0,
        Some(o) => {
            if net.addr().is_ipv4() {
                return Err(ParseError::new(
                    t.pos,
                    format!(
                        "invalid flow prefix \"{}\": an offset is only valid for IPv6",
                        t.text
                    ),
                ));
            }
            match o.parse::<u8>() {
                Ok(v) if v <= net.prefix_len() => v,
                _ => {
                    return Err(ParseError::new(
                        t.pos,
                        format!(
                            "invalid prefix offset in \"{}\": expected 0..{}",
                            t.text,
                            net.prefix_len()
                        ),
                    ))
                }
            }
        }
    };
    let afi = if net.addr().is_ipv4() {
        Afi::IPV4
    } else {
        Afi::IPV6
    };
    if let Some(w) = want {
        if w != afi {
            return Err(ParseError::new(
                t.pos,
                format!(
                    "invalid flow prefix \"{}\": expected an {} prefix",
                    t.text,
                    if w == Afi::IPV4 { "IPv4" } else { "IPv6" }
                ),
            ));
        }
    }
    Ok((net, offset))
}

/// Accumulates a flow route while its parts are read.
#[derive(Default)]
struct Builder {
    afi: Option<(Afi, Pos)>,
    spec: RouteSpec,
    matches: Vec<FlowMatch>,
    actions: Vec<FlowAction>,
    interface_sets: Vec<InterfaceSet>,
}

impl Builder {
    fn set_afi(&mut self, afi: Afi, at: Pos) -> PResult<()> {
        match self.afi {
            Some((a, first)) if a != afi => Err(ParseError::new(
                at,
                format!(
                    "flow route mixes IPv4 and IPv6 components (first seen at line {})",
                    first.line
                ),
            )),
            Some(_) => Ok(()),
            None => {
                self.afi = Some((afi, at));
                Ok(())
            }
        }
    }

    /// One match keyword with its values from the cursor.
    fn match_keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<bool> {
        let (component, want) = match kw.text.as_str() {
            "source" => (FlowComponent::Source, None),
            "destination" => (FlowComponent::Destination, None),
            "source-ipv4" => (FlowComponent::Source, Some(Afi::IPV4)),
            "destination-ipv4" => (FlowComponent::Destination, Some(Afi::IPV4)),
            "source-ipv6" => (FlowComponent::Source, Some(Afi::IPV6)),
            "destination-ipv6" => (FlowComponent::Destination, Some(Afi::IPV6)),
            "protocol" => (FlowComponent::Protocol, None),
            "next-header" => (FlowComponent::Protocol, Some(Afi::IPV6)),
            "port" => (FlowComponent::Port, None),
            "destination-port" => (FlowComponent::DestinationPort, None),
            "source-port" => (FlowComponent::SourcePort, None),
            "icmp-type" => (FlowComponent::IcmpType, None),
            "icmp-code" => (FlowComponent::IcmpCode, None),
            "tcp-flags" => (FlowComponent::TcpFlags, None),
            "packet-length" => (FlowComponent::PacketLength, None),
            "dscp" => (FlowComponent::Dscp, None),
            "traffic-class" => (FlowComponent::Dscp, Some(Afi::IPV6)),
            "fragment" => (FlowComponent::Fragment, None),
            "flow-label" => (FlowComponent::FlowLabel, Some(Afi::IPV6)),
            _ => return Ok(false),
        };
        let bracketed = cur.peek_kind() == Some(TokenKind::LBracket);
        let mut words = cur.list(&kw.text, "a match value")?;
        // ExaBGP also takes a list without brackets, as ExaFS writes it:
        // `destination-port =80 =443;`, `tcp-flags SYN ACK;`.
        if !bracketed {
            while let Some(t) = cur.peek() {
                if !(t.is_word() && continues_list(component, &t.text)) {
                    break;
                }
                words.push(t);
                cur.advance();
            }
        }
        if words.is_empty() {
            return Err(ParseError::new(
                kw.pos,
                format!("empty list for \"{}\"", kw.text),
            ));
        }
        if matches!(
            component,
            FlowComponent::Source | FlowComponent::Destination
        ) {
            for w in words {
                let (prefix, offset) = flow_prefix(w, want)?;
                self.set_afi(
                    if prefix.addr().is_ipv4() {
                        Afi::IPV4
                    } else {
                        Afi::IPV6
                    },
                    w.pos,
                )?;
                self.matches.push(FlowMatch::Prefix {
                    component,
                    prefix,
                    offset,
                });
            }
            return Ok(true);
        }
        if let Some(a) = want {
            self.set_afi(a, kw.pos)?;
        }
        let mut ts = Vec::new();
        for w in words {
            let before = ts.len();
            terms(component, w, &mut ts)?;
            // the first term of each list item starts a new OR branch
            if let Some(t) = ts.get_mut(before) {
                t.and = false;
            }
        }
        // several lines for the same component extend it
        if let Some(FlowMatch::Terms {
            terms: existing, ..
        }) = self
            .matches
            .iter_mut()
            .find(|m| matches!(m, FlowMatch::Terms { component: c, .. } if *c == component))
        {
            existing.extend(ts);
        } else {
            self.matches.push(FlowMatch::Terms {
                component,
                terms: ts,
            });
        }
        Ok(true)
    }

    /// One `then` keyword with its values.
    fn then_keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<bool> {
        match kw.text.as_str() {
            "accept" => self.actions.push(FlowAction::Accept),
            "discard" => self.actions.push(FlowAction::Discard),
            "rate-limit" => {
                let v = cur.value("rate-limit", "a rate in bytes per second")?;
                let r = v.text.parse::<f32>().ok().filter(|r| r.is_finite() && *r >= 0.0).ok_or_else(|| {
                    ParseError::new(v.pos, format!("invalid rate-limit \"{}\": expected a non-negative number of bytes per second", v.text))
                })?;
                self.actions.push(FlowAction::RateLimit(r));
            }
            "redirect" => {
                let r = redirect(cur)?;
                if let Redirect::NextHop(ip) = r {
                    self.spec.next_hop = Some(NextHopSpec::Ip(ip));
                }
                self.actions.push(FlowAction::Redirect(r));
            }
            "redirect-to-nexthop" => self.actions.push(FlowAction::RedirectToNexthop),
            "redirect-to-nexthop-ietf" => {
                let v = cur.value("redirect-to-nexthop-ietf", "an IP address")?;
                self.actions
                    .push(FlowAction::RedirectToNexthopIetf(values::ip(
                        v,
                        "redirect-to-nexthop-ietf address",
                    )?));
            }
            "copy" => {
                let v = cur.value("copy", "an IP address")?;
                let ip = values::ip(v, "copy address")?;
                self.spec.next_hop = Some(NextHopSpec::Ip(ip));
                self.actions.push(FlowAction::Copy(ip));
            }
            "mark" => {
                let v = cur.value("mark", "a DSCP value 0..63")?;
                self.actions
                    .push(FlowAction::Mark(values::u8_in(v, "mark", 0, 63)?));
            }
            "action" => {
                let v = cur.value("action", "sample, terminal or sample-terminal")?;
                let (sample, terminal) = match v.text.as_str() {
                    "sample" => (true, false),
                    "terminal" => (false, true),
                    "sample-terminal" => (true, true),
                    _ => {
                        return Err(ParseError::new(
                            v.pos,
                            format!(
                            "invalid action \"{}\": expected sample, terminal or sample-terminal",
                            v.text
                        ),
                        ))
                    }
                };
                self.actions.push(FlowAction::Action { sample, terminal });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn scope_keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<bool> {
        if !kw.is("interface-set") {
            return Ok(false);
        }
        for w in cur.list(
            "interface-set",
            "transitive|non-transitive:input|output|input-output:ASN:group",
        )? {
            let bad = || {
                ParseError::new(
                    w.pos,
                    format!("invalid interface-set \"{}\": expected (transitive|non-transitive):(input|output|input-output):ASN:group", w.text),
                )
            };
            let parts: Vec<&str> = w.text.split(':').collect();
            let [t, d, asn, group] = parts.as_slice() else {
                return Err(bad());
            };
            let transitive = match *t {
                "transitive" => true,
                "non-transitive" => false,
                _ => return Err(bad()),
            };
            let direction = match *d {
                "input" => 1,
                "output" => 2,
                "input-output" => 3,
                _ => return Err(bad()),
            };
            let asn = asn.parse::<u32>().map_err(|_| bad())?;
            let group = group.parse::<u16>().map_err(|_| bad())?;
            self.interface_sets.push(InterfaceSet {
                transitive,
                direction,
                asn,
                group,
            });
        }
        Ok(true)
    }

    /// Any keyword of any part (the inline form).
    fn any_keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<()> {
        if self.match_keyword(kw, cur)?
            || self.then_keyword(kw, cur)?
            || self.scope_keyword(kw, cur)?
        {
            return Ok(());
        }
        if route_keyword(kw, cur, &mut self.spec)? {
            return Ok(());
        }
        let mut known: Vec<&str> = MATCH_KEYWORDS.to_vec();
        known.extend(THEN_KEYWORDS);
        known.extend(["rd", "next-hop", "interface-set"]);
        Err(crate::section::unknown_keyword(kw, "flow route", &known))
    }

    fn finish(self, at: Pos) -> PResult<FlowRoute> {
        if self.matches.is_empty() {
            return Err(ParseError::new(
                at,
                "flow route without any match component: expected match { ... }",
            ));
        }
        let afi = self.afi.map_or(Afi::IPV4, |(a, _)| a);
        let safi = if self.spec.rd.is_some() {
            Safi::FLOW_VPN
        } else {
            Safi::FLOW
        };
        // `redirect-to-nexthop` without a `next-hop` is accepted as ExaBGP
        // 5.0.15 accepts it: the extended community goes out with an empty
        // MP_REACH next hop (recorded from 5.0.15, see the ferrobgp crate's
        // `flow_redirect_nexthop` test).
        let mut matches = self.matches;
        matches.sort_by_key(|m| m.component());
        Ok(FlowRoute {
            family: Family::new(afi, safi),
            rd: self.spec.rd,
            next_hop: self.spec.next_hop,
            matches,
            actions: self.actions,
            interface_sets: self.interface_sets,
            attrs: Arc::new(self.spec.attrs),
            meta: RouteMeta {
                name: self.spec.name,
                watchdog: self.spec.watchdog,
                withdrawn: self.spec.withdraw,
            },
        })
    }
}

fn redirect(cur: &mut Cursor<'_>) -> PResult<Redirect> {
    // `[2001:db8::1]:100` is tokenised as `[`, address, `]`, `:100`
    if cur.eat(TokenKind::LBracket) {
        let a = cur.value("redirect", "an IPv6 address")?;
        let ip = a.text.parse::<std::net::Ipv6Addr>().map_err(|_| {
            ParseError::new(
                a.pos,
                format!(
                    "invalid redirect address \"{}\": expected an IPv6 address",
                    a.text
                ),
            )
        })?;
        cur.expect(TokenKind::RBracket, "\"]\"")?;
        let n = cur.value("redirect", ":<number>")?;
        let num = n
            .text
            .strip_prefix(':')
            .and_then(|x| x.parse::<u16>().ok())
            .ok_or_else(|| {
                ParseError::new(
                    n.pos,
                    format!(
                        "invalid redirect \"{}\": expected :<number 0..65535> after [IPv6]",
                        n.text
                    ),
                )
            })?;
        return Ok(Redirect::Ipv6 { ip, number: num });
    }
    let v = cur.value("redirect", "ASN:NN, IPv4:NN or an IP address")?;
    let bad = || {
        ParseError::new(
            v.pos,
            format!(
                "invalid redirect \"{}\": expected ASN:NN, IPv4:NN or an IP address",
                v.text
            ),
        )
    };
    if let Ok(ip) = v.text.parse::<IpAddr>() {
        return Ok(Redirect::NextHop(ip));
    }
    let (a, n) = v.text.rsplit_once(':').ok_or_else(bad)?;
    if let Ok(ip) = a.parse::<Ipv4Addr>() {
        return Ok(Redirect::Ipv4 {
            ip,
            number: n.parse().map_err(|_| bad())?,
        });
    }
    let asn = a.parse::<u32>().map_err(|_| bad())?;
    let number = n.parse::<u32>().map_err(|_| bad())?;
    if asn > 0xFFFF && number > 0xFFFF {
        return Err(ParseError::new(
            v.pos,
            format!(
                "invalid redirect \"{}\": with a 4-byte ASN the number must be 0..65535",
                v.text
            ),
        ));
    }
    Ok(Redirect::Asn { asn, number })
}

/// Flow-spec Redirect-to-IP / IPv6 sub-type (draft-ietf-idr-flowspec-redirect-ip).
const REDIRECT_IP_SUBTYPE: u8 = 0x0C;

impl FlowRoute {
    /// The wire crate's route: the rule as a FlowSpec NLRI (components
    /// sorted by type), the actions and interface sets as extended
    /// communities next to the configured ones (sorted), IPv6 redirects as
    /// an IPV6_EXTENDED_COMMUNITIES (25) attribute. `None` when a component
    /// cannot be encoded (a prefix of the other address family).
    pub fn to_wire(&self) -> Option<Route> {
        let mut components = Vec::with_capacity(self.matches.len());
        for m in &self.matches {
            components.push(match m {
                FlowMatch::Prefix {
                    component,
                    prefix,
                    offset,
                } => match prefix {
                    IpNet::V4(n) if self.family.afi == Afi::IPV4 => {
                        Component::prefix4(component.code(), n.addr(), n.prefix_len())
                    }
                    IpNet::V6(n) if self.family.afi == Afi::IPV6 => {
                        Component::prefix6(component.code(), n.addr(), n.prefix_len(), *offset)
                    }
                    _ => return None,
                },
                FlowMatch::Terms { component, terms } => Component::ops(
                    component.code(),
                    terms
                        .iter()
                        .map(|t| {
                            let mut flags = if t.and { op::AND } else { 0 };
                            if component.is_bitmask() {
                                flags |= if t.not { op::NOT } else { 0 }
                                    | if t.eq { op::MATCH } else { 0 };
                            } else {
                                flags |= if t.lt { op::LT } else { 0 }
                                    | if t.gt { op::GT } else { 0 }
                                    | if t.eq { op::EQ } else { 0 };
                            }
                            Term::new(flags, t.value)
                        })
                        .collect(),
                ),
            });
        }
        let nlri = Nlri::Flow(Box::new(Flow::new(self.family.afi, self.rd, components)));
        let mut attrs = self.attrs.to_wire();
        let mut ext: Vec<ExtendedCommunity> = attrs.extended_communities.as_slice().to_vec();
        let mut ipv6_ext: Vec<[u8; 20]> = Vec::new();
        let mut next_hop = self.next_hop.map_or(NextHop::None, NextHopSpec::to_wire);
        for a in &self.actions {
            match *a {
                FlowAction::Accept => {}
                FlowAction::Discard => ext.push(ExtendedCommunity::traffic_rate(0, 0.0)),
                FlowAction::RateLimit(r) => ext.push(ExtendedCommunity::traffic_rate(0, r)),
                FlowAction::Redirect(Redirect::Asn { asn, number }) => {
                    ext.push(ExtendedCommunity::redirect(asn, number)?)
                }
                FlowAction::Redirect(Redirect::Ipv4 { ip, number }) => {
                    let mut b = [0x81, 0x08, 0, 0, 0, 0, 0, 0];
                    b[2..6].copy_from_slice(&ip.octets());
                    b[6..8].copy_from_slice(&number.to_be_bytes());
                    ext.push(ExtendedCommunity(b));
                }
                FlowAction::Redirect(Redirect::Ipv6 { ip, number }) => {
                    let mut b = [0u8; 20];
                    b[1] = 0x0D;
                    b[2..18].copy_from_slice(&ip.octets());
                    b[18..20].copy_from_slice(&number.to_be_bytes());
                    ipv6_ext.push(b);
                }
                FlowAction::Redirect(Redirect::NextHop(ip)) => {
                    ext.push(ExtendedCommunity::redirect_to_nexthop(false));
                    next_hop = NextHop::from_ip(ip);
                }
                FlowAction::RedirectToNexthop => {
                    ext.push(ExtendedCommunity::redirect_to_nexthop(false))
                }
                FlowAction::Copy(ip) => {
                    ext.push(ExtendedCommunity::redirect_to_nexthop(true));
                    next_hop = NextHop::from_ip(ip);
                }
                FlowAction::RedirectToNexthopIetf(IpAddr::V4(ip)) => {
                    let mut b = [0x01, REDIRECT_IP_SUBTYPE, 0, 0, 0, 0, 0, 0];
                    b[2..6].copy_from_slice(&ip.octets());
                    ext.push(ExtendedCommunity(b));
                }
                FlowAction::RedirectToNexthopIetf(IpAddr::V6(ip)) => {
                    let mut b = [0u8; 20];
                    b[1] = REDIRECT_IP_SUBTYPE;
                    b[2..18].copy_from_slice(&ip.octets());
                    ipv6_ext.push(b);
                }
                FlowAction::Mark(d) => ext.push(ExtendedCommunity::traffic_mark(d)),
                FlowAction::Action { sample, terminal } => {
                    ext.push(ExtendedCommunity::traffic_action(sample, terminal))
                }
            }
        }
        for i in &self.interface_sets {
            let mut b = [
                if i.transitive { 0x07 } else { 0x47 },
                0x02,
                0,
                0,
                0,
                0,
                0,
                0,
            ];
            b[2..6].copy_from_slice(&i.asn.to_be_bytes());
            let v = (u16::from(i.direction) << 14) | (i.group & 0x3FFF);
            b[6..8].copy_from_slice(&v.to_be_bytes());
            ext.push(ExtendedCommunity(b));
        }
        attrs.extended_communities = ExtendedCommunities::new(ext);
        if !ipv6_ext.is_empty() {
            ipv6_ext.sort();
            let value: Vec<u8> = ipv6_ext.concat();
            attrs.other.retain(|r| r.code != IPV6_EXTENDED_COMMUNITIES);
            attrs
                .other
                .push(RawAttribute::new(IPV6_EXTENDED_COMMUNITIES, 0xC0, value));
            attrs.other.sort();
        }
        Some(Route::new(nlri, next_hop, Arc::new(attrs)))
    }
}

/// Whether `word` is one more value of a bracket-less `component` list
/// (and not the next keyword of the inline form).
fn continues_list(component: FlowComponent, word: &str) -> bool {
    if matches!(
        component,
        FlowComponent::Source | FlowComponent::Destination
    ) {
        return false;
    }
    let bare = word.trim_start_matches(['=', '<', '>', '!', '&']);
    if bare.len() != word.len() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    let lower = bare.to_ascii_lowercase();
    match component {
        FlowComponent::TcpFlags => matches!(
            lower.as_str(),
            "fin" | "syn" | "rst" | "push" | "psh" | "ack" | "urgent" | "urg" | "ece" | "cwr"
        ),
        FlowComponent::Fragment => matches!(
            lower.as_str(),
            "dont-fragment" | "is-fragment" | "first-fragment" | "last-fragment" | "not-a-fragment"
        ),
        _ => false,
    }
}

/// IPv6 Address Specific Extended Community attribute (RFC 5701).
const IPV6_EXTENDED_COMMUNITIES: u8 = 25;

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
                if let Some(extra) = cur.peek() {
                    sink.err(
                        extra.pos,
                        format!(
                            "unexpected \"{}\" after the value of \"{}\": expected \";\"",
                            extra.text, kw.text
                        ),
                    );
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
