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
use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

mod plan;

use plan::{Order, Run, RunPlanner, Unit, SKIPPED};

#[cfg(test)]
#[path = "batch_encoder_tests.rs"]
mod tests;

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
    let next_hop = resolve_self(next_hop, unit.family, ctx);
    let packing = Packing {
        frame,
        order: &run.order,
        attrs: &sets[*set as usize],
        next_hop: &next_hop,
        ctx,
    };
    let unit_done = if grouped(unit.family, ctx) {
        pack_grouped(&packing, unit, out)?;
        true
    } else {
        pack_ungrouped(&packing, unit, room, out)?
    };
    if unit_done {
        run.next += 1;
    }
    Ok(run.next == run.units.len())
}

/// What packing a unit reads: the batch, the run's order, and the unit's
/// attribute set and next hop (`self` resolved).
struct Packing<'a> {
    frame: &'a ChangesFrame,
    order: &'a Order,
    attrs: &'a Arc<Attributes>,
    next_hop: &'a NextHop,
    ctx: &'a Context,
}

/// Packs a unit of grouped changes whole: its four lists, each read again
/// from the frame, sorted only when it does not come sorted.
fn pack_grouped(p: &Packing, unit: &Unit, out: &mut Packed) -> Result<()> {
    let family = unit.family;
    let (frame, order, next_hop) = (p.frame, p.order, p.next_hop);
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
        let l = unit_list(family, next_hop, withdraw) as usize;
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
    let mut payload = Vec::new();
    pack_unit(
        lists,
        family,
        p.attrs,
        next_hop,
        &mut attr_cache,
        p.ctx,
        &mut payload,
        out,
    );
    match failed.take() {
        Some(e) => Err(ipc(e)),
        None => Ok(()),
    }
}

/// Packs changes of an ungrouped unit (an UPDATE each) until about `room`
/// bytes; true once the unit is done.
fn pack_ungrouped(p: &Packing, unit: &mut Unit, room: usize, out: &mut Packed) -> Result<bool> {
    let family = unit.family;
    let mut payload = Vec::new();
    let mut bytes = 0;
    while unit.span.start + unit.done < unit.span.end && bytes < room {
        let change = p
            .frame
            .get(p.order.at(unit.span.start + unit.done))
            .map_err(ipc)?;
        unit.done += 1;
        let Some((nlri, withdraw)) = route_nlri(change) else {
            continue;
        };
        let mut lists: [Option<Nlri>; 4] = Default::default();
        lists[unit_list(family, p.next_hop, withdraw) as usize] = Some(nlri);
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
            p.attrs,
            p.next_hop,
            &mut unit.attr_cache,
            p.ctx,
            &mut payload,
            out,
        );
        bytes += out.messages[before..].iter().map(Vec::len).sum::<usize>();
    }
    Ok(unit.span.start + unit.done == unit.span.end)
}
