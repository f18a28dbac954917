//! ExaFS (CESNET) drives ExaBGP through its exabgp-process helper, which
//! writes the lines ExaFS formats to its stdout. RTBH rules come as
//! `announce route IP/32 next-hop 192.0.2.1 <as-path> community [ASN:N]
//! <large> <extended>` with the empty fields left as blanks (so doubled and
//! trailing spaces), withdrawn with the same text after `withdraw`. The
//! helper here writes those lines exactly; the peer checks the UPDATE
//! bytes (the same as for ExaBGP 5.0.15: ORIGIN, AS_PATH, NEXT_HOP,
//! LOCAL_PREF on iBGP, COMMUNITIES, in type order). ExaFS's FlowSpec lines
//! (`announce flow route {  match { ... destination-port =80 =443; ... }
//! then { discard;  } }`, bracketless lists) are accepted by the parser
//! (see the api crate's tests); a FlowSpec peer is not part of this test.

mod common;

use common::*;

const RTBH: &[u8] = &[
    0, 0, 0, 28, // no withdrawals; attributes
    0x40, 1, 1, 0, // ORIGIN IGP
    0x40, 2, 0, // AS_PATH empty (iBGP)
    0x40, 3, 4, 192, 0, 2, 1, // NEXT_HOP 192.0.2.1
    0x40, 5, 4, 0, 0, 0, 100, // LOCAL_PREF 100
    0xc0, 8, 4, 0xfd, 0xe9, 0x02, 0x9a, // COMMUNITIES 65001:666
    32, 10, 10, 10, 1, // 10.10.10.1/32
];
const UNRTBH: &[u8] = &[0, 5, 32, 10, 10, 10, 1, 0, 0];

/// ExaFS's RTBH lines as exabgp-process relays them, blanks included.
const HELPER: &str = "#!/bin/sh\n\
sleep 1\n\
printf 'announce route 10.10.10.1/32 next-hop 192.0.2.1  community [65001:666]   \\n'\n\
sleep 1\n\
printf 'withdraw route 10.10.10.1/32 next-hop 192.0.2.1  community [65001:666]   \\n'\n\
exec sleep 60\n";

#[test]
fn exafs_rtbh_lines_announce_and_withdraw() {
    let peer = Peer::bind("127.0.0.1");
    let conf = format!(
        r#"
process exabgp-process {{
    run ./exafs.sh;
    encoder text;
}}
neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {};
    family {{ ipv4 unicast; }}
    api {{ processes [ exabgp-process ]; }}
}}
"#,
        peer.addr.port()
    );
    let mut d = Daemon::start(
        &conf,
        &[("exafs.sh", HELPER)],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let log = || d.log_text();
    let mut got = Vec::new();
    while got.len() < 2 {
        let m = s.read_non_keepalive(LONG).expect("update");
        assert_eq!(m.kind, UPDATE, "{}", log());
        if m.body != EOR {
            got.push(m.body);
        }
    }
    assert_eq!(got[0], RTBH, "{}", log());
    assert_eq!(got[1], UNRTBH, "{}", log());
    assert!(!log().contains("not understood"), "{}", log());
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
