//! Events built from real messages decoded by crates/wire: an UPDATE of
//! the conformance test api-rib and an End-of-RIB, through both encoders.

use ferrobgp_api::event::{Content, Direction, Event, PeerInfo};
use ferrobgp_api::from_wire;
use ferrobgp_api::json::{JsonEncoder, Origin};
use ferrobgp_api::text;
use ferrobgp_wire::message::Message;
use ferrobgp_wire::negotiated::Negotiated;
use serde_json::json;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| *c != ':').collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
fn peer() -> PeerInfo {
    PeerInfo {
        local_address: "127.0.0.1".parse().unwrap(),
        peer_address: "127.0.0.1".parse().unwrap(),
        local_as: 1,
        peer_as: 1,
        router_id: None,
    }
}
fn decode(h: &str) -> Message {
    Message::decode_bytes(&hex(h), 4096, &Negotiated::standalone()).unwrap()
}

#[test]
fn update_from_api_rib() {
    // api-rib.msg group 20: 192.168.0.1/32 next-hop 10.0.0.1 local-preference 100
    let m = decode("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0031:02:00000015400101004002004003040A0000014005040000006420C0A80001");
    let content = from_wire::content(&m).unwrap();
    let event = Event::Message {
        direction: Direction::Send,
        content,
        raw: None,
        negotiated: None,
    };
    let mut e = JsonEncoder::new(Origin {
        version: "5.0.0".into(),
        host: "h".into(),
        pid: 2,
        ppid: 1,
    });
    let line = e.encode(1.5, &peer(), &event);
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        v["neighbor"]["message"],
        json!({"update": {"attribute": {"origin": "igp", "local-preference": 100},
                          "announce": {"ipv4 unicast": {"10.0.0.1": [{"nlri": "192.168.0.1/32"}]}}}})
    );
    assert!(line.contains(r#""message": { "update": { "attribute": { "origin": "igp", "local-preference": 100 }, "announce": { "ipv4 unicast": { "10.0.0.1": [ { "nlri": "192.168.0.1/32" } ] } } } } } }"#), "{line}");
    assert_eq!(
        text::encode(&peer(), &event).unwrap(),
        "neighbor 127.0.0.1 send update start\n\
         neighbor 127.0.0.1 send update announced 192.168.0.1/32 next-hop 10.0.0.1 origin igp local-preference 100\n\
         neighbor 127.0.0.1 send update end\n"
    );
    // its withdrawal (group 21)
    let m = decode("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001C02000520C0A800010000");
    let event = Event::Message {
        direction: Direction::Send,
        content: from_wire::content(&m).unwrap(),
        raw: None,
        negotiated: None,
    };
    let v: serde_json::Value = serde_json::from_str(&e.encode(1.5, &peer(), &event)).unwrap();
    assert_eq!(
        v["neighbor"]["message"],
        json!({"update": {"withdraw": {"ipv4 unicast": [{"nlri": "192.168.0.1/32"}]}}})
    );
    assert_eq!(v["counter"], 2);
}

#[test]
fn end_of_rib_keepalive_and_negotiated() {
    let m = decode("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000");
    assert_eq!(
        from_wire::content(&m),
        Some(Content::Eor(ferrobgp_wire::Family::IPV4_UNICAST))
    );
    let m = decode("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0013:04");
    assert_eq!(from_wire::content(&m), Some(Content::Keepalive));
    let n = from_wire::negotiated(&Negotiated::standalone());
    // standalone() negotiates extended messages
    assert_eq!(n.message_size, 65535);
    assert_eq!(n.refresh, "absent");
    assert!(!n.families.is_empty());
}

#[test]
fn capabilities_text_lists_names_and_values() {
    // OPEN: AS 65000, hold 180, router id 10.0.0.1; multiprotocol ipv4 and
    // ipv6 unicast, asn4 65000, route-refresh
    let m = decode(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0039:01:04FDE800B40A000001:1C:\
         02060104000100010206010400020001020641040000FDE802020200",
    );
    let Some(Content::Open {
        capabilities_text, ..
    }) = from_wire::content(&m)
    else {
        panic!("not an OPEN");
    };
    // by capability code, as ExaBGP 5.0.15 lists them (the text encoder
    // lower-cases the line)
    assert_eq!(
        capabilities_text,
        "Multiprotocol(ipv4 unicast,ipv6 unicast), Route Refresh, ASN4(65000)"
    );
}
