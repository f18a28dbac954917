//! ExaBGP merges the `api` blocks of a neighbor before it reports a
//! message: `parsed` or `packets` asked in one block reach the processes of
//! the others (see crates/api's `neighbor_api`). Five helpers on one
//! neighbor, each in its own block, as recorded from ExaBGP 5.0.15:
//! - `pa`: `receive { parsed; update; }`, `pb`: `receive { update; }` (no
//!   format: gets them parsed, from `pa`'s block);
//! - `pc`: `receive { packets; }` (no message type: gets the packets of the
//!   UPDATEs other blocks asked for);
//! - `pd`: `send { packets; }`, `pe`: `send { parsed; update; }`.
//!
//! How the 5.0.15 side was recorded: /opt/exabgp-5.0.15/bin/exabgp ran this
//! configuration (each helper `cat`, `encoder json`) against a python socket
//! peer offering ipv4 unicast that sent `PEER_UPDATE`; `EXPECTED` is each
//! helper's lines from `"neighbor"` on (time, host, pid and counter before
//! it differ from run to run).

mod common;

use common::*;

/// 10.8.0.0/24, next hop 192.0.2.1, iBGP.
const PEER_UPDATE: &str = "0000 0015 40010100 400200 400304c0000201 40050400000064 180a0800";

const EXPECTED: [(&str, &[&str]); 5] = [
    (
        "pa",
        &[
            r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "local-preference": 100 }, "announce": { "ipv4 unicast": { "192.0.2.1": [ { "nlri": "10.8.0.0/24" } ] } } } } } }"#,
        ],
    ),
    (
        "pb",
        &[
            r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "local-preference": 100 }, "announce": { "ipv4 unicast": { "192.0.2.1": [ { "nlri": "10.8.0.0/24" } ] } } } } } }"#,
        ],
    ),
    (
        "pc",
        &[
            r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "receive", "message": { "category": 2, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003002", "body": "0x0000001540010100400200400304C000020140050400000064180A0800" }  } }"#,
        ],
    ),
    (
        "pd",
        &[
            r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "send", "message": { "category": 2, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003002", "body": "0x00000015400101004002004003047F00000140050400000064180A0900" }  } }"#,
            r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "send", "message": { "category": 2, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001702", "body": "0x00000000" }  } }"#,
        ],
    ),
    (
        "pe",
        &[
            r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "send", "message": { "update": { "attribute": { "origin": "igp", "local-preference": 100 }, "announce": { "ipv4 unicast": { "127.0.0.1": [ { "nlri": "10.9.0.0/24" } ] } } } } } }"#,
            r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 }, "router-id": "10.0.0.1" , "direction": "send", "message": { "eor": { "afi" : "ipv4", "safi" : "unicast" } } } }"#,
        ],
    ),
];

const RECEIVER: &str = "#!/bin/sh\nexec cat > \"$(dirname \"$0\")/$1.out\"\n";

#[test]
fn parsed_and_packets_are_merged_per_neighbor_as_exabgp() {
    let peer = Peer::bind("127.0.0.1");
    let mut conf = String::new();
    for (p, _) in EXPECTED {
        conf.push_str(&format!(
            "process {p} {{ run ./receiver.sh {p}; encoder json; }}\n"
        ));
    }
    conf.push_str(&format!(
        r#"
neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {};
    family {{ ipv4 unicast; }}
    api a {{ processes [ pa ]; receive {{ parsed; update; }} }}
    api b {{ processes [ pb ]; receive {{ update; }} }}
    api c {{ processes [ pc ]; receive {{ packets; }} }}
    api d {{ processes [ pd ]; send {{ packets; }} }}
    api e {{ processes [ pe ]; send {{ parsed; update; }} }}
    static {{ route 10.9.0.0/24 next-hop 127.0.0.1; }}
}}
"#,
        peer.addr.port()
    ));
    let mut d = Daemon::start(
        &conf,
        &[("receiver.sh", RECEIVER)],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let log = || d.log_text();
    // our route and End-of-RIB, then the peer's UPDATE
    let mut sent = 0;
    while sent < 2 {
        let m = s.read_non_keepalive(LONG).expect("update");
        assert_eq!(m.kind, UPDATE, "{}", log());
        sent += 1;
    }
    s.send(UPDATE, &unhex(PEER_UPDATE));
    for (p, _) in EXPECTED {
        let needle = if p == "pd" || p == "pe" {
            "\"send\""
        } else {
            "\"receive\""
        };
        wait_file_contains(&d.path(&format!("{p}.out")), needle, log);
    }
    // the End-of-RIB reports of pd and pe
    wait_file_contains(&d.path("pd.out"), "0x00000000", log);
    wait_file_contains(&d.path("pe.out"), "\"eor\"", log);
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
    for (p, want) in EXPECTED {
        let text = std::fs::read_to_string(d.path(&format!("{p}.out"))).unwrap_or_default();
        let got: Vec<&str> = text
            .lines()
            .filter_map(|l| l.find("\"neighbor\"").map(|i| &l[i..]))
            .collect();
        assert_eq!(got, want, "helper {p}\n{text}");
        assert!(
            text.trim_end()
                .ends_with(r#""type": "notification", "notification": "shutdown" }"#),
            "helper {p}: {text}"
        );
    }
}
