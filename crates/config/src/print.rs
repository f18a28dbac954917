//! A resolved [`Neighbor`] printed back in configuration syntax, every
//! setting with its effective value (defaults and templates applied), with
//! a 2-space indent: what `show neighbor configuration` prints. The text
//! loads again (with the same `process` blocks defined) into the same
//! neighbor, except for what a configuration cannot say about itself:
//! its file and line, and the template names it inherited (their values
//! are printed in place; the names are kept in a comment).
//!
//! Static routes are printed in a `static` block when this printer has a
//! form for them that reads back into the same route (IPv4/IPv6 unicast,
//! multicast, nlri-mpls and mpls-vpn routes without a prefix SID; each is
//! checked by parsing it back); the others (flow, vpls, mcast-vpn, mup, ...)
//! and `operational` messages are not printed, and a comment says how many
//! were left out (`show adj-rib out` lists every route).

use crate::model::*;
use crate::route::ConfigRoute;
use std::fmt::Write as _;

/// A string as a quoted configuration token. Quotes, backslashes and
/// control characters are written as `\uXXXX` (the lexer's only escape
/// that can stand for a quote or a backslash).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\'' || c == '\\' || c.is_control() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn onoff(b: bool) -> &'static str {
    if b {
        "enable"
    } else {
        "disable"
    }
}

fn truth(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn add_path_mode(m: AddPathMode) -> &'static str {
    match m {
        AddPathMode::Disable => "disable",
        AddPathMode::Receive => "receive",
        AddPathMode::Send => "send",
        AddPathMode::SendReceive => "send/receive",
    }
}

fn direction(out: &mut String, name: &str, d: &ApiDirection) {
    let flags = [
        ("parsed", d.parsed),
        ("packets", d.packets),
        ("consolidate", d.consolidate),
        ("open", d.open),
        ("update", d.update),
        ("notification", d.notification),
        ("keepalive", d.keepalive),
        ("refresh", d.refresh),
        ("operational", d.operational),
    ];
    if flags.iter().all(|(_, on)| !on) {
        return;
    }
    let _ = writeln!(out, "    {name} {{");
    for (word, on) in flags {
        if on {
            let _ = writeln!(out, "      {word};");
        }
    }
    out.push_str("    }\n");
}

fn api(out: &mut String, a: &Api) {
    let _ = writeln!(out, "  api {} {{", a.name);
    // `processes` already holds what `processes-match` resolved to; the
    // two may not be used in one block, so print the one that was written.
    if a.processes_match.is_empty() {
        let _ = writeln!(out, "    processes [ {} ];", a.processes.join(" "));
    } else {
        let list: Vec<String> = a.processes_match.iter().map(|p| quote(p)).collect();
        let _ = writeln!(out, "    processes-match [ {} ];", list.join(" "));
    }
    for (word, on) in [
        ("neighbor-changes", a.neighbor_changes),
        ("negotiated", a.negotiated),
        ("fsm", a.fsm),
        ("signal", a.signal),
    ] {
        if on {
            let _ = writeln!(out, "    {word};");
        }
    }
    direction(out, "receive", &a.receive);
    direction(out, "send", &a.send);
    out.push_str("  }\n");
}

/// The neighbor in configuration syntax, ending with `}` and a newline.
pub fn neighbor(n: &Neighbor) -> String {
    let mut o = String::new();
    let peer = if n.is_dynamic() {
        n.peer_address.to_string()
    } else {
        n.peer_address.addr().to_string()
    };
    let _ = writeln!(o, "neighbor {peer} {{");
    if !n.inherit.is_empty() {
        let _ = writeln!(
            o,
            "  # values of template(s) {} included",
            n.inherit.join(", ")
        );
    }
    settings(&mut o, n);
    capability(&mut o, &n.capabilities);
    families(&mut o, n);
    for a in &n.api {
        api(&mut o, a);
    }
    statics(&mut o, n);
    o.push_str("}\n");
    o
}

/// The neighbor's session settings, one statement a line.
fn settings(o: &mut String, n: &Neighbor) {
    let _ = writeln!(o, "  description {};", quote(&n.description));
    let _ = writeln!(o, "  router-id {};", n.router_id);
    if let Some(h) = &n.host_name {
        let _ = writeln!(o, "  host-name {};", quote(h));
    }
    if let Some(d) = &n.domain_name {
        let _ = writeln!(o, "  domain-name {};", quote(d));
    }
    let _ = writeln!(o, "  local-address {};", n.local_address);
    if let Some(i) = &n.source_interface {
        let _ = writeln!(o, "  source-interface {};", quote(i));
    }
    let _ = writeln!(o, "  local-as {};", n.local_as);
    let _ = writeln!(o, "  peer-as {};", n.peer_as);
    let _ = writeln!(o, "  hold-time {};", n.hold_time);
    match n.rate_limit {
        0 => o.push_str("  rate-limit disable;\n"),
        r => {
            let _ = writeln!(o, "  rate-limit {r};");
        }
    }
    let _ = writeln!(o, "  manual-eor {};", truth(n.manual_eor));
    let _ = writeln!(o, "  passive {};", truth(n.passive));
    if n.listen != 0 {
        let _ = writeln!(o, "  listen {};", n.listen);
    }
    let _ = writeln!(o, "  connect {};", n.connect);
    let _ = writeln!(o, "  group-updates {};", truth(n.group_updates));
    let _ = writeln!(o, "  auto-flush {};", truth(n.auto_flush));
    let _ = writeln!(o, "  adj-rib-in {};", truth(n.adj_rib_in));
    let _ = writeln!(o, "  adj-rib-out {};", truth(n.adj_rib_out));
    if let Some(m) = &n.md5 {
        let _ = writeln!(o, "  md5-password {};", quote(&m.password));
        let b = match m.base64 {
            Md5Base64::No => "false",
            Md5Base64::Yes => "true",
            Md5Base64::Auto => "auto",
        };
        let _ = writeln!(o, "  md5-base64 {b};");
        if let Some(ip) = m.ip {
            let _ = writeln!(o, "  md5-ip {ip};");
        }
    }
    if let Some(t) = n.outgoing_ttl {
        let _ = writeln!(o, "  outgoing-ttl {t};");
    }
    if let Some(t) = n.incoming_ttl {
        let _ = writeln!(o, "  incoming-ttl {t};");
    }
}

/// The `capability` block.
fn capability(o: &mut String, c: &Capabilities) {
    o.push_str("  capability {\n");
    let _ = writeln!(o, "    asn4 {};", onoff(c.asn4));
    let _ = writeln!(o, "    route-refresh {};", onoff(c.route_refresh));
    match c.graceful_restart {
        Some(s) => {
            let _ = writeln!(o, "    graceful-restart {s};");
        }
        None => o.push_str("    graceful-restart disable;\n"),
    }
    let _ = writeln!(o, "    software-version {};", onoff(c.software_version));
    let _ = writeln!(o, "    nexthop {};", onoff(c.nexthop));
    let _ = writeln!(o, "    add-path {};", add_path_mode(c.add_path));
    let _ = writeln!(o, "    multi-session {};", onoff(c.multi_session));
    let _ = writeln!(o, "    operational {};", onoff(c.operational));
    let _ = writeln!(o, "    extended-message {};", onoff(c.extended_message));
    let _ = writeln!(o, "    aigp {};", onoff(c.aigp));
    o.push_str("  }\n");
}

/// The `family` block, then `nexthop` and `add-path` when they say anything.
fn families(o: &mut String, n: &Neighbor) {
    o.push_str("  family {\n");
    let mut all = ferrobgp_wire::Family::ALL_KNOWN.to_vec();
    all.sort();
    if n.families == all {
        // what no family block (or `all;`) means; some of these families
        // have no `afi safi;` spelling of their own
        o.push_str("    all;\n");
    } else {
        for f in &n.families {
            let _ = writeln!(o, "    {f};");
        }
    }
    o.push_str("  }\n");
    if !n.nexthop.is_empty() {
        o.push_str("  nexthop {\n");
        for x in &n.nexthop {
            let _ = writeln!(o, "    {} {};", x.family, x.nexthop_afi);
        }
        o.push_str("  }\n");
    }
    if n.capabilities.add_path != AddPathMode::Disable {
        o.push_str("  add-path {\n");
        for f in &n.add_path {
            let _ = writeln!(o, "    {f};");
        }
        o.push_str("  }\n");
    }
}

/// The `static` block of the routes that have a statement, and notes of
/// what is not shown.
fn statics(o: &mut String, n: &Neighbor) {
    let printed: Vec<String> = n.routes.iter().filter_map(route_statement).collect();
    if !printed.is_empty() {
        o.push_str("  static {\n");
        for r in &printed {
            let _ = writeln!(o, "    {r};");
        }
        o.push_str("  }\n");
    }
    if printed.len() < n.routes.len() {
        let _ = writeln!(
            o,
            "  # {} static route(s) not shown: see show adj-rib out",
            n.routes.len() - printed.len()
        );
    }
    if !n.operational.is_empty() {
        let _ = writeln!(
            o,
            "  # {} operational message(s) not shown",
            n.operational.len()
        );
    }
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    let words: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    format!("[ {} ]", words.join(" "))
}

fn as_path(p: &ferrobgp_wire::attribute::AsPath) -> String {
    use ferrobgp_wire::attribute::SegmentType;
    let mut out = Vec::new();
    for seg in &p.segments {
        let asns: Vec<String> = seg.asns.iter().map(|a| a.to_string()).collect();
        let asns = asns.join(" ");
        out.push(match seg.kind {
            SegmentType::Sequence => format!("[ {asns} ]"),
            SegmentType::Set => format!("( {asns} )"),
            SegmentType::ConfedSequence => format!("[ {{ {asns} }} ]"),
            SegmentType::ConfedSet => format!("( {{ {asns} }} )"),
        });
    }
    if out.is_empty() {
        return "[ ]".into();
    }
    out.join(" ")
}

/// The attributes of a route in the route keyword grammar; `None` when one
/// of them has no spelling here (prefix SIDs).
fn attributes(a: &crate::route::AttrSet) -> Option<String> {
    if a.prefix_sid.is_some() || a.srv6.is_some() {
        return None;
    }
    let mut o = String::new();
    if let Some(v) = a.origin {
        let _ = write!(o, " origin {}", v.to_string().to_lowercase());
    }
    if let Some(p) = &a.as_path {
        let _ = write!(o, " as-path {}", as_path(p));
    }
    if let Some(v) = a.med {
        let _ = write!(o, " med {v}");
    }
    if let Some(v) = a.local_pref {
        let _ = write!(o, " local-preference {v}");
    }
    if a.atomic_aggregate {
        o.push_str(" atomic-aggregate");
    }
    if let Some(g) = &a.aggregator {
        let _ = write!(o, " aggregator ( {}:{} )", g.asn, g.ip);
    }
    if !a.communities.is_empty() {
        let _ = write!(o, " community {}", list(&a.communities));
    }
    if let Some(v) = a.originator_id {
        let _ = write!(o, " originator-id {v}");
    }
    if !a.cluster_list.is_empty() {
        let _ = write!(o, " cluster-list {}", list(&a.cluster_list));
    }
    if !a.extended_communities.is_empty() {
        let _ = write!(o, " extended-community {}", list(&a.extended_communities));
    }
    if !a.large_communities.is_empty() {
        let _ = write!(o, " large-community {}", list(&a.large_communities));
    }
    if let Some(v) = a.aigp {
        let _ = write!(o, " aigp {v}");
    }
    for g in &a.generic {
        let hex: String = g.value.iter().map(|b| format!("{b:02x}")).collect();
        let _ = write!(
            o,
            " attribute [ 0x{:02x} 0x{:02x} 0x{hex} ]",
            g.code, g.flags
        );
    }
    Some(o)
}

/// `route ...` (without the `;`) for a `static` block, when it reads back
/// into exactly `r` (checked here, so a route this printer cannot spell is
/// left out rather than printed wrong).
pub fn route_statement(r: &ConfigRoute) -> Option<String> {
    use crate::route::NextHopSpec;
    let ConfigRoute::Prefix(p) = r else {
        return None;
    };
    let mut o = format!("route {}", p.prefix);
    if let Some(rd) = &p.rd {
        let _ = write!(o, " rd {rd}");
    }
    if let Some(labels) = &p.labels {
        let _ = write!(o, " label {}", list(labels));
    }
    if let Some(id) = p.path_id {
        let _ = write!(o, " path-information {id}");
    }
    match p.next_hop {
        Some(NextHopSpec::Ip(ip)) => {
            let _ = write!(o, " next-hop {ip}");
        }
        Some(NextHopSpec::SelfAddress) => o.push_str(" next-hop self"),
        None => return None,
    }
    o.push_str(&attributes(&p.attrs)?);
    if let Some(name) = &p.meta.name {
        let _ = write!(o, " name {}", quote(name));
    }
    if let Some(w) = &p.meta.watchdog {
        let _ = write!(o, " watchdog {}", quote(w));
    }
    if p.meta.withdrawn {
        o.push_str(" withdraw");
    }
    let lexed = crate::lexer::tokenize(&o);
    if !lexed.errors.is_empty() {
        return None;
    }
    let back = crate::route::parse_route(lexed.tokens.get(1..)?, lexed.end, true).ok()?;
    (back.len() == 1 && &back[0] == r).then_some(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("plain text"), "\"plain text\"");
        assert_eq!(quote("a\"b\\c'd\n"), r#""a\u0022b\u005cc\u0027d\u000a""#);
        let lexed = crate::lexer::tokenize(&quote("a\"b\\c'd\ne"));
        assert!(lexed.errors.is_empty(), "{:?}", lexed.errors);
        assert_eq!(lexed.tokens.len(), 1);
        assert_eq!(lexed.tokens[0].text, "a\"b\\c'd\ne");
    }
}
