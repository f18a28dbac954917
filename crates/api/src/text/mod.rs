//! ExaBGP's text encoder (spec §3.5). Every event is one or more lines
//! ending in `\n`; the writer adds one more newline, so each text event is
//! followed by an empty line on the helper's stdin. `fsm`, `signal` and
//! `negotiated` have no text form.
//!
//! Operational messages are the exception, as at ExaBGP 5.0.15: their line
//! has no newline of its own, so no empty line follows it. (The reference
//! also prints an advisory as Python bytes, `advisory "b'text'"`; ferrobgp
//! prints the text: `advisory "text"`.)
//!
//! The lines for crates/wire's decoded messages: [`update`] (UPDATE lines
//! and the attributes' text), [`attribute`] (the attributes whose text
//! reads their value), [`bgp_ls`] (the BGP-LS attribute), [`capability`]
//! (an OPEN's capabilities as the text encoder merges them), [`evpn`] (an
//! EVPN route as `show adj-rib` prints it), [`route`] (any route as `show
//! adj-rib` prints it).

pub mod attribute;
pub mod bgp_ls;
pub mod capability;
pub mod evpn;
pub mod route;
pub mod update;

pub use capability::capabilities_text;

use crate::event::*;

/// The text of `event` about `peer`, or None when it has no text form.
pub fn encode(peer: &PeerInfo, event: &Event) -> Option<String> {
    let ip = peer.peer_address;
    Some(match event {
        Event::State(State::Connected) => format!("neighbor {ip} connected\n"),
        Event::State(State::Up) => format!("neighbor {ip} up\n"),
        Event::State(State::Down(reason)) => format!("neighbor {ip} down - {}\n", oneline(reason)),
        Event::Fsm(_) | Event::Signal { .. } | Event::Negotiated(_) => return None,
        Event::Packets {
            direction,
            category,
            header,
            body,
            ..
        } => format!(
            "neighbor {ip} {} {category}{}\n",
            direction.as_str(),
            raw_suffix(Some((header, body)))
        ),
        Event::Message {
            direction,
            content,
            raw,
            ..
        } => {
            let raw = raw.as_ref().map(|(h, b)| (h.as_slice(), b.as_slice()));
            message_text(ip, direction.as_str(), content, raw)
        }
    })
}

/// ` header <hex> body <hex>` (each when not empty), or nothing.
fn raw_suffix(raw: Option<(&[u8], &[u8])>) -> String {
    match raw {
        Some((h, b)) => {
            let mut s = String::new();
            if !h.is_empty() {
                s.push_str(&format!(" header {}", hexstring(h)));
            }
            if !b.is_empty() {
                s.push_str(&format!(" body {}", hexstring(b)));
            }
            s
        }
        None => String::new(),
    }
}

/// The lines of a message received from or sent to `ip` (`dir`).
fn message_text(
    ip: std::net::IpAddr,
    dir: &str,
    content: &Content,
    raw: Option<(&[u8], &[u8])>,
) -> String {
    match content {
        Content::Open { version, asn, hold_time, router_id, capabilities_text, .. } => format!(
            "neighbor {ip} {dir} open version {version} asn {asn} hold_time {hold_time} router_id {router_id} capabilities [{}]{}\n",
            oneline(capabilities_text).to_lowercase(),
            raw_suffix(raw)
        ),
        Content::Update(u) => update_text(&format!("neighbor {ip} {dir} update"), u.text(), raw),
        Content::Eor(f) => {
            let prefix = format!("neighbor {ip} {dir} update");
            format!(
                "{prefix} start\n{prefix} route eor {}/{} ({} {})\n{}{prefix} end\n",
                f.afi.0,
                f.safi.0,
                f.afi,
                f.safi,
                match raw_suffix(raw) {
                    r if r.is_empty() => r,
                    r => format!("{r}\n"),
                }
            )
        }
        Content::Notification { code, subcode, data } => format!(
            "neighbor {ip} {dir} notification code {code} subcode {subcode} data {}{}\n",
            hexstring(data),
            raw_suffix(raw)
        ),
        Content::Keepalive => format!("neighbor {ip} {dir} keepalive{}\n", raw_suffix(raw)),
        Content::Refresh { family, subtype } => format!(
            "neighbor {ip} {dir} route-refresh afi {} safi {} {subtype}{}\n",
            family.afi,
            family.safi,
            raw_suffix(raw)
        ),
        Content::Operational { name, family, kind } => {
            let head = format!("neighbor {ip} {dir} operational {name} afi {} safi {}", family.afi, family.safi);
            let tail = match kind {
                OperationalKind::Query => String::new(),
                OperationalKind::Advisory(t) => format!(" advisory \"{}\"", oneline(t)),
                OperationalKind::Counter { router_id, sequence, counter } => {
                    format!(" router-id {router_id} sequence {sequence} counter {counter}")
                }
            };
            // no newline of its own (see the module documentation)
            format!("{head}{tail}{}", raw_suffix(raw))
        }
    }
}

/// An UPDATE's lines between `<prefix> start` and `<prefix> end`, the raw
/// parts on their own line before the end.
fn update_text(prefix: &str, text: &[String], raw: Option<(&[u8], &[u8])>) -> String {
    let mut s = format!("{prefix} start\n");
    for line in text {
        s.push_str(&format!("{prefix} {}\n", oneline(line)));
    }
    let r = raw_suffix(raw);
    if !r.is_empty() {
        s.push_str(&r);
        s.push('\n');
    }
    s.push_str(&format!("{prefix} end\n"));
    s
}

/// Peer-supplied text kept on one line: non-printable characters become `\xNN`.
pub fn oneline(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\x{:02x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The notice every text helper gets when the daemon exits (then an empty line).
pub fn shutdown(pid: u32, ppid: u32) -> String {
    format!("shutdown {pid} {ppid}\n")
}
