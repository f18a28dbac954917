//! Header checks, the streaming Framer, KEEPALIVE, NOTIFICATION,
//! ROUTE-REFRESH, OPERATIONAL and unknown messages: golden bytes (RFCs,
//! spec, conformance suite), round trips, and malformed input with the
//! exact NOTIFICATION.

mod msg_common;

use ferrobgp_wire::message::keepalive::keepalive_bytes;
use ferrobgp_wire::message::operational::types;
use ferrobgp_wire::message::route_refresh::{SUBTYPE_BORR, SUBTYPE_EORR};
use ferrobgp_wire::message::{
    Framer, Message, Notification, Operational, RouteRefresh, HEADER_LEN,
};
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::{Error, Family};
use msg_common::{conformance_dir, raw_lines, unhex, update};
use proptest::prelude::*;
use std::net::Ipv4Addr;

fn neg() -> Negotiated {
    Negotiated::standalone()
}

fn notify(e: Error) -> (u8, u8, Vec<u8>) {
    let n = e.notify().expect("a NOTIFICATION").clone();
    (n.code, n.subcode, n.data)
}

fn one(bytes: &[u8], max: usize) -> Result<Message, Error> {
    let mut f = Framer::new(max);
    f.feed(bytes);
    let m = f.next_message(&neg())?.expect("a whole message");
    assert_eq!(f.buffered(), 0);
    Ok(m)
}

fn header(len: u16, kind: u8) -> Vec<u8> {
    let mut v = vec![0xff; 16];
    v.extend_from_slice(&len.to_be_bytes());
    v.push(kind);
    v
}

#[test]
fn keepalive_is_19_bytes() {
    let k = keepalive_bytes();
    assert_eq!(k, unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0013 04"));
    assert_eq!(one(&k, 4096).unwrap(), Message::Keepalive);
    assert_eq!(Message::Keepalive.encode(4096).unwrap(), k);
    // a KEEPALIVE with a body: 1/2 with the length
    let mut bad = header(20, 4);
    bad.push(0);
    assert_eq!(notify(one(&bad, 4096).unwrap_err()), (1, 2, vec![0, 20]));
}

#[test]
fn header_errors() {
    // marker not all ones: 1/1, no data
    let mut m = keepalive_bytes();
    m[3] = 0xfe;
    assert_eq!(notify(one(&m, 4096).unwrap_err()), (1, 1, vec![]));
    // length below 19 and above the maximum: 1/2 with the length field
    assert_eq!(
        notify(one(&header(18, 4), 4096).unwrap_err()),
        (1, 2, vec![0, 18])
    );
    assert_eq!(
        notify(one(&header(4097, 2), 4096).unwrap_err()),
        (1, 2, vec![0x10, 0x01])
    );
    // reported as soon as the header is in, before the body arrives
    let mut f = Framer::new(4096);
    f.feed(&header(5000, 2));
    assert_eq!(notify(f.next_frame().unwrap_err()).1, 2);
    // with Extended Message 65535 is fine
    let mut f = Framer::new(65535);
    let mut big = header(65535, 2);
    big.resize(65535, 0x55);
    f.feed(&big);
    assert_eq!(f.next_frame().unwrap().unwrap().body.len(), 65535 - 19);
    // per-type minimums: OPEN < 29, UPDATE < 23, NOTIFICATION < 21
    let mut open = header(28, 1);
    open.extend_from_slice(&[4, 0, 1, 0, 0, 1, 2, 3, 4]);
    assert_eq!(notify(one(&open, 4096).unwrap_err()), (1, 2, vec![0, 28]));
    let mut upd = header(22, 2);
    upd.extend_from_slice(&[0, 0, 0]);
    assert_eq!(notify(one(&upd, 4096).unwrap_err()), (1, 2, vec![0, 22]));
    let mut n = header(20, 3);
    n.push(6);
    assert_eq!(notify(one(&n, 4096).unwrap_err()), (1, 2, vec![0, 20]));
    // an OPEN is never longer than 4096, even with Extended Message
    let mut open = header(4200, 1);
    open.resize(4200, 0);
    open[19] = 4;
    assert_eq!(
        notify(one(&open, 65535).unwrap_err()),
        (1, 2, 4200u16.to_be_bytes().to_vec())
    );
}

#[test]
fn unknown_types_are_kept_raw() {
    // conformance "unknown-message": FF x16 0013 FF
    let m = one(&header(19, 255), 4096).unwrap();
    assert_eq!(
        m,
        Message::Unknown {
            kind: 255,
            body: vec![]
        }
    );
    assert_eq!(m.encode(4096).unwrap(), header(19, 255));
    let mut b = header(22, 77);
    b.extend_from_slice(&[1, 2, 3]);
    let m = one(&b, 4096).unwrap();
    assert_eq!(m.kind(), 77);
    assert_eq!(m.encode(4096).unwrap(), b);
    // RFC 4271 6.1: 1/3 with the type octet
    assert_eq!(
        Message::Notification(Notification::unknown_message_type(255))
            .encode(4096)
            .unwrap(),
        unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0016030103FF")
    );
    // ExaBGP's answer (spec 7.1), as in conformance unknown-message.msg
    // (ferrobgp.compat.reference-unknown-message)
    let n = Notification::reference_unknown_message_type(255);
    assert_eq!(
        Message::Notification(n).encode(4096).unwrap(),
        unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF004003010063616E206E6F74206465636F646520757064617465206D657373616765206F662074797065202232353522")
    );
}

#[test]
fn framer_streams_byte_by_byte_and_in_bursts() {
    let rr = Message::RouteRefresh(RouteRefresh::new(Family::IPV6_UNICAST, SUBTYPE_BORR));
    let msgs = [
        Message::Keepalive,
        rr.clone(),
        Message::Notification(Notification::shutdown(2, "bye")),
        update(&[0, 0, 0, 0]),
    ];
    let stream: Vec<u8> = msgs.iter().flat_map(|m| m.encode(4096).unwrap()).collect();
    // byte by byte
    let mut f = Framer::default();
    let mut got = Vec::new();
    for b in &stream {
        f.feed(std::slice::from_ref(b));
        while let Some(m) = f.next_message(&neg()).unwrap() {
            got.push(m);
        }
    }
    assert_eq!(got, msgs);
    // all at once, through the BytesMut
    let mut f = Framer::new(4096);
    f.buffer_mut().extend_from_slice(&stream);
    let mut got = Vec::new();
    while let Some(fr) = f.next_frame().unwrap() {
        got.push(fr.decode(&neg()).unwrap());
    }
    assert_eq!(got, msgs);
    assert_eq!(f.buffered(), 0);
    // the limit can be raised once Extended Message is negotiated
    let mut f = Framer::new(4096);
    let mut big = header(5000, 2);
    big.resize(5000, 0);
    f.feed(&big);
    assert!(f.next_frame().is_err());
    let mut f = Framer::new(4096);
    f.set_max_size(65535);
    f.feed(&big);
    assert_eq!(
        f.next_frame().unwrap().unwrap().body.len(),
        5000 - HEADER_LEN
    );
}

#[test]
fn notification_shutdown_communication() {
    // spec 7.1 / conformance api-teardown: 03 06 04 14 "Administrative Reset"
    let golden = unhex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002A0306041441646D696E697374726174697665205265736574",
    );
    let n = Notification::with_default_text(6, 4);
    assert_eq!(n, Notification::shutdown(4, "Administrative Reset"));
    assert_eq!(
        Message::Notification(n.clone()).encode(4096).unwrap(),
        golden
    );
    assert_eq!(
        one(&golden, 4096).unwrap(),
        Message::Notification(n.clone())
    );
    assert_eq!(n.shutdown_communication(), Some("Administrative Reset"));
    assert_eq!(
        String::from_utf8(n.display_data()).unwrap(),
        "Shutdown Communication: \"Administrative Reset\""
    );
    let s = Notification::with_default_text(6, 2);
    assert_eq!(s.data, b"\x17Administrative Shutdown");
    assert_eq!(
        (s.code_name(), s.subcode_name()),
        ("Cease", "Administrative Shutdown")
    );
    // other subcodes carry the name as plain text
    let o = Notification::with_default_text(6, 7);
    assert_eq!(o.data, b"Connection Collision Resolution");
    assert_eq!(o.shutdown_communication(), None);
    // malformed shutdown communications are described, not trusted
    let bad = |data: &[u8]| {
        String::from_utf8(Notification::new(6, 2, data.to_vec()).display_data()).unwrap()
    };
    assert_eq!(bad(&[0]), "empty Shutdown Communication.");
    assert_eq!(
        bad(&[5, b'a']),
        "invalid Shutdown Communication (buffer underrun) length : 5 [61]"
    );
    assert_eq!(
        bad(&[2, 0xff, 0xfe]),
        "invalid Shutdown Communication (invalid UTF-8) length : 2 [FFFE]"
    );
    assert_eq!(
        bad(&[1, b'a', b'b']),
        "Shutdown Communication: \"a\", trailing data: 62"
    );
    // long texts are cut at 255 bytes on a character boundary
    let long = Notification::shutdown(2, &"é".repeat(200));
    assert_eq!(long.data[0], 254);
    assert_eq!(long.data.len(), 255);
    // names
    assert_eq!(
        Notification::new(2, 6, vec![]).subcode_name(),
        "Unacceptable Hold Time"
    );
    assert_eq!(Notification::new(9, 9, vec![]).code_name(), "unknown error");
    // a NOTIFICATION from an Error
    let e = Error::malformed_data(1, 2, vec![0, 5], "x");
    assert_eq!(
        Notification::try_from(&e),
        Ok(Notification::new(1, 2, vec![0, 5]))
    );
}

#[test]
fn route_refresh() {
    // conformance api-rr: ROUTE-REFRESH ipv4 unicast, normal
    let golden = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0017 05 0001 00 01");
    let rr = RouteRefresh::new(Family::IPV4_UNICAST, 0);
    assert_eq!(Message::RouteRefresh(rr).encode(4096).unwrap(), golden);
    assert_eq!(one(&golden, 4096).unwrap(), Message::RouteRefresh(rr));
    assert_eq!(rr.subtype_name(), "query");
    let e = RouteRefresh::new(Family::IPV6_FLOW, SUBTYPE_EORR);
    assert_eq!(
        Message::RouteRefresh(e).encode(4096).unwrap()[19..],
        [0, 2, 2, 133]
    );
    assert_eq!(e.subtype_name(), "end");
    // unknown subtypes are kept (RFC 7313: ignore), named "invalid"
    let odd = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0017 05 0001 07 01");
    let Message::RouteRefresh(r) = one(&odd, 4096).unwrap() else {
        panic!()
    };
    assert_eq!((r.subtype, r.subtype_name()), (7, "invalid"));
    // bad length: 7/1 with the complete message as data
    let bad = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0018 05 0001 01 01 00");
    assert_eq!(notify(one(&bad, 4096).unwrap_err()), (7, 1, bad.clone()));
    let short = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0016 05 0001 01");
    assert_eq!(notify(one(&short, 4096).unwrap_err()), (7, 1, short));
}

#[test]
fn operational_messages() {
    let fam = Family::IPV4_UNICAST;
    let cases = [
        (
            Operational::advisory(types::ASM, fam, "hello"),
            "0002 0008 0001 01 68656C6C6F",
        ),
        (
            Operational::Query {
                kind: types::RPCQ,
                family: fam,
                router_id: Ipv4Addr::new(1, 2, 3, 4),
                sequence: 7,
            },
            "0003 000B 0001 01 01020304 00000007",
        ),
        (
            Operational::Counter {
                kind: types::LPCP,
                family: fam,
                router_id: Ipv4Addr::new(1, 2, 3, 4),
                sequence: 7,
                counter: 9,
            },
            "0008 000F 0001 01 01020304 00000007 00000009",
        ),
        (
            Operational::Raw {
                kind: 0xffff,
                length: 4,
                data: vec![0, 1, 0, 2],
            },
            "FFFF 0004 00010002",
        ),
    ];
    for (op, hex) in cases {
        let body = unhex(hex);
        let msg = Message::Operational(op.clone());
        let bytes = msg.encode(4096).unwrap();
        assert_eq!(bytes[19..], body[..], "{op:?}");
        assert_eq!(bytes[18], 6);
        assert_eq!(one(&bytes, 4096).unwrap(), msg);
    }
    // inconsistent Length: kept raw, byte for byte
    let body = unhex("0002 0009 0001 01 68656C6C6F");
    let m = Operational::decode(&body).unwrap();
    assert!(matches!(
        m,
        Operational::Raw {
            kind: 2,
            length: 9,
            ..
        }
    ));
    let mut again = Vec::new();
    m.encode_body(&mut again).unwrap();
    assert_eq!(again, body);
    // too short for the header or a known type's fields: 5/0
    assert_eq!(notify(Operational::decode(&[0, 2, 0]).unwrap_err()).0, 5);
    assert_eq!(
        notify(Operational::decode(&unhex("0003 0004 0001 01 00")).unwrap_err()),
        (5, 0, vec![])
    );
    // long advisories are cut as ExaBGP does
    let Operational::Advisory { text, .. } =
        Operational::advisory(types::ADM, fam, &"a".repeat(3000))
    else {
        panic!()
    };
    assert_eq!(text.len(), 2048);
    assert!(text.ends_with(b"..."));
}

/// Every non-UPDATE message in the conformance .msg files round-trips
/// byte for byte, and every UPDATE is framed.
#[test]
fn conformance_messages_round_trip() {
    let Some(dir) = conformance_dir() else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("encoding")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "msg") {
            for raw in raw_lines(&std::fs::read_to_string(&path).unwrap()) {
                // add-path tests send path identifiers
                let m = Message::decode_bytes(&raw, 65535, &neg())
                    .or_else(|_| {
                        Message::decode_bytes(&raw, 65535, &Negotiated::standalone_addpath())
                    })
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(m.encode(65535).unwrap(), raw, "{}", path.display());
                n += 1;
            }
        }
    }
    assert!(n > 100, "{n} messages");
}

#[test]
fn encode_respects_the_maximum() {
    let m = Message::Unknown {
        kind: 99,
        body: vec![0; 5000],
    };
    assert!(matches!(m.encode(4096), Err(Error::Encode(_))));
    assert_eq!(m.encode(65535).unwrap().len(), 5019);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// decode(encode(m)) == m for every message type, and the bytes of a
    /// decoded message re-encode identically.
    #[test]
    fn message_round_trip(m in msg_common::message()) {
        let Ok(bytes) = m.encode(65535) else { return Ok(()) };
        let back = Message::decode_bytes(&bytes, 65535, &neg()).unwrap();
        let mut expected = m.clone();
        if let (Message::Open(o), Message::Open(b)) = (&mut expected, &back) {
            o.extended_params = b.extended_params;
        }
        prop_assert_eq!(&back, &expected);
        prop_assert_eq!(back.encode(65535).unwrap(), bytes);
    }

    /// Random bytes never panic the framer or the decoder, fed in random
    /// chunks; everything that decodes re-encodes.
    #[test]
    fn framer_never_panics(data in proptest::collection::vec(any::<u8>(), 0..600),
                           chunk in 1usize..64, marker in any::<bool>()) {
        let mut data = data;
        if marker && data.len() >= 19 {
            data[..16].fill(0xff);
            let len = (data.len() as u16).min(4096);
            data[16..18].copy_from_slice(&len.to_be_bytes());
        }
        let mut f = Framer::new(4096);
        'outer: for c in data.chunks(chunk) {
            f.feed(c);
            loop {
                match f.next_message(&neg()) {
                    Ok(Some(m)) => { let _ = m.encode(65535); }
                    Ok(None) => break,
                    Err(e) => { prop_assert!(e.notify().is_some()); break 'outer; }
                }
            }
        }
    }

    /// Any body with any type: decode returns a value or a NOTIFICATION.
    #[test]
    fn decode_is_total(kind in any::<u8>(), body in proptest::collection::vec(any::<u8>(), 0..200)) {
        match Message::decode(kind, &body, &neg()) {
            Ok(m) => {
                let bytes = m.encode(65535).unwrap();
                prop_assert!(Message::decode_bytes(&bytes, 65535, &neg()).is_ok());
            }
            Err(e) => prop_assert!(e.notify().is_some()),
        }
    }
}
