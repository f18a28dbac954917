//! ExaBGP JSON of this half's messages. Expected values were produced by
//! ExaBGP 5.0.15 (`exabgp decode HEX` in a virtualenv, the message part
//! of its output copied below) for OPEN and NOTIFICATION; ROUTE-REFRESH
//! and OPERATIONAL, which `exabgp decode` cannot decode, follow spec 3.3
//! (the key order of ExaBGP's JSON encoder, values as strings).

mod msg_common;

use ferrobgp_api::json::{decode_json, message::message_content, DecodeEnvelope};
use ferrobgp_wire::message::operational::types;
use ferrobgp_wire::message::{Message, Notification, Operational, RouteRefresh};
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::Family;
use msg_common::unhex;
use serde_json::{json, Value};
use std::net::Ipv4Addr;

fn content(m: &Message) -> (String, Value) {
    let (kind, map) = message_content(m).expect("renderable");
    (kind.to_string(), Value::Object(map))
}

fn decoded(hex: &str) -> Message {
    Message::decode_bytes(&unhex(hex), 65535, &Negotiated::standalone()).unwrap()
}

/// Every capability type in one OPEN (one per parameter), AS_TRANS with a
/// 4-octet AS, unknown codes of each IANA class.
const BIG_OPEN: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00A801045BA0005A010203048B0206010400010001020601040002000102064104FA56EA0002080506000100010002020A45080001010300020101020840068078000101800202020002028000020246000202B90002020600020F490D04686F7374076578616D706C65020E4B0C0B4652522F382E345F6769740204440200010203830100020742056C6F72656D0204C802010202026400";

#[test]
fn open_with_every_capability() {
    let (kind, v) = content(&decoded(BIG_OPEN));
    assert_eq!(kind, "open");
    let expected = json!({ "open": {
        "version": 4, "asn": 23456, "hold_time": 90, "router_id": "1.2.3.4",
        "capabilities": {
            "1": { "name": "multiprotocol", "families": [ "ipv4/unicast", "ipv6/unicast" ] },
            "65": { "name": "asn4", "asn4": 4200000000u32 },
            "5": { "name": "nexthop", "conversion": [ "ipv4/unicast/ipv6" ] },
            "69": { "name": "addpath", "ipv4/unicast": "send/receive", "ipv6/unicast": "receive" },
            "64": { "name": "graceful restart", "time": 120,
                    "address-family-flags": { "ipv4/unicast": [ "restart" ] },
                    "restart-flags": [ "forwarding" ] },
            "2": { "name": "route-refresh", "variant": "RFC" },
            "128": { "name": "route-refresh", "variant": "Cisco" },
            "70": { "name": "enhanced-route-refresh" },
            "185": { "name": "operational" },
            "6": { "name": "extended-message", "size": 65535 },
            "73": { "host-name": "host", "domain-name": "example" },
            "75": { "software": "FRR/8.4_git" },
            "68": { "name": "multisession", "variant": "RFC", "capabilities": [ "multiprotocol" ] },
            "131": { "name": "multisession", "variant": "Cisco", "capabilities": [] },
            "66": { "name": "unknown", "iana": "unknown", "value": 66, "raw": "6C6F72656D" },
            "200": { "name": "unknown", "iana": "reserved", "value": 200, "raw": "0102" },
            "100": { "name": "unknown", "iana": "unassigned", "value": 100, "raw": "" }
        }
    }});
    assert_eq!(v, expected);
    // key order is ExaBGP's, not alphabetical
    let caps: Vec<&String> = v["open"]["capabilities"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        caps,
        [
            "1", "65", "5", "69", "64", "2", "128", "70", "185", "6", "73", "75", "68", "131",
            "66", "200", "100"
        ]
    );
    let open_keys: Vec<&String> = v["open"].as_object().unwrap().keys().collect();
    assert_eq!(
        open_keys,
        ["version", "asn", "hold_time", "router_id", "capabilities"]
    );
}

/// The same capabilities packed into a single optional parameter render
/// identically (ExaBGP merges by code).
#[test]
fn open_with_capabilities_in_one_parameter() {
    let one_param = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF008601045BA0005A010203046902670104000100010104000200014104FA56EA000506000100010002450800010103000201014006807800010180020080004600B9000600490D04686F7374076578616D706C654B0C0B4652522F382E345F6769744402000183010042056C6F72656DC80201026400";
    assert_eq!(content(&decoded(one_param)), content(&decoded(BIG_OPEN)));
}

/// conformance conf-hostname's OPEN, with the decode envelope.
#[test]
fn hostname_open_in_decode_envelope() {
    let m = decoded("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00510104FFFD00B40A000002340206010400010001020641040000FFFD022249200C6D792D686F73742D6E616D65126D792D646F6D61696E2D6E616D652E636F6D");
    let (kind, map) = message_content(&m).unwrap();
    let env = DecodeEnvelope {
        time: 1795707960.5,
        host: "vm".into(),
        pid: 6744,
        ppid: 6741,
        ..DecodeEnvelope::default()
    };
    let v = decode_json(&env, kind, map);
    assert_eq!(
        v,
        json!({ "exabgp": "5.0.0", "time": 1795707960.5, "host": "vm", "pid": 6744, "ppid": 6741,
        "counter": 1, "type": "open", "neighbor": {
            "address": { "local": "127.0.0.1", "peer": "127.0.0.1" },
            "asn": { "local": 65533, "peer": 65533 }, "direction": "in",
            "open": { "version": 4, "asn": 65533, "hold_time": 180, "router_id": "10.0.0.2",
                "capabilities": { "1": { "name": "multiprotocol", "families": [ "ipv4/unicast" ] },
                    "65": { "name": "asn4", "asn4": 65533 },
                    "73": { "host-name": "my-host-name", "domain-name": "my-domain-name.com" } } } } })
    );
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["exabgp", "time", "host", "pid", "ppid", "counter", "type", "neighbor"]
    );
}

#[test]
fn notifications() {
    // Cease / Administrative Reset with a Shutdown Communication
    let (kind, v) = content(&decoded(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002A0306041441646D696E697374726174697665205265736574",
    ));
    assert_eq!(kind, "notification");
    assert_eq!(
        v,
        json!({ "notification": { "code": 6, "subcode": 4,
        "data": "0x53687574646F776E20436F6D6D756E69636174696F6E3A202241646D696E69737472617469766520526573657422",
        "message": "Shutdown Communication: \"Administrative Reset\"" } })
    );
    // binary data: hex, and a lossy UTF-8 message
    let (_, v) = content(&decoded("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0017030202FFFF"));
    assert_eq!(
        v,
        json!({ "notification": { "code": 2, "subcode": 2, "data": "0xFFFF", "message": "\u{fffd}\u{fffd}" } })
    );
    // ExaBGP's unknown-message answer (ferrobgp.compat.reference-unknown-message)
    let (_, v) = content(&Message::Notification(
        Notification::reference_unknown_message_type(255),
    ));
    assert_eq!(
        v["notification"]["message"],
        "can not decode update message of type \"255\""
    );
    assert_eq!(
        v["notification"]["data"],
        "0x63616E206E6F74206465636F646520757064617465206D657373616765206F662074797065202232353522"
    );
}

#[test]
fn keepalive_route_refresh_operational() {
    let (kind, v) = content(&Message::Keepalive);
    assert_eq!((kind.as_str(), v), ("keepalive", json!({})));
    let (kind, v) = content(&Message::RouteRefresh(RouteRefresh::new(
        Family::IPV6_FLOW,
        1,
    )));
    assert_eq!(kind, "refresh");
    assert_eq!(
        v,
        json!({ "route-refresh": { "afi": "ipv6", "safi": "flow", "subtype": "begin" } })
    );
    let fam = Family::IPV4_UNICAST;
    let (kind, v) = content(&Message::Operational(Operational::advisory(
        types::ASM,
        fam,
        "hi",
    )));
    assert_eq!(kind, "operational");
    assert_eq!(
        v,
        json!({ "operational": { "name": "ASM", "afi": "ipv4", "safi": "unicast", "advisory": "hi" } })
    );
    let q = Operational::Query {
        kind: types::APCQ,
        family: fam,
        router_id: Ipv4Addr::new(1, 1, 1, 1),
        sequence: 3,
    };
    assert_eq!(
        content(&Message::Operational(q)).1,
        json!({ "operational": { "name": "APCQ", "afi": "ipv4", "safi": "unicast" } })
    );
    let c = Operational::Counter {
        kind: types::RPCP,
        family: fam,
        router_id: Ipv4Addr::new(1, 1, 1, 1),
        sequence: 3,
        counter: 42,
    };
    let (_, v) = content(&Message::Operational(c));
    assert_eq!(
        v,
        json!({ "operational": { "name": "RPCP", "afi": "ipv4", "safi": "unicast", "router-id": "1.1.1.1", "sequence": 3, "counter": 42 } })
    );
    let keys: Vec<&String> = v["operational"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["name", "afi", "safi", "router-id", "sequence", "counter"]
    );
    // ExaBGP cannot render unknown operational types or unknown messages
    let raw = Operational::Raw {
        kind: 99,
        length: 0,
        data: vec![],
    };
    assert!(message_content(&Message::Operational(raw)).is_none());
    assert!(message_content(&Message::Unknown {
        kind: 9,
        body: vec![]
    })
    .is_none());
}

/// What ExaBGP 5.0.15 prints for `str(open.capabilities)` of BIG_OPEN.
#[test]
fn capabilities_text_rendering() {
    let Message::Open(open) = decoded(BIG_OPEN) else {
        panic!()
    };
    assert_eq!(
        ferrobgp_api::text::capabilities_text(&open),
        "Multiprotocol(ipv4 unicast,ipv6 unicast), Route Refresh, NextHop(ipv4 unicast ipv6), \
         Extended Message(65535), Graceful Restart Flags 0x8 Time 120 ipv4/unicast=0x80, \
         ASN4(4200000000), Unknown 66, Multisession (RFC) multiprotocol, \
         AddPath(send/receive ipv4 unicast,receive ipv6 unicast), Enhanced Route Refresh, \
         Hostname(host example), Software(FRR/8.4_git), Unassigned 100, Cisco Route Refresh, \
         Multisession , Operational, Reserved 200"
    );
}

/// `ferrobgp decode` output for a dump of two messages; compare ExaBGP
/// 5.0.15 `exabgp decode FFFF..001E0200000007900F0003000201` (its extra
/// `"router-id"` key is a later addition, spec 3.2).
#[test]
fn decode_hex_json_envelopes() {
    use ferrobgp_api::json::decode_hex_json;
    let env = DecodeEnvelope::default();
    let out = decode_hex_json(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001E0200000007900F0003000201 \
         FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304",
        &Negotiated::standalone(),
        &env,
    )
    .unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["type"], "update");
    assert_eq!(
        out[0]["neighbor"],
        json!({ "address": { "local": "127.0.0.1", "peer": "127.0.0.1" },
                "asn": { "local": 65533, "peer": 65533 }, "direction": "in",
                "message": { "eor": { "afi": "ipv6", "safi": "unicast" } } })
    );
    assert_eq!(out[1]["type"], "keepalive");
    assert_eq!(out[1]["neighbor"]["direction"], "in");
    let e = decode_hex_json(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001363",
        &Negotiated::standalone(),
        &env,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "unknown type 99");
}

/// An OPEN with RFC 9072 extended parameters (21 families, graceful
/// restart, extended message) renders as `exabgp decode` (5.0.15) prints
/// it (the expected object is its output, verbatim).
#[test]
fn extended_parameters_open_json() {
    let hex = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF01460104FFFD00B40A000002FFFF012602000601040001000102000601\
         040001000202000601040001000402000601040001000502000601040001005502000601040001008002000601\
         040001008402000601040001008502000601040001008602000601040002000102000601040002000202000601\
         040002000402000601040002000502000601040002005502000601040002008002000601040002008502000601\
         040002008602000601040019004102000601040019004602000601044004004702000601044004004802000641\
         040000FFFD02005840560078000101800001028000010480000105800001558000018080000184800001858000\
         018680000201800002028000020480000205800002558000028080000285800002868000194180001946804004\
         4780400448800200020600";
    let expected: Value = serde_json::from_str(r#"{"version": 4, "asn": 65533, "hold_time": 180, "router_id": "10.0.0.2", "capabilities": {"1": {"name": "multiprotocol", "families": ["ipv4/unicast", "ipv4/multicast", "ipv4/nlri-mpls", "ipv4/mcast-vpn", "ipv4/mup", "ipv4/mpls-vpn", "ipv4/rtc", "ipv4/flow", "ipv4/flow-vpn", "ipv6/unicast", "ipv6/multicast", "ipv6/nlri-mpls", "ipv6/mcast-vpn", "ipv6/mup", "ipv6/mpls-vpn", "ipv6/flow", "ipv6/flow-vpn", "l2vpn/vpls", "l2vpn/evpn", "bgp-ls/bgp-ls", "bgp-ls/bgp-ls-vpn"]}, "65": {"name": "asn4", "asn4": 65533}, "64": {"name": "graceful restart", "time": 120, "address-family-flags": {"ipv4/unicast": ["restart"], "ipv4/multicast": ["restart"], "ipv4/nlri-mpls": ["restart"], "ipv4/mcast-vpn": ["restart"], "ipv4/mup": ["restart"], "ipv4/mpls-vpn": ["restart"], "ipv4/rtc": ["restart"], "ipv4/flow": ["restart"], "ipv4/flow-vpn": ["restart"], "ipv6/unicast": ["restart"], "ipv6/multicast": ["restart"], "ipv6/nlri-mpls": ["restart"], "ipv6/mcast-vpn": ["restart"], "ipv6/mup": ["restart"], "ipv6/mpls-vpn": ["restart"], "ipv6/flow": ["restart"], "ipv6/flow-vpn": ["restart"], "l2vpn/vpls": ["restart"], "l2vpn/evpn": ["restart"], "bgp-ls/bgp-ls": ["restart"], "bgp-ls/bgp-ls-vpn": ["restart"]}, "restart-flags": []}, "6": {"name": "extended-message", "size": 65535}}}"#).unwrap();
    let (_, v) = content(&decoded(hex));
    assert_eq!(v["open"], expected);
}
