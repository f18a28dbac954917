//! The route grammar as crates/api uses it: API command lines tokenised with
//! `lexer::tokenize_line` and handed to the `route::parse_*` entry points.

use ferrobgp_config::lexer::tokenize_line;
use ferrobgp_config::route::flow::{FlowAction, FlowComponent};
use ferrobgp_config::route::{self, ConfigRoute, Cursor, NextHopSpec, RouteSpec};
use ferrobgp_config::Pos;
use ferrobgp_wire::attribute::Community;
use ferrobgp_wire::route::NextHop;
use ferrobgp_wire::Family;

fn toks(line: &str) -> Vec<ferrobgp_config::lexer::Token> {
    tokenize_line(line).expect("tokenises")
}

fn end(line: &str) -> Pos {
    Pos::new(1, line.chars().count() as u32 + 1)
}

#[test]
fn announce_route() {
    let line =
        "10.0.0.0/24 next-hop 192.0.2.1 med 10 community [65000:1 no-export] local-preference 200";
    let r = route::parse_route(&toks(line), end(line), true).unwrap();
    assert_eq!(r.len(), 1);
    let w = r[0].to_wire().unwrap();
    assert_eq!(w.nlri.to_string(), "10.0.0.0/24");
    assert_eq!(w.next_hop, NextHop::V4("192.0.2.1".parse().unwrap()));
    assert_eq!(w.attributes.med, Some(10));
    assert_eq!(w.attributes.local_pref, Some(200));
    assert_eq!(
        w.attributes.communities.as_slice(),
        &[Community::new(65000, 1), Community::NO_EXPORT]
    );
}

#[test]
fn withdraw_needs_no_next_hop() {
    let line = "10.0.0.0/24";
    assert!(route::parse_route(&toks(line), end(line), true).is_err());
    let r = route::parse_route(&toks(line), end(line), false).unwrap();
    assert_eq!(r[0].as_prefix().unwrap().next_hop, None);
    assert_eq!(r[0].to_wire().unwrap().next_hop, NextHop::None);
}

#[test]
fn attributes_nlri() {
    let line = "next-hop 10.0.0.1 origin egp as-path [ 1 2 ] ( 3 4 ) nlri 10.1.0.0/16 10.2.0.0/16";
    let r = route::parse_attributes(&toks(line), end(line), true).unwrap();
    assert_eq!(r.len(), 2);
    let path = r[1].attrs().as_path.clone().unwrap();
    assert_eq!(path.segments.len(), 2);
    assert!(std::sync::Arc::ptr_eq(
        &r[0].as_prefix().unwrap().attrs,
        &r[0].as_prefix().unwrap().attrs
    ));
    let e = route::parse_attributes(&toks("next-hop 10.0.0.1"), end("next-hop 10.0.0.1"), true)
        .unwrap_err();
    assert_eq!(
        e.message,
        "missing \"nlri\": expected attributes ... nlri <prefix> ..."
    );
}

#[test]
fn family_routes() {
    let line = "ipv6 unicast 2001:db8::/32 next-hop 2001:db8::1";
    let r = route::parse_family_route(&toks(line), end(line), true).unwrap();
    assert_eq!(r[0].family(), Family::IPV6_UNICAST);
    let line = "ipv4 mpls-vpn 10.0.0.0/24 rd 65000:1 label [ 100 200 ] next-hop 1.2.3.4";
    let r = route::parse_family_route(&toks(line), end(line), true).unwrap();
    let p = r[0].as_prefix().unwrap();
    assert_eq!(
        (p.family, p.labels.clone()),
        (Family::IPV4_MPLS_VPN, Some(vec![100, 200]))
    );
    let line = "ipv4 mup mup-dsd 10.0.0.1 rd 100:100 next-hop 2001::2 extended-community [ target:10:10 mup:10:10 ]";
    assert_eq!(
        route::parse_family_route(&toks(line), end(line), true).unwrap()[0].family(),
        Family::IPV4_MUP
    );
    let line = "ipv4 flow source 10.0.0.1/32 destination-port =80 discard";
    let r = route::parse_family_route(&toks(line), end(line), true).unwrap();
    assert_eq!(r[0].family(), Family::IPV4_FLOW);
    let e =
        route::parse_family_route(&toks("ipv9 unicast"), end("ipv9 unicast"), true).unwrap_err();
    assert_eq!(
        (e.pos, e.message.as_str()),
        (
            Pos::new(1, 1),
            "invalid address family \"ipv9\": expected ipv4, ipv6 or l2vpn"
        )
    );
}

#[test]
fn flow_both_forms() {
    let braces = "{ match { source 10.0.0.1/32; protocol tcp; } then { rate-limit 9600; community [ 1:1 ]; } }";
    let a = route::flow::parse_flow_tokens(&toks(braces), end(braces)).unwrap();
    let inline = "source 10.0.0.1/32 protocol tcp rate-limit 9600 community [ 1:1 ]";
    let b = route::flow::parse_flow_tokens(&toks(inline), end(inline)).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.matches[0].component(), FlowComponent::Source);
    assert_eq!(a.actions, vec![FlowAction::RateLimit(9600.0)]);
    let named = "broken { match { destination 10.0.0.0/8; } then { discard; } }";
    let c = route::flow::parse_flow_tokens(&toks(named), end(named)).unwrap();
    assert_eq!(c.meta.name.as_deref(), Some("broken"));
    let v6 = "[2001:db8::1]:100";
    let line = format!("destination 10.0.0.0/8 redirect {v6}");
    let d = route::flow::parse_flow_tokens(&toks(&line), end(&line)).unwrap();
    assert!(matches!(
        d.actions[0],
        FlowAction::Redirect(route::flow::Redirect::Ipv6 { number: 100, .. })
    ));
}

#[test]
fn flow_redirect_to_nexthop_with_and_without_next_hop() {
    // ExaBGP 5.0.15 accepts all four; without a next-hop the route goes
    // out with an empty MP_REACH next hop.
    for (line, nh) in [
        (
            "{ next-hop 192.0.2.9; match { destination 192.0.2.4/32; } then { redirect-to-nexthop; } }",
            Some("192.0.2.9"),
        ),
        (
            "{ match { destination 192.0.2.5/32; } then { redirect-to-nexthop; } }",
            None,
        ),
        (
            "destination 192.0.2.6/32 next-hop 192.0.2.10 redirect-to-nexthop",
            Some("192.0.2.10"),
        ),
        ("destination 192.0.2.7/32 redirect-to-nexthop", None),
    ] {
        let f = route::flow::parse_flow_tokens(&toks(line), end(line)).expect(line);
        assert_eq!(f.actions, vec![FlowAction::RedirectToNexthop], "{line}");
        assert_eq!(
            f.next_hop,
            nh.map(|a| NextHopSpec::Ip(a.parse().unwrap())),
            "{line}"
        );
    }
}

#[test]
fn vpls_and_operational() {
    let line = "rd 192.168.201.1:123 endpoint 5 base 10702 offset 1 size 8 next-hop 192.168.201.1";
    let v = route::vpls::parse_vpls(&toks(line), end(line), true).unwrap();
    assert_eq!((v.endpoint, v.size), (5, 8));
    let line = "rpcp afi ipv4 safi unicast sequence 1 counter 2";
    let o = route::operational::parse_operational(&toks(line), end(line)).unwrap();
    assert_eq!((o.sequence, o.counter), (Some(1), Some(2)));
}

#[test]
fn keyword_by_keyword() {
    // what a caller with its own command words in between does
    let line = "next-hop self watchdog dnsr withdraw name x";
    let t = toks(line);
    let mut cur = Cursor::new(&t, end(line));
    let mut spec = RouteSpec::default();
    while let Some(kw) = cur.advance() {
        assert!(route::route_keyword(kw, &mut cur, &mut spec).unwrap());
    }
    assert_eq!(spec.next_hop, Some(NextHopSpec::SelfAddress));
    assert_eq!(
        (
            spec.watchdog.as_deref(),
            spec.withdraw,
            spec.name.as_deref()
        ),
        (Some("dnsr"), true, Some("x"))
    );
    // confederations in one line
    let line = "10.0.0.0/8 next-hop 1.1.1.1 as-path [ 1 { 2 3 } 4 ]";
    let r = route::parse_route(&toks(line), end(line), true).unwrap();
    let ConfigRoute::Prefix(p) = &r[0] else {
        panic!()
    };
    assert_eq!(p.attrs.as_path.as_ref().unwrap().segments.len(), 3);
}
