//! Packing routes of the other families into UPDATEs gives ExaBGP's exact
//! bytes. Routes are built from the typed NLRI constructors with the values
//! of the conformance configurations (conf-vpn, conf-prefix-sid, conf-flow,
//! conf-l2vpn, conf-mvpn, conf-srv6-mup, api-mvpn, api-ipv4); every UPDATE
//! produced must be one of the `raw` UPDATEs of that case's `.msg` file,
//! read in place from `../shared/conformance` (skipped with a message when
//! absent). A few wire facts are also checked without the suite.

use ferrobgp_wire::attribute::attr_40_prefix_sid::SidStructure;
use ferrobgp_wire::attribute::{
    AsPath, Attributes, Communities, Community, ExtendedCommunities, ExtendedCommunity, PrefixSid,
};
use ferrobgp_wire::family::Afi;
use ferrobgp_wire::nlri::flow::{kind, op, Component, Term};
use ferrobgp_wire::nlri::{Flow, Labelled, Labels, Mup, Mvpn, Nlri, RouteDistinguisher, Vpls};
use ferrobgp_wire::route::{NextHop, Route, RouteChange};
use ferrobgp_wire::update::{pack, Context};
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn suite() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    p.join("encoding").is_dir().then_some(p)
}

/// The `raw` UPDATEs of one case, as upper-case hex.
fn raw_updates(root: &Path, case: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root.join("encoding").join(format!("{case}.msg"))).unwrap();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.contains('#') {
            continue;
        }
        let line = line.replace(' ', "").to_uppercase();
        let mut parts = line.splitn(3, ':');
        if let (Some(_), Some("RAW"), Some(content)) = (parts.next(), parts.next(), parts.next()) {
            out.insert(content.replace(':', ""));
        }
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn ibgp(asn: u32) -> Context {
    Context {
        local_as: asn,
        peer_as: asn,
        group_updates: false,
        ..Context::default()
    }
}

fn rd(s: &str) -> RouteDistinguisher {
    s.parse().unwrap()
}

fn ecs(v: &[&str]) -> ExtendedCommunities {
    ExtendedCommunities::new(
        v.iter()
            .map(|s| s.parse::<ExtendedCommunity>().unwrap())
            .collect(),
    )
}

fn nh(s: &str) -> NextHop {
    NextHop::from_ip(s.parse().unwrap())
}

fn announce(nlri: impl Into<Nlri>, next_hop: NextHop, attrs: &Arc<Attributes>) -> RouteChange {
    RouteChange::Announce(Route::new(nlri, next_hop, attrs.clone()))
}

/// Packs `changes` and checks that each UPDATE is one of the case's; returns
/// how many were produced.
fn check(case: &str, ctx: &Context, changes: &[RouteChange]) -> usize {
    let packed = pack(changes, ctx);
    assert!(packed.errors.is_empty(), "{:?}", packed.errors);
    let Some(root) = suite() else {
        ferrobgp_testkit::skip(case, "../shared/conformance not found; bytes not compared");
        return packed.messages.len();
    };
    let expected = raw_updates(&root, case);
    for m in &packed.messages {
        let h = hex(m);
        assert!(
            expected.contains(&h),
            "{case}: produced {h}\nnot among\n{}",
            expected.iter().cloned().collect::<Vec<_>>().join("\n")
        );
    }
    packed.messages.len()
}

#[test]
fn mpls_vpn_conf_vpn() {
    let attrs = Arc::new(Attributes {
        extended_communities: ecs(&["0x0002fde800000001", "0x0002271000000001"]),
        ..Attributes::default()
    });
    let changes: Vec<_> = [
        "10.0.0.0/25",
        "10.0.0.128/25",
        "20.0.0.0/25",
        "20.0.0.128/25",
    ]
    .iter()
    .map(|p| {
        let l = Labelled::vpn(p.parse().unwrap(), rd("65000:1"), Labels::new(&[1000]));
        announce(l, nh("200.10.0.101"), &attrs)
    })
    .collect();
    assert_eq!(check("conf-vpn", &ibgp(65000), &changes), 4);
}

#[test]
fn labelled_unicast_with_prefix_sid() {
    let sid = |p: PrefixSid| {
        let mut a = Attributes::default();
        a.push_raw(p.to_raw());
        Arc::new(a)
    };
    let a1 = sid(PrefixSid::label_index(777, &[]));
    let a2 = sid(PrefixSid::label_index(
        300,
        &[(800000, 4096), (1000000, 5000)],
    ));
    let changes = vec![
        announce(
            Labelled::mpls("198.51.100.100/32".parse().unwrap(), Labels::new(&[800001])),
            nh("198.51.100.1"),
            &a1,
        ),
        announce(
            Labelled::mpls("198.51.100.101/32".parse().unwrap(), Labels::new(&[800002])),
            nh("198.51.100.2"),
            &a2,
        ),
    ];
    assert_eq!(check("conf-prefix-sid", &ibgp(65000), &changes), 2);
}

#[test]
fn vpls_conf_l2vpn() {
    let attrs = Arc::new(Attributes {
        as_path: Some(AsPath::sequence(vec![30740; 7])),
        med: Some(2000),
        local_pref: Some(100),
        communities: Communities::new(vec![Community::new(54591, 123)]),
        extended_communities: ecs(&["target:54591:6", "l2info:19:0:1500:111"]),
        originator_id: Some("192.168.22.1".parse().unwrap()),
        cluster_list: vec!["3.3.3.3".parse().unwrap(), "192.168.201.1".parse().unwrap()],
        ..Attributes::default()
    });
    let v = Vpls::new(rd("192.168.201.1:123"), 5, 1, 8, 10702);
    let changes = vec![RouteChange::Announce(Route::new(
        Nlri::Vpls(v),
        nh("192.168.201.1"),
        attrs,
    ))];
    assert_eq!(check("conf-l2vpn", &ibgp(54591), &changes), 1);
}

#[test]
fn mcast_vpn_conf_mvpn_grouped() {
    let rt5 = Arc::new(Attributes {
        extended_communities: ecs(&["target:192.168.94.12:5"]),
        ..Attributes::default()
    });
    let rt_ad = Arc::new(Attributes {
        extended_communities: ecs(&["target:65000:99999"]),
        ..Attributes::default()
    });
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let r = rd("65000:99999");
    let mut changes = Vec::new();
    for (afi, rp, src, ad, group) in [
        (
            Afi::IPV4,
            "10.99.199.1",
            "10.99.12.2",
            "10.99.12.4",
            "239.251.255.228",
        ),
        (Afi::IPV6, "fd00::1", "fd12::2", "fd12::4", "ff0e::1"),
    ] {
        let join = |shared, s| Mvpn::c_multicast(afi, shared, r, 65000, ip(s), ip(group));
        changes.push(RouteChange::Announce(Route::new(
            Nlri::Mvpn(join(true, rp)),
            nh("10.10.6.3"),
            rt5.clone(),
        )));
        changes.push(RouteChange::Announce(Route::new(
            Nlri::Mvpn(join(false, src)),
            nh("10.10.6.3"),
            rt5.clone(),
        )));
        changes.push(RouteChange::Announce(Route::new(
            Nlri::Mvpn(Mvpn::source_ad(afi, r, ip(ad), ip(group))),
            nh("10.10.6.4"),
            rt_ad.clone(),
        )));
    }
    let ctx = Context {
        group_updates: true,
        ..ibgp(65000)
    };
    // both joins of one family share an UPDATE (spec 7.4: mcast-vpn grouping)
    assert_eq!(check("conf-mvpn", &ctx, &changes), 4);
}

#[test]
fn mcast_vpn_withdrawal_carries_attributes() {
    // api-mvpn: the withdrawal of a source-ad keeps NEXT_HOP, LOCAL_PREF
    // and the extended community it was announced with
    let attrs = Arc::new(Attributes {
        extended_communities: ecs(&["target:65000:99999"]),
        ..Attributes::default()
    });
    let m = Mvpn::source_ad(
        Afi::IPV4,
        rd("65000:99999"),
        "10.99.12.4".parse().unwrap(),
        "239.251.255.228".parse().unwrap(),
    );
    let changes = vec![RouteChange::Withdraw(Route::new(
        Nlri::Mvpn(m),
        nh("10.10.6.4"),
        attrs,
    ))];
    assert_eq!(check("api-mvpn", &ibgp(65000), &changes), 1);
}

fn structure() -> Option<SidStructure> {
    Some(SidStructure {
        locator_block: 64,
        locator_node: 24,
        function: 16,
        argument: 0,
        transposition_length: 0,
        transposition_offset: 0,
    })
}

#[test]
fn mup_conf_srv6_mup() {
    let r = rd("100:100");
    let srv6 = |beh| {
        PrefixSid::srv6_service(false, "2001:db8:1:1::".parse().unwrap(), beh, structure()).to_raw()
    };
    let mut isd = Attributes {
        extended_communities: ecs(&["target:10:10"]),
        ..Attributes::default()
    };
    isd.push_raw(srv6(0x48));
    let isd = Arc::new(isd);
    let mut dsd = Attributes {
        extended_communities: ecs(&["target:10:10", "mup:10:10"]),
        ..Attributes::default()
    };
    dsd.push_raw(srv6(0x13));
    let dsd = Arc::new(dsd);
    let t1 = Arc::new(Attributes {
        extended_communities: ecs(&["target:10:10"]),
        ..Attributes::default()
    });
    let t2 = Arc::new(Attributes {
        extended_communities: ecs(&["target:10:10", "mup:10:10"]),
        ..Attributes::default()
    });
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let changes = vec![
        announce_mup(Mup::isd(r, "10.0.1.0/24".parse().unwrap()), "2001::1", &isd),
        announce_mup(Mup::dsd(r, ip("10.0.0.1")), "2001::2", &dsd),
        announce_mup(
            Mup::t1st(
                r,
                "192.168.0.1/32".parse().unwrap(),
                12345,
                9,
                ip("10.0.0.1"),
                None,
            ),
            "10.0.0.2",
            &t1,
        ),
        announce_mup(Mup::t2st(r, ip("10.0.0.1"), 12345, 32), "10.0.0.2", &t2),
        announce_mup(Mup::t2st(r, ip("10.0.0.1"), 12345, 23), "10.0.0.2", &t2),
        // IPv6 MUP with an IPv4 next hop: sent as ::ffff:10.0.0.2
        announce_mup(
            Mup::t1st(
                r,
                "2001:db8:1:1::1/128".parse().unwrap(),
                12345,
                9,
                ip("2001::1"),
                None,
            ),
            "10.0.0.2",
            &t1,
        ),
        announce_mup(Mup::t2st(r, ip("2001::1"), 12345, 32), "10.0.0.2", &t2),
    ];
    assert_eq!(check("conf-srv6-mup", &ibgp(65000), &changes), 7);
}

fn announce_mup(m: Mup, next_hop: &str, attrs: &Arc<Attributes>) -> RouteChange {
    RouteChange::Announce(Route::new(Nlri::Mup(m), nh(next_hop), attrs.clone()))
}

#[test]
fn flowspec_conf_flow() {
    let discard = Arc::new(Attributes {
        extended_communities: ExtendedCommunities::new(vec![ExtendedCommunity::traffic_rate(
            0, 0.0,
        )]),
        ..Attributes::default()
    });
    // flow-vpn: source 10.0.0.1/32 rd 65535:65536 discard
    let vpn = Flow::new(
        Afi::IPV4,
        Some(rd("65535:65536")),
        vec![Component::prefix4(
            kind::SOURCE,
            "10.0.0.1".parse().unwrap(),
            32,
        )],
    );
    // copy-to-nexthop with next-hop 1.2.3.4: 4-byte MP next hop, no NEXT_HOP
    let copy = Arc::new(Attributes {
        extended_communities: ExtendedCommunities::new(vec![
            ExtendedCommunity::redirect_to_nexthop(true),
        ]),
        ..Attributes::default()
    });
    let f2 = Flow::new(
        Afi::IPV4,
        None,
        vec![Component::prefix4(
            kind::SOURCE,
            "10.0.0.2".parse().unwrap(),
            32,
        )],
    );
    let changes = vec![
        announce(vpn, NextHop::None, &discard),
        announce(f2, nh("1.2.3.4"), &copy),
    ];
    assert_eq!(check("conf-flow", &ibgp(65000), &changes), 2);
}

#[test]
fn flowspec_every_component_conf_flow_redirect() {
    // conf-flow-redirect's big rule, component by component
    let attrs = Arc::new(Attributes {
        communities: Communities::new(vec![Community::new(30740, 0), Community::new(30740, 30740)]),
        extended_communities: ecs(&["origin:2345:6.7.8.9", "origin:2.3.4.5:6789"]),
        ..Attributes::default()
    });
    let mut a = (*attrs).clone();
    a.extended_communities = ExtendedCommunities::new(
        a.extended_communities
            .as_slice()
            .iter()
            .copied()
            .chain(ExtendedCommunity::redirect(65500, 12345))
            .collect(),
    );
    let attrs = Arc::new(a);
    let t = Term::new;
    let e = op::EQ;
    let f = Flow::new(
        Afi::IPV4,
        None,
        vec![
            Component::prefix4(kind::DESTINATION, "192.168.0.1".parse().unwrap(), 32),
            Component::prefix4(kind::SOURCE, "10.0.0.1".parse().unwrap(), 32),
            Component::ops(kind::PROTOCOL, vec![t(e, 6), t(e, 17)]),
            Component::ops(kind::PORT, vec![t(e, 80), t(e, 8080)]),
            Component::ops(
                kind::DESTINATION_PORT,
                vec![t(op::GT, 8080), t(op::AND | op::LT, 8088), t(e, 3128)],
            ),
            Component::ops(kind::SOURCE_PORT, vec![t(op::GT, 1024)]),
            Component::ops(kind::ICMP_TYPE, vec![t(e, 3), t(e, 8), t(e, 0)]),
            Component::ops(kind::ICMP_CODE, vec![t(e, 1), t(e, 0)]),
            Component::ops(kind::TCP_FLAGS, vec![t(0, 0x20), t(0, 0x04)]),
            Component::ops(
                kind::PACKET_LENGTH,
                vec![
                    t(op::GT, 200),
                    t(op::AND | op::LT, 300),
                    t(op::GT, 400),
                    t(op::AND | op::LT, 500),
                ],
            ),
            Component::ops(kind::DSCP, vec![t(e, 10), t(e, 20)]),
            Component::ops(kind::FRAGMENT, vec![t(0, 4), t(0, 8)]),
        ],
    );
    let changes = vec![announce(f, NextHop::None, &attrs)];
    assert_eq!(check("conf-flow-redirect", &ibgp(65000), &changes), 1);
}

#[test]
fn ipv6_flow_with_offset_uses_the_suites_form() {
    // conf-flow: destination 2a02:b80:15:0:7aca:39ff:feae:a87a/128,
    // source ::1/128/120, next-header =udp, traffic-class =101,
    // flow-label =2013
    let t = Term::new;
    let f = Flow::new(
        Afi::IPV6,
        None,
        vec![
            Component::prefix6(
                kind::DESTINATION,
                "2a02:b80:15:0:7aca:39ff:feae:a87a".parse().unwrap(),
                128,
                0,
            ),
            Component::prefix6(kind::SOURCE, "::1".parse().unwrap(), 128, 120),
            Component::ops(kind::PROTOCOL, vec![t(op::EQ, 17)]),
            Component::ops(kind::DSCP, vec![t(op::EQ, 101)]),
            Component::ops(kind::FLOW_LABEL, vec![t(op::EQ, 2013)]),
        ],
    );
    let discard = Arc::new(Attributes {
        extended_communities: ExtendedCommunities::new(vec![ExtendedCommunity::traffic_rate(
            0, 0.0,
        )]),
        ..Attributes::default()
    });
    assert_eq!(
        f.text(None),
        "flow destination-ipv6 2a02:b80:15:0:7aca:39ff:feae:a87a/128/0 source-ipv6 ::1/128/120 next-header =udp traffic-class =101 flow-label =2013"
    );
    let changes = vec![announce(f, NextHop::None, &discard)];
    assert_eq!(check("conf-flow", &ibgp(65000), &changes), 1);
}

#[test]
fn vpn_withdrawal_without_suite() {
    // RFC 4364 form with ExaBGP's default attributes on an MP withdrawal
    let l = Labelled::vpn(
        "10.0.0.0/24".parse().unwrap(),
        rd("65000:1"),
        Labels::new(&[16]),
    );
    let packed = pack(&[RouteChange::Withdraw(Route::bare(l))], &ibgp(65000));
    assert_eq!(
        hex(&packed.messages[0]),
        concat!(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
            "003A",
            "02",
            "0000",
            "0023",
            "40010100",
            "400200",
            "4005040000 0064",
            "800F12",
            "000180",
            "7000010100 00FDE800000001 0A0000"
        )
        .replace(' ', "")
    );
}

#[test]
fn nlri_too_long_for_its_length_field_is_refused() {
    // 9 labels + RD + /128: 344 bits do not fit the one-byte length
    let l = Labelled::vpn(
        "2001:db8::1/128".parse().unwrap(),
        rd("65000:1"),
        Labels::new(&[1, 2, 3, 4, 5, 6, 7, 8, 9]),
    );
    let attrs = Arc::new(Attributes::default());
    let packed = pack(&[announce(l, nh("2001:db8::2"), &attrs)], &ibgp(65000));
    assert!(packed.messages.is_empty());
    assert_eq!(packed.errors.len(), 1);
    assert_eq!(
        packed.errors[0].reason,
        "NLRI too long for its length field"
    );
}
