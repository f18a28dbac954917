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

use crate::change::PeerChange;
use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use ferrobgp_wire::Family;
use foldhash::HashSet;

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
    fn nothing_gone_is_the_table_itself() {
        let table = vec![PeerChange::Announce(route("10.1.0.0/24", "127.0.0.1"))];
        assert_eq!(implicit_replace(vec![], table.clone(), &[]), table);
    }
}
