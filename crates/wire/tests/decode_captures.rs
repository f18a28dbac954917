//! `ferrobgp decode` (the wire crate's `decode_hex_json`, with the binary's
//! default negotiated context) on UPDATEs real networks sent, against
//! `exabgp decode <hex>` of ExaBGP 5.0.15
//! (`tests/golden/captures_ris_exabgp_5.0.15.jsonl`, recorded with
//! `qa/bin/decode-oracle`; the whole envelope without the process facts).
//!
//! The messages: RIPE NCC RIS MRT update dumps (BGP4MP_MESSAGE_AS4
//! records, sessions with 4-octet AS) of rrc15 (2010-02-27 16:10) and rrc03
//! (2010-02-27 16:00, its first 796 records), one UPDATE per distinct
//! combination of attribute codes, AS_PATH segment types, multiprotocol
//! families and withdrawn / NLRI presence: AS_SET segments, AGGREGATOR,
//! AS4_PATH / AS4_AGGREGATOR, ATOMIC_AGGREGATE, MED, long community lists,
//! extended communities, IPv6 MP_REACH with a link-local next hop,
//! MP_UNREACH, withdrawals. Source: RIPE NCC, Routing Information Service
//! (RIS), <https://data.ris.ripe.net/> (RIS data may be redistributed with
//! this attribution, RIPE NCC terms of use), via the byte-for-byte copies
//! in bgpkit-parser's `tests/fixtures/ripe` (MIT). Only the BGP messages are
//! kept, as hex.
//!
//! The families RIS does not carry, from another implementation: the 36
//! UPDATEs GoBGP 3.10.0 (`gobgpd`, the Debian package) sent over loopback
//! to `qa/bin/bgp-recorder` for the routes of
//! `tests/captures/gobgp-3.10.0/routes.sh` and `srv6-paths.py` with the
//! configuration `gobgpd.toml` next to them (`qa/bin/capture-gobgp`
//! records them again, byte for byte): RTC, VPNv4 / VPNv6, EVPN route
//! types 1 to 5, FlowSpec IPv4 / IPv6 and their VPN forms, BGP-MUP (SAFI
//! 85, all four route types, IPv4 and IPv6), SRv6 L3VPN (the BGP
//! Prefix-SID's SRv6 L3 Service TLV of RFC 9252 on VPNv4 / VPNv6 and on
//! the MUP ISD / DSD routes), withdrawals.
//! `tests/golden/captures_gobgp_exabgp_5.0.15.jsonl`: 20 equal to 5.0.15,
//! 16 where 5.0.15 is wrong, each with its reason (README.md, the table of
//! 5.0.15's decode errors). Labelled unicast (RFC 8277), which GoBGP did
//! not send, from BIRD 2.0.12 (`tests/captures/bird-2.0.12/bird.conf`,
//! recorded again by `qa/bin/capture-bird`): 5 UPDATEs (IPv4 and IPv6,
//! End-of-RIB markers, a withdrawal) in
//! `tests/golden/captures_bird_exabgp_5.0.15.jsonl`, all equal.
//!
//! SRv6 L3VPN and VPN from routers: 23 UPDATEs Cisco IOS XR 7.8 / 7.10
//! sent (VPNv4 and VPNv6 with SRv6 L3 Service TLVs, transposition, IPv6
//! next hops for VPNv4, large and extended communities, MPLS VPN, IPv4
//! unicast, withdrawals), one per distinct family, attribute set, next hop
//! length and 5.0.15 outcome of the 151 in the pcaps of Swisscom's pmacct
//! test suite (MIT; `tests/captures/iosxr/SOURCE.md`):
//! `tests/golden/captures_iosxr_exabgp_5.0.15.jsonl`, 9 equal to 5.0.15
//! and 14 where 5.0.15 is wrong.

mod oracle_common;

#[test]
fn decode_of_ris_captures_matches_exabgp() {
    assert_eq!(
        oracle_common::compare_with_exabgp("tests/golden/captures_ris_exabgp_5.0.15.jsonl"),
        (22, 22)
    );
}

#[test]
fn decode_of_gobgp_captures_matches_exabgp() {
    assert_eq!(
        oracle_common::compare("tests/golden/captures_gobgp_exabgp_5.0.15.jsonl"),
        oracle_common::Counts {
            equal: 20,
            differ: 16,
            helper: 36
        }
    );
}

#[test]
fn decode_of_bird_captures_matches_exabgp() {
    assert_eq!(
        oracle_common::compare_with_exabgp("tests/golden/captures_bird_exabgp_5.0.15.jsonl"),
        (5, 3)
    );
}

#[test]
fn decode_of_iosxr_captures_matches_exabgp() {
    assert_eq!(
        oracle_common::compare("tests/golden/captures_iosxr_exabgp_5.0.15.jsonl"),
        oracle_common::Counts {
            equal: 9,
            differ: 14,
            helper: 20
        }
    );
}
