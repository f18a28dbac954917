//! Events built from real messages decoded by crates/wire: an UPDATE of
//! the conformance test api-rib and an End-of-RIB, through both encoders.

use ferrobgp_api::event::{Content, Direction, Event, PeerInfo};
use ferrobgp_api::from_wire;
use ferrobgp_api::json::{Envelope, JsonEncoder};
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
    let content = from_wire::content(m.clone()).unwrap();
    let event = Event::Message {
        direction: Direction::Send,
        content,
        raw: None,
        negotiated: None,
    };
    let mut e = JsonEncoder::new(Envelope {
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
        content: from_wire::content(m.clone()).unwrap(),
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
        from_wire::content(m.clone()),
        Some(Content::Eor(ferrobgp_wire::Family::IPV4_UNICAST))
    );
    let m = decode("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0013:04");
    assert_eq!(from_wire::content(m.clone()), Some(Content::Keepalive));
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
    }) = from_wire::content(m.clone())
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

/// The `"message"` value and the text lines a helper gets for a received
/// message decoded on a live session from 127.0.0.1 to the peer 127.0.0.2.
fn received(h: &str) -> (serde_json::Value, Vec<String>) {
    received_from(h, "127.0.0.2")
}

/// As [`received`], from the peer `peer`.
fn received_from(h: &str, peer: &str) -> (serde_json::Value, Vec<String>) {
    let m = from_wire::decode_at(
        &hex(h),
        None,
        Some("127.0.0.1".parse().unwrap()),
        Some(peer.parse().unwrap()),
    )
    .expect("decodes");
    match from_wire::content(m.clone()) {
        Some(Content::Update(u)) => (u.json().clone(), u.text().to_vec()),
        other => panic!("not an update: {other:?}"),
    }
}

const M: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

/// RFC 7606 treat-as-withdraw (MED of 3 bytes): the helper is told the
/// routes are withdrawn, with ExaBGP 5.0.15's marker (the JSON it wrote for
/// the same bytes, from the RFC corpus case `attr-med-bad-length`).
#[test]
fn treat_as_withdraw_is_reported_as_a_withdraw() {
    let (json, text) = received(&format!(
        "{M}:0036:02:0000001B40010100400200400304C000020140050400000064800403000001180A6300"
    ));
    assert_eq!(
        json,
        json!({ "update": {
            "attribute": { "origin": "igp", "local-preference": 100, "error": "treat-as-withdraw" },
            "withdraw": { "ipv4 unicast": [ { "nlri": "10.99.0.0/24" } ] }
        } })
    );
    assert_eq!(text, ["withdrawn 10.99.0.0/24"]);
    // an MP_REACH_NLRI route too, after those of the NLRI field (a missing
    // ORIGIN)
    let (json, _) = received(&format!(
        "{M}:0042:02:00000027400200400304C0000201 800E1A00020110 20010DB8000000000000000000000001 002020010DB8 180A6300"
    ).replace(' ', ""));
    assert_eq!(
        json["update"]["withdraw"],
        json!({ "ipv4 unicast": [ { "nlri": "10.99.0.0/24" } ], "ipv6 unicast": [ { "nlri": "2001:db8::/32" } ] })
    );
    assert!(json["update"].get("announce").is_none());
}

/// RFC 7606 attribute discard (ATOMIC_AGGREGATE of 1 byte): the route
/// without it, and ExaBGP's `"error": "discard"`.
#[test]
fn attribute_discard_is_reported_without_the_attribute() {
    let (json, text) = received(&format!(
        "{M}:0034:02:0000001940010100400200400304C00002014005040000006440060100180A6300"
    ));
    assert_eq!(
        json,
        json!({ "update": {
            "attribute": { "origin": "igp", "local-preference": 100, "error": "discard" },
            "announce": { "ipv4 unicast": { "192.0.2.1": [ { "nlri": "10.99.0.0/24" } ] } }
        } })
    );
    assert_eq!(
        text,
        ["announced 10.99.0.0/24 next-hop 192.0.2.1 origin igp local-preference 100"]
    );
}

/// RFC 4271 6.3 on a live session: a multicast prefix is left out;
/// `ferrobgp decode` (no local address) shows the bytes as they are.
#[test]
fn semantic_checks_apply_on_a_live_session_only() {
    let multicast =
        format!("{M}:0033:02:0000001540010100400200400304C0000201400504000000641 0E001 180A6200")
            .replace(' ', "");
    let offline = from_wire::content(decode(&multicast)).unwrap();
    let Content::Update(offline) = offline else {
        panic!("not an update")
    };
    let offline = offline.json()["update"]["announce"]["ipv4 unicast"]["192.0.2.1"].clone();
    assert_eq!(offline.as_array().map(Vec::len), Some(2));
    let (json, _) = received(
        &format!("{M}:0033:02:0000001540010100400200400304C0000201400504000000641 0E001 180A6200")
            .replace(' ', ""),
    );
    assert_eq!(
        json["update"]["announce"],
        json!({ "ipv4 unicast": { "192.0.2.1": [ { "nlri": "10.98.0.0/24" } ] } })
    );
}

/// RFC 4271 6.3: a NEXT_HOP equal to our own address (127.0.0.1) from
/// another peer: the helper is told the routes are withdrawn; from a peer
/// at our own address (one host) the route is announced.
#[test]
fn a_next_hop_of_ours_is_reported_as_a_withdraw() {
    let msg = format!("{M}:0030:02:0000001540010100400200 4003047F000001 40050400000064 180A6300")
        .replace(' ', "");
    let (json, text) = received_from(&msg, "127.0.0.2");
    assert_eq!(
        json["update"]["withdraw"],
        json!({ "ipv4 unicast": [ { "nlri": "10.99.0.0/24" } ] })
    );
    assert!(json["update"].get("announce").is_none(), "{json}");
    assert_eq!(text, ["withdrawn 10.99.0.0/24"]);
    let (json, _) = received_from(&msg, "127.0.0.1");
    assert_eq!(
        json["update"]["announce"],
        json!({ "ipv4 unicast": { "127.0.0.1": [ { "nlri": "10.99.0.0/24" } ] } })
    );
}
