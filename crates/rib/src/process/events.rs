//! Conversions at the rib process's edges: rib changes to IPC changes, session reports to API events, and
//! which helper gets what (the `api` blocks of a neighbor).

use crate::PeerChange;
use ferrobgp_api::event::PeerInfo;
use ferrobgp_config::route::operational::OperationalMessage;
use ferrobgp_config::{LocalAddress, Neighbor};
use ferrobgp_ipc as ipc;
use ferrobgp_wire::message::operational::{types, Operational};
use ferrobgp_wire::message::route_refresh::{SUBTYPE_BORR, SUBTYPE_EORR, SUBTYPE_NORMAL};
use ferrobgp_wire::message::RouteRefresh;
use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use ferrobgp_wire::Family;
use foldhash::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch, as ExaBGP's `time.time()`.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Appends a rib change to `list`, as it travels to the session worker
/// (a route refers to the list's copy of its attribute set).
pub fn change_to_ipc(c: PeerChange, list: &mut ipc::ChangeList) {
    match c {
        PeerChange::Announce(r) => list.announce(r),
        PeerChange::Withdraw(r) => list.withdraw(r),
        PeerChange::Eor(f) => list.push(ipc::Change::Eor(f)),
        PeerChange::RouteRefresh(f) => list.push(ipc::Change::RouteRefresh(RouteRefresh::new(
            f,
            SUBTYPE_NORMAL,
        ))),
    }
}

/// The OPERATIONAL message of `announce operational`, complete, for the
/// worker to encode (type 6; it drops it unless the operational capability
/// was negotiated). As at ExaBGP: a query or counter without `router-id`
/// carries ours (`router_id`, the OPEN's), and `sequence 0` asks for the
/// next number, which at the reference is 1 whenever no router-id was
/// given (its counter is kept under the missing router-id), so 1 is sent.
pub fn operational_message(m: &OperationalMessage, router_id: Ipv4Addr) -> Operational {
    use ferrobgp_config::route::operational::OperationalKind as K;
    let kind = match m.kind {
        K::Adm => types::ADM,
        K::Asm => types::ASM,
        K::Rpcq => types::RPCQ,
        K::Rpcp => types::RPCP,
        K::Apcq => types::APCQ,
        K::Apcp => types::APCP,
        K::Lpcq => types::LPCQ,
        K::Lpcp => types::LPCP,
    };
    let router_id = m.router_id.unwrap_or(router_id);
    let sequence = match m.sequence.unwrap_or(0) {
        0 => 1,
        n => n,
    };
    match m.kind {
        K::Adm | K::Asm => {
            Operational::advisory(kind, m.family, m.advisory.as_deref().unwrap_or_default())
        }
        K::Rpcq | K::Apcq | K::Lpcq => Operational::Query {
            kind,
            family: m.family,
            router_id,
            sequence,
        },
        K::Rpcp | K::Apcp | K::Lpcp => Operational::Counter {
            kind,
            family: m.family,
            router_id,
            sequence,
            counter: m.counter.unwrap_or(0),
        },
    }
}

/// A ROUTE-REFRESH of RFC 7313's demarcation subtypes (1 = BoRR, 2 = EoRR)
/// for `family`, which the worker sends as is: whether the resend is
/// bracketed was decided by the rib (enhanced refresh negotiated, or
/// `route-refresh` configured for `flush adj-rib out`).
pub fn refresh_marker(family: Family, subtype: u8) -> ipc::Change {
    ipc::Change::RouteRefresh(RouteRefresh::new(family, subtype))
}

/// The changes of a batch with `flush adj-rib out` for one peer, as
/// ExaBGP sends them: BoRR per family (when `route-refresh` is configured,
/// `markers`), the batch's announcements (the flush made them every route
/// of the Adj-RIB-Out, see `PeerRib::apply`) family by family in the
/// order of the Adj-RIB-Out (`table`), each in an UPDATE of its own, EoRR
/// per family, then the batch's withdrawals and End-of-RIB markers. Route
/// refresh requests of the batch go first.
pub fn flush_resend(
    changes: Vec<PeerChange>,
    table: &[Route],
    families: &[Family],
    markers: bool,
) -> ipc::ChangeList {
    let mut out = ipc::ChangeList::new();
    let mut announced: Vec<Option<Route>> = Vec::new();
    let mut index: HashMap<NlriKey, usize> = HashMap::default();
    let mut rest = ipc::ChangeList::new();
    let mut eors = ipc::ChangeList::new();
    for c in changes {
        match c {
            PeerChange::RouteRefresh(_) => change_to_ipc(c, &mut out),
            PeerChange::Withdraw(_) => change_to_ipc(c, &mut rest),
            PeerChange::Eor(_) => change_to_ipc(c, &mut eors),
            PeerChange::Announce(r) => {
                index.insert(r.key(), announced.len());
                announced.push(Some(r));
            }
        }
    }
    if markers {
        for f in families {
            out.push(refresh_marker(*f, SUBTYPE_BORR));
        }
    }
    for f in families {
        for r in table.iter().filter(|r| r.family() == *f) {
            if let Some(a) = index.get(&r.key()).and_then(|i| announced[*i].take()) {
                out.resend(a);
            }
        }
    }
    // an announcement the table does not order (not expected): still sent
    for a in announced.into_iter().flatten() {
        out.resend(a);
    }
    if markers {
        for f in families {
            out.push(refresh_marker(*f, SUBTYPE_EORR));
        }
    }
    out.append(rest);
    out.append(eors);
    out
}

/// The answer to a ROUTE-REFRESH of `family` from the peer: the family's
/// Adj-RIB-Out (`changes`, from `PeerRib::full_table`), each route in an
/// UPDATE of its own, between BoRR and EoRR when enhanced route refresh
/// was negotiated (RFC 7313 section 4; spec §7.7).
pub fn refresh_resend(changes: Vec<PeerChange>, family: Family, enhanced: bool) -> ipc::ChangeList {
    let mut out = ipc::ChangeList::new();
    if enhanced {
        out.push(refresh_marker(family, SUBTYPE_BORR));
    }
    for c in changes {
        match c {
            PeerChange::Announce(r) => out.resend(r),
            other => change_to_ipc(other, &mut out),
        }
    }
    if enhanced {
        out.push(refresh_marker(family, SUBTYPE_EORR));
    }
    out
}

/// The neighbor fields of an event.
pub fn peer_info(n: &Neighbor, local: Option<SocketAddr>, remote: Option<SocketAddr>) -> PeerInfo {
    let local_address = local.map(|a| a.ip()).unwrap_or(match n.local_address {
        LocalAddress::Ip(a) => a,
        LocalAddress::Auto => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    });
    PeerInfo {
        local_address,
        peer_address: remote.map(|a| a.ip()).unwrap_or(n.peer_address.addr()),
        local_as: n.local_as.asn().unwrap_or(0),
        peer_as: n.peer_as.asn().unwrap_or(0),
        router_id: Some(n.router_id),
    }
}

/// ExaBGP's name string of a neighbor, which API selectors match.
pub fn peer_name(n: &Neighbor) -> String {
    ferrobgp_api::PeerName {
        peer_address: n.peer_address.addr(),
        local_address: n.local_address.ip(),
        local_as: n.local_as.asn().unwrap_or(0),
        peer_as: n.peer_as.asn().unwrap_or(0),
        router_id: Some(IpAddr::V4(n.router_id)),
        family_allowed: if n.capabilities.multi_session {
            ferrobgp_api::FamilyAllowed::Families(n.families.clone())
        } else {
            ferrobgp_api::FamilyAllowed::InOpen
        },
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{dispatch, Caller, Effect};
    use ferrobgp_wire::message::header::frame;
    use ferrobgp_wire::message::Message;

    const ROUTER_ID: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }

    /// The API line's message as the worker frames it.
    fn operational_bytes(line: &str) -> Result<String, String> {
        let parsed = ferrobgp_api::parse_line(line).map_err(|e| e.to_string())?;
        let peers = [(1, "neighbor 127.0.0.1 local-ip 127.0.0.1".to_string())];
        let origin = Caller {
            process: "op",
            addressable: &peers,
            version: "5.0.0",
        };
        match dispatch(&parsed, &origin).map_err(|e| e.to_string())? {
            Effect::Operational { peers, message } => {
                assert_eq!(peers, vec![1]);
                let message = operational_message(&message, ROUTER_ID);
                let bytes = Message::Operational(message).encode(4096);
                Ok(hex(&bytes.map_err(|e| e.to_string())?))
            }
            other => Err(format!("not an operational action: {other:?}")),
        }
    }

    const M: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

    /// Bytes ExaBGP 5.0.15 put on the wire for the same lines (router-id
    /// 10.0.0.1, operational negotiated).
    #[test]
    fn operational_messages_match_the_reference() {
        let cases = [
            (
                "announce operational asm afi ipv4 safi unicast advisory hello",
                "001F060002000800010168656C6C6F",
            ),
            (
                "announce operational adm afi ipv4 safi unicast advisory world",
                "001F0600010008000101776F726C64",
            ),
            (
                "announce operational rpcq afi ipv4 safi unicast sequence 10",
                "0022060003000B0001010A0000010000000A",
            ),
            (
                "announce operational rpcp afi ipv4 safi unicast sequence 12 counter 200",
                "0026060004000F0001010A0000010000000C000000C8",
            ),
            (
                "announce operational lpcq afi ipv4 safi unicast sequence 5",
                "0022060007000B0001010A00000100000005",
            ),
            (
                "announce operational apcp afi ipv4 safi unicast sequence 4294967295 counter 1",
                "0026060006000F0001010A000001FFFFFFFF00000001",
            ),
            // sequence 0: the next number, always 1 at the reference
            (
                "announce operational rpcq afi ipv4 safi unicast sequence 0",
                "0022060003000B0001010A00000100000001",
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(
                operational_bytes(line),
                Ok(format!("{M}{expected}")),
                "{line}"
            );
        }
    }

    /// Where ferrobgp differs from the reference on purpose: a quoted
    /// advisory keeps its spaces (ExaBGP 5.0.15 sends `"this`), and an
    /// explicit router-id is used (ExaBGP answers `error`).
    #[test]
    fn quoted_advisory_and_router_id() {
        let text = "this is dynamic message #1";
        let mut body = vec![0, 2, 0, (text.len() + 3) as u8, 0, 1, 1];
        body.extend_from_slice(text.as_bytes());
        assert_eq!(
            operational_bytes(&format!(
                "announce operational asm afi ipv4 safi unicast advisory \"{text}\""
            )),
            Ok(hex(&frame(6, &body, 4096).unwrap()))
        );
        assert_eq!(
            operational_bytes(
                "announce operational apcq afi ipv4 safi unicast router-id 1.2.3.4 sequence 7"
            ),
            Ok(format!("{M}0022060005000B00010101020304 00000007").replace(' ', ""))
        );
    }

    #[test]
    fn incomplete_operational_is_refused() {
        let e = operational_bytes("announce operational rpcp afi ipv4 safi unicast sequence 1")
            .unwrap_err();
        assert!(e.contains("missing counter"), "{e}");
        let e = operational_bytes("announce operational asm afi ipv4 safi unicast").unwrap_err();
        assert!(e.contains("missing advisory"), "{e}");
    }

    fn route(prefix: &str, nh: &str) -> Route {
        let line = format!("announce route {prefix} next-hop {nh}");
        let parsed = ferrobgp_api::parse_line(&line).unwrap();
        let ferrobgp_api::Command::Route(r) = parsed.command else {
            panic!("not a route")
        };
        ferrobgp_api::routes::routes(&r).unwrap().remove(0).route
    }

    fn show(list: &ipc::ChangeList) -> Vec<String> {
        list.changes()
            .iter()
            .map(|c| match c {
                ipc::Change::Operational(m) => format!("operational {m:?}"),
                ipc::Change::Resend { nlri, .. } => format!("resend {nlri}"),
                ipc::Change::Announce {
                    nlri, attributes, ..
                } => format!("announce {nlri} set {attributes}"),
                ipc::Change::Withdraw { nlri, .. } => format!("withdraw {nlri}"),
                ipc::Change::Eor(f) => format!("eor {}", f.spaced()),
                ipc::Change::RouteRefresh(r) => {
                    format!("refresh {} {}", r.subtype_name(), r.family.spaced())
                }
            })
            .collect()
    }

    /// `flush adj-rib out` with `route-refresh`: the order ExaBGP 5.0.15
    /// sent for a table of 10.1.0.0/24, 10.2.0.0/24, 2001:db8::/32 and a
    /// batch `announce route 10.9.0.0/24 ...` + `flush adj-rib out`
    /// (BoRR ipv4, BoRR ipv6, one UPDATE per route family by family, EoRR
    /// ipv4, EoRR ipv6).
    #[test]
    fn flush_is_bracketed_by_borr_and_eorr() {
        let table = vec![
            route("10.1.0.0/24", "192.0.2.1"),
            route("10.2.0.0/24", "192.0.2.1"),
            route("2001:db8::/32", "2001:db8::1"),
            route("10.9.0.0/24", "192.0.2.9"),
        ];
        // what PeerRib::apply gives for the batch (the flush forces every
        // route out, the new one first: it was touched first)
        let changes = vec![
            PeerChange::Withdraw(route("10.7.0.0/24", "192.0.2.7")),
            PeerChange::Announce(table[3].clone()),
            PeerChange::Announce(table[0].clone()),
            PeerChange::Announce(table[1].clone()),
            PeerChange::Announce(table[2].clone()),
            PeerChange::Eor(Family::IPV4_UNICAST),
        ];
        let families = [Family::IPV4_UNICAST, Family::IPV6_UNICAST];
        let list = flush_resend(changes.clone(), &table, &families, true);
        assert_eq!(
            show(&list),
            [
                "refresh begin ipv4 unicast",
                "refresh begin ipv6 unicast",
                "resend 10.1.0.0/24",
                "resend 10.2.0.0/24",
                "resend 10.9.0.0/24",
                "resend 2001:db8::/32",
                "refresh end ipv4 unicast",
                "refresh end ipv6 unicast",
                "withdraw 10.7.0.0/24",
                "eor ipv4 unicast",
            ]
        );
        // without route-refresh configured: the same resend, no markers
        let list = flush_resend(changes, &table, &families, false);
        assert_eq!(show(&list).len(), 6);
        assert!(list
            .changes()
            .iter()
            .all(|c| !matches!(c, ipc::Change::RouteRefresh(_))));
    }

    #[test]
    fn received_refresh_is_bracketed_when_enhanced() {
        let changes = vec![
            PeerChange::Announce(route("10.1.0.0/24", "192.0.2.1")),
            PeerChange::Announce(route("10.2.0.0/24", "192.0.2.1")),
        ];
        let list = refresh_resend(changes.clone(), Family::IPV4_UNICAST, true);
        assert_eq!(
            show(&list),
            [
                "refresh begin ipv4 unicast",
                "resend 10.1.0.0/24",
                "resend 10.2.0.0/24",
                "refresh end ipv4 unicast"
            ]
        );
        let list = refresh_resend(changes, Family::IPV4_UNICAST, false);
        assert_eq!(show(&list), ["resend 10.1.0.0/24", "resend 10.2.0.0/24"]);
        // an empty family still gets its markers (RFC 7313)
        let list = refresh_resend(Vec::new(), Family::IPV6_UNICAST, true);
        assert_eq!(
            show(&list),
            ["refresh begin ipv6 unicast", "refresh end ipv6 unicast"]
        );
    }
}

#[cfg(test)]
mod open_text_tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// An OPEN with every capability kind ExaBGP names, as a text helper
    /// with `receive { parsed; open; }` gets it: the line ExaBGP 5.0.15
    /// wrote for the same bytes.
    #[test]
    fn open_with_many_capabilities_as_exabgp_prints_it() {
        let caps = [
            "010400010001",
            "010400020001",
            "010400010085",
            "41040000FDE8",
            "0506000100010002",
            "450400010103",
            "4006007800010180",
            "0200",
            "8000",
            "4600",
            "0600",
            "490904686F737403646F6D",
            "4B0B0A4578614247502F312E30",
            "B900",
            "D002ABCD",
        ];
        let mut params = Vec::new();
        for c in caps {
            let c = unhex(c);
            params.push(2);
            params.push(c.len() as u8);
            params.extend_from_slice(&c);
        }
        let mut body = unhex("04 FDE8 00B4 0A000002");
        body.push(params.len() as u8);
        body.extend_from_slice(&params);
        let raw = ferrobgp_wire::message::header::frame(1, &body, 4096).unwrap();
        let content = ferrobgp_api::from_wire::decode(&raw, None)
            .and_then(ferrobgp_api::from_wire::content)
            .expect("decodes");
        let peer = PeerInfo {
            local_address: "127.0.0.1".parse().unwrap(),
            peer_address: "127.0.0.1".parse().unwrap(),
            local_as: 65000,
            peer_as: 65000,
            router_id: None,
        };
        let event = ferrobgp_api::event::Event::Message {
            direction: ferrobgp_api::event::Direction::Receive,
            content,
            raw: None,
            negotiated: None,
        };
        assert_eq!(
            ferrobgp_api::text::encode(&peer, &event).unwrap(),
            "neighbor 127.0.0.1 receive open version 4 asn 65000 hold_time 180 router_id 10.0.0.2 \
             capabilities [multiprotocol(ipv4 unicast,ipv6 unicast,ipv4 flow), route refresh, \
             nexthop(ipv4 unicast ipv6), extended message(65535), graceful restart flags 0x0 \
             time 120 ipv4/unicast=0x80, asn4(65000), addpath(send/receive ipv4 unicast), \
             enhanced route refresh, hostname(host dom), software(exabgp/1.0), cisco route \
             refresh, operational, reserved 208]\n"
        );
    }
}

#[cfg(test)]
mod operational_event_tests {
    use super::*;
    use ferrobgp_api::event::{Direction, Event};

    fn frame6(body: &[u8]) -> Vec<u8> {
        ferrobgp_wire::message::header::frame(6, body, 4096).unwrap()
    }

    /// Received OPERATIONAL messages as ExaBGP 5.0.15 reported them to a
    /// JSON and a text helper (`receive { parsed; operational; }`), from a
    /// capture on loopback.
    #[test]
    fn received_operational_events_match_the_reference() {
        let mut asm = vec![0, 2, 0, 14, 0, 1, 1];
        asm.extend_from_slice(b"hello there");
        let rpcq = [0, 3, 0, 11, 0, 1, 1, 1, 2, 3, 4, 0, 0, 0, 7];
        let rpcp = [0, 4, 0, 15, 0, 1, 1, 1, 2, 3, 4, 0, 0, 0, 7, 0, 0, 0, 9];
        let cases: [(&[u8], &str, &str); 3] = [
            (
                &asm,
                r#"{ "name": "ASM", "afi": "ipv4", "safi": "unicast", "advisory": "hello there" }"#,
                // the reference prints the Python bytes: advisory "b'hello there'"
                "neighbor 127.0.0.1 receive operational ASM afi ipv4 safi unicast advisory \"hello there\"",
            ),
            (
                &rpcq,
                r#"{ "name": "RPCQ", "afi": "ipv4", "safi": "unicast" }"#,
                "neighbor 127.0.0.1 receive operational RPCQ afi ipv4 safi unicast",
            ),
            (
                &rpcp,
                r#"{ "name": "RPCP", "afi": "ipv4", "safi": "unicast", "router-id": "1.2.3.4", "sequence": 7, "counter": 9 }"#,
                "neighbor 127.0.0.1 receive operational RPCP afi ipv4 safi unicast router-id 1.2.3.4 sequence 7 counter 9",
            ),
        ];
        let peer = PeerInfo {
            local_address: "127.0.0.1".parse().unwrap(),
            peer_address: "127.0.0.1".parse().unwrap(),
            local_as: 65000,
            peer_as: 65000,
            router_id: None,
        };
        let mut json = ferrobgp_api::json::JsonEncoder::new(ferrobgp_api::json::Envelope {
            version: "5.0.0".into(),
            host: "vm".into(),
            pid: 1,
            ppid: 0,
        });
        for (body, expected_json, expected_text) in cases {
            let content = ferrobgp_api::from_wire::decode(&frame6(body), None)
                .and_then(ferrobgp_api::from_wire::content)
                .expect("decodes");
            let event = Event::Message {
                direction: Direction::Receive,
                content,
                raw: None,
                negotiated: None,
            };
            let line = json.encode(1.0, &peer, &event);
            let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
            assert_eq!(v["type"], "operational");
            assert_eq!(
                v["neighbor"]["operational"],
                serde_json::from_str::<serde_json::Value>(expected_json).unwrap()
            );
            assert_eq!(
                ferrobgp_api::text::encode(&peer, &event).as_deref(),
                Some(expected_text)
            );
        }
    }
}
