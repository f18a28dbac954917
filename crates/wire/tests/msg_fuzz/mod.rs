//! The property the `message_decoder` fuzz target checks, shared by the
//! cargo-fuzz target (fuzz/fuzz_targets/message_decoder.rs includes this
//! file) and the stable-toolchain replay harness (tests/fuzz_replay.rs).
//!
//! For any bytes: the streaming framer, the message decoder, the OPEN and
//! capability decoders and the hex-dump parser return a value or an error
//! naming a NOTIFICATION, never panic; and whatever decodes, once encoded,
//! decodes again to the same value.

use ferrobgp_wire::capability::decode_list;
use ferrobgp_wire::hex::parse_messages;
use ferrobgp_wire::message::open::Open;
use ferrobgp_wire::message::{Framer, Message};
use ferrobgp_wire::negotiated::Negotiated;

fn same(a: &Message, b: &Message) -> bool {
    match (a, b) {
        (Message::Open(x), Message::Open(y)) => {
            let mut x = x.clone();
            x.extended_params = y.extended_params;
            &x == y
        }
        _ => a == b,
    }
}

/// Runs every decoder of this half over `data`; panics only when a
/// property is violated.
pub fn check(data: &[u8]) {
    let (first, rest) = data.split_first().unwrap_or((&0, &[]));
    let max = if first & 1 == 1 { 65535 } else { 4096 };
    let neg = if first & 2 == 2 {
        Negotiated::standalone_addpath()
    } else {
        Negotiated::standalone()
    };
    let chunk = usize::from(first >> 2) + 1;

    let mut framer = Framer::new(max);
    'stream: for piece in rest.chunks(chunk) {
        framer.feed(piece);
        loop {
            match framer.next_message(&neg) {
                Ok(Some(m)) => {
                    if let Ok(bytes) = m.encode(65535) {
                        let again = Message::decode_bytes(&bytes, 65535, &neg)
                            .expect("an encoded message decodes");
                        assert!(same(&m, &again), "{m:?} != {again:?}");
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    assert!(
                        e.notify().is_some(),
                        "decode error without NOTIFICATION: {e}"
                    );
                    break 'stream;
                }
            }
        }
    }

    if let Ok(open) = Open::decode(rest) {
        let mut body = Vec::new();
        if open.encode_body(&mut body).is_ok() {
            let again = Open::decode(&body).expect("an encoded OPEN decodes");
            assert!(same(&Message::Open(open), &Message::Open(again)));
        }
    }
    if let Ok(caps) = decode_list(rest) {
        let mut v = Vec::new();
        if caps.iter().try_for_each(|c| c.encode(&mut v)).is_ok() {
            assert_eq!(decode_list(&v).expect("encoded capabilities decode"), caps);
        }
    }
    let _ = parse_messages(&String::from_utf8_lossy(rest));
}
