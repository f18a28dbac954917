//! The plan of a run of announcements and withdrawals: each change's unit
//! (attribute set, next hop, family) read in one pass, then the units in
//! ExaBGP's packing order and where each change stands in it (nothing held
//! per change when the run comes in that order already).

use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::NextHop;
use ferrobgp_wire::update::pack::{grouped, resolve_self};
use ferrobgp_wire::update::{unit_list, Context};
use ferrobgp_wire::Family;
use std::collections::HashMap;
use std::ops::Range;

/// A change of the run that is not sent (its family was not negotiated).
pub(super) const SKIPPED: u32 = u32::MAX;

/// A run of announcements and withdrawals, planned.
pub(super) struct Run {
    /// (attribute set, next hop) of each group, in order of first use;
    /// equal sets are one set (the first of them).
    pub(super) groups: Vec<(u32, NextHop)>,
    /// The units in packing order: by group, then by family in order of
    /// first use in the group.
    pub(super) units: Vec<Unit>,
    pub(super) order: Order,
    /// The next unit to pack.
    pub(super) next: usize,
}

/// The changes of one unit: its group, its family, and where its changes
/// are in the run's packing order.
pub(super) struct Unit {
    pub(super) group: u32,
    pub(super) family: Family,
    pub(super) span: Range<usize>,
    /// Not grouped (one UPDATE per change): the next change to pack, and
    /// the unit's attributes encoded once.
    pub(super) done: usize,
    pub(super) attr_cache: Option<Vec<u8>>,
    /// Grouped: the one list (`UnitList as usize`) all its changes go to,
    /// when they came one after the other in the batch and sorted (a
    /// first table does): nothing to count or sort before packing.
    pub(super) single: Option<usize>,
}

/// Which change of the batch is at each place of the packing order.
pub(super) enum Order {
    /// The run's changes are in packing order already, from this index.
    From(usize),
    /// The batch index of each.
    Indices(Vec<u32>),
}

impl Order {
    pub(super) fn at(&self, k: usize) -> usize {
        match self {
            Order::From(first) => first + k,
            Order::Indices(v) => v[k] as usize,
        }
    }

    pub(super) fn held_bytes(&self) -> usize {
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
pub(super) struct RunPlanner {
    first: usize,
    pub(super) unit_of: Vec<u32>,
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
    pub(super) fn new(first: usize) -> RunPlanner {
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

    pub(super) fn add(
        &mut self,
        nlri: Nlri,
        withdraw: bool,
        set: u32,
        next_hop: NextHop,
        ctx: &Context,
    ) {
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
    pub(super) fn finish(self) -> Run {
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
