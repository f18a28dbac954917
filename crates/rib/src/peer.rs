//! Everything the rib holds for one peer, and the rules that turn a batch
//! of operations into the net change to send (ARCHITECTURE.md, "The
//! ordering protocol", point 2):
//!
//! - for every route touched, only its last state in the batch is sent
//!   (announced with its attributes, or withdrawn), at the position where
//!   the batch first touched it; withdrawals go before announcements, as
//!   ExaBGP writes them;
//! - an announcement identical to what the peer had before the batch sends
//!   nothing (ExaBGP compares with its cache one command at a time and so
//!   re-sends a route that was changed and changed back within one batch;
//!   the net change does not), except after `flush adj-rib out`;
//! - a withdrawal is always sent, even for a route the peer never got
//!   (`api-fast`), except in the first UPDATE run of a session, which
//!   carries no withdrawal at all (`api-rib`);
//! - while the session is not established nothing is sent: the
//!   Adj-RIB-Out keeps the routes, and the whole of it goes out when the
//!   session comes up ([`PeerRib::full_table`]);
//! - until the first table was handed out, announcements are also queued
//!   per NLRI *and attribute set*, as in ExaBGP's pending queue: the same
//!   NLRI announced (configured) with several attribute sets before it was
//!   ever sent goes out once per attribute set, the latest last, so the
//!   peer ends with what the Adj-RIB-Out holds (`conf-l2vpn`,
//!   `conf-flow-redirect`, `api-flow-merge`); a withdrawal or `clear
//!   adj-rib out` drops the queued announcements of its NLRIs. Later
//!   tables (reconnect, route refresh) are the Adj-RIB-Out, one route per
//!   NLRI.

use crate::adj_rib_in::AdjRibIn;
use crate::adj_rib_out::AdjRibOut;
use crate::batch::{Op, RouteEntry};
use crate::change::PeerChange;
use crate::first_queue::FirstTable;
use crate::watchdog::Watchdogs;
use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::{Afi, Family};
use foldhash::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The established session as the rib sees it.
#[derive(Debug, Clone)]
struct Session {
    /// Families the session can carry; empty = no restriction known.
    families: Vec<Family>,
    /// False until the first UPDATE run of the session happened.
    withdrawals: bool,
    /// False until the session's full table was handed out: changes made
    /// before that are part of it, so nothing is sent separately.
    ready: bool,
}

impl Session {
    fn carries(&self, f: Family) -> bool {
        self.families.is_empty() || self.families.contains(&f)
    }
}

/// One key's pending change: its last state, what the peer had before the
/// batch, and whether a flush forces it out.
struct Slot {
    change: PeerChange,
    before: Option<Route>,
    forced: bool,
}

/// The pending net change of one batch: per key its last state, kept at
/// the position of the first touch. Not kept at all (`tracked` false)
/// while the session is not ready: nothing is sent then, the whole
/// Adj-RIB-Out goes out when it is (a million configured routes at start
/// are not indexed a second time for nothing).
#[derive(Default)]
struct Pending {
    tracked: bool,
    index: HashMap<NlriKey, usize>,
    list: Vec<Slot>,
}

impl Pending {
    fn new(tracked: bool) -> Pending {
        Pending {
            tracked,
            ..Pending::default()
        }
    }

    /// `before`: the cached route when the key is first touched.
    fn set(&mut self, key: NlriKey, change: PeerChange, before: Option<Route>, forced: bool) {
        if !self.tracked {
            return;
        }
        match self.index.get(&key) {
            Some(&i) => {
                let slot = &mut self.list[i];
                slot.change = change;
                slot.forced |= forced;
            }
            None => {
                self.index.insert(key, self.list.len());
                self.list.push(Slot {
                    change,
                    before,
                    forced,
                });
            }
        }
    }
}

/// One peer's routes and session view.
#[derive(Debug, Clone)]
pub struct PeerRib {
    pub out: AdjRibOut,
    pub adj_in: AdjRibIn,
    pub watchdogs: Watchdogs,
    session: Option<Session>,
    /// What `next-hop self` stands for with this peer, per route AFI.
    self_v4: Option<Ipv4Addr>,
    self_v6: Option<Ipv6Addr>,
    /// Announcements queued before the first table was handed out, one per
    /// NLRI and attribute set (see the module documentation); `None` once
    /// that table was sent.
    first_queue: Option<FirstTable>,
}

impl PeerRib {
    /// `adj_rib_out` / `adj_rib_in`: the neighbor's settings (default true).
    pub fn new(adj_rib_out: bool, adj_rib_in: bool) -> PeerRib {
        PeerRib {
            out: AdjRibOut::new(adj_rib_out),
            adj_in: AdjRibIn::new(adj_rib_in),
            watchdogs: Watchdogs::default(),
            session: None,
            self_v4: None,
            self_v6: None,
            first_queue: Some(FirstTable::Mirror),
        }
    }

    /// The RIB of a configured neighbor: its `adj-rib-out` / `adj-rib-in`
    /// settings and what `next-hop self` means with it.
    pub fn for_neighbor(n: &ferrobgp_config::Neighbor) -> PeerRib {
        let mut p = PeerRib::new(n.adj_rib_out, n.adj_rib_in);
        p.set_next_hop_self(n.local_address.ip(), n.router_id);
        p
    }

    /// Sets what `next-hop self` means for this peer, as ExaBGP resolves it
    /// when a route is added: the local address, or for IPv4 routes over
    /// an IPv6 session the router id. Routes announced afterwards carry the
    /// address, so `next-hop self` and the same address written out are one
    /// route (`api-nexthop-self`); without it `self` is left to the session.
    pub fn set_next_hop_self(&mut self, local_address: Option<IpAddr>, router_id: Ipv4Addr) {
        match local_address {
            Some(IpAddr::V4(a)) => {
                self.self_v4 = Some(a);
                self.self_v6 = None;
            }
            Some(IpAddr::V6(a)) => {
                self.self_v4 = Some(router_id);
                self.self_v6 = Some(a);
            }
            None => {
                self.self_v4 = None;
                self.self_v6 = None;
            }
        }
    }

    /// `route` with `next-hop self` replaced, when it has one and this
    /// peer's address for it is known.
    fn resolved(&self, route: &Route) -> Option<Route> {
        if route.next_hop != NextHop::SelfAddress {
            return None;
        }
        let next_hop = match route.family().afi {
            Afi::IPV4 => self.self_v4.map(NextHop::V4),
            Afi::IPV6 => self.self_v6.map(NextHop::V6),
            _ => None,
        }?;
        Some(Route {
            next_hop,
            ..route.clone()
        })
    }

    /// Why `route` cannot take `next-hop self` with this peer: an IPv6
    /// route over a session from an IPv4 local address has no IPv6 address
    /// of ours to carry (sent as it was, its next hop would be `::` or
    /// `0.0.0.0`, which peers drop as martian). ExaBGP 5.0.15 answers
    /// `error` too. `None` when it can, or when the local address is left
    /// to the session (not configured).
    pub fn next_hop_self_refused(&self, route: &Route) -> Option<(&'static str, &'static str)> {
        (route.next_hop == NextHop::SelfAddress
            && route.family().afi == Afi::IPV6
            && self.self_v4.is_some()
            && self.self_v6.is_none())
        .then_some(("ipv6", "ipv4"))
    }

    pub fn is_established(&self) -> bool {
        self.session.is_some()
    }

    /// The session reached Established and carries `families`. Nothing is
    /// sent for it until [`PeerRib::full_table`] gives its initial table;
    /// the UPDATE run after that is the session's first (no withdrawals)
    /// unless the table had routes.
    pub fn session_up(&mut self, families: Vec<Family>) {
        self.session = Some(Session {
            families,
            withdrawals: false,
            ready: false,
        });
    }

    /// The session ended: nothing is sent until it is up again; received
    /// routes are forgotten.
    pub fn session_down(&mut self) {
        self.session = None;
        self.adj_in.clear();
    }

    /// The session ended by a graceful restart of the peer (RFC 4724 4.2):
    /// nothing is sent until it is up again; its routes of `families` (those
    /// in its Graceful Restart capability) stay as stale until `until`.
    pub fn session_down_graceful(&mut self, families: &[Family], until: std::time::Instant) {
        self.session = None;
        self.adj_in.keep_as_stale(families, until);
    }

    /// The whole Adj-RIB-Out for `families` (session up, or route refresh),
    /// then End-of-RIB per family when `eor`. With `adj-rib-out` off the
    /// routes are handed over and forgotten.
    pub fn full_table(&mut self, families: &[Family], eor: bool) -> Vec<PeerChange> {
        let wanted = |f: Family| families.is_empty() || families.contains(&f);
        let first = self.first_table(&wanted);
        let mut out: Vec<PeerChange> = if let Some(first) = first {
            if !self.out.enabled {
                self.out.drain();
            }
            first.into_iter().map(PeerChange::Announce).collect()
        } else if self.out.enabled {
            self.out
                .routes()
                .filter(|r| wanted(r.family()))
                .map(|r| PeerChange::Announce(r.into_owned()))
                .collect()
        } else {
            self.out
                .drain()
                .into_iter()
                .filter(|r| wanted(r.family()))
                .map(PeerChange::Announce)
                .collect()
        };
        if let Some(s) = self.session.as_mut() {
            s.ready = true;
            if !out.is_empty() {
                s.withdrawals = true;
            }
        }
        if eor {
            out.extend(families.iter().map(|f| PeerChange::Eor(*f)));
        }
        out
    }

    /// The first table (once per peer, see [`FirstTable::into_table`]).
    /// `None` after the first call.
    fn first_table(&mut self, wanted: &impl Fn(Family) -> bool) -> Option<Vec<Route>> {
        Some(self.first_queue.take()?.into_table(&self.out, wanted))
    }

    fn announce(&mut self, route: &Route, pending: &mut Pending) {
        let Some(before) = self.out.announce(route) else {
            // identical to the cached route: nothing changes
            return;
        };
        if let Some(queue) = self.first_queue.as_mut() {
            // the same NLRI and attribute set again: it moves to the end,
            // so the latest announcement is the last one sent
            queue.announced(route, before.clone(), self.out.routes());
        }
        if pending.tracked {
            pending.set(
                route.key(),
                PeerChange::Announce(route.clone()),
                before,
                false,
            );
        }
    }

    fn withdraw(&mut self, route: &Route, pending: &mut Pending) {
        let key = route.key();
        if let Some(queue) = self.first_queue.as_mut() {
            queue.withdrawn(&key);
        }
        let before = self.out.remove(&key);
        if pending.tracked {
            pending.set(key, PeerChange::Withdraw(route.clone()), before, false);
        }
    }

    fn announce_entry(&mut self, entry: &RouteEntry, pending: &mut Pending) {
        let resolved = self.resolved(&entry.route);
        let route = resolved.as_ref().unwrap_or(&entry.route);
        if let Some(name) = &entry.watchdog {
            if !self.watchdogs.add(name, route, entry.withdrawn) {
                return;
            }
        }
        self.announce(route, pending);
    }

    /// Applies a batch's operations for this peer, in order, and returns
    /// what to send now (nothing when the session is not established).
    pub fn apply<'a>(&mut self, ops: impl IntoIterator<Item = &'a Op>) -> Vec<PeerChange> {
        let mut pending = Pending::new(self.session.as_ref().is_some_and(|s| s.ready));
        let mut before = Vec::new();
        let mut after = Vec::new();
        for op in ops {
            self.apply_op(op, &mut pending, &mut before, &mut after);
        }
        let Some(session) = self.session.as_mut().filter(|s| s.ready) else {
            return Vec::new();
        };
        let ran = !pending.list.is_empty();
        let mut out = before;
        out.retain(|c| !matches!(c, PeerChange::RouteRefresh(f) if !session.carries(*f)));
        out.reserve(pending.list.len() + after.len());
        let mut announces = Vec::new();
        for slot in pending.list {
            let c = slot.change;
            let carried = c.route().is_some_and(|r| session.carries(r.family()));
            match &c {
                PeerChange::Withdraw(_) if carried && session.withdrawals => out.push(c),
                PeerChange::Announce(r) if carried => {
                    let unchanged =
                        !slot.forced && slot.before.as_ref().is_some_and(|b| b.same_as(r));
                    if !unchanged {
                        announces.push(c);
                    }
                }
                _ => {}
            }
        }
        out.extend(announces);
        out.extend(after);
        if ran {
            session.withdrawals = true;
        }
        if !self.out.enabled {
            // sent: without an Adj-RIB-Out nothing is remembered
            self.out.drain();
        }
        out
    }

    /// One operation on the Adj-RIB-Out: route changes go to `pending`,
    /// ROUTE-REFRESH requests `before` them, End-of-RIB markers `after`.
    fn apply_op(
        &mut self,
        op: &Op,
        pending: &mut Pending,
        before: &mut Vec<PeerChange>,
        after: &mut Vec<PeerChange>,
    ) {
        match op {
            Op::Announce(entries) => {
                if self.out.is_empty() {
                    // filled from nothing (the configured routes at
                    // start): sized once
                    self.out.reserve(entries.len());
                }
                for e in entries {
                    self.announce_entry(e, pending);
                }
            }
            Op::Withdraw(routes) => {
                for r in routes {
                    self.withdraw(r, pending);
                }
            }
            Op::AnnounceWatchdog(name) => {
                for r in self.watchdogs.announce(name) {
                    self.announce(&r, pending);
                }
            }
            Op::WithdrawWatchdog(name) => {
                for r in self.watchdogs.withdraw(name) {
                    self.withdraw(&r, pending);
                }
            }
            Op::ClearOut => {
                if let Some(queue) = self.first_queue.as_mut() {
                    queue.cleared();
                }
                for r in self.out.drain() {
                    pending.set(r.key(), PeerChange::Withdraw(r.clone()), Some(r), false);
                }
            }
            Op::FlushOut => {
                if self.out.enabled {
                    let routes: Vec<Route> = self
                        .out
                        .routes()
                        .map(std::borrow::Cow::into_owned)
                        .collect();
                    for r in routes {
                        pending.set(r.key(), PeerChange::Announce(r.clone()), Some(r), true);
                    }
                }
            }
            Op::ClearIn => self.adj_in.clear(),
            Op::Eor(f) => after.push(PeerChange::Eor(*f)),
            Op::RouteRefresh(f) => before.push(PeerChange::RouteRefresh(*f)),
        }
    }
}
