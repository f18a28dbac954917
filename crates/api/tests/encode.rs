//! Golden tests of the JSON and text encoders: exact bytes (ExaBGP's
//! spacing) and parsed JSON, for every event type (unicast families).

use ferrobgp_api::event::*;
use ferrobgp_api::json::{Envelope, JsonEncoder};
use ferrobgp_api::text;
use ferrobgp_api::UpdateRendering;
use ferrobgp_wire::{Afi, Family};
use serde_json::{json, Value};

fn peer(local_as: u32) -> PeerInfo {
    PeerInfo {
        local_address: "127.0.0.1".parse().unwrap(),
        peer_address: "127.0.0.1".parse().unwrap(),
        local_as,
        peer_as: local_as,
        router_id: None,
    }
}
fn encoder() -> JsonEncoder {
    JsonEncoder::new(Envelope {
        version: "5.0.0".into(),
        host: "vm".into(),
        pid: 19737,
        ppid: 19736,
    })
}
fn parsed(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("invalid JSON {line}: {e}"))
}
/// Skips `n` events so the counter of the next one is `n + 1`.
fn advance(e: &mut JsonEncoder, p: &PeerInfo, n: usize) {
    for _ in 0..n {
        e.encode(0.0, p, &Event::Fsm("IDLE".into()));
    }
}
const HEAD: &str = r#"{ "exabgp": "5.0.0", "time": 1795702405.5266666, "host" : "vm", "pid" : 19737, "ppid" : 19736, "#;
const NEIGH: &str = r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 } "#;

#[test]
fn update_complete_line_from_spec() {
    // spec §3.4, the complete line as written to a JSON helper
    let expected = r#"{ "exabgp": "5.0.0", "time": 1795702409.3445973, "host" : "vm", "pid" : 19737, "ppid" : 19736, "counter": 15, "type": "update", "neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 } , "direction": "receive", "message": { "update": { "attribute": { "origin": "igp", "local-preference": 100, "extended-community": [ { "value": 842122827661313, "string": "target:65000:1" } ] }, "announce": { "ipv4 unicast": { "127.0.0.1": [ { "nlri": "10.2.0.0/24" } ] } } } } } }"#;
    let mut e = encoder();
    let p = peer(65000);
    advance(&mut e, &p, 14);
    let update = r#"{ "update": { "attribute": { "origin": "igp", "local-preference": 100, "extended-community": [ { "value": 842122827661313, "string": "target:65000:1" } ] }, "announce": { "ipv4 unicast": { "127.0.0.1": [ { "nlri": "10.2.0.0/24" } ] } } } }"#;
    // the value as crates/wire builds it (compact), printed back in ExaBGP spacing
    let update: Value = serde_json::from_str(update).unwrap();
    let event = Event::Message {
        direction: Direction::Receive,
        content: Content::Update(UpdateRendering::given(update, vec![])),
        raw: None,
        negotiated: None,
    };
    let line = e.encode(1795702409.3445973, &p, &event);
    assert_eq!(line, expected);
    let v = parsed(&line);
    assert_eq!(
        v["neighbor"]["message"]["update"]["announce"]["ipv4 unicast"]["127.0.0.1"][0]["nlri"],
        "10.2.0.0/24"
    );
    assert_eq!(v["counter"], 15);
    assert_eq!(v["type"], "update");
}

fn line(e: &mut JsonEncoder, event: &Event) -> String {
    e.encode(1795702405.5266666, &peer(65000), event)
}

#[test]
fn state_fsm_signal() {
    let mut e = encoder();
    let l = line(&mut e, &Event::State(State::Connected));
    assert_eq!(
        l,
        format!(r#"{HEAD}"counter": 1, "type": "state", {NEIGH}, "state": "connected" }} }}"#)
    );
    let l = line(&mut e, &Event::State(State::Up));
    assert_eq!(
        l,
        format!(r#"{HEAD}"counter": 2, "type": "state", {NEIGH}, "state": "up" }} }}"#)
    );
    let l = line(
        &mut e,
        &Event::State(State::Down("stop, message [shutting down] \"now\"".into())),
    );
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 3, "type": "state", {NEIGH}, "state": "down", "reason": "stop, message (shutting down) \"now\"" }} }}"#
        )
    );
    assert_eq!(
        parsed(&l)["neighbor"]["reason"],
        "stop, message (shutting down) \"now\""
    );
    let l = line(&mut e, &Event::Fsm("ESTABLISHED".into()));
    assert_eq!(
        l,
        format!(r#"{HEAD}"counter": 4, "type": "fsm", {NEIGH}, "state": "ESTABLISHED" }} }}"#)
    );
    let l = line(
        &mut e,
        &Event::Signal {
            code: 15,
            name: "SIGTERM".into(),
        },
    );
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 5, "type": "signal", {NEIGH}, "code": "15", "name": "SIGTERM" }} }}"#
        )
    );
    assert_eq!(parsed(&l)["neighbor"]["name"], "SIGTERM");
}

fn negotiated() -> Negotiated {
    Negotiated {
        message_size: 4096,
        hold_time: 30,
        asn4: true,
        multisession: false,
        operational: false,
        refresh: "normal".into(),
        families: vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST],
        nexthop: vec![(Family::IPV4_UNICAST, Afi::IPV6)],
        add_path_send: vec![Family::IPV4_UNICAST],
        add_path_receive: vec![],
    }
}

#[test]
fn negotiated_is_valid_json() {
    let mut e = encoder();
    let l = line(&mut e, &Event::Negotiated(negotiated()));
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 1, "type": "negotiated", {NEIGH}, "negotiated": {{ "message_size": 4096, "hold_time": 30, "asn4": true, "multisession": false, "operational": false, "refresh": "normal", "families": ["ipv4 unicast", "ipv6 unicast"], "nexthop": ["ipv4 unicast ipv6"], "add_path": {{"send": ["ipv4 unicast"], "receive": []}} }}  }} }}"#
        )
    );
    let v = parsed(&l);
    assert_eq!(
        v["neighbor"]["negotiated"],
        json!({"message_size": 4096, "hold_time": 30, "asn4": true, "multisession": false, "operational": false,
               "refresh": "normal", "families": ["ipv4 unicast", "ipv6 unicast"], "nexthop": ["ipv4 unicast ipv6"],
               "add_path": {"send": ["ipv4 unicast"], "receive": []}})
    );
}

#[test]
fn open_notification_keepalive_refresh_operational_eor() {
    let mut e = encoder();
    let open = Content::Open {
        version: 4,
        asn: 65000,
        hold_time: 30,
        router_id: "10.0.0.2".parse().unwrap(),
        capabilities_json: json!({ "1": { "name": "multiprotocol", "families": [ "ipv4/unicast", "ipv6/unicast" ] }, "65": { "name": "asn4", "asn4": 65000 } }),
        capabilities_text: "Multiprotocol(ipv4 unicast,ipv6 unicast), ASN4(65000)".into(),
    };
    let msg = |content: Content| Event::Message {
        direction: Direction::Receive,
        content,
        raw: None,
        negotiated: None,
    };
    let l = line(&mut e, &msg(open.clone()));
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 1, "type": "open", {NEIGH}, "direction": "receive", "open": {{ "version": 4, "asn": 65000, "hold_time": 30, "router_id": "10.0.0.2", "capabilities": {{ "1": {{ "name": "multiprotocol", "families": [ "ipv4/unicast", "ipv6/unicast" ] }}, "65": {{ "name": "asn4", "asn4": 65000 }} }} }} }} }}"#
        )
    );
    assert_eq!(
        parsed(&l)["neighbor"]["open"]["capabilities"]["65"]["asn4"],
        65000
    );

    let l = line(
        &mut e,
        &msg(Content::Notification {
            code: 6,
            subcode: 2,
            data: b"bye".to_vec(),
        }),
    );
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 2, "type": "notification", {NEIGH}, "direction": "receive", "notification": {{ "code": 6, "subcode": 2, "data": "0x627965", "message": "bye" }}  }} }}"#
        )
    );
    assert_eq!(parsed(&l)["neighbor"]["notification"]["data"], "0x627965");

    let l = line(&mut e, &msg(Content::Keepalive));
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 3, "type": "keepalive", {NEIGH}, "direction": "receive"  }} }}"#
        )
    );
    parsed(&l);

    let l = line(
        &mut e,
        &msg(Content::Refresh {
            family: Family::IPV4_UNICAST,
            subtype: "query".into(),
        }),
    );
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 4, "type": "refresh", {NEIGH}, "direction": "receive", "route-refresh": {{ "afi": "ipv4", "safi": "unicast", "subtype": "query" }} }} }}"#
        )
    );
    assert_eq!(
        parsed(&l)["neighbor"]["route-refresh"],
        json!({"afi": "ipv4", "safi": "unicast", "subtype": "query"})
    );

    let l = line(
        &mut e,
        &msg(Content::Operational {
            name: "ADM".into(),
            family: Family::IPV4_UNICAST,
            kind: OperationalKind::Advisory("hello".into()),
        }),
    );
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 5, "type": "operational", {NEIGH}, "direction": "receive", "operational": {{ "name": "ADM", "afi": "ipv4", "safi": "unicast", "advisory": "hello" }} }} }}"#
        )
    );
    parsed(&l);
    let l = line(
        &mut e,
        &msg(Content::Operational {
            name: "RPCQ".into(),
            family: Family::IPV4_UNICAST,
            kind: OperationalKind::Query,
        }),
    );
    assert_eq!(
        parsed(&l)["neighbor"]["operational"],
        json!({"name": "RPCQ", "afi": "ipv4", "safi": "unicast"})
    );
    let l = line(
        &mut e,
        &msg(Content::Operational {
            name: "RPCP".into(),
            family: Family::IPV4_UNICAST,
            kind: OperationalKind::Counter {
                router_id: "1.2.3.4".parse().unwrap(),
                sequence: 1,
                counter: 2,
            },
        }),
    );
    assert_eq!(
        parsed(&l)["neighbor"]["operational"],
        json!({"name": "RPCP", "afi": "ipv4", "safi": "unicast", "router-id": "1.2.3.4", "sequence": 1, "counter": 2})
    );

    let l = line(
        &mut e,
        &Event::Message {
            direction: Direction::Send,
            content: Content::Eor(Family::IPV6_UNICAST),
            raw: None,
            negotiated: None,
        },
    );
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 8, "type": "update", {NEIGH}, "direction": "send", "message": {{ "eor": {{ "afi" : "ipv6", "safi" : "unicast" }} }} }} }}"#
        )
    );
    assert_eq!(
        parsed(&l)["neighbor"]["message"]["eor"],
        json!({"afi": "ipv6", "safi": "unicast"})
    );
}

#[test]
fn packets_consolidate_and_negotiated_object() {
    let mut e = encoder();
    let header = [0xFFu8; 16]
        .iter()
        .copied()
        .chain([0x00, 0x17, 0x02])
        .collect::<Vec<u8>>();
    let body = vec![0u8, 0, 0, 0];
    let l = line(
        &mut e,
        &Event::Packets {
            direction: Direction::Send,
            category: 2,
            header: header.clone(),
            body: body.clone(),
            negotiated: None,
        },
    );
    assert_eq!(
        l,
        format!(
            r#"{HEAD}"counter": 1, "type": "update", {NEIGH}, "direction": "send", "message": {{ "category": 2, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001702", "body": "0x00000000" }}  }} }}"#
        )
    );
    assert_eq!(parsed(&l)["neighbor"]["message"]["category"], 2);

    let l = line(
        &mut e,
        &Event::Message {
            direction: Direction::Receive,
            content: Content::Eor(Family::IPV4_UNICAST),
            raw: Some((header.clone(), body.clone())),
            negotiated: Some(negotiated()),
        },
    );
    let v = parsed(&l);
    assert_eq!(v["header"], "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001702");
    assert_eq!(v["body"], "0x00000000");
    assert_eq!(
        v["neighbor"]["negotiated"]["families"],
        json!(["ipv4 unicast", "ipv6 unicast"])
    );
    assert!(l.starts_with(&format!(
        r#"{HEAD}"counter": 2, "type": "update", "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001702", "body": "0x00000000", {NEIGH}, "direction": "receive", "message": {{ "eor": "#
    )));
}

#[test]
fn counters_are_per_neighbor_and_shutdown_has_none() {
    let mut e = encoder();
    let a = peer(1);
    let mut b = peer(2);
    b.peer_address = "127.0.0.2".parse().unwrap();
    assert_eq!(
        parsed(&e.encode(1.0, &a, &Event::State(State::Up)))["counter"],
        1
    );
    assert_eq!(
        parsed(&e.encode(1.0, &b, &Event::State(State::Up)))["counter"],
        1
    );
    assert_eq!(
        parsed(&e.encode(1.0, &a, &Event::State(State::Up)))["counter"],
        2
    );
    let s = e.shutdown(1795702405.0);
    assert_eq!(
        s,
        r#"{ "exabgp": "5.0.0", "time": 1795702405.0, "host" : "vm", "pid" : 19737, "ppid" : 19736, "type": "notification", "notification": "shutdown" }"#
    );
    assert_eq!(parsed(&s)["notification"], "shutdown");
}

#[test]
fn text_encoder() {
    let p = peer(65000);
    let t = |ev: &Event| text::encode(&p, ev);
    assert_eq!(
        t(&Event::State(State::Connected)).unwrap(),
        "neighbor 127.0.0.1 connected\n"
    );
    assert_eq!(
        t(&Event::State(State::Up)).unwrap(),
        "neighbor 127.0.0.1 up\n"
    );
    assert_eq!(
        t(&Event::State(State::Down("notification sent (6,4)".into()))).unwrap(),
        "neighbor 127.0.0.1 down - notification sent (6,4)\n"
    );
    assert_eq!(t(&Event::Fsm("IDLE".into())), None);
    assert_eq!(
        t(&Event::Signal {
            code: 10,
            name: "SIGUSR1".into()
        }),
        None
    );
    assert_eq!(t(&Event::Negotiated(negotiated())), None);
    let msg = |direction, content| Event::Message {
        direction,
        content,
        raw: None,
        negotiated: None,
    };
    let open = Content::Open {
        version: 4,
        asn: 65000,
        hold_time: 30,
        router_id: "10.0.0.2".parse().unwrap(),
        capabilities_json: json!({}),
        capabilities_text: "Multiprotocol(ipv4 unicast,ipv4 flow,ipv6 unicast), ASN4(65000)".into(),
    };
    assert_eq!(
        t(&msg(Direction::Receive, open)).unwrap(),
        "neighbor 127.0.0.1 receive open version 4 asn 65000 hold_time 30 router_id 10.0.0.2 capabilities [multiprotocol(ipv4 unicast,ipv4 flow,ipv6 unicast), asn4(65000)]\n"
    );
    let update = Content::Update(UpdateRendering::given(
        json!({}),
        vec![
            "announced 10.1.0.0/24 next-hop 192.0.2.1 origin igp as-path ( 65001 65002 ) med 10 local-preference 100 community [ 65000:1 no-export ]".into(),
            "withdrawn 10.2.0.0/24".into(),
        ],
    ));
    assert_eq!(
        t(&msg(Direction::Receive, update)).unwrap(),
        "neighbor 127.0.0.1 receive update start\n\
         neighbor 127.0.0.1 receive update announced 10.1.0.0/24 next-hop 192.0.2.1 origin igp as-path ( 65001 65002 ) med 10 local-preference 100 community [ 65000:1 no-export ]\n\
         neighbor 127.0.0.1 receive update withdrawn 10.2.0.0/24\n\
         neighbor 127.0.0.1 receive update end\n"
    );
    assert_eq!(
        t(&msg(Direction::Send, Content::Eor(Family::IPV6_UNICAST))).unwrap(),
        "neighbor 127.0.0.1 send update start\nneighbor 127.0.0.1 send update route eor 2/1 (ipv6 unicast)\nneighbor 127.0.0.1 send update end\n"
    );
    assert_eq!(
        t(&msg(
            Direction::Send,
            Content::Notification {
                code: 6,
                subcode: 2,
                data: vec![1, 2]
            }
        ))
        .unwrap(),
        "neighbor 127.0.0.1 send notification code 6 subcode 2 data 0x0102\n"
    );
    assert_eq!(
        t(&msg(Direction::Receive, Content::Keepalive)).unwrap(),
        "neighbor 127.0.0.1 receive keepalive\n"
    );
    assert_eq!(
        t(&msg(
            Direction::Receive,
            Content::Refresh {
                family: Family::IPV4_UNICAST,
                subtype: "query".into()
            }
        ))
        .unwrap(),
        "neighbor 127.0.0.1 receive route-refresh afi ipv4 safi unicast query\n"
    );
    assert_eq!(
        t(&msg(
            Direction::Receive,
            Content::Operational {
                name: "ADM".into(),
                family: Family::IPV4_UNICAST,
                kind: OperationalKind::Advisory("hi".into())
            }
        ))
        .unwrap(),
        // no newline of its own: no empty line follows (ExaBGP 5.0.15)
        "neighbor 127.0.0.1 receive operational ADM afi ipv4 safi unicast advisory \"hi\""
    );
    assert_eq!(
        t(&Event::Packets {
            direction: Direction::Receive,
            category: 4,
            header: vec![0xff, 0x13, 0x04],
            body: vec![],
            negotiated: None
        })
        .unwrap(),
        "neighbor 127.0.0.1 receive 4 header 0xFF1304\n"
    );
    assert_eq!(
        t(&Event::Message {
            direction: Direction::Receive,
            content: Content::Keepalive,
            raw: Some((vec![0xff], vec![])),
            negotiated: None
        })
        .unwrap(),
        "neighbor 127.0.0.1 receive keepalive header 0xFF\n"
    );
    assert_eq!(text::shutdown(19737, 19736), "shutdown 19737 19736\n");
    // peer-supplied text stays on one line
    assert_eq!(
        t(&Event::State(State::Down("a\nb".into()))).unwrap(),
        "neighbor 127.0.0.1 down - a\\x0ab\n"
    );
}

#[test]
fn event_selection() {
    let mut s = Subscription::default();
    assert!(s
        .reports(Direction::Receive, MessageType::Update)
        .is_empty());
    s.receive.update = true;
    // a message type without a format word produces nothing
    assert!(s
        .reports(Direction::Receive, MessageType::Update)
        .is_empty());
    s.receive.parsed = true;
    assert_eq!(
        s.reports(Direction::Receive, MessageType::Update),
        vec![Report::Parsed { raw: false }]
    );
    assert!(s.reports(Direction::Send, MessageType::Update).is_empty());
    assert!(s
        .reports(Direction::Receive, MessageType::Keepalive)
        .is_empty());
    s.receive.packets = true;
    assert_eq!(
        s.reports(Direction::Receive, MessageType::Update),
        vec![Report::Packets, Report::Parsed { raw: false }]
    );
    s.receive.consolidate = true;
    assert_eq!(
        s.reports(Direction::Receive, MessageType::Update),
        vec![Report::Parsed { raw: true }]
    );
    // ExaBGP 5.0.15 puts the raw bytes in a consolidated received message
    // even without `packets` (recorded), in a sent one only with it
    s.receive.packets = false;
    assert_eq!(
        s.reports(Direction::Receive, MessageType::Update),
        vec![Report::Parsed { raw: true }]
    );
    assert!(!s.wants(&Event::State(State::Up)));
    let mut other = Subscription {
        neighbor_changes: true,
        fsm: true,
        ..Default::default()
    };
    other.send.open = true;
    other.send.parsed = true;
    s.union(&other);
    assert!(s.wants(&Event::State(State::Up)));
    assert!(s.wants(&Event::Fsm("IDLE".into())));
    assert!(!s.wants(&Event::Signal {
        code: 15,
        name: "SIGTERM".into()
    }));
    assert!(!s.wants(&Event::Negotiated(negotiated())));
    assert_eq!(
        s.reports(Direction::Send, MessageType::Open),
        vec![Report::Parsed { raw: false }]
    );
    assert!(!s.wants(&Event::Message {
        direction: Direction::Send,
        content: Content::Keepalive,
        raw: None,
        negotiated: None
    }));
}

/// 5.0.15 puts our router id in every `neighbor` object (bytes recorded
/// from its `JSON._neighbor`, spacing included: a space before the comma).
#[test]
fn neighbor_object_has_the_router_id_as_5_0_15() {
    let p = PeerInfo {
        local_address: "127.0.0.1".parse().unwrap(),
        peer_address: "127.0.0.2".parse().unwrap(),
        local_as: 65000,
        peer_as: 65001,
        router_id: Some("10.0.0.1".parse().unwrap()),
    };
    let line = encoder().encode(1.5, &p, &Event::State(State::Up));
    let want = r#""neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.2" }, "asn": { "local": 65000, "peer": 65001 }, "router-id": "10.0.0.1" , "state": "up" }"#;
    assert!(line.contains(want), "{line}");
    assert_eq!(parsed(&line)["neighbor"]["router-id"], json!("10.0.0.1"));
}
