//! Random input never panics any family's NLRI decoder, and what decodes
//! re-encodes to the same NLRIs (property in `families_fuzz/mod.rs`, also
//! the `family_nlri` cargo-fuzz target). Inputs are random bytes, and
//! random single-byte mutations of valid NLRIs of every family so that the
//! decoders get past their first length checks.

mod families_fuzz;

use ferrobgp_wire::family::Family;
use proptest::prelude::*;

/// One valid NLRI field per family of [`families_fuzz::FAMILIES`] (values
/// of the conformance suite and hand-built EVPN / RTC / BGP-LS ones).
const SEEDS: [&str; 16] = [
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
];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

#[test]
fn seeds_are_valid_and_typed() {
    for (i, s) in SEEDS.iter().enumerate() {
        let f: Family = families_fuzz::FAMILIES[i];
        let mut out = Vec::new();
        ferrobgp_wire::nlri::Nlri::decode_all(f, &unhex(s), false, &mut out)
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(out.len(), 1, "{f}");
        assert!(!matches!(out[0], ferrobgp_wire::nlri::Nlri::Unknown(_)));
        families_fuzz::check_family(f, false, &unhex(s));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_bytes_never_panic(sel: u8, b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut data = vec![sel];
        data.extend(b);
        families_fuzz::check(&data);
    }

    #[test]
    fn mutated_seeds_never_panic(i in 0usize..16, at: usize, v: u8, cut: usize, addpath: bool) {
        let mut b = unhex(SEEDS[i]);
        let n = b.len();
        b[at % n] = v;
        b.truncate(n - cut % 4);
        families_fuzz::check_family(families_fuzz::FAMILIES[i], addpath, &b);
        // two NLRIs back to back
        let mut two = b.clone();
        two.extend(unhex(SEEDS[i]));
        families_fuzz::check_family(families_fuzz::FAMILIES[i], false, &two);
    }
}
