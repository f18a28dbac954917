//! BGP-MUP routes (draft-mpmz-bess-mup-safi): `mup mup-isd|mup-dsd|mup-t1st|
//! mup-t2st ...` in `announce { ipv4|ipv6 { } }` and in the API.

use super::attributes::{route_keyword, AttrSet, NextHopSpec, RouteSpec};
use super::cursor::Cursor;
use super::RouteMeta;
use crate::error::{PResult, ParseError, Pos};
use crate::lexer::Token;
use crate::values;
use ferrobgp_wire::nlri::RouteDistinguisher;
use ferrobgp_wire::{Afi, Family, Safi};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::sync::Arc;

/// The four MUP route types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MupKind {
    /// Interwork Segment Discovery.
    Isd { prefix: IpNet },
    /// Direct Segment Discovery.
    Dsd { address: IpAddr },
    /// Type 1 Session Transformed.
    T1st {
        prefix: IpNet,
        teid: u32,
        qfi: u8,
        endpoint: IpAddr,
        source: Option<IpAddr>,
    },
    /// Type 2 Session Transformed: endpoint with the first `teid_bits` of the TEID.
    T2st {
        endpoint: IpAddr,
        teid: u32,
        teid_bits: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MupRoute {
    pub family: Family,
    pub kind: MupKind,
    pub rd: RouteDistinguisher,
    pub next_hop: Option<NextHopSpec>,
    pub attrs: Arc<AttrSet>,
    pub meta: RouteMeta,
}

/// `<route-type> <nlri> <keywords...>`: `tokens` start after `mup`.
pub fn parse_mup(afi: Afi, tokens: &[Token], end: Pos, announce: bool) -> PResult<MupRoute> {
    let mut cur = Cursor::new(tokens, end);
    let kind_tok = cur.value("mup", "mup-isd, mup-dsd, mup-t1st or mup-t2st")?;
    let first = cur.value(&kind_tok.text, "the route's prefix or address")?;
    let mut spec = RouteSpec::default();
    let mut mup = MupValues::default();
    if !matches!(
        kind_tok.text.as_str(),
        "mup-isd" | "mup-dsd" | "mup-t1st" | "mup-t2st"
    ) {
        return Err(ParseError::new(
            kind_tok.pos,
            format!(
                "invalid mup route type \"{}\": expected mup-isd, mup-dsd, mup-t1st or mup-t2st",
                kind_tok.text
            ),
        ));
    }
    while let Some(kw) = cur.advance() {
        if !mup.keyword(kw, &mut cur, afi)? && !route_keyword(kw, &mut cur, &mut spec)? {
            let mut known = vec!["teid", "qfi", "endpoint", "source"];
            known.extend(super::attributes::ROUTE_KEYWORDS);
            return Err(crate::section::unknown_keyword(kw, "mup", &known));
        }
    }
    let missing = |what: &str| {
        ParseError::new(
            kind_tok.pos,
            format!("incomplete {} route, missing {what}", kind_tok.text),
        )
    };
    let kind = mup.kind(&kind_tok.text, first, afi, missing)?;
    let rd = spec.rd.ok_or_else(|| missing("rd"))?;
    if announce && spec.next_hop.is_none() {
        return Err(missing("next-hop"));
    }
    Ok(MupRoute {
        family: Family::new(afi, Safi::MUP),
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

/// The values of the MUP keywords of a route (`teid` with its optional
/// `/bits` and where it was, `qfi`, `endpoint`, `source`).
#[derive(Default)]
struct MupValues {
    teid: Option<(u32, Option<u8>, Pos)>,
    qfi: Option<u8>,
    endpoint: Option<IpAddr>,
    source: Option<IpAddr>,
}

impl MupValues {
    /// Reads `kw`'s value when it is a MUP keyword; false when it is not.
    fn keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>, afi: Afi) -> PResult<bool> {
        match kw.text.as_str() {
            "teid" => self.teid = Some(teid(cur.value("teid", "a TEID (t2st: teid/bits)")?)?),
            "qfi" => {
                self.qfi = Some(values::u8_in(
                    cur.value("qfi", "a QFI 0..255")?,
                    "qfi",
                    0,
                    255,
                )?)
            }
            "endpoint" => {
                self.endpoint = Some(values::ip_in(
                    cur.value("endpoint", "an IP address")?,
                    "endpoint",
                    afi,
                )?)
            }
            "source" => {
                self.source = Some(values::ip_in(
                    cur.value("source", "an IP address")?,
                    "source",
                    afi,
                )?)
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The route of type `kind_name` from its first value and these.
    fn kind(
        self,
        kind_name: &str,
        first: &Token,
        afi: Afi,
        missing: impl Fn(&str) -> ParseError,
    ) -> PResult<MupKind> {
        Ok(match kind_name {
            "mup-isd" => MupKind::Isd {
                prefix: values::prefix_in(first, afi)?,
            },
            "mup-dsd" => MupKind::Dsd {
                address: values::ip_in(first, "address", afi)?,
            },
            "mup-t1st" => {
                let (t, bits, at) = self.teid.ok_or_else(|| missing("teid"))?;
                if bits.is_some() {
                    return Err(ParseError::new(
                        at,
                        "mup-t1st takes a plain teid (no /bits)",
                    ));
                }
                MupKind::T1st {
                    prefix: values::prefix_in(first, afi)?,
                    teid: t,
                    qfi: self.qfi.ok_or_else(|| missing("qfi"))?,
                    endpoint: self.endpoint.ok_or_else(|| missing("endpoint"))?,
                    source: self.source,
                }
            }
            _ => {
                let (t, bits, _) = self.teid.ok_or_else(|| missing("teid"))?;
                MupKind::T2st {
                    endpoint: values::ip_in(first, "endpoint", afi)?,
                    teid: t,
                    teid_bits: bits.unwrap_or(32),
                }
            }
        })
    }
}

/// `teid N` (mup-t1st) or `teid N/BITS` (mup-t2st, the value fitting in
/// its bits), with where it was.
fn teid(t: &Token) -> PResult<(u32, Option<u8>, Pos)> {
    let (v, bits) = match t.text.split_once('/') {
        Some((v, b)) => (v, Some(b)),
        None => (t.text.as_str(), None),
    };
    let bad = || {
        ParseError::new(t.pos, format!("invalid teid \"{}\": expected an integer 0..4294967295 (mup-t2st: value/bits, bits 0..32)", t.text))
    };
    let v = v.parse::<u32>().map_err(|_| bad())?;
    let bits = match bits {
        Some(b) => Some(b.parse::<u8>().ok().filter(|b| *b <= 32).ok_or_else(bad)?),
        None => None,
    };
    if let Some(b) = bits {
        if b < 32 && u64::from(v) >= (1u64 << b) {
            return Err(ParseError::new(
                t.pos,
                format!("teid {v} does not fit in {b} bits"),
            ));
        }
    }
    Ok((v, bits, t.pos))
}
