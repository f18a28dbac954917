//! The `family`, `nexthop` and `add-path` blocks (spec §1.5, §1.6): which
//! (AFI, SAFI) names are accepted where.

use crate::error::{PResult, ParseError};
use crate::lexer::Token;
use crate::model::NextHopFamily;
use crate::section::{expect_statement, Sink};
use crate::tree::Section;
use ferrobgp_wire::{Afi, Family, Safi};

/// SAFI names accepted after each AFI in a `family` block.
pub fn safis_of(afi: &str) -> &'static [&'static str] {
    match afi {
        "ipv4" => &[
            "unicast",
            "multicast",
            "nlri-mpls",
            "labeled-unicast",
            "mpls-vpn",
            "mcast-vpn",
            "flow",
            "flow-vpn",
            "mup",
        ],
        "ipv6" => &[
            "unicast",
            "nlri-mpls",
            "labeled-unicast",
            "mpls-vpn",
            "mcast-vpn",
            "flow",
            "flow-vpn",
            "mup",
        ],
        "l2vpn" => &["vpls", "evpn"],
        "bgp-ls" => &["bgp-ls", "bgp-ls-vpn"],
        _ => &[],
    }
}

const AFIS: [&str; 4] = ["ipv4", "ipv6", "l2vpn", "bgp-ls"];

/// Parses `<afi> <safi>` from two tokens.
pub fn family_words(afi: &Token, safi: Option<&Token>) -> PResult<Family> {
    let safis = safis_of(&afi.text);
    if safis.is_empty() {
        let hint = crate::suggest::closest(&afi.text, AFIS)
            .map(|s| format!(" (did you mean \"{s}\"?)"))
            .unwrap_or_default();
        return Err(ParseError::new(
            afi.pos,
            format!(
                "unknown address family \"{}\": expected ipv4, ipv6, l2vpn or bgp-ls{hint}",
                afi.text
            ),
        ));
    }
    let Some(safi) = safi else {
        return Err(ParseError::new(
            afi.pos,
            format!(
                "missing subsequent address family after \"{}\": expected one of {}",
                afi.text,
                safis.join(", ")
            ),
        ));
    };
    if !safis.contains(&safi.text.as_str()) {
        let hint = crate::suggest::closest(&safi.text, safis.iter().copied())
            .map(|s| format!(" (did you mean \"{s}\"?)"))
            .unwrap_or_default();
        return Err(ParseError::new(
            safi.pos,
            format!(
                "invalid family \"{} {}\": expected one of {}{hint}",
                afi.text,
                safi.text,
                safis.join(", ")
            ),
        ));
    }
    match (Afi::from_name(&afi.text), Safi::from_name(&safi.text)) {
        (Some(a), Some(s)) => Ok(Family::new(a, s)),
        _ => Err(ParseError::new(
            safi.pos,
            format!("unknown family \"{} {}\"", afi.text, safi.text),
        )),
    }
}

/// What a `family` block says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FamilyBlock {
    /// `all;` was given.
    pub all: bool,
    pub families: Vec<Family>,
}

pub fn family_block(s: &Section, sink: &mut Sink) -> FamilyBlock {
    crate::section::no_args(s, sink);
    let mut out = FamilyBlock::default();
    for node in &s.body {
        let st = match expect_statement(node, "family") {
            Ok(st) => st,
            Err(e) => {
                sink.error(e);
                continue;
            }
        };
        let kw = st.keyword();
        if kw.is("all") {
            if let Some(extra) = st.args().first() {
                sink.err(
                    extra.pos,
                    format!(
                        "unexpected \"{}\" after \"all\": expected \";\"",
                        extra.text
                    ),
                );
            }
            out.all = true;
            continue;
        }
        if kw.is("minimal") {
            sink.err(
                kw.pos,
                "\"minimal\" is not supported: list the families explicitly",
            );
            continue;
        }
        let Some(f) = sink.take(family_words(kw, st.args().first())) else {
            continue;
        };
        if let Some(extra) = st.args().get(1) {
            sink.err(
                extra.pos,
                format!(
                    "unexpected \"{}\" after \"{f}\": expected \";\"",
                    extra.text
                ),
            );
            continue;
        }
        if out.families.contains(&f) {
            sink.err(kw.pos, format!("duplicate family \"{f}\""));
            continue;
        }
        out.families.push(f);
    }
    if out.all && !out.families.is_empty() {
        sink.err(
            s.pos(),
            "\"all\" cannot be combined with other families in the same family block",
        );
    }
    out
}

/// `nexthop { <afi> <safi> <nexthop-afi>; }`.
pub fn nexthop_block(s: &Section, sink: &mut Sink) -> Vec<NextHopFamily> {
    crate::section::no_args(s, sink);
    let mut out = Vec::new();
    for node in &s.body {
        let st = match expect_statement(node, "nexthop") {
            Ok(st) => st,
            Err(e) => {
                sink.error(e);
                continue;
            }
        };
        let Some(family) = sink.take(family_words(st.keyword(), st.args().first())) else {
            continue;
        };
        let Some(nh) = st.args().get(1) else {
            sink.err(
                st.end,
                format!(
                    "missing next-hop address family after \"{family}\": expected ipv4 or ipv6"
                ),
            );
            continue;
        };
        let nexthop_afi = match nh.text.as_str() {
            "ipv4" => Afi::IPV4,
            "ipv6" => Afi::IPV6,
            _ => {
                sink.err(
                    nh.pos,
                    format!(
                        "invalid next-hop address family \"{}\": expected ipv4 or ipv6",
                        nh.text
                    ),
                );
                continue;
            }
        };
        if let Some(extra) = st.args().get(2) {
            sink.err(
                extra.pos,
                format!("unexpected \"{}\": expected \";\"", extra.text),
            );
            continue;
        }
        let line = NextHopFamily {
            family,
            nexthop_afi,
        };
        if !out.contains(&line) {
            out.push(line);
        }
    }
    out
}

/// `add-path { <afi> <safi>; }`.
pub fn add_path_block(s: &Section, sink: &mut Sink) -> Vec<Family> {
    crate::section::no_args(s, sink);
    let mut out = Vec::new();
    for node in &s.body {
        let st = match expect_statement(node, "add-path") {
            Ok(st) => st,
            Err(e) => {
                sink.error(e);
                continue;
            }
        };
        let Some(f) = sink.take(family_words(st.keyword(), st.args().first())) else {
            continue;
        };
        if let Some(extra) = st.args().get(1) {
            sink.err(
                extra.pos,
                format!(
                    "unexpected \"{}\" after \"{f}\": expected \";\"",
                    extra.text
                ),
            );
            continue;
        }
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// Families whose paths can be put in the ADD-PATH capability.
pub fn add_path_capable(f: Family) -> bool {
    matches!(f.afi, Afi::IPV4 | Afi::IPV6)
        && matches!(
            f.safi,
            Safi::UNICAST | Safi::NLRI_MPLS | Safi::MPLS_VPN | Safi::MUP
        )
}
