//! OPEN: golden bytes (spec 7.2, the conformance suite), the builder's
//! capability order, RFC 9072 extended parameters, round trips, and every
//! malformed-OPEN class with its exact NOTIFICATION.

mod msg_common;

use ferrobgp_wire::capability::*;
use ferrobgp_wire::message::open::{Open, OptionalParameter};
use ferrobgp_wire::message::{GracefulRestartConfig, Message, OpenConfig};
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::{Error, Family};
use msg_common::{conformance_dir, raw_lines, unhex};
use proptest::prelude::*;
use std::net::Ipv4Addr;

fn encode(open: &Open) -> Vec<u8> {
    Message::Open(open.clone()).encode(4096).unwrap()
}

fn decode(bytes: &[u8]) -> Result<Open, Error> {
    match Message::decode_bytes(bytes, 4096, &Negotiated::standalone())? {
        Message::Open(o) => Ok(o),
        other => panic!("not an OPEN: {other:?}"),
    }
}

fn notify(e: Error) -> (u8, u8, Vec<u8>) {
    let n = e.notify().expect("a NOTIFICATION").clone();
    (n.code, n.subcode, n.data)
}

/// The reference commit's OPENs (the conformance suite's bytes): empty
/// capabilities left out (`ferrobgp.compat.reference-open`).
fn base() -> OpenConfig {
    OpenConfig {
        local_as: 65533,
        hold_time: 180,
        router_id: Ipv4Addr::new(10, 0, 0, 2),
        families: vec![Family::IPV4_UNICAST],
        omit_empty_capabilities: true,
        ..OpenConfig::default()
    }
}

fn codes_of(open: &Open) -> Vec<u8> {
    open.capabilities().map(|c| c.code()).collect()
}

/// Spec 7.2: the OPEN of a default neighbor (ipv4 unicast) with
/// `software-version enable`, local AS 65533, hold 180, router-id 10.0.0.2.
#[test]
fn spec_7_2_software_version_open() {
    let cfg = OpenConfig {
        software_version: Some("ExaBGP/5.0.0-0+test".into()),
        ..base()
    };
    let expected = unhex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0045 01 04 FFFD 00B4 0A000002 28 \
         02 06 01 04 0001 0001  02 06 41 04 0000FFFD \
         02 16 4B 14 13 4578614247502F352E302E302D302B74657374",
    );
    let open = cfg.build().unwrap();
    assert_eq!(encode(&open), expected);
    assert_eq!(decode(&expected).unwrap(), open);
}

/// Minimal reader of the neighbor settings conf-hostname.conf uses.
fn conf_value<'a>(conf: &'a str, key: &str) -> &'a str {
    conf.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix(' ')))
        .map(|v| v.trim_end_matches(';').trim())
        .unwrap_or_else(|| panic!("{key} not in configuration"))
}

/// conformance `conf-hostname` (option:open:inspect-open-message): the
/// OPEN built from its configuration is the .msg line, byte for byte.
#[test]
fn conformance_conf_hostname_open() {
    let Some(dir) = conformance_dir() else { return };
    let ci = std::fs::read_to_string(dir.join("encoding/conf-hostname.ci")).unwrap();
    let conf = std::fs::read_to_string(dir.join("etc").join(ci.trim())).unwrap();
    let msg = std::fs::read_to_string(dir.join("encoding/conf-hostname.msg")).unwrap();
    assert!(msg.contains("option:open:inspect-open-message"));
    let expected = raw_lines(&msg).remove(0);
    assert!(conf.contains("ipv4 unicast;"));
    let cfg = OpenConfig {
        local_as: conf_value(&conf, "local-as").parse().unwrap(),
        hold_time: conf_value(&conf, "hold-time").parse().unwrap(),
        router_id: conf_value(&conf, "router-id").parse().unwrap(),
        host_name: Some(conf_value(&conf, "host-name").into()),
        domain_name: Some(conf_value(&conf, "domain-name").into()),
        ..base()
    };
    let open = cfg.build().unwrap();
    assert_eq!(encode(&open), expected);
    assert_eq!(decode(&expected).unwrap(), open);
}

/// Every OPEN in the conformance .msg files decodes and re-encodes to the
/// same bytes.
#[test]
fn conformance_opens_round_trip() {
    let Some(dir) = conformance_dir() else { return };
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.join("encoding")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "msg") {
            for raw in raw_lines(&std::fs::read_to_string(&path).unwrap()) {
                if raw.get(18) == Some(&1) {
                    assert_eq!(encode(&decode(&raw).unwrap()), raw, "{}", path.display());
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 1);
}

/// ExaBGP 5.0.15 sends the empty capabilities (fixed in 5.0.7); the
/// reference commit's omission is the `reference-open` compatibility
/// setting, and what it leaves out is never negotiated (issue 12: FRR got
/// UPDATEs above 4,096 bytes that our OPEN never offered).
#[test]
fn empty_capabilities_sent_by_default_and_omitted_ones_never_negotiated() {
    let cfg = OpenConfig {
        route_refresh: true,
        operational: true,
        extended_message: true,
        ..base()
    };
    let cfg = OpenConfig {
        omit_empty_capabilities: OpenConfig::default().omit_empty_capabilities,
        ..cfg
    };
    assert!(!cfg.omit_empty_capabilities, "5.0.15's OPEN by default");
    assert_eq!(codes_of(&cfg.build().unwrap()), [1, 65, 2, 70, 185, 6]);
    let quirk = OpenConfig {
        omit_empty_capabilities: true,
        ..cfg.clone()
    };
    assert_eq!(codes_of(&quirk.build().unwrap()), [1, 65]);
    // The peer offers the full set.
    let mut peer = cfg.build().unwrap();
    peer.router_id = Ipv4Addr::new(10, 0, 0, 3);
    let neg = cfg.negotiate(&peer, Some(65533)).unwrap();
    assert!(neg.extended_message && neg.operational);
    assert_eq!(neg.max_message_size(), 65535);
    assert_eq!(neg.refresh, ferrobgp_wire::negotiated::Refresh::Enhanced);
    // Our OPEN carried none of them: none is negotiated.
    let neg = quirk.negotiate(&peer, Some(65533)).unwrap();
    assert!(!neg.extended_message && !neg.operational);
    assert_eq!(neg.max_message_size(), 4096);
    assert_eq!(neg.refresh, ferrobgp_wire::negotiated::Refresh::Absent);
    assert_eq!(
        quirk.advertised().unwrap().capabilities,
        quirk
            .build()
            .unwrap()
            .capabilities()
            .cloned()
            .collect::<Vec<_>>()
    );
}

#[test]
fn builder_uses_exabgp_capability_order() {
    let cfg = OpenConfig {
        local_as: 4_200_000_000,
        families: vec![
            Family::IPV6_UNICAST,
            Family::IPV4_FLOW,
            Family::IPV4_UNICAST,
            Family::IPV4_UNICAST,
        ],
        nexthop: Some(vec![
            NextHopEntry {
                family: Family::IPV4_MPLS_VPN,
                nexthop_afi: ferrobgp_wire::Afi::IPV6,
            },
            NextHopEntry {
                family: Family::IPV4_UNICAST,
                nexthop_afi: ferrobgp_wire::Afi::IPV6,
            },
            NextHopEntry {
                family: Family::IPV6_UNICAST,
                nexthop_afi: ferrobgp_wire::Afi::IPV4,
            },
        ]),
        add_path: Some(vec![
            AddPathEntry {
                family: Family::IPV6_UNICAST,
                mode: AddPathMode::BOTH,
            },
            AddPathEntry {
                family: Family::IPV4_FLOW,
                mode: AddPathMode::BOTH,
            },
            AddPathEntry {
                family: Family::IPV4_UNICAST,
                mode: AddPathMode::SEND,
            },
        ]),
        graceful_restart: Some(GracefulRestartConfig {
            time: 0x1234,
            restarted: true,
        }),
        route_refresh: true,
        operational: true,
        host_name: Some("h".into()),
        software_version: Some("x".repeat(70)),
        multisession: true,
        omit_empty_capabilities: false,
        ..base()
    };
    let open = cfg.build().unwrap();
    assert_eq!(open.my_as, 23456, "AS_TRANS");
    assert_eq!(
        codes_of(&open),
        [1, 1, 1, 65, 5, 69, 64, 2, 70, 185, 6, 73, 75, 68, 68]
    );
    assert!(open
        .params
        .iter()
        .all(|p| matches!(p, OptionalParameter::Capabilities(c) if c.len() == 1)));
    let caps: Vec<&Capability> = open.capabilities().collect();
    assert_eq!(
        caps[..3],
        [
            &Capability::Multiprotocol(Family::IPV4_UNICAST),
            &Capability::Multiprotocol(Family::IPV4_FLOW),
            &Capability::Multiprotocol(Family::IPV6_UNICAST)
        ]
    );
    assert_eq!(caps[3], &Capability::Asn4(4_200_000_000));
    // nexthop: only ExaBGP's IPv4-over-IPv6 entries, in its order
    let Capability::ExtendedNextHop(nh) = caps[4] else {
        panic!()
    };
    assert_eq!(
        nh.iter().map(|e| e.family).collect::<Vec<_>>(),
        [Family::IPV4_UNICAST, Family::IPV4_MPLS_VPN]
    );
    // add-path: ipv4 unicast before ipv6 unicast, no flow
    let Capability::AddPath(ap) = caps[5] else {
        panic!()
    };
    assert_eq!(
        ap.iter().map(|e| (e.family, e.mode)).collect::<Vec<_>>(),
        [
            (Family::IPV4_UNICAST, AddPathMode::SEND),
            (Family::IPV6_UNICAST, AddPathMode::BOTH)
        ]
    );
    // graceful restart: R bit, time masked to 12 bits, F bit per family
    let Capability::GracefulRestart(gr) = caps[6] else {
        panic!()
    };
    assert_eq!((gr.flags, gr.time, gr.families.len()), (8, 0x234, 3));
    assert!(gr.families.iter().all(|f| f.flags == 0x80));
    let Capability::SoftwareVersion(v) = caps[12] else {
        panic!()
    };
    assert_eq!(v.len(), 64);
    assert!(v.ends_with("..."));
    // the multisession TLVs as ExaBGP writes them: 44 01 00, 44 01 01
    let bytes = encode(&open);
    let tail = &bytes[bytes.len() - 10..];
    assert_eq!(tail, unhex("0203440100 0203440101"));
    assert_eq!(decode(&bytes).unwrap(), open);
}

#[test]
fn four_octet_as_without_asn4_is_refused() {
    let cfg = OpenConfig {
        local_as: 70000,
        asn4: false,
        ..base()
    };
    assert!(matches!(cfg.build(), Err(Error::Encode(_))));
}

#[test]
fn extended_optional_parameters_rfc9072() {
    // 30 families: 30 * 8 + 8 (asn4) = 248 bytes of parameters: normal.
    let fams: Vec<Family> = (1..=30)
        .map(|s| Family::new(ferrobgp_wire::Afi(1), ferrobgp_wire::Safi(s)))
        .collect();
    let small = OpenConfig {
        families: fams[..30].to_vec(),
        ..base()
    }
    .build()
    .unwrap();
    let b = encode(&small);
    assert_eq!(b[28], 248);
    assert!(!small.extended_params);
    // 31 families: 256 bytes: FF FF 0100 and 16-bit parameter lengths.
    let mut fams31 = fams.clone();
    fams31.push(Family::new(ferrobgp_wire::Afi(2), ferrobgp_wire::Safi(1)));
    let big = OpenConfig {
        families: fams31,
        ..base()
    }
    .build()
    .unwrap();
    assert!(big.extended_params);
    let b = encode(&big);
    assert_eq!(&b[28..32], &[0xff, 0xff, 0x01, 0x20]);
    assert_eq!(&b[32..35], &[2, 0x00, 0x06], "16-bit parameter length");
    assert_eq!(b.len(), 19 + 10 + 3 + 32 * 9);
    assert_eq!(decode(&b).unwrap(), big);
    // exactly 255 bytes of parameters still fit the base encoding, which
    // RFC 9072 section 2 says to keep (ExaBGP 5.0.15 already switches)
    let exact = OpenConfig {
        families: fams[..29].to_vec(),
        software_version: Some("x".repeat(3)),
        host_name: Some("y".into()),
        ..base()
    };
    let open = exact.build().unwrap();
    assert!(!open.extended_params);
    let b = encode(&open);
    assert_eq!(b[28], 255, "255 bytes of parameters, one-octet length");
    assert_eq!(b[29], 2, "then the first parameter, type 2");
    assert_eq!(b.len(), 19 + 10 + 255);
    assert_eq!(decode(&b).unwrap(), open);
}

/// RFC 9072 section 2: a receiver reads the extended form whenever Non-Ext
/// OP Len is not zero and Non-Ext OP Type is 255, whatever Non-Ext OP Len
/// says (the sender SHOULD set 255); zero is an OPEN without parameters.
#[test]
fn extended_optional_parameters_whatever_the_non_ext_length() {
    // MP IPv4 unicast and ASN4 65533, each in its own parameter with a
    // two-octet length
    let params = "02 0006 010400010001 02 0006 41040000FFFD";
    for non_ext_len in ["FF", "01", "11", "FE"] {
        let msg = open_msg(&format!(
            "04 FFFD 00B4 0A000002 {non_ext_len} FF 0012 {params}"
        ));
        let open = decode(&msg).unwrap_or_else(|e| panic!("Non-Ext OP Len {non_ext_len}: {e}"));
        assert!(open.extended_params, "{non_ext_len}");
        assert_eq!(
            open.capabilities().cloned().collect::<Vec<_>>(),
            [
                Capability::Multiprotocol(Family::IPV4_UNICAST),
                Capability::Asn4(65533)
            ],
            "{non_ext_len}"
        );
        // what we send back uses the recommended 255
        assert_eq!(&encode(&open)[28..32], &unhex("FF FF 0012")[..]);
    }
    // Opt Parm Len 0: no parameters, the next octet is not looked at (and
    // being there at all is 2/0)
    let open = decode(&open_msg("04 FFFD 00B4 0A000002 00")).unwrap();
    assert!(open.params.is_empty() && !open.extended_params);
    assert_eq!(
        notify(decode(&open_msg("04 FFFD 00B4 0A000002 00 FF")).unwrap_err()).0,
        2
    );
    // a first parameter of type 255 (reserved by RFC 9072) can only be
    // sent in the extended form, else it would read as the marker
    let odd = Open {
        version: 4,
        my_as: 65533,
        hold_time: 180,
        router_id: Ipv4Addr::new(10, 0, 0, 2),
        params: vec![OptionalParameter::Other {
            kind: 255,
            value: vec![1, 2],
        }],
        extended_params: false,
    };
    let b = encode(&odd);
    assert_eq!(&b[28..35], &unhex("FF FF 0005 FF 0002")[..]);
    let back = decode(&b).unwrap();
    assert_eq!(back.params, odd.params);
}

/// RFC 6793 section 4.1: between NEW speakers the 4-octet AS capability is
/// the peer's AS (My AS is AS_TRANS when it needs 4 octets) and it is what
/// `peer-as` must match; an old speaker's My AS is matched as is. RFC 7607
/// section 2: AS 0 in either is Bad Peer AS.
#[test]
fn peer_as_from_the_four_octet_capability() {
    let cfg = base();
    let with = |my_as: u16, asn4: Option<u32>| {
        let mut p = peer_of(&cfg);
        p.my_as = my_as;
        for param in &mut p.params {
            if let OptionalParameter::Capabilities(caps) = param {
                caps.retain(|c| !matches!(c, Capability::Asn4(_)));
                if let Some(a) = asn4 {
                    caps.push(Capability::Asn4(a));
                }
            }
        }
        p.params
            .retain(|p| !matches!(p, OptionalParameter::Capabilities(c) if c.is_empty()));
        p
    };
    // AS_TRANS in My AS, the AS in the capability
    let n = cfg
        .negotiate(&with(23456, Some(4_200_000_001)), Some(4_200_000_001))
        .unwrap();
    assert_eq!(n.peer_as, 4_200_000_001);
    assert!(n.asn4 && !n.ibgp);
    // the capability disagrees with peer-as although My AS agrees: 2/2
    let e = cfg
        .negotiate(&with(65001, Some(65002)), Some(65001))
        .unwrap_err();
    assert_eq!(notify(e).1, 2);
    // an old speaker with AS_TRANS cannot be the 4-octet peer-as: 2/2
    let e = cfg
        .negotiate(&with(23456, None), Some(4_200_000_001))
        .unwrap_err();
    assert_eq!(notify(e).1, 2);
    // without our ASN4 capability the peer's is not looked at: My AS
    let no_asn4 = OpenConfig {
        asn4: false,
        ..cfg.clone()
    };
    let n = no_asn4
        .negotiate(&with(65001, Some(65002)), Some(65001))
        .unwrap();
    assert_eq!(n.peer_as, 65001);
    // AS 0: in the capability, in My AS (even with a good capability), and
    // from an old speaker; with or without an expected peer-as
    for (my_as, asn4) in [(23456, Some(0)), (0, Some(65001)), (0, None)] {
        for expected in [None, Some(65001)] {
            let e = cfg.negotiate(&with(my_as, asn4), expected).unwrap_err();
            assert_eq!(notify(e).1, 2, "{my_as} {asn4:?} {expected:?}");
        }
    }
}

#[test]
fn several_capabilities_in_one_parameter_and_raw_parameters() {
    // one type-2 parameter holding MP + ASN4 + an unknown capability,
    // then a parameter of type 7 kept raw.
    let body =
        unhex("04 FFFD 00B4 0A000002 18 02 11 01040001000141040000FFFD 4203 616263 07 03 010203");
    let mut msg = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    msg.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
    msg.push(1);
    msg.extend_from_slice(&body);
    let open = decode(&msg).unwrap();
    assert_eq!(open.params.len(), 2);
    assert_eq!(
        open.capabilities().cloned().collect::<Vec<_>>(),
        [
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::Asn4(65533),
            Capability::Unknown {
                code: 0x42,
                value: b"abc".to_vec()
            }
        ]
    );
    assert_eq!(
        open.params[1],
        OptionalParameter::Other {
            kind: 7,
            value: vec![1, 2, 3]
        }
    );
    assert_eq!(encode(&open), msg);
    // the negotiation refuses the unknown parameter type: 2/4
    let (c, s, d) = notify(base().negotiate(&open, None).unwrap_err());
    assert_eq!((c, s), (2, 4));
    assert_eq!(d, b"unknown OPEN parameter 0x7");
}

fn open_msg(body_hex: &str) -> Vec<u8> {
    let body = unhex(body_hex);
    let mut msg = vec![0xff; 16];
    msg.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
    msg.push(1);
    msg.extend_from_slice(&body);
    msg
}

#[test]
fn malformed_opens_name_their_notification() {
    // truncated: shorter than 29 bytes -> 1/2 with the length
    assert_eq!(
        notify(decode(&open_msg("04 FFFD 00B4 0A00")).unwrap_err()),
        (1, 2, vec![0, 26])
    );
    // bad version -> 2/1, data = largest supported version, 2 octets
    assert_eq!(
        notify(decode(&open_msg("03 FFFD 00B4 0A000002 00")).unwrap_err()),
        (2, 1, vec![0, 4])
    );
    // optional parameters length overruns the message -> 2/0
    assert_eq!(
        notify(decode(&open_msg("04 FFFD 00B4 0A000002 09 02 06 01040001")).unwrap_err()).0,
        2
    );
    assert_eq!(
        notify(decode(&open_msg("04 FFFD 00B4 0A000002 09 02 06 01040001")).unwrap_err()).1,
        0
    );
    // parameter length overruns the parameters -> 2/0
    assert_eq!(
        notify(decode(&open_msg("04 FFFD 00B4 0A000002 04 02 06 0104")).unwrap_err()),
        (2, 0, vec![])
    );
    // capability length overruns its parameter -> 2/0
    assert_eq!(
        notify(decode(&open_msg("04 FFFD 00B4 0A000002 06 02 04 01 04 0001")).unwrap_err()),
        (2, 0, vec![])
    );
    // bytes after the parameters -> 2/0
    assert_eq!(
        notify(decode(&open_msg("04 FFFD 00B4 0A000002 00 00")).unwrap_err()),
        (2, 0, vec![])
    );
    // malformed known capability values -> 2/0
    for cap in [
        "0103000100",
        "41020001",
        "4001FF",
        "450300010",
        "0504000100",
        "4903056162",
    ] {
        let cap = unhex(cap);
        let mut body = unhex("04 FFFD 00B4 0A000002");
        body.push(cap.len() as u8 + 2);
        body.push(2);
        body.push(cap.len() as u8);
        body.extend_from_slice(&cap);
        let hex: String = body.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(
            notify(decode(&open_msg(&hex)).unwrap_err()),
            (2, 0, vec![]),
            "{hex}"
        );
    }
    // RFC 9072 marker with a truncated extended length -> 2/0
    assert_eq!(
        notify(decode(&open_msg("04 FFFD 00B4 0A000002 FF FF 00")).unwrap_err()),
        (2, 0, vec![])
    );
}

fn peer_of(cfg: &OpenConfig) -> Open {
    let mut p = OpenConfig {
        omit_empty_capabilities: false,
        ..cfg.clone()
    }
    .build()
    .unwrap();
    p.router_id = Ipv4Addr::new(10, 0, 0, 3);
    p
}

#[test]
fn negotiation_checks() {
    let cfg = base();
    // hold time: min, keepalive a third; 0 accepted
    let mut peer = peer_of(&cfg);
    peer.hold_time = 90;
    let n = cfg.negotiate(&peer, Some(65533)).unwrap();
    assert_eq!((n.hold_time, n.keepalive), (90, 30));
    assert!(n.ibgp && n.asn4);
    peer.hold_time = 0;
    assert_eq!(cfg.negotiate(&peer, None).unwrap().hold_time, 0);
    for bad in [1u16, 2] {
        peer.hold_time = bad;
        let (c, s, _) = notify(cfg.negotiate(&peer, None).unwrap_err());
        assert_eq!((c, s), (2, 6));
    }
    // peer AS
    let peer = peer_of(&cfg);
    let (c, s, d) = notify(cfg.negotiate(&peer, Some(65000)).unwrap_err());
    assert_eq!((c, s), (2, 2));
    assert_eq!(
        String::from_utf8(d).unwrap(),
        "ASN in OPEN (65533) did not match ASN expected (65000)"
    );
    // router id 0, and equal to ours on iBGP (fine on eBGP)
    let mut peer = peer_of(&cfg);
    peer.router_id = Ipv4Addr::UNSPECIFIED;
    assert_eq!(notify(cfg.negotiate(&peer, None).unwrap_err()).1, 3);
    peer.router_id = cfg.router_id;
    assert_eq!(notify(cfg.negotiate(&peer, None).unwrap_err()).1, 3);
    let ebgp = OpenConfig {
        local_as: 65001,
        ..cfg.clone()
    };
    let mut peer = peer_of(&cfg);
    peer.router_id = cfg.router_id;
    let n = ebgp.negotiate(&peer, Some(65533)).unwrap();
    assert!(!n.ibgp);
    assert_eq!((n.local_as, n.peer_as), (65001, 65533));
    // version
    let mut peer = peer_of(&cfg);
    peer.version = 3;
    assert_eq!(
        notify(cfg.negotiate(&peer, None).unwrap_err()),
        (2, 1, vec![0, 4])
    );
}

#[test]
fn negotiation_of_capabilities() {
    let ours = OpenConfig {
        families: vec![
            Family::IPV6_UNICAST,
            Family::IPV4_UNICAST,
            Family::IPV4_FLOW,
        ],
        add_path: Some(vec![
            AddPathEntry {
                family: Family::IPV4_UNICAST,
                mode: AddPathMode::SEND,
            },
            AddPathEntry {
                family: Family::IPV6_UNICAST,
                mode: AddPathMode::BOTH,
            },
        ]),
        nexthop: Some(vec![NextHopEntry {
            family: Family::IPV4_UNICAST,
            nexthop_afi: ferrobgp_wire::Afi::IPV6,
        }]),
        extended_message: false,
        graceful_restart: Some(GracefulRestartConfig {
            time: 120,
            restarted: false,
        }),
        ..base()
    };
    let theirs = OpenConfig {
        local_as: 4_200_000_000,
        families: vec![Family::IPV4_FLOW, Family::IPV6_UNICAST, Family::L2VPN_EVPN],
        add_path: Some(vec![
            AddPathEntry {
                family: Family::IPV4_UNICAST,
                mode: AddPathMode::RECEIVE,
            },
            AddPathEntry {
                family: Family::IPV6_UNICAST,
                mode: AddPathMode::SEND,
            },
        ]),
        nexthop: Some(vec![NextHopEntry {
            family: Family::IPV4_UNICAST,
            nexthop_afi: ferrobgp_wire::Afi::IPV6,
        }]),
        extended_message: true,
        route_refresh: true,
        graceful_restart: Some(GracefulRestartConfig {
            time: 60,
            restarted: true,
        }),
        multisession: false,
        ..base()
    };
    let peer = peer_of(&theirs);
    let n = ours.negotiate(&peer, Some(4_200_000_000)).unwrap();
    assert_eq!(n.peer_as, 4_200_000_000);
    assert!(!n.ibgp && n.asn4);
    assert_eq!(n.families, [Family::IPV4_FLOW, Family::IPV6_UNICAST]);
    assert!(n.sends_path_id(Family::IPV4_UNICAST));
    assert!(!n.receives_path_id(Family::IPV4_UNICAST));
    assert!(n.receives_path_id(Family::IPV6_UNICAST));
    assert!(!n.sends_path_id(Family::IPV6_UNICAST));
    assert!(n.ext_nexthop_allowed(Family::IPV4_UNICAST, ferrobgp_wire::Afi::IPV6));
    assert!(!n.extended_message, "we did not advertise it");
    assert_eq!(n.max_message_size(), 4096);
    assert_eq!(n.refresh, ferrobgp_wire::negotiated::Refresh::Absent);
    let gr = n.graceful_restart.unwrap();
    assert_eq!((gr.flags, gr.time), (8, 60));
    // without asn4 on our side the peer AS is the 2-octet field
    let no4 = OpenConfig {
        asn4: false,
        ..ours.clone()
    };
    let n = no4.negotiate(&peer, None).unwrap();
    assert!(!n.asn4);
    assert_eq!(n.peer_as, 23456);
}

#[test]
fn multisession_negotiation() {
    let ms = OpenConfig {
        multisession: true,
        ..base()
    };
    // both sides: negotiated
    assert!(ms.negotiate(&peer_of(&ms), None).unwrap().multisession);
    // we require it, the peer does not offer it: 2/9
    assert_eq!(
        notify(ms.negotiate(&peer_of(&base()), None).unwrap_err()).1,
        9
    );
    // the peer offers a different Session Id: 2/8
    let mut peer = peer_of(&base());
    peer.params.push(OptionalParameter::Capabilities(vec![
        Capability::Multisession(Multisession {
            cisco: false,
            flags: Some(0),
            codes: vec![69],
        }),
    ]));
    assert_eq!(notify(ms.negotiate(&peer, None).unwrap_err()).1, 8);
    // we do not do multisession: the peer's offer is ignored
    assert!(!base().negotiate(&peer, None).unwrap().multisession);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// decode(encode(x)) == x, and the bytes are stable.
    #[test]
    fn open_round_trip(open in msg_common::open()) {
        let mut body = Vec::new();
        open.encode_body(&mut body).unwrap();
        let back = Open::decode(&body).unwrap();
        let mut expected = open.clone();
        expected.extended_params = body[9] != 0 && body.get(10) == Some(&255);
        prop_assert_eq!(&back, &expected);
        let mut again = Vec::new();
        back.encode_body(&mut again).unwrap();
        prop_assert_eq!(again, body);
    }

    #[test]
    fn capability_round_trip(cap in msg_common::capability()) {
        let mut v = Vec::new();
        cap.encode(&mut v).unwrap();
        prop_assert_eq!(decode_list(&v).unwrap(), vec![cap]);
    }

    /// Arbitrary bytes never panic the OPEN decoder, and whatever decodes
    /// re-encodes to a decodable OPEN.
    #[test]
    fn open_decoder_is_total(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(open) = Open::decode(&body) {
            let mut again = Vec::new();
            if open.encode_body(&mut again).is_ok() {
                prop_assert!(Open::decode(&again).is_ok());
            }
        }
    }
}

fn config_strategy() -> impl Strategy<Value = OpenConfig> {
    let fams = proptest::sample::subsequence(Family::ALL_KNOWN.to_vec(), 1..6);
    let ap_fams = proptest::sample::subsequence(
        vec![
            Family::IPV4_UNICAST,
            Family::IPV6_UNICAST,
            Family::IPV4_MPLS_VPN,
        ],
        0..3,
    );
    (
        fams,
        ap_fams,
        1u8..4,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(0u16), 3u16..600],
        prop_oneof![Just(65000u32), Just(4_200_000_000u32)],
    )
        .prop_map(
            |(families, ap, mode, rr, ext, asn4, hold, asn)| OpenConfig {
                local_as: asn,
                hold_time: hold,
                families,
                add_path: Some(
                    ap.into_iter()
                        .map(|family| AddPathEntry {
                            family,
                            mode: AddPathMode(mode),
                        })
                        .collect(),
                ),
                route_refresh: rr,
                extended_message: ext,
                asn4: asn4 || asn > 65535,
                ..base()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Both ends of a session agree: what one sends with path ids the
    /// other receives with path ids, same families, hold time, asn4,
    /// message size and refresh.
    #[test]
    fn negotiation_is_symmetric(a in config_strategy(), b in config_strategy()) {
        let a = OpenConfig { router_id: Ipv4Addr::new(1, 1, 1, 1), ..a };
        let b = OpenConfig { router_id: Ipv4Addr::new(2, 2, 2, 2), ..b };
        let na = a.negotiate(&peer_open_as_sent(&b), None).unwrap();
        let nb = b.negotiate(&peer_open_as_sent(&a), None).unwrap();
        prop_assert_eq!(&na.addpath_send, &nb.addpath_receive);
        prop_assert_eq!(&na.addpath_receive, &nb.addpath_send);
        prop_assert_eq!(&na.families, &nb.families);
        prop_assert_eq!((na.hold_time, na.asn4, na.refresh), (nb.hold_time, nb.asn4, nb.refresh));
        prop_assert_eq!(na.peer_as, if na.asn4 || b.local_as <= 65535 { b.local_as } else { 23456 });
        prop_assert_eq!(na.ibgp, nb.ibgp);
    }
}

/// The OPEN a peer running `cfg` would put on the wire, with its empty
/// capabilities present (a peer without the reference quirk).
fn peer_open_as_sent(cfg: &OpenConfig) -> Open {
    OpenConfig {
        omit_empty_capabilities: false,
        ..cfg.clone()
    }
    .build()
    .unwrap()
}

/// ExaBGP 5.0.15 (which sends empty capabilities again) builds these
/// optional parameters for a neighbor with four families, route-refresh,
/// graceful-restart 4500, add-path send/receive, operational,
/// extended-message, nexthop (ipv4 unicast ipv6), host/domain name and
/// software-version (captured with `Capabilities().new(neighbor).pack()`
/// from its configuration parser). Ours must be identical, and identical
/// minus the four empty capabilities with the reference quirk.
#[test]
fn exabgp_full_capability_set() {
    let cfg = OpenConfig {
        families: vec![
            Family::IPV4_UNICAST,
            Family::IPV6_UNICAST,
            Family::IPV4_MPLS_VPN,
            Family::IPV4_FLOW,
        ],
        route_refresh: true,
        graceful_restart: Some(GracefulRestartConfig {
            time: 4500,
            restarted: false,
        }),
        add_path: Some(
            [
                Family::IPV4_UNICAST,
                Family::IPV6_UNICAST,
                Family::IPV4_MPLS_VPN,
                Family::IPV4_FLOW,
            ]
            .into_iter()
            .map(|family| AddPathEntry {
                family,
                mode: AddPathMode::BOTH,
            })
            .collect(),
        ),
        operational: true,
        extended_message: true,
        nexthop: Some(vec![NextHopEntry {
            family: Family::IPV4_UNICAST,
            nexthop_afi: ferrobgp_wire::Afi::IPV6,
        }]),
        host_name: Some("my-host".into()),
        domain_name: Some("example.com".into()),
        software_version: Some("ExaBGP/5.0.0-0+test".into()),
        omit_empty_capabilities: false,
        ..base()
    };
    let params = |cfg: &OpenConfig| {
        let mut body = Vec::new();
        cfg.build().unwrap().encode_body(&mut body).unwrap();
        body[9..].to_vec()
    };
    let exabgp = "98 0206010400010001 0206010400010080 0206010400010085 0206010400020001 \
                  020641040000FFFD 02080506000100010002 020E450C000101030002010300018003 \
                  021440120194000101800001808000018580000201 80 \
                  02020200 02024600 0202B900 02020600 \
                  02164914076D792D686F73740B6578616D706C652E636F6D \
                  02164B14134578614247502F352E302E302D302B74657374";
    assert_eq!(params(&cfg), unhex(exabgp));
    let quirk = OpenConfig {
        omit_empty_capabilities: true,
        ..cfg
    };
    let mut expected = unhex(&exabgp.replace("02020200 02024600 0202B900 02020600", ""));
    expected[0] -= 16;
    assert_eq!(params(&quirk), expected);
}

/// ExaBGP 5.0.15 for a neighbor without a family block (all 21 families)
/// and `graceful-restart 120`: the parameters exceed 255 bytes and go out
/// with RFC 9072 extended lengths (captured as in
/// `exabgp_full_capability_set`; its default extended-message is the
/// empty capability at the end).
#[test]
fn exabgp_rfc9072_open() {
    let cfg = OpenConfig {
        families: Family::ALL_KNOWN.to_vec(),
        graceful_restart: Some(GracefulRestartConfig {
            time: 120,
            restarted: false,
        }),
        omit_empty_capabilities: false,
        ..base()
    };
    let exabgp =
        "FFFF01260200060104000100010200060104000100020200060104000100040200060104000100050200\
        060104000100550200060104000100800200060104000100840200060104000100850200060104000100\
        860200060104000200010200060104000200020200060104000200040200060104000200050200060104\
        000200550200060104000200800200060104000200850200060104000200860200060104001900410200\
        0601040019004602000601044004004702000601044004004802000641040000FFFD0200584056007800\
        010180000102800001048000010580000155800001808000018480000185800001868000020180000202\
        800002048000020580000255800002808000028580000286800019418000194680400447804004488002\
        00020600";
    let open = cfg.build().unwrap();
    assert!(open.extended_params);
    let mut body = Vec::new();
    open.encode_body(&mut body).unwrap();
    assert_eq!(body[9..], unhex(exabgp)[..]);
    assert_eq!(decode(&encode(&open)).unwrap(), open);
}
