//! What the worker does with the messages read from the peer: each
//! complete message of the current connection through the receive path
//! ([`crate::receive`]) into the FSM and the rib, the peer's OPEN checked
//! against ours, and ours built from the configuration.

use super::*;

impl Worker {
    /// Handles every complete message buffered on the current connection
    /// (what each means: [`receive::next`]).
    pub(super) async fn process_frames(&mut self, conn: ConnId) -> Result<()> {
        loop {
            let Some(live) = self.live.as_mut().filter(|l| l.id == conn) else {
                return Ok(());
            };
            let standalone;
            let ctx = match &self.ctx {
                Some(c) => c,
                None => {
                    standalone = Context::from(&Negotiated::standalone());
                    &standalone
                }
            };
            let (fr, outcome) =
                match receive::next(&mut live.framer, ctx, self.cfg.reference_unknown_message) {
                    None => return Ok(()),
                    Some(Step::Broken(notify)) => {
                        return self.input(Input::Fatal { conn, notify }).await
                    }
                    Some(Step::Message(fr, outcome)) => (fr, outcome),
                };
            self.counters.1.count(fr.kind);
            self.counted = true;
            if self.cfg.report_received {
                if let Ok(raw) = frame(fr.kind, &fr.body, EXTENDED_MAX_MESSAGE_SIZE) {
                    self.tell_rib(SessionToRib::Message {
                        direction: Direction::Receive,
                        raw,
                    })
                    .await?;
                }
            }
            let input = self.fsm_input(conn, outcome, &fr.body).await?;
            self.input(input).await?;
        }
    }

    /// The FSM's input for a message of `conn` (its `body` for the log of
    /// an UPDATE's problems); a route refresh request is passed to the rib.
    async fn fsm_input(&mut self, conn: ConnId, outcome: Outcome, body: &[u8]) -> Result<Input> {
        Ok(match outcome {
            Outcome::Open(open) => self.open_received(conn, open),
            Outcome::Keepalive => Input::KeepaliveReceived { conn },
            Outcome::Notification { code, subcode } => Input::NotificationReceived {
                conn,
                code,
                subcode,
            },
            Outcome::Update(u) => {
                for line in received::warnings(&u.received, body) {
                    tracing::warn!(peer = %self.cfg.peer_address, "UPDATE: {line}");
                }
                Input::OtherReceived {
                    conn,
                    kind: OtherKind::Update,
                }
            }
            Outcome::RouteRefresh(rr) => {
                self.route_refresh_received(&rr).await?;
                Input::OtherReceived {
                    conn,
                    kind: OtherKind::RouteRefresh,
                }
            }
            Outcome::Operational => Input::OtherReceived {
                conn,
                kind: OtherKind::Operational,
            },
            Outcome::Fatal(notify) => Input::Fatal { conn, notify },
        })
    }

    /// A ROUTE-REFRESH request (subtype 0) for a negotiated family, on an
    /// established session: the rib resends the family (with BoRR / EoRR
    /// when enhanced route refresh was negotiated).
    async fn route_refresh_received(
        &mut self,
        rr: &ferrobgp_wire::message::RouteRefresh,
    ) -> Result<()> {
        if self.fsm.is_established()
            && rr.subtype == 0
            && self
                .negotiated
                .as_ref()
                .is_some_and(|n| n.family_negotiated(rr.family))
        {
            let enhanced = self
                .negotiated
                .as_ref()
                .is_some_and(|n| n.refresh == Refresh::Enhanced);
            self.tell_rib(SessionToRib::RouteRefresh {
                family: rr.family,
                enhanced,
            })
            .await?;
        }
        Ok(())
    }

    /// Builds our OPEN for this peer (mirroring its AS with `local-as
    /// auto`) and negotiates; the FSM decides what to send.
    fn open_received(&mut self, conn: ConnId, peer: Open) -> Input {
        self.peer_open = Some(peer.clone());
        let mut oc = self.cfg.open.clone();
        oc.local_as = self.cfg.local_as.unwrap_or_else(|| peer.asn());
        let info = PeerOpen {
            hold_time: peer.hold_time,
            router_id: peer.router_id,
        };
        let problem = match (oc.build(), oc.negotiate(&peer, self.cfg.peer_as)) {
            (Ok(ours), Ok(neg)) => {
                if self.sent_open.is_none() {
                    self.sent_open = Some(ours);
                }
                let local = self.live.as_ref().map(|l| l.local);
                let limit = received::max_receive_size(self.sent_open.as_ref(), &neg);
                if let Some(live) = self.live.as_mut() {
                    live.framer.set_max_size(limit);
                }
                self.ctx = Some(encode::context(&neg, &self.cfg, local));
                self.negotiated = Some(neg);
                None
            }
            (Err(e), _) => Some(notify::with_text(6, 0, &e.to_string())),
            (Ok(ours), Err(e)) => {
                if self.sent_open.is_none() {
                    self.sent_open = Some(ours);
                }
                Some(
                    e.notify()
                        .cloned()
                        .unwrap_or_else(|| notify::with_text(2, 0, &e.to_string())),
                )
            }
        };
        Input::OpenReceived {
            conn,
            open: info,
            problem,
        }
    }

    /// Our OPEN when it does not depend on the peer (`local-as` set).
    pub(super) fn our_open(&mut self) -> Result<Open> {
        if let Some(o) = &self.sent_open {
            return Ok(o.clone());
        }
        let Some(asn) = self.cfg.local_as else {
            return Err(Error::Encode(
                "no ASN available for the OPEN message".into(),
            ));
        };
        let mut oc = self.cfg.open.clone();
        oc.local_as = asn;
        let o = oc.build().map_err(|e| Error::Encode(e.to_string()))?;
        self.sent_open = Some(o.clone());
        Ok(o)
    }
}
