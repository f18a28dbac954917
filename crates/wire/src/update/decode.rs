//! Decoding UPDATE bodies with RFC 7606 error handling and RFC 6793 AS4
//! merging. See [`super::error`] for the verdicts.
//!
//! The decoder makes one pass over the attributes, collecting a
//! [`Malformation`] for each problem; a problem that means session reset
//! ends decoding with [`crate::Error::Malformed`]. NLRIs are collected into
//! vectors reserved once for the whole field (a prefix is stored inline:
//! nothing is allocated per prefix).

use super::error::{Malformation, Verdict};
use super::{mp, Context, Update};
use crate::attribute::{
    attr_03_next_hop, attr_04_med, attr_05_local_pref, attr_06_atomic_aggregate,
    attr_09_originator_id, attr_10_cluster_list, attr_17_as4_path, attr_18_as4_aggregator,
    attr_26_aigp, attr_29_bgp_ls, code, flag, standard_flags, Aggregator, AsPath, AttrError,
    Communities, ExtendedCommunities, Ipv6ExtendedCommunities, LargeCommunities, Origin, PrefixSid,
    RawAttribute, AS_TRANS,
};
use crate::error::{code as ncode, subcode, Notify};
use crate::family::Family;
use crate::nlri::malformed::{MalformedNlri, Reach};
use crate::nlri::prefix::decode_ipv4_all;
use crate::nlri::Nlri;
use crate::route::{NextHop, Route, RouteChange};
use crate::{Error, Result};
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// A decoded UPDATE and the problems found in it (none of them a session
/// reset: those are returned as errors).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Received {
    pub update: Update,
    pub malformations: Vec<Malformation>,
}

impl Received {
    /// Whether RFC 7606 says to withdraw every route this UPDATE announces.
    pub fn treat_as_withdraw(&self) -> bool {
        self.malformations
            .iter()
            .any(|m| m.verdict == Verdict::TreatAsWithdraw)
    }

    /// The strongest verdict of this UPDATE (RFC 7606 section 3(h): the
    /// one applied), `None` when nothing in it is malformed. A session reset
    /// never appears here: it is the error of [`decode`].
    pub fn verdict(&self) -> Option<&Verdict> {
        self.malformations
            .iter()
            .map(|m| &m.verdict)
            .max_by_key(|v| v.rank())
    }

    pub fn eor(&self) -> Option<Family> {
        if self.malformations.is_empty() {
            self.update.eor()
        } else {
            None
        }
    }

    /// The UPDATE as it is reported to helpers and `show`: itself, or with
    /// treat-as-withdraw (RFC 7606 section 2) every route it announces moved
    /// to the withdrawals (after those it withdrew itself, in wire order:
    /// NLRI field, then MP_REACH_NLRI) and no next hop, as ExaBGP turns the
    /// routes of such an UPDATE into withdrawals. The attributes are kept
    /// (those that decoded): they say what was received. A view for
    /// rendering only: IPv4 unicast and other families share `withdrawn`,
    /// so it is never encoded.
    pub fn reported(&self) -> Cow<'_, Update> {
        if !self.treat_as_withdraw() {
            return Cow::Borrowed(&self.update);
        }
        let mut u = self.update.clone();
        let mut withdrawn = std::mem::take(&mut u.withdrawn);
        let mut later = Vec::new();
        if let Some(m) = &mut u.mp_unreach {
            later.append(&mut m.nlri);
        }
        withdrawn.append(&mut u.nlri);
        withdrawn.append(&mut later);
        if let Some(r) = u.mp_reach.take() {
            withdrawn.extend(r.nlri);
        }
        if u.mp_unreach.as_ref().is_some_and(|m| m.nlri.is_empty()) {
            u.mp_unreach = None;
        }
        u.withdrawn = withdrawn;
        u.next_hop = None;
        Cow::Owned(u)
    }

    /// The route changes this UPDATE means, in wire order: withdrawals
    /// (withdrawn field, MP_UNREACH) then announcements (NLRI field,
    /// MP_REACH) — or withdrawals of those too when treat-as-withdraw
    /// applies. Announced routes share one attribute set.
    pub fn changes(&self) -> Vec<RouteChange> {
        let u = &self.update;
        let taw = self.treat_as_withdraw();
        let attrs = Arc::new(if taw {
            Default::default()
        } else {
            u.attributes.clone()
        });
        let mut out = Vec::with_capacity(
            u.withdrawn.len()
                + u.nlri.len()
                + u.mp_unreach.as_ref().map_or(0, |m| m.nlri.len())
                + u.mp_reach.as_ref().map_or(0, |m| m.nlri.len()),
        );
        let withdraw = |n: &Nlri| RouteChange::Withdraw(Route::bare(n.clone()));
        out.extend(u.withdrawn.iter().map(withdraw));
        if let Some(m) = &u.mp_unreach {
            out.extend(m.nlri.iter().map(withdraw));
        }
        let nh4 = u.next_hop.map_or(NextHop::None, NextHop::V4);
        let mut announce = |n: &Nlri, nh: &NextHop| {
            out.push(if taw {
                withdraw(n)
            } else {
                RouteChange::Announce(Route {
                    nlri: n.clone(),
                    next_hop: nh.clone(),
                    attributes: attrs.clone(),
                })
            })
        };
        for n in &u.nlri {
            announce(n, &nh4);
        }
        if let Some(m) = &u.mp_reach {
            for n in &m.nlri {
                announce(n, &m.next_hop);
            }
        }
        out
    }
}

fn reset(subcode: u8, data: Vec<u8>, reason: impl Into<Cow<'static, str>>) -> Error {
    Error::Malformed {
        notify: Notify::new(ncode::UPDATE_MESSAGE, subcode, data),
        reason: reason.into(),
    }
}

/// Whether this crate knows attribute type `c` (so that the Optional bit
/// clear on it is a flags error, not an unrecognized well-known
/// attribute).
fn recognized(c: u8) -> bool {
    standard_flags(c).is_some()
        || matches!(
            c,
            code::PMSI_TUNNEL | code::IPV6_EXTENDED_COMMUNITIES | code::BGP_LS | code::PREFIX_SID
        )
}

/// The RFC 7606 action for a malformed attribute of type `code`.
fn action_for(c: u8) -> Option<Verdict> {
    Some(match c {
        code::ORIGIN
        | code::AS_PATH
        | code::NEXT_HOP
        | code::MED
        | code::LOCAL_PREF
        | code::COMMUNITIES
        | code::ORIGINATOR_ID
        | code::CLUSTER_LIST
        | code::EXTENDED_COMMUNITIES
        | code::IPV6_EXTENDED_COMMUNITIES
        | code::LARGE_COMMUNITY => Verdict::TreatAsWithdraw,
        code::ATOMIC_AGGREGATE
        | code::AGGREGATOR
        | code::AS4_PATH
        | code::AS4_AGGREGATOR
        | code::AIGP => Verdict::AttributeDiscard,
        code::MP_REACH_NLRI | code::MP_UNREACH_NLRI => Verdict::SessionReset(Notify::new(
            ncode::UPDATE_MESSAGE,
            subcode::update::OPTIONAL_ATTRIBUTE_ERROR,
            Vec::new(),
        )),
        _ => return None,
    })
}

/// Decodes an UPDATE body for `ctx` (see the module documentation).
pub fn decode(body: &[u8], ctx: &Context) -> Result<Received> {
    let mut rx = Received::default();
    let len = body.len();
    if len < 4 {
        return Err(reset(
            subcode::update::MALFORMED_ATTRIBUTE_LIST,
            Vec::new(),
            "UPDATE shorter than its two length fields",
        ));
    }
    let wlen = usize::from(u16::from_be_bytes([body[0], body[1]]));
    if 2 + wlen + 2 > len {
        return Err(reset(
            subcode::update::MALFORMED_ATTRIBUTE_LIST,
            Vec::new(),
            "withdrawn routes length exceeds the message",
        ));
    }
    let withdrawn = &body[2..2 + wlen];
    let alen = usize::from(u16::from_be_bytes([body[2 + wlen], body[3 + wlen]]));
    let astart = 4 + wlen;
    if astart + alen > len {
        return Err(reset(
            subcode::update::MALFORMED_ATTRIBUTE_LIST,
            Vec::new(),
            "total path attribute length exceeds the message",
        ));
    }
    let attrs = &body[astart..astart + alen];
    let nlri = &body[astart + alen..];

    let v4 = Family::IPV4_UNICAST;
    let u = &mut rx.update;
    let v4_field = |bytes: &[u8], out: &mut Vec<Nlri>| {
        if ctx.addpath_rx(v4) {
            Nlri::decode_all(v4, bytes, true, out)
        } else {
            decode_ipv4_all(v4.safi, bytes, out)
        }
    };
    v4_field(withdrawn, &mut u.withdrawn).map_err(|e| {
        reset(
            subcode::update::INVALID_NETWORK_FIELD,
            Vec::new(),
            format!("withdrawn routes: {e}"),
        )
    })?;
    v4_field(nlri, &mut u.nlri).map_err(|e| {
        reset(
            subcode::update::INVALID_NETWORK_FIELD,
            Vec::new(),
            format!("NLRI: {e}"),
        )
    })?;

    let mut as4_path: Option<AsPath> = None;
    let mut as4_aggregator: Option<Aggregator> = None;
    let mut seen = [0u64; 4];
    let mut at = 0;
    while at < attrs.len() {
        // header: flags, type, 1 or 2 length bytes
        let hdr = if attrs
            .get(at)
            .is_some_and(|f| f & flag::EXTENDED_LENGTH != 0)
        {
            4
        } else {
            3
        };
        if at + hdr > attrs.len() {
            overrun(&mut rx, "attribute header truncated")?;
            break;
        }
        let flags = attrs[at];
        let c = attrs[at + 1];
        let vlen = if hdr == 4 {
            usize::from(u16::from_be_bytes([attrs[at + 2], attrs[at + 3]]))
        } else {
            usize::from(attrs[at + 2])
        };
        let start = at + hdr;
        if start + vlen > attrs.len() {
            overrun(&mut rx, "attribute length overruns the path attributes")?;
            break;
        }
        let value = &attrs[start..start + vlen];
        let whole = &attrs[at..start + vlen];
        at = start + vlen;

        let bit = 1u64 << (c % 64);
        let slot = usize::from(c / 64);
        if seen[slot] & bit != 0 {
            if c == code::MP_REACH_NLRI || c == code::MP_UNREACH_NLRI {
                return Err(reset(
                    subcode::update::MALFORMED_ATTRIBUTE_LIST,
                    Vec::new(),
                    format!("attribute {c} appears twice"),
                ));
            }
            rx.malformations.push(Malformation {
                verdict: Verdict::AttributeDiscard,
                attribute: Some(c),
                family: None,
                reason: "repeated attribute, only the first is kept".into(),
            });
            continue;
        }
        seen[slot] |= bit;

        // RFC 4271 6.3: an unrecognized well-known attribute (the Optional
        // bit clear on a type that is not one of the five well-known ones,
        // nor an optional type this crate knows) is 3/2 with the attribute
        if ctx.local_address.is_some() && flags & flag::OPTIONAL == 0 && !recognized(c) {
            return Err(Error::Malformed {
                notify: Notify::new(
                    ncode::UPDATE_MESSAGE,
                    subcode::update::UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
                    whole.to_vec(),
                ),
                reason: format!("unrecognized well-known attribute {c}").into(),
            });
        }

        let mut bad_nlri = Vec::new();
        let result = decode_one(
            &mut rx.update,
            ctx,
            c,
            flags,
            value,
            whole,
            &mut as4_path,
            &mut as4_aggregator,
            &mut bad_nlri,
        );
        rx.malformations
            .extend(bad_nlri.into_iter().map(|m| nlri_malformation(c, m)));
        if let Err(e) = result {
            let verdict = action_for(c).unwrap_or(Verdict::AttributeDiscard);
            if let Verdict::SessionReset(n) = verdict {
                return Err(Error::Malformed {
                    notify: Notify::new(n.code, n.subcode, whole.to_vec()),
                    reason: format!("attribute {c}: {e}").into(),
                });
            }
            rx.malformations.push(Malformation {
                verdict,
                attribute: Some(c),
                family: None,
                reason: e.0,
            });
        }
    }

    // RFC 6793 4.2.3: an old speaker's AS4_PATH / AS4_AGGREGATOR
    let u = &mut rx.update;
    if !ctx.asn4 {
        let mut use_as4_path = true;
        if let Some(a4) = as4_aggregator {
            match &mut u.attributes.aggregator {
                Some(agg) if agg.asn == AS_TRANS => *agg = a4,
                Some(_) => use_as4_path = false,
                None => {}
            }
        }
        if let (Some(p4), true) = (as4_path, use_as4_path) {
            if let Some(p) = &u.attributes.as_path {
                u.attributes.as_path = Some(p.merge_as4(&p4));
            }
        }
    }

    if ctx.local_address.is_some() {
        ignore_semantic_errors(&mut rx, own_address(ctx));
    }
    let u = &mut rx.update;

    // RFC 7606 7.5: LOCAL_PREF from an external peer is discarded
    if !ctx.ibgp() && u.attributes.local_pref.take().is_some() {
        rx.malformations.push(Malformation {
            verdict: Verdict::AttributeDiscard,
            attribute: Some(code::LOCAL_PREF),
            family: None,
            reason: "LOCAL_PREF received from an external peer".into(),
        });
    }

    // RFC 7606 3(d): missing well-known mandatory attributes
    let announces = !u.nlri.is_empty() || u.mp_reach.as_ref().is_some_and(|r| !r.nlri.is_empty());
    if announces {
        let malformed = |c: u8| rx.malformations.iter().any(|m| m.attribute == Some(c));
        let mut missing = Vec::new();
        if u.attributes.origin.is_none() && !malformed(code::ORIGIN) {
            missing.push(code::ORIGIN);
        }
        if u.attributes.as_path.is_none() && !malformed(code::AS_PATH) {
            missing.push(code::AS_PATH);
        }
        if !u.nlri.is_empty() && u.next_hop.is_none() && !malformed(code::NEXT_HOP) {
            missing.push(code::NEXT_HOP);
        }
        for c in missing {
            rx.malformations.push(Malformation {
                verdict: Verdict::TreatAsWithdraw,
                attribute: Some(c),
                family: None,
                reason: "missing well-known mandatory attribute".into(),
            });
        }
    }
    Ok(rx)
}

/// Our IPv4 address on a live session, for the NEXT_HOP check: none when
/// either address is unknown, or when the peer has the same address (one
/// host, loopback) since its own next hop is then ours too.
fn own_address(ctx: &Context) -> Option<Ipv4Addr> {
    match (ctx.local_address, ctx.peer_address) {
        (Some(IpAddr::V4(a)), Some(peer)) if peer != IpAddr::V4(a) => Some(a),
        _ => None,
    }
}

/// RFC 4271 6.3, on a live session, each SHOULD "be ignored", logged as a
/// malformation, the rest of the UPDATE processed:
/// - a multicast prefix in the NLRI field is dropped;
/// - a NEXT_HOP equal to our own address makes the routes of the NLRI
///   field withdrawn (ignoring them must not leave an earlier route of the
///   same prefix in place, as treat-as-withdraw of RFC 7606 for those
///   prefixes only).
fn ignore_semantic_errors(rx: &mut Received, own: Option<Ipv4Addr>) {
    let u = &mut rx.update;
    let mut ignored = Vec::new();
    u.nlri.retain(|n| match n {
        Nlri::Prefix(p) if is_multicast(&p.net) => {
            ignored.push(p.net.to_string());
            false
        }
        _ => true,
    });
    for net in ignored {
        rx.malformations.push(Malformation {
            verdict: Verdict::NlriDiscard,
            attribute: None,
            family: Some(Family::IPV4_UNICAST),
            reason: format!("multicast prefix {net} in the unicast NLRI field ignored").into(),
        });
    }
    if let (Some(own), Some(nh)) = (own, u.next_hop) {
        if own == nh && !u.nlri.is_empty() {
            let n = u.nlri.len();
            u.withdrawn.append(&mut u.nlri);
            rx.malformations.push(Malformation {
                verdict: Verdict::NlriDiscard,
                attribute: Some(code::NEXT_HOP),
                family: Some(Family::IPV4_UNICAST),
                reason: format!(
                    "NEXT_HOP {nh} is our own address: {n} route(s) treated as withdrawn"
                )
                .into(),
            });
        }
    }
}

/// An IPv4 prefix inside 224.0.0.0/4 (class D).
fn is_multicast(net: &ipnet::IpNet) -> bool {
    match net {
        ipnet::IpNet::V4(n) => n.prefix_len() >= 4 && n.network().is_multicast(),
        ipnet::IpNet::V6(_) => false,
    }
}

/// The malformation for an NLRI of attribute `c` (14 or 15) that was
/// delimited but does not parse: treat-as-withdraw or NLRI discard as its
/// family's RFC says (see [`crate::nlri::malformed`]), with the NLRI bytes
/// in the reason for the log RFC 7606 section 6 asks for.
fn nlri_malformation(c: u8, m: MalformedNlri) -> Malformation {
    let hex: String = m.bytes.iter().map(|b| format!("{b:02X}")).collect();
    Malformation {
        verdict: match m.reach {
            Reach::TreatAsWithdraw => Verdict::TreatAsWithdraw,
            Reach::Discard => Verdict::NlriDiscard,
        },
        attribute: Some(c),
        family: Some(m.family),
        reason: format!("malformed NLRI 0x{hex}: {}", m.reason).into(),
    }
}

/// RFC 7606 section 4: an attribute overrunning the attribute section makes
/// the UPDATE "treat-as-withdraw" when its NLRIs are known, and is a session
/// reset when MP_REACH / MP_UNREACH may have been lost with it.
fn overrun(rx: &mut Received, reason: &'static str) -> Result<()> {
    let u = &rx.update;
    if u.mp_reach.is_none() && u.mp_unreach.is_none() && u.nlri.is_empty() {
        return Err(reset(
            subcode::update::MALFORMED_ATTRIBUTE_LIST,
            Vec::new(),
            reason,
        ));
    }
    rx.malformations.push(Malformation {
        verdict: Verdict::TreatAsWithdraw,
        attribute: None,
        family: None,
        reason: reason.into(),
    });
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn decode_one(
    u: &mut Update,
    ctx: &Context,
    c: u8,
    flags: u8,
    value: &[u8],
    whole: &[u8],
    as4_path: &mut Option<AsPath>,
    as4_aggregator: &mut Option<Aggregator>,
    bad_nlri: &mut Vec<MalformedNlri>,
) -> Result<(), AttrError> {
    let _ = whole;
    // RFC 7606 3(c): optional / transitive bits conflicting with the type
    if let Some(expected) = standard_flags(c) {
        if flags & (flag::OPTIONAL | flag::TRANSITIVE) != expected {
            return Err(AttrError::new(format!(
                "flags 0x{flags:02X} invalid for attribute {c}"
            )));
        }
    }
    let a = &mut u.attributes;
    match c {
        code::ORIGIN => a.origin = Some(Origin::decode(value)?),
        code::AS_PATH => a.as_path = Some(AsPath::decode(value, ctx.asn4)?),
        code::NEXT_HOP => u.next_hop = Some(attr_03_next_hop::decode(value)?),
        code::MED => a.med = Some(attr_04_med::decode(value)?),
        code::LOCAL_PREF => a.local_pref = Some(attr_05_local_pref::decode(value)?),
        code::ATOMIC_AGGREGATE => {
            attr_06_atomic_aggregate::decode(value)?;
            a.atomic_aggregate = true
        }
        code::AGGREGATOR => a.aggregator = Some(Aggregator::decode(value, ctx.asn4)?),
        code::COMMUNITIES => a.communities = Communities::decode(value)?,
        code::ORIGINATOR_ID => a.originator_id = Some(attr_09_originator_id::decode(value)?),
        code::CLUSTER_LIST => a.cluster_list = attr_10_cluster_list::decode(value)?,
        code::MP_REACH_NLRI => {
            u.mp_reach = Some(mp::reach(value, |f| ctx.addpath_rx(f), bad_nlri)?)
        }
        code::MP_UNREACH_NLRI => {
            u.mp_unreach = Some(mp::unreach(value, |f| ctx.addpath_rx(f), bad_nlri)?)
        }
        code::EXTENDED_COMMUNITIES => a.extended_communities = ExtendedCommunities::decode(value)?,
        code::AS4_PATH if !ctx.asn4 => *as4_path = Some(attr_17_as4_path::decode(value)?),
        code::AS4_AGGREGATOR if !ctx.asn4 => {
            *as4_aggregator = Some(attr_18_as4_aggregator::decode(value)?)
        }
        code::AIGP => a.aigp = Some(attr_26_aigp::decode(value)?),
        code::LARGE_COMMUNITY => a.large_communities = LargeCommunities::decode(value)?,
        // RFC 8669 section 6 / RFC 9552 section 8.2.2: malformed means
        // attribute discard (the error is turned into that verdict)
        code::PREFIX_SID => {
            PrefixSid::parse(value)?;
            a.push_raw(RawAttribute::new(c, flags, value))
        }
        code::BGP_LS => {
            attr_29_bgp_ls::validate(value)?;
            a.push_raw(RawAttribute::new(c, flags, value))
        }
        // RFC 7606 7.15 (RFC 5701): a length not a multiple of 20 is
        // treat-as-withdraw
        code::IPV6_EXTENDED_COMMUNITIES => {
            Ipv6ExtendedCommunities::parse(value)?;
            a.push_raw(RawAttribute::new(c, flags, value))
        }
        _ => a.push_raw(RawAttribute::new(c, flags, value)),
    }
    Ok(())
}
