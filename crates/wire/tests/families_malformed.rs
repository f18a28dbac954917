//! Malformed NLRI of the other families, per RFC 7606 section 7.11 / 5.3:
//! an MP_REACH_NLRI or MP_UNREACH_NLRI whose NLRI cannot be delimited or
//! has a length inconsistent with its family (a FlowSpec length overrunning
//! the attribute, a labelled prefix longer than its address, a truncated
//! VPLS or MUP NLRI) cannot be withdrawn reliably: session reset with UPDATE
//! Message Error / Optional Attribute Error (3/9) and the attribute as data.
//! (A FlowSpec rule malformed inside an intact length is treat-as-withdraw:
//! tests/rfc7606_families.rs.) A malformed Prefix-SID
//! (RFC 8669 section 6) or BGP-LS attribute (RFC 9552 section 8.2.2) never
//! resets: attribute discard. A withdrawal label 0x800000 ends a label
//! stack (RFC 8277 section 2.4).

use ferrobgp_api::json::update::update_message_json;
use ferrobgp_wire::error::Notify;
use ferrobgp_wire::nlri::label::WITHDRAW_LABEL;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::update::{Context, Update, Verdict};
use ferrobgp_wire::Error;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// An UPDATE body: ORIGIN, empty AS_PATH, LOCAL_PREF, then `extra`
/// attribute bytes.
fn body(extra: &str) -> Vec<u8> {
    let mut a = unhex("40010100 400200 40050400000064");
    a.extend(unhex(extra));
    let mut b = vec![0, 0];
    b.extend_from_slice(&(a.len() as u16).to_be_bytes());
    b.extend_from_slice(&a);
    b
}

/// An MP attribute (14 or 15) with `value`.
fn mp(code: u8, value: &str) -> String {
    let v = unhex(value);
    format!("80{code:02X}{:02X}{value}", v.len())
}

fn reset(b: &[u8]) -> Notify {
    match Update::decode(b, &Context::default()) {
        Err(Error::Malformed { notify, .. }) => notify,
        other => panic!("expected a session reset, got {other:?}"),
    }
}

#[test]
fn unparseable_family_nlri_resets_the_session() {
    for (what, attr) in [
        // flow: length overruns the attribute
        ("flow length", mp(15, "000185 10 0120")),
        // mpls-vpn: 40-bit IPv4 prefix
        (
            "vpn prefix too long",
            mp(
                14,
                "00018004 C0000201 00 B0 003E81 0000FDE800000001 0A00000000",
            ),
        ),
        // labelled: no bottom of stack
        ("label stack", mp(15, "000104 30 000010 000020")),
        // vpls: length field is not 17
        (
            "vpls length",
            mp(
                14,
                "00194104 C0000201 00 0010 0001C0A8C901007B000500010008029C",
            ),
        ),
        // mup: body shorter than its length
        ("mup truncated", mp(15, "000155 01 0001 0C 00000064")),
    ] {
        let n = reset(&body(&attr));
        assert_eq!((n.code, n.subcode), (3, 9), "{what}");
        assert_eq!(n.data, unhex(&attr), "{what}");
    }
}

#[test]
fn malformed_prefix_sid_is_discarded() {
    // Label-Index TLV of length 6 (must be 7), then a valid labelled route
    let b = body(&format!(
        "C02809 010006000000000003 {}",
        mp(14, "00010404C633640100 38C35011C6336464")
    ));
    let rx = Update::decode(&b, &Context::default()).unwrap();
    // RFC 8669 section 6: attribute discard
    assert_eq!(
        rx.malformations
            .iter()
            .map(|m| (m.verdict.clone(), m.attribute))
            .collect::<Vec<_>>(),
        [(Verdict::AttributeDiscard, Some(40))]
    );
    assert!(rx.update.attributes.other.is_empty());
    assert!(!rx.treat_as_withdraw());
    let j = update_message_json(&rx.update);
    assert!(
        j["update"]["attribute"].get("bgp-prefix-sid").is_none(),
        "{j}"
    );
    assert_eq!(
        j["update"]["announce"]["ipv4 nlri-mpls"]["198.51.100.1"][0]["nlri"],
        "198.51.100.100/32"
    );
}

#[test]
fn withdrawal_label_ends_the_stack() {
    // MP_UNREACH ipv4 nlri-mpls: 198.51.100.100/32 with label 0x800000
    let b = body(&mp(15, "000104 38800000C6336464"));
    let rx = Update::decode(&b, &Context::default()).unwrap();
    let u = rx.update.mp_unreach.as_ref().unwrap();
    let Nlri::Labelled(l) = &u.nlri[0] else {
        panic!("{:?}", u.nlri)
    };
    assert_eq!(l.labels.0, vec![WITHDRAW_LABEL]);
    assert_eq!(l.net.to_string(), "198.51.100.100/32");
    assert_eq!(
        rx.update.to_message(&Context::default()).unwrap()[19..],
        b[..]
    );
}

#[test]
fn flow_nlri_is_one_route_per_rule() {
    // two rules in one MP_REACH: two NLRIs, two route changes
    let b = body(&mp(14, "00018500 00 06 01200A000001 06 02200A000002"));
    let rx = Update::decode(&b, &Context::default()).unwrap();
    assert!(rx.malformations.is_empty());
    let ch = rx.changes();
    assert_eq!(ch.len(), 2);
    assert_eq!(
        ch[1].route().nlri.to_string(),
        "flow source-ipv4 10.0.0.2/32"
    );
    assert_ne!(ch[0].route().key(), ch[1].route().key());
}

#[test]
fn malformed_bgp_ls_attribute_is_discarded() {
    // TLV 1026 claims 9 bytes, 2 present
    let b = body(&format!(
        "801D06 04020009 4142 {}",
        mp(
            14,
            "40044704C0000201 00 000100270200000000000000000100001A020000040000FDE8020100040000000002030006000000000001"
        )
    ));
    let rx = Update::decode(&b, &Context::default()).unwrap();
    assert_eq!(rx.malformations.len(), 1);
    assert_eq!(rx.malformations[0].verdict, Verdict::AttributeDiscard);
    assert_eq!(rx.malformations[0].attribute, Some(29));
    assert!(rx.update.attributes.other.is_empty());
    assert_eq!(rx.changes().len(), 1);
}
