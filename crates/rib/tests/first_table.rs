//! The first table of a peer sends every attribute set a not-yet-sent NLRI
//! was configured or announced with, the latest last (ExaBGP's pending
//! queue: conf-l2vpn, conf-flow-redirect, api-flow-merge); later tables
//! are the Adj-RIB-Out, one route per NLRI.

use ferrobgp_api::text::update::attributes_text;
use ferrobgp_config::{load_str, LoadOptions};
use ferrobgp_rib::static_routes::entries;
use ferrobgp_rib::*;
use ferrobgp_wire::Family;
use std::path::Path;

fn routes_of(statics: &str) -> Vec<RouteEntry> {
    let conf = format!(
        "neighbor 127.0.0.1 {{ router-id 1.2.3.4; local-address 127.0.0.1; local-as 1; peer-as 1; family {{ ipv4 unicast; }} static {{ {statics} }} }}"
    );
    let loaded = load_str(Path::new("test.conf"), &conf, &LoadOptions::default()).unwrap();
    let (routes, skipped) = entries(&loaded.config.neighbors[0].routes);
    assert!(skipped.is_empty(), "{skipped:?}");
    routes
}

fn show(changes: &[PeerChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match c {
            PeerChange::Announce(r) => format!("+{}{}", r.nlri, attributes_text(&r.attributes)),
            PeerChange::Withdraw(r) => format!("-{}", r.nlri),
            PeerChange::Eor(f) => format!("eor {f}"),
            PeerChange::RouteRefresh(f) => format!("rr {f}"),
        })
        .collect()
}

const V4: [Family; 1] = [Family::IPV4_UNICAST];

/// `s` is an announcement of `prefix` with MED `med`.
fn is(s: &str, prefix: &str, med: &str) -> bool {
    let w: Vec<&str> = s.split_whitespace().collect();
    w.first() == Some(&format!("+{prefix}").as_str()) && w.windows(2).any(|p| p == ["med", med])
}

#[test]
fn configured_duplicates_go_out_once_per_attribute_set_in_the_first_table_only() {
    let mut p = PeerRib::new(true, false);
    assert!(p
        .set_static(Vec::new(), routes_of(
            "route 10.0.0.0/8 next-hop 1.1.1.1 med 100; route 11.0.0.0/8 next-hop 1.1.1.1 med 1; route 10.0.0.0/8 next-hop 1.1.1.1 med 1;",
        ))
        .is_empty());
    p.session_up(V4.to_vec());
    let first = show(&p.full_table(&V4, true));
    assert_eq!(first.len(), 4, "{first:?}");
    // the latest attribute set of 10.0.0.0/8 is sent after the older one
    let older = first.iter().position(|s| is(s, "10.0.0.0/8", "100"));
    let newer = first.iter().position(|s| is(s, "10.0.0.0/8", "1"));
    assert!(
        older.is_some() && newer.is_some() && older < newer,
        "{first:?}"
    );
    assert!(first.iter().any(|s| is(s, "11.0.0.0/8", "1")), "{first:?}");
    assert_eq!(first[3], "eor ipv4 unicast");
    // a reconnect resends the Adj-RIB-Out: one route per NLRI, the latest
    p.session_down();
    p.session_up(V4.to_vec());
    let again = show(&p.full_table(&V4, false));
    assert_eq!(again.len(), 2, "{again:?}");
    assert!(again.iter().any(|s| is(s, "10.0.0.0/8", "1")), "{again:?}");
    assert!(again.iter().any(|s| is(s, "11.0.0.0/8", "1")), "{again:?}");
}

#[test]
fn a_withdrawal_before_the_first_table_drops_every_queued_attribute_set() {
    let mut p = PeerRib::new(true, false);
    p.set_static(
        Vec::new(),
        routes_of(
            "route 10.0.0.0/8 next-hop 1.1.1.1 med 100; route 10.0.0.0/8 next-hop 1.1.1.1 med 1;",
        ),
    );
    let route = routes_of("route 10.0.0.0/8 next-hop 1.1.1.1;")
        .remove(0)
        .route;
    assert!(p.apply([&Op::Withdraw(vec![route])]).is_empty());
    p.session_up(V4.to_vec());
    assert_eq!(show(&p.full_table(&V4, true)), ["eor ipv4 unicast"]);
}

#[test]
fn the_same_attribute_set_again_is_queued_once_and_last() {
    let mut p = PeerRib::new(true, false);
    p.set_static(Vec::new(), routes_of(
        "route 10.0.0.0/8 next-hop 1.1.1.1 med 100; route 10.0.0.0/8 next-hop 1.1.1.1 med 1; route 10.0.0.0/8 next-hop 1.1.1.1 med 100;",
    ));
    p.session_up(V4.to_vec());
    let first = show(&p.full_table(&V4, false));
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(is(&first[0], "10.0.0.0/8", "1"), "{first:?}");
    assert!(is(&first[1], "10.0.0.0/8", "100"), "{first:?}");
}
