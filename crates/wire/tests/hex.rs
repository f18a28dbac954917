//! Hex dumps as `exabgp decode` accepts them (spec 6).

use ferrobgp_wire::hex::{decode_messages, parse_hex, parse_messages};
use ferrobgp_wire::message::Message;
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::Error;

const EOR6: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001E0200000007900F0003000201";

#[test]
fn separators_case_and_prefixes() {
    let want = vec![0x00, 0x1e, 0x02, 0xab];
    for s in [
        "001E02AB",
        "00:1e:02:ab",
        "001E 02 AB",
        "0x001E02ab",
        "0x001e 0X02ab:",
        " 00 1E\n02\tAb ",
    ] {
        assert_eq!(parse_hex(s).unwrap(), want, "{s:?}");
    }
}

#[test]
fn clear_errors() {
    let msg = |s: &str| match parse_hex(s) {
        Err(Error::Parse(m)) => m.to_string(),
        other => panic!("{s:?}: {other:?}"),
    };
    assert_eq!(msg("00G1"), "invalid hex digit 'G' in \"00G1\" at offset 2");
    assert_eq!(msg("001"), "odd number of hex digits (3)");
    assert_eq!(msg(" : "), "no hex digits");
}

#[test]
fn with_marker_without_marker_and_bare_update_body() {
    // the forms of exabgp decode's help text
    let forms = [
        EOR6.to_string(),
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001E:02:0000:0007:900F:0003:0002:01".into(),
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 001E02 00000007900F0003000201".into(),
        "001E0200000007900F0003000201".into(),
        "001E:02:0000:0007:900F:0003:0002:01".into(),
        // no marker and no header: one UPDATE body
        "00000007900F0003000201".into(),
    ];
    for f in &forms {
        assert_eq!(
            parse_messages(f).unwrap(),
            vec![(2u8, vec![0, 0, 0, 7, 0x90, 0x0f, 0, 3, 0, 2, 1])],
            "{f}"
        );
    }
    // several messages in one dump
    let two = format!("{EOR6}FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304");
    let msgs = decode_messages(&two, &Negotiated::standalone()).unwrap();
    assert_eq!(msgs.len(), 2);
    assert!(
        matches!(&msgs[0], Message::Update(u) if u.received.eor() == Some(ferrobgp_wire::Family::IPV6_UNICAST))
    );
    assert_eq!(msgs[1], Message::Keepalive);
}

#[test]
fn truncated_dumps() {
    let e = parse_messages("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001E0200").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the header says 30 bytes but only 20 are given"
    );
    let e = parse_messages(&format!("{EOR6}FFFF")).unwrap_err();
    assert_eq!(e.to_string(), "2 trailing byte(s) do not make a header");
    // a header error keeps its NOTIFICATION
    let e = parse_messages("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001202").unwrap_err();
    assert_eq!(e.notify().map(|n| (n.code, n.subcode)), Some((1, 2)));
}
