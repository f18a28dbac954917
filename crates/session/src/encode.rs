//! Turns the rib's changes into the BGP messages to write, for what was
//! negotiated: runs of route announcements and withdrawals are packed into
//! UPDATEs by the wire crate's [`pack()`] (ExaBGP's grouping rules live
//! there), End-of-RIB markers come from [`eor`], ROUTE-REFRESH (every
//! subtype) and OPERATIONAL messages from the wire crate's [`Message`]
//! codec: the rib sends typed changes, never bytes.

use crate::error::{Error, Result};
use crate::peer::PeerConfig;
use ferrobgp_ipc::Change;
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::message::route_refresh::SUBTYPE_NORMAL;
use ferrobgp_wire::message::{Message, RouteRefresh};
use ferrobgp_wire::negotiated::{Negotiated, STANDARD_MAX_MESSAGE_SIZE};
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::{NextHop, Route, RouteChange};
use ferrobgp_wire::update::{eor, pack, Context};
use std::net::SocketAddr;
use std::sync::Arc;

/// One message to write; `update` says whether rate-limit applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub bytes: Vec<u8>,
    pub update: bool,
}

/// The UPDATE context of a session: what was negotiated plus the neighbor
/// settings that shape UPDATEs (group-updates, aigp, next-hop self).
pub fn context(neg: &Negotiated, cfg: &PeerConfig, local: Option<SocketAddr>) -> Context {
    let local = cfg.local_address.or(local.map(|a| a.ip()));
    let mut ctx = Context::live(neg, local, Some(cfg.peer_address));
    ctx.group_updates = cfg.group_updates;
    ctx.aigp = cfg.aigp;
    ctx
}

/// The route of a change from the rib: its attribute set is `sets[i]`.
fn route(nlri: &Nlri, next_hop: &NextHop, i: u32, sets: &[Arc<Attributes>]) -> Result<Route> {
    let set = sets
        .get(i as usize)
        .ok_or_else(|| Error::Ipc(format!("attribute set {i} of {} from the rib", sets.len())))?;
    Ok(Route {
        nlri: nlri.clone(),
        next_hop: next_hop.clone(),
        attributes: set.clone(),
    })
}

/// `ferrobgp.compat.reference-extended-community`: `set` with ExaBGP's
/// type 0x01 for 4-byte-ASN route targets and origins (the same `Arc`
/// when nothing changes).
pub(crate) fn reference_layout(set: &Arc<Attributes>) -> Arc<Attributes> {
    match set.extended_communities.reference_layout() {
        Some(ext) => Arc::new(Attributes {
            extended_communities: ext,
            ..(**set).clone()
        }),
        None => set.clone(),
    }
}

/// Packs the pending run of route changes.
fn flush_routes(run: &mut Vec<RouteChange>, ctx: &Context, out: &mut Vec<Outgoing>) {
    if run.is_empty() {
        return;
    }
    let packed = pack(run, ctx);
    for e in &packed.errors {
        tracing::error!("{e}");
    }
    out.extend(packed.messages.into_iter().map(|bytes| Outgoing {
        bytes,
        update: true,
    }));
    run.clear();
}

/// Encodes `changes`, in order; routes refer to `attributes` by index
/// (routes sharing a set share its `Arc`, so packing groups them). The
/// whole batch at once: the worker encodes a chunk at a time from the
/// batch's frame ([`crate::batch_encoder`]), whose tests hold it to the
/// bytes of this function.
pub fn encode_changes(
    changes: &[Change],
    attributes: &[Arc<Attributes>],
    ctx: &Context,
    cfg: &PeerConfig,
) -> Result<Vec<Outgoing>> {
    let max = ctx.max_size;
    let compat: Vec<Arc<Attributes>>;
    let attributes = if cfg.reference_extended_community {
        compat = attributes.iter().map(reference_layout).collect();
        &compat[..]
    } else {
        attributes
    };
    let mut out = Vec::new();
    let mut run: Vec<RouteChange> = Vec::new();
    for change in changes {
        match change {
            Change::Announce {
                nlri,
                next_hop,
                attributes: i,
            } => run.push(RouteChange::Announce(route(
                nlri, next_hop, *i, attributes,
            )?)),
            Change::Withdraw {
                nlri,
                next_hop,
                attributes: i,
            } => run.push(RouteChange::Withdraw(route(
                nlri, next_hop, *i, attributes,
            )?)),
            Change::Resend {
                nlri,
                next_hop,
                attributes: i,
            } => {
                // one UPDATE per re-sent route, as ExaBGP's refresh does
                flush_routes(&mut run, ctx, &mut out);
                run.push(RouteChange::Announce(route(
                    nlri, next_hop, *i, attributes,
                )?));
                flush_routes(&mut run, ctx, &mut out);
            }
            Change::Eor(family) => {
                flush_routes(&mut run, ctx, &mut out);
                out.push(Outgoing {
                    bytes: eor::message(*family),
                    update: true,
                });
            }
            Change::RouteRefresh(_) | Change::Operational(_) => {
                flush_routes(&mut run, ctx, &mut out);
                out.extend(control_message(change, cfg, max)?);
            }
        }
    }
    flush_routes(&mut run, ctx, &mut out);
    Ok(out)
}

/// The message of a ROUTE-REFRESH or OPERATIONAL change, if it is sent.
/// ExaBGP sends a request (subtype 0) whenever `route-refresh` is
/// configured, whatever the peer advertised; BoRR/EoRR come only when the
/// rib decided to bracket a resend. An OPERATIONAL message that cannot be
/// encoded is lost alone (logged), not the batch, as when the rib encoded
/// them.
fn control_message(change: &Change, cfg: &PeerConfig, max: usize) -> Result<Option<Outgoing>> {
    let bytes = match change {
        Change::RouteRefresh(refresh) => {
            if refresh.subtype == SUBTYPE_NORMAL && !cfg.open.route_refresh {
                return Ok(None);
            }
            encode(Message::RouteRefresh(*refresh), max)?
        }
        Change::Operational(message) => match encode(Message::Operational(message.clone()), max) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!("operational message not encodable: {e}");
                return Ok(None);
            }
        },
        _ => return Ok(None),
    };
    Ok(Some(Outgoing {
        bytes,
        update: false,
    }))
}

/// A ROUTE-REFRESH (RFC 2918, subtype 0) for `family`.
pub fn route_refresh(family: ferrobgp_wire::Family) -> Result<Vec<u8>> {
    encode(
        Message::RouteRefresh(RouteRefresh::new(family, SUBTYPE_NORMAL)),
        STANDARD_MAX_MESSAGE_SIZE,
    )
}

/// `message` with its header, by the wire crate's codec.
fn encode(message: Message, max: usize) -> Result<Vec<u8>> {
    message
        .encode(max)
        .map_err(|e| Error::Encode(e.to_string()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fsm::FsmConfig;
    use ferrobgp_ipc::{ChangeList, RibToSession};
    use ferrobgp_wire::attribute::{ExtendedCommunities, ExtendedCommunity};
    use ferrobgp_wire::message::route_refresh::{SUBTYPE_BORR, SUBTYPE_EORR};
    use ferrobgp_wire::message::OpenConfig;
    use ferrobgp_wire::nlri::Prefix;
    use ferrobgp_wire::Family;
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    /// `neighbor 127.0.0.1 { router-id 10.0.0.1; local-address 127.0.0.1;
    /// local-as 65000; peer-as 65000; capability { route-refresh; } family
    /// { ipv4 unicast; ipv6 unicast; } }`
    pub(crate) fn cfg() -> PeerConfig {
        let router_id = Ipv4Addr::new(10, 0, 0, 1);
        PeerConfig {
            peer_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            local_address: Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            port: 179,
            source_interface: None,
            outgoing_ttl: None,
            incoming_ttl: None,
            md5_key: None,
            local_as: Some(65000),
            peer_as: Some(65000),
            open: OpenConfig {
                local_as: 65000,
                router_id,
                families: vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST],
                route_refresh: true,
                ..OpenConfig::default()
            },
            fsm: FsmConfig {
                passive: false,
                read_open_first: false,
                hold_time: 180,
                router_id,
                open_wait: Duration::from_secs(60),
                max_attempts: 0,
            },
            group_updates: true,
            manual_eor: false,
            rate_limit: 0,
            report_received: false,
            report_sent: false,
            aigp: false,
            reference_extended_community: false,
            reference_unknown_message: false,
        }
    }

    /// `<prefix> next-hop <nh>` with no other attribute.
    fn wire_route(prefix: &str, nh: &str) -> Route {
        Route::new(
            Prefix::unicast(prefix.parse().expect("prefix")),
            NextHop::V4(nh.parse().expect("next hop")),
            Arc::new(Attributes::default()),
        )
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }

    /// A flush of 10.1.0.0/24 and 10.2.0.0/24 (same attributes, group-updates
    /// on) between BoRR and EoRR: the bytes ExaBGP 5.0.15 sent, one UPDATE
    /// per route.
    #[test]
    fn resent_routes_go_one_per_update_between_the_markers() {
        let c = cfg();
        let ctx = context(&Negotiated::standalone(), &c, None);
        let mut list = ChangeList::new();
        list.push(Change::RouteRefresh(RouteRefresh::new(
            Family::IPV4_UNICAST,
            SUBTYPE_BORR,
        )));
        list.resend(wire_route("10.1.0.0/24", "192.0.2.1"));
        list.resend(wire_route("10.2.0.0/24", "192.0.2.1"));
        list.push(Change::RouteRefresh(RouteRefresh::new(
            Family::IPV4_UNICAST,
            SUBTYPE_EORR,
        )));
        let out: Vec<String> = encode_changes(list.changes(), list.attributes(), &ctx, &c)
            .expect("encode")
            .iter()
            .map(|m| hex(&m.bytes))
            .collect();
        let m = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
        assert_eq!(
            out,
            [
                format!("{m}00170500010101"),
                format!("{m}0030020000001540010100400200400304C000020140050400000064180A0100"),
                format!("{m}0030020000001540010100400200400304C000020140050400000064180A0200"),
                format!("{m}00170500010201"),
            ]
        );
        // announced (not re-sent), the two share one UPDATE: separate but
        // equal attribute sets travel once, as set 0
        let mut list = ChangeList::new();
        list.announce(wire_route("10.1.0.0/24", "192.0.2.1"));
        list.announce(wire_route("10.2.0.0/24", "192.0.2.1"));
        assert_eq!(list.attributes().len(), 1);
        let RibToSession::Changes {
            attributes,
            changes,
            ..
        } = list.into_message(1)
        else {
            panic!("not a batch");
        };
        let out = encode_changes(&changes, &attributes, &ctx, &c).expect("encode");
        assert_eq!(out.len(), 1);
        assert_eq!(
            hex(&out[0].bytes),
            format!("{m}0034020000001540010100400200400304C000020140050400000064180A0100180A0200")
        );
    }

    /// Issue 12: `target:4200000001:7` leaves as RFC 5668 type 0x02 (it was
    /// type 0x01, read by every peer as `rt 250.86.234.1:7`); ExaBGP's 0x01
    /// only under `ferrobgp.compat.reference-extended-community`.
    #[test]
    fn four_octet_as_route_target_on_the_wire() {
        let mut c = cfg();
        let ctx = context(&Negotiated::standalone(), &c, None);
        // 10.1.0.0/24 next-hop 192.0.2.1 extended-community [ target:4200000001:7 origin:65000:1 ]
        let mut r = wire_route("10.1.0.0/24", "192.0.2.1");
        r.attributes = Arc::new(Attributes {
            extended_communities: ExtendedCommunities::new(
                ["target:4200000001:7", "origin:65000:1"]
                    .iter()
                    .map(|c| c.parse::<ExtendedCommunity>().expect("community"))
                    .collect(),
            ),
            ..Attributes::default()
        });
        let changes = vec![Change::Announce {
            nlri: r.nlri.clone(),
            next_hop: r.next_hop.clone(),
            attributes: 0,
        }];
        let sets = [r.attributes.clone()];
        let bytes = hex(&encode_changes(&changes, &sets, &ctx, &c).expect("encode")[0].bytes);
        assert!(
            bytes.contains("C010100003FDE8000000010202FA56EA010007"),
            "{bytes}"
        );
        c.reference_extended_community = true;
        let bytes = hex(&encode_changes(&changes, &sets, &ctx, &c).expect("encode")[0].bytes);
        assert!(
            bytes.contains("C010100003FDE8000000010102FA56EA010007"),
            "{bytes}"
        );
        let resend = vec![Change::Resend {
            nlri: r.nlri.clone(),
            next_hop: r.next_hop.clone(),
            attributes: 0,
        }];
        let bytes = hex(&encode_changes(&resend, &sets, &ctx, &c).expect("encode")[0].bytes);
        assert!(bytes.contains("0102FA56EA010007"), "{bytes}");
    }

    /// Withdrawals travel with their attribute set's index like
    /// announcements: two IPv4 ones leave in the Withdrawn Routes field of
    /// one UPDATE, without attributes.
    #[test]
    fn withdrawals_share_one_update() {
        let c = cfg();
        let ctx = context(&Negotiated::standalone(), &c, None);
        let mut list = ChangeList::new();
        list.withdraw(wire_route("10.1.0.0/24", "192.0.2.1"));
        list.withdraw(wire_route("10.2.0.0/24", "192.0.2.1"));
        assert_eq!(list.attributes().len(), 1);
        let out = encode_changes(list.changes(), list.attributes(), &ctx, &c).expect("encode");
        let hex: Vec<String> = out.iter().map(|m| hex(&m.bytes)).collect();
        assert_eq!(
            hex,
            ["FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001F020008180A0100180A02000000"]
        );
    }

    #[test]
    fn announcement_of_an_unknown_attribute_set_is_refused() {
        let c = cfg();
        let ctx = context(&Negotiated::standalone(), &c, None);
        let r = wire_route("10.1.0.0/24", "192.0.2.1");
        let changes = vec![Change::Announce {
            nlri: r.nlri,
            next_hop: r.next_hop,
            attributes: 1,
        }];
        let err = encode_changes(&changes, &[r.attributes], &ctx, &c).unwrap_err();
        assert!(err.to_string().contains("attribute set 1 of 1"), "{err}");
    }

    #[test]
    fn route_refresh_request_needs_route_refresh_configured() {
        let mut c = cfg();
        let ctx = context(&Negotiated::standalone(), &c, None);
        let sets = [];
        let changes = vec![Change::RouteRefresh(RouteRefresh::new(
            Family::IPV6_UNICAST,
            SUBTYPE_NORMAL,
        ))];
        let out = encode_changes(&changes, &sets, &ctx, &c).expect("encode");
        assert_eq!(
            hex(&out[0].bytes),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500020001"
        );
        c.open.route_refresh = false;
        assert!(encode_changes(&changes, &sets, &ctx, &c)
            .expect("encode")
            .is_empty());
        // the demarcations are the rib's decision: sent all the same
        let markers = [SUBTYPE_BORR, SUBTYPE_EORR]
            .map(|s| Change::RouteRefresh(RouteRefresh::new(Family::IPV6_UNICAST, s)));
        let out = encode_changes(&markers, &sets, &ctx, &c).expect("encode");
        let out: Vec<String> = out.iter().map(|m| hex(&m.bytes)).collect();
        assert_eq!(
            out,
            [
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500020101",
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500020201"
            ]
        );
    }

    /// OPERATIONAL messages from the rib, typed, encoded here: the bytes
    /// ExaBGP 5.0.15 sent for `announce operational asm afi ipv4 safi
    /// unicast advisory hello` and `... rpcp ... sequence 12 counter 200`
    /// (router-id 10.0.0.1); one that cannot be encoded is dropped, not
    /// the batch.
    #[test]
    fn operational_messages_are_encoded_by_the_worker() {
        use ferrobgp_wire::message::operational::{types, Operational};
        let c = cfg();
        let ctx = context(&Negotiated::standalone(), &c, None);
        let hello = Operational::advisory(types::ASM, Family::IPV4_UNICAST, "hello");
        let too_long = Operational::Advisory {
            kind: types::ADM,
            family: Family::IPV4_UNICAST,
            text: vec![b'x'; 70_000],
        };
        let counter = Operational::Counter {
            kind: types::RPCP,
            family: Family::IPV4_UNICAST,
            router_id: Ipv4Addr::new(10, 0, 0, 1),
            sequence: 12,
            counter: 200,
        };
        let changes: Vec<Change> = [hello, too_long, counter]
            .into_iter()
            .map(Change::Operational)
            .collect();
        let out = encode_changes(&changes, &[], &ctx, &c).expect("encode");
        let m = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
        assert_eq!(
            out,
            [
                Outgoing {
                    bytes: decode_hex(&format!("{m}001F060002000800010168656C6C6F")),
                    update: false
                },
                Outgoing {
                    bytes: decode_hex(&format!("{m}0026060004000F0001010A0000010000000C000000C8")),
                    update: false
                },
            ]
        );
    }

    fn decode_hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }
}
