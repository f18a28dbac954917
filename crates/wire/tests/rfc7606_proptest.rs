//! Random NLRI fields of every family the wire crate decodes, in
//! MP_REACH_NLRI and MP_UNREACH_NLRI, with and without ADD-PATH, never
//! panic the UPDATE decoder and get the RFC 7606 verdict of their family
//! (property in `rfc7606_fuzz/mod.rs`, also run by the `family_nlri`
//! cargo-fuzz target). Inputs are random bytes, single-byte mutations and
//! truncations of a valid field per family (so that decoders get past
//! their length checks), a valid field followed by random bytes, and the
//! fuzz corpus left in fuzz/corpus/family_nlri.

mod rfc7606_fuzz;

use ferrobgp_wire::nlri::Nlri;
use proptest::prelude::*;
use rfc7606_fuzz::FAMILIES;
use std::path::PathBuf;

/// One valid NLRI field per family of [`FAMILIES`].
const SEEDS: [&str; 23] = [
    "180A0001",
    "18E00001",
    "4020010DB800000000",
    "80FF020000000000000000000000000001",
    "38C35011C6336464",
    "4000064120010DB800",
    "71003E810000FDE8000000010A000000",
    "88003E810000FDE80000000120010DB80000",
    "0C0120C0A8000102200A000001",
    "260180002A020B80001500007ACA39FFFEAEA87A02807800000000000000000000000000000001",
    "0E0000FFFF0001000002200A000001",
    "1B0000FFFF0001000002800000000000000000000000000000000001",
    "06160000FDE80001869F0000FDE8200A63C70120EFFBFFE4",
    "052A0000FDE80001869F80FD12000000000000000000000000000480FF0E0000000000000000000000000001",
    "0100031C000000640000006420C0A800020000303909200A000001200A000101",
    "0100041D0000006400000064A02001000000000000000000000000000100003039",
    "600000FDE80002FDE800000001",
    "00110001C0A8C901007B000500010008029CE1",
    "02280000FDE800000001001122334455667788990000006430001122334455200A0000010006410007D1",
    "000100270200000000000000000100001A020000040000FDE8020100040000000002030006000000000001",
    "0001002F0000FFFF000000010200000000000000000100001A020000040000FDE8020100040000000002030006000000000001",
    "600000FDE80002FDE800000001",
    "0102030405",
];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

#[test]
fn seeds_decode_without_malformation_in_both_attributes() {
    for (i, s) in SEEDS.iter().enumerate() {
        let f = FAMILIES[i];
        let mut out = Vec::new();
        Nlri::decode_all(f, &unhex(s), false, &mut out).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(out.len(), 1, "{f}");
        assert_eq!(matches!(out[0], Nlri::Unknown(_)), i >= 21, "{f}");
        for unreach in [false, true] {
            let (body, _) = rfc7606_fuzz::update_with(f, unreach, &unhex(s));
            let rx = ferrobgp_wire::update::Update::decode(&body, &Default::default())
                .unwrap_or_else(|e| panic!("{f}: {e}"));
            assert!(rx.malformations.is_empty(), "{f}: {:?}", rx.malformations);
            assert_eq!(rx.changes().len(), 1, "{f}");
            rfc7606_fuzz::check_family(f, false, unreach, &unhex(s));
        }
    }
}

/// Every input the fuzzer kept, through this property too.
#[test]
fn fuzz_corpus_replays() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/family_nlri");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no corpus at {}: skipped", dir.display());
        return;
    };
    let mut n = 0;
    for e in entries.flatten().take(5000) {
        if let Ok(data) = std::fs::read(e.path()) {
            rfc7606_fuzz::check(&data);
            n += 1;
        }
    }
    eprintln!("{n} corpus inputs replayed");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn random_fields_never_panic(sel: u8, b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut data = vec![sel];
        data.extend(b);
        rfc7606_fuzz::check(&data);
    }

    #[test]
    fn mutated_seeds_get_their_family_verdict(
        i in 0usize..23,
        at: usize,
        v: u8,
        cut: usize,
        addpath: bool,
        unreach: bool,
    ) {
        let mut b = unhex(SEEDS[i]);
        let n = b.len();
        b[at % n] = v;
        b.truncate(n - cut % 4);
        rfc7606_fuzz::check_family(FAMILIES[i], addpath, unreach, &b);
        // the mutated NLRI between two valid ones
        let mut three = unhex(SEEDS[i]);
        three.extend(&b);
        three.extend(unhex(SEEDS[i]));
        rfc7606_fuzz::check_family(FAMILIES[i], false, unreach, &three);
    }

    #[test]
    fn valid_field_then_noise(i in 0usize..23, tail in proptest::collection::vec(any::<u8>(), 0..40), unreach: bool) {
        let mut b = unhex(SEEDS[i]);
        b.extend(tail);
        rfc7606_fuzz::check_family(FAMILIES[i], false, unreach, &b);
    }
}
