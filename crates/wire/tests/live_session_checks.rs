//! The UPDATE checks of RFC 4271 6.3 that apply on a live session (the
//! decoding context knows our address), RFC 7606 7.15, and the reported
//! view of a treat-as-withdraw UPDATE.

use ferrobgp_wire::update::{Context, Update, Verdict};
use ferrobgp_wire::Error;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// An UPDATE body with these attributes and NLRI field.
fn body(attrs: &str, nlri: &str) -> Vec<u8> {
    let (a, n) = (unhex(attrs), unhex(nlri));
    let mut b = vec![0, 0];
    b.extend_from_slice(&(a.len() as u16).to_be_bytes());
    b.extend_from_slice(&a);
    b.extend_from_slice(&n);
    b
}

const CLEAN: &str = "40010100 400200 400304C0000201 40050400000064";

fn live() -> Context {
    Context {
        local_address: Some("192.0.2.9".parse().unwrap()),
        ..Context::default()
    }
}

#[test]
fn unrecognized_well_known_attribute_is_3_2_with_the_attribute() {
    let b = body(&format!("{CLEAN} 40F0020102"), "180A6300");
    match Update::decode(&b, &live()) {
        Err(Error::Malformed { notify, .. }) => {
            assert_eq!((notify.code, notify.subcode), (3, 2));
            assert_eq!(notify.data, unhex("40F0020102"));
        }
        other => panic!("expected 3/2, got {other:?}"),
    }
    // offline decoding shows it, as ExaBGP's decoder does
    let rx = Update::decode(&b, &Context::default()).unwrap();
    assert!(rx.malformations.is_empty());
    // an optional one is not "well-known"; a known one with a wrong flag is
    // a flags error (treat-as-withdraw), not 3/2
    let rx = Update::decode(&body(&format!("{CLEAN} C0F0020102"), "180A6300"), &live()).unwrap();
    assert!(rx.malformations.is_empty());
    let rx = Update::decode(
        &body("40010100 400200 400304C0000201 400404 00000001", "180A6300"),
        &live(),
    )
    .unwrap();
    assert_eq!(rx.verdict(), Some(&Verdict::TreatAsWithdraw));
}

#[test]
fn multicast_prefixes_are_left_out_of_the_unicast_nlri() {
    // 224.1.0.0/16, 10.98.0.0/24, 239.0.0.0/8
    let b = body(CLEAN, "10E001 180A6200 08EF");
    let rx = Update::decode(&b, &live()).unwrap();
    let kept: Vec<String> = rx.update.nlri.iter().map(|n| n.to_string()).collect();
    assert_eq!(kept, ["10.98.0.0/24"]);
    assert_eq!(rx.verdict(), Some(&Verdict::NlriDiscard));
    assert_eq!(rx.malformations.len(), 2);
    // 0.0.0.0/0 and 192.0.0.0/2 are not multicast prefixes
    let rx = Update::decode(&body(CLEAN, "00 02C0"), &live()).unwrap();
    assert_eq!(rx.update.nlri.len(), 2);
    assert!(rx.malformations.is_empty());
}

#[test]
fn ipv6_extended_communities_of_a_bad_length_are_treat_as_withdraw() {
    let v = "0002 20010DB8000000000000000000000001 00";
    let b = body(&format!("{CLEAN} C01913 {v}"), "180A6300");
    let rx = Update::decode(&b, &Context::default()).unwrap();
    assert_eq!(rx.verdict(), Some(&Verdict::TreatAsWithdraw));
    assert_eq!(rx.malformations[0].attribute, Some(25));
    // taken rather than copied, the same view: its routes withdrawn
    let taken = rx.clone().into_reported();
    assert_eq!(taken, *rx.reported());
    assert!(taken.nlri.is_empty() && taken.mp_reach.is_none() && taken.next_hop.is_none());
    let ok = format!("{CLEAN} C01914 0002 20010DB8000000000000000000000001 0001");
    let rx = Update::decode(&body(&ok, "180A6300"), &Context::default()).unwrap();
    assert!(rx.malformations.is_empty(), "{:?}", rx.malformations);
}

#[test]
fn the_reported_view_keeps_a_clean_update_as_it_is() {
    let rx = Update::decode(&body(CLEAN, "180A6300"), &live()).unwrap();
    assert_eq!(*rx.reported(), rx.update);
    assert_eq!(rx.clone().into_reported(), rx.update);
}

#[test]
fn a_next_hop_equal_to_our_address_withdraws_the_nlri_field() {
    // CLEAN's NEXT_HOP is 192.0.2.1; we are 192.0.2.1, the peer 192.0.2.2
    let ctx = Context {
        local_address: Some("192.0.2.1".parse().unwrap()),
        peer_address: Some("192.0.2.2".parse().unwrap()),
        ..Context::default()
    };
    let rx = Update::decode(&body(CLEAN, "180A6300 180A6400"), &ctx).unwrap();
    assert!(rx.update.nlri.is_empty());
    let gone: Vec<String> = rx.update.withdrawn.iter().map(|n| n.to_string()).collect();
    assert_eq!(gone, ["10.99.0.0/24", "10.100.0.0/24"]);
    assert_eq!(rx.verdict(), Some(&Verdict::NlriDiscard));
    assert_eq!(rx.malformations[0].attribute, Some(3));
    // another next hop is kept
    let other = CLEAN.replace("C0000201", "C0000203");
    let rx = Update::decode(&body(&other, "180A6300"), &ctx).unwrap();
    assert_eq!(rx.update.nlri.len(), 1);
    assert!(rx.malformations.is_empty());
    // on one host (the peer's address is ours) its next hop is its own
    let same = Context {
        peer_address: Some("192.0.2.1".parse().unwrap()),
        ..ctx.clone()
    };
    let rx = Update::decode(&body(CLEAN, "180A6300"), &same).unwrap();
    assert_eq!(rx.update.nlri.len(), 1);
    assert!(rx.malformations.is_empty());
    // nor when the peer's address is not known
    let unknown = Context {
        peer_address: None,
        ..ctx.clone()
    };
    let rx = Update::decode(&body(CLEAN, "180A6300"), &unknown).unwrap();
    assert_eq!(rx.update.nlri.len(), 1);
    // offline decoding (ferrobgp decode) does not know an address of ours
    let rx = Update::decode(&body(CLEAN, "180A6300"), &Context::default()).unwrap();
    assert_eq!(rx.update.nlri.len(), 1);
}
