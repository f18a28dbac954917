//! ExaFS (CESNET) drives ExaBGP through its exabgp-process helper, which
//! writes the lines ExaFS formats to its stdout. RTBH rules come as
//! `announce route IP/32 next-hop 192.0.2.1 <as-path> community [ASN:N]
//! <large> <extended>` with the empty fields left as blanks (so doubled and
//! trailing spaces), withdrawn with the same text after `withdraw`. The
//! helper here writes those lines exactly; the peer checks the UPDATE
//! bytes (the same as for ExaBGP 5.0.15: ORIGIN, AS_PATH, NEXT_HOP,
//! LOCAL_PREF on iBGP, COMMUNITIES, in type order). ExaFS's FlowSpec lines
//! (`announce flow route {  match { ... destination-port =80 =443; ... }
//! then { discard;  } }`, bracketless lists) go to a peer that negotiates
//! ipv4 flow, and their UPDATEs are compared with the bytes ExaBGP 5.0.15
//! put on the wire for the same lines.

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
    let conf = text_process_neighbor("exabgp-process", "./exafs.sh", peer.addr.port());
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

/// ExaFS's FlowSpec lines as `flowapp/messages.py` formats them (empty
/// fields left as blanks): a discard with bracketless lists, a rate-limit,
/// a redirect to a route target, then the three withdrawals.
const FLOW_LINES: [&str; 6] = [
    "announce flow route {  match { source 10.0.0.0/8;   destination 192.0.2.1/32; destination-port =80 =443; protocol =tcp;  tcp-flags SYN ACK;  } then { discard;  } }",
    "announce flow route {  match { source 10.1.0.0/16;   destination 192.0.2.2/32;  protocol =udp;   packet-length >=1000&<=1500; } then { rate-limit 10000;  } }",
    "announce flow route {  match {   destination 192.0.2.3/32; destination-port =53; protocol =udp;    } then { redirect 65000:100;  } }",
    "withdraw flow route {  match { source 10.0.0.0/8;   destination 192.0.2.1/32; destination-port =80 =443; protocol =tcp;  tcp-flags SYN ACK;  } then { discard;  } }",
    "withdraw flow route {  match { source 10.1.0.0/16;   destination 192.0.2.2/32;  protocol =udp;   packet-length >=1000&<=1500; } then { rate-limit 10000;  } }",
    "withdraw flow route {  match {   destination 192.0.2.3/32; destination-port =53; protocol =udp;    } then { redirect 65000:100;  } }",
];

/// The UPDATE bodies ExaBGP 5.0.15 sent for `FLOW_LINES`, recorded by
/// running /opt/exabgp-5.0.15/bin/exabgp (a `process` printing the lines,
/// `encoder text`, iBGP 65000, `family { ipv4 unicast; ipv4 flow; }`)
/// against a python socket peer that offered ipv4 unicast + ipv4 flow and
/// logged every UPDATE in hex. Withdrawals carry the attributes too, as
/// 5.0.15 sends them.
///
/// For the first line (and its withdrawal) 5.0.15 sent the components
/// `05 81 50` and `09 80 02`: it keeps only the first value of a
/// bracketless list (`destination-port =80`, `tcp-flags
/// syn`), so the rule ExaFS asked for (ports 80 and 443, SYN or ACK) is cut
/// in half. ferrobgp keeps every value: the bytes below are the ones 5.0.15
/// sends for the same line written with brackets (`destination-port [ =80
/// =443 ]; tcp-flags [ SYN ACK ];`), recorded the same way. The bytes 5.0.15
/// sent for the bracketless line are in `EXABGP_BRACKETLESS`.
const FLOW_WIRE: [&str; 6] = [
    "00000039 400101 00 400200 40050400000064 c01008 8006000000000000 \
     800e1d 0001 85 00 00 17 0120c0000201 02080a 038106 0501509101bb 0900028010",
    "00000036 400101 00 400200 40050400000064 c01008 80060000461c4000 \
     800e1a 0001 85 00 00 14 0120c0000202 02100a01 038111 0a1303e8d505dc",
    "0000002e 400101 00 400200 40050400000064 c01008 8008fde800000064 \
     800e12 0001 85 00 00 0c 0120c0000203 038111 058135",
    "00000037 400101 00 400200 40050400000064 c01008 8006000000000000 \
     800f1b 0001 85 17 0120c0000201 02080a 038106 0501509101bb 0900028010",
    "00000034 400101 00 400200 40050400000064 c01008 80060000461c4000 \
     800f18 0001 85 14 0120c0000202 02100a01 038111 0a1303e8d505dc",
    "0000002c 400101 00 400200 40050400000064 c01008 8008fde800000064 \
     800f10 0001 85 0c 0120c0000203 038111 058135",
];

/// What 5.0.15 sent for the first (bracketless) line: `destination-port
/// =80` and `tcp-flags syn` only. ferrobgp must not send this.
const EXABGP_BRACKETLESS: &str = "00000034 400101 00 400200 40050400000064 c01008 \
     8006000000000000 800e18 0001 85 00 00 12 0120c0000201 02080a 038106 058150 098002";

#[test]
fn exafs_flowspec_lines_on_the_wire() {
    let peer = Peer::bind("127.0.0.1");
    let helper = lines_script(&FLOW_LINES, Some(0.3));
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
    family {{ ipv4 unicast; ipv4 flow; }}
    api {{ processes [ exabgp-process ]; }}
}}
"#,
        peer.addr.port()
    );
    let mut d = Daemon::start(
        &conf,
        &[("exafs.sh", &helper)],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish_families(65000, [10, 0, 0, 2], 30, &[(1, 1), (1, 133)]);
    let log = || d.log_text();
    let flow_eor = unhex("00000007 900f0003 000185");
    let mut got = Vec::new();
    while got.len() < FLOW_WIRE.len() {
        let m = s.read_non_keepalive(LONG).expect("update");
        assert_eq!(m.kind, UPDATE, "{}", log());
        if m.body != EOR && m.body != flow_eor {
            got.push(m.body);
        }
    }
    for (i, want) in FLOW_WIRE.iter().enumerate() {
        assert_eq!(
            got[i],
            unhex(want),
            "line {}: {}\n{}",
            i + 1,
            FLOW_LINES[i],
            log()
        );
    }
    assert_ne!(got[0], unhex(EXABGP_BRACKETLESS));
    assert!(!log().contains("refused"), "{}", log());
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
