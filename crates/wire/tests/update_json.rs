//! ExaBGP UPDATE JSON, checked against ExaBGP 5.0.15 as oracle.
//!
//! How the goldens were obtained: ExaBGP 5.0.15 was installed in a venv
//! (`pip install exabgp==5.0.15`) and each message was fed to
//! `exabgp decode [-i] <hex>` (`-i` when the configuration negotiates
//! add-path); the `neighbor.message` object of its output is the golden.
//!
//! * `tests/data/update_json_golden.jsonl`: one line per UPDATE of the
//!   conformance suite whose NLRIs are IPv4/IPv6 unicast/multicast (or an
//!   End-of-RIB), except conf-no-asn4 (the oracle decodes as ASN4). Each line
//!   names the test and the index of the raw line in `<test>.msg`; the test
//!   reads the message from the suite in place (skips when absent).
//! * the table below: messages built by this crate's encoder covering every
//!   attribute rendering (AIGP apart: `exabgp decode` does not show it).
//!
//! The JSON is compared as serialized text, so key order matters too.

use ferrobgp_api::json::update::{
    update_message_json, update_message_json_with, update_text_lines,
};
use ferrobgp_wire::family::Family;
use ferrobgp_wire::update::{Context, Update};
use serde_json::Value;
use std::path::Path;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn ctx(addpath: bool) -> Context {
    let mut c = Context::default();
    if addpath {
        for f in Family::ALL_KNOWN {
            c.addpath_rx.insert(f);
        }
    }
    c
}

fn json_of(msg: &[u8], addpath: bool) -> Value {
    let rx = Update::decode(&msg[19..], &ctx(addpath)).unwrap();
    update_message_json(&rx.update)
}

const ORACLE: &[(&str, &str)] = &[
    // full
    (
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0168020003100A090146400101014002240302000000010000000204010000000302020000FDE9FA56EA0001020000000700000008400304C00002018004040000000A400504000000C8400600C007080000FDE80A000001C00818FDE80001FFFF029AFFFFFF01FFFFFF02FFFFFF03FFFFFF0480090401010101800A080202020203030303C010A00002FDE80000000100030064000003E80102000113C81770010201020304000501020304050607080103070707071B580202000111700005030C000000000008030C000000000063080000000000000008000000000000010C000001000000024004FDE8447A000080060000447A0000800700000000000180070000000000038008051400014438800900000000000A800A0102345678908208000111700005801A0B01000B0000000000003039E01C0400010203C0200C00000B62000000000000029A409901AB180A0000180A0100",
        r#"{"update": {"attribute": {"origin": "egp", "as-path": {"0": {"element": "as-sequence", "value": [1, 2]}, "1": {"element": "as-sequence", "value": [3]}, "2": {"element": "as-sequence", "value": [65001, 4200000000]}, "3": {"element": "as-set", "value": [7, 8]}}, "med": 10, "local-preference": 200, "atomic-aggregate": true, "aggregator": "65000:10.0.0.1", "community": [[65000, 1], [65535, 666], [65535, 65281], [65535, 65282], [65535, 65283], [65535, 65284]], "originator-id": "1.1.1.1", "cluster-list": ["2.2.2.2", "3.3.3.3"], "extended-community": [{"value": 842122827661313, "string": "target:65000:1"}, {"value": 844854426862568, "string": "origin:100:0.0.3.232"}, {"value": 72620548618196848, "string": "target:0.1.19.200:6000"}, {"value": 72621652143505413, "string": "target:1.2.3.4:5"}, {"value": 72623859790382856, "string": "target:3.4.5.6:1800"}, {"value": 72909745732131672, "string": "origin:7000:7.7.7.7"}, {"value": 144678142616797189, "string": "target:70000:5"}, {"value": 219550481834311688, "string": "encap:VXLAN"}, {"value": 219550481834311779, "string": "encap:encap:UNKNOWN-99"}, {"value": 576460752303423488, "string": "redirect-to-nexthop"}, {"value": 576460752303423489, "string": "copy-to-nexthop"}, {"value": 864691132750102530, "string": "mup:1:2"}, {"value": 4613091092357316608, "string": ""}, {"value": 9225060887863885824, "string": "rate-limit:1000"}, {"value": 9225342361691750401, "string": "action terminal"}, {"value": 9225342361691750403, "string": "action sample-terminal"}, {"value": 9225629420126028856, "string": "redirect:1300:83000"}, {"value": 9225905311645171722, "string": "mark 10"}, {"value": 9226187895601526928, "string": "l2info:1:2:13398:30864"}, {"value": 9369739029331836933, "string": "0x8208000111700005"}], "attribute-0x1C-0xE0": "0x00010203", "large-community": [[2914, 0, 666]], "attribute-0x99-0x60": "0xab"}, "announce": {"ipv4 unicast": {"192.0.2.1": [{"nlri": "10.0.0.0/24"}, {"nlri": "10.1.0.0/24"}]}}, "withdraw": {"ipv4 unicast": [{"nlri": "10.9.0.0/16"}]}}}"#,
    ),
    // v6ll
    (
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0061020000004A40010100400200800F0A0002013020010DB80009800E330002012020010DB8000000000000000000000001FE800000000000000000000000000001003020010DB800013020010DB80002",
        r#"{"update": {"attribute": {"origin": "igp"}, "announce": {"ipv6 unicast": {"2001:db8::1": [{"nlri": "2001:db8:1::/48"}, {"nlri": "2001:db8:2::/48"}], "fe80::1": [{"nlri": "2001:db8:1::/48"}, {"nlri": "2001:db8:2::/48"}]}}, "withdraw": {"ipv6 unicast": [{"nlri": "2001:db8:9::/48"}]}}}"#,
    ),
    // v6wd
    (
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0024020000000D800F0A0002013020010DB80009",
        r#"{"update": {"withdraw": {"ipv6 unicast": [{"nlri": "2001:db8:9::/48"}]}}}"#,
    ),
    // v4wd
    (
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001B020004100A09000000",
        r#"{"update": {"withdraw": {"ipv4 unicast": [{"nlri": "10.9.0.0/16"}, {"nlri": "0.0.0.0/0"}]}}}"#,
    ),
    // eor4
    (
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170200000000",
        r#"{"eor": {"afi": "ipv4", "safi": "unicast"}}"#,
    ),
    // eor6
    (
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001E0200000007900F0003000201",
        r#"{"eor": {"afi": "ipv6", "safi": "unicast"}}"#,
    ),
    // pathinfo
    (
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00350200000015400101004002004003040A0A01014005040000006400000001200A00000A",
        r#"{"update": {"attribute": {"origin": "igp", "local-preference": 100}, "announce": {"ipv4 unicast": {"10.10.1.1": [{"nlri": "10.0.0.10/32", "path-information": "0.0.0.1"}]}}}}"#,
    ),
    // generic70
    (
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0039020000001D40010100400200400304C0A80164400504000000647099000400000064206F6F6F6F",
        r#"{"update": {"attribute": {"origin": "igp", "local-preference": 100, "attribute-0x99-0x70": "0x00000064"}, "announce": {"ipv4 unicast": {"192.168.1.100": [{"nlri": "111.111.111.111/32"}]}}}}"#,
    ),
];

#[test]
fn encoder_built_messages_match_the_oracle() {
    for (hex, want) in ORACLE {
        let addpath = hex.ends_with("00000001200A00000A");
        let mut mine = json_of(&unhex(hex), addpath);
        let want: Value = serde_json::from_str(want).unwrap();
        if let Some(a) = mine
            .pointer_mut("/update/attribute")
            .and_then(|a| a.as_object_mut())
        {
            // exabgp decode does not show AIGP (it is checked below)
            if let Some(v) = a.shift_remove("aigp") {
                assert_eq!(v, serde_json::json!(12345));
            }
        }
        assert_eq!(
            serde_json::to_string(&mine).unwrap(),
            serde_json::to_string(&want).unwrap(),
            "{hex}"
        );
    }
}

#[test]
fn conformance_updates_match_the_oracle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/encoding");
    if !root.is_dir() {
        ferrobgp_testkit::skip(
            module_path!(),
            "../shared/conformance not found; UPDATE JSON goldens not checked",
        );
        return;
    }
    let golden = include_str!("data/update_json_golden.jsonl");
    let mut n = 0;
    for line in golden.lines() {
        let g: Value = serde_json::from_str(line).unwrap();
        let test = g["test"].as_str().unwrap();
        let idx = g["line"].as_u64().unwrap() as usize;
        let addpath = g["addpath"].as_bool().unwrap();
        let text = std::fs::read_to_string(root.join(format!("{test}.msg"))).unwrap();
        let raws: Vec<String> = text
            .lines()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && !l.contains('#') && !l.contains("notification:"))
            .map(|l| l.replace(' ', "").to_lowercase())
            .filter_map(|l| {
                let mut p = l.splitn(3, ':');
                match (p.next(), p.next(), p.next()) {
                    (Some(_), Some("raw"), Some(h)) => Some(h.replace(':', "")),
                    _ => None,
                }
            })
            .collect();
        let mine = json_of(&unhex(&raws[idx]), addpath);
        assert_eq!(
            serde_json::to_string(&mine).unwrap(),
            serde_json::to_string(&g["message"]).unwrap(),
            "{test} line {idx}"
        );
        n += 1;
    }
    eprintln!("{n} conformance UPDATEs match ExaBGP 5.0.15's JSON");
    assert!(n > 150);
}

#[test]
fn text_encoder_lines() {
    // spec 3.5 forms
    let (hex, _) = ORACLE[0];
    let rx = Update::decode(&unhex(hex)[19..], &ctx(false)).unwrap();
    let lines = update_text_lines(&rx.update);
    assert_eq!(lines[0], "withdrawn 10.9.0.0/16");
    assert!(lines[1].starts_with(
        "announced 10.0.0.0/24 next-hop 192.0.2.1 origin egp as-path {( 1 2 )} {[ 3 ]} ( 65001 4200000000 ) [ 7 8 ] med 10 local-preference 200 atomic-aggregate aggregator ( 65000:10.0.0.1 ) community [ 65000:1 blackhole no-export no-advertise no-export-subconfed no-peer ] originator-id 1.1.1.1 cluster-list [ 2.2.2.2 3.3.3.3 ] extended-community [ target:65000:1 "
    ), "{}", lines[1]);
    assert!(lines[1].ends_with(
        " aigp 12345 attribute [ 0x1C 0xE0 0x00010203 ] large-community 2914:0:666 attribute [ 0x99 0x60 0xab ]"
    ), "{}", lines[1]);
    assert_eq!(lines.len(), 3);
    let eor = ferrobgp_wire::update::eor::message(Family::IPV6_UNICAST);
    let rx = Update::decode(&eor[19..], &ctx(false)).unwrap();
    assert_eq!(
        update_text_lines(&rx.update),
        ["route eor 2/1 (ipv6 unicast)"]
    );
    let (hex, _) = ORACLE[1];
    let rx = Update::decode(&unhex(hex)[19..], &ctx(false)).unwrap();
    assert_eq!(
        update_text_lines(&rx.update),
        [
            "withdrawn 2001:db8:9::/48",
            "announced 2001:db8:1::/48 next-hop 2001:db8::1 origin igp",
            "announced 2001:db8:1::/48 next-hop fe80::1 origin igp",
            "announced 2001:db8:2::/48 next-hop 2001:db8::1 origin igp",
            "announced 2001:db8:2::/48 next-hop fe80::1 origin igp",
        ]
    );
}

#[test]
fn compact_mode_prints_bare_prefixes() {
    // exabgp.api.compact: plain prefixes become strings, announce and
    // withdraw alike; NLRIs with a path identifier keep their object
    let (hex, _) = ORACLE[0];
    let rx = Update::decode(&unhex(hex)[19..], &ctx(false)).unwrap();
    let v = update_message_json_with(&rx.update, true);
    assert_eq!(
        v["update"]["announce"]["ipv4 unicast"]["192.0.2.1"],
        serde_json::json!(["10.0.0.0/24", "10.1.0.0/24"])
    );
    assert_eq!(
        v["update"]["withdraw"]["ipv4 unicast"],
        serde_json::json!(["10.9.0.0/16"])
    );
    let pi = ORACLE
        .iter()
        .find(|(h, _)| h.ends_with("00000001200A00000A"))
        .unwrap()
        .0;
    let rx = Update::decode(&unhex(pi)[19..], &ctx(true)).unwrap();
    let v = update_message_json_with(&rx.update, true);
    assert_eq!(
        v["update"]["announce"]["ipv4 unicast"]["10.10.1.1"][0]["path-information"],
        "0.0.0.1"
    );
}
