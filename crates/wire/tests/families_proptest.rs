//! Random input never panics any family's NLRI decoder, and what decodes
//! re-encodes to the same NLRIs (property in `families_fuzz/mod.rs`, also
//! the `family_nlri` cargo-fuzz target). Inputs are random bytes, and
//! random single-byte mutations of valid NLRIs of every family so that the
//! decoders get past their first length checks.

mod families_fuzz;
mod nlri_seeds;

use proptest::prelude::*;

#[test]
fn seeds_are_valid_and_typed() {
    for f in families_fuzz::FAMILIES {
        let s = &nlri_seeds::seed(f);
        let mut out = Vec::new();
        ferrobgp_wire::nlri::Nlri::decode_all(f, s, false, &mut out)
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(out.len(), 1, "{f}");
        assert!(!matches!(out[0], ferrobgp_wire::nlri::Nlri::Unknown(_)));
        families_fuzz::check_family(f, false, s);
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
        let mut b = nlri_seeds::seed(families_fuzz::FAMILIES[i]);
        let n = b.len();
        b[at % n] = v;
        b.truncate(n - cut % 4);
        families_fuzz::check_family(families_fuzz::FAMILIES[i], addpath, &b);
        // two NLRIs back to back
        let mut two = b.clone();
        two.extend(nlri_seeds::seed(families_fuzz::FAMILIES[i]));
        families_fuzz::check_family(families_fuzz::FAMILIES[i], false, &two);
    }
}
