//! The values of a match component: the symbolic names of ports,
//! protocols, ICMP codes, TCP flags and fragment bits, the numeric range
//! each component allows, the operator/value terms (`=80`, `>=1000&<=1500`,
//! `[ ... ]` lists and ExaFS's bracket-less ones) and the prefixes of
//! `source`/`destination` (with an IPv6 offset).

use super::*;

/// IP protocol names of the configuration, with their values.
const PROTOCOLS: &[(&str, u64)] = &[
    ("hopopt", 0),
    ("icmp", 1),
    ("igmp", 2),
    ("ggp", 3),
    ("ipip", 4),
    ("ip", 4),
    ("st", 5),
    ("tcp", 6),
    ("egp", 8),
    ("igp", 9),
    ("udp", 17),
    ("rsvp", 46),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("icmp6", 58),
    ("ipv6-icmp", 58),
    ("eigrp", 88),
    ("ospf", 89),
    ("pim", 103),
    ("vrrp", 112),
    ("l2tp", 115),
    ("sctp", 132),
];

/// Port (service) names of the configuration, with their values.
const PORTS: &[(&str, u64)] = &[
    ("ftp-data", 20),
    ("ftp", 21),
    ("ssh", 22),
    ("telnet", 23),
    ("smtp", 25),
    ("domain", 53),
    ("dns", 53),
    ("bootps", 67),
    ("bootpc", 68),
    ("http", 80),
    ("www", 80),
    ("pop3", 110),
    ("ntp", 123),
    ("imap", 143),
    ("snmp", 161),
    ("bgp", 179),
    ("https", 443),
    ("syslog", 514),
];

/// ICMP type names of the configuration, with their values.
const ICMP_TYPES: &[(&str, u64)] = &[
    ("echo-reply", 0),
    ("unreachable", 3),
    ("source-quench", 4),
    ("redirect", 5),
    ("echo-request", 8),
    ("router-advertisement", 9),
    ("router-solicit", 10),
    ("time-exceeded", 11),
    ("parameter-problem", 12),
    ("timestamp", 13),
    ("timestamp-reply", 14),
    ("photuris", 40),
    ("experimental-mobility", 41),
    ("extended-echo-request", 42),
    ("extended-echo-reply", 43),
];

/// ICMP code names (of type 3, unreachable) of the configuration, with their values.
const ICMP_CODES: &[(&str, u64)] = &[
    ("network-unreachable", 0),
    ("host-unreachable", 1),
    ("protocol-unreachable", 2),
    ("port-unreachable", 3),
    ("fragmentation-needed", 4),
    ("source-route-failed", 5),
    ("destination-network-unknown", 6),
    ("destination-host-unknown", 7),
    ("source-host-isolated", 8),
    ("destination-network-prohibited", 9),
    ("destination-host-prohibited", 10),
    ("network-unreachable-for-tos", 11),
    ("host-unreachable-for-tos", 12),
    ("communication-prohibited-by-filtering", 13),
    ("host-precedence-violation", 14),
    ("precedence-cutoff-in-effect", 15),
];

/// TCP flag bits of the configuration, with their values.
const TCP_FLAGS: &[(&str, u64)] = &[
    ("fin", 0x01),
    ("syn", 0x02),
    ("rst", 0x04),
    ("push", 0x08),
    ("psh", 0x08),
    ("ack", 0x10),
    ("urgent", 0x20),
    ("urg", 0x20),
    ("ece", 0x40),
    ("cwr", 0x80),
    ("ns", 0x100),
];

/// Fragment bits of the configuration, with their values.
const FRAGMENTS: &[(&str, u64)] = &[
    ("dont-fragment", 0x01),
    ("is-fragment", 0x02),
    ("first-fragment", 0x04),
    ("last-fragment", 0x08),
];
fn symbol(component: FlowComponent, s: &str) -> Option<u64> {
    let names = match component {
        FlowComponent::Protocol => PROTOCOLS,
        FlowComponent::Port | FlowComponent::DestinationPort | FlowComponent::SourcePort => PORTS,
        FlowComponent::IcmpType => ICMP_TYPES,
        FlowComponent::IcmpCode => ICMP_CODES,
        FlowComponent::TcpFlags => TCP_FLAGS,
        FlowComponent::Fragment => FRAGMENTS,
        _ => return None,
    };
    let s = s.to_ascii_lowercase();
    names.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
}

fn max_value(c: FlowComponent) -> u64 {
    match c {
        FlowComponent::Protocol
        | FlowComponent::IcmpType
        | FlowComponent::IcmpCode
        | FlowComponent::Fragment => 0xFF,
        FlowComponent::Dscp => 0xFF,
        FlowComponent::TcpFlags
        | FlowComponent::Port
        | FlowComponent::DestinationPort
        | FlowComponent::SourcePort
        | FlowComponent::PacketLength => 0xFFFF,
        FlowComponent::FlowLabel => 0xF_FFFF,
        _ => 0xFFFF_FFFF,
    }
}

/// Parses `>8080&<8088`, `=80`, `!=tcp`, `SYN`, `true` ... into terms.
pub(super) fn terms(component: FlowComponent, t: &Token, out: &mut Vec<FlowTerm>) -> PResult<()> {
    let bitmask = component.is_bitmask();
    for (i, part) in t.text.split('&').enumerate() {
        let bad =
            |why: String| ParseError::new(t.pos, format!("invalid match \"{}\": {why}", t.text));
        let mut term = FlowTerm {
            and: i > 0,
            lt: false,
            gt: false,
            eq: false,
            not: false,
            value: 0,
        };
        let Some(rest) = operator(part, bitmask, &mut term) else {
            out.push(term);
            continue;
        };
        if rest.is_empty() {
            return Err(bad("missing value after the operator".into()));
        }
        let value = if rest.bytes().all(|b| b.is_ascii_digit()) {
            rest.parse::<u64>()
                .map_err(|_| bad("number too large".into()))?
        } else if let Some(h) = rest.strip_prefix("0x") {
            u64::from_str_radix(h, 16).map_err(|_| bad("invalid hexadecimal number".into()))?
        } else {
            symbol(component, rest)
                .ok_or_else(|| bad(format!("\"{rest}\" is not a number or a known name")))?
        };
        if value > max_value(component) {
            return Err(bad(format!(
                "value {value} is out of range: expected 0..{}",
                max_value(component)
            )));
        }
        term.value = value;
        out.push(term);
    }
    Ok(())
}

/// Sets the operator bits of `term` from the start of `part`; the value
/// that follows, or `None` for a numeric `true`/`false`, which is the
/// whole term.
fn operator<'p>(part: &'p str, bitmask: bool, term: &mut FlowTerm) -> Option<&'p str> {
    let rest = if bitmask {
        if let Some(r) = part.strip_prefix("!=") {
            term.not = true;
            term.eq = true;
            r
        } else if let Some(r) = part.strip_prefix('!') {
            term.not = true;
            r
        } else if let Some(r) = part.strip_prefix('=') {
            term.eq = true;
            r
        } else {
            part
        }
    } else if part == "true" {
        term.lt = true;
        term.gt = true;
        term.eq = true;
        return None;
    } else if part == "false" {
        return None;
    } else if let Some(r) = part.strip_prefix(">=") {
        term.gt = true;
        term.eq = true;
        r
    } else if let Some(r) = part.strip_prefix("<=") {
        term.lt = true;
        term.eq = true;
        r
    } else if let Some(r) = part.strip_prefix("!=") {
        term.lt = true;
        term.gt = true;
        r
    } else if let Some(r) = part.strip_prefix('>') {
        term.gt = true;
        r
    } else if let Some(r) = part.strip_prefix('<') {
        term.lt = true;
        r
    } else {
        term.eq = true;
        part.strip_prefix('=').unwrap_or(part)
    };
    Some(rest)
}

/// `10.0.0.0/24` or IPv6 `2001:db8::/64[/offset]`.
pub(super) fn flow_prefix(t: &Token, want: Option<Afi>) -> PResult<(IpNet, u8)> {
    let (main, offset) = match t.text.matches('/').count() {
        2 => {
            let (a, o) = t.text.rsplit_once('/').unwrap_or((&t.text, "0"));
            (a.to_string(), Some(o))
        }
        _ => (t.text.clone(), None),
    };
    let tok = Token::word(main, t.pos);
    let net = values::prefix(&tok).or_else(|e| {
        // IPv6 flow prefixes may have bits set beyond the length with an offset
        match (tok.text.split_once('/'), offset) {
            (Some((a, l)), Some(_)) => match (a.parse::<std::net::Ipv6Addr>(), l.parse::<u8>()) {
                (Ok(a), Ok(l)) if l <= 128 => {
                    Ok(IpNet::V6(ipnet::Ipv6Net::new(a, l).map_err(|_| e.clone())?))
                }
                _ => Err(e),
            },
            _ => Err(e),
        }
    })?;
    let offset = match offset {
        None => 0,
        Some(o) => {
            if net.addr().is_ipv4() {
                return Err(ParseError::new(
                    t.pos,
                    format!(
                        "invalid flow prefix \"{}\": an offset is only valid for IPv6",
                        t.text
                    ),
                ));
            }
            match o.parse::<u8>() {
                Ok(v) if v <= net.prefix_len() => v,
                _ => {
                    return Err(ParseError::new(
                        t.pos,
                        format!(
                            "invalid prefix offset in \"{}\": expected 0..{}",
                            t.text,
                            net.prefix_len()
                        ),
                    ))
                }
            }
        }
    };
    let afi = if net.addr().is_ipv4() {
        Afi::IPV4
    } else {
        Afi::IPV6
    };
    if let Some(w) = want {
        if w != afi {
            return Err(ParseError::new(
                t.pos,
                format!(
                    "invalid flow prefix \"{}\": expected an {} prefix",
                    t.text,
                    if w == Afi::IPV4 { "IPv4" } else { "IPv6" }
                ),
            ));
        }
    }
    Ok((net, offset))
}

/// Whether `word` is one more value of a bracket-less `component` list
/// (and not the next keyword of the inline form).
pub(super) fn continues_list(component: FlowComponent, word: &str) -> bool {
    if matches!(
        component,
        FlowComponent::Source | FlowComponent::Destination
    ) {
        return false;
    }
    let bare = word.trim_start_matches(['=', '<', '>', '!', '&']);
    if bare.len() != word.len() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    let lower = bare.to_ascii_lowercase();
    match component {
        FlowComponent::TcpFlags => matches!(
            lower.as_str(),
            "fin" | "syn" | "rst" | "push" | "psh" | "ack" | "urgent" | "urg" | "ece" | "cwr"
        ),
        FlowComponent::Fragment => matches!(
            lower.as_str(),
            "dont-fragment" | "is-fragment" | "first-fragment" | "last-fragment" | "not-a-fragment"
        ),
        _ => false,
    }
}
