//! Fuzzes the BGP message layer of ferrobgp-wire: the streaming framer and
//! message decoder (every message type, UPDATEs included), the OPEN and
//! capability decoders, and the hex-dump parser. Any input must give a
//! value or an error naming a NOTIFICATION, never a panic, and whatever
//! decodes must re-encode to something that decodes to the same value.
//!
//! The property lives in crates/wire/tests/msg_fuzz/mod.rs, which the
//! stable-toolchain harness crates/wire/tests/fuzz_replay.rs also runs
//! (over seeds, the conformance suite, this target's corpus and bounded
//! mutations). Bounded run, from fuzz/:
//!
//!   cargo +nightly fuzz run message_decoder -- -max_total_time=60 -max_len=4200
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/wire/tests/msg_fuzz/mod.rs"]
mod msg_fuzz;

fuzz_target!(|data: &[u8]| {
    msg_fuzz::check(data);
});
