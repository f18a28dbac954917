//! `neighbor` and `template { neighbor <name> }` sections (spec §1.2–§1.4):
//! reading one into a [`Draft`] (every value optional, so presence is
//! known), merging templates the way ExaBGP does (template scalars win,
//! lists are concatenated, sub-sections merged key-wise), and resolving a
//! merged draft into a [`Neighbor`] with ExaBGP's defaults.

mod resolve;

pub use resolve::resolve;

use crate::api::{api_block, ApiDraft};
use crate::error::{PResult, ParseError, Pos};
use crate::family::{add_path_block, add_path_capable, family_block, nexthop_block, FamilyBlock};
use crate::lexer::Token;
use crate::model::*;
use crate::route::{ConfigRoute, OperationalMessage};
use crate::route_text::{section_routes, Lines, RouteText, SECTIONS};
use crate::section::{flag, unknown_keyword, Sink};
use crate::settings::Settings;
use crate::tree::{Node, Section, Statement};
use crate::values;
use ferrobgp_wire::Family;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

/// `graceful-restart` as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GracefulRestart {
    Disabled,
    Seconds(u16),
    /// Bare or `enable`: the hold time.
    HoldTime,
}

/// The `capability` block as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapabilityDraft {
    pub asn4: Option<bool>,
    pub route_refresh: Option<bool>,
    pub graceful_restart: Option<GracefulRestart>,
    pub add_path: Option<AddPathMode>,
    pub multi_session: Option<bool>,
    pub operational: Option<bool>,
    pub extended_message: Option<bool>,
    pub nexthop: Option<bool>,
    pub aigp: Option<bool>,
    pub software_version: Option<bool>,
}

impl CapabilityDraft {
    /// Key-wise merge, `tpl` winning.
    fn merge(&mut self, tpl: &CapabilityDraft) {
        macro_rules! win {
            ($($f:ident),*) => { $( if tpl.$f.is_some() { self.$f = tpl.$f; } )* };
        }
        win!(
            asn4,
            route_refresh,
            graceful_restart,
            add_path,
            multi_session,
            operational,
            extended_message,
            nexthop,
            aigp,
            software_version
        );
    }
}

/// A neighbor or template as written.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub pos: Pos,
    pub description: Option<String>,
    pub router_id: Option<Ipv4Addr>,
    pub local_address: Option<LocalAddress>,
    pub source_interface: Option<String>,
    pub local_as: Option<AsNumber>,
    pub peer_as: Option<AsNumber>,
    pub hold_time: Option<u16>,
    pub passive: Option<bool>,
    pub listen: Option<u16>,
    pub connect: Option<u16>,
    pub outgoing_ttl: Option<Option<u8>>,
    pub incoming_ttl: Option<Option<u8>>,
    pub md5_password: Option<String>,
    pub md5_base64: Option<Md5Base64>,
    pub md5_ip: Option<IpAddr>,
    pub group_updates: Option<bool>,
    pub auto_flush: Option<bool>,
    pub adj_rib_out: Option<bool>,
    pub adj_rib_in: Option<bool>,
    pub manual_eor: Option<bool>,
    pub rate_limit: Option<u32>,
    pub host_name: Option<String>,
    pub domain_name: Option<String>,
    pub inherit: Vec<Token>,
    pub capability: CapabilityDraft,
    pub family: Option<FamilyBlock>,
    pub nexthop: Option<Vec<NextHopFamily>>,
    pub add_path: Option<Vec<Family>>,
    pub api: Vec<ApiDraft>,
    pub routes: Vec<(ConfigRoute, Pos)>,
    /// Route sections kept as text (a load with `defer_routes`).
    pub route_text: Vec<crate::RouteText>,
    pub operational: Vec<OperationalMessage>,
}

impl Draft {
    /// ExaBGP's template merge: scalars in `tpl` overwrite, lists are
    /// concatenated (the neighbor's first), sub-sections merged key-wise.
    pub fn merge_template(&mut self, tpl: &Draft) {
        macro_rules! win {
            ($($f:ident),*) => { $( if tpl.$f.is_some() { self.$f = tpl.$f.clone(); } )* };
        }
        win!(
            description,
            router_id,
            local_address,
            source_interface,
            local_as,
            peer_as,
            hold_time,
            passive,
            listen,
            connect,
            outgoing_ttl,
            incoming_ttl,
            md5_password,
            md5_base64,
            md5_ip,
            group_updates,
            auto_flush,
            adj_rib_out,
            adj_rib_in,
            manual_eor,
            rate_limit,
            host_name,
            domain_name
        );
        self.capability.merge(&tpl.capability);
        if let Some(tf) = &tpl.family {
            let f = self.family.get_or_insert_with(FamilyBlock::default);
            f.all |= tf.all;
            for x in &tf.families {
                if !f.families.contains(x) {
                    f.families.push(*x);
                }
            }
        }
        if let Some(tn) = &tpl.nexthop {
            let n = self.nexthop.get_or_insert_with(Vec::new);
            for x in tn {
                if !n.contains(x) {
                    n.push(*x);
                }
            }
        }
        if let Some(ta) = &tpl.add_path {
            let a = self.add_path.get_or_insert_with(Vec::new);
            for x in ta {
                if !a.contains(x) {
                    a.push(*x);
                }
            }
        }
        self.api.extend(tpl.api.iter().cloned());
        self.routes.extend(tpl.routes.iter().cloned());
        self.route_text.extend(tpl.route_text.iter().cloned());
        self.operational.extend(tpl.operational.iter().cloned());
    }
}

/// Keywords of a neighbor section (statements and sub-sections).
pub const NEIGHBOR_KEYWORDS: [&str; 34] = [
    "description",
    "router-id",
    "local-address",
    "source-interface",
    "local-as",
    "peer-as",
    "hold-time",
    "passive",
    "listen",
    "connect",
    "outgoing-ttl",
    "incoming-ttl",
    "md5-password",
    "md5-base64",
    "md5-ip",
    "group-updates",
    "auto-flush",
    "adj-rib-out",
    "adj-rib-in",
    "manual-eor",
    "rate-limit",
    "host-name",
    "domain-name",
    "inherit",
    "family",
    "capability",
    "add-path",
    "nexthop",
    "api",
    "static",
    "flow",
    "l2vpn",
    "operational",
    "announce",
];

const CAPABILITY_KEYWORDS: [&str; 10] = [
    "asn4",
    "route-refresh",
    "graceful-restart",
    "add-path",
    "multi-session",
    "operational",
    "extended-message",
    "nexthop",
    "aigp",
    "software-version",
];

/// Spellings of ExaBGP 3.x that 4.x/5.x reject, with what to write instead.
fn obsolete(word: &str) -> Option<&'static str> {
    Some(match word {
        "ttl-security" => "\"ttl-security\" is ExaBGP 3.x syntax: use outgoing-ttl / incoming-ttl",
        "md5" => "\"md5\" is ExaBGP 3.x syntax: use md5-password",
        "graceful-restart" => "\"graceful-restart\" belongs in the capability block: capability { graceful-restart; }",
        "group" => "\"group\" sections are ExaBGP 3.x syntax: use template { neighbor <name> { ... } } and inherit",
        "process" => "\"process\" is a top-level section in ExaBGP 4.x/5.x: bind it with api { processes [ name ]; }",
        _ => return None,
    })
}

fn one(st: &Statement) -> PResult<&Token> {
    values::single(st.keyword(), st.args())
}

fn ttl(st: &Statement) -> PResult<Option<u8>> {
    let v = one(st)?;
    if v.is("disable") {
        return Ok(None);
    }
    values::u8_in(v, &st.keyword().text, 0, 255).map(Some)
}

fn asn_or_auto(st: &Statement) -> PResult<AsNumber> {
    let v = one(st)?;
    if v.is("auto") {
        return Ok(AsNumber::Auto);
    }
    values::asn(v).map(AsNumber::Asn)
}

/// `local-as`: AS 0 is reserved (RFC 7607) and can open no session.
fn local_as(st: &Statement) -> PResult<AsNumber> {
    let a = asn_or_auto(st)?;
    if a.asn() == Some(0) {
        return Err(ParseError::new(
            st.args()[0].pos,
            "local-as 0 is invalid: AS 0 is reserved (RFC 7607)",
        ));
    }
    Ok(a)
}

/// `router-id`: a BGP Identifier is a non-zero IPv4 address (RFC 6286).
fn router_id(st: &Statement) -> PResult<std::net::Ipv4Addr> {
    let v = one(st)?;
    let id = values::ipv4(v, "router-id")?;
    if id.is_unspecified() {
        return Err(ParseError::new(
            v.pos,
            "router-id 0.0.0.0 is invalid: a BGP Identifier is non-zero (RFC 6286)",
        ));
    }
    Ok(id)
}

fn hold_time(st: &Statement) -> PResult<u16> {
    let v = one(st)?;
    let h = values::u16_in(v, "hold-time", 0, 65535)?;
    if h == 1 || h == 2 {
        return Err(ParseError::new(
            v.pos,
            format!("hold-time {h} is invalid: expected 0 or 3..65535"),
        ));
    }
    Ok(h)
}

fn free_text(st: &Statement) -> PResult<String> {
    if st.args().is_empty() {
        return Err(ParseError::new(
            st.keyword().pos,
            format!("missing value for \"{}\"", st.keyword().text),
        ));
    }
    if let Some(bad) = st.args().iter().find(|t| !t.is_word()) {
        return Err(ParseError::new(
            bad.pos,
            format!("unexpected \"{}\": quote the text", bad.text),
        ));
    }
    Ok(crate::section::words(st.args()))
}

fn capability_block(s: &Section, c: &mut CapabilityDraft, sink: &mut Sink) {
    crate::section::no_args(s, sink);
    for node in &s.body {
        let st = match crate::section::expect_statement(node, "capability") {
            Ok(st) => st,
            Err(e) => {
                sink.error(e);
                continue;
            }
        };
        let kw = st.keyword();
        match kw.text.as_str() {
            "asn4" => c.asn4 = sink.take(flag(st, true)).or(c.asn4),
            "route-refresh" => c.route_refresh = sink.take(flag(st, true)).or(c.route_refresh),
            "multi-session" => c.multi_session = sink.take(flag(st, true)).or(c.multi_session),
            "operational" => c.operational = sink.take(flag(st, true)).or(c.operational),
            "extended-message" => {
                c.extended_message = sink.take(flag(st, true)).or(c.extended_message)
            }
            "nexthop" => c.nexthop = sink.take(flag(st, true)).or(c.nexthop),
            "aigp" => c.aigp = sink.take(flag(st, true)).or(c.aigp),
            // quirk (spec §9 #6): a bare software-version means disabled
            "software-version" => {
                c.software_version = sink.take(flag(st, false)).or(c.software_version)
            }
            "graceful-restart" => {
                let v = match st.args() {
                    [] => Ok(GracefulRestart::HoldTime),
                    [v] => match v.text.as_str() {
                        "disable" | "disabled" | "false" => Ok(GracefulRestart::Disabled),
                        "enable" | "enabled" | "true" => Ok(GracefulRestart::HoldTime),
                        _ => values::u16_in(v, "graceful-restart time", 0, 65535).map(GracefulRestart::Seconds).map_err(|_| {
                            ParseError::new(
                                v.pos,
                                format!("invalid graceful-restart \"{}\": expected a time in seconds 0..65535 or disable", v.text),
                            )
                        }),
                    },
                    [_, extra, ..] => Err(ParseError::new(extra.pos, format!("unexpected \"{}\": expected \";\"", extra.text))),
                };
                c.graceful_restart = sink.take(v).or(c.graceful_restart);
            }
            "add-path" => {
                let v = match st.args() {
                    [] => Err(ParseError::new(
                        st.end,
                        "missing value for \"add-path\": expected disable, receive, send or send/receive",
                    )),
                    [v] => match v.text.as_str() {
                        "disable" | "disabled" => Ok(AddPathMode::Disable),
                        "receive" => Ok(AddPathMode::Receive),
                        "send" => Ok(AddPathMode::Send),
                        "send/receive" => Ok(AddPathMode::SendReceive),
                        "receive/send" => Err(ParseError::new(v.pos, "invalid add-path \"receive/send\": write it \"send/receive\"")),
                        _ => Err(ParseError::new(
                            v.pos,
                            format!("invalid add-path \"{}\": expected disable, receive, send or send/receive", v.text),
                        )),
                    },
                    [_, extra, ..] => Err(ParseError::new(extra.pos, format!("unexpected \"{}\": expected \";\"", extra.text))),
                };
                c.add_path = sink.take(v).or(c.add_path);
            }
            _ => sink.error(unknown_keyword(kw, "capability", &CAPABILITY_KEYWORDS)),
        }
    }
}

fn local_address(st: &Statement) -> PResult<LocalAddress> {
    let v = one(st)?;
    if v.is("auto") {
        return Ok(LocalAddress::Auto);
    }
    values::ip(v, "local-address").map(LocalAddress::Ip)
}

fn md5_base64(st: &Statement) -> PResult<Md5Base64> {
    match st.args() {
        [v] if v.is("auto") => Ok(Md5Base64::Auto),
        _ => flag(st, false).map(|b| if b { Md5Base64::Yes } else { Md5Base64::No }),
    }
}

/// `rate-limit`: messages a second, `disable` (0) for none.
fn rate_limit(st: &Statement) -> PResult<u32> {
    let v = one(st)?;
    if v.is("disable") {
        return Ok(0);
    }
    values::u32_any(v, "rate-limit")
}

fn statement(st: &Statement, d: &mut Draft, in_template: bool, sink: &mut Sink) {
    let kw = st.keyword();
    macro_rules! set {
        ($field:ident, $e:expr) => {
            if let Some(v) = sink.take($e) {
                d.$field = Some(v);
            }
        };
    }
    match kw.text.as_str() {
        "description" => set!(description, free_text(st)),
        "router-id" => set!(router_id, router_id(st)),
        "local-address" => set!(local_address, local_address(st)),
        "source-interface" => set!(source_interface, one(st).map(|v| v.text.clone())),
        "local-as" => set!(local_as, local_as(st)),
        "peer-as" => set!(peer_as, asn_or_auto(st)),
        "hold-time" => set!(hold_time, hold_time(st)),
        "passive" => set!(passive, flag(st, true)),
        "listen" => set!(
            listen,
            one(st).and_then(|v| values::u16_in(v, "listen port", 0, 65535))
        ),
        "connect" => set!(
            connect,
            one(st).and_then(|v| values::u16_in(v, "connect port", 1, 65535))
        ),
        "outgoing-ttl" => set!(outgoing_ttl, ttl(st)),
        "incoming-ttl" => set!(incoming_ttl, ttl(st)),
        "md5-password" => set!(md5_password, one(st).map(|v| v.text.clone())),
        "md5-base64" => set!(md5_base64, md5_base64(st)),
        "md5-ip" => set!(md5_ip, one(st).and_then(|v| values::ip(v, "md5-ip"))),
        "group-updates" => set!(group_updates, flag(st, true)),
        "auto-flush" => set!(auto_flush, flag(st, true)),
        // quirk (spec §9 #6): bare adj-rib-in / adj-rib-out disable the feature
        "adj-rib-out" => set!(adj_rib_out, flag(st, false)),
        "adj-rib-in" => set!(adj_rib_in, flag(st, false)),
        "manual-eor" => set!(manual_eor, flag(st, true)),
        "rate-limit" => set!(rate_limit, rate_limit(st)),
        "host-name" => set!(host_name, one(st).map(|v| v.text.clone())),
        "domain-name" => set!(domain_name, one(st).map(|v| v.text.clone())),
        "inherit" => {
            if in_template {
                sink.err(kw.pos, "\"inherit\" is not allowed inside a template");
                return;
            }
            if let Some(list) = sink.take(values::word_or_list(kw, st.args())) {
                d.inherit.extend(list.into_iter().cloned());
            }
        }
        "family" | "capability" | "add-path" | "nexthop" | "api" | "static" | "flow" | "l2vpn"
        | "operational" | "announce" => sink.err(
            kw.pos,
            format!(
                "\"{}\" is a section: expected \"{} {{ ... }}\"",
                kw.text, kw.text
            ),
        ),
        w => match obsolete(w) {
            Some(m) => sink.err(kw.pos, m),
            None => sink.error(unknown_keyword(kw, "neighbor", &NEIGHBOR_KEYWORDS)),
        },
    }
}

/// Reads the body of a `neighbor` (or template) section.
///
/// Takes the section by value: route sections are consumed statement by
/// statement (see `route::static_section`). With `deferred` (the file's
/// lines, for a load with `defer_routes`) the route sections, which the
/// tree builder left empty, are kept as their text instead.
pub(crate) fn read_body(
    s: Section,
    in_template: bool,
    deferred: Option<&Lines<'_>>,
    sink: &mut Sink,
) -> Draft {
    let mut d = Draft {
        pos: s.pos(),
        ..Default::default()
    };
    for node in s.body {
        match node {
            Node::Statement(st) => statement(&st, &mut d, in_template, sink),
            Node::Section(sub) => match sub.name().to_string().as_str() {
                "family" => {
                    let f = family_block(&sub, sink);
                    let cur = d.family.get_or_insert_with(FamilyBlock::default);
                    cur.all |= f.all;
                    for x in f.families {
                        if cur.families.contains(&x) {
                            sink.err(sub.pos(), format!("duplicate family \"{x}\""));
                        } else {
                            cur.families.push(x);
                        }
                    }
                }
                "capability" => capability_block(&sub, &mut d.capability, sink),
                "nexthop" => {
                    let n = nexthop_block(&sub, sink);
                    d.nexthop.get_or_insert_with(Vec::new).extend(n);
                }
                "add-path" => {
                    let a = add_path_block(&sub, sink);
                    d.add_path.get_or_insert_with(Vec::new).extend(a);
                }
                "api" => d.api.push(api_block(&sub, sink)),
                name if SECTIONS.contains(&name) => match deferred {
                    Some(lines) => d.route_text.push(RouteText {
                        file: String::new(),
                        at: sub.pos(),
                        text: lines.cut(sub.pos(), sub.close).to_string(),
                    }),
                    None => d.routes.extend(section_routes(sub, sink)),
                },
                "operational" => d
                    .operational
                    .extend(crate::route::operational::operational_section(&sub, sink)),
                _ => match sub.head.first() {
                    Some(t) => match obsolete(&t.text) {
                        Some(m) => sink.err(t.pos, m),
                        None => sink.error(unknown_keyword(t, "neighbor", &NEIGHBOR_KEYWORDS)),
                    },
                    None => sink.err(sub.open, "unexpected \"{\" in neighbor: expected a keyword"),
                },
            },
        }
    }
    d
}

/// The peer address of a `neighbor <ip>[/len]` head.
pub fn peer_address(s: &Section, sink: &mut Sink) -> Option<IpNet> {
    let t = crate::section::one_arg(s, "neighbor address", "ip", sink)?;
    let r = values::prefix(t).map_err(|e| {
        if t.text.parse::<IpAddr>().is_err() && !t.text.contains('/') {
            ParseError::new(
                t.pos,
                format!(
                    "invalid neighbor address \"{}\": expected an IP address or prefix",
                    t.text
                ),
            )
        } else {
            e
        }
    });
    sink.take(r)
}
