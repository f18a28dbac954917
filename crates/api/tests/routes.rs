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
                ferrobgp_api::text::update::attributes_text(&r.route.attributes)
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

fn nlri_bytes(r: &ApiRoute) -> Vec<u8> {
    let mut out = Vec::new();
    r.route.nlri.encode(&mut out, false);
    out
}
fn attribute_bytes(r: &ApiRoute) -> Vec<u8> {
    let mut out = Vec::new();
    r.route.attributes.encode(None, true, &mut out);
    out
}
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn flow_routes_are_built_with_their_nlri_and_actions() {
    // api-flow-merge: the block form; rate-limit 0 is traffic-rate 0 (RFC 8955 s7.3)
    let r = build("announce flow route { match { source 4.4.4.4/32; } then { rate-limit 0; } }")
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].route.family().spaced(), "ipv4 flow");
    assert_eq!(nlri_bytes(&r[0]), [0x06, 0x02, 0x20, 4, 4, 4, 4]);
    let ext = [0xc0, 0x10, 0x08, 0x80, 0x06, 0, 0, 0, 0, 0, 0];
    assert!(
        contains(&attribute_bytes(&r[0]), &ext),
        "{:02x?}",
        attribute_bytes(&r[0])
    );
    // api-flow-merge: the inline form, interface-set after the action
    let r =
        build("announce flow route destination 133.130.1.19/32 interface-set [ transitive:input:1234:10 ] discard")
            .unwrap();
    assert_eq!(nlri_bytes(&r[0]), [0x06, 0x01, 0x20, 133, 130, 1, 19]);
    let attrs = attribute_bytes(&r[0]);
    let ext = [
        0xc0, 0x10, 0x10, 0x07, 0x02, 0x00, 0x00, 0x04, 0xd2, 0x40, 0x0a, 0x80, 0x06, 0, 0, 0, 0,
        0, 0,
    ];
    assert!(contains(&attrs, &ext), "{attrs:02x?}");
    // api-broken-flow: a withdrawal is built like the announce
    let r = build(
        "withdraw flow route { match { source 170.170.170.170/32; destination 170.170.170.170/32; } then { rate-limit 1; } }",
    )
    .unwrap();
    assert_eq!(
        nlri_bytes(&r[0]),
        [0x0c, 0x01, 0x20, 0xaa, 0xaa, 0xaa, 0xaa, 0x02, 0x20, 0xaa, 0xaa, 0xaa, 0xaa]
    );
}

#[test]
fn vpls_routes_are_built_with_their_nlri_and_next_hop() {
    // api-vpls
    let r = build(
        "announce vpls endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 next-hop 192.168.201.1 origin igp local-preference 100",
    )
    .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].route.family().spaced(), "l2vpn vpls");
    assert_eq!(
        nlri_bytes(&r[0]),
        [
            0x00, 0x11, 0x00, 0x01, 0xc0, 0xa8, 0xc9, 0x01, 0x00, 0x7b, 0x00, 0x05, 0x00, 0x01,
            0x00, 0x08, 0x02, 0x9c, 0xe1
        ]
    );
    assert_eq!(r[0].route.next_hop.to_string(), "192.168.201.1");
    let r = build(
        "withdraw vpls endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 next-hop 192.168.201.1",
    )
    .unwrap();
    assert_eq!(
        nlri_bytes(&r[0])[2..10],
        [0x00, 0x01, 0xc0, 0xa8, 0xc9, 0x01, 0x00, 0x7b]
    );
}

/// `announce route` and the configuration's `static { route ...; }` share
/// one grammar, read from tokens: the API line's own words (no second
/// lexing) give the routes the configuration gives for the same words, and
/// what one refuses the other refuses.
#[test]
fn route_words_use_the_configuration_grammar() {
    use ferrobgp_api::routes::AttrCache;
    use ferrobgp_config::{load_str, ConfigError, LoadOptions};
    let statements = [
        "1.1.0.0/24 next-hop 101.1.101.1",
        "1.0.0.0/21 next-hop 101.1.101.1 med 200 community [2:1] split /23",
        "10.0.0.0/8 next-hop 192.0.2.1 origin egp local-preference 300 as-path [ 1 2 3 ] community [ 65000:1 65000:2 ]",
        "10.0.0.0/8 next-hop 192.0.2.1 as-path [1,2,(3 4)] extended-community [ target:1:1 ]",
        "2001:db8::/32 next-hop 2001:db8::1 large-community [ 1:2:3 ]",
        "10.0.0.0/24 rd 65000:1 label 100 next-hop 192.0.2.1",
        "10.0.0.0/24 next-hop 192.0.2.1 path-information 7 name \"two words\"",
        "10.0.0.0/24 next-hop 192.0.2.1 med",
        "10.0.0.0/24 next-hop 192.0.2.1 med x",
        "10.0.0.0/24 next-hop 192.0.2.1 bogus 1",
        "10.0.0.0/33 next-hop 192.0.2.1",
    ];
    for s in statements {
        let text = format!(
            "neighbor 10.0.0.1 {{ router-id 1.1.1.1; local-address 10.0.0.2; local-as 1; peer-as 2; static {{ route {s}; }} }}\n"
        );
        let config = match load_str(
            std::path::Path::new("/t.conf"),
            &text,
            &LoadOptions::default(),
        ) {
            Ok(l) => {
                let mut cache = AttrCache::default();
                let routes = &l.config.neighbors[0].routes;
                Ok(routes
                    .iter()
                    .map(|r| cache.convert(r).expect("to wire"))
                    .collect::<Vec<_>>())
            }
            Err(ConfigError::Invalid(ds)) => Err(ds[0].message.clone()),
            Err(e) => panic!("{s}: {e}"),
        };
        let api = match parse_line(&format!("announce route {s}"))
            .expect("parses")
            .command
        {
            Command::Route(r) => routes(&r).map_err(|e| match e {
                ferrobgp_api::ApiError::Route(m) => m,
                other => panic!("{s}: {other}"),
            }),
            other => panic!("{other:?}"),
        };
        assert_eq!(api, config, "{s}");
    }
}

/// The cache converts a statement's attribute set once and gives each
/// route the same wire set, yet a route with other attributes (or another
/// statement's equal ones) gets the right set.
#[test]
fn attribute_cache_converts_a_statement_once() {
    use ferrobgp_api::routes::AttrCache;
    let parsed = |line: &str| match parse_line(line).expect("parses").command {
        Command::Route(r) => r,
        other => panic!("{other:?}"),
    };
    let a = routes(&parsed(
        "announce attributes next-hop 1.2.3.4 med 7 nlri 1.0.0.0/8 2.0.0.0/8 3.0.0.0/8",
    ))
    .unwrap();
    let b = routes(&parsed(
        "announce attributes next-hop 1.2.3.4 med 8 nlri 4.0.0.0/8",
    ))
    .unwrap();
    assert_eq!(show(&a)[2], "3.0.0.0/8 1.2.3.4 med 7");
    assert_eq!(show(&b), ["4.0.0.0/8 1.2.3.4 med 8"]);
    assert!(Arc::ptr_eq(&a[0].route.attributes, &a[2].route.attributes));
    // one cache over routes of several statements, as the rib's static
    // routes use it
    let cfg = |body: &str| {
        let text = format!(
            "neighbor 10.0.0.1 {{ router-id 1.1.1.1; local-address 10.0.0.2; local-as 1; peer-as 2; static {{ {body} }} }}\n"
        );
        ferrobgp_config::load_str(
            std::path::Path::new("/t.conf"),
            &text,
            &ferrobgp_config::LoadOptions::default(),
        )
        .expect("loads")
        .config
        .neighbors
        .remove(0)
        .routes
    };
    let routes = cfg("route 1.0.0.0/8 next-hop 1.1.1.1 med 1; route 2.0.0.0/8 next-hop 1.1.1.1 med 2; route 3.0.0.0/8 next-hop 1.1.1.1 med 2; route 4.0.0.0/8 next-hop 1.1.1.1 med 1;");
    let mut cache = AttrCache::default();
    let wire: Vec<ApiRoute> = routes.iter().map(|r| cache.convert(r).unwrap()).collect();
    assert_eq!(
        show(&wire),
        [
            "1.0.0.0/8 1.1.1.1 med 1",
            "2.0.0.0/8 1.1.1.1 med 2",
            "3.0.0.0/8 1.1.1.1 med 2",
            "4.0.0.0/8 1.1.1.1 med 1"
        ]
    );
    assert!(Arc::ptr_eq(
        &wire[1].route.attributes,
        &wire[2].route.attributes
    ));
    for (r, w) in routes.iter().zip(&wire) {
        assert_eq!(Some(&w.route), r.to_wire().as_ref());
    }
}
