//! `redirect-to-nexthop;` in a FlowSpec `then`, from the configuration and
//! from the API, with and without a `next-hop` in the flow route, and its
//! rendering when a peer sends it: every byte and every event line compared
//! with what ExaBGP 5.0.15 did for the same input.
//!
//! How the 5.0.15 side was recorded: /opt/exabgp-5.0.15/bin/exabgp ran this
//! test's configuration (iBGP 65000, `family { ipv4 unicast; ipv4 flow; }`,
//! the helper printing `API_LINES`, two `cat` helpers with `receive {
//! parsed; update; }`, `encoder json` and `encoder text`) against a python
//! socket peer that offered ipv4 unicast + ipv4 flow, logged every UPDATE
//! in hex and sent `PEER_UPDATES`.

mod common;

use common::*;

/// API lines, one per UPDATE. 5.0.15 refuses the third one with an internal
/// failure (`problem with function` / `'next-hop'`): the one-line form with
/// a `next-hop`; ferrobgp accepts it, like the block form (README).
const API_LINES: [&str; 4] = [
    "announce flow route { next-hop 192.0.2.9; match { destination 192.0.2.4/32; } then { redirect-to-nexthop; } }",
    "announce flow route { match { destination 192.0.2.5/32; } then { redirect-to-nexthop; } }",
    "announce flow route destination 192.0.2.6/32 next-hop 192.0.2.10 redirect-to-nexthop",
    "announce flow route destination 192.0.2.7/32 redirect-to-nexthop",
];

/// The configured route (`flow { route cfg-rtn { match { destination
/// 192.0.2.20/32; } then { redirect-to-nexthop; } } }`, no next-hop) as
/// 5.0.15 sent it: extended community 0x0800 (redirect-to-nexthop, copy bit
/// clear) and an MP_REACH with a next hop of length 0.
const CONFIG_WIRE: &str = "00000028 400101 00 400200 40050400000064 c01008 0800000000000000 \
     800e0c 0001 85 00 00 06 0120c0000214";

/// The UPDATEs for `API_LINES`: the first, second and fourth recorded from
/// 5.0.15; the third (refused by 5.0.15) is the first one's layout with its
/// own prefix and next hop.
const API_WIRE: [&str; 4] = [
    "0000002c 400101 00 400200 40050400000064 c01008 0800000000000000 \
     800e10 0001 85 04 c0000209 00 06 0120c0000204",
    "00000028 400101 00 400200 40050400000064 c01008 0800000000000000 \
     800e0c 0001 85 00 00 06 0120c0000205",
    "0000002c 400101 00 400200 40050400000064 c01008 0800000000000000 \
     800e10 0001 85 04 c000020a 00 06 0120c0000206",
    "00000028 400101 00 400200 40050400000064 c01008 0800000000000000 \
     800e0c 0001 85 00 00 06 0120c0000207",
];

/// What the peer sends: redirect-to-nexthop with next hop 192.0.2.9, the
/// same with no next hop, copy-to-nexthop (copy bit set).
const PEER_UPDATES: [&str; 3] = [
    "0000002c 400101 00 400200 40050400000064 c01008 0800000000000000 \
     800e10 0001 85 04 c0000209 00 06 0120c0000204",
    "00000028 400101 00 400200 40050400000064 c01008 0800000000000000 \
     800e0c 0001 85 00 00 06 0120c0000205",
    "0000002c 400101 00 400200 40050400000064 c01008 0800000000000001 \
     800e10 0001 85 04 c0000209 00 06 0120c0000208",
];

/// 5.0.15's JSON for `PEER_UPDATES`, from `"neighbor"` on (before it come
/// the time, host, pid, ppid and counter of the run).
const JSON_EVENTS: [&str; 3] = [
    r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "local-preference": 100, "extended-community": [ { "value": 576460752303423488, "string": "redirect-to-nexthop" } ] }, "announce": { "ipv4 flow": { "192.0.2.9": [ { "destination-ipv4": [ "192.0.2.4/32" ], "next-hop": "192.0.2.9", "string": "flow destination-ipv4 192.0.2.4/32 next-hop 192.0.2.9" } ] } } } } } }"#,
    r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "local-preference": 100, "extended-community": [ { "value": 576460752303423488, "string": "redirect-to-nexthop" } ] }, "announce": { "ipv4 flow": { "no-nexthop": [ { "destination-ipv4": [ "192.0.2.5/32" ], "string": "flow destination-ipv4 192.0.2.5/32" } ] } } } } } }"#,
    r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "local-preference": 100, "extended-community": [ { "value": 576460752303423489, "string": "copy-to-nexthop" } ] }, "announce": { "ipv4 flow": { "192.0.2.9": [ { "destination-ipv4": [ "192.0.2.8/32" ], "next-hop": "192.0.2.9", "string": "flow destination-ipv4 192.0.2.8/32 next-hop 192.0.2.9" } ] } } } } } }"#,
];

/// 5.0.15's text events for `PEER_UPDATES`, exactly.
const TEXT_EVENTS: &str = "\
neighbor 127.0.0.1 receive update start
neighbor 127.0.0.1 receive update announced flow destination-ipv4 192.0.2.4/32 next-hop 192.0.2.9 origin igp local-preference 100 extended-community redirect-to-nexthop
neighbor 127.0.0.1 receive update end

neighbor 127.0.0.1 receive update start
neighbor 127.0.0.1 receive update announced flow destination-ipv4 192.0.2.5/32 origin igp local-preference 100 extended-community redirect-to-nexthop
neighbor 127.0.0.1 receive update end

neighbor 127.0.0.1 receive update start
neighbor 127.0.0.1 receive update announced flow destination-ipv4 192.0.2.8/32 next-hop 192.0.2.9 origin igp local-preference 100 extended-community copy-to-nexthop
neighbor 127.0.0.1 receive update end

";

const RECEIVER: &str = "#!/bin/sh\ncat > \"$(dirname \"$0\")/$1.out\"\n";

#[test]
fn redirect_to_nexthop_sent_and_received_as_exabgp() {
    let peer = Peer::bind("127.0.0.1");
    let sender = lines_script(&API_LINES, Some(0.3));
    let conf = format!(
        r#"
process sender {{
    run ./sender.sh;
    encoder text;
}}
process rj {{
    run ./receiver.sh rj;
    encoder json;
}}
process rt {{
    run ./receiver.sh rt;
    encoder text;
}}
neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {};
    family {{ ipv4 unicast; ipv4 flow; }}
    api {{ processes [ sender ]; }}
    api {{ processes [ rj, rt ]; receive {{ parsed; update; }} }}
    flow {{
        route cfg-rtn {{
            match {{ destination 192.0.2.20/32; }}
            then {{ redirect-to-nexthop; }}
        }}
    }}
}}
"#,
        peer.addr.port()
    );
    let mut d = Daemon::start(
        &conf,
        &[("sender.sh", &sender), ("receiver.sh", RECEIVER)],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish_families(65000, [10, 0, 0, 2], 30, &[(1, 1), (1, 133)]);
    let log = || d.log_text();
    for u in PEER_UPDATES {
        s.send(UPDATE, &unhex(u));
    }
    let flow_eor = unhex("00000007 900f0003 000185");
    let mut got = Vec::new();
    while got.len() < 1 + API_WIRE.len() {
        let m = s.read_non_keepalive(LONG).expect("update");
        assert_eq!(m.kind, UPDATE, "{}", log());
        if m.body != EOR && m.body != flow_eor {
            got.push(m.body);
        }
    }
    assert_eq!(got[0], unhex(CONFIG_WIRE), "configured route\n{}", log());
    for (i, want) in API_WIRE.iter().enumerate() {
        assert_eq!(got[1 + i], unhex(want), "{}\n{}", API_LINES[i], log());
    }
    assert!(!log().contains("refused"), "{}", log());

    let json = wait_file_contains(&d.path("rj.out"), "192.0.2.8/32", log);
    let updates: Vec<&str> = json
        .lines()
        .filter(|l| l.contains(r#""type": "update""#))
        .collect();
    assert_eq!(updates.len(), JSON_EVENTS.len(), "{json}");
    for (line, want) in updates.iter().zip(JSON_EVENTS) {
        let at = line.find(r#""neighbor": {"#).expect("neighbor object");
        assert_eq!(&line[at..], want, "{json}");
    }
    let text = wait_file_contains(
        &d.path("rt.out"),
        "copy-to-nexthop\nneighbor 127.0.0.1 receive update end\n\n",
        log,
    );
    assert_eq!(text, TEXT_EVENTS, "{}", log());
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
