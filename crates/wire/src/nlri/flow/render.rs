//! FlowSpec rules as ExaBGP names and prints them: component names,
//! protocol, ICMP type, TCP flag and fragment names, and the rendered terms
//! of the JSON and text forms.

use super::{kind, op, Component, Flow};
use crate::family::Afi;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

impl Flow {
    /// `(name, rendered terms)` per component, ExaBGP's JSON keys and
    /// values (`"destination-ipv4": ["10.0.0.1/32"]`, `"protocol": ["=tcp"]`).
    pub fn rendered(&self) -> Vec<(&'static str, Vec<String>)> {
        self.components
            .iter()
            .map(|c| (component_name(self.afi, c.kind()), render(c)))
            .collect()
    }

    /// ExaBGP's `string`: `flow destination-ipv4 10.0.0.1/32 protocol [
    /// =tcp =udp ]` then ` rd ...` and ` next-hop ...` when given. A
    /// component of more than one operator/value pair is in brackets, ANDed
    /// or ORed (`packet-length [ >=1000&<=1500 ]`, as 5.0.15 prints it).
    pub fn text(&self, next_hop: Option<&str>) -> String {
        let mut s = String::from("flow");
        for (c, (name, v)) in self.components.iter().zip(self.rendered()) {
            let pairs = match c {
                Component::Ops { terms, .. } => terms.len(),
                _ => 1,
            };
            s.push(' ');
            s.push_str(name);
            if v.len() == 1 && pairs == 1 {
                s.push(' ');
                s.push_str(&v[0]);
            } else {
                s.push_str(" [ ");
                s.push_str(&v.join(" "));
                s.push_str(" ]");
            }
        }
        if let Some(rd) = &self.rd {
            s.push_str(&format!(" rd {rd}"));
        }
        if let Some(nh) = next_hop {
            s.push_str(" next-hop ");
            s.push_str(nh);
        }
        s
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(None))
    }
}

/// ExaBGP's name of a component type.
pub fn component_name(afi: Afi, k: u8) -> &'static str {
    let v6 = afi == Afi::IPV6;
    match k {
        kind::DESTINATION if v6 => "destination-ipv6",
        kind::DESTINATION => "destination-ipv4",
        kind::SOURCE if v6 => "source-ipv6",
        kind::SOURCE => "source-ipv4",
        kind::PROTOCOL if v6 => "next-header",
        kind::PROTOCOL => "protocol",
        kind::PORT => "port",
        kind::DESTINATION_PORT => "destination-port",
        kind::SOURCE_PORT => "source-port",
        kind::ICMP_TYPE => "icmp-type",
        kind::ICMP_CODE => "icmp-code",
        kind::TCP_FLAGS => "tcp-flags",
        kind::PACKET_LENGTH => "packet-length",
        kind::DSCP if v6 => "traffic-class",
        kind::DSCP => "dscp",
        kind::FRAGMENT => "fragment",
        kind::FLOW_LABEL => "flow-label",
        _ => "unknown",
    }
}

/// IP protocol names ExaBGP prints.
pub fn protocol_name(v: u64) -> Option<&'static str> {
    Some(match v {
        1 => "icmp",
        2 => "igmp",
        6 => "tcp",
        8 => "egp",
        17 => "udp",
        46 => "rsvp",
        47 => "gre",
        50 => "esp",
        51 => "ah",
        89 => "ospf",
        94 => "ipip",
        103 => "pim",
        132 => "sctp",
        _ => return None,
    })
}

/// ICMP type names ExaBGP prints.
pub fn icmp_type_name(v: u64) -> Option<&'static str> {
    Some(match v {
        0 => "echo-reply",
        3 => "unreachable",
        4 => "source-quench",
        5 => "redirect",
        8 => "echo-request",
        9 => "router-advertisement",
        10 => "router-solicit",
        11 => "time-exceeded",
        12 => "parameter-problem",
        13 => "timestamp",
        14 => "timestamp-reply",
        15 => "info-request",
        16 => "info-reply",
        17 => "mask-request",
        18 => "mask-reply",
        30 => "traceroute",
        _ => return None,
    })
}

/// TCP flag bit names (`fin`..`cwr`, `ns`).
pub const TCP_FLAGS: [(u64, &str); 9] = [
    (0x01, "fin"),
    (0x02, "syn"),
    (0x04, "rst"),
    (0x08, "push"),
    (0x10, "ack"),
    (0x20, "urg"),
    (0x40, "ece"),
    (0x80, "cwr"),
    (0x100, "ns"),
];

/// Fragment bit names.
pub const FRAGMENTS: [(u64, &str); 4] = [
    (0x01, "dont-fragment"),
    (0x02, "is-fragment"),
    (0x04, "first-fragment"),
    (0x08, "last-fragment"),
];

fn bits_name(v: u64, names: &[(u64, &str)]) -> String {
    if let Some((_, n)) = names.iter().find(|(b, _)| *b == v) {
        return (*n).to_string();
    }
    let parts: Vec<&str> = names
        .iter()
        .filter(|(b, _)| v & b != 0)
        .map(|(_, n)| *n)
        .collect();
    let known: u64 = names.iter().map(|(b, _)| b).sum();
    if parts.is_empty() || v & !known != 0 {
        v.to_string()
    } else {
        parts.join("+")
    }
}

/// The rendered terms of a component: one string per OR-ed group, terms
/// of a group joined with `&`.
fn render(c: &Component) -> Vec<String> {
    match c {
        Component::Prefix4 { len, addr, .. } => {
            vec![format!("{}/{len}", Ipv4Addr::from(*addr))]
        }
        Component::Prefix6 {
            len, offset, addr, ..
        } => {
            vec![format!("{}/{len}/{offset}", Ipv6Addr::from(*addr))]
        }
        Component::Ops { kind, terms } => {
            let bitmask = matches!(*kind, kind::TCP_FLAGS | kind::FRAGMENT);
            let mut out: Vec<String> = Vec::new();
            for t in terms {
                let o = t.op;
                let opstr = if bitmask {
                    match o & 0x03 {
                        0 => "",
                        op::MATCH => "=",
                        op::NOT => "!",
                        _ => "!=",
                    }
                } else {
                    match o & 0x07 {
                        0 => "false",
                        op::EQ => "=",
                        op::GT => ">",
                        3 => ">=",
                        op::LT => "<",
                        5 => "<=",
                        6 => "!=",
                        _ => "true",
                    }
                };
                let value = match *kind {
                    kind::PROTOCOL => protocol_name(t.value)
                        .map(str::to_string)
                        .unwrap_or_else(|| t.value.to_string()),
                    kind::ICMP_TYPE => icmp_type_name(t.value)
                        .map(str::to_string)
                        .unwrap_or_else(|| t.value.to_string()),
                    kind::TCP_FLAGS => bits_name(t.value, &TCP_FLAGS),
                    kind::FRAGMENT => bits_name(t.value, &FRAGMENTS),
                    _ => t.value.to_string(),
                };
                let term = if !bitmask && (o & 0x07 == 0 || o & 0x07 == 7) {
                    opstr.to_string()
                } else {
                    format!("{opstr}{value}")
                };
                match out.last_mut() {
                    Some(last) if o & op::AND != 0 => {
                        last.push('&');
                        last.push_str(&term);
                    }
                    _ => out.push(term),
                }
            }
            out
        }
    }
}
