//! A JSON consumer as people write them beside ExaBGP: it reads every line
//! the daemon writes, parses each one as JSON (any line that is not is a
//! failure), and rebuilds the peer's RIB from the `update` events with
//! ExaBGP 5's layout (`neighbor.message.update.announce|withdraw.<family>`,
//! announce keyed by next hop, each NLRI `{"nlri": ...}`). The peer
//! announces three prefixes and withdraws one; the consumer must end with
//! the other two, and it must have seen the session go up (`state`).

mod common;

use common::*;

const CONSUMER: &str = r#"#!/usr/bin/env python3
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
rib, states, bad = set(), [], 0
for line in sys.stdin:
    try:
        ev = json.loads(line)
    except ValueError:
        bad += 1
        continue
    n = ev.get('neighbor', {})
    if ev.get('type') == 'state':
        states.append(n.get('state'))
    if ev.get('type') == 'update':
        u = n.get('message', {}).get('update', {})
        for fam, by_nh in u.get('announce', {}).items():
            for nh, nlris in by_nh.items():
                for x in nlris:
                    rib.add((fam, x['nlri']))
        for fam, nlris in u.get('withdraw', {}).items():
            for x in nlris:
                rib.discard((fam, x['nlri']))
    with open(os.path.join(here, 'rib.out.tmp'), 'w') as f:
        f.write('bad %d\nstates %s\n' % (bad, ' '.join(map(str, states))))
        for fam, p in sorted(rib):
            f.write('%s %s\n' % (fam, p))
    os.rename(os.path.join(here, 'rib.out.tmp'), os.path.join(here, 'rib.out'))
"#;

/// An UPDATE from the peer: ORIGIN IGP, empty AS_PATH, NEXT_HOP 127.0.0.2,
/// LOCAL_PREF 100, the given /24s; `withdrawn` /24s.
fn update(withdrawn: &[[u8; 3]], nlri: &[[u8; 3]]) -> Vec<u8> {
    let mut w = Vec::new();
    for p in withdrawn {
        w.push(24);
        w.extend_from_slice(p);
    }
    let mut b = (w.len() as u16).to_be_bytes().to_vec();
    b.extend_from_slice(&w);
    if nlri.is_empty() {
        b.extend_from_slice(&[0, 0]);
        return b;
    }
    let attrs: &[u8] = &[
        0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4, 127, 0, 0, 2, 0x40, 5, 4, 0, 0, 0, 100,
    ];
    b.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    b.extend_from_slice(attrs);
    for p in nlri {
        b.push(24);
        b.extend_from_slice(p);
    }
    b
}

#[test]
fn a_json_consumer_rebuilds_the_rib_from_every_event() {
    let peer = Peer::bind("127.0.0.1");
    let conf = format!(
        r#"
process consumer {{
    run ./consumer.py;
    encoder json;
}}
neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {};
    family {{ ipv4 unicast; }}
    api {{
        processes [ consumer ];
        neighbor-changes;
        receive {{ parsed; update; }}
    }}
}}
"#,
        peer.addr.port()
    );
    let mut d = Daemon::start(
        &conf,
        &[("consumer.py", CONSUMER)],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    s.send(UPDATE, &update(&[], &[[10, 1, 1], [10, 1, 2]]));
    s.send(UPDATE, &update(&[], &[[10, 1, 3]]));
    s.send(UPDATE, &update(&[[10, 1, 2]], &[]));
    let out = d.path("rib.out");
    let want = "ipv4 unicast 10.1.1.0/24\nipv4 unicast 10.1.3.0/24\n";
    let text = wait_file_contains(&out, want, || d.log_text());
    assert!(text.starts_with("bad 0\nstates "), "{text}");
    assert!(text.contains(" up"), "{text}");
    assert!(text.ends_with(want), "{text}");
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
