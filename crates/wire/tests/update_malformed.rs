//! Every class of malformed UPDATE input has its exact RFC 7606 verdict
//! (attribute discard, treat-as-withdraw, or session reset with the
//! NOTIFICATION code/subcode/data), and random bytes never panic the
//! decoder.

use ferrobgp_wire::attribute::code;
use ferrobgp_wire::error::Notify;
use ferrobgp_wire::update::{Context, Received, Update, Verdict};
use ferrobgp_wire::Error;
use proptest::prelude::*;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// An UPDATE body with the given attribute bytes and NLRI 10.0.0.0/24.
fn body(attrs: &str) -> Vec<u8> {
    let a = unhex(attrs);
    let mut b = vec![0, 0];
    b.extend_from_slice(&(a.len() as u16).to_be_bytes());
    b.extend_from_slice(&a);
    b.extend_from_slice(&[24, 10, 0, 0]);
    b
}

const ORIGIN: &str = "40010100";
const AS_PATH: &str = "40020602010000FDE8";
const NEXT_HOP: &str = "400304C0000201";

fn ok(attrs: &str) -> Received {
    Update::decode(&body(attrs), &Context::default()).unwrap()
}

fn verdicts(rx: &Received) -> Vec<(Verdict, Option<u8>)> {
    rx.malformations
        .iter()
        .map(|m| (m.verdict.clone(), m.attribute))
        .collect()
}

fn reset(b: &[u8]) -> Notify {
    match Update::decode(b, &Context::default()) {
        Err(Error::Malformed { notify, .. }) => notify,
        other => panic!("expected a session reset, got {other:?}"),
    }
}

#[test]
fn well_formed_has_no_malformation() {
    let rx = ok(&format!("{ORIGIN}{AS_PATH}{NEXT_HOP}"));
    assert!(rx.malformations.is_empty());
    assert!(!rx.treat_as_withdraw());
    assert_eq!(rx.changes().len(), 1);
    assert!(rx.changes()[0].is_announce());
}

#[test]
fn treat_as_withdraw_attributes() {
    let base = format!("{AS_PATH}{NEXT_HOP}");
    let cases = [
        // ORIGIN: bad value, bad length (RFC 7606 7.1)
        (format!("40010103{base}"), code::ORIGIN),
        (format!("4001020000{base}"), code::ORIGIN),
        // AS_PATH: unknown segment type, zero-length segment, overrun (7.2)
        (format!("{ORIGIN}40020405010001{NEXT_HOP}"), code::AS_PATH),
        (format!("{ORIGIN}4002020200{NEXT_HOP}"), code::AS_PATH),
        (format!("{ORIGIN}400204020200FD{NEXT_HOP}"), code::AS_PATH),
        // NEXT_HOP length (7.3)
        (format!("{ORIGIN}{AS_PATH}400303C00002"), code::NEXT_HOP),
        // MED, LOCAL_PREF length (7.4, 7.5)
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}800403000001"),
            code::MED,
        ),
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}40050500000000FF"),
            code::LOCAL_PREF,
        ),
        // COMMUNITIES length 0 / not multiple of 4 (7.8)
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}C00800"),
            code::COMMUNITIES,
        ),
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}C00803010203"),
            code::COMMUNITIES,
        ),
        // ORIGINATOR_ID, CLUSTER_LIST (7.9, 7.10)
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}8009050102030405"),
            code::ORIGINATOR_ID,
        ),
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}800A03010203"),
            code::CLUSTER_LIST,
        ),
        // EXTENDED_COMMUNITIES (7.14), LARGE_COMMUNITY (RFC 8092 6)
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}C0100401020304"),
            code::EXTENDED_COMMUNITIES,
        ),
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}C0200401020304"),
            code::LARGE_COMMUNITY,
        ),
        // flags conflicting with the type code (RFC 7606 3(c)): MED sent
        // as well-known
        (
            format!("{ORIGIN}{AS_PATH}{NEXT_HOP}40040400000001"),
            code::MED,
        ),
    ];
    for (attrs, c) in cases {
        let rx = ok(&attrs);
        assert_eq!(
            verdicts(&rx),
            [(Verdict::TreatAsWithdraw, Some(c))],
            "{attrs}"
        );
        assert!(rx.treat_as_withdraw());
        let changes = rx.changes();
        assert_eq!(changes.len(), 1);
        assert!(!changes[0].is_announce(), "{attrs}");
    }
}

#[test]
fn missing_well_known_is_treat_as_withdraw() {
    let rx = ok(&format!("{AS_PATH}{NEXT_HOP}"));
    assert_eq!(
        verdicts(&rx),
        [(Verdict::TreatAsWithdraw, Some(code::ORIGIN))]
    );
    let rx = ok(&format!("{ORIGIN}{NEXT_HOP}"));
    assert_eq!(
        verdicts(&rx),
        [(Verdict::TreatAsWithdraw, Some(code::AS_PATH))]
    );
    let rx = ok(&format!("{ORIGIN}{AS_PATH}"));
    assert_eq!(
        verdicts(&rx),
        [(Verdict::TreatAsWithdraw, Some(code::NEXT_HOP))]
    );
    // no NLRI: nothing is mandatory
    let b = unhex("0000 0000");
    assert!(Update::decode(&b, &Context::default())
        .unwrap()
        .malformations
        .is_empty());
}

#[test]
fn attribute_discard_attributes() {
    let base = format!("{ORIGIN}{AS_PATH}{NEXT_HOP}");
    let cases = [
        // ATOMIC_AGGREGATE with a value (7.6), AGGREGATOR length (7.7)
        (format!("{base}40060101"), code::ATOMIC_AGGREGATE),
        (format!("{base}C007050102030405"), code::AGGREGATOR),
        // AIGP not one type-1 TLV (RFC 7311)
        (format!("{base}801A0302000B"), code::AIGP),
        // repeated attribute: the first is kept (RFC 7606 3(g))
        (format!("{base}40010102"), code::ORIGIN),
    ];
    for (attrs, c) in cases {
        let rx = ok(&attrs);
        assert_eq!(
            verdicts(&rx),
            [(Verdict::AttributeDiscard, Some(c))],
            "{attrs}"
        );
        assert!(!rx.treat_as_withdraw());
        assert!(rx.changes()[0].is_announce());
    }
    // the first ORIGIN (IGP) is the one kept
    let rx = ok(&format!("{base}40010102"));
    assert_eq!(
        rx.update.attributes.origin,
        Some(ferrobgp_wire::attribute::Origin::Igp)
    );
}

#[test]
fn local_pref_from_ebgp_is_discarded() {
    let ctx = Context {
        peer_as: 65001,
        ..Context::default()
    };
    let b = body(&format!("{ORIGIN}{AS_PATH}{NEXT_HOP}40050400000064"));
    let rx = Update::decode(&b, &ctx).unwrap();
    assert_eq!(
        verdicts(&rx),
        [(Verdict::AttributeDiscard, Some(code::LOCAL_PREF))]
    );
    assert_eq!(rx.update.attributes.local_pref, None);
    // iBGP keeps it
    assert_eq!(
        ok(&format!("{ORIGIN}{AS_PATH}{NEXT_HOP}40050400000064"))
            .update
            .attributes
            .local_pref,
        Some(100)
    );
}

#[test]
fn malformed_as4_path_is_discarded_for_old_speakers() {
    let ctx = Context {
        asn4: false,
        ..Context::default()
    };
    let b = body(&format!("{ORIGIN}400204020100FF{NEXT_HOP}C0110302 01 00"));
    let rx = Update::decode(&b, &ctx).unwrap();
    assert_eq!(
        verdicts(&rx),
        [(Verdict::AttributeDiscard, Some(code::AS4_PATH))]
    );
}

#[test]
fn session_resets() {
    // body shorter than the two length fields
    assert_eq!(reset(&[0, 0, 0]), Notify::new(3, 1, vec![]));
    // withdrawn length past the end
    assert_eq!(reset(&unhex("0010 0000")), Notify::new(3, 1, vec![]));
    // total path attribute length past the end
    assert_eq!(reset(&unhex("0000 0010 400101")), Notify::new(3, 1, vec![]));
    // invalid prefix in the withdrawn routes / NLRI fields: 3/10
    assert_eq!(reset(&unhex("0002 2101 0000")), Notify::new(3, 10, vec![]));
    let mut b = body(&format!("{ORIGIN}{AS_PATH}{NEXT_HOP}"));
    b.extend_from_slice(&[33, 1, 2, 3, 4, 5]);
    assert_eq!(reset(&b), Notify::new(3, 10, vec![]));
    // MP_REACH with a next-hop length that fits no form: 3/9 with the
    // attribute as data
    let mp = "800E0A 0002 01 03 010203 00 00 00";
    let b = unhex(&format!("0000 000D {mp}"));
    let n = reset(&b);
    assert_eq!((n.code, n.subcode), (3, 9));
    assert_eq!(n.data, unhex(mp)[..13].to_vec());
    // MP_UNREACH with a broken prefix
    let b = unhex("0000 0008 800F05 000201 81 00");
    assert_eq!((reset(&b).code, reset(&b).subcode), (3, 9));
    // MP_REACH twice: 3/1
    let one = "800E09 000101 04C0000201 00";
    let b = unhex(&format!("0000 0018 {one}{one}"));
    assert_eq!(reset(&b), Notify::new(3, 1, vec![]));
    // an attribute overrunning the attributes before any NLRI is known
    let b = unhex("0000 0004 40010500");
    assert_eq!(reset(&b), Notify::new(3, 1, vec![]));
}

#[test]
fn overrun_with_known_nlri_is_treat_as_withdraw() {
    let rx = ok(&format!("{ORIGIN}{AS_PATH}{NEXT_HOP}C00810"));
    assert!(rx.treat_as_withdraw());
    assert_eq!(verdicts(&rx), [(Verdict::TreatAsWithdraw, None)]);
}

#[test]
fn unknown_attributes_are_kept() {
    let rx = ok(&format!("{ORIGIN}{AS_PATH}{NEXT_HOP}E01C020102"));
    assert!(rx.malformations.is_empty());
    let raw = &rx.update.attributes.other[0];
    assert_eq!(
        (raw.code, raw.flags, &*raw.value),
        (0x1C, 0xE0, &[1u8, 2][..])
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200), asn4: bool, addpath: bool) {
        let mut ctx = Context { asn4, ..Context::default() };
        if addpath {
            for f in ferrobgp_wire::family::Family::ALL_KNOWN {
                ctx.addpath_rx.insert(f);
            }
        }
        if let Ok(rx) = Update::decode(&b, &ctx) {
            let _ = rx.changes();
            let _ = rx.update.to_message(&ctx);
        }
    }

    /// Structured garbage: valid framing, random attribute bytes.
    #[test]
    fn random_attributes_never_panic(a in proptest::collection::vec(any::<u8>(), 0..120), n in proptest::collection::vec(any::<u8>(), 0..20)) {
        let mut b = vec![0, 0];
        b.extend_from_slice(&(a.len() as u16).to_be_bytes());
        b.extend_from_slice(&a);
        b.extend_from_slice(&n);
        let ctx = Context::default();
        if let Ok(rx) = Update::decode(&b, &ctx) {
            let _ = rx.changes();
            if rx.malformations.is_empty() {
                // what decodes cleanly re-decodes to the same value
                if let Ok(again) = rx.update.to_message(&ctx) {
                    let rx2 = Update::decode(&again[19..], &ctx).unwrap();
                    prop_assert_eq!(rx2.update, rx.update);
                }
            }
        }
    }
}
