//! One batch of the rib encoded into the messages to write a bounded chunk
//! at a time, from the batch's frame ([`ChangesFrame`]) as it was read:
//! a first table of a million routes is never held decoded, as routes or as
//! UPDATEs. What goes on the wire is exactly what [`encode_changes`] makes
//! of the whole batch (its tests compare the two): ExaBGP's grouping (see
//! wire's `pack`) needs the whole run of announcements and withdrawals
//! before its first UPDATE, so the run is planned first, in one pass that
//! keeps per change only its place in the packing order (4 bytes, none
//! when the changes already come in that order, as a first table does);
//! then each unit (the changes sharing attribute set, next hop and
//! family) is packed with its NLRIs decoded again from the frame as they
//! are written, sorted in place only when they do not come sorted.
//!
//! [`encode_changes`]: crate::encode::encode_changes

use crate::encode::{reference_layout, Outgoing};
use crate::error::{Error, Result};
use crate::peer::PeerConfig;
use ferrobgp_ipc::{Change, ChangesFrame};
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::message::route_refresh::SUBTYPE_NORMAL;
use ferrobgp_wire::message::Message;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::{NextHop, Route, RouteChange};
use ferrobgp_wire::update::pack::{grouped, resolve_self};
use ferrobgp_wire::update::{eor, pack, pack_unit, unit_list, Context, Packed, UnitNlris};
use ferrobgp_wire::Family;
use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::Arc;

/// A change of the run that is not sent (its family was not negotiated).
const SKIPPED: u32 = u32::MAX;

/// A batch being encoded.
pub struct BatchEncoder {
    frame: ChangesFrame,
    /// The batch's attribute sets as they are sent (ExaBGP's extended
    /// community layout applied when configured).
    sets: Vec<Arc<Attributes>>,
    /// What is left to encode, in order.
    segments: VecDeque<Segment>,
    eor: bool,
}

/// A part of the batch.
enum Segment {
    /// A run of announcements and withdrawals, packed together.
    Run(Run),
    /// A change sent on its own (End-of-RIB, re-sent route, ROUTE-REFRESH,
    /// OPERATIONAL), at this index of the batch.
    Single(usize),
}

/// A run of announcements and withdrawals, planned.
struct Run {
    /// (attribute set, next hop) of each group, in order of first use;
    /// equal sets are one set (the first of them).
    groups: Vec<(u32, NextHop)>,
    /// The units in packing order: by group, then by family in order of
    /// first use in the group.
    units: Vec<Unit>,
    order: Order,
    /// The next unit to pack.
    next: usize,
}

/// The changes of one unit: its group, its family, and where its changes
/// are in the run's packing order.
struct Unit {
    group: u32,
    family: Family,
    span: Range<usize>,
    /// Not grouped (one UPDATE per change): the next change to pack, and
    /// the unit's attributes encoded once.
    done: usize,
    attr_cache: Option<Vec<u8>>,
    /// Grouped: the one list (`UnitList as usize`) all its changes go to,
    /// when they came one after the other in the batch and sorted (a
    /// first table does): nothing to count or sort before packing.
    single: Option<usize>,
}

/// Which change of the batch is at each place of the packing order.
enum Order {
    /// The run's changes are in packing order already, from this index.
    From(usize),
    /// The batch index of each.
    Indices(Vec<u32>),
}

impl Order {
    fn at(&self, k: usize) -> usize {
        match self {
            Order::From(first) => first + k,
            Order::Indices(v) => v[k] as usize,
        }
    }

    fn held_bytes(&self) -> usize {
        match self {
            Order::From(_) => 0,
            Order::Indices(v) => v.capacity() * 4,
        }
    }
}

/// A group's attribute set and next hop, and its families with their unit.
type PlannedGroup = (u32, NextHop, Vec<(Family, u32)>);

/// A run while it is read: each change's unit, the groups and units in
/// order of first use.
struct RunPlanner {
    first: usize,
    unit_of: Vec<u32>,
    groups: Vec<PlannedGroup>,
    index: HashMap<(u32, NextHop), u32>,
    /// (group, family) of each unit, by order of first use.
    units: Vec<(u32, Family)>,
    last: Option<(u32, u32)>,
    /// Per unit: see [`Unit::single`]; [`MIXED`] when not known.
    single: Vec<u8>,
    /// The unit and NLRI of the last grouped change.
    previous: Option<(u32, Nlri)>,
}

/// A unit whose changes are not known to go to one list, sorted.
const MIXED: u8 = u8::MAX;

impl RunPlanner {
    fn new(first: usize) -> RunPlanner {
        RunPlanner {
            first,
            unit_of: Vec::new(),
            groups: Vec::new(),
            index: HashMap::new(),
            units: Vec::new(),
            last: None,
            single: Vec::new(),
            previous: None,
        }
    }

    fn add(&mut self, nlri: Nlri, withdraw: bool, set: u32, next_hop: NextHop, ctx: &Context) {
        let family = nlri.family();
        if !ctx.family_allowed(family) {
            // not sent: not in any unit
            self.unit_of.push(SKIPPED);
            return;
        }
        let class = if grouped(family, ctx) {
            unit_list(family, &resolve_self(&next_hop, family, ctx), withdraw) as u8
        } else {
            MIXED
        };
        let group = match self.last {
            Some((s, g)) if s == set && self.groups[g as usize].1 == next_hop => g,
            _ => {
                let next = self.groups.len() as u32;
                let g = *self.index.entry((set, next_hop.clone())).or_insert(next);
                if g == next {
                    self.groups.push((set, next_hop, Vec::new()));
                }
                g
            }
        };
        self.last = Some((set, group));
        let families = &mut self.groups[group as usize].2;
        let unit = match families.iter().find(|(f, _)| *f == family) {
            Some((_, u)) => *u,
            None => {
                let u = self.units.len() as u32;
                self.units.push((group, family));
                self.single.push(class);
                families.push((family, u));
                self.unit_of.push(u);
                self.previous = Some((u, nlri));
                return;
            }
        };
        self.unit_of.push(unit);
        let single = &mut self.single[unit as usize];
        let follows = matches!(&self.previous, Some((u, n)) if *u == unit && *n <= nlri);
        if *single != class || !follows {
            *single = MIXED;
        }
        self.previous = Some((unit, nlri));
    }

    /// The run in packing order.
    fn finish(self) -> Run {
        // rank of each unit in packing order (group, then family)
        let mut rank = vec![0u32; self.units.len()];
        let mut packing = Vec::with_capacity(self.units.len());
        for (_, _, families) in &self.groups {
            for (_, u) in families {
                rank[*u as usize] = packing.len() as u32;
                packing.push(*u);
            }
        }
        let mut count = vec![0usize; packing.len()];
        let mut in_order = true;
        let mut previous = 0;
        for &u in &self.unit_of {
            if u == SKIPPED {
                in_order = false;
                continue;
            }
            let r = rank[u as usize];
            in_order &= r >= previous;
            previous = r;
            count[r as usize] += 1;
        }
        let mut units = Vec::with_capacity(packing.len());
        let mut start = 0;
        for (r, u) in packing.iter().enumerate() {
            let (group, family) = self.units[*u as usize];
            units.push(Unit {
                group,
                family,
                span: start..start + count[r],
                done: 0,
                attr_cache: None,
                single: Some(self.single[*u as usize])
                    .filter(|c| *c != MIXED)
                    .map(usize::from),
            });
            start += count[r];
        }
        let order = if in_order {
            Order::From(self.first)
        } else {
            // a stable counting sort: each unit keeps its changes' order
            let mut next: Vec<usize> = units.iter().map(|u| u.span.start).collect();
            let mut indices = vec![0u32; start];
            for (k, &u) in self.unit_of.iter().enumerate() {
                if u == SKIPPED {
                    continue;
                }
                let r = rank[u as usize] as usize;
                indices[next[r]] = (self.first + k) as u32;
                next[r] += 1;
            }
            Order::Indices(indices)
        };
        Run {
            groups: self.groups.into_iter().map(|(s, nh, _)| (s, nh)).collect(),
            units,
            order,
            next: 0,
        }
    }
}

/// The NLRI of a route change, and whether it is a withdrawal.
fn route_nlri(change: Change) -> Option<(Nlri, bool)> {
    match change {
        Change::Announce { nlri, .. } => Some((nlri, false)),
        Change::Withdraw { nlri, .. } => Some((nlri, true)),
        _ => None,
    }
}

fn ipc(e: ferrobgp_ipc::Error) -> Error {
    Error::Ipc(e.to_string())
}

impl BatchEncoder {
    /// Plans the batch of `frame` for the session of `ctx` (its changes
    /// read once); `operational`: the OPERATIONAL capability was
    /// negotiated (OPERATIONAL messages are dropped otherwise). Fails, with
    /// nothing sent, on a route whose attribute set the batch lacks.
    pub fn new(
        frame: ChangesFrame,
        ctx: &Context,
        cfg: &PeerConfig,
        operational: bool,
    ) -> Result<BatchEncoder> {
        let sets: Vec<Arc<Attributes>> = if cfg.reference_extended_community {
            frame.attributes.iter().map(reference_layout).collect()
        } else {
            frame.attributes.clone()
        };
        // equal sets are one group, as wire's pack() compares them by value
        let mut first: HashMap<&Attributes, u32> = HashMap::new();
        let canonical: Vec<u32> = sets
            .iter()
            .enumerate()
            .map(|(i, s)| *first.entry(&**s).or_insert(i as u32))
            .collect();
        let set = |i: u32| {
            canonical.get(i as usize).copied().ok_or_else(|| {
                Error::Ipc(format!("attribute set {i} of {} from the rib", sets.len()))
            })
        };
        let mut segments = VecDeque::new();
        let mut eor = false;
        let mut run: Option<RunPlanner> = None;
        for i in 0..frame.len() {
            let change = frame.get(i).map_err(ipc)?;
            let withdraw = matches!(change, Change::Withdraw { .. });
            match change {
                Change::Announce {
                    nlri,
                    next_hop,
                    attributes,
                }
                | Change::Withdraw {
                    nlri,
                    next_hop,
                    attributes,
                } => {
                    let s = set(attributes)?;
                    run.get_or_insert_with(|| RunPlanner::new(i))
                        .add(nlri, withdraw, s, next_hop, ctx);
                    continue;
                }
                Change::Operational(_) if !operational => {
                    tracing::debug!("operational capability not negotiated: OPERATIONAL not sent");
                    // not sent, so it does not end the run
                    if let Some(r) = run.as_mut() {
                        r.unit_of.push(SKIPPED);
                    }
                    continue;
                }
                Change::Resend { attributes, .. } => {
                    set(attributes)?;
                }
                Change::Eor(_) => eor = true,
                Change::RouteRefresh(_) | Change::Operational(_) => {}
            }
            if let Some(r) = run.take() {
                segments.push_back(Segment::Run(r.finish()));
            }
            segments.push_back(Segment::Single(i));
        }
        if let Some(r) = run.take() {
            segments.push_back(Segment::Run(r.finish()));
        }
        Ok(BatchEncoder {
            frame,
            sets,
            segments,
            eor,
        })
    }

    /// The batch's sequence number.
    pub fn seq(&self) -> u64 {
        self.frame.seq
    }

    /// The batch holds an End-of-RIB marker.
    pub fn has_eor(&self) -> bool {
        self.eor
    }

    /// Everything is encoded.
    pub fn is_done(&self) -> bool {
        self.segments.is_empty()
    }

    /// Bytes the encoder holds besides the chunk being made: the frame,
    /// its offsets and the plan's order.
    pub fn held_bytes(&self) -> usize {
        self.frame.held_bytes()
            + self
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Run(r) => r.order.held_bytes(),
                    Segment::Single(_) => 0,
                })
                .sum::<usize>()
    }

    /// Appends the next messages to `out`, in order, until they hold at
    /// least `bound` bytes or the batch is done. A unit of grouped changes
    /// is packed whole (its UPDATEs are about 4 bytes an IPv4 route), a
    /// unit of ungrouped ones (an UPDATE each) a change at a time.
    pub fn next_chunk(
        &mut self,
        ctx: &Context,
        cfg: &PeerConfig,
        bound: usize,
        out: &mut Vec<Outgoing>,
    ) -> Result<()> {
        let mut bytes = 0;
        while bytes < bound {
            let Some(segment) = self.segments.front_mut() else {
                return Ok(());
            };
            let mut packed = Packed::default();
            let before = out.len();
            match segment {
                Segment::Single(i) => {
                    let i = *i;
                    self.segments.pop_front();
                    self.single(i, ctx, cfg, &mut packed, out)?;
                }
                Segment::Run(run) => {
                    if pack_next(
                        &self.frame,
                        &self.sets,
                        run,
                        ctx,
                        bound - bytes,
                        &mut packed,
                    )? {
                        self.segments.pop_front();
                    }
                }
            }
            for e in &packed.errors {
                tracing::error!("{e}");
            }
            for m in packed.messages {
                out.push(Outgoing {
                    bytes: m,
                    update: true,
                });
            }
            bytes += out[before..].iter().map(|m| m.bytes.len()).sum::<usize>();
        }
        Ok(())
    }

    /// The messages of a change sent on its own.
    fn single(
        &self,
        i: usize,
        ctx: &Context,
        cfg: &PeerConfig,
        packed: &mut Packed,
        out: &mut Vec<Outgoing>,
    ) -> Result<()> {
        let max = ctx.max_size;
        match self.frame.get(i).map_err(ipc)? {
            Change::Resend {
                nlri,
                next_hop,
                attributes,
            } => {
                // one UPDATE per re-sent route, as ExaBGP's refresh does
                let route = Route {
                    nlri,
                    next_hop,
                    attributes: self.sets[attributes as usize].clone(),
                };
                let p = pack(&[RouteChange::Announce(route)], ctx);
                packed.messages.extend(p.messages);
                packed.errors.extend(p.errors);
            }
            Change::Eor(family) => packed.messages.push(eor::message(family)),
            Change::RouteRefresh(refresh) => {
                // ExaBGP sends a request whenever `route-refresh` is
                // configured, whatever the peer advertised; BoRR/EoRR come
                // only when the rib decided to bracket a resend.
                if refresh.subtype == SUBTYPE_NORMAL && !cfg.open.route_refresh {
                    return Ok(());
                }
                out.push(Outgoing {
                    bytes: Message::RouteRefresh(refresh)
                        .encode(max)
                        .map_err(|e| Error::Encode(e.to_string()))?,
                    update: false,
                });
            }
            Change::Operational(message) => match Message::Operational(message).encode(max) {
                Ok(bytes) => out.push(Outgoing {
                    bytes,
                    update: false,
                }),
                // as the rib did when it encoded them: one message lost,
                // not the batch
                Err(e) => tracing::warn!("operational message not encodable: {e}"),
            },
            Change::Announce { .. } | Change::Withdraw { .. } => {}
        }
        Ok(())
    }
}

/// Packs the next unit of `run` (of an ungrouped one, changes until about
/// `room` bytes); true once the run is done.
fn pack_next(
    frame: &ChangesFrame,
    sets: &[Arc<Attributes>],
    run: &mut Run,
    ctx: &Context,
    room: usize,
    out: &mut Packed,
) -> Result<bool> {
    let Some(unit) = run.units.get_mut(run.next) else {
        return Ok(true);
    };
    let (set, next_hop) = &run.groups[unit.group as usize];
    let attrs = &sets[*set as usize];
    let family = unit.family;
    let next_hop = resolve_self(next_hop, family, ctx);
    let order = &run.order;
    let mut payload = Vec::new();
    if grouped(family, ctx) {
        // which list each change goes to, and whether each comes sorted
        let mut last: [Option<Nlri>; 4] = Default::default();
        let mut sorted = [true; 4];
        let mut count = [0usize; 4];
        let span = match unit.single {
            Some(l) => {
                count[l] = unit.span.len();
                0..0
            }
            None => unit.span.clone(),
        };
        for k in span {
            let change = frame.get(order.at(k)).map_err(ipc)?;
            let Some((nlri, withdraw)) = route_nlri(change) else {
                continue;
            };
            let l = unit_list(family, &next_hop, withdraw) as usize;
            count[l] += 1;
            if last[l].as_ref().is_some_and(|p| *p > nlri) {
                sorted[l] = false;
            }
            last[l] = Some(nlri);
        }
        drop(last);
        let failed: Cell<Option<ferrobgp_ipc::Error>> = Cell::new(None);
        let list = |l: usize| -> Box<dyn Iterator<Item = Nlri> + '_> {
            let span = unit.span.clone();
            let failed = &failed;
            let next_hop = &next_hop;
            let nlris = span.filter_map(move |k| match frame.get(order.at(k)) {
                Ok(change) => route_nlri(change)
                    .filter(|(_, w)| unit_list(family, next_hop, *w) as usize == l)
                    .map(|(n, _)| n),
                Err(e) => {
                    failed.set(Some(e));
                    None
                }
            });
            if count[l] == 0 {
                Box::new(std::iter::empty())
            } else if sorted[l] {
                Box::new(nlris)
            } else {
                let mut v: Vec<Nlri> = nlris.collect();
                v.sort_unstable();
                Box::new(v.into_iter())
            }
        };
        let lists = UnitNlris {
            withdraw: list(0),
            announce: list(1),
            mp_withdraw: list(2),
            mp_announce: list(3),
        };
        let mut attr_cache = None;
        pack_unit(
            lists,
            family,
            attrs,
            &next_hop,
            &mut attr_cache,
            ctx,
            &mut payload,
            out,
        );
        if let Some(e) = failed.take() {
            return Err(ipc(e));
        }
        run.next += 1;
    } else {
        let mut bytes = 0;
        while unit.span.start + unit.done < unit.span.end && bytes < room {
            let change = frame
                .get(order.at(unit.span.start + unit.done))
                .map_err(ipc)?;
            unit.done += 1;
            let Some((nlri, withdraw)) = route_nlri(change) else {
                continue;
            };
            let mut lists: [Option<Nlri>; 4] = Default::default();
            lists[unit_list(family, &next_hop, withdraw) as usize] = Some(nlri);
            let [w, a, mw, ma] = lists;
            let before = out.messages.len();
            pack_unit(
                UnitNlris {
                    withdraw: w.into_iter(),
                    announce: a.into_iter(),
                    mp_withdraw: mw.into_iter(),
                    mp_announce: ma.into_iter(),
                },
                family,
                attrs,
                &next_hop,
                &mut unit.attr_cache,
                ctx,
                &mut payload,
                out,
            );
            bytes += out.messages[before..].iter().map(Vec::len).sum::<usize>();
        }
        if unit.span.start + unit.done == unit.span.end {
            run.next += 1;
        }
    }
    Ok(run.next == run.units.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{context, encode_changes, tests::cfg};
    use ferrobgp_ipc::{channel::encode_frame, RibFrame, RibToSession};
    use ferrobgp_wire::attribute::{ExtendedCommunities, ExtendedCommunity};
    use ferrobgp_wire::message::operational::{types, Operational};
    use ferrobgp_wire::message::route_refresh::{RouteRefresh, SUBTYPE_BORR};
    use ferrobgp_wire::negotiated::Negotiated;
    use ferrobgp_wire::nlri::Prefix;
    use proptest::prelude::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    /// The batch as the worker reads it from the rib's channel.
    fn frame_of(msg: &RibToSession) -> ChangesFrame {
        let payload = bytes::Bytes::from(encode_frame(msg, 0).expect("encode").split_off(4));
        match RibFrame::decode(payload).expect("decode").1 {
            RibFrame::Changes(f) => f,
            RibFrame::Other(_) => panic!("not a batch"),
        }
    }

    /// Attribute sets: two equal by value (one group), one with a MED,
    /// one with a 4-byte-ASN route target (its layout is configurable).
    fn sets() -> Vec<Arc<Attributes>> {
        let target = Attributes {
            extended_communities: ExtendedCommunities::new(vec!["target:4200000001:7"
                .parse::<ExtendedCommunity>()
                .expect("community")]),
            ..Attributes::default()
        };
        vec![
            Arc::new(Attributes::default()),
            Arc::new(Attributes {
                med: Some(5),
                ..Attributes::default()
            }),
            Arc::new(Attributes::default()),
            Arc::new(target),
        ]
    }

    fn next_hop(i: u8) -> NextHop {
        match i % 4 {
            0 => NextHop::V4(Ipv4Addr::new(192, 0, 2, 1)),
            1 => NextHop::V4(Ipv4Addr::new(192, 0, 2, 2)),
            2 => NextHop::SelfAddress,
            _ => NextHop::V6("2001:db8::1".parse().expect("v6")),
        }
    }

    /// One change of a generated batch.
    fn change() -> impl Strategy<Value = Change> {
        let route = (
            any::<bool>(),
            any::<u32>(),
            0u8..=32,
            any::<u8>(),
            0u32..4,
            proptest::option::of(0u32..3),
        )
            .prop_map(|(v6, addr, len, nh, set, path_id)| {
                let net = if v6 {
                    ipnet::Ipv6Net::new(Ipv6Addr::from(u128::from(addr) << 96), len)
                        .expect("len")
                        .trunc()
                        .into()
                } else {
                    ipnet::Ipv4Net::new(Ipv4Addr::from(addr & 0xffff_0f00), len)
                        .expect("len")
                        .trunc()
                        .into()
                };
                let mut p = Prefix::unicast(net);
                p.path_id = path_id;
                (Nlri::from(p), next_hop(nh), set)
            });
        prop_oneof![
            8 => route.clone().prop_map(|(nlri, next_hop, attributes)| Change::Announce { nlri, next_hop, attributes }),
            3 => route.clone().prop_map(|(nlri, next_hop, attributes)| Change::Withdraw { nlri, next_hop, attributes }),
            1 => route.prop_map(|(nlri, next_hop, attributes)| Change::Resend { nlri, next_hop, attributes }),
            1 => Just(Change::Eor(Family::IPV4_UNICAST)),
            1 => prop_oneof![Just(SUBTYPE_NORMAL), Just(SUBTYPE_BORR)]
                .prop_map(|s| Change::RouteRefresh(RouteRefresh::new(Family::IPV4_UNICAST, s))),
            1 => Just(Change::Operational(Operational::advisory(types::ASM, Family::IPV4_UNICAST, "x"))),
        ]
    }

    /// Every chunk of `encoder`, each of at least `bound` bytes but the last.
    fn chunks(
        mut encoder: BatchEncoder,
        ctx: &Context,
        cfg: &PeerConfig,
        bound: usize,
    ) -> Vec<Vec<Outgoing>> {
        let mut all = Vec::new();
        while !encoder.is_done() {
            let mut chunk = Vec::new();
            encoder
                .next_chunk(ctx, cfg, bound, &mut chunk)
                .expect("chunk");
            let bytes: usize = chunk.iter().map(|m| m.bytes.len()).sum();
            assert!(bytes >= bound || encoder.is_done(), "short chunk");
            all.push(chunk);
        }
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Whatever the batch, the session and the chunk bound: the
        /// messages, in order, are those the whole batch gives.
        #[test]
        fn chunks_are_the_whole_batch_encoded(
            mut changes in proptest::collection::vec(change(), 0..120),
            sorted_input in any::<bool>(),
            group_updates in any::<bool>(),
            extended in any::<bool>(),
            v4_only in any::<bool>(),
            addpath in any::<bool>(),
            operational in any::<bool>(),
            reference in any::<bool>(),
            bound in prop_oneof![Just(1usize), Just(60), Just(4096), Just(1 << 20)],
        ) {
            let mut c = cfg();
            c.group_updates = group_updates;
            c.reference_extended_community = reference;
            let mut ctx = context(&Negotiated::standalone(), &c, None);
            ctx.max_size = if extended { 65535 } else { 4096 };
            if v4_only {
                ctx.families = vec![Family::IPV4_UNICAST];
            }
            if addpath {
                ctx.addpath_tx.insert(Family::IPV4_UNICAST);
            }
            if sorted_input {
                // runs that come in packing order, as a first table does
                changes.sort_by(|a, b| route_nlri(a.clone()).map(|r| r.0).cmp(&route_nlri(b.clone()).map(|r| r.0)));
            }
            let msg = RibToSession::Changes { seq: 9, attributes: sets(), changes: changes.clone() };
            let sent: Vec<Change> = changes
                .into_iter()
                .filter(|c| operational || !matches!(c, Change::Operational(_)))
                .collect();
            let want = encode_changes(&sent, &sets(), &ctx, &c).expect("whole");
            let encoder = BatchEncoder::new(frame_of(&msg), &ctx, &c, operational).expect("plan");
            prop_assert_eq!(encoder.seq(), 9);
            prop_assert_eq!(encoder.has_eor(), sent.iter().any(|c| matches!(c, Change::Eor(_))));
            let got: Vec<Outgoing> = chunks(encoder, &ctx, &c, bound).into_iter().flatten().collect();
            prop_assert_eq!(got, want);
        }
    }

    /// 200,000 routes sharing one attribute set, as a first table comes:
    /// the encoder holds the frame and 4 bytes a change, no plan (they
    /// come in packing order), and hands out chunks of about the bound.
    #[test]
    fn a_first_table_is_encoded_in_bounded_chunks() {
        let c = cfg();
        let ctx = context(&Negotiated::standalone(), &c, None);
        let n = 200_000u32;
        let changes: Vec<Change> = (0..n)
            .map(|i| Change::Announce {
                nlri: Prefix::unicast(
                    ipnet::Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24)
                        .expect("len")
                        .into(),
                )
                .into(),
                next_hop: next_hop(0),
                attributes: 0,
            })
            .chain([Change::Eor(Family::IPV4_UNICAST)])
            .collect();
        let msg = RibToSession::Changes {
            seq: 1,
            attributes: sets(),
            changes: changes.clone(),
        };
        let frame = frame_of(&msg);
        let frame_bytes = frame.held_bytes() - 4 * (n as usize + 1);
        let encoder = BatchEncoder::new(frame, &ctx, &c, false).expect("plan");
        assert_eq!(encoder.held_bytes(), frame_bytes + 4 * (n as usize + 1));
        assert!(
            frame_bytes < 17 * n as usize,
            "{frame_bytes} bytes of frame"
        );
        let bound = 64 * 1024;
        let all = chunks(encoder, &ctx, &c, bound);
        // one unit (800 KB of UPDATEs) is packed whole, the rest follows
        assert!(all.len() >= 2);
        for chunk in &all {
            let bytes: usize = chunk.iter().map(|m| m.bytes.len()).sum();
            assert!(bytes <= 4 * n as usize + bound, "chunk of {bytes} bytes");
        }
        let want = encode_changes(&changes, &sets(), &ctx, &c).expect("whole");
        assert_eq!(all.into_iter().flatten().collect::<Vec<_>>(), want);
    }
}
