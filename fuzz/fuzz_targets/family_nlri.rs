//! Fuzzes the NLRI decoders of the families beyond unicast (labelled, VPN,
//! FlowSpec, MCAST-VPN, MUP, RTC, VPLS, EVPN, BGP-LS) and the Prefix-SID /
//! BGP-LS attribute views: never a panic, and decoded NLRIs re-encode to
//! the same NLRIs. The property lives in
//! crates/wire/tests/families_fuzz/mod.rs, which the stable-toolchain
//! proptest crates/wire/tests/families_proptest.rs also runs. Bounded run,
//! from fuzz/:
//!
//!   cargo +nightly fuzz run family_nlri -- -max_total_time=60 -max_len=600
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/wire/tests/families_fuzz/mod.rs"]
mod families_fuzz;

fuzz_target!(|data: &[u8]| {
    families_fuzz::check(data);
});
