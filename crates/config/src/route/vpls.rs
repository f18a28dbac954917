//! VPLS routes (RFC 4761): `l2vpn { vpls [<name>] <keywords>; vpls <name> {
//! ... } }`, the same inside `announce { l2vpn { } }`, and the API's
//! `announce vpls ...`.

use super::attributes::{route_keyword, AttrSet, NextHopSpec, RouteSpec};
use super::cursor::Cursor;
use super::{ConfigRoute, RouteMeta};
use crate::error::{PResult, ParseError, Pos};
use crate::lexer::Token;
use crate::section::Sink;
use crate::tree::{Node, Section};
use crate::values;
use ferrobgp_wire::nlri::RouteDistinguisher;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A VPLS NLRI with its attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VplsRoute {
    pub rd: RouteDistinguisher,
    /// VE ID.
    pub endpoint: u16,
    /// Label base (20 bits).
    pub base: u32,
    /// VE block offset.
    pub offset: u16,
    /// VE block size.
    pub size: u16,
    pub next_hop: Option<NextHopSpec>,
    pub attrs: Arc<AttrSet>,
    pub meta: RouteMeta,
}

#[derive(Default)]
struct Parts {
    spec: RouteSpec,
    endpoint: Option<u16>,
    base: Option<u32>,
    offset: Option<u16>,
    size: Option<u16>,
}

impl Parts {
    fn keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<bool> {
        match kw.text.as_str() {
            "endpoint" => {
                self.endpoint = Some(values::u16_in(
                    cur.value("endpoint", "a VE id 0..65535")?,
                    "endpoint",
                    0,
                    0xFFFF,
                )?)
            }
            "base" => {
                self.base = Some(values::int_in(
                    cur.value("base", "a label base 0..1048575")?,
                    "base",
                    0,
                    0xF_FFFF,
                )? as u32)
            }
            "offset" => {
                self.offset = Some(values::u16_in(
                    cur.value("offset", "a block offset 0..65535")?,
                    "offset",
                    0,
                    0xFFFF,
                )?)
            }
            "size" => {
                self.size = Some(values::u16_in(
                    cur.value("size", "a block size 0..65535")?,
                    "size",
                    0,
                    0xFFFF,
                )?)
            }
            _ => return route_keyword(kw, cur, &mut self.spec),
        }
        Ok(true)
    }

    fn finish(self, at: Pos, announce: bool) -> PResult<VplsRoute> {
        let missing =
            |what: &str| ParseError::new(at, format!("incomplete vpls route, missing {what}"));
        let rd = self.spec.rd.ok_or_else(|| missing("rd"))?;
        let endpoint = self.endpoint.ok_or_else(|| missing("endpoint"))?;
        let base = self.base.ok_or_else(|| missing("base"))?;
        let offset = self.offset.ok_or_else(|| missing("offset"))?;
        let size = self.size.ok_or_else(|| missing("size"))?;
        if announce && self.spec.next_hop.is_none() {
            return Err(missing("next-hop"));
        }
        Ok(VplsRoute {
            rd,
            endpoint,
            base,
            offset,
            size,
            next_hop: self.spec.next_hop,
            attrs: Arc::new(self.spec.attrs),
            meta: RouteMeta {
                name: self.spec.name,
                watchdog: self.spec.watchdog,
                withdrawn: self.spec.withdraw,
            },
        })
    }
}

const VPLS_KEYWORDS: [&str; 5] = ["endpoint", "base", "offset", "size", "rd"];

fn unknown(kw: &Token) -> ParseError {
    let mut known: Vec<&str> = VPLS_KEYWORDS.to_vec();
    known.extend(super::attributes::ROUTE_KEYWORDS);
    crate::section::unknown_keyword(kw, "vpls", &known)
}

/// `[<name>] <keywords...>`: `tokens` start after `vpls`.
pub fn parse_vpls(tokens: &[Token], end: Pos, announce: bool) -> PResult<VplsRoute> {
    let mut cur = Cursor::new(tokens, end);
    let mut p = Parts::default();
    let at = tokens.first().map_or(end, |t| t.pos);
    let mut first = true;
    while let Some(kw) = cur.advance() {
        if !p.keyword(kw, &mut cur)? {
            if first && kw.is_word() {
                p.spec.name = Some(kw.text.clone());
            } else {
                return Err(unknown(kw));
            }
        }
        first = false;
    }
    p.finish(at, announce)
}

/// `vpls <name> { endpoint 5; ... }`.
pub fn vpls_block(s: &Section, sink: &mut Sink) -> Option<VplsRoute> {
    let mut p = Parts::default();
    let mut head = Cursor::new(&s.head[1..], s.open);
    if let Some(name) = head.peek() {
        if !matches!(
            name.text.as_str(),
            "endpoint" | "base" | "offset" | "size" | "rd"
        ) {
            p.spec.name = Some(name.text.clone());
            head.advance();
        }
    }
    let before = sink.errors.len();
    while let Some(kw) = head.advance() {
        match p.keyword(kw, &mut head) {
            Ok(true) => {}
            Ok(false) => sink.error(unknown(kw)),
            Err(e) => sink.error(e),
        }
    }
    for node in &s.body {
        match node {
            Node::Statement(st) => {
                let mut cur = Cursor::new(st.args(), st.end);
                match p.keyword(st.keyword(), &mut cur) {
                    Ok(true) => {
                        if let Some(e) = cur.left_after(st.keyword()) {
                            sink.error(e);
                        }
                    }
                    Ok(false) => sink.error(unknown(st.keyword())),
                    Err(e) => sink.error(e),
                }
            }
            Node::Section(sub) => sink.err(
                sub.pos(),
                format!("unexpected section \"{}\" in vpls", sub.name()),
            ),
        }
    }
    if sink.errors.len() > before {
        return None;
    }
    sink.take(p.finish(s.pos(), true))
}

/// `l2vpn { vpls ...; vpls <name> { ... } }`.
pub fn l2vpn_section(s: &Section, sink: &mut Sink) -> Vec<(ConfigRoute, Pos)> {
    crate::section::no_args(s, sink);
    let mut out = Vec::new();
    for node in &s.body {
        match node {
            Node::Statement(st) if st.keyword().is("vpls") => {
                match parse_vpls(st.args(), st.end, true) {
                    Ok(r) => out.push((ConfigRoute::Vpls(r), st.keyword().pos)),
                    Err(e) => sink.error(e),
                }
            }
            Node::Section(sub) if sub.name() == "vpls" => {
                if let Some(r) = vpls_block(sub, sink) {
                    out.push((ConfigRoute::Vpls(r), sub.pos()));
                }
            }
            other => {
                let pos = other.pos();
                sink.err(pos, "unexpected content in l2vpn: expected \"vpls ...;\" or \"vpls <name> { ... }\"");
            }
        }
    }
    out
}
