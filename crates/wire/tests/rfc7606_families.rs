//! RFC 7606 handling of a malformed NLRI, family by family, on real UPDATE
//! bytes, in MP_REACH_NLRI and MP_UNREACH_NLRI: session reset when the NLRI
//! cannot be delimited or its length is inconsistent with the family
//! (RFC 7606 5.3), treat-as-withdraw for a FlowSpec rule malformed inside an
//! intact length (RFC 8955 4.2), NLRI discard for a BGP-LS NLRI malformed
//! inside an intact Total NLRI Length (RFC 9552 8.2.2), and the verdict
//! precedence of RFC 7606 3(h). The rules are listed in
//! crates/wire/src/nlri/malformed.rs. The JSON of the FlowSpec cases is
//! what ExaBGP 5.0.15 prints for the same bytes (`exabgp decode`).

use ferrobgp_api::json::update::update_message_json;
use ferrobgp_wire::error::Notify;
use ferrobgp_wire::family::Family;
use ferrobgp_wire::route::RouteChange;
use ferrobgp_wire::update::{Context, Received, Update, Verdict};
use ferrobgp_wire::Error;
use serde_json::json;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// An UPDATE body: ORIGIN igp, empty AS_PATH, LOCAL_PREF 100, then `extra`
/// attribute bytes.
fn body(extra: &str) -> Vec<u8> {
    let mut a = unhex("40010100 400200 40050400000064");
    a.extend(unhex(extra));
    let mut b = vec![0, 0];
    b.extend_from_slice(&(a.len() as u16).to_be_bytes());
    b.extend_from_slice(&a);
    b
}

/// An MP attribute (14 or 15) with `value` (extended length above 255).
fn mp(code: u8, value: &str) -> String {
    let v = unhex(value);
    if v.len() > 255 {
        format!("90{code:02X}{:04X}{value}", v.len())
    } else {
        format!("80{code:02X}{:02X}{value}", v.len())
    }
}

fn reset(b: &[u8]) -> Notify {
    match Update::decode(b, &Context::default()) {
        Err(Error::Malformed { notify, .. }) => notify,
        other => panic!("expected a session reset, got {other:?}"),
    }
}

fn accepted(b: &[u8]) -> Received {
    Update::decode(b, &Context::default()).unwrap_or_else(|e| panic!("reset: {e}"))
}

/// `(verdict, attribute, family)` of every malformation.
fn verdicts(rx: &Received) -> Vec<(Verdict, Option<u8>, Option<Family>)> {
    rx.malformations
        .iter()
        .map(|m| (m.verdict.clone(), m.attribute, m.family))
        .collect()
}

/// Session reset with Optional Attribute Error and the attribute as data,
/// for every `(what, attribute)`.
fn all_reset(cases: &[(&str, String)]) {
    for (what, attr) in cases {
        let n = reset(&body(attr));
        assert_eq!((n.code, n.subcode), (3, 9), "{what}");
        assert_eq!(n.data, unhex(attr), "{what}");
    }
}

const FLOW_GOOD_1: &str = "0601200A000001"; // destination 10.0.0.1/32
const FLOW_GOOD_2: &str = "0601200A000002"; // destination 10.0.0.2/32
const FLOW_UNKNOWN: &str = "030E8101"; // component type 14

#[test]
fn unicast_and_multicast_reset() {
    let nh6 = "20010DB8000000000000000000000001";
    all_reset(&[
        ("ipv6 unicast /129", mp(14, &format!("00020110{nh6}00 81"))),
        ("ipv6 unicast withdraw /129", mp(15, "000201 81")),
        (
            "ipv4 multicast /33",
            mp(14, "000102040A00000100 210A000000"),
        ),
        ("ipv4 multicast withdraw overrun", mp(15, "000102 180A00")),
        (
            "ipv6 multicast overrun",
            mp(14, &format!("00020210{nh6}00 4020010DB8")),
        ),
    ]);
}

#[test]
fn labelled_and_vpn_reset() {
    all_reset(&[
        // nlri-mpls, IPv6 next hop, 24-bit label then a 176-bit "prefix"
        (
            "ipv6 nlri-mpls prefix too long",
            mp(
                14,
                "00020410 20010DB8000000000000000000000001 00 C8 000641 20010DB8000000000000000000000000000000000000",
            ),
        ),
        // mpls-vpn: 32 bits cannot hold a label and an RD
        (
            "mpls-vpn shorter than its RD",
            mp(14, "0001800C 0000000000000000C0000201 00 20 003E81 00"),
        ),
        ("mpls-vpn withdraw overrun", mp(15, "000180 70 800000 0000FDE8")),
        ("nlri-mpls withdraw without bottom of stack", mp(15, "000104 30 000010 000020")),
    ]);
}

#[test]
fn flow_rule_malformed_inside_its_length_is_treat_as_withdraw() {
    // MP_REACH: a good rule, a rule with component type 14, a good rule
    let attr = mp(
        14,
        &format!("00018500 00 {FLOW_GOOD_1} {FLOW_UNKNOWN} {FLOW_GOOD_2}"),
    );
    let rx = accepted(&body(&attr));
    assert_eq!(
        verdicts(&rx),
        [(Verdict::TreatAsWithdraw, Some(14), Some(Family::IPV4_FLOW))]
    );
    assert_eq!(rx.verdict(), Some(&Verdict::TreatAsWithdraw));
    assert!(rx.malformations[0].reason.contains("0x030E8101"));
    assert!(rx.treat_as_withdraw());
    // the two good rules are read, and withdrawn
    let changes = rx.changes();
    assert_eq!(changes.len(), 2);
    assert!(changes.iter().all(|c| !c.is_announce()));
    assert_eq!(
        changes[1].route().nlri.to_string(),
        "flow destination-ipv4 10.0.0.2/32"
    );
    // the session is not reset and no EOR is seen
    assert_eq!(rx.eor(), None);
}

#[test]
fn flow_json_is_exabgp_s() {
    // exabgp 5.0.15 decode of the same UPDATE lists the good rule only
    let attr = mp(14, &format!("00018500 00 {FLOW_GOOD_1} {FLOW_UNKNOWN}"));
    let rx = accepted(&body(&attr));
    assert_eq!(
        update_message_json(&rx.update),
        json!({ "update": {
            "attribute": { "origin": "igp", "local-preference": 100 },
            "announce": { "ipv4 flow": { "no-nexthop": [ {
                "destination-ipv4": [ "10.0.0.1/32" ],
                "string": "flow destination-ipv4 10.0.0.1/32" } ] } } } })
    );
    // ... and nothing but the attributes when the bad rule is alone
    let rx = accepted(&body(&mp(14, &format!("00018500 00 {FLOW_UNKNOWN}"))));
    assert_eq!(
        update_message_json(&rx.update),
        json!({ "update": { "attribute": { "origin": "igp", "local-preference": 100 } } })
    );
    assert!(rx.changes().is_empty());
    assert!(rx.treat_as_withdraw());
}

#[test]
fn flow_withdraw_with_a_malformed_rule() {
    let attr = mp(15, &format!("000185 {FLOW_UNKNOWN} {FLOW_GOOD_2}"));
    let rx = accepted(&body(&attr));
    assert_eq!(
        verdicts(&rx),
        [(Verdict::TreatAsWithdraw, Some(15), Some(Family::IPV4_FLOW))]
    );
    let changes = rx.changes();
    assert_eq!(changes.len(), 1);
    assert!(matches!(&changes[0], RouteChange::Withdraw(r)
        if r.nlri.to_string() == "flow destination-ipv4 10.0.0.2/32"));
}

#[test]
fn every_kind_of_flow_content_error() {
    for (family, value) in [
        // out of order: source before destination
        ("00018500 00", "0C02200A00000101200A000002"),
        // IPv4 prefix /33
        ("00018500 00", "0601210A000000"),
        // operator list without end-of-list
        ("00018500 00", "03050101"),
        // empty rule
        ("00018500 00", "00"),
        // flow-label (13) on IPv4
        ("00018500 00", "020D81"),
        // IPv6: offset 80 above prefix length 64
        ("00028500 00", "0301 4050"),
        // IPv6: unknown component type 14
        ("00028500 00", FLOW_UNKNOWN),
        // flow-vpn: 4 bytes cannot hold the RD
        ("00018600 00", "0400000000"),
        // flow-vpn IPv6: RD then a repeated component type
        ("00028600 00", "0E0000FFFF00000001 038106 038111"),
    ] {
        let rx = accepted(&body(&mp(14, &format!("{family} {value}"))));
        assert_eq!(rx.verdict(), Some(&Verdict::TreatAsWithdraw), "{value}");
        assert!(
            rx.update.mp_reach.as_ref().unwrap().nlri.is_empty(),
            "{value}"
        );
        // the same rule in MP_UNREACH (AFI/SAFI without the next hop)
        let unreach = format!("{}{value}", &family[..6]);
        let rx = accepted(&body(&mp(15, &unreach)));
        assert_eq!(rx.verdict(), Some(&Verdict::TreatAsWithdraw), "{value}");
    }
}

#[test]
fn flow_framing_errors_reset() {
    all_reset(&[
        ("flow length overrun", mp(14, "00018500 00 100120")),
        ("flow withdraw length overrun", mp(15, "000185 10 0120")),
        ("flow two-byte length truncated", mp(14, "00028500 00 F0")),
        (
            "flow-vpn two-byte length overrun",
            mp(15, "000186 F1000000FFFF00000001"),
        ),
    ]);
}

#[test]
fn vpls_rtc_and_typed_families_reset() {
    all_reset(&[
        (
            "vpls length 16",
            mp(
                14,
                "00194104 C0000201 00 0010 0001C0A8C901007B000500010008029C",
            ),
        ),
        (
            "vpls withdraw truncated",
            mp(15, "001941 0011 0001C0A8C901"),
        ),
        ("rtc /16", mp(14, "00018404 C0000201 00 10 FDE8")),
        ("rtc withdraw /97", mp(15, "000184 61 0000FDE8")),
        (
            "evpn header overrun",
            mp(14, "00194604 C0000201 00 0221 0000"),
        ),
        ("evpn withdraw truncated header", mp(15, "001946 02")),
        ("mvpn overrun", mp(14, "00010504 C0000201 00 0516 0000FDE8")),
        ("mvpn v6 withdraw overrun", mp(15, "000205 0720 00")),
        ("mup v6 overrun", mp(15, "000255 01 0002 20 0000")),
    ]);
}

#[test]
fn evpn_and_mvpn_unknown_route_types_are_kept() {
    // RFC 7606 5.4 discard is for a speaker that installs routes; ExaBGP
    // 5.0.15 reports them, and so does this crate
    for attr in [
        mp(14, "00194604 C0000201 00 09 03 010203"),
        mp(15, "000105 09 02 0102"),
    ] {
        let rx = accepted(&body(&attr));
        assert!(rx.malformations.is_empty(), "{attr}");
        assert_eq!(rx.changes().len(), 1);
    }
}

/// A valid BGP-LS node NLRI (IS-IS L2, AS 65000, router 0000.0000.0001).
const LS_NODE: &str =
    "000100270200000000000000000100001A020000040000FDE8020100040000000002030006000000000001";
/// The same NLRI with its TLV 256 claiming one byte more than it has.
const LS_NODE_BAD: &str =
    "000100270200000000000000000100001B020000040000FDE8020100040000000002030006000000000001";

#[test]
fn bgp_ls_nlri_malformed_inside_its_length_is_discarded_alone() {
    let attr = mp(14, &format!("40044704C0000201 00 {LS_NODE_BAD} {LS_NODE}"));
    let rx = accepted(&body(&attr));
    assert_eq!(
        verdicts(&rx),
        [(Verdict::NlriDiscard, Some(14), Some(Family::BGP_LS))]
    );
    assert!(!rx.treat_as_withdraw());
    let changes = rx.changes();
    assert_eq!(changes.len(), 1);
    assert!(changes[0].is_announce());
    // in MP_UNREACH: the good NLRI is withdrawn, the bad one dropped
    let rx = accepted(&body(&mp(15, &format!("400447 {LS_NODE} {LS_NODE_BAD}"))));
    assert_eq!(rx.verdict(), Some(&Verdict::NlriDiscard));
    assert_eq!(rx.changes().len(), 1);
    // TLV types descending (257 before 256), BGP-LS-VPN without its RD
    let descending = "0001 0011 02 0000000000000000 0101 0000 0100 0000";
    for attr in [
        mp(14, &format!("40044704C0000201 00 {descending}")),
        mp(15, "400448 0001 0004 00000000"),
    ] {
        let rx = accepted(&body(&attr));
        assert_eq!(rx.verdict(), Some(&Verdict::NlriDiscard), "{attr}");
        assert!(rx.changes().is_empty());
    }
    // an NLRI type RFC 9552 does not define is propagated (section 5.2)
    let rx = accepted(&body(&mp(15, "400447 FDE9 0003 010203")));
    assert!(rx.malformations.is_empty());
    assert_eq!(rx.changes().len(), 1);
}

#[test]
fn bgp_ls_framing_errors_reset() {
    all_reset(&[
        (
            "bgp-ls total length overrun",
            mp(14, &format!("40044704C0000201 00 {}", &LS_NODE[..40])),
        ),
        ("bgp-ls withdraw truncated header", mp(15, "400447 0001 00")),
    ]);
}

#[test]
fn verdict_precedence() {
    // treat-as-withdraw (flow) beats attribute discard (ATOMIC_AGGREGATE
    // with a value) and NLRI discard
    let b = body(&format!(
        "40060101 {}",
        mp(14, &format!("00018500 00 {FLOW_UNKNOWN} {FLOW_GOOD_1}"))
    ));
    let rx = accepted(&b);
    let v = verdicts(&rx);
    assert!(
        v.contains(&(Verdict::AttributeDiscard, Some(6), None)),
        "{v:?}"
    );
    assert_eq!(rx.verdict(), Some(&Verdict::TreatAsWithdraw));
    assert!(rx.changes().iter().all(|c| !c.is_announce()));
    // a malformed ORIGIN makes a BGP-LS NLRI discard a treat-as-withdraw
    let b = {
        let mut a = unhex("40010105 400200");
        a.extend(unhex(&mp(
            14,
            &format!("40044704C0000201 00 {LS_NODE_BAD} {LS_NODE}"),
        )));
        let mut b = vec![0, 0];
        b.extend_from_slice(&(a.len() as u16).to_be_bytes());
        b.extend_from_slice(&a);
        b
    };
    let rx = accepted(&b);
    assert_eq!(rx.verdict(), Some(&Verdict::TreatAsWithdraw));
    assert!(verdicts(&rx).contains(&(Verdict::NlriDiscard, Some(14), Some(Family::BGP_LS))));
    assert!(rx.changes().iter().all(|c| !c.is_announce()));
    // session reset beats everything: a second MP_REACH after the bad rule
    let b = body(&format!(
        "{} {}",
        mp(14, &format!("00018500 00 {FLOW_UNKNOWN}")),
        mp(14, &format!("00018500 00 {FLOW_GOOD_1}"))
    ));
    let n = reset(&b);
    assert_eq!((n.code, n.subcode), (3, 1));
}

#[test]
fn malformation_display_names_the_family() {
    let rx = accepted(&body(&mp(14, &format!("00018500 00 {FLOW_UNKNOWN}"))));
    let line = rx.malformations[0].to_string();
    assert!(
        line.starts_with(
            "treated as withdraw: attribute 14 (ipv4 flow): malformed NLRI 0x030E8101"
        ),
        "{line}"
    );
}
