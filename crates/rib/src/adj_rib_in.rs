//! One peer's Adj-RIB-In: the routes received from it, kept when the
//! neighbor's `adj-rib-in` is on, for `show adj-rib in` and forgotten with
//! `clear adj-rib in` or when the session goes down.

use crate::table::RouteTable;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::{Route, RouteChange};
use ferrobgp_wire::update::Received;

/// A peer's Adj-RIB-In.
#[derive(Debug, Clone)]
pub struct AdjRibIn {
    pub enabled: bool,
    table: RouteTable,
}

impl AdjRibIn {
    pub fn new(enabled: bool) -> AdjRibIn {
        AdjRibIn {
            enabled,
            table: RouteTable::new(),
        }
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
            self.table.remove(&nlri.key());
        }
        for route in announced {
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
                    self.table.insert(r);
                }
                RouteChange::Withdraw(r) => {
                    self.table.remove(&r.key());
                }
            }
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
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> + '_ {
        self.table.iter()
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
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
