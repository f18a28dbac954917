//! One peer's Adj-RIB-In: the routes received from it, kept when the
//! neighbor's `adj-rib-in` is on, for `show adj-rib in` and forgotten with
//! `clear adj-rib in` or when the session goes down, except after a
//! graceful restart of the peer (RFC 4724 4.2): its routes are then kept as
//! stale until it sends them again, its End-of-RIB for their family, or
//! its restart time passed.

use crate::table::RouteTable;
use ferrobgp_wire::nlri::{Nlri, NlriKey};
use ferrobgp_wire::route::{Route, RouteChange};
use ferrobgp_wire::update::Received;
use ferrobgp_wire::Family;
use std::borrow::Cow;
use std::time::Instant;

/// A peer's Adj-RIB-In.
#[derive(Debug, Clone)]
pub struct AdjRibIn {
    pub enabled: bool,
    table: RouteTable,
    /// Routes of the previous session not received again yet (RFC 4724
    /// 4.2 "stale"), and when they go at the latest.
    stale: RouteTable,
    stale_until: Option<Instant>,
}

impl AdjRibIn {
    pub fn new(enabled: bool) -> AdjRibIn {
        AdjRibIn {
            enabled,
            table: RouteTable::new(),
            stale: RouteTable::new(),
            stale_until: None,
        }
    }

    /// The peer restarted (its connection closed without a NOTIFICATION
    /// while it had announced graceful restart): its routes of `families`
    /// stay, as stale, until `until`; those of other families go.
    pub fn keep_as_stale(&mut self, families: &[Family], until: Instant) {
        for route in self.table.drain() {
            if families.contains(&route.family()) {
                self.stale.insert(route);
            }
        }
        self.stale_until = match self.stale.is_empty() {
            true => None,
            false => Some(self.stale_until.map_or(until, |u| u.min(until))),
        };
    }

    /// The peer's End-of-RIB for `family`: what it did not send again in
    /// this family is gone. Returns how many stale routes went.
    pub fn end_of_rib(&mut self, family: Family) -> usize {
        let before = self.stale.len();
        let keep: Vec<Route> = self
            .stale
            .drain()
            .into_iter()
            .filter(|r| r.family() != family)
            .collect();
        for r in keep {
            self.stale.insert(r);
        }
        if self.stale.is_empty() {
            self.stale_until = None;
        }
        before - self.stale.len()
    }

    /// The peer is back: only the stale routes of `families` (those its new
    /// Graceful Restart capability lists with the forwarding state bit)
    /// wait for its End-of-RIB; the others go at once (RFC 4724 4.2).
    /// Returns how many went.
    pub fn keep_stale_only(&mut self, families: &[Family]) -> usize {
        let before = self.stale.len();
        for route in self.stale.drain() {
            if families.contains(&route.family()) {
                self.stale.insert(route);
            }
        }
        if self.stale.is_empty() {
            self.stale_until = None;
        }
        before - self.stale.len()
    }

    /// Drops every stale route when the restart time passed at `now`;
    /// returns how many went.
    pub fn expire_stale(&mut self, now: Instant) -> usize {
        match self.stale_until {
            Some(t) if t <= now => {
                let n = self.stale.len();
                self.stale.clear();
                self.stale_until = None;
                n
            }
            _ => 0,
        }
    }

    /// How many routes are stale (received in a previous session only).
    pub fn stale_len(&self) -> usize {
        self.stale.len()
    }

    /// Records one received UPDATE: withdrawn NLRIs first, then announced routes.
    pub fn update<'a>(
        &mut self,
        withdrawn: impl IntoIterator<Item = &'a Nlri>,
        announced: impl IntoIterator<Item = Route>,
    ) {
        if !self.enabled {
            return;
        }
        for nlri in withdrawn {
            let key = nlri.key();
            self.table.remove(&key);
            self.forget_stale(&key);
        }
        for route in announced {
            if !self.stale.is_empty() {
                self.stale.remove(&route.key());
            }
            self.table.insert(route);
        }
    }

    /// Applies route changes in order: an announcement inserts or replaces
    /// the route with its NLRI key, a withdrawal removes it.
    pub fn apply(&mut self, changes: impl IntoIterator<Item = RouteChange>) {
        if !self.enabled {
            return;
        }
        for c in changes {
            match c {
                RouteChange::Announce(r) => {
                    if !self.stale.is_empty() {
                        self.stale.remove(&r.key());
                    }
                    self.table.insert(r);
                }
                RouteChange::Withdraw(r) => {
                    let key = r.key();
                    self.table.remove(&key);
                    self.forget_stale(&key);
                }
            }
        }
    }

    /// A stale route received again or withdrawn is no longer stale.
    fn forget_stale(&mut self, key: &NlriKey) {
        if !self.stale.is_empty() {
            self.stale.remove(key);
        }
    }

    /// Records a decoded UPDATE: what [`Received::changes`] says it means
    /// (RFC 7606 treat-as-withdraw applied). An End-of-RIB changes nothing.
    pub fn received(&mut self, rx: &Received) {
        if self.enabled {
            self.apply(rx.changes());
        }
    }

    pub fn clear(&mut self) {
        self.table.clear();
        self.stale.clear();
        self.stale_until = None;
    }

    /// Every route: those of this session, then the stale ones.
    pub fn routes(&self) -> impl Iterator<Item = Cow<'_, Route>> + '_ {
        self.table.iter().chain(self.stale.iter())
    }

    pub fn len(&self) -> usize {
        self.table.len() + self.stale.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty() && self.stale.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use crate::batch::Rib;
    use crate::peer::PeerRib;
    use ferrobgp_api::RibSide;
    use ferrobgp_wire::message::Message;
    use std::net::{IpAddr, Ipv4Addr};

    const PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));

    /// A whole UPDATE message: header, then `withdrawn`, `attributes` and
    /// `nlri` as they go on the wire.
    fn update(withdrawn: &[u8], attributes: &[u8], nlri: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend((withdrawn.len() as u16).to_be_bytes());
        body.extend(withdrawn);
        body.extend((attributes.len() as u16).to_be_bytes());
        body.extend(attributes);
        body.extend(nlri);
        let mut raw = vec![0xff; 16];
        raw.extend(((body.len() + 19) as u16).to_be_bytes());
        raw.push(2);
        raw.extend(body);
        raw
    }

    /// ORIGIN `origin`, empty AS_PATH, NEXT_HOP 192.0.2.1, LOCAL_PREF 100.
    fn attributes(origin: u8) -> Vec<u8> {
        vec![
            0x40, 1, 1, origin, // ORIGIN
            0x40, 2, 0, // AS_PATH
            0x40, 3, 4, 192, 0, 2, 1, // NEXT_HOP
            0x40, 5, 4, 0, 0, 0, 100, // LOCAL_PREF
        ]
    }

    const TWO: [u8; 8] = [24, 10, 1, 0, 24, 10, 2, 0];

    fn rib(enabled: bool) -> Rib {
        let mut rib = Rib::new();
        rib.add_peer(1, PeerRib::new(true, enabled));
        rib
    }

    fn receive(rib: &mut Rib, raw: &[u8]) {
        let p = rib.peer_mut(1).unwrap();
        if let Some(Message::Update(u)) = ferrobgp_api::from_wire::decode(raw, None) {
            p.adj_in.received(&u.received);
        }
    }

    fn show(rib: &Rib, extensive: bool) -> Vec<String> {
        crate::show::adj_rib(
            rib,
            RibSide::In,
            extensive,
            &[(1, PEER, "neighbor 127.0.0.1")],
        )
    }

    #[test]
    fn announcements_are_kept_and_withdrawals_remove_them() {
        let mut rib = rib(true);
        receive(&mut rib, &update(&[], &attributes(0), &TWO));
        assert_eq!(
            show(&rib, false),
            [
                "127.0.0.1 ipv4 unicast 10.1.0.0/24 next-hop 192.0.2.1",
                "127.0.0.1 ipv4 unicast 10.2.0.0/24 next-hop 192.0.2.1",
            ]
        );
        receive(&mut rib, &update(&[24, 10, 1, 0], &[], &[]));
        assert_eq!(
            show(&rib, true),
            ["neighbor 127.0.0.1 ipv4 unicast 10.2.0.0/24 next-hop 192.0.2.1 origin igp local-preference 100"]
        );
        // an End-of-RIB (IPv4 unicast: the empty UPDATE) changes nothing
        receive(&mut rib, &update(&[], &[], &[]));
        assert_eq!(rib.peer(1).unwrap().adj_in.len(), 1);
        // a re-announcement replaces the route in place
        let mut egp = attributes(1);
        egp[10..14].copy_from_slice(&[192, 0, 2, 9]);
        receive(&mut rib, &update(&[], &egp, &[24, 10, 2, 0]));
        assert_eq!(
            show(&rib, true),
            ["neighbor 127.0.0.1 ipv4 unicast 10.2.0.0/24 next-hop 192.0.2.9 origin egp local-preference 100"]
        );
        // the session goes down: everything received is forgotten
        rib.peer_mut(1).unwrap().session_down();
        assert!(show(&rib, false).is_empty());
    }

    #[test]
    fn a_graceful_restart_keeps_routes_as_stale_until_end_of_rib_or_the_timer() {
        use ferrobgp_wire::Family;
        use std::time::{Duration, Instant};
        let v4 = Family::IPV4_UNICAST;
        let mut rib = rib(true);
        receive(&mut rib, &update(&[], &attributes(0), &TWO));
        let t0 = Instant::now();
        let until = t0 + Duration::from_secs(120);
        // the peer restarts: both routes stay, as stale
        rib.peer_mut(1).unwrap().session_down_graceful(&[v4], until);
        assert_eq!(show(&rib, false).len(), 2);
        let p = rib.peer_mut(1).unwrap();
        assert_eq!(p.adj_in.stale_len(), 2);
        assert_eq!(p.adj_in.expire_stale(t0), 0);
        // the new session sends 10.1.0.0/24 again, then End-of-RIB: the
        // route it did not resend goes
        receive(&mut rib, &update(&[], &attributes(1), &[24, 10, 1, 0]));
        let p = rib.peer_mut(1).unwrap();
        assert_eq!(p.adj_in.stale_len(), 1);
        assert_eq!(p.adj_in.end_of_rib(v4), 1);
        assert_eq!(
            show(&rib, true),
            ["neighbor 127.0.0.1 ipv4 unicast 10.1.0.0/24 next-hop 192.0.2.1 origin egp local-preference 100"]
        );
        // a second restart, no new session: the restart time ends it
        rib.peer_mut(1).unwrap().session_down_graceful(&[v4], until);
        let p = rib.peer_mut(1).unwrap();
        assert_eq!(p.adj_in.expire_stale(until - Duration::from_secs(1)), 0);
        assert_eq!(p.adj_in.expire_stale(until), 1);
        assert!(show(&rib, false).is_empty());
        // a family the peer did not list for graceful restart goes at once
        receive(&mut rib, &update(&[], &attributes(0), &TWO));
        rib.peer_mut(1).unwrap().session_down_graceful(&[], until);
        assert!(show(&rib, false).is_empty());
    }

    #[test]
    fn treat_as_withdraw_removes_what_the_update_announces() {
        let mut rib = rib(true);
        receive(&mut rib, &update(&[], &attributes(0), &TWO));
        // ORIGIN 7 is malformed: RFC 7606 treat-as-withdraw
        receive(&mut rib, &update(&[], &attributes(7), &[24, 10, 1, 0]));
        assert_eq!(
            show(&rib, false),
            ["127.0.0.1 ipv4 unicast 10.2.0.0/24 next-hop 192.0.2.1"]
        );
    }

    #[test]
    fn nothing_is_kept_when_adj_rib_in_is_off() {
        let mut rib = rib(false);
        receive(&mut rib, &update(&[], &attributes(0), &TWO));
        assert!(show(&rib, false).is_empty());
    }

    #[test]
    fn other_messages_and_undecodable_updates_are_ignored() {
        let mut rib = rib(true);
        let mut keepalive = vec![0xff; 16];
        keepalive.extend([0, 19, 4]);
        receive(&mut rib, &keepalive);
        let mut truncated = update(&[], &attributes(0), &TWO);
        truncated.truncate(21);
        receive(&mut rib, &truncated);
        assert!(show(&rib, false).is_empty());
    }
}
