//! What `ferrobgp decode` prints (the wire crate's `decode_hex_json`, the
//! function the binary calls, with the binary's default negotiated
//! context) for FlowSpec, EVPN and BGP-LS UPDATEs, against `exabgp decode
//! <hex>` of ExaBGP 5.0.15 run as oracle
//! (`tests/golden/decode_rfc_exabgp_5.0.15.jsonl`, the whole envelope
//! without the process facts exabgp / time / host / pid / ppid).
//!
//! The messages: FlowSpec rules laid out per RFC 8955 section 4.2 (the
//! examples of its section 4.3: 192.0.2.0/24 TCP port 25; 192.0.2.0/24
//! from 203.0.113.0/24 ports 137..139 or 8080; a fragment bitmask; and a
//! withdrawal) and RFC 8956 (IPv6 destination with offset 0, next header,
//! flow label), with traffic-rate and redirect actions; EVPN route types 1
//! to 5 laid out per RFC 7432 section 7 (IPv4 and IPv6 variants); BGP-LS
//! node, link, IPv4 / IPv6 prefix and SRv6 SID NLRIs and node / link /
//! prefix / SR attributes laid out per RFC 7752 section 3 and RFC 9085 /
//! RFC 9514; the forms real captures showed (RFC 9552: OSPF and IS-IS
//! pseudonode IGP Router-IDs, the OSPF Route Type of a prefix; RFC 7432: a
//! MAC with letters; RFC 6514: MCAST-VPN route types 1 and 3, which 5.0.15
//! does not parse). ExaBGP 5.0.15's `"router-id"` in the neighbor object is not
//! compared: the reference the project follows (spec 3.2) prints none.

mod oracle_common;

#[test]
fn decode_of_flowspec_evpn_bgpls_matches_exabgp() {
    assert_eq!(
        oracle_common::compare_with_exabgp("tests/golden/decode_rfc_exabgp_5.0.15.jsonl"),
        (31, 31)
    );
}
