//! ExaBGP's Operational messages (draft-ietf-idr-operational-message):
//! `operational { asm afi ipv4 safi unicast advisory "text"; ... }` and the
//! API's `announce operational ...`: one grammar, [`parse_operational`],
//! which crates/api calls with the command line's own words as tokens.

use super::cursor::Cursor;
use crate::error::{PResult, ParseError, Pos};
use crate::lexer::Token;
use crate::section::Sink;
use crate::tree::Section;
use crate::values;
use ferrobgp_wire::Family;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Operational message subtypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OperationalKind {
    /// Advisory Static Message.
    Asm,
    /// Advisory Demand Message.
    Adm,
    /// Reachable Prefix Count Request / Reply.
    Rpcq,
    Rpcp,
    /// Adj-RIB-Out Prefix Count Request / Reply.
    Apcq,
    Apcp,
    /// Local RIB Prefix Count Request / Reply.
    Lpcq,
    Lpcp,
}

impl OperationalKind {
    pub fn from_name(s: &str) -> Option<OperationalKind> {
        Some(match s {
            "asm" => OperationalKind::Asm,
            "adm" => OperationalKind::Adm,
            "rpcq" => OperationalKind::Rpcq,
            "rpcp" => OperationalKind::Rpcp,
            "apcq" => OperationalKind::Apcq,
            "apcp" => OperationalKind::Apcp,
            "lpcq" => OperationalKind::Lpcq,
            "lpcp" => OperationalKind::Lpcp,
            _ => return None,
        })
    }
    fn is_advisory(self) -> bool {
        matches!(self, OperationalKind::Asm | OperationalKind::Adm)
    }
    fn is_reply(self) -> bool {
        matches!(
            self,
            OperationalKind::Rpcp | OperationalKind::Apcp | OperationalKind::Lpcp
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OperationalMessage {
    pub kind: OperationalKind,
    pub family: Family,
    pub advisory: Option<String>,
    pub sequence: Option<u32>,
    pub counter: Option<u32>,
    pub router_id: Option<Ipv4Addr>,
}

const KINDS: [&str; 8] = ["asm", "adm", "rpcq", "rpcp", "apcq", "apcp", "lpcq", "lpcp"];

/// `<kind> afi <afi> safi <safi> ...`: `tokens` start at the kind.
pub fn parse_operational(tokens: &[Token], end: Pos) -> PResult<OperationalMessage> {
    let mut cur = Cursor::new(tokens, end);
    let k = cur.value(
        "operational",
        "asm, adm, rpcq, rpcp, apcq, apcp, lpcq or lpcp",
    )?;
    let kind = OperationalKind::from_name(&k.text)
        .ok_or_else(|| crate::section::unknown_keyword(k, "operational", &KINDS))?;
    let Fields {
        afi,
        safi,
        advisory,
        sequence,
        counter,
        router_id,
    } = Fields::read(&mut cur)?;
    let missing = |what: &str| {
        ParseError::new(
            k.pos,
            format!("incomplete operational {} message, missing {what}", k.text),
        )
    };
    let afi = afi.ok_or_else(|| missing("afi"))?;
    let safi = safi.ok_or_else(|| missing("safi"))?;
    let family = crate::family::family_words(afi, Some(safi))?;
    if kind.is_advisory() && advisory.is_none() {
        return Err(missing("advisory"));
    }
    if !kind.is_advisory() && sequence.is_none() {
        return Err(missing("sequence"));
    }
    if kind.is_reply() && counter.is_none() {
        return Err(missing("counter"));
    }
    Ok(OperationalMessage {
        kind,
        family,
        advisory,
        sequence,
        counter,
        router_id,
    })
}

/// The keywords of an operational message, as written.
#[derive(Default)]
struct Fields<'t> {
    afi: Option<&'t Token>,
    safi: Option<&'t Token>,
    advisory: Option<String>,
    sequence: Option<u32>,
    counter: Option<u32>,
    router_id: Option<Ipv4Addr>,
}

impl<'t> Fields<'t> {
    /// Reads the keywords after the kind, up to the end.
    fn read(cur: &mut Cursor<'t>) -> PResult<Fields<'t>> {
        let mut f = Fields::default();
        while let Some(kw) = cur.advance() {
            match kw.text.as_str() {
                "afi" => f.afi = Some(cur.value("afi", "an address family")?),
                "safi" => f.safi = Some(cur.value("safi", "a subsequent address family")?),
                "advisory" => {
                    let v = cur.value("advisory", "a quoted text")?;
                    if v.text.len() > 2048 {
                        return Err(ParseError::new(
                            v.pos,
                            "advisory text longer than 2048 bytes",
                        ));
                    }
                    f.advisory = Some(v.text.clone());
                }
                "sequence" => {
                    f.sequence = Some(values::u32_any(
                        cur.value("sequence", "an integer")?,
                        "sequence",
                    )?)
                }
                "counter" => {
                    f.counter = Some(values::u32_any(
                        cur.value("counter", "an integer")?,
                        "counter",
                    )?)
                }
                "router-id" => {
                    f.router_id = Some(values::ipv4(
                        cur.value("router-id", "an IPv4 address")?,
                        "router-id",
                    )?)
                }
                _ => {
                    return Err(crate::section::unknown_keyword(
                        kw,
                        "operational",
                        &[
                            "afi",
                            "safi",
                            "advisory",
                            "sequence",
                            "counter",
                            "router-id",
                        ],
                    ))
                }
            }
        }
        Ok(f)
    }
}

/// `operational { <message>; ... }`.
pub fn operational_section(s: &Section, sink: &mut Sink) -> Vec<OperationalMessage> {
    crate::section::no_args(s, sink);
    let mut out = Vec::new();
    for node in &s.body {
        match crate::section::expect_statement(node, "operational") {
            Ok(st) => {
                if let Some(m) = sink.take(parse_operational(&st.words, st.end)) {
                    out.push(m);
                }
            }
            Err(e) => sink.error(e),
        }
    }
    out
}
