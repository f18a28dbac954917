//! The worker's side of the rib channel: acknowledgements and the message
//! counters (sent together when an `Ack` is imminent, one wake-up of the
//! rib for both), the rib's death and the next rib's channel, and the
//! freed memory handed back once a large burst of batches is written.

use super::*;

/// Bytes of batches (their frames) after which the worker hands freed
/// memory back once nothing is left to write: a first table of a million
/// routes leaves about 9 MB of freed pages that jemalloc would keep for
/// ten seconds of activity, a worker's whole footprint otherwise.
pub(super) const RELEASE_AFTER: usize = 8 << 20;

/// Whether to release freed memory now: `burst` bytes of batches were
/// taken since the last release and nothing is left to write.
pub(super) fn release_due(burst: usize, idle: bool) -> bool {
    idle && burst >= RELEASE_AFTER
}

impl Worker {
    /// Calls `release` (the allocator's purge) once the batches written
    /// since the last call add up to [`RELEASE_AFTER`] bytes and the last
    /// of them is acknowledged.
    pub fn releasing_memory(mut self, release: fn()) -> Worker {
        self.release_memory = release;
        self
    }

    /// After an acknowledgement: releases freed memory if a large burst
    /// of batches is over (see [`release_due`]).
    pub(super) fn after_ack(&mut self) {
        let idle = self.job.is_none()
            && self.backlog.is_empty()
            && self.live.as_ref().is_none_or(|l| l.unacked.is_empty());
        if release_due(self.burst_bytes, idle) {
            self.burst_bytes = 0;
            (self.release_memory)();
        }
    }

    /// The rib died (its channel ended). The session carries on: the peer
    /// keeps its routes, keepalives go on, and what the peer sends is not
    /// reported (a route refresh asks for it again once a rib is back).
    /// Batches of the dead rib not yet written are still written; their
    /// acknowledgements go nowhere. The supervisor starts a new rib and
    /// hands over the channel ([`SupervisorToSession::Rib`]).
    pub(super) fn rib_lost(&mut self, why: &str) {
        self.rib_epoch += 1;
        if self.rib.take().is_some() {
            tracing::warn!(
                "rib channel: {why}; the session carries on until the supervisor \
                 attaches the new rib"
            );
        }
        if let Some(live) = self.live.as_mut() {
            live.unacked.clear();
        }
    }

    /// A new rib replaced the dead one. An established session tells it so
    /// and asks for its table as an implicit replace (`resync`: every route
    /// again, and the withdrawal of what the rib's route journal says is
    /// gone), with the End-of-RIB markers only if the session never had
    /// them; and, when the peer can refresh (RFC 2918), asks the peer for
    /// its routes again, which the dead rib's Adj-RIB-In held.
    pub(super) async fn rib_attached(&mut self) -> Result<()> {
        tracing::info!("attached to the new rib");
        let (Some(live), Some(neg), true) = (
            self.live.as_ref(),
            self.negotiated.clone(),
            self.fsm.is_established(),
        ) else {
            return Ok(());
        };
        let conn = live.id;
        let Some(families) = self.tell_up().await? else {
            return Ok(());
        };
        self.counted = true;
        self.tell_rib(SessionToRib::NeedRoutes {
            families: families.clone(),
            eor: !self.cfg.manual_eor && !self.eor_sent,
            resync: true,
        })
        .await?;
        if neg.refresh != Refresh::Absent {
            for family in families {
                let bytes = encode::route_refresh(family)?;
                self.send_on(conn, bytes).await?;
            }
        }
        Ok(())
    }

    pub(super) async fn on_rib(&mut self, msg: RibToSession) -> Result<()> {
        match msg {
            // read as `RibFrame::Changes` from the channel: only a batch
            // handed over decoded comes here
            msg @ RibToSession::Changes { .. } => match ChangesFrame::from_message(&msg) {
                Ok(Some(batch)) => self.changes(self.rib_epoch, batch).await,
                Ok(None) => Ok(()),
                Err(e) => Err(Error::Ipc(format!("batch from the rib: {e}"))),
            },
            RibToSession::Ping { n } => self.tell_rib(SessionToRib::Pong { n }).await,
            RibToSession::SendHoldExpired => self.send_hold_expired().await,
            RibToSession::Teardown { subcode, message } => {
                // Always a Cease, graceful restart or not (RFC 4724: the
                // peer then drops our routes at once, which is what an
                // operator's teardown means).
                self.input(Input::Teardown {
                    notify: notify::cease(subcode, &message),
                })
                .await
            }
        }
    }

    /// The rib dropped this peer's queue (RFC 9687): NOTIFICATION 8/0
    /// after what the writer holds, and the session closes.
    pub(super) async fn send_hold_expired(&mut self) -> Result<()> {
        let Some(conn) = self.live.as_ref().map(|l| l.id) else {
            return Ok(());
        };
        tracing::warn!(
            "the rib's queue for this peer passed its bound: \
             send hold timer expired (RFC 9687), closing the session"
        );
        self.input(Input::Fatal {
            conn,
            notify: notify::bare(8, 0),
        })
        .await
    }

    pub(super) async fn tell_supervisor(&mut self, msg: SessionToSupervisor) -> Result<()> {
        self.supervisor_tx
            .send(&msg)
            .await
            .map_err(|e| Error::Ipc(format!("supervisor channel: {e}")))
    }

    /// Acknowledges `seq`, the counters first when they changed: the rib
    /// reads both with one wake-up (see [`counters_due`]).
    pub(super) async fn ack(&mut self, seq: u64) -> Result<()> {
        if self.counted {
            self.send_counters().await?;
        }
        self.tell_rib(SessionToRib::Ack { seq }).await
    }

    pub(super) async fn send_counters(&mut self) -> Result<()> {
        self.counted = false;
        let (sent, received) = self.counters;
        self.tell_rib(SessionToRib::Counters { sent, received })
            .await
    }

    /// Sends `msg` to the rib; with no rib (it died, see
    /// [`Worker::rib_lost`]) the message is dropped: the new rib learns the
    /// session's state when it is attached.
    pub(super) async fn tell_rib(&mut self, msg: SessionToRib) -> Result<()> {
        let Some(rib) = self.rib.as_mut() else {
            return Ok(());
        };
        if let Err(e) = rib.tx.send(&msg).await {
            self.rib_lost(&e.to_string());
        }
        Ok(())
    }
}

/// The next message from the rib; never, while there is none.
pub(super) async fn recv_rib(
    rib: &mut Option<RibLink>,
) -> ferrobgp_ipc::Result<(RibFrame, Vec<OwnedFd>)> {
    match rib {
        Some(r) => r.rx.recv_with(RibFrame::decode).await,
        None => std::future::pending().await,
    }
}

/// Whether the message counters go to the rib at the end of a turn of the
/// loop: when they changed, unless a batch's last messages are with the
/// writer (`ack_next`): then they go just before its `Ack`, which follows
/// soon, so that the rib is woken once for both rather than once for the
/// counters and again for the acknowledgement (a lock-step command's
/// latency). During a long batch they still go chunk by chunk.
pub(super) fn counters_due(counted: bool, ack_next: bool) -> bool {
    counted && !ack_next
}

#[cfg(test)]
mod tests {
    use super::{counters_due, release_due, RELEASE_AFTER};

    #[test]
    fn memory_goes_back_after_a_large_burst_only_once_idle() {
        assert!(release_due(RELEASE_AFTER, true));
        assert!(!release_due(RELEASE_AFTER, false), "still writing");
        assert!(
            !release_due(RELEASE_AFTER - 1, true),
            "small batches: never"
        );
    }

    #[test]
    fn counters_wait_for_an_imminent_ack_only() {
        assert!(counters_due(true, false), "changed, nothing to ack: now");
        assert!(!counters_due(true, true), "an Ack follows: with it");
        assert!(!counters_due(false, false), "unchanged: never");
        assert!(!counters_due(false, true));
    }
}
