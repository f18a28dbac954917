//! Golden bytes from ExaBGP's conformance suite: every UPDATE in
//! `../shared/conformance/encoding/*.msg` (read in place, never copied) whose
//! NLRIs are IPv4/IPv6 unicast/multicast must decode and re-encode byte for
//! byte. UPDATEs of the other families are counted and must round-trip
//! too. Skips with a message when the suite is absent.

use ferrobgp_wire::family::Family;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::update::{Context, Update};
use std::path::{Path, PathBuf};

fn suite() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    p.join("encoding").is_dir().then_some(p)
}

/// (test name, config text, message bytes) of every `raw` UPDATE line.
fn updates(root: &Path) -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(root.join("encoding"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "msg"))
        .collect();
    names.sort();
    for msg in names {
        let name = msg.file_stem().unwrap().to_string_lossy().to_string();
        let ci = std::fs::read_to_string(msg.with_extension("ci")).unwrap_or_default();
        let mut conf = String::new();
        for c in ci.lines().next().unwrap_or("").split_whitespace() {
            conf += &std::fs::read_to_string(root.join("etc").join(c)).unwrap_or_default();
        }
        for line in std::fs::read_to_string(&msg).unwrap().lines() {
            let line = line.trim();
            if line.is_empty() || line.contains('#') || line.contains("notification:") {
                continue;
            }
            let line: String = line.replace(' ', "").to_lowercase();
            let mut parts = line.splitn(3, ':');
            let (_, kind, content) = match (parts.next(), parts.next(), parts.next()) {
                (Some(a), Some(b), Some(c)) => (a, b, c),
                _ => continue,
            };
            if kind != "raw" {
                continue;
            }
            let hex: String = content.chars().filter(|c| *c != ':').collect();
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            if bytes.len() >= 19 && bytes[18] == 2 {
                out.push((name.clone(), conf.clone(), bytes));
            }
        }
    }
    out
}

fn contexts(conf: &str) -> Vec<Context> {
    let asn4 = !conf.contains("asn4 disable");
    let mut plain = Context {
        asn4,
        ..Context::default()
    };
    plain.max_size = 65535;
    let mut addpath = plain.clone();
    for f in Family::ALL_KNOWN {
        addpath.addpath_rx.insert(f);
        addpath.addpath_tx.insert(f);
    }
    if conf.contains("add-path") {
        vec![addpath, plain]
    } else {
        vec![plain]
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

#[test]
fn every_unicast_update_round_trips() {
    let Some(root) = suite() else {
        eprintln!("SKIP: ../shared/conformance not found; conformance round trips not run");
        return;
    };
    let all = updates(&root);
    assert!(!all.is_empty());
    let (mut typed, mut other, mut eor) = (0, 0, 0);
    let mut failures = Vec::new();
    for (name, conf, msg) in &all {
        let body = &msg[19..];
        let mut ok = None;
        let mut last = String::new();
        for ctx in contexts(conf) {
            match Update::decode(body, &ctx) {
                Ok(rx) => {
                    let again = rx.update.to_message(&ctx).unwrap();
                    if again == *msg && rx.malformations.is_empty() {
                        ok = Some(rx);
                        break;
                    }
                    last = format!("re-encoded {} ({:?})", hex(&again), rx.malformations);
                }
                Err(e) => last = format!("decode error {e}"),
            }
        }
        let Some(rx) = ok else {
            failures.push(format!("{name}: {}\n   {last}", hex(msg)));
            continue;
        };
        let u = &rx.update;
        let nlris = u
            .withdrawn
            .iter()
            .chain(&u.nlri)
            .chain(u.mp_reach.iter().flat_map(|m| &m.nlri))
            .chain(u.mp_unreach.iter().flat_map(|m| &m.nlri));
        let mut other_family = false;
        for n in nlris {
            other_family |= !matches!(n, Nlri::Prefix(_));
        }
        if u.eor().is_some() {
            eor += 1;
        } else if other_family {
            other += 1;
        } else {
            typed += 1;
        }
    }
    eprintln!(
        "conformance UPDATEs: {} total, {typed} unicast/multicast, {eor} End-of-RIB, {other} other families, {} failed",
        all.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // the suite has 150 unicast/multicast UPDATEs and 67 End-of-RIB markers
    assert!(typed >= 150 && eor >= 67, "{typed} {eor}");
}
