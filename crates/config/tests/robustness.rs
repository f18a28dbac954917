//! Random input never panics: arbitrary bytes, and random sequences of the
//! grammar's own tokens (which get much deeper into the section parsers).

use ferrobgp_config::{lexer, load_str, route, LoadOptions};
use proptest::prelude::*;
use std::path::Path;

const WORDS: &[&str] = &[
    "neighbor",
    "template",
    "process",
    "static",
    "announce",
    "flow",
    "route",
    "match",
    "then",
    "scope",
    "family",
    "capability",
    "api",
    "l2vpn",
    "vpls",
    "operational",
    "ipv4",
    "ipv6",
    "unicast",
    "flow-vpn",
    "mcast-vpn",
    "mup",
    "mup-t2st",
    "mup-isd",
    "nlri-mpls",
    "mpls-vpn",
    "rd",
    "label",
    "next-hop",
    "self",
    "as-path",
    "community",
    "extended-community",
    "large-community",
    "split",
    "/24",
    "/33",
    "10.0.0.0/24",
    "10.0.0.1",
    "::1",
    "2001:db8::/32",
    "1.2.3.4",
    "65000:1",
    "1:2:3",
    "0x99",
    "0x60",
    "0x0102",
    "attribute",
    "router-id",
    "local-address",
    "local-as",
    "peer-as",
    "hold-time",
    "0",
    "1",
    "3",
    "70000",
    "inherit",
    "processes",
    "run",
    "encoder",
    "json",
    "text",
    "source",
    "destination",
    "port",
    ">80&<90",
    "!=tcp",
    "tcp-flags",
    "redirect",
    "discard",
    "rate-limit",
    "teid",
    "12345/32",
    "bgp-prefix-sid",
    "bgp-prefix-sid-srv6",
    "l3-service",
    "endpoint",
    "base",
    "offset",
    "size",
    "asm",
    "afi",
    "safi",
    "advisory",
    "nlri",
    "add-path",
    "send/receive",
    "graceful-restart",
    "all",
    "auto",
    "passive",
    "{",
    "}",
    ";",
    "[",
    "]",
    "(",
    ")",
    ",",
    "\\\n",
    "\"q w\"",
    "#c\n",
    "\n",
    "aggregator",
    "interface-set",
    "transitive:input:1:1",
    "path-information",
];

fn parse(text: &str) {
    let _ = load_str(Path::new("/tmp/fuzz.conf"), text, &LoadOptions::default());
    if let Ok(toks) = lexer::tokenize_line(text) {
        let end = ferrobgp_config::Pos::new(1, 1);
        let _ = route::parse_route(&toks, end, true);
        let _ = route::parse_attributes(&toks, end, false);
        let _ = route::parse_family_route(&toks, end, true);
        let _ = route::flow::parse_flow_tokens(&toks, end);
        let _ = route::vpls::parse_vpls(&toks, end, true);
        let _ = route::operational::parse_operational(&toks, end);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_tokens(idx in proptest::collection::vec(0..WORDS.len(), 0..80)) {
        let text: Vec<&str> = idx.iter().map(|i| WORDS[*i]).collect();
        parse(&text.join(" "));
    }

    #[test]
    fn random_neighbor_bodies(idx in proptest::collection::vec(0..WORDS.len(), 0..60)) {
        let body: Vec<&str> = idx.iter().map(|i| WORDS[*i]).collect();
        let text = format!(
            "process p {{ run /bin/true; encoder json; }}\nneighbor 10.0.0.1 {{ router-id 1.1.1.1; local-address 10.0.0.2; static {{ route {} ; }} {} }}",
            body.join(" "), body.join(" ")
        );
        parse(&text);
    }
}

#[test]
fn deep_nesting_and_huge_lines() {
    parse(&"{".repeat(100_000));
    parse(&"[".repeat(100_000));
    parse(&format!(
        "neighbor 10.0.0.1 {{ description \"{}\"; }}",
        "x".repeat(1_000_000)
    ));
    parse("neighbor 10.0.0.1 { static { route 0.0.0.0/0 next-hop 1.1.1.1 split /32; } }");
}
