//! The table a session gets when it outlived the rib that fed it: the
//! peer already holds what the dead rib sent, so the new rib sends an
//! implicit replace (RFC 4271 3.1: an announcement replaces the previous
//! route of its NLRI) — every route of its Adj-RIB-Out again — preceded by
//! a withdrawal of each route the route journal names for this peer that
//! the table no longer announces (withdrawn through the API, withdrawn by a
//! watchdog, removed by `clear adj-rib out`). The journal is written before
//! any change reaches a worker, so these are all the routes the peer may
//! hold that the new table lacks (routes a reload removed while no rib ran
//! are the exception documented in docs/ARCHITECTURE.md).

use crate::batch::Op;
use crate::change::PeerChange;
use crate::peer::PeerRib;
use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use ferrobgp_wire::Family;
use foldhash::HashSet;

/// The routes `op` may take off the peer whose RIB is `rib`, read before
/// `op` is applied: all a clear removes, those a watchdog withdrawal holds
/// back, those a withdrawal names, and with `announcements` those an
/// announcement names (a replayed journal's: a later op, possibly in a
/// later replay chunk, may take them back off).
pub fn taken_by(rib: &PeerRib, op: &Op, announcements: bool) -> Vec<Route> {
    match op {
        Op::ClearOut => rib.out.routes().map(std::borrow::Cow::into_owned).collect(),
        Op::WithdrawWatchdog(name) => rib
            .watchdogs
            .group(name)
            .map(|g| {
                g.announced
                    .iter()
                    .map(std::borrow::Cow::into_owned)
                    .collect()
            })
            .unwrap_or_default(),
        Op::Withdraw(routes) => routes.clone(),
        Op::Announce(entries) if announcements => entries.iter().map(|e| e.route.clone()).collect(),
        _ => Vec::new(),
    }
}

/// Adds to `gone` (the peers awaiting their resync, see
/// [`crate::process`]'s `resync_gone`) what `commands` take off each of
/// them, read from `table` before they are applied (see [`taken_by`]).
pub fn note_taken(
    gone: &mut std::collections::HashMap<crate::batch::PeerId, Vec<Route>>,
    table: &crate::batch::Rib,
    commands: &[crate::batch::BatchCommand],
    announcements: bool,
) {
    if gone.is_empty() {
        return;
    }
    for c in commands {
        for peer in &c.peers {
            let (Some(gone), Some(rib)) = (gone.get_mut(peer), table.peer(*peer)) else {
                continue;
            };
            gone.extend(taken_by(rib, &c.op, announcements));
        }
    }
}

/// `table` (the peer's full table for `families`, empty = all) preceded
/// by the withdrawal of every route of `gone` whose NLRI it does not
/// announce, each NLRI once.
pub fn implicit_replace(
    gone: Vec<Route>,
    table: Vec<PeerChange>,
    families: &[Family],
) -> Vec<PeerChange> {
    let wanted = |f: Family| families.is_empty() || families.contains(&f);
    let mut seen: HashSet<NlriKey> = table
        .iter()
        .filter_map(|c| match c {
            PeerChange::Announce(r) => Some(r.key()),
            _ => None,
        })
        .collect();
    let mut out: Vec<PeerChange> = gone
        .into_iter()
        .filter(|r| wanted(r.family()) && seen.insert(r.key()))
        .map(PeerChange::Withdraw)
        .collect();
    out.extend(table);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::nlri::Prefix;
    use ferrobgp_wire::route::NextHop;

    fn route(p: &str, nh: &str) -> Route {
        Route::new(
            Prefix::unicast(p.parse().expect("prefix")),
            NextHop::V4(nh.parse().expect("next hop")),
            Default::default(),
        )
    }

    fn v6(p: &str) -> Route {
        Route::new(
            Prefix::unicast(p.parse().expect("prefix")),
            NextHop::V6("::1".parse().expect("next hop")),
            Default::default(),
        )
    }

    #[test]
    fn gone_routes_are_withdrawn_before_the_table_once_each() {
        let table = vec![
            PeerChange::Announce(route("10.1.0.0/24", "127.0.0.1")),
            PeerChange::Eor(Family::IPV4_UNICAST),
        ];
        let gone = vec![
            // announced again (other next hop): replaced, not withdrawn
            route("10.1.0.0/24", "127.0.0.9"),
            route("10.2.0.0/24", "127.0.0.1"),
            route("10.2.0.0/24", "127.0.0.2"),
            route("10.3.0.0/24", "127.0.0.1"),
        ];
        let got = implicit_replace(gone, table.clone(), &[]);
        let mut want = vec![
            PeerChange::Withdraw(route("10.2.0.0/24", "127.0.0.1")),
            PeerChange::Withdraw(route("10.3.0.0/24", "127.0.0.1")),
        ];
        want.extend(table);
        assert_eq!(got, want);
    }

    #[test]
    fn only_the_families_asked_for() {
        let gone = vec![route("10.2.0.0/24", "127.0.0.1"), v6("2001:db8::/32")];
        let got = implicit_replace(gone, vec![], &[Family::IPV6_UNICAST]);
        assert_eq!(got, vec![PeerChange::Withdraw(v6("2001:db8::/32"))]);
    }

    #[test]
    fn what_each_op_may_take_off_a_peer() {
        use crate::batch::RouteEntry;
        let mut rib = PeerRib::new(true, false);
        let dog = RouteEntry {
            route: route("10.9.0.0/24", "127.0.0.1"),
            watchdog: Some("dog".into()),
            withdrawn: false,
        };
        rib.apply(
            [Op::Announce(vec![
                RouteEntry::plain(route("10.1.0.0/24", "127.0.0.1")),
                dog.clone(),
            ])]
            .iter(),
        );
        let keys = |v: Vec<Route>| {
            let mut k: Vec<String> = v.iter().map(|r| r.nlri.to_string()).collect();
            k.sort();
            k
        };
        // a clear: the whole table
        assert_eq!(
            keys(taken_by(&rib, &Op::ClearOut, false)),
            ["10.1.0.0/24", "10.9.0.0/24"]
        );
        // a watchdog withdrawal: the group's announced routes
        assert_eq!(
            keys(taken_by(&rib, &Op::WithdrawWatchdog("dog".into()), false)),
            ["10.9.0.0/24"]
        );
        assert!(taken_by(&rib, &Op::WithdrawWatchdog("cat".into()), false).is_empty());
        // a withdrawal: what it names
        let w = Op::Withdraw(vec![route("10.5.0.0/24", "127.0.0.1")]);
        assert_eq!(keys(taken_by(&rib, &w, false)), ["10.5.0.0/24"]);
        // an announcement: only a replayed journal's counts
        let a = Op::Announce(vec![RouteEntry::plain(route("10.6.0.0/24", "127.0.0.1"))]);
        assert!(taken_by(&rib, &a, false).is_empty());
        assert_eq!(keys(taken_by(&rib, &a, true)), ["10.6.0.0/24"]);
        // once the group is withdrawn, withdrawing it again takes nothing
        rib.apply([Op::WithdrawWatchdog("dog".into())].iter());
        assert!(taken_by(&rib, &Op::WithdrawWatchdog("dog".into()), false).is_empty());
    }

    #[test]
    fn nothing_gone_is_the_table_itself() {
        let table = vec![PeerChange::Announce(route("10.1.0.0/24", "127.0.0.1"))];
        assert_eq!(implicit_replace(vec![], table.clone(), &[]), table);
    }
}
