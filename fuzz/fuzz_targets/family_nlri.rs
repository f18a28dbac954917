//! Fuzzes the NLRI decoders of every family the wire crate parses. Two
//! properties get each input:
//!
//! * crates/wire/tests/families_fuzz/mod.rs: the NLRI decoders of the
//!   families beyond unicast (labelled, VPN, FlowSpec, MCAST-VPN, MUP, RTC,
//!   VPLS, EVPN, BGP-LS) and the Prefix-SID / BGP-LS attribute views never
//!   panic, and decoded NLRIs re-encode to the same NLRIs;
//! * crates/wire/tests/rfc7606_fuzz/mod.rs: the same bytes as the NLRI
//!   field of an MP_REACH_NLRI or MP_UNREACH_NLRI of a whole UPDATE, for
//!   all 21 parsed families (unicast, multicast and BGP-LS-VPN included)
//!   and two unparsed ones, get the RFC 7606 verdict of their family
//!   (session reset, treat-as-withdraw for FlowSpec, NLRI discard for
//!   BGP-LS) and never panic.
//!
//! The stable-toolchain proptests families_proptest.rs and
//! rfc7606_proptest.rs run the same properties. Bounded run, from fuzz/:
//!
//!   cargo +nightly fuzz run family_nlri -- -max_total_time=300 -max_len=600
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/wire/tests/families_fuzz/mod.rs"]
mod families_fuzz;

#[path = "../../crates/wire/tests/rfc7606_fuzz/mod.rs"]
mod rfc7606_fuzz;

fuzz_target!(|data: &[u8]| {
    families_fuzz::check(data);
    rfc7606_fuzz::check(data);
});
