//! What the session workers tell the rib: state changes (up, down, the
//! first table), received and sent messages (the Adj-RIB-In and the events
//! each helper subscribed to), acknowledgements, and a worker going away.

use super::*;

impl State {
    pub(super) fn session_gone(&mut self, peer: PeerId, reason: &str) {
        // a new session starts from nothing: no resync
        self.resync_gone.remove(&peer);
        if let Some(p) = self.peers.get_mut(&peer) {
            p.link = None;
            p.heartbeat = None;
            let event = p.session.link_gone(reason, std::time::Instant::now());
            if let Some(r) = self.table.peer_mut(peer) {
                r.session_down();
            }
            if let Some(event) = event {
                self.emit(peer, event);
            }
        }
        self.pipes.peer_gone(peer);
        self.write_answers();
    }

    pub(super) fn on_session(&mut self, peer: PeerId, gen: u64, msg: ipc::Result<SessionToRib>) {
        let current = self
            .peers
            .get(&peer)
            .and_then(|p| p.link.as_ref())
            .is_some_and(|(g, _)| *g == gen);
        if !current {
            return;
        }
        let msg = match msg {
            Ok(m) => m,
            Err(e) => {
                debug!(peer, "session link ended: {e}");
                self.session_gone(peer, "session worker gone");
                return;
            }
        };
        match msg {
            SessionToRib::Ack { seq } => self.acked(peer, seq),
            SessionToRib::Pong { n } => self.on_pong(peer, n),
            SessionToRib::State(state) => self.on_state(peer, state),
            SessionToRib::Message { direction, raw } => {
                let mut decoded = None;
                if direction == ipc::Direction::Receive {
                    self.adj_rib_in(peer, &raw, &mut decoded);
                }
                self.emit_message(peer, direction, &raw, &mut decoded)
            }
            SessionToRib::Counters { sent, received } => {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.session.counters(sent, received);
                }
            }
            SessionToRib::RouteRefresh { family, enhanced } => {
                let changes = match self.table.peer_mut(peer) {
                    Some(r) => r.full_table(&[family], false),
                    None => return,
                };
                let list = events::refresh_resend(changes, family, enhanced);
                let seq = self.next_seq();
                self.send_untracked(peer, seq, list);
            }
            SessionToRib::NeedRoutes {
                families,
                eor,
                resync,
            } => self.need_routes(peer, families, eor, resync),
        }
    }

    /// The worker of `peer` is ready for its first table (of `families`,
    /// every one when empty): the advisories known when the session came
    /// up, then the Adj-RIB-Out, End-of-RIB unless `manual-eor`, as an
    /// implicit replace when the session outlived the previous rib.
    fn need_routes(
        &mut self,
        peer: PeerId,
        families: Vec<ferrobgp_wire::Family>,
        eor: bool,
        resync: bool,
    ) {
        let manual = self.peers.get(&peer).is_some_and(|p| p.neighbor.manual_eor);
        let gone = self.resync_gone.remove(&peer).unwrap_or_default();
        let changes = match self.table.peer_mut(peer) {
            Some(r) => r.full_table(&families, eor && !manual),
            None => return,
        };
        let changes = if resync {
            info!(
                peer,
                "session outlived the previous rib: its table again (implicit replace)"
            );
            crate::resync::implicit_replace(gone, changes, &families)
        } else {
            changes
        };
        // the ASMs known when the session came up first, as ExaBGP
        // re-announces them
        let Some(p) = self.peers.get_mut(&peer) else {
            return;
        };
        let list = p.session.first_table(&families, to_ipc(changes));
        let seq = self.next_seq();
        // Always sent, even empty: the worker may wait for it.
        self.send_untracked(peer, seq, list);
    }

    /// The shell of [`crate::session_status`]: the peer's status takes the
    /// report in, its tables follow, the helpers get the events.
    pub(super) fn on_state(&mut self, peer: PeerId, state: SessionState) {
        use crate::session_status::Tables;
        let Some(p) = self.peers.get_mut(&peer) else {
            return;
        };
        let reported = p.session.report(state, std::time::Instant::now());
        match reported.tables {
            Tables::Keep => {}
            Tables::Up(families) => {
                if let Some(r) = self.table.peer_mut(peer) {
                    r.session_up(families);
                }
                self.adj_rib_in_up(peer);
            }
            Tables::Down { peer_closed } => self.adj_rib_in_down(peer, peer_closed),
        }
        for event in reported.events {
            self.emit(peer, event);
        }
    }

    /// Writes `event` to every helper subscribed to it for `peer`.
    pub(super) fn emit(&mut self, peer: PeerId, event: ferrobgp_api::event::Event) {
        let Some(p) = self.peers.get(&peer) else {
            return;
        };
        let info = events::peer_info(&p.neighbor, p.session.local, p.session.remote);
        let time = events::now();
        for h in self.helpers.values_mut() {
            let sub = output::subscription(&p.neighbor.api, &h.info.name);
            let Some(sub) = sub else { continue };
            if !sub.wants(&event) {
                continue;
            }
            let line = match h.info.encoder {
                Encoder::Json => Some(h.json.encode(time, &info, &event) + "\n"),
                Encoder::Text => ferrobgp_api::text::encode(&info, &event).map(|t| t + "\n"),
            };
            if let Some(line) = line {
                let _ = h.out.send(line.into_bytes());
            }
        }
    }

    /// Records a message received from `peer` in its Adj-RIB-In (UPDATEs
    /// only, when the neighbor's `adj-rib-in` is on). `decoded`: the
    /// message decoded at most once for the Adj-RIB-In and the helpers.
    pub(super) fn adj_rib_in(&mut self, peer: PeerId, raw: &[u8], decoded: &mut Decoded) {
        let Some(r) = self.table.peer_mut(peer) else {
            return;
        };
        if !r.adj_in.enabled || raw.get(18) != Some(&ferrobgp_wire::message::kind::UPDATE) {
            return;
        }
        let p = self.peers.get(&peer);
        let negotiated = p.and_then(|p| p.session.negotiated.as_ref());
        let local = p.and_then(|p| p.session.local).map(|a| a.ip());
        let remote = p.and_then(|p| p.session.remote).map(|a| a.ip());
        if let Some(Message::Update(u)) =
            decoded.get_or_insert_with(|| from_wire::decode_at(raw, negotiated, local, remote))
        {
            r.adj_in.received(&u.received);
            if let Some(family) = u.received.eor() {
                self.adj_rib_in_eor(peer, family);
            }
        }
    }

    /// Reports a BGP message to the helpers that asked for it, as `packets`
    /// and/or parsed events (decoded once, only when someone wants it).
    pub(super) fn emit_message(
        &mut self,
        peer: PeerId,
        direction: ferrobgp_ipc::Direction,
        raw: &[u8],
        decoded: &mut Decoded,
    ) {
        use ferrobgp_api::event::{Event, Report};
        let Some(p) = self.peers.get(&peer) else {
            return;
        };
        let Some(kind) = raw.get(18).and_then(|c| output::message_type(*c)) else {
            return;
        };
        let dir = direction;
        let info = events::peer_info(&p.neighbor, p.session.local, p.session.remote);
        let time = events::now();
        let api_negotiated = p.session.negotiated.as_ref().map(from_wire::negotiated);
        let mut content: Option<Option<ferrobgp_api::event::Content>> = None;
        for h in self.helpers.values_mut() {
            let Some(sub) = output::subscription(&p.neighbor.api, &h.info.name) else {
                continue;
            };
            let negotiated = if sub.message_negotiated() {
                api_negotiated.clone()
            } else {
                None
            };
            for report in sub.reports(dir, kind) {
                let event = match report {
                    Report::Packets => Event::Packets {
                        direction: dir,
                        category: raw[18],
                        header: raw[..19].to_vec(),
                        body: raw[19..].to_vec(),
                        negotiated: negotiated.clone(),
                    },
                    Report::Parsed { raw: with_raw } => {
                        let c = content
                            .get_or_insert_with(|| parsed_content(p, dir, raw, decoded))
                            .clone();
                        let Some(c) = c else { continue };
                        Event::Message {
                            direction: dir,
                            content: c,
                            raw: with_raw.then(|| (raw[..19].to_vec(), raw[19..].to_vec())),
                            negotiated: negotiated.clone(),
                        }
                    }
                };
                let line = match h.info.encoder {
                    Encoder::Json => Some(h.json.encode(time, &info, &event) + "\n"),
                    Encoder::Text => ferrobgp_api::text::encode(&info, &event).map(|t| t + "\n"),
                };
                if let Some(line) = line {
                    let _ = h.out.send(line.into_bytes());
                }
            }
        }
    }
}

/// The content of a message for the `parsed` reports: the last use of the
/// message decoded for the Adj-RIB-In when there is one (it is taken), or
/// decoded now (a received one with the live session's checks).
fn parsed_content(
    p: &Peer,
    dir: ferrobgp_ipc::Direction,
    raw: &[u8],
    decoded: &mut Decoded,
) -> Option<ferrobgp_api::event::Content> {
    decoded
        .take()
        .unwrap_or_else(|| {
            let live = dir == ferrobgp_ipc::Direction::Receive;
            let ip = |a: Option<std::net::SocketAddr>| live.then(|| a.map(|a| a.ip())).flatten();
            from_wire::decode_at(
                raw,
                p.session.negotiated.as_ref(),
                ip(p.session.local),
                ip(p.session.remote),
            )
        })
        .and_then(from_wire::content)
}
