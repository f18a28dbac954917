//! Configured routes: loaded from a configuration, sent at session start,
//! and on reload diffed (removed withdrawn, changed re-announced, API
//! routes kept).

use ferrobgp_config::{load_str, LoadOptions};
use ferrobgp_rib::static_routes::entries;
use ferrobgp_rib::*;
use ferrobgp_wire::Family;
use std::path::Path;

fn routes_of(conf: &str) -> (Vec<RouteEntry>, Vec<String>) {
    let loaded = load_str(Path::new("test.conf"), conf, &LoadOptions::default()).unwrap();
    entries(&loaded.config.neighbors[0].routes)
}

fn conf(statics: &str) -> String {
    format!(
        "neighbor 127.0.0.1 {{ router-id 1.2.3.4; local-address 127.0.0.1; local-as 1; peer-as 1; family {{ ipv4 unicast; ipv4 mpls-vpn; }} static {{ {statics} }} }}"
    )
}

fn show(changes: &[PeerChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match c {
            PeerChange::Announce(r) => format!("+{}@{}", r.nlri, r.next_hop),
            PeerChange::Withdraw(r) => format!("-{}", r.nlri),
            PeerChange::Eor(f) => format!("eor {f}"),
            PeerChange::RouteRefresh(f) => format!("rr {f}"),
        })
        .collect()
}

#[test]
fn load_send_and_reload() {
    let (first, skipped) = routes_of(&conf(
        "route 10.0.0.0/8 next-hop 1.1.1.1; route 11.0.0.0/8 next-hop 1.1.1.1; route 12.0.0.0/8 next-hop 1.1.1.1 watchdog dog withdraw;",
    ));
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(first.len(), 3);
    let mut p = PeerRib::new(true, true);
    assert!(p.set_static(Vec::new(), first.clone()).is_empty());
    p.session_up(vec![Family::IPV4_UNICAST]);
    assert_eq!(
        show(&p.full_table(&[Family::IPV4_UNICAST], true)),
        [
            "+10.0.0.0/8@1.1.1.1",
            "+11.0.0.0/8@1.1.1.1",
            "eor ipv4 unicast"
        ]
    );
    // an API route survives the reload
    let api = PeerRib::apply(
        &mut p,
        [Op::Announce(vec![RouteEntry::plain(
            routes_of(&conf("route 20.0.0.0/8 next-hop 2.2.2.2;"))
                .0
                .remove(0)
                .route,
        )])]
        .iter(),
    );
    assert_eq!(show(&api), ["+20.0.0.0/8@2.2.2.2"]);
    // reload: 10 kept, 11 removed, 12 still held by its watchdog, 13 new
    let (second, _) = routes_of(&conf(
        "route 10.0.0.0/8 next-hop 1.1.1.1; route 12.0.0.0/8 next-hop 1.1.1.1 watchdog dog withdraw; route 13.0.0.0/8 next-hop 3.3.3.3;",
    ));
    assert_eq!(
        show(&p.set_static(first, second)),
        ["-11.0.0.0/8", "+13.0.0.0/8@3.3.3.3"]
    );
    let kept: Vec<String> = p.out.routes().map(|r| r.nlri.to_string()).collect();
    assert_eq!(kept, ["10.0.0.0/8", "20.0.0.0/8", "13.0.0.0/8"]);
    assert_eq!(
        show(&p.apply([Op::AnnounceWatchdog("dog".into())].iter())),
        ["+12.0.0.0/8@1.1.1.1"]
    );
}

#[test]
fn families_without_wire_nlri_are_reported() {
    let (routes, skipped) = routes_of(&conf(
        "route 10.0.0.0/8 next-hop 1.1.1.1; route 10.1.0.0/16 next-hop 1.1.1.1 rd 65000:1 label 100;",
    ));
    // until crates/config converts mpls-vpn routes they are reported, then sent
    if skipped.is_empty() {
        assert_eq!(routes.len(), 2);
        assert_eq!(routes[1].route.family(), Family::IPV4_MPLS_VPN);
    } else {
        assert_eq!(routes.len(), 1);
        assert_eq!(
            skipped,
            ["route: ipv4 mpls-vpn routes are not supported yet"]
        );
    }
}

#[test]
fn conf_watchdog_sequence() {
    // the routes of conformance test conf-watchdog: one starts withdrawn in
    // group "dnsr"; its helper toggles the group every 0.2 s
    let (routes, skipped) = routes_of(&conf(
        "route 66.66.66.66 next-hop 1.2.3.4; route 77.77.77.77 next-hop 1.2.3.4 watchdog dnsr withdraw; route 88.88.88.88 next-hop 1.2.3.4; route 100.100.100.100 next-hop 192.168.1.100;",
    ));
    assert!(skipped.is_empty());
    let mut p = PeerRib::new(true, true);
    p.set_static(Vec::new(), routes);
    p.session_up(vec![Family::IPV4_UNICAST]);
    let mut group1 = show(&p.full_table(&[Family::IPV4_UNICAST], true));
    // the first `announce watchdog dnsr` lands in group 1 with the table
    group1.extend(show(&p.apply([Op::AnnounceWatchdog("dnsr".into())].iter())));
    group1.sort();
    assert_eq!(
        group1,
        [
            "+100.100.100.100/32@192.168.1.100",
            "+66.66.66.66/32@1.2.3.4",
            "+77.77.77.77/32@1.2.3.4",
            "+88.88.88.88/32@1.2.3.4",
            "eor ipv4 unicast"
        ]
    );
    for _ in 0..3 {
        assert_eq!(
            show(&p.apply([Op::WithdrawWatchdog("dnsr".into())].iter())),
            ["-77.77.77.77/32"]
        );
        assert_eq!(
            show(&p.apply([Op::AnnounceWatchdog("dnsr".into())].iter())),
            ["+77.77.77.77/32@1.2.3.4"]
        );
    }
}

#[test]
fn for_neighbor_takes_the_settings_and_next_hop_self() {
    let loaded = load_str(
        Path::new("test.conf"),
        &conf("route 10.0.0.0/8 next-hop self; route 11.0.0.0/8 next-hop 127.0.0.1;"),
        &LoadOptions::default(),
    )
    .unwrap();
    let n = &loaded.config.neighbors[0];
    let mut p = PeerRib::for_neighbor(n);
    assert!(p.out.enabled && p.adj_in.enabled);
    p.set_static(Vec::new(), entries(&n.routes).0);
    p.session_up(vec![Family::IPV4_UNICAST]);
    assert_eq!(
        show(&p.full_table(&[Family::IPV4_UNICAST], false)),
        ["+10.0.0.0/8@127.0.0.1", "+11.0.0.0/8@127.0.0.1"]
    );
}
