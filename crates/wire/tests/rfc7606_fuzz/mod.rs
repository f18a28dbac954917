//! The RFC 7606 property of received NLRI fields, for every family the
//! wire crate decodes, shared by the proptest in `rfc7606_proptest.rs` and
//! the `family_nlri` cargo-fuzz target (fuzz/fuzz_targets/family_nlri.rs):
//! any bytes, put in the NLRI field of an MP_REACH_NLRI or MP_UNREACH_NLRI
//! of a complete UPDATE, give a session reset (3/9 with the attribute as
//! data) or a decoded UPDATE, never a panic; a field the strict decoder
//! accepts decodes to the same NLRIs with nothing malformed; a field it
//! refuses is a reset exactly when [`decode_field`] cannot delimit it;
//! NLRI-level verdicts are those of the family (treat-as-withdraw only for
//! FlowSpec, NLRI discard only for BGP-LS); treat-as-withdraw leaves no
//! announcement; what was kept re-encodes and decodes again with nothing
//! malformed; JSON and log lines render.
//!
//! The first input byte picks the family (low 5 bits, modulo the family
//! count), ADD-PATH (0x80) and MP_UNREACH (0x40); the rest is the field.

#![allow(dead_code)]

use ferrobgp_api::json::update::update_message_json;
use ferrobgp_wire::family::{Afi, Family, Safi};
use ferrobgp_wire::nlri::malformed::decode_field;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::NextHop;
use ferrobgp_wire::update::{Context, Update, Verdict};
use ferrobgp_wire::Error;
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Every family whose NLRIs the wire crate parses.
pub const FAMILIES: [Family; 23] = [
    Family::IPV4_UNICAST,
    Family::IPV4_MULTICAST,
    Family::IPV6_UNICAST,
    Family::IPV6_MULTICAST,
    Family::IPV4_NLRI_MPLS,
    Family::IPV6_NLRI_MPLS,
    Family::IPV4_MPLS_VPN,
    Family::IPV6_MPLS_VPN,
    Family::IPV4_FLOW,
    Family::IPV6_FLOW,
    Family::IPV4_FLOW_VPN,
    Family::IPV6_FLOW_VPN,
    Family::IPV4_MCAST_VPN,
    Family::IPV6_MCAST_VPN,
    Family::IPV4_MUP,
    Family::IPV6_MUP,
    Family::IPV4_RTC,
    Family::L2VPN_VPLS,
    Family::L2VPN_EVPN,
    Family::BGP_LS,
    Family::BGP_LS_VPN,
    // two families the crate keeps as bytes, as a control
    Family::new(Afi::IPV6, Safi::RTC),
    Family::new(Afi::L2VPN, Safi(200)),
];

/// The next hop an announcement of `family` carries in these tests.
pub fn next_hop(family: Family) -> NextHop {
    match (family.afi, family.safi) {
        (_, Safi::FLOW) | (_, Safi::FLOW_VPN) => NextHop::None,
        (Afi::IPV6, _) => NextHop::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
        _ => NextHop::V4(Ipv4Addr::new(192, 0, 2, 1)),
    }
}

/// An UPDATE body with ORIGIN, an empty AS_PATH and one MP_REACH_NLRI
/// (or MP_UNREACH_NLRI) of `family` whose NLRI field is `field`; returns
/// the body and the MP attribute's bytes.
pub fn update_with(family: Family, unreach: bool, field: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut value = Vec::new();
    value.extend_from_slice(&family.afi.0.to_be_bytes());
    value.push(family.safi.0);
    if !unreach {
        next_hop(family).encode_mp(family, &mut value);
        value.push(0);
    }
    value.extend_from_slice(field);
    let code = if unreach { 15 } else { 14 };
    let mut attr = vec![0x90, code];
    attr.extend_from_slice(&(value.len() as u16).to_be_bytes());
    attr.extend_from_slice(&value);
    let mut attrs = vec![0x40, 1, 1, 0, 0x40, 2, 0];
    attrs.extend_from_slice(&attr);
    let mut body = vec![0, 0];
    body.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    body.extend_from_slice(&attrs);
    (body, attr)
}

fn context(family: Family, addpath: bool) -> Context {
    let mut ctx = Context::default();
    if addpath {
        ctx.addpath_rx = BTreeSet::from([family]);
        ctx.addpath_tx = BTreeSet::from([family]);
    }
    ctx
}

/// Checks `field` as the NLRI field of `family`.
pub fn check_family(family: Family, addpath: bool, unreach: bool, field: &[u8]) {
    let ctx = context(family, addpath);
    let (body, attr) = update_with(family, unreach, field);
    let mut strict = Vec::new();
    let strict_ok = Nlri::decode_all(family, field, addpath, &mut strict).is_ok();
    let (mut lenient, mut skipped) = (Vec::new(), Vec::new());
    let framed = decode_field(family, field, addpath, &mut lenient, &mut skipped).is_ok();
    let rx = match Update::decode(&body, &ctx) {
        Err(Error::Malformed { notify, .. }) => {
            assert!(!framed, "{family}: reset although the field is delimited");
            assert_eq!((notify.code, notify.subcode), (3, 9), "{family}");
            assert_eq!(notify.data, attr, "{family}");
            return;
        }
        Err(e) => panic!("{family}: {e}"),
        Ok(rx) => rx,
    };
    assert!(
        framed,
        "{family}: accepted a field that cannot be delimited"
    );
    let nlri = match (&rx.update.mp_reach, &rx.update.mp_unreach) {
        (Some(r), None) if !unreach => &r.nlri,
        (None, Some(u)) if unreach => &u.nlri,
        other => panic!("{family}: {other:?}"),
    };
    assert_eq!(nlri, &lenient, "{family}");
    if strict_ok {
        assert_eq!(nlri, &strict, "{family}");
        assert!(
            rx.malformations.is_empty(),
            "{family}: {:?}",
            rx.malformations
        );
    } else {
        assert!(
            !skipped.is_empty(),
            "{family}: strict refusal but nothing skipped"
        );
    }
    for m in &rx.malformations {
        assert_eq!(m.family, Some(family));
        let expected = match family.safi {
            Safi::FLOW | Safi::FLOW_VPN => Verdict::TreatAsWithdraw,
            Safi::BGP_LS | Safi::BGP_LS_VPN => Verdict::NlriDiscard,
            _ => panic!("{family}: NLRI-level verdict {m}"),
        };
        assert_eq!(m.verdict, expected, "{family}");
        let _ = m.to_string();
    }
    if rx.treat_as_withdraw() {
        assert!(rx.changes().iter().all(|c| !c.is_announce()), "{family}");
    }
    assert_eq!(rx.changes().len(), nlri.len(), "{family}");
    let _ = update_message_json(&rx.update);
    // what was kept goes back on the wire and reads the same
    if nlri.iter().all(Nlri::encodable) {
        if let Ok(msg) = rx.update.to_message(&Context {
            max_size: 65535,
            ..ctx.clone()
        }) {
            let again = Update::decode(&msg[19..], &ctx)
                .unwrap_or_else(|e| panic!("{family}: re-encoded UPDATE: {e}"));
            assert!(again.malformations.is_empty(), "{family}");
            let back = match (&again.update.mp_reach, &again.update.mp_unreach) {
                (Some(r), _) => &r.nlri,
                (_, Some(u)) => &u.nlri,
                _ => panic!("{family}: MP attribute lost"),
            };
            assert_eq!(back, nlri, "{family}");
        }
    }
}

/// The whole property for one fuzz input.
pub fn check(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let family = FAMILIES[usize::from(sel & 0x1F) % FAMILIES.len()];
    check_family(family, sel & 0x80 != 0, sel & 0x40 != 0, rest);
}
