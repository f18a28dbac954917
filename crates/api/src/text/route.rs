//! A route as ExaBGP 5.0.15's `show adj-rib` prints it after the family
//! (its NLRI's `extensive()`, the form of the text events, or for MCAST-VPN
//! and EVPN its NLRI's `str()`): the rib's `show` lays out the lines around
//! [`route_text`].

use super::evpn::evpn_text;
use super::update::nlri_text;
use ferrobgp_wire::nlri::mvpn::{route_type as mvpn_type, Mvpn};
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::{NextHop, Route};

/// The route's text: the prefix, then `path-information`, the labels, the
/// next hop and last the `rd` (`10.3.0.0/24 path-information 0.0.0.7
/// label 200 next-hop 127.0.0.1 rd 65000:1`); VPLS `vpls rd ... endpoint
/// ...`; MCAST-VPN and EVPN their NLRI's `str()` without next hop
/// (`evpn:macadv::65000:1:-:0:...`, see [`evpn_text`]). The other families
/// keep the NLRI's own text and the next hop after it (FlowSpec: checked in
/// the ferrobgp crate's `show_flow` test): the events print only their
/// family there, `show` does not.
pub fn route_text(r: &Route) -> String {
    let nh = match &r.next_hop {
        NextHop::None => None,
        other => Some(other.to_string()),
    };
    match &r.nlri {
        Nlri::Prefix(_) | Nlri::Labelled(_) | Nlri::Vpls(_) => nlri_text(&r.nlri, nh.as_deref()),
        Nlri::Mvpn(m) => match mvpn_text(m) {
            Some(t) => t,
            None => m.to_string(),
        },
        Nlri::Evpn(e) => evpn_text(e),
        other => match nh {
            Some(nh) => format!("{other} next-hop {nh}"),
            None => other.to_string(),
        },
    }
}

/// An MCAST-VPN route as 5.0.15's `show adj-rib` prints it (its NLRI's
/// `str()`, no next hop): `mvpn:source-join::65000:99999:65000:10.99.12.2:239.251.255.228`,
/// `mvpn:shared-join::RD:AS:RP:GROUP`, `mvpn:sourcead::RD:SOURCE:GROUP`.
/// None for the route types ExaBGP does not parse either.
fn mvpn_text(m: &Mvpn) -> Option<String> {
    let x = m.fields()?;
    let name = match m.route_type {
        mvpn_type::SOURCE_AD => "sourcead",
        mvpn_type::SHARED_JOIN => "shared-join",
        mvpn_type::SOURCE_JOIN => "source-join",
        _ => return None,
    };
    let source_as = x.source_as.map(|a| format!("{a}:")).unwrap_or_default();
    Some(format!(
        "mvpn:{name}::{}:{source_as}{}:{}",
        x.rd, x.source, x.group
    ))
}
