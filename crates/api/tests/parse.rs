//! The command grammar: every command form of spec §2.4, every selector
//! form of §2.3, and malformed lines with their exact error text.

use ferrobgp_api::*;
use ferrobgp_config::route::operational::{OperationalKind, OperationalMessage};
use ferrobgp_wire::Family;

fn ok(line: &str) -> ParsedLine {
    parse_line(line).unwrap_or_else(|e| panic!("{line:?}: {e}"))
}
fn cmd(line: &str) -> Command {
    ok(line).command
}
fn err(line: &str) -> String {
    match parse_line(line) {
        Ok(p) => panic!("{line:?} parsed as {p:?}"),
        Err(e) => e.to_string(),
    }
}
fn route(line: &str) -> RouteCommand {
    match cmd(line) {
        Command::Route(r) => r,
        other => panic!("{other:?}"),
    }
}
fn w(s: &str) -> Vec<String> {
    s.split(' ').map(String::from).collect()
}

#[test]
fn route_commands() {
    let r = route("announce route 1.1.0.0/24 next-hop 101.1.101.1");
    assert_eq!(r.action, Verb::Announce);
    assert_eq!(r.kind, RouteKind::Route);
    assert_eq!(r.words, w("1.1.0.0/24 next-hop 101.1.101.1"));
    // normalisation: two blanks, tabs, brackets
    let r = route("announce route 0.0.0.0/0  next-hop\t1.101.1.101 community [2:1]");
    assert_eq!(
        r.words,
        w("0.0.0.0/0 next-hop 1.101.1.101 community [ 2:1 ]")
    );
    let r = route("withdraw route 1.1.0.0/24");
    assert_eq!((r.action, r.kind), (Verb::Withdraw, RouteKind::Route));
    let r = route("announce attributes next-hop 1.2.3.4 nlri 1.0.0.0/8 2.0.0.0/8");
    assert_eq!(r.kind, RouteKind::Attributes);
    assert_eq!(r.words, w("next-hop 1.2.3.4 nlri 1.0.0.0/8 2.0.0.0/8"));
    assert_eq!(
        route("announce attribute next-hop 1.2.3.4 nlri 1.0.0.0/8").kind,
        RouteKind::Attributes
    );
    assert_eq!(
        route("withdraw attributes nlri 1.0.0.0/8").action,
        Verb::Withdraw
    );
    let r = route("announce ipv4 unicast 10.0.0.0/24 next-hop 1.1.1.1");
    assert_eq!(r.kind, RouteKind::Family(Family::IPV4_UNICAST));
    assert_eq!(r.words, w("10.0.0.0/24 next-hop 1.1.1.1"));
    for (line, family) in [
        (
            "announce ipv6 unicast 2001:db8::/32 next-hop ::1",
            Family::IPV6_UNICAST,
        ),
        ("withdraw ipv4 mup x", Family::IPV4_MUP),
        ("announce ipv4 mpls-vpn x", Family::IPV4_MPLS_VPN),
        ("announce ipv6 mcast-vpn x", Family::IPV6_MCAST_VPN),
        ("announce ipv4 flow-vpn x", Family::IPV4_FLOW_VPN),
        ("announce ipv4 nlri-mpls x", Family::IPV4_NLRI_MPLS),
        ("announce ipv6 multicast x", Family::IPV6_MULTICAST),
    ] {
        assert_eq!(route(line).kind, RouteKind::Family(family), "{line}");
    }
    let r = route("announce flow route { match { source 10.0.0.1/32; } then { discard; } }");
    assert_eq!(r.kind, RouteKind::Flow);
    assert_eq!(r.words[0], "{");
    let r = route("withdraw flow route source 10.0.0.1/32 discard");
    assert_eq!((r.action, r.kind), (Verb::Withdraw, RouteKind::Flow));
    assert_eq!(r.words, w("source 10.0.0.1/32 discard"));
    assert_eq!(route("announce vpls endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 next-hop 192.168.201.1").kind, RouteKind::Vpls);
    assert_eq!(route("withdraw vpls endpoint 5").action, Verb::Withdraw);
}

#[test]
fn other_commands() {
    assert_eq!(cmd("announce eor"), Command::Eor(Family::IPV4_UNICAST));
    assert_eq!(
        cmd("announce eor ipv6 unicast"),
        Command::Eor(Family::IPV6_UNICAST)
    );
    assert_eq!(
        cmd("announce route-refresh ipv4 unicast"),
        Command::RouteRefresh(Family::IPV4_UNICAST)
    );
    assert_eq!(
        cmd("announce operational adm afi ipv4 safi unicast advisory \"hello\""),
        Command::Operational(OperationalMessage {
            kind: OperationalKind::Adm,
            family: Family::IPV4_UNICAST,
            advisory: Some("hello".into()),
            sequence: None,
            counter: None,
            router_id: None,
        })
    );
    assert_eq!(
        cmd("announce operational RPCP afi ipv4 safi unicast sequence 3 counter 0x10 router-id 1.2.3.4"),
        Command::Operational(OperationalMessage {
            kind: OperationalKind::Rpcp,
            family: Family::IPV4_UNICAST,
            advisory: None,
            sequence: Some(3),
            counter: Some(16),
            router_id: Some("1.2.3.4".parse().unwrap()),
        })
    );
    assert_eq!(
        cmd("announce operational xyz whatever"),
        Command::OperationalIgnored("xyz".into())
    );
    assert_eq!(
        cmd("announce watchdog dog"),
        Command::Watchdog {
            action: Verb::Announce,
            name: Some("dog".into())
        }
    );
    assert_eq!(
        cmd("withdraw watchdog"),
        Command::Watchdog {
            action: Verb::Withdraw,
            name: None
        }
    );
    assert_eq!(cmd("clear adj-rib out"), Command::ClearAdjRibOut);
    assert_eq!(cmd("flush adj-rib out"), Command::FlushAdjRibOut);
    assert_eq!(cmd("clear adj-rib in"), Command::ClearAdjRibIn);
    assert_eq!(
        cmd("show neighbor"),
        Command::ShowNeighbor {
            view: NeighborView::Default,
            address: None,
            json: false
        }
    );
    assert_eq!(
        cmd("show neighbor summary"),
        Command::ShowNeighbor {
            view: NeighborView::Summary,
            address: None,
            json: false
        }
    );
    assert_eq!(
        cmd("show neighbor extensive 127.0.0.1"),
        Command::ShowNeighbor {
            view: NeighborView::Extensive,
            address: Some("127.0.0.1".parse().unwrap()),
            json: false
        }
    );
    assert_eq!(
        cmd("show neighbor configuration"),
        Command::ShowNeighbor {
            view: NeighborView::Configuration,
            address: None,
            json: false
        }
    );
    assert_eq!(
        cmd("show neighbor json"),
        Command::ShowNeighbor {
            view: NeighborView::Default,
            address: None,
            json: true
        }
    );
    assert_eq!(
        cmd("show neighbor summary ::1 json"),
        Command::ShowNeighbor {
            view: NeighborView::Summary,
            address: Some("::1".parse().unwrap()),
            json: true
        }
    );
    assert_eq!(
        cmd("show adj-rib in"),
        Command::ShowAdjRib {
            side: RibSide::In,
            extensive: false,
            address: None,
            json: false
        }
    );
    assert_eq!(
        cmd("show adj-rib out extensive 10.0.0.1 json"),
        Command::ShowAdjRib {
            side: RibSide::Out,
            extensive: true,
            address: Some("10.0.0.1".parse().unwrap()),
            json: true
        }
    );
    assert_eq!(cmd("teardown 2"), Command::Teardown(2));
    assert_eq!(cmd("shutdown"), Command::Shutdown);
    assert_eq!(cmd("reload"), Command::Reload);
    assert_eq!(cmd("restart"), Command::Restart);
    assert_eq!(cmd("version"), Command::Version);
    assert_eq!(cmd("help"), Command::Help);
    assert_eq!(cmd("reset"), Command::Reset);
    assert_eq!(cmd("enable-ack"), Command::EnableAck(AckFormat::Text));
    assert_eq!(cmd("enable-ack json"), Command::EnableAck(AckFormat::Json));
    assert_eq!(cmd("enable-ack text"), Command::EnableAck(AckFormat::Text));
    assert_eq!(cmd("disable-ack"), Command::DisableAck);
    assert_eq!(cmd("silence-ack"), Command::SilenceAck);
    assert_eq!(cmd("# a comment"), Command::Comment);
    assert_eq!(cmd("  # indented comment"), Command::Comment);
    assert_eq!(
        cmd("debug anything [ at ] all"),
        Command::Debug("anything [ at ] all".into())
    );
    assert_eq!(cmd("  shutdown  "), Command::Shutdown);
}

fn desc(pairs: &[(&str, &str)]) -> Description {
    Description {
        pairs: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn selectors() {
    assert_eq!(
        ok("announce route 1.0.0.0/8 next-hop 1.1.1.1").selector,
        Selector::Unspecified
    );
    assert_eq!(
        ok("neighbor * announce route 1.0.0.0/8 next-hop 1.1.1.1").selector,
        Selector::All
    );
    assert_eq!(
        ok("neighbor 127.0.0.1 announce route 1.1.0.0/16 next-hop 101.1.101.1").selector,
        Selector::Peers(vec![desc(&[("neighbor", "127.0.0.1")])])
    );
    for key in [
        "local-as 1",
        "peer-as 1",
        "local-ip 127.0.0.1",
        "router-id 1.2.3.4",
        "family-allowed in-open",
    ] {
        let (k, v) = key.split_once(' ').unwrap();
        let line =
            format!("neighbor 127.0.0.1 {key} announce route 1.2.0.0/22 next-hop 101.1.101.1");
        assert_eq!(
            ok(&line).selector,
            Selector::Peers(vec![desc(&[("neighbor", "127.0.0.1"), (k, v)])]),
            "{line}"
        );
    }
    let p = ok("neighbor 127.0.0.1 local-as 1 peer-as 1 local-ip 127.0.0.1 router-id 1.2.3.4 announce route 1.6.0.0/21 next-hop 101.1.101.1");
    assert_eq!(
        p.selector,
        Selector::Peers(vec![desc(&[
            ("neighbor", "127.0.0.1"),
            ("local-as", "1"),
            ("peer-as", "1"),
            ("local-ip", "127.0.0.1"),
            ("router-id", "1.2.3.4")
        ])])
    );
    let p = ok("neighbor 127.0.0.1 router-id 1.2.3.4, neighbor 127.0.0.1 announce route 1.1.0.0/25 next-hop 101.1.101.1");
    assert_eq!(
        p.selector,
        Selector::Peers(vec![
            desc(&[("neighbor", "127.0.0.1"), ("router-id", "1.2.3.4")]),
            desc(&[("neighbor", "127.0.0.1")])
        ])
    );
    assert_eq!(
        ok("neighbor 10.0.0.1 teardown 4").command,
        Command::Teardown(4)
    );
    // restart one session: the selector form, and the cli's word order
    for line in ["neighbor 10.0.0.1 restart", "restart neighbor 10.0.0.1"] {
        let p = ok(line);
        assert_eq!(p.command, Command::Restart, "{line}");
        assert_eq!(
            p.selector,
            Selector::Peers(vec![desc(&[("neighbor", "10.0.0.1")])]),
            "{line}"
        );
    }
    assert_eq!(
        ok("restart neighbor 10.0.0.1 peer-as 2").selector,
        Selector::Peers(vec![desc(&[("neighbor", "10.0.0.1"), ("peer-as", "2")])])
    );
    assert_eq!(ok("restart").selector, Selector::Unspecified);
    assert_eq!(ok("neighbor * restart").selector, Selector::All);
    assert!(err("restart neighbor").contains("neighbor"));
    assert_eq!(
        ok("neighbor 10.0.0.1 announce eor ipv4 unicast").command,
        Command::Eor(Family::IPV4_UNICAST)
    );
    // a name that is not an address is allowed and simply matches nothing
    assert!(matches!(
        ok("neighbor absentone local-as 1 announce route 9.9.9.9/21 next-hop 1.1.1.1").selector,
        Selector::Peers(_)
    ));
}

#[test]
fn selector_matching() {
    let name = PeerName {
        peer_address: "127.0.0.1".parse().unwrap(),
        local_address: Some("127.0.0.1".parse().unwrap()),
        local_as: 1,
        peer_as: 1,
        router_id: Some("1.2.3.4".parse().unwrap()),
        family_allowed: FamilyAllowed::InOpen,
    }
    .render();
    assert_eq!(name, "neighbor 127.0.0.1 local-ip 127.0.0.1 local-as 1 peer-as 1 router-id 1.2.3.4 family-allowed in-open");
    let other = PeerName {
        peer_address: "127.0.0.2".parse().unwrap(),
        local_address: None,
        local_as: 2,
        peer_as: 3,
        router_id: None,
        family_allowed: FamilyAllowed::Families(vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST]),
    }
    .render();
    assert_eq!(other, "neighbor 127.0.0.2 local-ip auto local-as 2 peer-as 3 router-id auto family-allowed ipv4-unicast/ipv6-unicast");
    let peers = [(1u32, name.as_str()), (2u32, other.as_str())];
    let sel = |l: &str| ok(l).selector;
    assert_eq!(
        sel("announce route 1.0.0.0/8 next-hop 1.1.1.1")
            .select(peers)
            .unwrap(),
        vec![1, 2]
    );
    assert_eq!(
        sel("neighbor * announce route 1.0.0.0/8 next-hop 1.1.1.1")
            .select(peers)
            .unwrap(),
        vec![1, 2]
    );
    assert_eq!(
        sel("neighbor 127.0.0.1 announce route 1.0.0.0/8 next-hop 1.1.1.1")
            .select(peers)
            .unwrap(),
        vec![1]
    );
    assert_eq!(
        sel("neighbor 127.0.0.2 local-as 2 announce route 1.0.0.0/8 next-hop 1.1.1.1")
            .select(peers)
            .unwrap(),
        vec![2]
    );
    assert_eq!(
        sel("neighbor 127.0.0.1 local-as 2 peer-as 3 local-ip 127.0.0.1 router-id 1.2.3.4 announce route 1.8.0.0/21 next-hop 1.1.1.1")
            .select(peers)
            .unwrap_err()
            .to_string(),
        "no neighbor matches the selector"
    );
    assert_eq!(
        sel("neighbor absentone local-as 1 peer-as 1 announce route 9.9.9.9/21 next-hop 1.1.1.1")
            .select(peers)
            .unwrap_err(),
        ApiError::NoMatchingPeer
    );
    // whole words only: 127.0.0.1 does not match 127.0.0.10, local-as 1 does not match peer-as 1
    let ten = "neighbor 127.0.0.10 local-ip 127.0.0.1 local-as 5 peer-as 1 router-id 1.2.3.4 family-allowed in-open";
    assert!(!sel("neighbor 127.0.0.1 announce route 1.0.0.0/8 next-hop 1.1.1.1").matches(ten));
    assert!(
        !sel("neighbor 127.0.0.10 local-as 1 announce route 1.0.0.0/8 next-hop 1.1.1.1")
            .matches(ten)
    );
    assert!(
        sel("neighbor 127.0.0.10 peer-as 1 announce route 1.0.0.0/8 next-hop 1.1.1.1").matches(ten)
    );
    // the same peer named twice is selected once
    assert_eq!(
        sel("neighbor 127.0.0.1 router-id 1.2.3.4, neighbor 127.0.0.1 announce route 1.1.0.0/25 next-hop 1.1.1.1").select(peers).unwrap(),
        vec![1]
    );
    assert_eq!(
        sel("neighbor 127.0.0.1 , neighbor 127.0.0.2 announce route 1.1.0.0/25 next-hop 1.1.1.1")
            .select(peers)
            .unwrap(),
        vec![1, 2]
    );
    assert_eq!(
        sel("neighbor 127.0.0.2 family-allowed ipv4-unicast/ipv6-unicast announce route 1.1.0.0/25 next-hop 1.1.1.1").select(peers).unwrap(),
        vec![2]
    );
}

#[test]
fn malformed_lines() {
    let cases: &[(&str, &str)] = &[
        ("", "empty command"),
        ("   \t ", "empty command"),
        ("bogus", "command not understood: bogus"),
        ("announce", "'announce' needs what to announce or withdraw (route, attributes, ipv4, ipv6, flow, vpls, eor, route-refresh, operational, watchdog)"),
        ("withdraw", "'withdraw' needs what to announce or withdraw (route, attributes, ipv4, ipv6, flow, vpls, eor, route-refresh, operational, watchdog)"),
        ("announce routes 1.0.0.0/8", "command not understood: announce routes 1.0.0.0/8"),
        ("announce route", "'announce route' needs a route"),
        ("withdraw route", "'withdraw route' needs a route"),
        ("announce attributes next-hop 1.1.1.1", "'announce attributes' needs 'nlri' and the prefixes"),
        ("withdraw attribute med 1", "'withdraw attributes' needs 'nlri' and the prefixes"),
        ("announce ipv4", "'announce ipv4' needs a subsequent address family"),
        ("announce ipv6", "'announce ipv6' needs a subsequent address family"),
        ("announce ipv4 bogus 1.0.0.0/8", "unknown family 'ipv4 bogus'"),
        ("announce ipv4 vpls x", "unknown family 'ipv4 vpls'"),
        ("announce ipv4 unicast", "'announce ipv4' needs a route"),
        ("announce flow route", "'flow route' needs a route"),
        ("announce vpls", "'vpls' needs a route"),
        ("announce eor ipv4", "'announce eor' needs both an afi and a safi"),
        ("announce eor ipv4 bogus", "unknown family 'ipv4 bogus'"),
        ("announce eor ipv4 unicast extra", "'announce eor' does not expect 'extra'"),
        ("announce route-refresh", "'announce route-refresh' needs an afi and a safi"),
        ("announce route-refresh ipv4", "'announce route-refresh' needs an afi and a safi"),
        ("announce route-refresh ipv9 unicast", "unknown family 'ipv9 unicast'"),
        ("announce route-refresh ipv4 unicast now", "'announce route-refresh' does not expect 'now'"),
        ("announce operational", "'announce operational' needs a message kind"),
        ("announce operational adm ipv4 unicast", "'announce operational' needs 'afi <afi> safi <safi>'"),
        ("announce operational adm afi ipv4 safi bogus", "unknown family 'ipv4 bogus'"),
        ("announce operational rpcq afi ipv4 safi unicast", "invalid operational message 'incomplete operational rpcq message, missing sequence'"),
        ("announce operational rpcp afi ipv4 safi unicast sequence 1", "invalid operational message 'incomplete operational rpcp message, missing counter'"),
        ("announce operational asm afi ipv4 safi unicast", "invalid operational message 'incomplete operational asm message, missing advisory'"),
        ("announce operational adm afi ipv4 safi unicast x", "invalid operational message 'unknown keyword \"x\" in operational: expected one of afi, safi, advisory, sequence, counter, router-id'"),
        ("announce operational asm afi ipv4 safi unicast advisory \"a b", "invalid operational message 'unterminated quote in asm afi ipv4 safi unicast advisory \"a b'"),
        ("announce operational rpcq afi ipv4 safi unicast sequence x", "invalid operational message 'invalid sequence \"x\": expected an integer 0..4294967295'"),
        ("announce watchdog a b", "'watchdog' does not expect 'b'"),
        ("withdraw eor", "command not understood: withdraw eor"),
        ("withdraw route-refresh ipv4 unicast", "command not understood: withdraw route-refresh ipv4 unicast"),
        ("clear", "command not understood: clear"),
        ("flush adj-rib-out", "command not understood: flush adj-rib-out"),
        ("clear adj-rib", "'clear adj-rib' needs 'in' or 'out'"),
        ("flush adj-rib", "'flush adj-rib' needs 'in' or 'out'"),
        ("clear adj-rib sideways", "invalid adj-rib side 'sideways'"),
        ("flush adj-rib in", "command not understood: flush adj-rib in"),
        ("clear adj-rib out now", "'clear adj-rib' does not expect 'now'"),
        ("show", "'show' needs 'neighbor' or 'adj-rib'"),
        ("show routes", "command not understood: show routes"),
        ("show neighbor bogus", "'show neighbor' does not expect 'bogus'"),
        ("show neighbor summary extensive", "'show neighbor' does not expect 'extensive'"),
        ("show neighbor 1.1.1.1 2.2.2.2", "'show neighbor' does not expect '2.2.2.2'"),
        ("show adj-rib", "'show adj-rib' needs 'in' or 'out'"),
        ("show adj-rib both", "invalid adj-rib side 'both'"),
        ("show adj-rib in wide", "'show adj-rib' does not expect 'wide'"),
        ("teardown", "'teardown' needs a Cease subcode"),
        ("teardown x", "invalid Cease subcode 'x'"),
        ("teardown 256", "invalid Cease subcode '256'"),
        ("teardown 2 3", "'teardown' does not expect '3'"),
        ("shutdown now", "'shutdown' does not expect 'now'"),
        ("reload all", "'reload' does not expect 'all'"),
        ("restart 1", "'restart' does not expect '1'"),
        ("version x", "'version' does not expect 'x'"),
        ("help me", "'help' does not expect 'me'"),
        ("reset all", "'reset' does not expect 'all'"),
        ("disable-ack now", "'disable-ack' does not expect 'now'"),
        ("silence-ack x", "'silence-ack' does not expect 'x'"),
        ("enable-ack xml", "invalid acknowledgement format 'xml'"),
        ("enable-ack json x", "'enable-ack' does not expect 'x'"),
        ("#comment", "command not understood: #comment"),
        ("neighbor", "neighbor selector: 'neighbor' needs an address"),
        ("neighbor 127.0.0.1", "neighbor selector: no command after the neighbor selector"),
        ("neighbor 127.0.0.1 local-as", "neighbor selector: 'local-as' needs a value"),
        ("neighbor 127.0.0.1 local-as x announce route 1.0.0.0/8 next-hop 1.1.1.1", "neighbor selector: invalid value 'x' for 'local-as'"),
        ("neighbor 127.0.0.1 peer-as -1 announce route 1.0.0.0/8", "neighbor selector: invalid value '-1' for 'peer-as'"),
        ("neighbor 127.0.0.1 router-id 1.2.3 announce route 1.0.0.0/8", "neighbor selector: invalid value '1.2.3' for 'router-id'"),
        ("neighbor 127.0.0.1 local-ip bad announce route 1.0.0.0/8", "neighbor selector: invalid value 'bad' for 'local-ip'"),
        ("neighbor 127.0.0.1 , announce route 1.0.0.0/8", "neighbor selector: ',' must be followed by 'neighbor'"),
        ("neighbor 127.0.0.1, neighbor * announce route 1.0.0.0/8", "neighbor selector: '*' can not be combined with other neighbors"),
        ("neighbor 127.0.0.1 shutdown", "'shutdown' does not take a neighbor selector"),
        ("neighbor * version", "'version' does not take a neighbor selector"),
        ("neighbor 127.0.0.1 bogus", "command not understood: bogus"),
        ("announce route 1.0.0.0/8 next-hop 1.1.1.1 community é", "the line is not ASCII"),
    ];
    assert!(cases.len() >= 40, "{}", cases.len());
    for (line, expected) in cases {
        assert_eq!(&err(line), expected, "line {line:?}");
    }
}

#[test]
fn help_lists_every_command() {
    for word in [
        "announce route",
        "withdraw",
        "clear adj-rib out",
        "flush adj-rib out",
        "show neighbor",
        "teardown",
        "silence-ack",
    ] {
        assert!(
            ferrobgp_api::parse::HELP.iter().any(|l| l.contains(word)),
            "{word}"
        );
    }
}

/// `announce operational` and the configuration's `operational { }` block
/// share one grammar: the same words give the same message (quoted
/// advisories included), and what one refuses the other refuses.
#[test]
fn operational_words_use_the_configuration_grammar() {
    use ferrobgp_config::route::operational::parse_operational;
    let statements = [
        "asm afi ipv4 safi unicast advisory \"this is dynamic message #1\"",
        "adm afi ipv6 safi unicast advisory 'single quoted words'",
        "adm afi ipv4 safi unicast advisory one-word",
        "apcq afi ipv4 safi unicast router-id 1.2.3.4 sequence 7",
        "lpcp afi ipv4 safi unicast counter 4294967295 sequence 0",
        "rpcq afi ipv4 safi flow sequence 1",
        "rpcp afi ipv4 safi unicast sequence 1",
        "apcq afi ipv4 safi unicast sequence 4294967296",
        "asm afi ipv4 safi unicast advisory",
    ];
    for s in statements {
        let lexed = ferrobgp_config::lexer::tokenize(s);
        assert!(lexed.errors.is_empty(), "{s}");
        let config = parse_operational(&lexed.tokens, lexed.end).map_err(|e| e.message);
        let api = match parse_line(&format!("announce operational {s}")) {
            Ok(ParsedLine {
                command: Command::Operational(m),
                ..
            }) => Ok(m),
            Ok(other) => panic!("{s}: {other:?}"),
            Err(ApiError::Invalid { value, .. }) => Err(value),
            Err(e) => panic!("{s}: {e}"),
        };
        assert_eq!(api, config, "{s}");
    }
    let m = match cmd("announce operational asm afi ipv4 safi unicast advisory \"a  b, c\"") {
        Command::Operational(m) => m,
        other => panic!("{other:?}"),
    };
    // the line's blanks collapse before the words are read (spec §2.1)
    assert_eq!(m.advisory.as_deref(), Some("a b , c"));
}
