//! Helpers shared by this half's integration tests (open, message, json,
//! hex, conformance): hex, the conformance suite location, and proptest
//! strategies for every message and capability type.
#![allow(dead_code)]

use ferrobgp_wire::capability::*;
use ferrobgp_wire::message::open::{Open, OptionalParameter};
use ferrobgp_wire::message::{Message, Notification, Operational, RouteRefresh, UpdateMessage};
use ferrobgp_wire::update::Context;
use ferrobgp_wire::{Afi, Family, Safi};
use proptest::collection::vec;
use proptest::prelude::*;
use std::net::Ipv4Addr;
use std::path::PathBuf;

pub fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// `../shared/conformance` relative to the repository root, if present.
pub fn conformance_dir() -> Option<PathBuf> {
    ferrobgp_testkit::conformance_suite(module_path!())
}

/// The `raw` expectation lines of a .msg file, as bytes (README rules:
/// lines with `#` ignored, spaces removed, split at the first two colons).
pub fn raw_lines(msg: &str) -> Vec<Vec<u8>> {
    msg.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains('#') && !l.starts_with("option:"))
        .filter_map(|l| {
            let l: String = l.chars().filter(|c| *c != ' ').collect();
            let mut parts = l.splitn(3, ':');
            let (_, kind, content) = (parts.next()?, parts.next()?, parts.next()?);
            (kind.eq_ignore_ascii_case("raw")).then(|| unhex(&content.replace(':', "")))
        })
        .collect()
}

/// Well-formed UPDATE bodies: IPv4 End-of-RIB, an MP End-of-RIB, the
/// conformance README's announce and withdraw.
pub const UPDATE_BODIES: [&str; 4] = [
    "00000000",
    "0000 0007 900F 0003 0002 01",
    "0000 0015 400101004002004003040A0000014005040000006420C0A80001",
    "0005 20C0A80001 0000",
];

/// An UPDATE message from a body, decoded in the default context.
pub fn update(body: &[u8]) -> Message {
    Message::Update(Box::new(
        UpdateMessage::decode(body, &Context::default()).unwrap(),
    ))
}

pub fn family() -> impl Strategy<Value = Family> {
    (any::<u16>(), any::<u8>()).prop_map(|(a, s)| Family::new(Afi(a), Safi(s)))
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zA-Z0-9.é-]{{0,{max}}}")).unwrap()
}

/// Capabilities whose encoding is canonical (decode(encode(c)) == c).
pub fn capability() -> impl Strategy<Value = Capability> {
    prop_oneof![
        family().prop_map(Capability::Multiprotocol),
        Just(Capability::RouteRefresh(RouteRefreshVariant::Rfc)),
        Just(Capability::RouteRefresh(RouteRefreshVariant::Cisco)),
        vec((family(), any::<u16>()), 0..8).prop_map(|v| Capability::ExtendedNextHop(
            v.into_iter()
                .map(|(family, nh)| NextHopEntry {
                    family,
                    nexthop_afi: Afi(nh)
                })
                .collect()
        )),
        Just(Capability::ExtendedMessage),
        (0u8..16, 0u16..4096, vec((family(), any::<u8>()), 0..8)).prop_map(|(flags, time, f)| {
            Capability::GracefulRestart(GracefulRestart {
                flags,
                time,
                families: f
                    .into_iter()
                    .map(|(family, flags)| GracefulRestartFamily { family, flags })
                    .collect(),
            })
        }),
        any::<u32>().prop_map(Capability::Asn4),
        (
            any::<bool>(),
            proptest::option::of(any::<u8>()),
            vec(any::<u8>(), 0..6)
        )
            .prop_map(
                |(cisco, flags, codes)| Capability::Multisession(Multisession {
                    cisco,
                    codes: if flags.is_some() { codes } else { Vec::new() },
                    flags,
                })
            ),
        vec((family(), any::<u8>()), 0..8).prop_map(|v| Capability::AddPath(
            v.into_iter()
                .map(|(family, m)| AddPathEntry {
                    family,
                    mode: AddPathMode(m)
                })
                .collect()
        )),
        Just(Capability::EnhancedRouteRefresh),
        (text(40), text(40)).prop_map(|(h, d)| Capability::Fqdn(Fqdn {
            host_name: h,
            domain_name: d
        })),
        text(60).prop_map(Capability::SoftwareVersion),
        Just(Capability::Operational),
        (any::<u8>(), vec(any::<u8>(), 0..40))
            .prop_filter("known codes are not unknown", |(c, _)| ![
                1, 2, 5, 6, 64, 65, 68, 69, 70, 73, 75, 128, 131, 185
            ]
            .contains(c))
            .prop_map(|(code, value)| Capability::Unknown { code, value }),
    ]
}

pub fn open() -> impl Strategy<Value = Open> {
    let param = prop_oneof![
        4 => vec(capability(), 0..4).prop_map(OptionalParameter::Capabilities),
        1 => (any::<u8>().prop_filter("not 2", |k| *k != 2), vec(any::<u8>(), 0..20))
            .prop_map(|(kind, value)| OptionalParameter::Other { kind, value }),
    ];
    (
        any::<u16>(),
        any::<u16>(),
        any::<u32>(),
        vec(param, 0..12),
        any::<bool>(),
    )
        .prop_map(|(my_as, hold_time, id, params, extended_params)| Open {
            version: 4,
            my_as,
            hold_time,
            router_id: Ipv4Addr::from(id),
            params,
            extended_params,
        })
}

pub fn operational() -> impl Strategy<Value = Operational> {
    prop_oneof![
        (1u16..=2, family(), vec(any::<u8>(), 0..50))
            .prop_map(|(kind, family, text)| { Operational::Advisory { kind, family, text } }),
        (
            prop::sample::select(vec![3u16, 5, 7]),
            family(),
            any::<u32>(),
            any::<u32>()
        )
            .prop_map(|(kind, family, id, sequence)| Operational::Query {
                kind,
                family,
                router_id: Ipv4Addr::from(id),
                sequence
            }),
        (
            prop::sample::select(vec![4u16, 6, 8]),
            family(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>()
        )
            .prop_map(
                |(kind, family, id, sequence, counter)| Operational::Counter {
                    kind,
                    family,
                    router_id: Ipv4Addr::from(id),
                    sequence,
                    counter
                }
            ),
        (9u16.., vec(any::<u8>(), 0..30)).prop_map(|(kind, data)| Operational::Raw {
            kind,
            length: data.len() as u16,
            data
        }),
    ]
}

/// Messages of this half (UPDATE as a raw body).
pub fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        open().prop_map(Message::Open),
        prop::sample::select(UPDATE_BODIES.to_vec()).prop_map(|b| update(&unhex(b))),
        (any::<u8>(), any::<u8>(), vec(any::<u8>(), 0..60))
            .prop_map(|(c, s, d)| Message::Notification(Notification::new(c, s, d))),
        Just(Message::Keepalive),
        (family(), any::<u8>()).prop_map(|(f, s)| Message::RouteRefresh(RouteRefresh::new(f, s))),
        operational().prop_map(Message::Operational),
        (7u8.., vec(any::<u8>(), 0..60)).prop_map(|(kind, body)| Message::Unknown { kind, body }),
    ]
}
