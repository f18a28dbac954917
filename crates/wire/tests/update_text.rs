//! The text encoder's UPDATE lines (spec 3.5) for every family, checked
//! byte for byte against ExaBGP 5.0.15 as oracle.
//!
//! How the goldens were recorded: ExaBGP 5.0.15 in a venv; each message was
//! decoded by ExaBGP's own `exabgp decode` path (same negotiated context:
//! every family, ASN4, add-path send/receive for every family when the
//! test's configuration uses add-path, as `exabgp decode -i` does) and
//! rendered by ExaBGP's text encoder (`Response.Text("5.0.0").update(...)`
//! with direction `receive`, what a helper with `encoder text;` and
//! `receive { parsed; update; }` reads).
//!
//! * `tests/golden/suite_update_text_exabgp_5.0.15.jsonl`: every UPDATE of
//!   the conformance suite (by test name and index of its raw line; the
//!   message is read from `../shared/conformance` in place, skipped when
//!   absent), except conf-no-asn4 (the oracle decodes it as ASN4) and
//!   conf-flow line 5 (ExaBGP 5.0.15 cannot decode its IPv6 FlowSpec
//!   prefix-with-offset: the NLRI is lost and its event has no line);
//! * `tests/golden/handbuilt_update_text_exabgp_5.0.15.jsonl`: messages built
//!   for this test (EVPN, BGP-LS NLRIs and every BGP-LS attribute TLV
//!   rendered, RTC, flow actions, IPv6 extended communities, PMSI tunnels,
//!   Prefix-SID forms, VPN / labelled / FlowSpec withdrawals, BGP-LS-VPN,
//!   ...), with their bytes.

use ferrobgp_api::json::update::update_text_lines;
use ferrobgp_wire::family::Family;
use ferrobgp_wire::update::{Context, Update};
use serde_json::Value;
use std::path::Path;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
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
            c.addpath_tx.insert(f);
        }
    }
    c
}

/// The whole text event as the api crate assembles it (crates/api
/// src/text.rs) for peer 127.0.0.1, direction receive, no packets.
fn event(msg: &[u8], addpath: bool) -> String {
    let rx = Update::decode(&msg[19..], &ctx(addpath)).unwrap();
    let prefix = "neighbor 127.0.0.1 receive update";
    let mut s = format!("{prefix} start\n");
    for l in update_text_lines(&rx.update) {
        s.push_str(&format!("{prefix} {l}\n"));
    }
    s.push_str(&format!("{prefix} end\n"));
    s
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
                (Some(_), Some("raw"), Some(h)) => Some(unhex(h)),
                _ => None,
            }
        })
        .collect()
}

fn golden(file: &str) -> Vec<Value> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(file);
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn suite_update_text_matches_exabgp() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/encoding");
    if !root.is_dir() {
        ferrobgp_testkit::skip(
            module_path!(),
            "../shared/conformance not found; UPDATE text goldens not checked",
        );
        return;
    }
    let all = golden("suite_update_text_exabgp_5.0.15.jsonl");
    let mut failures = Vec::new();
    for g in &all {
        let test = g["test"].as_str().unwrap();
        let idx = g["line"].as_u64().unwrap() as usize;
        let addpath = g["addpath"].as_bool().unwrap();
        let want = g["text"].as_str().unwrap();
        let msg = &suite_raws(&root, test)[idx];
        let got = event(msg, addpath);
        if got != want {
            failures.push(format!(
                "{test} line {idx}\n  expected {want:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    assert_eq!(all.len(), 298);
}

#[test]
fn handbuilt_update_text_matches_exabgp() {
    let all = golden("handbuilt_update_text_exabgp_5.0.15.jsonl");
    let mut failures = Vec::new();
    for g in &all {
        let case = g["case"].as_str().unwrap();
        let addpath = g["addpath"].as_bool().unwrap();
        let want = g["text"].as_str().unwrap();
        let mut got = event(&unhex(g["hex"].as_str().unwrap()), addpath);
        if case == "unicast-full" {
            // the one known difference: ExaBGP drops a received AIGP unless
            // the neighbor enables it (its decode template does not), this
            // crate's rendering has no neighbor configuration and shows it
            assert!(got.contains(" aigp 12345 "), "{got}");
            got = got.replace(" aigp 12345 ", " ");
        }
        if got != want {
            failures.push(format!("{case}\n  expected {want:?}\n  got      {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    assert_eq!(all.len(), 80);
}
