//! A JSON consumer as people write them beside ExaBGP: it reads every line
//! the daemon writes, parses each one as JSON (any line that is not is a
//! failure), and rebuilds the peer's RIB from the `update` events with
//! ExaBGP 5's layout (`neighbor.message.update.announce|withdraw.<family>`,
//! announce keyed by next hop, each NLRI `{"nlri": ...}`). The peer
//! announces three prefixes and withdraws one; the consumer must end with
//! the other two, and it must have seen the session go up (`state`).
//! Every line it read, up to the last `update` event, is byte for byte
//! what ExaBGP 5.0.15 wrote to the same consumer in the same scenario
//! (`qa/clients/exabgp-5.0.15/json_consumer.json`, recorded by
//! `qa/clients/record-exabgp json_consumer`), once the values that differ
//! from run to run (`time`, `host`, `pid`, `ppid`) are normalised.

mod clients_recorded;
mod common;

use common::*;

/// The consumer, shared with `qa/clients/record-exabgp`.
const CONSUMER: &str = include_str!("../../../qa/clients/json-consumer.py");

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
    let events = std::fs::read_to_string(d.path("events.jsonl")).expect("events.jsonl");
    let got: Vec<String> = events
        .lines()
        .map(clients_recorded::normalise_json)
        .collect();
    let last = got
        .iter()
        .rposition(|l| l.contains("\"withdraw\""))
        .expect("withdraw event");
    let recorded = clients_recorded::json("json_consumer");
    for (i, (g, w)) in got[..=last].iter().zip(&recorded).enumerate() {
        assert_eq!(g, w, "line {}: not what ExaBGP 5.0.15 wrote", i + 1);
    }
    assert_eq!(got[..=last].len(), recorded.len(), "{events}");
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
