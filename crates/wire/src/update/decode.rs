//! Decoding UPDATE bodies with RFC 7606 error handling and RFC 6793 AS4
//! merging. See [`super::error`] for the verdicts.
//!
//! The decoder makes one pass over the attributes, collecting a
//! [`Malformation`] for each problem; a problem that means session reset
//! ends decoding with [`crate::Error::Malformed`]. NLRIs are collected into
//! vectors reserved once for the whole field (a prefix is stored inline:
//! nothing is allocated per prefix).

use super::error::{Malformation, Verdict};
pub use super::received::Received;
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
use crate::{Error, Result};
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

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
    let (withdrawn, attrs, nlri) = split_body(body)?;
    decode_ipv4_fields(&mut rx.update, ctx, withdrawn, nlri)?;
    let as4 = decode_attributes(&mut rx, ctx, attrs)?;
    if !ctx.asn4 {
        merge_as4(&mut rx.update, as4);
    }
    if ctx.local_address.is_some() {
        ignore_semantic_errors(&mut rx, own_address(ctx));
    }
    discard_external_local_pref(&mut rx, ctx);
    missing_mandatory(&mut rx);
    Ok(rx)
}

/// The three fields of an UPDATE body: withdrawn routes, path attributes,
/// NLRI; a length field overrunning the body is a session reset.
fn split_body(body: &[u8]) -> Result<(&[u8], &[u8], &[u8])> {
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
    Ok((
        withdrawn,
        &body[astart..astart + alen],
        &body[astart + alen..],
    ))
}

/// The IPv4 unicast withdrawn-routes and NLRI fields (with ADD-PATH when
/// it was negotiated to receive); a field that does not parse is a session
/// reset (Invalid Network Field).
fn decode_ipv4_fields(u: &mut Update, ctx: &Context, withdrawn: &[u8], nlri: &[u8]) -> Result<()> {
    let v4 = Family::IPV4_UNICAST;
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
    })
}

/// AS4_PATH and AS4_AGGREGATOR received from an old (2-octet) speaker,
/// kept aside until every attribute is read (RFC 6793 4.2.3).
#[derive(Default)]
struct As4 {
    path: Option<AsPath>,
    aggregator: Option<Aggregator>,
}

/// One attribute's place in the path attributes field.
struct Header {
    flags: u8,
    code: u8,
    /// Offset of the value.
    start: usize,
    /// Offset just past the value.
    end: usize,
}

/// The header of the attribute at `at`: flags, type, 1 or 2 length bytes;
/// the error is the overrun's reason.
fn header_at(attrs: &[u8], at: usize) -> std::result::Result<Header, &'static str> {
    let hdr = if attrs
        .get(at)
        .is_some_and(|f| f & flag::EXTENDED_LENGTH != 0)
    {
        4
    } else {
        3
    };
    if at + hdr > attrs.len() {
        return Err("attribute header truncated");
    }
    let vlen = if hdr == 4 {
        usize::from(u16::from_be_bytes([attrs[at + 2], attrs[at + 3]]))
    } else {
        usize::from(attrs[at + 2])
    };
    let start = at + hdr;
    if start + vlen > attrs.len() {
        return Err("attribute length overruns the path attributes");
    }
    Ok(Header {
        flags: attrs[at],
        code: attrs[at + 1],
        start,
        end: start + vlen,
    })
}

/// The one pass over the path attributes: each decoded into `rx.update`,
/// each problem a malformation (or the session reset returned).
fn decode_attributes(rx: &mut Received, ctx: &Context, attrs: &[u8]) -> Result<As4> {
    let mut as4 = As4::default();
    let mut seen = [0u64; 4];
    let mut at = 0;
    while at < attrs.len() {
        let h = match header_at(attrs, at) {
            Ok(h) => h,
            Err(reason) => {
                overrun(rx, reason)?;
                break;
            }
        };
        let value = &attrs[h.start..h.end];
        let whole = &attrs[at..h.end];
        at = h.end;
        if !first_of_its_type(rx, &mut seen, h.code)? {
            continue;
        }
        let c = h.code;
        // RFC 4271 6.3: an unrecognized well-known attribute (the Optional
        // bit clear on a type that is not one of the five well-known ones,
        // nor an optional type this crate knows) is 3/2 with the attribute
        if ctx.local_address.is_some() && h.flags & flag::OPTIONAL == 0 && !recognized(c) {
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
            h.flags,
            value,
            &mut as4,
            &mut bad_nlri,
        );
        rx.malformations
            .extend(bad_nlri.into_iter().map(|m| nlri_malformation(c, m)));
        if let Err(e) = result {
            judge_attribute(rx, c, whole, e)?;
        }
    }
    Ok(as4)
}

/// Whether attribute `c` is seen for the first time in this UPDATE; a
/// repeat is discarded (RFC 7606 3(g)), or a session reset for
/// MP_REACH / MP_UNREACH.
fn first_of_its_type(rx: &mut Received, seen: &mut [u64; 4], c: u8) -> Result<bool> {
    let bit = 1u64 << (c % 64);
    let slot = usize::from(c / 64);
    if seen[slot] & bit == 0 {
        seen[slot] |= bit;
        return Ok(true);
    }
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
    Ok(false)
}

/// The RFC 7606 verdict on attribute `c` that did not decode: a
/// malformation, or the session reset (with the attribute as the data).
fn judge_attribute(rx: &mut Received, c: u8, whole: &[u8], e: AttrError) -> Result<()> {
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
    Ok(())
}

/// RFC 6793 4.2.3: an old speaker's AS4_PATH / AS4_AGGREGATOR merged into
/// AS_PATH / AGGREGATOR.
fn merge_as4(u: &mut Update, as4: As4) {
    let mut use_as4_path = true;
    if let Some(a4) = as4.aggregator {
        match &mut u.attributes.aggregator {
            Some(agg) if agg.asn == AS_TRANS => *agg = a4,
            Some(_) => use_as4_path = false,
            None => {}
        }
    }
    if let (Some(p4), true) = (as4.path, use_as4_path) {
        if let Some(p) = &u.attributes.as_path {
            u.attributes.as_path = Some(p.merge_as4(&p4));
        }
    }
}

/// RFC 7606 7.5: LOCAL_PREF from an external peer is discarded.
fn discard_external_local_pref(rx: &mut Received, ctx: &Context) {
    if !ctx.ibgp() && rx.update.attributes.local_pref.take().is_some() {
        rx.malformations.push(Malformation {
            verdict: Verdict::AttributeDiscard,
            attribute: Some(code::LOCAL_PREF),
            family: None,
            reason: "LOCAL_PREF received from an external peer".into(),
        });
    }
}

/// RFC 7606 3(d): missing well-known mandatory attributes of an UPDATE
/// that announces routes (treat-as-withdraw), unless already malformed.
fn missing_mandatory(rx: &mut Received) {
    let u = &rx.update;
    let announces = !u.nlri.is_empty() || u.mp_reach.as_ref().is_some_and(|r| !r.nlri.is_empty());
    if !announces {
        return;
    }
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

fn decode_one(
    u: &mut Update,
    ctx: &Context,
    c: u8,
    flags: u8,
    value: &[u8],
    as4: &mut As4,
    bad_nlri: &mut Vec<MalformedNlri>,
) -> Result<(), AttrError> {
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
        code::AS4_PATH if !ctx.asn4 => as4.path = Some(attr_17_as4_path::decode(value)?),
        code::AS4_AGGREGATOR if !ctx.asn4 => {
            as4.aggregator = Some(attr_18_as4_aggregator::decode(value)?)
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
