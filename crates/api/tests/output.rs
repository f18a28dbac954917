//! What a helper is written: event selection by its `api` blocks, the
//! packets/parsed/consolidate formats, framing, and the shutdown notice.

use ferrobgp_api::event::{
    Content, Direction, Event, MessageType, PeerInfo, Report, State, Subscription,
};
use ferrobgp_api::json::Envelope;
use ferrobgp_api::output::{subscription, HelperOutput, RawMessage};
use ferrobgp_config::model::{Api, ApiDirection};
use serde_json::{json, Value};

fn api(
    processes: &[&str],
    receive: ApiDirection,
    send: ApiDirection,
    neighbor_changes: bool,
) -> Api {
    Api {
        name: "api-1".into(),
        processes: processes.iter().map(|s| s.to_string()).collect(),
        processes_match: vec![],
        neighbor_changes,
        negotiated: false,
        fsm: false,
        signal: false,
        receive,
        send,
    }
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
fn origin() -> Envelope {
    Envelope {
        version: "5.0.0".into(),
        host: "h".into(),
        pid: 20,
        ppid: 10,
    }
}
const KEEPALIVE: [u8; 19] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0, 19, 4,
];

/// The subscription of helper "a" named by one `api` block receiving `receive`.
fn receiving(receive: ApiDirection) -> Subscription {
    subscription(&[api(&["a"], receive, Default::default(), false)], "a").unwrap()
}
/// A KEEPALIVE going in `direction`.
fn keepalive(direction: Direction) -> RawMessage<'static> {
    RawMessage {
        direction,
        raw: &KEEPALIVE,
        negotiated: None,
    }
}

/// What `out` writes for a received KEEPALIVE, decoded if asked.
fn receive_keepalive(out: &mut HelperOutput, sub: &Subscription, p: &PeerInfo) -> String {
    out.message(sub, 1.0, p, keepalive(Direction::Receive), || {
        Some(Content::Keepalive)
    })
}

fn lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn subscription_is_the_union_of_the_blocks_naming_the_process() {
    let parsed_updates = ApiDirection {
        parsed: true,
        update: true,
        ..Default::default()
    };
    let keepalives = ApiDirection {
        parsed: true,
        keepalive: true,
        ..Default::default()
    };
    let apis = vec![
        api(&["a"], parsed_updates, Default::default(), false),
        api(&["b", "a"], keepalives, Default::default(), true),
        api(&["c"], Default::default(), Default::default(), true),
    ];
    let a = subscription(&apis, "a").unwrap();
    assert!(a.neighbor_changes && a.receive.update && a.receive.keepalive && a.receive.parsed);
    let b = subscription(&apis, "b").unwrap();
    assert!(!b.receive.update);
    assert_eq!(subscription(&apis, "z"), None);
}

#[test]
fn parsed_packets_and_consolidate() {
    let p = peer();
    // api-api: receive { parsed; keepalive; update; }
    let sub = receiving(ApiDirection {
        parsed: true,
        keepalive: true,
        update: true,
        ..Default::default()
    });
    let mut out = HelperOutput::new(true, origin());
    let s = receive_keepalive(&mut out, &sub, &p);
    let v = lines(&s);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["type"], "keepalive");
    assert_eq!(v[0]["neighbor"]["direction"], "receive");
    assert!(s.ends_with("}\n"));
    // not subscribed: sent keepalives, received opens
    assert_eq!(
        out.message(&sub, 1.0, &p, keepalive(Direction::Send), || panic!(
            "not decoded"
        )),
        ""
    );
    // packets only: no decoding at all
    let sub = receiving(ApiDirection {
        packets: true,
        keepalive: true,
        ..Default::default()
    });
    let s = out.message(&sub, 1.0, &p, keepalive(Direction::Receive), || {
        panic!("not decoded")
    });
    assert_eq!(
        lines(&s)[0]["neighbor"]["message"],
        json!({"category": 4, "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304", "body": "0x"})
    );
    // packets and parsed: two reports, packets first
    let sub = receiving(ApiDirection {
        packets: true,
        parsed: true,
        keepalive: true,
        ..Default::default()
    });
    let v = lines(&receive_keepalive(&mut out, &sub, &p));
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["neighbor"]["message"]["category"], 4);
    assert_eq!(v[1]["type"], "keepalive");
    // consolidate with packets: one decoded report with the raw header
    let sub = receiving(ApiDirection {
        packets: true,
        consolidate: true,
        keepalive: true,
        ..Default::default()
    });
    let v = lines(&receive_keepalive(&mut out, &sub, &p));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["header"], "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304");
    // counters kept increasing across events of this neighbor
    assert_eq!(v[0]["counter"], 5);
}

#[test]
fn text_framing_state_and_shutdown() {
    let p = peer();
    let sub = subscription(
        &[api(&["t"], Default::default(), Default::default(), true)],
        "t",
    )
    .unwrap();
    let mut text = HelperOutput::new(false, origin());
    assert_eq!(
        text.event(&sub, 1.0, &p, &Event::State(State::Up)).unwrap(),
        "neighbor 127.0.0.1 up\n\n"
    );
    assert_eq!(text.event(&sub, 1.0, &p, &Event::Fsm("IDLE".into())), None);
    assert_eq!(text.shutdown(1.0), "shutdown 20 10\n\n");
    let mut json = HelperOutput::new(true, origin());
    let quiet = subscription(
        &[api(&["t"], Default::default(), Default::default(), false)],
        "t",
    )
    .unwrap();
    assert_eq!(json.event(&quiet, 1.0, &p, &Event::State(State::Up)), None);
    let s = json.shutdown(2.0);
    assert_eq!(s, "{ \"exabgp\": \"5.0.0\", \"time\": 2.0, \"host\" : \"h\", \"pid\" : 20, \"ppid\" : 10, \"type\": \"notification\", \"notification\": \"shutdown\" }\n");
}

/// ExaBGP 5.0.15 merges `parsed`, `packets` and `consolidate` per neighbor
/// across its `api` blocks. Recorded with five processes on one neighbor:
/// `pa` (`receive { parsed; update; }`) and `pb` (`receive { update; }`)
/// both got the parsed received UPDATE, `pc` (`receive { packets; }`, no
/// message type) its packets, `pd` (`send { packets; }`) the packets of the
/// sent UPDATEs and `pe` (`send { parsed; update; }`) them parsed.
#[test]
fn parsed_and_packets_merge_per_neighbor() {
    let d = |f: &dyn Fn(&mut ApiDirection)| {
        let mut a = ApiDirection::default();
        f(&mut a);
        a
    };
    let none = ApiDirection::default();
    let apis = vec![
        api(
            &["pa"],
            d(&|a| {
                a.parsed = true;
                a.update = true
            }),
            none,
            false,
        ),
        api(&["pb"], d(&|a| a.update = true), none, false),
        api(&["pc"], d(&|a| a.packets = true), none, false),
        api(&["pd"], none, d(&|a| a.packets = true), false),
        api(
            &["pe"],
            none,
            d(&|a| {
                a.parsed = true;
                a.update = true
            }),
            false,
        ),
    ];
    let reports = |p: &str, dir: Direction| {
        subscription(&apis, p)
            .unwrap()
            .reports(dir, MessageType::Update)
    };
    let parsed = vec![Report::Parsed { raw: false }];
    assert_eq!(reports("pa", Direction::Receive), parsed);
    assert_eq!(reports("pb", Direction::Receive), parsed);
    assert_eq!(reports("pc", Direction::Receive), vec![Report::Packets]);
    assert_eq!(reports("pd", Direction::Receive), vec![]);
    assert_eq!(reports("pd", Direction::Send), vec![Report::Packets]);
    assert_eq!(reports("pe", Direction::Send), parsed);
    assert_eq!(reports("pa", Direction::Send), vec![]);
    // no block asks for KEEPALIVEs: nobody gets them, packets or not
    let pc = subscription(&apis, "pc").unwrap();
    assert!(pc
        .reports(Direction::Receive, MessageType::Keepalive)
        .is_empty());

    // consolidate in one block: one parsed report to those asking for the
    // type, with the raw bytes on receive; on send only with packets
    let apis = vec![
        api(
            &["pa"],
            d(&|a| {
                a.consolidate = true;
                a.update = true
            }),
            d(&|a| {
                a.consolidate = true;
                a.update = true
            }),
            false,
        ),
        api(&["pb"], d(&|a| a.update = true), none, false),
        api(&["pc"], d(&|a| a.packets = true), none, false),
    ];
    let reports = |p: &str, dir: Direction| {
        subscription(&apis, p)
            .unwrap()
            .reports(dir, MessageType::Update)
    };
    let raw = vec![Report::Parsed { raw: true }];
    assert_eq!(reports("pa", Direction::Receive), raw);
    assert_eq!(reports("pb", Direction::Receive), raw);
    assert_eq!(reports("pc", Direction::Receive), vec![]);
    assert_eq!(reports("pa", Direction::Send), parsed);

    // negotiated in one block: every message report carries it (recorded:
    // `receive { packets; update; }` in one block, `negotiated;` in another
    // for another process, and the packets carried `negotiated`)
    let mut with = api(&["pb"], none, none, false);
    with.negotiated = true;
    let apis = vec![api(&["pa"], d(&|a| a.packets = true), none, false), with];
    assert!(subscription(&apis, "pa").unwrap().message_negotiated());
}
