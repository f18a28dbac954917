//! Route commands through the configuration's route grammar into
//! crates/wire routes.

use ferrobgp_api::routes::{routes, ApiRoute};
use ferrobgp_api::{parse_line, Command};
use std::sync::Arc;

fn build(line: &str) -> Result<Vec<ApiRoute>, String> {
    match parse_line(line).map_err(|e| e.to_string())?.command {
        Command::Route(r) => routes(&r).map_err(|e| e.to_string()),
        other => panic!("{other:?}"),
    }
}
fn show(rs: &[ApiRoute]) -> Vec<String> {
    rs.iter()
        .map(|r| {
            format!(
                "{} {}{}",
                r.route.nlri,
                r.route.next_hop,
                ferrobgp_wire::json::update::attributes_text(&r.route.attributes)
            )
        })
        .collect()
}

#[test]
fn announce_route_forms() {
    let r = build("announce route 1.1.0.0/24 next-hop 101.1.101.1").unwrap();
    assert_eq!(show(&r), ["1.1.0.0/24 101.1.101.1"]);
    // api-announcement: split shares one attribute set
    let r =
        build("announce route 1.0.0.0/21 next-hop 101.1.101.1 med 200 community [2:1] split /23")
            .unwrap();
    assert_eq!(
        show(&r),
        [
            "1.0.0.0/23 101.1.101.1 med 200 community 2:1",
            "1.0.2.0/23 101.1.101.1 med 200 community 2:1",
            "1.0.4.0/23 101.1.101.1 med 200 community 2:1",
            "1.0.6.0/23 101.1.101.1 med 200 community 2:1"
        ]
    );
    assert!(r
        .windows(2)
        .all(|w| Arc::ptr_eq(&w[0].route.attributes, &w[1].route.attributes)));
    let r = build("neighbor 127.0.0.1 local-as 2 announce route 1.8.0.0/21 next-hop 101.1.101.1 med 200 large-community [2914:1:0]").unwrap();
    assert_eq!(
        show(&r),
        ["1.8.0.0/21 101.1.101.1 med 200 large-community 2914:1:0"]
    );
    let r =
        build("announce attributes next-hop 10.0.0.1 med 5 nlri 10.1.0.0/24 10.2.0.0/24").unwrap();
    assert_eq!(
        show(&r),
        ["10.1.0.0/24 10.0.0.1 med 5", "10.2.0.0/24 10.0.0.1 med 5"]
    );
    assert!(Arc::ptr_eq(&r[0].route.attributes, &r[1].route.attributes));
    let r = build("announce ipv6 unicast 2001:db8::/32 next-hop 2001:db8::1").unwrap();
    assert_eq!(show(&r), ["2001:db8::/32 2001:db8::1"]);
    let r = build("announce route 10.0.0.0/8 next-hop 1.1.1.1 watchdog dog withdraw").unwrap();
    assert_eq!(
        (r[0].watchdog.as_deref(), r[0].withdrawn),
        (Some("dog"), true)
    );
    let r = build("announce route 10.0.0.0/8 next-hop self").unwrap();
    assert_eq!(
        r[0].route.next_hop,
        ferrobgp_wire::route::NextHop::SelfAddress
    );
}

#[test]
fn withdraw_forms() {
    let r = build("withdraw route 1.1.0.0/24").unwrap();
    assert_eq!(show(&r), ["1.1.0.0/24 no-nexthop"]);
    let r = build("withdraw route 1.1.0.0/25 next-hop 0.0.0.0").unwrap();
    assert_eq!(
        r[0].route.key(),
        build("withdraw route 1.1.0.0/25").unwrap()[0].route.key()
    );
}

#[test]
fn refused_routes() {
    for (line, expected) in [
        ("announce route 1.1.0.0/24", "next-hop"),
        ("announce route 1.1.0.1/24 next-hop 1.1.1.1", "1.1.0.1/24"),
        ("announce route bogus next-hop 1.1.1.1", "bogus"),
        (
            "announce route 1.1.0.0/24 next-hop 1.1.1.1 frobnicate 3",
            "frobnicate",
        ),
    ] {
        let e = build(line).unwrap_err();
        assert!(e.starts_with("route: "), "{line}: {e}");
        assert!(e.contains(expected), "{line}: {e}");
    }
}

#[test]
fn families_wire_cannot_encode_yet_are_refused_with_a_reason() {
    // these families become available as crates/config learns to convert
    // them; until then the reason says so
    for (line, family) in [
        ("announce flow route source 10.0.0.1/32 discard", "ipv4 flow"),
        ("announce route 10.0.0.0/8 rd 65000:1 label 100 next-hop 1.1.1.1", "ipv4 mpls-vpn"),
        ("announce vpls endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 next-hop 192.168.201.1", "l2vpn vpls"),
    ] {
        match build(line) {
            Ok(r) => assert_eq!(r[0].route.family().spaced(), family, "{line}"),
            Err(e) => assert_eq!(e, format!("route: {family} routes are not supported yet"), "{line}"),
        }
    }
}
