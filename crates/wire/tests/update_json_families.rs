//! UPDATE JSON of messages built for this test, checked against ExaBGP
//! 5.0.15 as oracle (`tests/golden/handbuilt_update_json_exabgp_5.0.15.jsonl`,
//! recorded by feeding each message to ExaBGP's own decoder and JSON
//! encoder, as `exabgp decode` does; the golden is `neighbor.message`):
//! IPv6 address specific extended communities (attribute 25: FlowSpec
//! redirect / copy to IPv6, RFC 5701 route target and origin, 0x0B, 0x0D,
//! non-transitive), BGP-LS-VPN (SAFI 72) announcements and withdrawals,
//! VPN / labelled / FlowSpec withdrawals, FlowSpec with a next hop,
//! Prefix-SID label index and SRGB, IPv4 unicast without NEXT_HOP, PMSI
//! tunnel attributes (ingress replication, PIM-SSM, no tunnel, unknown
//! type, odd tunnel length).
//!
//! The JSON is compared as serialized text, so key order matters too;
//! attribute 25's `value` is a 160-bit integer, compared exactly.

use ferrobgp_api::json::update::update_message_json;
use ferrobgp_wire::attribute::{Ipv6ExtendedCommunities, Ipv6ExtendedCommunity};
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
    let mut c = Context {
        max_size: 65535,
        ..Context::default()
    };
    if addpath {
        for f in Family::ALL_KNOWN {
            c.addpath_rx.insert(f);
        }
    }
    c
}

#[test]
fn handbuilt_update_json_matches_exabgp() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/handbuilt_update_json_exabgp_5.0.15.jsonl");
    let text = std::fs::read_to_string(p).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let g: Value = serde_json::from_str(line).unwrap();
        let case = g["case"].as_str().unwrap();
        let msg = unhex(g["hex"].as_str().unwrap());
        let rx = Update::decode(&msg[19..], &ctx(g["addpath"].as_bool().unwrap())).unwrap();
        let got = serde_json::to_string(&update_message_json(&rx.update)).unwrap();
        let want = serde_json::to_string(&g["message"]).unwrap();
        if got != want {
            failures.push(format!("{case}\n  expected {want}\n  got      {got}"));
        }
        // and the message re-encodes byte for byte
        assert_eq!(
            rx.update
                .to_message(&ctx(g["addpath"].as_bool().unwrap()))
                .unwrap(),
            msg,
            "{case}"
        );
        n += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(n, 39);
}

#[test]
fn ipv6_extended_communities_round_trip() {
    let list = Ipv6ExtendedCommunities(vec![
        Ipv6ExtendedCommunity::redirect_to_nexthop_ietf("2001:db8::1".parse().unwrap(), true),
        Ipv6ExtendedCommunity::route_target("2001:db8::2".parse().unwrap(), 100),
        Ipv6ExtendedCommunity::route_origin("2001:db8::3".parse().unwrap(), 7),
    ]);
    let raw = list.to_raw();
    assert_eq!(raw.code, 25);
    assert_eq!(raw.flags, 0xC0);
    // sorted by bytes on the wire: target (0x0002), origin (0x0003), redirect (0x000C)
    assert_eq!(&raw.value[..2], &[0x00, 0x02]);
    assert_eq!(&raw.value[20..22], &[0x00, 0x03]);
    assert_eq!(&raw.value[40..42], &[0x00, 0x0C]);
    assert_eq!(&raw.value[58..60], &[0x00, 0x01]);
    let back = Ipv6ExtendedCommunities::parse(&raw.value).unwrap();
    assert_eq!(back.sorted(), list.sorted());
    let mut again = Vec::new();
    back.encode(&mut again);
    assert_eq!(again, raw.value.to_vec());
    assert_eq!(
        back.to_string(),
        "[ 0x000220010DB80000000000000000000000020064 0x000320010DB80000000000000000000000030007 copy-to-nexthop-ietf 2001:db8::1 (with copy) ]"
    );
    let c = back.0[2];
    assert_eq!(
        c.global(),
        "2001:db8::1".parse::<std::net::Ipv6Addr>().unwrap()
    );
    assert_eq!(c.local(), 1);
    assert!(c.is_transitive());
}

/// The raw UPDATE lines of a suite test, indexed as the goldens index them.
fn suite_raws(root: &Path, test: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(root.join(format!("{test}.msg"))).unwrap();
    text.lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.contains('#') && !l.contains("notification:"))
        .map(|l| l.replace(' ', "").to_lowercase())
        .filter_map(|l| {
            let mut p = l.splitn(3, ':');
            match (p.next(), p.next(), p.next()) {
                (Some(_), Some("raw"), Some(h)) => Some(unhex(&h.replace(':', ""))),
                _ => None,
            }
        })
        .collect()
}

/// Every UPDATE of the conformance suite whose reference JSON is valid
/// (`tests/golden/suite_update_json_exabgp_5.0.15.jsonl`, 286 messages, by
/// test name and raw line index; read from `../shared/conformance` in
/// place, skipped when absent). Left out: conf-no-asn4 (the oracle decodes
/// it as ASN4), conf-flow line 5 (the oracle cannot decode its IPv6
/// FlowSpec offsets), and the 12 MUP / SRv6 messages whose reference JSON
/// is invalid (tests/data/families_exabgp_5.0.15.jsonl has them repaired).
/// This covers attribute 25 on a suite message (conf-flow-redirect).
#[test]
fn suite_update_json_matches_exabgp() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/encoding");
    if !root.is_dir() {
        ferrobgp_testkit::skip(
            module_path!(),
            "../shared/conformance not found; suite UPDATE JSON not checked",
        );
        return;
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/suite_update_json_exabgp_5.0.15.jsonl");
    let text = std::fs::read_to_string(p).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let g: Value = serde_json::from_str(line).unwrap();
        let test = g["test"].as_str().unwrap();
        let idx = g["line"].as_u64().unwrap() as usize;
        let msg = &suite_raws(&root, test)[idx];
        let rx = Update::decode(&msg[19..], &ctx(g["addpath"].as_bool().unwrap())).unwrap();
        let got = serde_json::to_string(&update_message_json(&rx.update)).unwrap();
        let want = serde_json::to_string(&g["message"]).unwrap();
        if got != want {
            failures.push(format!(
                "{test} line {idx}\n  expected {want}\n  got      {got}"
            ));
        }
        n += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {n} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(n, 286);
}
