//! Random NLRI fields of every family the wire crate decodes, in
//! MP_REACH_NLRI and MP_UNREACH_NLRI, with and without ADD-PATH, never
//! panic the UPDATE decoder and get the RFC 7606 verdict of their family
//! (property in `rfc7606_fuzz/mod.rs`, also run by the `family_nlri`
//! cargo-fuzz target). Inputs are random bytes, single-byte mutations and
//! truncations of a valid field per family (so that decoders get past
//! their length checks), a valid field followed by random bytes, and the
//! fuzz corpus left in fuzz/corpus/family_nlri.

mod nlri_seeds;
mod rfc7606_fuzz;

use ferrobgp_wire::nlri::Nlri;
use nlri_seeds::seed;
use proptest::prelude::*;
use rfc7606_fuzz::FAMILIES;
use std::path::PathBuf;

#[test]
fn seeds_decode_without_malformation_in_both_attributes() {
    for (i, &f) in FAMILIES.iter().enumerate() {
        let s = &seed(f);
        let mut out = Vec::new();
        Nlri::decode_all(f, s, false, &mut out).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(out.len(), 1, "{f}");
        assert_eq!(matches!(out[0], Nlri::Unknown(_)), i >= 21, "{f}");
        for unreach in [false, true] {
            let (body, _) = rfc7606_fuzz::update_with(f, unreach, s);
            let rx = ferrobgp_wire::update::Update::decode(&body, &Default::default())
                .unwrap_or_else(|e| panic!("{f}: {e}"));
            assert!(rx.malformations.is_empty(), "{f}: {:?}", rx.malformations);
            assert_eq!(rx.changes().len(), 1, "{f}");
            rfc7606_fuzz::check_family(f, false, unreach, s);
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
        let mut b = seed(FAMILIES[i]);
        let n = b.len();
        b[at % n] = v;
        b.truncate(n - cut % 4);
        rfc7606_fuzz::check_family(FAMILIES[i], addpath, unreach, &b);
        // the mutated NLRI between two valid ones
        let mut three = seed(FAMILIES[i]);
        three.extend(&b);
        three.extend(seed(FAMILIES[i]));
        rfc7606_fuzz::check_family(FAMILIES[i], false, unreach, &three);
    }

    #[test]
    fn valid_field_then_noise(i in 0usize..23, tail in proptest::collection::vec(any::<u8>(), 0..40), unreach: bool) {
        let mut b = seed(FAMILIES[i]);
        b.extend(tail);
        rfc7606_fuzz::check_family(FAMILIES[i], false, unreach, &b);
    }
}
