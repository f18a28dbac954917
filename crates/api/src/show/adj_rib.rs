//! `show adj-rib in|out [extensive]`: one line per route
//! (`127.0.0.1 ipv4 unicast 10.3.0.0/24 next-hop 192.0.2.2`, with
//! `extensive` the peer's name string in front and the attributes after)
//! and the JSON form. A route's own text is [`route_text`].

use super::{neighbor_json, python_json, NeighborStatus};
use crate::text::route::route_text;
use crate::text::update::attributes_text;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::Route;
use serde_json::{json, Map, Value};

fn line(head: &str, r: &Route, extensive: bool) -> String {
    let attrs = if extensive {
        attributes_text(&r.attributes)
    } else {
        String::new()
    };
    format!("{head} {} {}{attrs}", r.family(), route_text(r))
}

/// The routes of one Adj-RIB in ExaBGP's order: grouped by family, the
/// families in (AFI, SAFI) order (ExaBGP keeps a neighbor's families
/// sorted), each family's routes in the table's order (a dict's: a
/// replaced route keeps its place, a withdrawn and re-announced one goes
/// last).
fn in_family_order<'a>(routes: impl Iterator<Item = &'a Route>) -> Vec<&'a Route> {
    let mut v: Vec<&Route> = routes.collect();
    v.sort_by_key(|r| {
        let f = r.family();
        (f.afi, f.safi)
    });
    v
}

/// The lines of one peer's table: `head` is its address, or with
/// `extensive` its name string.
pub fn adj_rib<'a>(
    head: &str,
    routes: impl Iterator<Item = &'a Route>,
    extensive: bool,
) -> Vec<String> {
    in_family_order(routes)
        .into_iter()
        .map(|r| line(head, r, extensive))
        .collect()
}

/// The prefix of routes that have one (unicast, multicast, nlri-mpls,
/// mpls-vpn): what the reference's JSON lists.
fn route_prefix(r: &Route) -> Option<String> {
    match &r.nlri {
        Nlri::Prefix(p) => Some(p.net.to_string()),
        Nlri::Labelled(l) => Some(l.net.to_string()),
        _ => None,
    }
}

/// `show adj-rib in|out [extensive] [IP] json`: like the reference (its
/// default `exabgp.api.chunk` 1 and `show-routes-format` v1), one JSON
/// object per line and route, `{"<peer>": {"routes": [{"prefix",
/// "family"}]}}`, with `extensive` the peer's `show neighbor json` object
/// merged in. Routes without a prefix (flow, vpls, ...) are left out, as
/// there. (The reference only honours `extensive` as the last word; here
/// its position does not matter.)
pub fn adj_rib_json<'a>(
    status: &NeighborStatus<'_>,
    routes: impl Iterator<Item = &'a Route>,
    extensive: bool,
) -> Vec<String> {
    let ip = status.neighbor.peer_address.addr().to_string();
    let extra = extensive.then(|| neighbor_json(status));
    let mut out = Vec::new();
    for r in in_family_order(routes) {
        let Some(prefix) = route_prefix(r) else {
            continue;
        };
        let mut body = Map::new();
        body.insert(
            "routes".into(),
            json!([{ "prefix": prefix, "family": r.family().to_string() }]),
        );
        if let Some(Value::Object(m)) = &extra {
            for (k, v) in m {
                body.insert(k.clone(), v.clone());
            }
        }
        let mut top = Map::new();
        top.insert(ip.clone(), Value::Object(body));
        out.push(python_json(&Value::Object(top)));
    }
    out
}
