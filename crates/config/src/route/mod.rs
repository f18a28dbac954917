//! Routes of the configuration and of API commands: the typed route model
//! ([`ConfigRoute`]) and the grammar of `static`, `announce` and the
//! family-specific route statements. The route keyword grammar itself is in
//! [`attributes`]; crates/api reuses it through the `parse_*` functions here
//! (spec §2.4: "Route commands use the same attribute grammar as §1.9").
//!
//! Every attribute, RD and next hop is parsed into the wire crate's value
//! types; the route kinds keep what the configuration said in their own
//! typed structs (a FlowSpec rule as match components and actions, a VPLS
//! route as endpoint/base/offset/size, ...) and [`ConfigRoute::to_wire`]
//! builds the `ferrobgp_wire::route::Route` the RIB and the session use.

pub mod attributes;
pub mod cursor;
pub mod flow;
pub mod mup;
pub mod mvpn;
pub mod operational;
mod repeated;
mod sections;
mod shared_sets;
pub mod vpls;

pub use attributes::{route_keyword, AttrSet, NextHopSpec, RouteSpec};
pub use cursor::Cursor;
pub use operational::OperationalMessage;
pub(crate) use sections::StaticReader;
pub use sections::{announce_section, static_section};

use crate::error::{PResult, ParseError, Pos};
use crate::lexer::Token;
use crate::section::Sink;
use crate::tree::{Node, Section};
use crate::values;
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::{Labelled, Labels, Mup, Mvpn, Nlri, Prefix, RouteDistinguisher, Vpls};
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::{Afi, Family, Safi};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Route options that are not sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct RouteMeta {
    /// `name <word>`: shown in text output, never sent.
    pub name: Option<String>,
    /// `watchdog <name>`: the route belongs to this watchdog group.
    pub watchdog: Option<String>,
    /// `withdraw` (with `watchdog`): the route starts withdrawn.
    pub withdrawn: bool,
}

/// An IPv4/IPv6 unicast, multicast, labelled (nlri-mpls) or VPN (mpls-vpn) route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PrefixRoute {
    pub family: Family,
    pub prefix: IpNet,
    /// ADD-PATH path identifier (`path-information`).
    pub path_id: Option<u32>,
    /// MPLS label stack (nlri-mpls, mpls-vpn).
    pub labels: Option<Vec<u32>>,
    pub rd: Option<RouteDistinguisher>,
    /// `None` only in withdrawals, where it is optional.
    pub next_hop: Option<NextHopSpec>,
    /// Shared by every route of one statement (and by `split` expansions).
    pub attrs: Arc<AttrSet>,
    pub meta: RouteMeta,
}

/// Any configured or API route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfigRoute {
    Prefix(PrefixRoute),
    Flow(flow::FlowRoute),
    Vpls(vpls::VplsRoute),
    Mvpn(mvpn::MvpnRoute),
    Mup(mup::MupRoute),
}

impl ConfigRoute {
    pub fn family(&self) -> Family {
        match self {
            ConfigRoute::Prefix(r) => r.family,
            ConfigRoute::Flow(r) => r.family,
            ConfigRoute::Vpls(_) => Family::L2VPN_VPLS,
            ConfigRoute::Mvpn(r) => r.family,
            ConfigRoute::Mup(r) => r.family,
        }
    }
    pub fn meta(&self) -> &RouteMeta {
        match self {
            ConfigRoute::Prefix(r) => &r.meta,
            ConfigRoute::Flow(r) => &r.meta,
            ConfigRoute::Vpls(r) => &r.meta,
            ConfigRoute::Mvpn(r) => &r.meta,
            ConfigRoute::Mup(r) => &r.meta,
        }
    }
    pub(crate) fn attrs_mut(&mut self) -> &mut Arc<AttrSet> {
        match self {
            ConfigRoute::Prefix(r) => &mut r.attrs,
            ConfigRoute::Flow(r) => &mut r.attrs,
            ConfigRoute::Vpls(r) => &mut r.attrs,
            ConfigRoute::Mvpn(r) => &mut r.attrs,
            ConfigRoute::Mup(r) => &mut r.attrs,
        }
    }
    pub fn attrs(&self) -> &AttrSet {
        match self {
            ConfigRoute::Prefix(r) => &r.attrs,
            ConfigRoute::Flow(r) => &r.attrs,
            ConfigRoute::Vpls(r) => &r.attrs,
            ConfigRoute::Mvpn(r) => &r.attrs,
            ConfigRoute::Mup(r) => &r.attrs,
        }
    }
    pub fn as_prefix(&self) -> Option<&PrefixRoute> {
        match self {
            ConfigRoute::Prefix(r) => Some(r),
            _ => None,
        }
    }
}

impl PrefixRoute {
    /// The wire crate's route, for the families it has an NLRI type for
    /// (IPv4/IPv6 unicast and multicast); `None` for nlri-mpls and mpls-vpn
    /// until wire has labelled and VPN NLRIs. A missing next hop (a
    /// withdrawal) is `NextHop::None`.
    pub fn to_wire(&self) -> Option<Route> {
        self.to_wire_with(Arc::new(self.attrs.to_wire()))
    }

    /// [`Self::to_wire`] with `attributes`, which the caller knows to be
    /// `self.attrs.to_wire()` (converted once for the routes that share
    /// `self.attrs`).
    pub fn to_wire_with(&self, attributes: Arc<Attributes>) -> Option<Route> {
        if !matches!(self.family.safi, Safi::UNICAST | Safi::MULTICAST) {
            return self.to_wire_labelled(attributes);
        }
        let nlri = Prefix::new(self.prefix, self.family.safi, self.path_id);
        let next_hop = self.next_hop.map_or(NextHop::None, NextHopSpec::to_wire);
        Some(Route::new(nlri, next_hop, attributes))
    }
}

impl PrefixRoute {
    fn to_wire_labelled(&self, attributes: Arc<Attributes>) -> Option<Route> {
        let labels = Labels::new(self.labels.as_deref().unwrap_or(&[]));
        let nlri = Labelled {
            safi: self.family.safi,
            path_id: self.path_id,
            labels,
            rd: self.rd,
            net: self.prefix,
        };
        let next_hop = self.next_hop.map_or(NextHop::None, NextHopSpec::to_wire);
        Some(Route::new(nlri, next_hop, attributes))
    }
}

impl ConfigRoute {
    /// The wire crate's route: NLRI, next hop (`NextHop::None` when none was
    /// given) and attribute set (flow actions become their extended
    /// communities). `None` only for what the wire crate cannot represent
    /// yet (see [`flow::FlowRoute::to_wire`]).
    pub fn to_wire(&self) -> Option<Route> {
        let nh = |n: &Option<NextHopSpec>| n.map_or(NextHop::None, NextHopSpec::to_wire);
        match self {
            ConfigRoute::Prefix(p) => p.to_wire(),
            ConfigRoute::Flow(f) => f.to_wire(),
            ConfigRoute::Vpls(v) => Some(Route::new(
                Nlri::Vpls(Vpls::new(v.rd, v.endpoint, v.offset, v.size, v.base)),
                nh(&v.next_hop),
                Arc::new(v.attrs.to_wire()),
            )),
            ConfigRoute::Mvpn(m) => {
                let afi = m.family.afi;
                let nlri = match m.kind {
                    mvpn::MvpnKind::SourceAd { source, group } => {
                        Mvpn::source_ad(afi, m.rd, source, group)
                    }
                    mvpn::MvpnKind::SharedJoin {
                        rp,
                        group,
                        source_as,
                    } => Mvpn::c_multicast(afi, true, m.rd, source_as, rp, group),
                    mvpn::MvpnKind::SourceJoin {
                        source,
                        group,
                        source_as,
                    } => Mvpn::c_multicast(afi, false, m.rd, source_as, source, group),
                };
                Some(Route::new(
                    Nlri::Mvpn(nlri),
                    nh(&m.next_hop),
                    Arc::new(m.attrs.to_wire()),
                ))
            }
            ConfigRoute::Mup(m) => {
                let nlri = match m.kind {
                    mup::MupKind::Isd { prefix } => Mup::isd(m.rd, prefix),
                    mup::MupKind::Dsd { address } => Mup::dsd(m.rd, address),
                    mup::MupKind::T1st {
                        prefix,
                        teid,
                        qfi,
                        endpoint,
                        source,
                    } => Mup::t1st(m.rd, prefix, teid, qfi, endpoint, source),
                    mup::MupKind::T2st {
                        endpoint,
                        teid,
                        teid_bits,
                    } => Mup::t2st(m.rd, endpoint, teid, teid_bits),
                };
                Some(Route::new(
                    Nlri::Mup(nlri),
                    nh(&m.next_hop),
                    Arc::new(m.attrs.to_wire()),
                ))
            }
        }
    }
}

fn is_multicast(net: &IpNet) -> bool {
    match net {
        IpNet::V4(n) => n.addr().is_multicast() && n.prefix_len() >= 4,
        IpNet::V6(n) => n.addr().is_multicast() && n.prefix_len() >= 8,
    }
}

/// The family of a prefix route whose statement names none: from the
/// prefix's address family, and an RD or labels when it has them.
fn implied_family(prefix: &IpNet, rd: bool, labels: bool) -> Family {
    let afi = if prefix.addr().is_ipv4() {
        Afi::IPV4
    } else {
        Afi::IPV6
    };
    let safi = if rd {
        Safi::MPLS_VPN
    } else if labels {
        Safi::NLRI_MPLS
    } else if is_multicast(prefix) {
        Safi::MULTICAST
    } else {
        Safi::UNICAST
    };
    Family::new(afi, safi)
}

/// Most routes one `split` may create.
pub const SPLIT_MAX: u64 = 65536;

/// Builds the prefix route(s) of one statement. `fixed` is the family of
/// an `announce ipv4 unicast ...` style statement; without it the family is
/// derived as `static route` does (rd: mpls-vpn, label: nlri-mpls, multicast
/// address: multicast, else unicast). `announce` requires a next hop.
pub fn prefix_routes(
    prefix_tok: &Token,
    fixed: Option<Family>,
    spec: RouteSpec,
    announce: bool,
) -> PResult<Vec<ConfigRoute>> {
    let prefix = values::prefix(prefix_tok)?;
    let family = prefix_family(prefix_tok, &prefix, fixed, &spec)?;
    if announce && spec.next_hop.is_none() {
        return Err(ParseError::new(
            prefix_tok.pos,
            format!("route {prefix} has no next-hop: add \"next-hop <ip>\" or \"next-hop self\""),
        ));
    }
    let prefixes = split(prefix, spec.split)?;
    let attrs = Arc::new(spec.attrs);
    let meta = RouteMeta {
        name: spec.name,
        watchdog: spec.watchdog,
        withdrawn: spec.withdraw,
    };
    Ok(prefixes
        .into_iter()
        .map(|p| {
            ConfigRoute::Prefix(PrefixRoute {
                family,
                prefix: p,
                path_id: spec.path_id,
                labels: spec.labels.clone(),
                rd: spec.rd,
                next_hop: spec.next_hop,
                attrs: attrs.clone(),
                meta: meta.clone(),
            })
        })
        .collect())
}

/// The family of a prefix route: `fixed`, or derived from the route (rd,
/// label, multicast address); checked against the RD and labels given.
fn prefix_family(
    prefix_tok: &Token,
    prefix: &IpNet,
    fixed: Option<Family>,
    spec: &RouteSpec,
) -> PResult<Family> {
    let afi = if prefix.addr().is_ipv4() {
        Afi::IPV4
    } else {
        Afi::IPV6
    };
    let family = match fixed {
        Some(f) => {
            if f.afi != afi {
                return Err(ParseError::new(
                    prefix_tok.pos,
                    format!(
                        "prefix {prefix} is {} but the route is {f}",
                        if afi == Afi::IPV4 { "IPv4" } else { "IPv6" }
                    ),
                ));
            }
            f
        }
        None => implied_family(prefix, spec.rd.is_some(), spec.labels.is_some()),
    };
    match family.safi {
        Safi::MPLS_VPN if spec.rd.is_none() => {
            return Err(ParseError::new(
                prefix_tok.pos,
                format!("route {prefix} is {family}: it needs an rd"),
            ));
        }
        Safi::UNICAST | Safi::MULTICAST | Safi::NLRI_MPLS if spec.rd.is_some() => {
            return Err(ParseError::new(
                prefix_tok.pos,
                format!("route {prefix} is {family}: rd is only valid for mpls-vpn"),
            ));
        }
        Safi::UNICAST | Safi::MULTICAST if spec.labels.is_some() => {
            return Err(ParseError::new(
                prefix_tok.pos,
                format!(
                    "route {prefix} is {family}: label is only valid for nlri-mpls and mpls-vpn"
                ),
            ));
        }
        _ => {}
    }
    Ok(family)
}

/// The prefixes of a route with `split /len` (at most [`SPLIT_MAX`]), or
/// the prefix itself.
fn split(prefix: IpNet, split: Option<(u8, Pos)>) -> PResult<Vec<IpNet>> {
    Ok(match split {
        None => vec![prefix],
        Some((len, at)) => {
            if len < prefix.prefix_len() || len > prefix.max_prefix_len() {
                return Err(ParseError::new(
                    at,
                    format!(
                        "cannot split {prefix} into /{len}: expected a length {}..{}",
                        prefix.prefix_len(),
                        prefix.max_prefix_len()
                    ),
                ));
            }
            let count = 1u64
                .checked_shl(u32::from(len - prefix.prefix_len()))
                .unwrap_or(u64::MAX);
            if count > SPLIT_MAX {
                return Err(ParseError::new(at, format!("split of {prefix} into /{len} would make {count} routes: at most {SPLIT_MAX}")));
            }
            prefix.subnets(len).map(|s| s.collect()).unwrap_or_default()
        }
    })
}

/// `route <prefix> <keywords...>`: `tokens` start at the prefix. Used by
/// `static { route ...; }` and by the API's `announce|withdraw route ...`.
pub fn parse_route(tokens: &[Token], end: Pos, announce: bool) -> PResult<Vec<ConfigRoute>> {
    let mut cur = Cursor::new(tokens, end);
    let prefix = cur.value("route", "a prefix")?;
    let mut spec = RouteSpec::default();
    attributes::route_keywords(&mut cur, &mut spec)?;
    prefix_routes(prefix, None, spec, announce)
}

/// `attributes <keywords...> nlri <prefix> <prefix>...`: `tokens` start
/// after `attribute(s)`. Used by `static` and by the API.
pub fn parse_attributes(tokens: &[Token], end: Pos, announce: bool) -> PResult<Vec<ConfigRoute>> {
    let mut cur = Cursor::new(tokens, end);
    let mut spec = RouteSpec::default();
    loop {
        let Some(kw) = cur.advance() else {
            return Err(ParseError::new(
                end,
                "missing \"nlri\": expected attributes ... nlri <prefix> ...",
            ));
        };
        if kw.is("nlri") {
            break;
        }
        if !route_keyword(kw, &mut cur, &mut spec)? {
            return Err(attributes::unknown_route_keyword(kw));
        }
    }
    if cur.at_end() {
        return Err(ParseError::new(end, "missing prefix after \"nlri\""));
    }
    let mut out = Vec::new();
    while let Some(p) = cur.advance() {
        out.extend(prefix_routes(p, None, spec.clone(), announce)?);
    }
    Ok(out)
}

/// `<afi> <safi> <nlri...> <keywords...>` (the form of `announce { ipv4 {
/// unicast ...; } }` and of the API's `announce ipv4 unicast ...`):
/// `tokens` start at the AFI.
pub fn parse_family_route(tokens: &[Token], end: Pos, announce: bool) -> PResult<Vec<ConfigRoute>> {
    let Some(afi) = tokens.first() else {
        return Err(ParseError::new(
            end,
            "missing address family: expected ipv4, ipv6 or l2vpn",
        ));
    };
    match afi.text.as_str() {
        "ipv4" | "ipv6" | "l2vpn" => {}
        _ => {
            return Err(ParseError::new(
                afi.pos,
                format!(
                    "invalid address family \"{}\": expected ipv4, ipv6 or l2vpn",
                    afi.text
                ),
            ));
        }
    }
    family_statement(afi, &tokens[1..], end, announce)
}

/// One statement inside `announce { <afi> { ... } }`: `tokens` start at the SAFI.
fn family_statement(
    afi: &Token,
    tokens: &[Token],
    end: Pos,
    announce: bool,
) -> PResult<Vec<ConfigRoute>> {
    let Some(safi) = tokens.first() else {
        return Err(ParseError::new(
            end,
            format!("missing subsequent address family after \"{}\"", afi.text),
        ));
    };
    let family = crate::family::family_words(afi, Some(safi))?;
    let rest = &tokens[1..];
    match family.safi {
        Safi::UNICAST | Safi::MULTICAST | Safi::NLRI_MPLS | Safi::MPLS_VPN => {
            let mut cur = Cursor::new(rest, end);
            let prefix = cur.value(&safi.text, "a prefix")?;
            let mut spec = RouteSpec::default();
            attributes::route_keywords(&mut cur, &mut spec)?;
            prefix_routes(prefix, Some(family), spec, announce)
        }
        Safi::FLOW | Safi::FLOW_VPN => {
            let r = flow::parse_flow_tokens(rest, end)?;
            if r.family.afi != family.afi {
                return Err(ParseError::new(
                    safi.pos,
                    format!("flow route is {} but announced under {}", r.family, family),
                ));
            }
            if family.safi == Safi::FLOW_VPN && r.rd.is_none() {
                return Err(ParseError::new(safi.pos, "flow-vpn route needs an rd"));
            }
            Ok(vec![ConfigRoute::Flow(r)])
        }
        Safi::MCAST_VPN => Ok(vec![ConfigRoute::Mvpn(mvpn::parse_mvpn(
            family.afi, rest, end, announce,
        )?)]),
        Safi::MUP => Ok(vec![ConfigRoute::Mup(mup::parse_mup(
            family.afi, rest, end, announce,
        )?)]),
        Safi::VPLS => Ok(vec![ConfigRoute::Vpls(vpls::parse_vpls(
            rest, end, announce,
        )?)]),
        _ => Err(ParseError::new(
            safi.pos,
            format!("routes of family {family} cannot be announced (decode only)"),
        )),
    }
}
