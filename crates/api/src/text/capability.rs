//! ExaBGP's text rendering of an OPEN's capabilities (what its text
//! encoder prints inside `capabilities [...]`, before lower-casing):
//! capabilities merged by code as for JSON, sorted by code, each as
//! ExaBGP's `str()` writes it, joined with `, `. Checked against ExaBGP
//! 5.0.15 (`str(Open.unpack_message(...).capabilities)`), see tests/json.rs.

use crate::json::capability::capability_code_name;
use ferrobgp_wire::capability::{cap_064_graceful_restart::GracefulRestart, Capability};
use ferrobgp_wire::capability::{codes, RouteRefreshVariant};
use ferrobgp_wire::family::Family;
use ferrobgp_wire::message::open::Open;
use std::collections::BTreeMap;

fn families(fs: &[Family]) -> String {
    fs.iter()
        .map(|f| format!("{} {}", f.afi, f.safi))
        .collect::<Vec<_>>()
        .join(",")
}

/// The text of the capabilities of one code (`group`, in OPEN order): the
/// list capabilities merged, the others as the last (Multisession: the
/// first) says.
fn one(group: &[&Capability]) -> String {
    let last = group[group.len() - 1];
    match last {
        Capability::Multiprotocol(_) => multiprotocol(group),
        Capability::ExtendedNextHop(_) => {
            let entries: Vec<String> = group
                .iter()
                .filter_map(|c| match c {
                    Capability::ExtendedNextHop(e) => Some(e),
                    _ => None,
                })
                .flatten()
                .map(|e| format!("{} {} {}", e.family.afi, e.family.safi, e.nexthop_afi))
                .collect();
            format!("NextHop({})", entries.join(","))
        }
        Capability::AddPath(_) => add_path(group),
        Capability::GracefulRestart(GracefulRestart { flags, time, .. }) => {
            graceful_restart(group, *flags, *time)
        }
        Capability::Asn4(a) => format!("ASN4({a})"),
        Capability::RouteRefresh(RouteRefreshVariant::Rfc) => "Route Refresh".into(),
        Capability::RouteRefresh(RouteRefreshVariant::Cisco) => "Cisco Route Refresh".into(),
        Capability::EnhancedRouteRefresh => "Enhanced Route Refresh".into(),
        Capability::ExtendedMessage => "Extended Message(65535)".into(),
        Capability::Fqdn(f) => format!("Hostname({} {})", f.host_name, f.domain_name),
        Capability::SoftwareVersion(s) => format!("Software({s})"),
        Capability::Operational => "Operational".into(),
        Capability::Multisession(_) => multisession(group),
        Capability::Unknown { code, .. } => {
            let class = if (70..128).contains(code) {
                "Unassigned"
            } else if *code >= 128 {
                "Reserved"
            } else {
                "Unknown"
            };
            format!("{class} {code}")
        }
    }
}

/// `Multiprotocol(afi safi,...)`: every family once, in order.
fn multiprotocol(group: &[&Capability]) -> String {
    let mut fs: Vec<Family> = Vec::new();
    for c in group {
        if let Capability::Multiprotocol(f) = c {
            if !fs.contains(f) {
                fs.push(*f);
            }
        }
    }
    format!("Multiprotocol({})", families(&fs))
}

/// `AddPath(mode afi safi,...)`: one entry per family, the last mode
/// given for it.
fn add_path(group: &[&Capability]) -> String {
    let mut entries: Vec<(Family, String)> = Vec::new();
    for e in group
        .iter()
        .filter_map(|c| match c {
            Capability::AddPath(e) => Some(e),
            _ => None,
        })
        .flatten()
    {
        match entries.iter_mut().find(|(f, _)| *f == e.family) {
            Some(slot) => slot.1 = e.mode.name(),
            None => entries.push((e.family, e.mode.name())),
        }
    }
    let s: Vec<String> = entries
        .iter()
        .map(|(f, m)| format!("{m} {} {}", f.afi, f.safi))
        .collect();
    format!("AddPath({})", s.join(","))
}

/// `Graceful Restart Flags F Time T afi/safi=0x80 ...` with the restart
/// flags and time of the last capability and the families of all.
fn graceful_restart(group: &[&Capability], flags: u8, time: u16) -> String {
    let mut fams: Vec<(Family, u8)> = Vec::new();
    for c in group {
        if let Capability::GracefulRestart(g) = c {
            for f in &g.families {
                match fams.iter_mut().find(|(x, _)| *x == f.family) {
                    Some(slot) => slot.1 = f.flags & 0x80,
                    None => fams.push((f.family, f.flags & 0x80)),
                }
            }
        }
    }
    let s: Vec<String> = fams
        .iter()
        .map(|(f, fl)| format!("{}/{}={fl:#x}", f.afi, f.safi))
        .collect();
    format!(
        "Graceful Restart Flags {flags:#x} Time {time} {}",
        s.join(" ")
    )
}

/// `Multisession[ (RFC)] <codes>` from the first Multisession capability.
fn multisession(group: &[&Capability]) -> String {
    let Some(Capability::Multisession(m)) = group.first() else {
        return String::new();
    };
    let names: Vec<String> = m
        .codes
        .iter()
        .filter(|c| **c != codes::MULTISESSION && **c != codes::MULTISESSION_CISCO)
        .map(|c| capability_code_name(*c))
        .collect();
    let info = if m.cisco { "" } else { " (RFC)" };
    format!("Multisession{info} {}", names.join(" "))
}

/// `Multiprotocol(ipv4 unicast,ipv6 unicast), ASN4(65000), ...`.
pub fn capabilities_text(open: &Open) -> String {
    let mut groups: BTreeMap<u8, Vec<&Capability>> = BTreeMap::new();
    for c in open.capabilities() {
        groups.entry(c.code()).or_default().push(c);
    }
    groups
        .values()
        .map(|g| one(g))
        .collect::<Vec<_>>()
        .join(", ")
}
