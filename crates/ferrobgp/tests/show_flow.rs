//! `show adj-rib out` of FlowSpec routes, compared with what ExaBGP 5.0.15
//! printed for the same six rules (prefixes, protocol lists, ports, ICMP
//! names, TCP flags, fragments, DSCP, packet-length ranges, next hops from
//! `next-hop` and `redirect IP`).
//!
//! How the 5.0.15 side was recorded: /opt/exabgp-5.0.15/bin/exabgp with a
//! `process` printing `LINES` (`encoder text`, iBGP 65000, `family { ipv4
//! unicast; ipv4 flow; }`) against a python socket peer offering ipv4 flow,
//! then `exabgp-cli show adj-rib out` through its named pipes.
//!
//! One difference, on purpose (README): 5.0.15 names the port values of
//! rules it parsed itself after its table of service names (`=http`,
//! `=https`, `=domain`, `=ssh`, `=http-alt`, `=ndl-aas`), and prints the
//! same rule by number when it was received; ferrobgp prints numbers. The
//! recorded lines are in `EXABGP`; `EXPECTED` is them with the numbers.

mod common;

use common::*;

const LINES: [&str; 6] = [
    "announce flow route { match { source 10.0.0.0/8; destination 192.0.2.1/32; destination-port [ =80 =443 ]; protocol =tcp; tcp-flags [ SYN ACK ]; } then { discard; } }",
    "announce flow route { match { source 10.1.0.0/16; destination 192.0.2.2/32; protocol =udp; packet-length >=1000&<=1500; } then { rate-limit 10000; } }",
    "announce flow route { match { destination 192.0.2.3/32; destination-port =53; protocol =udp; } then { redirect 65000:100; } }",
    "announce flow route { next-hop 192.0.2.9; match { destination 192.0.2.4/32; } then { redirect-to-nexthop; } }",
    "announce flow route { match { destination 192.0.2.5/32; source-port [ >1024 ]; packet-length [ >=100&<=200 =1500 ]; fragment [ is-fragment dont-fragment ]; icmp-type =8; dscp =46; } then { rate-limit 9600; community [ 65000:1 ]; } }",
    "announce flow route { match { destination 192.0.2.6/32; destination-port [ =22 =8080 =3128 ]; protocol [ =tcp =udp ]; tcp-flags [ FIN !RST ]; } then { redirect 192.0.2.77; } }",
];

/// `exabgp-cli show adj-rib out` against 5.0.15, verbatim.
const EXABGP: &str = "\
127.0.0.1 ipv4 flow flow destination-ipv4 192.0.2.1/32 source-ipv4 10.0.0.0/8 protocol =tcp destination-port [ =http =https ] tcp-flags [ syn ack ]
127.0.0.1 ipv4 flow flow destination-ipv4 192.0.2.2/32 source-ipv4 10.1.0.0/16 protocol =udp packet-length [ >=1000&<=1500 ]
127.0.0.1 ipv4 flow flow destination-ipv4 192.0.2.3/32 protocol =udp destination-port =domain
127.0.0.1 ipv4 flow flow destination-ipv4 192.0.2.4/32 next-hop 192.0.2.9
127.0.0.1 ipv4 flow flow destination-ipv4 192.0.2.5/32 source-port >1024 icmp-type =echo-request packet-length [ >=100&<=200 =1500 ] dscp =46 fragment [ is-fragment dont-fragment ]
127.0.0.1 ipv4 flow flow destination-ipv4 192.0.2.6/32 protocol [ =tcp =udp ] destination-port [ =ssh =http-alt =ndl-aas ] tcp-flags [ fin !rst ] next-hop 192.0.2.77
";

/// The port names of `EXABGP` and their numbers.
const PORTS: [(&str, &str); 6] = [
    ("=http ", "=80 "),
    ("=https ", "=443 "),
    ("=domain", "=53"),
    ("=ssh ", "=22 "),
    ("=http-alt ", "=8080 "),
    ("=ndl-aas ", "=3128 "),
];

#[test]
fn show_adj_rib_out_of_flow_routes_as_exabgp() {
    let peer = Peer::bind("127.0.0.1");
    let helper = lines_script(&LINES, None);
    let conf = format!(
        r#"
process flows {{
    run ./flows.sh;
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
    api {{ processes [ flows ]; }}
}}
"#,
        peer.addr.port()
    );
    let mut c = start_with_cli(&conf, &[("flows.sh", &helper)]);
    let mut s = peer.accept();
    s.establish_families(65000, [10, 0, 0, 2], 30, &[(1, 1), (1, 133)]);
    let log = || c.d.log_text();
    let flow_eor = unhex("00000007 900f0003 000185");
    let mut flows = 0;
    while flows < LINES.len() {
        let m = s.read_non_keepalive(LONG).expect("update");
        assert_eq!(m.kind, UPDATE, "{}", log());
        if m.body != EOR && m.body != flow_eor {
            flows += 1;
        }
    }
    let mut expected = EXABGP.to_string();
    for (name, number) in PORTS {
        expected = expected.replace(name, number);
    }
    let (code, out) = cli(&c.sock, "show adj-rib out");
    assert_eq!(code, Some(0), "{out}\n{}", log());
    assert_eq!(out, expected, "{}", log());
    c.d.signal(libc::SIGTERM);
    assert_clean_exit(&mut c.d);
}
