//! Golden bytes from ExaBGP's conformance suite: every UPDATE in
//! `../shared/conformance/encoding/*.msg` (read in place, never copied) whose
//! NLRIs are IPv4/IPv6 unicast/multicast must decode and re-encode byte for
//! byte. UPDATEs of the other families are counted and must round-trip
//! too. Skips with a message when the suite is absent.

use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::update::Update;
mod suite_updates;

use suite_updates::{contexts, hex, suite, updates};

#[test]
fn every_unicast_update_round_trips() {
    let Some(root) = suite() else {
        // conformance_suite has said why
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
