//! MCAST-VPN routes (RFC 6514 types 5, 6, 7 as ExaBGP announces them):
//! `mcast-vpn shared-join|source-join|source-ad ...` in `announce { ipv4 {
//! } }` and in the API.

use super::attributes::{route_keyword, AttrSet, NextHopSpec, RouteSpec};
use super::cursor::Cursor;
use super::RouteMeta;
use crate::error::{PResult, ParseError, Pos};
use crate::lexer::Token;
use crate::values;
use ferrobgp_wire::nlri::RouteDistinguisher;
use ferrobgp_wire::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::sync::Arc;

/// The MCAST-VPN route types ExaBGP can originate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MvpnKind {
    /// Type 5: Source Active A-D.
    SourceAd { source: IpAddr, group: IpAddr },
    /// Type 6: C-multicast shared tree join (C-RP).
    SharedJoin {
        rp: IpAddr,
        group: IpAddr,
        source_as: u32,
    },
    /// Type 7: C-multicast source tree join.
    SourceJoin {
        source: IpAddr,
        group: IpAddr,
        source_as: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MvpnRoute {
    pub family: Family,
    pub kind: MvpnKind,
    pub rd: RouteDistinguisher,
    pub next_hop: Option<NextHopSpec>,
    pub attrs: Arc<AttrSet>,
    pub meta: RouteMeta,
}

/// `<route-type> <keywords...>`: `tokens` start after `mcast-vpn`.
pub fn parse_mvpn(afi: Afi, tokens: &[Token], end: Pos, announce: bool) -> PResult<MvpnRoute> {
    let mut cur = Cursor::new(tokens, end);
    let kind_tok = cur.value("mcast-vpn", "shared-join, source-join or source-ad")?;
    if !matches!(
        kind_tok.text.as_str(),
        "shared-join" | "source-join" | "source-ad"
    ) {
        return Err(ParseError::new(kind_tok.pos, format!("invalid mcast-vpn route type \"{}\": expected shared-join, source-join or source-ad", kind_tok.text)));
    }
    let mut spec = RouteSpec::default();
    let (mut rp, mut source, mut group, mut source_as) = (None, None, None, None);
    let ip = |cur: &mut Cursor<'_>, what: &str| {
        values::ip_in(cur.value(what, "an IP address")?, what, afi)
    };
    while let Some(kw) = cur.advance() {
        match kw.text.as_str() {
            "rp" => rp = Some(ip(&mut cur, "rp")?),
            "source" => source = Some(ip(&mut cur, "source")?),
            "group" => group = Some(ip(&mut cur, "group")?),
            "source-as" => source_as = Some(values::asn(cur.value("source-as", "an AS number")?)?),
            _ => {
                if !route_keyword(kw, &mut cur, &mut spec)? {
                    let mut known = vec!["rp", "source", "group", "source-as"];
                    known.extend(super::attributes::ROUTE_KEYWORDS);
                    return Err(crate::section::unknown_keyword(kw, "mcast-vpn", &known));
                }
            }
        }
    }
    let missing = |what: &str| {
        ParseError::new(
            kind_tok.pos,
            format!(
                "incomplete mcast-vpn {} route, missing {what}",
                kind_tok.text
            ),
        )
    };
    let group = group.ok_or_else(|| missing("group"))?;
    let kind = match kind_tok.text.as_str() {
        "shared-join" => MvpnKind::SharedJoin {
            rp: rp.ok_or_else(|| missing("rp"))?,
            group,
            source_as: source_as.ok_or_else(|| missing("source-as"))?,
        },
        "source-join" => MvpnKind::SourceJoin {
            source: source.ok_or_else(|| missing("source"))?,
            group,
            source_as: source_as.ok_or_else(|| missing("source-as"))?,
        },
        _ => MvpnKind::SourceAd {
            source: source.ok_or_else(|| missing("source"))?,
            group,
        },
    };
    let rd = spec.rd.ok_or_else(|| missing("rd"))?;
    if announce && spec.next_hop.is_none() {
        return Err(missing("next-hop"));
    }
    Ok(MvpnRoute {
        family: Family::new(afi, Safi::MCAST_VPN),
        kind,
        rd,
        next_hop: spec.next_hop,
        attrs: Arc::new(spec.attrs),
        meta: RouteMeta {
            name: spec.name,
            watchdog: spec.watchdog,
            withdrawn: spec.withdraw,
        },
    })
}
