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
//! ipv4 flow. Both runs' UPDATEs are compared with the bytes ExaBGP 5.0.15
//! put on the wire for the same lines (`qa/clients/exabgp-5.0.15/exafs_*.wire`,
//! recorded by `qa/clients/record-exabgp exafs_rtbh exafs_flow`).

mod clients_recorded;
mod common;

use common::*;

/// The UPDATEs ExaBGP 5.0.15 sent for `recorded` (`qa/clients/record-exabgp`),
/// End-of-RIBs left out.
fn recorded_updates(recorded: &str) -> Vec<Vec<u8>> {
    let flow_eor = unhex("00000007 900f0003 000185");
    clients_recorded::wire(recorded)
        .msgs
        .into_iter()
        .filter(|m| m.kind == UPDATE && m.body != EOR && m.body != flow_eor)
        .map(|m| m.body)
        .collect()
}

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
    assert_eq!(
        got,
        recorded_updates("exafs_rtbh"),
        "not what ExaBGP 5.0.15 sent\n{}",
        log()
    );
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

/// The first line (and its withdrawal) is where ferrobgp differs from
/// ExaBGP 5.0.15 on purpose: 5.0.15 keeps only the first value of a
/// bracketless list (`destination-port =80`, `tcp-flags syn`: components
/// `05 81 50` and `09 80 02`), so the rule ExaFS asked for (ports 80 and
/// 443, SYN or ACK) is cut in half. ferrobgp keeps every value: its bytes
/// are the ones 5.0.15 sends for the same line written with brackets
/// (`destination-port [ =80 =443 ]; tcp-flags [ SYN ACK ];`), recorded as
/// `exafs_flow_bracketed`.
const BRACKETLESS_LINES: [usize; 2] = [0, 3];

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
    while got.len() < FLOW_LINES.len() {
        let m = s.read_non_keepalive(LONG).expect("update");
        assert_eq!(m.kind, UPDATE, "{}", log());
        if m.body != EOR && m.body != flow_eor {
            got.push(m.body);
        }
    }
    // ExaBGP 5.0.15, recorded with qa/clients/record-exabgp exafs_flow: the
    // lines as ExaFS writes them, and the same lines with brackets
    let exabgp = recorded_updates("exafs_flow");
    let bracketed = recorded_updates("exafs_flow_bracketed");
    assert_eq!((exabgp.len(), bracketed.len()), (6, 6));
    for (i, line) in FLOW_LINES.iter().enumerate() {
        if BRACKETLESS_LINES.contains(&i) {
            assert_ne!(
                exabgp[i],
                bracketed[i],
                "the recordings differ on line {}",
                i + 1
            );
            assert_ne!(
                got[i],
                exabgp[i],
                "line {}: only the first values\n{}",
                i + 1,
                log()
            );
            assert_eq!(got[i], bracketed[i], "line {}: {line}\n{}", i + 1, log());
        } else {
            assert_eq!(got[i], exabgp[i], "line {}: {line}\n{}", i + 1, log());
        }
    }
    assert!(!log().contains("refused"), "{}", log());
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
