//! The property every family's NLRI decoder must hold, shared by the
//! proptest in `families_proptest.rs` and the `family_nlri` cargo-fuzz
//! target (fuzz/fuzz_targets/family_nlri.rs): for any bytes, decoding the
//! NLRI field of any typed family gives NLRIs or an error, never a panic;
//! what decodes re-encodes to bytes that decode to the same NLRIs; their
//! JSON and text renderings never panic. The first byte of the input picks
//! the family and add-path, the rest is the NLRI field. The Prefix-SID and
//! BGP-LS attribute views are fed the same bytes.

#![allow(dead_code)]

use ferrobgp_api::json::update::nlri_json_at;
use ferrobgp_wire::attribute::PrefixSid;
use ferrobgp_wire::family::Family;
use ferrobgp_wire::nlri::Nlri;

/// The typed families beyond unicast.
pub const FAMILIES: [Family; 16] = [
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
];

/// Checks `field` as the NLRI field of `family`.
pub fn check_family(family: Family, addpath: bool, field: &[u8]) {
    let mut out = Vec::new();
    if Nlri::decode_all(family, field, addpath, &mut out).is_err() {
        return;
    }
    let mut again = Vec::new();
    for n in &out {
        assert_eq!(n.family(), family, "{n}");
        assert!(n.encodable(), "{n}");
        let before = again.len();
        n.encode(&mut again, addpath);
        assert_eq!(again.len() - before, n.wire_len(addpath), "{n}");
        let _ = n.to_string();
        let _ = nlri_json_at(n, Some("192.0.2.1"));
        let _ = nlri_json_at(n, None);
        let _ = n.key();
    }
    let mut back = Vec::new();
    Nlri::decode_all(family, &again, addpath, &mut back)
        .unwrap_or_else(|e| panic!("{family}: re-encoded NLRIs do not decode: {e}"));
    assert_eq!(back, out, "{family}");
}

/// The whole property for one fuzz input.
pub fn check(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let family = FAMILIES[usize::from(sel & 0x0F)];
    check_family(family, sel & 0x80 != 0, rest);
    if let Ok(p) = PrefixSid::parse(rest) {
        let _ = ferrobgp_api::json::nlri::prefix_sid_json(&p);
        assert_eq!(PrefixSid::parse(&p.encode()).as_ref(), Ok(&p));
    }
    let _ = ferrobgp_api::json::bgp_ls::json(rest);
}
