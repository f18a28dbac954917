//! Packing route changes into UPDATE messages the way ExaBGP does (spec
//! 7.3 - 7.5), so that the bytes on the wire are the same:
//!
//! * changes are grouped by attribute set and next hop, in order of first
//!   appearance, then by family (in order of first appearance);
//! * with `group-updates` on, IPv4 unicast (and IPv4/IPv6 mcast-vpn) changes
//!   of one group share UPDATEs; every other family, and every family with
//!   `group-updates` off, gets one UPDATE per NLRI;
//! * inside an UPDATE, NLRIs are sorted (path-id, prefix length, address);
//! * IPv4 unicast withdrawals go in the Withdrawn Routes field of their own
//!   UPDATEs (no attributes), before the announcements of the same group;
//!   announcements with an IPv4 next hop in the NLRI field; everything else
//!   in MP_UNREACH_NLRI then MP_REACH_NLRI, after all other attributes;
//! * an UPDATE that only withdraws unicast/multicast MP routes carries no
//!   other attribute; all other UPDATEs get ExaBGP's defaults (ORIGIN IGP,
//!   AS_PATH empty on iBGP / `[local-as]` on eBGP, LOCAL_PREF 100 on iBGP),
//!   LOCAL_PREF is stripped on eBGP, AIGP on eBGP unless enabled, and
//!   NEXT_HOP is present only when the next hop is IPv4;
//! * a group that does not fit the maximum message size is split; an NLRI
//!   that cannot fit even alone is reported in [`Packed::errors`] and left
//!   out (as ExaBGP 5.0.15 logs and skips it), the rest is still sent.
//!
//! The attributes of a group are encoded once; NLRIs are written straight
//! into the message buffers.

use super::{finish_message, start_message, Context, HEADER_LEN};
use crate::attribute::{code, flag, AsPath, Attributes};
use crate::family::{Afi, Family, Safi};
use crate::nlri::Nlri;
use crate::route::{NextHop, RouteChange};
use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// An NLRI that could not be put in any UPDATE (a record of what was left
/// out, reported by the caller; packing the others goes on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsendable {
    pub nlri: Nlri,
    pub reason: &'static str,
}

impl std::fmt::Display for Unsendable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot send {}: {}", self.nlri, self.reason)
    }
}

/// The UPDATE messages (complete, header included) for a list of changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packed {
    pub messages: Vec<Vec<u8>>,
    pub errors: Vec<Unsendable>,
}

/// Families whose changes of one group share UPDATEs with group-updates on.
fn grouped_family(f: Family) -> bool {
    f == Family::IPV4_UNICAST || f == Family::IPV4_MCAST_VPN || f == Family::IPV6_MCAST_VPN
}

/// The attributes ExaBGP sends for `attrs` on this session (defaults added,
/// LOCAL_PREF / AIGP stripped on eBGP).
pub fn outgoing_attributes<'a>(attrs: &'a Attributes, ctx: &Context) -> Cow<'a, Attributes> {
    let ibgp = ctx.ibgp();
    let needs = attrs.origin.is_none()
        || attrs.as_path.is_none()
        || (ibgp && attrs.local_pref.is_none())
        || (!ibgp && attrs.local_pref.is_some())
        || (!ibgp && !ctx.aigp && attrs.aigp.is_some());
    if !needs {
        return Cow::Borrowed(attrs);
    }
    let mut a = attrs.clone();
    if a.origin.is_none() {
        a.origin = Some(crate::attribute::Origin::Igp);
    }
    if a.as_path.is_none() {
        a.as_path = Some(if ibgp {
            AsPath::empty()
        } else {
            AsPath::sequence(vec![ctx.local_as])
        });
    }
    if ibgp {
        if a.local_pref.is_none() {
            a.local_pref = Some(crate::attribute::attr_05_local_pref::DEFAULT);
        }
    } else {
        a.local_pref = None;
        if !ctx.aigp {
            a.aigp = None;
        }
    }
    Cow::Owned(a)
}

/// Resolves `next-hop self` for a route of `family` (spec 7.5): the local
/// address for routes of the session's AFI, the router-id for IPv4 routes
/// on an IPv6 session; otherwise it stays unresolved (sent as 0.0.0.0).
pub fn resolve_self(nh: &NextHop, family: Family, ctx: &Context) -> NextHop {
    if *nh != NextHop::SelfAddress {
        return nh.clone();
    }
    match (family.afi, ctx.local_address) {
        (Afi::IPV4, Some(IpAddr::V4(a))) => NextHop::V4(a),
        (Afi::IPV6, Some(IpAddr::V6(a))) => NextHop::V6(a),
        (Afi::IPV4, _) if !ctx.router_id.is_unspecified() => NextHop::V4(ctx.router_id),
        _ => NextHop::SelfAddress,
    }
}

/// Whether an IPv4 next hop is also sent as a NEXT_HOP attribute for
/// `family` (ExaBGP, as the conformance suite shows: yes for unicast,
/// labelled, VPN, MCAST-VPN and MUP; not for FlowSpec nor VPLS, whose next
/// hop is only in MP_REACH_NLRI).
pub fn sends_next_hop_attribute(family: Family) -> bool {
    !matches!(family.safi, Safi::FLOW | Safi::FLOW_VPN | Safi::VPLS)
}

/// The next hop written in MP_REACH_NLRI: ExaBGP sends an IPv4 next hop of
/// an IPv6 MUP route as an IPv4-mapped IPv6 address (`::ffff:10.0.0.2`,
/// conf-srv6-mup).
fn mp_next_hop(nh: &NextHop, family: Family) -> std::borrow::Cow<'_, NextHop> {
    match nh {
        NextHop::V4(a) if family == Family::IPV6_MUP => {
            std::borrow::Cow::Owned(NextHop::V6(a.to_ipv6_mapped()))
        }
        _ => std::borrow::Cow::Borrowed(nh),
    }
}

struct Group<'a> {
    attrs: &'a Arc<Attributes>,
    next_hop: &'a NextHop,
    families: Vec<(Family, Vec<&'a RouteChange>)>,
}

/// Packs `changes` (in the order the RIB decided) into UPDATE messages.
pub fn pack(changes: &[RouteChange], ctx: &Context) -> Packed {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut index: HashMap<(&Attributes, &NextHop), usize> = HashMap::new();
    let mut last: Option<usize> = None;
    for ch in changes {
        let r = ch.route();
        let family = r.nlri.family();
        if !ctx.family_allowed(family) {
            continue;
        }
        let gi = match last {
            Some(i)
                if Arc::ptr_eq(groups[i].attrs, &r.attributes)
                    && *groups[i].next_hop == r.next_hop =>
            {
                i
            }
            _ => *index
                .entry((&*r.attributes, &r.next_hop))
                .or_insert_with(|| {
                    groups.push(Group {
                        attrs: &r.attributes,
                        next_hop: &r.next_hop,
                        families: Vec::new(),
                    });
                    groups.len() - 1
                }),
        };
        last = Some(gi);
        let fams = &mut groups[gi].families;
        match fams.iter_mut().find(|(f, _)| *f == family) {
            Some((_, v)) => v.push(ch),
            None => fams.push((family, vec![ch])),
        }
    }

    let mut packed = Packed::default();
    let mut scratch = Packer::default();
    for g in &groups {
        for (family, list) in &g.families {
            // per family: the NEXT_HOP attribute and `self` depend on it
            let mut attr_cache: Option<Vec<u8>> = None;
            let next_hop = resolve_self(g.next_hop, *family, ctx);
            if ctx.group_updates && grouped_family(*family) {
                scratch.unit(
                    list,
                    *family,
                    g.attrs,
                    &next_hop,
                    &mut attr_cache,
                    ctx,
                    &mut packed,
                );
            } else {
                for ch in list {
                    scratch.unit(
                        std::slice::from_ref(ch),
                        *family,
                        g.attrs,
                        &next_hop,
                        &mut attr_cache,
                        ctx,
                        &mut packed,
                    );
                }
            }
        }
    }
    packed
}

#[derive(Default)]
struct Packer<'a> {
    withdraw: Vec<&'a Nlri>,
    announce: Vec<&'a Nlri>,
    mp_withdraw: Vec<&'a Nlri>,
    mp_announce: Vec<&'a Nlri>,
    payload: Vec<u8>,
}

impl<'a> Packer<'a> {
    /// The UPDATEs of one ExaBGP `Update` (changes sharing attributes, next
    /// hop and family).
    #[allow(clippy::too_many_arguments)]
    fn unit(
        &mut self,
        list: &[&'a RouteChange],
        family: Family,
        attrs: &Attributes,
        next_hop: &NextHop,
        attr_cache: &mut Option<Vec<u8>>,
        ctx: &Context,
        out: &mut Packed,
    ) {
        self.withdraw.clear();
        self.announce.clear();
        self.mp_withdraw.clear();
        self.mp_announce.clear();
        for ch in list {
            let n = &ch.route().nlri;
            let v = match unit_list(family, next_hop, matches!(ch, RouteChange::Withdraw(_))) {
                UnitList::Withdraw => &mut self.withdraw,
                UnitList::Announce => &mut self.announce,
                UnitList::MpWithdraw => &mut self.mp_withdraw,
                UnitList::MpAnnounce => &mut self.mp_announce,
            };
            v.push(n);
        }
        for v in [
            &mut self.withdraw,
            &mut self.announce,
            &mut self.mp_withdraw,
            &mut self.mp_announce,
        ] {
            if !v.is_sorted() {
                v.sort_unstable();
            }
        }
        let lists = UnitNlris {
            withdraw: self.withdraw.iter().copied(),
            announce: self.announce.iter().copied(),
            mp_withdraw: self.mp_withdraw.iter().copied(),
            mp_announce: self.mp_announce.iter().copied(),
        };
        pack_unit(
            lists,
            family,
            attrs,
            next_hop,
            attr_cache,
            ctx,
            &mut self.payload,
            out,
        );
    }
}

/// Which field of a unit's UPDATEs a change goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitList {
    /// IPv4 unicast withdrawals: the Withdrawn Routes field.
    Withdraw,
    /// IPv4 unicast announcements with an IPv4 next hop: the NLRI field.
    Announce,
    /// Every other withdrawal: MP_UNREACH_NLRI.
    MpWithdraw,
    /// Every other announcement: MP_REACH_NLRI.
    MpAnnounce,
}

/// The list of a unit (family, resolved next hop) a withdrawal
/// (`withdraw`) or an announcement goes to.
pub fn unit_list(family: Family, next_hop: &NextHop, withdraw: bool) -> UnitList {
    let native = family == Family::IPV4_UNICAST;
    match (withdraw, native) {
        (true, true) => UnitList::Withdraw,
        (true, false) => UnitList::MpWithdraw,
        (false, true) if next_hop.afi() == Some(Afi::IPV4) => UnitList::Announce,
        (false, _) => UnitList::MpAnnounce,
    }
}

/// The NLRIs of one unit, each list in the order they go on the wire
/// (sorted: path-id, prefix length, address, as [`pack`] sorts them).
pub struct UnitNlris<I> {
    pub withdraw: I,
    pub announce: I,
    pub mp_withdraw: I,
    pub mp_announce: I,
}

/// Whether a family's changes of one group share UPDATEs on this session
/// (one unit for them all), or go one UPDATE per NLRI (a unit each).
pub fn grouped(family: Family, ctx: &Context) -> bool {
    ctx.group_updates && grouped_family(family)
}

/// The UPDATEs of one unit, ExaBGP's `Update`: changes sharing attribute
/// set, next hop (`next_hop`, `self` already resolved by
/// [`resolve_self`]) and family, their NLRIs in `lists`, each list sorted.
/// `attr_cache` holds the encoded attributes between the units of one
/// attribute set, next hop and family; `payload` is scratch space. What
/// [`pack`] does for each unit, for callers that hold the NLRIs in another
/// form (a worker decoding them one at a time from the rib's batch).
#[allow(clippy::too_many_arguments)]
pub fn pack_unit<N: std::borrow::Borrow<Nlri>, I: Iterator<Item = N>>(
    lists: UnitNlris<I>,
    family: Family,
    attrs: &Attributes,
    next_hop: &NextHop,
    attr_cache: &mut Option<Vec<u8>>,
    ctx: &Context,
    payload: &mut Vec<u8>,
    out: &mut Packed,
) {
    let mut withdraw = lists.withdraw.peekable();
    let mut announce = lists.announce.peekable();
    let mut mp_withdraw = lists.mp_withdraw.peekable();
    let mut mp_announce = lists.mp_announce.peekable();
    let has_announce = announce.peek().is_some();
    let has_mp_withdraw = mp_withdraw.peek().is_some();
    let has_mp_announce = mp_announce.peek().is_some();
    let carries = has_announce
        || withdraw.peek().is_some()
        || has_mp_announce
        || !matches!(family.safi, Safi::UNICAST | Safi::MULTICAST);
    let attr: &[u8] = if carries {
        attr_cache.get_or_insert_with(|| {
            let mut v = Vec::with_capacity(64);
            let nh_attr = mp_next_hop(next_hop, family)
                .ipv4()
                .filter(|_| sends_next_hop_attribute(family));
            outgoing_attributes(attrs, ctx).encode(nh_attr, ctx.asn4, &mut v);
            v
        })
    } else {
        &[]
    };
    let max = ctx.max_size.min(0xFFFF);
    let withdraw_size = max - HEADER_LEN - 4;
    let announce_size = withdraw_size as isize - attr.len() as isize;
    let v4_addpath = ctx.addpath_tx(Family::IPV4_UNICAST);

    // IPv4 withdrawals: Withdrawn Routes field, no attributes
    native_messages(withdraw, v4_addpath, withdraw_size, true, &[], out);
    // IPv4 announcements: NLRI field
    if has_announce {
        if announce_size <= 0 {
            reject(announce, "attributes too large for one UPDATE", out);
        } else {
            native_messages(
                announce,
                v4_addpath,
                announce_size as usize,
                false,
                attr,
                out,
            );
        }
    }
    if !has_mp_withdraw && !has_mp_announce {
        return;
    }
    if announce_size <= 0 {
        reject(mp_withdraw, "attributes too large for one UPDATE", out);
        reject(mp_announce, "attributes too large for one UPDATE", out);
        return;
    }
    let mp = MpUnit {
        family,
        next_hop,
        addpath: ctx.addpath_tx(family),
        budget: announce_size as usize,
        attr,
    };
    mp.pack(mp_withdraw, mp_announce, payload, out);
}

/// The multiprotocol part of a unit: what its MP_UNREACH_NLRI and
/// MP_REACH_NLRI UPDATEs share.
struct MpUnit<'a> {
    family: Family,
    next_hop: &'a NextHop,
    addpath: bool,
    /// Bytes left for the MP attribute in each UPDATE.
    budget: usize,
    /// The unit's other attributes, encoded.
    attr: &'a [u8],
}

impl MpUnit<'_> {
    /// The MP_UNREACH_NLRI UPDATEs of `mp_withdraw`, then the
    /// MP_REACH_NLRI ones of `mp_announce`.
    fn pack<N: std::borrow::Borrow<Nlri>>(
        &self,
        mp_withdraw: impl Iterator<Item = N>,
        mp_announce: impl Iterator<Item = N>,
        payload: &mut Vec<u8>,
        out: &mut Packed,
    ) {
        let (family, addpath, budget, attr) = (self.family, self.addpath, self.budget, self.attr);
        // MP_UNREACH_NLRI
        let mut header = Vec::with_capacity(40);
        header.extend_from_slice(&family.afi.0.to_be_bytes());
        header.push(family.safi.0);
        mp_messages(
            mp_withdraw,
            addpath,
            budget,
            code::MP_UNREACH_NLRI,
            &header,
            attr,
            payload,
            out,
        );
        // MP_REACH_NLRI
        mp_next_hop(self.next_hop, family).encode_mp(family, &mut header);
        header.push(0);
        mp_messages(
            mp_announce,
            addpath,
            budget,
            code::MP_REACH_NLRI,
            &header,
            attr,
            payload,
            out,
        );
    }
}

fn reject<N: std::borrow::Borrow<Nlri>>(
    nlris: impl Iterator<Item = N>,
    reason: &'static str,
    out: &mut Packed,
) {
    out.errors.extend(nlris.map(|n| Unsendable {
        nlri: n.borrow().clone(),
        reason,
    }));
}

/// UPDATEs with NLRIs in the Withdrawn Routes field (`withdraw`) or the
/// NLRI field, each holding as many as fit `budget` bytes.
fn native_messages<N: std::borrow::Borrow<Nlri>>(
    nlris: std::iter::Peekable<impl Iterator<Item = N>>,
    addpath: bool,
    budget: usize,
    withdraw: bool,
    attr: &[u8],
    out: &mut Packed,
) {
    let mut nlris = nlris;
    while nlris.peek().is_some() {
        let mut msg = Vec::with_capacity(HEADER_LEN + 4 + attr.len() + budget.min(4096));
        start_message(&mut msg);
        let field_at;
        if withdraw {
            field_at = msg.len();
            msg.extend_from_slice(&[0, 0]);
        } else {
            msg.extend_from_slice(&[0, 0]);
            msg.extend_from_slice(&(attr.len() as u16).to_be_bytes());
            msg.extend_from_slice(attr);
            field_at = msg.len();
        }
        let start = msg.len();
        while let Some(n) = nlris.peek() {
            let n = n.borrow();
            let l = n.wire_len(addpath);
            if msg.len() - start + l > budget {
                if msg.len() == start {
                    out.errors.push(Unsendable {
                        nlri: n.clone(),
                        reason: "NLRI larger than a message",
                    });
                    nlris.next();
                    continue;
                }
                break;
            }
            n.encode(&mut msg, addpath);
            nlris.next();
        }
        if msg.len() == start {
            continue;
        }
        if withdraw {
            let wlen = (msg.len() - start) as u16;
            msg[field_at..field_at + 2].copy_from_slice(&wlen.to_be_bytes());
            msg.extend_from_slice(&[0, 0]);
        }
        if finish_message(&mut msg, 0, usize::MAX).is_ok() {
            out.messages.push(msg);
        }
    }
}

/// Bytes an attribute with a value of `len` bytes takes (ExaBGP's `_len`).
fn attr_len(len: usize) -> usize {
    if len > 255 {
        len + 4
    } else {
        len + 3
    }
}

/// UPDATEs carrying `attr` then one MP_REACH / MP_UNREACH attribute with
/// `header` and as many NLRIs as fit `budget` bytes of attribute.
#[allow(clippy::too_many_arguments)]
fn mp_messages<N: std::borrow::Borrow<Nlri>>(
    nlris: impl Iterator<Item = N>,
    addpath: bool,
    budget: usize,
    attr_code: u8,
    header: &[u8],
    attr: &[u8],
    payload: &mut Vec<u8>,
    out: &mut Packed,
) {
    payload.clear();
    payload.extend_from_slice(header);
    let emit = |payload: &[u8], out: &mut Packed| {
        let mut msg = Vec::with_capacity(HEADER_LEN + 8 + attr.len() + payload.len());
        start_message(&mut msg);
        msg.extend_from_slice(&[0, 0]);
        let total = attr.len() + attr_len(payload.len());
        msg.extend_from_slice(&(total as u16).to_be_bytes());
        msg.extend_from_slice(attr);
        if payload.len() > 255 {
            msg.extend_from_slice(&[flag::OPTIONAL | flag::EXTENDED_LENGTH, attr_code]);
            msg.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        } else {
            msg.extend_from_slice(&[flag::OPTIONAL, attr_code, payload.len() as u8]);
        }
        msg.extend_from_slice(payload);
        if finish_message(&mut msg, 0, usize::MAX).is_ok() {
            out.messages.push(msg);
        }
    };
    for n in nlris {
        let n = n.borrow();
        if !n.encodable() {
            out.errors.push(Unsendable {
                nlri: n.clone(),
                reason: "NLRI too long for its length field",
            });
            continue;
        }
        let l = n.wire_len(addpath);
        if attr_len(header.len() + l) > budget {
            out.errors.push(Unsendable {
                nlri: n.clone(),
                reason: "NLRI too large for an MP attribute",
            });
            continue;
        }
        if attr_len(payload.len() + l) > budget {
            emit(payload, out);
            payload.truncate(header.len());
        }
        n.encode(payload, addpath);
    }
    if payload.len() > header.len() {
        emit(payload, out);
    }
}
