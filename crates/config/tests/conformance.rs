//! Every configuration of the conformance suite (../shared/conformance/etc,
//! relative to the repository root) must load, and a representative set of
//! them must resolve to exactly the model written out here by hand.

use ferrobgp_config::route::flow::{FlowAction, FlowComponent, FlowMatch, FlowTerm, Redirect};
use ferrobgp_config::route::mup::MupKind;
use ferrobgp_config::route::mvpn::MvpnKind;
use ferrobgp_config::route::{ConfigRoute, NextHopSpec, PrefixRoute};
use ferrobgp_config::*;
use ferrobgp_wire::attribute::{Community, ExtendedCommunity, LargeCommunity, Origin, SegmentType};
use ferrobgp_wire::nlri::RouteDistinguisher;
use ferrobgp_wire::route::NextHop;
use ferrobgp_wire::Family;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

fn suite() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/etc");
    if p.is_dir() {
        Some(p)
    } else {
        ferrobgp_testkit::skip(
            module_path!(),
            &format!("conformance suite not found at {}", p.display()),
        );
        None
    }
}

fn opts() -> LoadOptions {
    let mut o = LoadOptions::default();
    o.settings.tcp.port = ferrobgp_config::settings::Port(1790);
    // conf-extended-attributes.conf ends with an extra `}` (qa/bin/conformance
    // sets this too)
    o.settings.compat.reference_trailing_brace = true;
    o.run = RunLookup {
        path: None,
        check: true,
        user: None,
    };
    o
}

fn load(name: &str) -> Option<Loaded> {
    let dir = suite()?;
    match load_file(&dir.join(name), &opts()) {
        Ok(l) => Some(l),
        Err(e) => panic!("{name} failed to load:\n{e}"),
    }
}

fn one(name: &str) -> Option<(Config, Neighbor)> {
    let l = load(name)?;
    assert_eq!(l.config.neighbors.len(), 1, "{name}");
    let n = l.config.neighbors[0].clone();
    Some((l.config, n))
}

fn prefixes(n: &Neighbor) -> Vec<String> {
    n.routes
        .iter()
        .filter_map(|r| r.as_prefix())
        .map(|p| p.prefix.to_string())
        .collect()
}

fn p(r: &ConfigRoute) -> &PrefixRoute {
    r.as_prefix().expect("a prefix route")
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn every_configuration_loads() {
    let Some(dir) = suite() else { return };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 50,
        "only {} configurations found",
        names.len()
    );
    let reports = validate_files(&names, &opts());
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| !r.is_ok())
        .flat_map(|r| r.lines())
        .collect();
    assert!(
        failed.is_empty(),
        "configurations rejected:\n{}",
        failed.join("\n")
    );
    for r in &reports {
        assert!(r.lines()[0].contains(": ok: "), "{:?}", r.lines());
        assert_eq!(r.to_json()["ok"], true);
    }
}

#[test]
fn api_api_template_merge_and_api_blocks() {
    let Some((c, n)) = one("api-api.conf") else {
        return;
    };
    assert_eq!(
        n.families,
        vec![Family::IPV4_UNICAST, Family::IPV4_NLRI_MPLS]
    );
    assert_eq!(n.router_id, Ipv4Addr::new(127, 0, 0, 123));
    assert_eq!(
        (n.local_as, n.peer_as),
        (AsNumber::Asn(65535), AsNumber::Asn(65535))
    );
    assert!(!n.group_updates);
    assert_eq!(n.inherit, vec!["controller"]);
    assert_eq!(n.api.len(), 2);
    let speaking = &n.api[0];
    assert_eq!(speaking.name, "speaking");
    assert_eq!(speaking.processes, vec!["expecting-a-keepalive"]);
    assert!(!speaking.neighbor_changes, "commented out in the file");
    let d = ApiDirection {
        parsed: true,
        keepalive: true,
        update: true,
        ..Default::default()
    };
    assert_eq!((speaking.receive, speaking.send), (d, d));
    assert_eq!(n.api[1].name, "listening");
    assert_eq!(n.api[1].processes, vec!["expecting-no-data"]);
    assert_eq!(n.api[1].receive, ApiDirection::default());
    assert_eq!(
        n.processes(),
        vec!["expecting-a-keepalive", "expecting-no-data"]
    );
    let p = c.process("expecting-a-keepalive").unwrap();
    assert_eq!(p.encoder, Encoder::Json);
    assert!(p.respawn);
    assert_eq!(p.argv.len(), 1);
    assert!(PathBuf::from(&p.argv[0]).is_absolute());
    assert!(
        p.argv[0].ends_with("/etc/run/api-api.receive.run"),
        "{}",
        p.argv[0]
    );
    assert!(!p.argv[0].contains("/./"));
    // defaults
    assert_eq!(n.hold_time, 180);
    assert_eq!(n.connect, 1790, "connect defaults to exabgp.tcp.port");
    assert!(n.adj_rib_out && n.adj_rib_in && n.auto_flush && !n.passive && !n.manual_eor);
    assert_eq!(n.capabilities, Capabilities::default());
}

#[test]
fn api_open_capabilities() {
    let Some((_, n)) = one("api-open.conf") else {
        return;
    };
    let c = &n.capabilities;
    assert!(c.asn4 && c.aigp && c.operational && c.multi_session && c.route_refresh);
    assert_eq!(c.graceful_restart, Some(360));
    assert_eq!(c.add_path, AddPathMode::SendReceive);
    assert!(c.nexthop, "a nexthop block turns the capability on");
    assert!(c.extended_message && !c.software_version);
    // ipv4 unicast ipv6 needs ipv6 unicast configured: both lines are dropped
    assert!(n.nexthop.is_empty());
    assert_eq!(n.add_path, vec![Family::IPV4_UNICAST]);
    let a = &n.api[0];
    assert_eq!(a.name, "announce");
    assert_eq!(
        a.send,
        ApiDirection {
            parsed: true,
            open: true,
            ..Default::default()
        }
    );
    assert_eq!(
        a.receive,
        ApiDirection {
            packets: true,
            consolidate: true,
            open: true,
            update: true,
            ..Default::default()
        }
    );
    assert_eq!(
        n.id.families.as_deref(),
        Some("ipv4 unicast"),
        "multi-session keys by family"
    );
}

#[test]
fn processes_match_and_respawn() {
    let Some((_, n)) = one("api-announce-processes-match.conf") else {
        return;
    };
    assert_eq!(n.api[0].processes, vec!["add-remove"]);
    assert_eq!(n.api[0].processes_match, vec!["^add"]);
    let Some((c, n)) = one("api-no-respawn.conf") else {
        return;
    };
    assert!(!c.process("one-shot").unwrap().respawn);
    assert!(c.process("respawn").unwrap().respawn);
    assert_eq!(n.api[0].processes, vec!["one-shot", "respawn"]);
    assert_eq!(
        n.capabilities.graceful_restart,
        Some(180),
        "bare graceful-restart is the hold time"
    );
}

#[test]
fn template_routes_come_after_the_neighbors_own() {
    let Some((_, n)) = one("conf-template.conf") else {
        return;
    };
    assert_eq!(
        prefixes(&n),
        ["2.0.0.0/8", "3.0.0.0/8", "4.0.0.0/8", "1.0.0.0/8"]
    );
    assert_eq!(n.capabilities.graceful_restart, Some(1200));
    assert_eq!(n.description, "router 2 with two routes from inheritance");
    assert_eq!(n.router_id, Ipv4Addr::new(127, 0, 0, 0));
    let r = p(&n.routes[2]);
    assert_eq!(r.next_hop, Some(NextHopSpec::Ip(ip("2.2.2.2"))));
    let Some((_, n)) = one("conf-group.conf") else {
        return;
    };
    assert_eq!(
        prefixes(&n),
        ["1.0.0.0/8", "2.0.0.0/8", "3.0.0.0/8", "4.0.0.0/8"]
    );
    assert_eq!(
        (n.local_as, n.hold_time, n.group_updates),
        (AsNumber::Asn(65533), 180, false)
    );
}

#[test]
fn template_scalars_win() {
    let Some(l) = load("api-multiple-api.conf") else {
        return;
    };
    let c = l.config;
    assert_eq!(c.neighbors.len(), 2);
    assert_eq!(c.neighbors[0].local_as, AsNumber::Asn(1));
    assert_eq!(c.neighbors[1].local_as, AsNumber::Asn(2));
    assert_eq!(c.neighbors[1].api[0].processes, vec!["private"]);
    assert_eq!(c.processes[0].encoder, Encoder::Text);
    // a template value overrides the neighbor's own (spec §9 #7)
    let text = "template { neighbor t { hold-time 30; } }\nneighbor 10.0.0.1 { inherit t; hold-time 90; local-address 10.0.0.2; }";
    let l = load_str(
        std::path::Path::new("/x.conf"),
        text,
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(l.config.neighbors[0].hold_time, 30);
}

#[test]
fn aggregator_and_default_families() {
    let Some((_, n)) = one("conf-aggregator.conf") else {
        return;
    };
    assert_eq!(n.families, Family::ALL_KNOWN.to_vec());
    assert_eq!(n.description, "a quagga test peer");
    let r = p(&n.routes[0]);
    assert_eq!(r.family, Family::IPV4_UNICAST);
    let path = r.attrs.as_path.as_ref().unwrap();
    assert_eq!(path.segments.len(), 1);
    assert_eq!(path.segments[0].kind, SegmentType::Sequence);
    assert_eq!(path.segments[0].asns, vec![57821, 6939]);
    assert!(r.attrs.atomic_aggregate);
    let agg = r.attrs.aggregator.unwrap();
    assert_eq!(
        (agg.asn, agg.ip),
        (18144, Ipv4Addr::new(219, 118, 225, 189))
    );
    let w = r.to_wire().unwrap();
    assert_eq!(w.next_hop, NextHop::V4(Ipv4Addr::new(192, 168, 1, 254)));
    assert!(w.attributes.atomic_aggregate);
}

#[test]
fn split_expands_prefixes() {
    let Some((_, n)) = one("conf-split.conf") else {
        return;
    };
    let want: Vec<String> = (0..8).map(|i| format!("172.10.{i}.0/24")).collect();
    assert_eq!(prefixes(&n), want);
    for r in &n.routes {
        assert_eq!(r.attrs().med, Some(200));
        assert_eq!(r.attrs().communities, vec![Community::new(174, 666)]);
    }
    assert!(!n.group_updates);
}

#[test]
fn vpn_routes() {
    let Some((_, n)) = one("conf-vpn.conf") else {
        return;
    };
    assert_eq!(
        prefixes(&n),
        [
            "10.0.0.0/25",
            "10.0.0.128/25",
            "20.0.0.0/25",
            "20.0.0.128/25"
        ]
    );
    let r = p(&n.routes[0]);
    assert_eq!(r.family, Family::IPV4_MPLS_VPN);
    assert_eq!(r.rd, Some(RouteDistinguisher::as2(65000, 1)));
    assert_eq!(r.labels, Some(vec![1000]));
    assert_eq!(
        r.attrs.extended_communities,
        vec![
            ExtendedCommunity(0x0002271000000001u64.to_be_bytes()),
            ExtendedCommunity(0x0002fde800000001u64.to_be_bytes())
        ]
    );
    let w = r.to_wire().unwrap();
    assert_eq!(w.nlri.family(), Family::IPV4_MPLS_VPN);
    assert_eq!(w.next_hop, NextHop::V4(Ipv4Addr::new(200, 10, 0, 101)));
    assert!(n.capabilities.route_refresh);
    assert_eq!(n.capabilities.graceful_restart, Some(180));
}

#[test]
fn generic_attributes() {
    let Some((_, n)) = one("conf-generic-attribute.conf") else {
        return;
    };
    let w: Vec<_> = n.routes.iter().map(|r| r.to_wire().unwrap()).collect();
    assert_eq!(
        w[0].attributes.med,
        Some(100),
        "known code becomes the typed attribute"
    );
    assert!(w[0].attributes.other.is_empty());
    assert_eq!(w[1].attributes.other.len(), 1);
    assert_eq!(
        (
            w[1].attributes.other[0].code,
            w[1].attributes.other[0].flags
        ),
        (0x99, 0x60)
    );
    assert_eq!(&*w[2].attributes.other[0].value, &[0, 0, 0, 0x64]);
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn prefix_sid_bytes() {
    let Some((_, n)) = one("conf-prefix-sid.conf") else {
        return;
    };
    let r = p(&n.routes[1]);
    assert_eq!(r.family, Family::IPV4_NLRI_MPLS);
    assert_eq!(r.labels, Some(vec![800002]));
    let sid = r.attrs.prefix_sid.as_ref().unwrap();
    assert_eq!(
        (sid.label_index, sid.srgbs.clone()),
        (300, vec![(800000, 4096), (1000000, 5000)])
    );
    let v = sid.to_wire().encode();
    // from conf-prefix-sid.msg: C0 28 1B <value>
    assert_eq!(
        v,
        unhex("0100070000000000012C03000E00000C35000010000F4240001388")
    );
    let v = p(&n.routes[0])
        .attrs
        .prefix_sid
        .as_ref()
        .unwrap()
        .to_wire()
        .encode();
    assert_eq!(v, unhex("01000700000000000309"));
}

#[test]
fn mup_routes_and_srv6_bytes() {
    let Some((_, n)) = one("conf-srv6-mup.conf") else {
        return;
    };
    assert_eq!(n.routes.len(), 10);
    let ConfigRoute::Mup(isd) = &n.routes[0] else {
        panic!()
    };
    assert_eq!(isd.family, Family::IPV4_MUP);
    assert_eq!(
        isd.kind,
        MupKind::Isd {
            prefix: "10.0.1.0/24".parse().unwrap()
        }
    );
    assert_eq!(isd.rd, RouteDistinguisher::as2(100, 100));
    assert_eq!(isd.next_hop, Some(NextHopSpec::Ip(ip("2001::1"))));
    let v = isd.attrs.srv6.as_ref().unwrap().to_wire().encode();
    // from conf-srv6-mup.msg: C0 28 25 <value>
    assert_eq!(
        v,
        unhex("0500220001001E0020010DB800010001000000000000000000004800010006401810000000")
    );
    let ConfigRoute::Mup(t1) = &n.routes[2] else {
        panic!()
    };
    assert_eq!(
        t1.kind,
        MupKind::T1st {
            prefix: "192.168.0.1/32".parse().unwrap(),
            teid: 12345,
            qfi: 9,
            endpoint: ip("10.0.0.1"),
            source: None
        }
    );
    let ConfigRoute::Mup(t2) = &n.routes[4] else {
        panic!()
    };
    assert_eq!(
        t2.kind,
        MupKind::T2st {
            endpoint: ip("10.0.0.1"),
            teid: 12345,
            teid_bits: 23
        }
    );
    let ConfigRoute::Mup(v6) = &n.routes[6] else {
        panic!()
    };
    assert_eq!(v6.family, Family::IPV6_MUP);
}

#[test]
fn flow_routes() {
    let Some((_, n)) = one("conf-flow.conf") else {
        return;
    };
    let flows: Vec<_> = n
        .routes
        .iter()
        .map(|r| match r {
            ConfigRoute::Flow(f) => f.clone(),
            _ => panic!("not a flow route"),
        })
        .collect();
    assert_eq!(flows.len(), 13);
    let vpn = &flows[0];
    assert_eq!(vpn.family, Family::IPV4_FLOW_VPN);
    assert_eq!(vpn.rd, Some(RouteDistinguisher::as2(65535, 65536)));
    assert_eq!(vpn.actions, vec![FlowAction::Discard]);
    assert_eq!(vpn.meta.name.as_deref(), Some("first-vpn-route"));
    let named = &flows[1];
    assert_eq!(
        named.attrs.communities,
        vec![Community::new(30740, 0), Community::new(30740, 30740)]
    );
    assert_eq!(named.matches.len(), 4);
    assert_eq!(
        named.matches[3],
        FlowMatch::Terms {
            component: FlowComponent::DestinationPort,
            terms: vec![FlowTerm {
                and: false,
                lt: false,
                gt: false,
                eq: true,
                not: false,
                value: 3128
            }],
        }
    );
    let redirect = flows
        .iter()
        .find(|f| f.meta.name.as_deref() == Some("second-redirect"))
        .unwrap();
    assert_eq!(
        redirect.actions,
        vec![FlowAction::Redirect(Redirect::Asn {
            asn: 258,
            number: 33756718
        })]
    );
    let third = flows
        .iter()
        .find(|f| f.meta.name.as_deref() == Some("third-redirect"))
        .unwrap();
    assert_eq!(
        third.actions,
        vec![FlowAction::Redirect(Redirect::NextHop(ip("1.2.3.4")))]
    );
    assert_eq!(third.next_hop, Some(NextHopSpec::Ip(ip("1.2.3.4"))));
    let a_vpn = flows
        .iter()
        .find(|f| f.meta.name.as_deref() == Some("a-vpn-route"))
        .unwrap();
    assert_eq!(a_vpn.next_hop, Some(NextHopSpec::Ip(ip("5.6.7.8"))));
    assert_eq!(a_vpn.actions, vec![FlowAction::RedirectToNexthop]);
    let v6 = flows
        .iter()
        .find(|f| f.meta.name.as_deref() == Some("ipv6"))
        .unwrap();
    assert_eq!(v6.family, Family::IPV6_FLOW);
    assert_eq!(
        v6.matches[0],
        FlowMatch::Prefix {
            component: FlowComponent::Destination,
            prefix: "2a02:b80:15::7aca:39ff:feae:a87a/128".parse().unwrap(),
            offset: 0
        }
    );
    assert_eq!(
        v6.matches[1],
        FlowMatch::Prefix {
            component: FlowComponent::Source,
            prefix: "::1/128".parse().unwrap(),
            offset: 120
        }
    );
    let flags = flows
        .iter()
        .find(|f| f.meta.name.as_deref() == Some("check-tcp-flags"))
        .unwrap();
    let t = |and, eq, not, value| FlowTerm {
        and,
        lt: false,
        gt: false,
        eq,
        not,
        value,
    };
    assert_eq!(
        flags.matches.last().unwrap(),
        &FlowMatch::Terms {
            component: FlowComponent::TcpFlags,
            terms: vec![
                t(false, false, false, 2),
                t(false, false, false, 4),
                t(true, false, false, 1),
                t(true, true, true, 8)
            ],
        }
    );
    let neq = flows
        .iter()
        .find(|f| f.meta.name.as_deref() == Some("neq-operator"))
        .unwrap();
    assert!(neq.matches.contains(&FlowMatch::Terms {
        component: FlowComponent::Protocol,
        terms: vec![FlowTerm {
            and: false,
            lt: true,
            gt: true,
            eq: false,
            not: false,
            value: 6
        }],
    }));
    let action = flows
        .iter()
        .find(|f| f.meta.name.as_deref() == Some("take-action"))
        .unwrap();
    assert_eq!(
        action.actions,
        vec![FlowAction::Action {
            sample: true,
            terminal: true
        }]
    );
}

#[test]
fn flow_redirect_variants() {
    let Some((_, n)) = one("conf-flow-redirect.conf") else {
        return;
    };
    let ConfigRoute::Flow(first) = &n.routes[0] else {
        panic!()
    };
    let icmp = first
        .matches
        .iter()
        .find(|m| m.component() == FlowComponent::IcmpType)
        .unwrap();
    let FlowMatch::Terms { terms, .. } = icmp else {
        panic!()
    };
    assert_eq!(
        terms.iter().map(|t| t.value).collect::<Vec<_>>(),
        vec![3, 8, 0]
    );
    assert_eq!(first.attrs.extended_communities.len(), 2);
    let ConfigRoute::Flow(issue) = &n.routes[2] else {
        panic!()
    };
    assert_eq!(issue.actions[0], FlowAction::RateLimit(1_250_000_000.0));
    let ConfigRoute::Flow(v6) = &n.routes[4] else {
        panic!()
    };
    assert_eq!(
        v6.actions,
        vec![FlowAction::RedirectToNexthopIetf(ip("2a02:b80:0:1::1"))]
    );
    assert_eq!(n.capabilities.graceful_restart, Some(5));
    assert_eq!(n.description, "m7i-4 router");
}

#[test]
fn api_flow_merge_scope() {
    let Some((_, n)) = one("api-flow-merge.conf") else {
        return;
    };
    let ConfigRoute::Flow(two) = &n.routes[1] else {
        panic!()
    };
    assert_eq!(two.interface_sets.len(), 2);
    assert_eq!(
        (
            two.interface_sets[0].transitive,
            two.interface_sets[0].direction,
            two.interface_sets[0].asn
        ),
        (false, 1, 3405770241)
    );
    assert_eq!(
        (
            two.interface_sets[1].transitive,
            two.interface_sets[1].direction,
            two.interface_sets[1].group
        ),
        (true, 2, 254)
    );
}

#[test]
fn vpls_routes() {
    let Some((_, n)) = one("conf-l2vpn.conf") else {
        return;
    };
    let v: Vec<_> = n
        .routes
        .iter()
        .map(|r| match r {
            ConfigRoute::Vpls(v) => v.clone(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(v.len(), 3);
    assert_eq!(
        (v[0].endpoint, v[0].base, v[0].offset, v[0].size),
        (5, 10702, 1, 8)
    );
    assert_eq!(
        v[0].rd,
        RouteDistinguisher::ip(Ipv4Addr::new(192, 168, 201, 1), 123)
    );
    assert_eq!(v[0].attrs.local_pref, Some(100));
    assert_eq!(
        v[0].attrs.cluster_list,
        vec![Ipv4Addr::new(3, 3, 3, 3), Ipv4Addr::new(192, 168, 201, 1)]
    );
    assert_eq!(
        v[0].attrs.as_path.as_ref().unwrap().segments[0].asns,
        vec![30740; 7]
    );
    assert_eq!(v[1].meta.name.as_deref(), Some("site5"));
    assert_eq!((v[1].base, v[1].attrs.local_pref), (10732, Some(1)));
    assert_eq!(
        v[1].attrs.extended_communities,
        vec![
            ExtendedCommunity::target_asn(54591, 6, false).unwrap(),
            ExtendedCommunity::l2info(19, 0, 1500, 111),
        ]
        .into_iter()
        .fold(Vec::new(), |mut a, x| {
            a.push(x);
            a.sort();
            a
        })
    );
    assert_eq!(v[2].attrs.origin, Some(Origin::Igp));
}

#[test]
fn mvpn_routes() {
    let Some((_, n)) = one("conf-mvpn.conf") else {
        return;
    };
    let ConfigRoute::Mvpn(m) = &n.routes[0] else {
        panic!()
    };
    assert_eq!(
        m.kind,
        MvpnKind::SharedJoin {
            rp: ip("10.99.199.1"),
            group: ip("239.251.255.228"),
            source_as: 65000
        }
    );
    assert_eq!(m.rd, RouteDistinguisher::as2(65000, 99999));
    let ConfigRoute::Mvpn(m) = &n.routes[5] else {
        panic!()
    };
    assert_eq!(m.family, Family::IPV6_MCAST_VPN);
    assert_eq!(
        m.kind,
        MvpnKind::SourceAd {
            source: ip("fd12::4"),
            group: ip("ff0e::1")
        }
    );
    assert_eq!(m.next_hop, Some(NextHopSpec::Ip(ip("10.10.6.4"))));
}

#[test]
fn neighbor_fields() {
    let Some((_, n)) = one("conf-hostname.conf") else {
        return;
    };
    assert_eq!(n.host_name.as_deref(), Some("my-host-name"));
    assert_eq!(n.domain_name.as_deref(), Some("my-domain-name.com"));
    let Some((_, n)) = one("conf-ipself6.conf") else {
        return;
    };
    assert_eq!(n.local_address, LocalAddress::Ip(ip("::1")));
    assert_eq!(n.router_id, Ipv4Addr::new(127, 0, 0, 2));
    assert_eq!(p(&n.routes[0]).next_hop, Some(NextHopSpec::SelfAddress));
    assert_eq!(
        p(&n.routes[0]).to_wire().unwrap().next_hop,
        NextHop::SelfAddress
    );
    let Some((_, n)) = one("conf-no-asn4.conf") else {
        return;
    };
    assert!(!n.capabilities.asn4);
    let Some((_, n)) = one("conf-ebgp.conf") else {
        return;
    };
    assert_eq!(n.is_ibgp(), Some(false));
    assert_eq!(p(&n.routes[0]).attrs.local_pref, Some(200));
    let Some((_, n)) = one("api-check.conf") else {
        return;
    };
    assert_eq!(n.hold_time, 30);
    assert_eq!(prefixes(&n), ["::1/128", "127.0.0.1/32"]);
    assert_eq!(n.is_ibgp(), Some(true));
    assert_eq!(n.id.to_string(), "neighbor 127.0.0.1 local-ip 127.0.0.1 local-as 65512 peer-as 65512 router-id 10.0.0.139 family-allowed in-open");
}

#[test]
fn path_information_large_communities_watchdog() {
    let Some((_, n)) = one("conf-path-information.conf") else {
        return;
    };
    assert_eq!(
        n.routes.iter().map(|r| p(r).path_id).collect::<Vec<_>>(),
        vec![Some(1), Some(2), Some(3)]
    );
    assert_eq!(n.add_path, vec![Family::IPV4_UNICAST]);
    let Some((_, n)) = one("conf-largecommunity.conf") else {
        return;
    };
    let lc = |g, a, b| LargeCommunity {
        global: g,
        local1: a,
        local2: b,
    };
    assert_eq!(
        p(&n.routes[1]).attrs.large_communities,
        vec![lc(2914, 0, 666), lc(2914, 3320, 123)]
    );
    let Some((_, n)) = one("api-watchdog.conf") else {
        return;
    };
    let meta = n.routes[1].meta();
    assert_eq!(
        (meta.watchdog.as_deref(), meta.withdrawn),
        (Some("dnsr"), true)
    );
    assert_eq!(n.routes[0].meta().watchdog, None);
    let Some((_, n)) = one("conf-name.conf") else {
        return;
    };
    assert_eq!(
        n.routes[0].meta().name.as_deref(),
        Some("this-is-a-test-route")
    );
}

#[test]
fn addpath_block_and_extended_community_forms() {
    let Some((_, n)) = one("conf-addpath.conf") else {
        return;
    };
    assert_eq!(
        n.add_path,
        vec![Family::IPV4_UNICAST, Family::IPV4_MPLS_VPN]
    );
    let r = p(&n.routes[0]);
    assert_eq!(r.path_id, Some(0x01020304));
    assert_eq!(
        r.attrs.extended_communities,
        vec![ExtendedCommunity(0x0002004800000001u64.to_be_bytes())]
    );
    let vpn = p(&n.routes[1]);
    assert_eq!(
        (vpn.family, vpn.path_id, vpn.labels.clone()),
        (Family::IPV4_MPLS_VPN, Some(10), Some(vec![20012]))
    );
    let Some(l) = load("conf-extended-attributes.conf") else {
        return;
    };
    assert_eq!(l.warnings.len(), 1, "the stray closing brace is reported");
    assert_eq!(l.config.neighbors[0].routes.len(), 15);
}

#[test]
fn serde_round_trips() {
    let Some(l) = load("conf-flow.conf") else {
        return;
    };
    let json = serde_json::to_string(&l.config).unwrap();
    let back: Config = serde_json::from_str(&json).unwrap();
    assert_eq!(back, l.config);
    let bytes = bincode::serde::encode_to_vec(&l.config, bincode::config::standard()).unwrap();
    let (back, _): (Config, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, l.config);
    let Some(l) = load("conf-srv6-mup.conf") else {
        return;
    };
    let bytes = bincode::serde::encode_to_vec(&l.config, bincode::config::standard()).unwrap();
    let (back, _): (Config, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, l.config);
}

fn ext_hex(w: &ferrobgp_wire::route::Route) -> Vec<String> {
    w.attributes
        .extended_communities
        .as_slice()
        .iter()
        .map(|c| format!("{:016X}", c.value()))
        .collect()
}

/// Flow rules and actions against the bytes of conf-flow-redirect.msg and
/// api-flow-merge.msg.
#[test]
fn flow_wire_bytes() {
    let Some((_, n)) = one("conf-flow-redirect.conf") else {
        return;
    };
    let w = n.routes[0].to_wire().unwrap();
    let mut nlri = Vec::new();
    w.nlri.encode(&mut nlri, false);
    let want = "4C0120C0A8000102200A0000010301068111040150911F9005121F90541F98910C380692040007010301088100080101810009002080040A02C854012C120190D401F40B010A81140C00048008";
    assert_eq!(nlri, unhex(want));
    assert_eq!(
        ext_hex(&w),
        ["0003092906070809", "0103020304051A85", "8008FFDC00003039"]
    );
    assert_eq!(w.next_hop, NextHop::None);
    let issue = n.routes[2].to_wire().unwrap();
    assert_eq!(ext_hex(&issue), ["800600004E9502F9", "8008FDE900000077"]);
    let ietf4 = n.routes[3].to_wire().unwrap();
    assert_eq!(ext_hex(&ietf4), ["010C010203040000"]);
    assert_eq!(ietf4.next_hop, NextHop::None);
    let ietf6 = n.routes[4].to_wire().unwrap();
    assert_eq!(ietf6.attributes.other.len(), 1);
    assert_eq!(
        (
            ietf6.attributes.other[0].code,
            ietf6.attributes.other[0].flags
        ),
        (25, 0xC0)
    );
    assert_eq!(
        &*ietf6.attributes.other[0].value,
        unhex("000C2A020B800000000100000000000000010000").as_slice()
    );
    let Some((_, n)) = one("api-flow-merge.conf") else {
        return;
    };
    let w = n.routes[1].to_wire().unwrap();
    assert_eq!(
        ext_hex(&w),
        ["0702000000FE80FE", "4702CAFFEE014001", "8006000000000000"]
    );
    let mut nlri = Vec::new();
    w.nlri.encode(&mut nlri, false);
    assert_eq!(nlri, unhex("060220CAFFEE01"));
}

#[test]
fn other_kinds_convert() {
    let Some((_, n)) = one("conf-l2vpn.conf") else {
        return;
    };
    for r in &n.routes {
        assert_eq!(r.to_wire().unwrap().nlri.family(), Family::L2VPN_VPLS);
    }
    let Some((_, n)) = one("conf-mvpn.conf") else {
        return;
    };
    assert_eq!(
        n.routes[3].to_wire().unwrap().nlri.family(),
        Family::IPV6_MCAST_VPN
    );
    let Some((_, n)) = one("conf-srv6-mup.conf") else {
        return;
    };
    let w = n.routes[0].to_wire().unwrap();
    assert_eq!(w.nlri.family(), Family::IPV4_MUP);
    assert_eq!(w.attributes.other[0].code, 40);
    let Some((_, n)) = one("conf-prefix-sid.conf") else {
        return;
    };
    let w = n.routes[0].to_wire().unwrap();
    assert_eq!(w.nlri.family(), Family::IPV4_NLRI_MPLS);
    assert_eq!(
        &*w.attributes.other[0].value,
        unhex("01000700000000000309").as_slice()
    );
}
