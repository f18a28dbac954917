//! One valid NLRI field per family the wire crate decodes (values of the
//! conformance suite's messages and hand-built EVPN / RTC / BGP-LS ones),
//! the starting points of the NLRI property tests (`families_proptest.rs`,
//! `rfc7606_proptest.rs`): mutations of a valid field get decoders past
//! their first length checks.

#![allow(dead_code)]

use ferrobgp_wire::family::{Afi, Family, Safi};

/// Family and NLRI field (hex); the last two are families the crate keeps
/// as bytes.
pub const SEEDS: [(Family, &str); 23] = [
    (Family::IPV4_UNICAST, "180A0001"),
    (Family::IPV4_MULTICAST, "18E00001"),
    (Family::IPV6_UNICAST, "4020010DB800000000"),
    (Family::IPV6_MULTICAST, "80FF020000000000000000000000000001"),
    (Family::IPV4_NLRI_MPLS, "38C35011C6336464"),
    (Family::IPV6_NLRI_MPLS, "4000064120010DB800"),
    (Family::IPV4_MPLS_VPN, "71003E810000FDE8000000010A000000"),
    (Family::IPV6_MPLS_VPN, "88003E810000FDE80000000120010DB80000"),
    (Family::IPV4_FLOW, "0C0120C0A8000102200A000001"),
    (Family::IPV6_FLOW, "260180002A020B80001500007ACA39FFFEAEA87A02807800000000000000000000000000000001"),
    (Family::IPV4_FLOW_VPN, "0E0000FFFF0001000002200A000001"),
    (Family::IPV6_FLOW_VPN, "1B0000FFFF0001000002800000000000000000000000000000000001"),
    (Family::IPV4_MCAST_VPN, "06160000FDE80001869F0000FDE8200A63C70120EFFBFFE4"),
    (Family::IPV6_MCAST_VPN, "052A0000FDE80001869F80FD12000000000000000000000000000480FF0E0000000000000000000000000001"),
    (Family::IPV4_MUP, "0100031C000000640000006420C0A800020000303909200A000001200A000101"),
    (Family::IPV6_MUP, "0100041D0000006400000064A02001000000000000000000000000000100003039"),
    (Family::IPV4_RTC, "600000FDE80002FDE800000001"),
    (Family::L2VPN_VPLS, "00110001C0A8C901007B000500010008029CE1"),
    (Family::L2VPN_EVPN, "02280000FDE800000001001122334455667788990000006430001122334455200A0000010006410007D1"),
    (Family::BGP_LS, "000100270200000000000000000100001A020000040000FDE8020100040000000002030006000000000001"),
    (Family::BGP_LS_VPN, "0001002F0000FFFF000000010200000000000000000100001A020000040000FDE8020100040000000002030006000000000001"),
    (Family::new(Afi::IPV6, Safi::RTC), "600000FDE80002FDE800000001"),
    (Family::new(Afi::L2VPN, Safi(200)), "0102030405"),
];

pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The valid NLRI field of `family`.
pub fn seed(family: Family) -> Vec<u8> {
    let (_, hex) = SEEDS
        .iter()
        .find(|(f, _)| *f == family)
        .unwrap_or_else(|| panic!("no seed for {family}"));
    unhex(hex)
}
