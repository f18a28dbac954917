//! How the worker carries out the FSM's actions: the outgoing connection
//! asked of the supervisor, the connection tasks started, OPEN, KEEPALIVE,
//! NOTIFICATION and UPDATEs written, state and messages reported to the rib.

use super::*;

impl Worker {
    /// Carries out `actions` in order, and those the FSM returns on the way.
    pub(super) async fn run_actions(&mut self, actions: Vec<Action>) -> Result<()> {
        let mut queue: std::collections::VecDeque<Action> = actions.into();
        while let Some(action) = queue.pop_front() {
            match action {
                Action::Connect => self.connect(),
                Action::AbandonConnect => self.abandon_connect().await?,
                Action::State(s) => {
                    self.tell_rib(SessionToRib::State(SessionState::Fsm {
                        state: s.name().to_string(),
                    }))
                    .await?;
                }
                Action::Connected { conn } => self.connected(conn).await?,
                Action::SendOpen { conn } => queue.extend(self.send_open(conn).await?),
                Action::SendKeepalive { conn } => {
                    self.send_on(conn, keepalive_bytes()).await?;
                }
                Action::SendNotification { conn, notify } => {
                    self.send_on(conn, notification_bytes(&notify)).await?;
                }
                Action::Close { conn } => self.close(conn).await?,
                Action::Refuse { conn, notify } => self.refuse(conn, &notify),
                Action::Established { conn, .. } => self.established(conn).await?,
                Action::Down {
                    reason,
                    peer_closed,
                } => {
                    self.tell_rib(SessionToRib::State(SessionState::Down {
                        reason,
                        peer_closed,
                    }))
                    .await?;
                }
                Action::Finished { reason } => {
                    self.finished = Some(reason);
                }
            }
        }
        Ok(())
    }

    /// The supervisor connects (this process cannot create a socket): once
    /// the connections still closing are gone, [`ConnEvent::ConnectReady`]
    /// sends the request.
    fn connect(&mut self) {
        let id = self.alloc_id();
        let tx = self.events_tx.clone();
        self.closing.retain(|c| !c.is_done());
        let closing = self.closing.clone();
        let task = tokio::spawn(async move {
            let _ = tokio::time::timeout(conn::LINGER, all_done(closing)).await;
            let _ = tx.send(ConnEvent::ConnectReady { conn: id }).await;
        });
        self.connecting = Some((id, task));
    }

    /// Stops waiting for the outgoing connection, and withdraws the request
    /// from the supervisor when it was made.
    async fn abandon_connect(&mut self) -> Result<()> {
        if let Some((id, task)) = self.connecting.take() {
            task.abort();
            if self.requested == Some(id) {
                self.requested = None;
                self.tell_supervisor(SessionToSupervisor::CancelConnect { attempt: id })
                    .await?;
            }
        }
        Ok(())
    }

    /// Connection `conn` becomes the live one: its tasks started, the
    /// previous session's state and counters reset, the rib told.
    async fn connected(&mut self, conn: ConnId) -> Result<()> {
        let Some(stream) = self.pending.remove(&conn) else {
            return Ok(());
        };
        let unknown: SocketAddr = ([0, 0, 0, 0], 0).into();
        let local = stream.local_addr().unwrap_or(unknown);
        let remote = stream.peer_addr().unwrap_or(unknown);
        let stall = (self.cfg.fsm.hold_time > 0)
            .then(|| Duration::from_secs(u64::from(self.cfg.fsm.hold_time)));
        let tasks = ConnTasks::start(
            conn,
            stream,
            self.events_tx.clone(),
            self.cfg.rate_limit,
            stall,
        );
        self.sent_open = None;
        self.peer_open = None;
        self.negotiated = None;
        self.ctx = None;
        self.counters = Default::default();
        self.counted = true;
        self.live = Some(Live {
            id: conn,
            tasks,
            framer: Framer::default(),
            local,
            remote,
            unacked: BTreeMap::new(),
        });
        self.tell_rib(SessionToRib::State(SessionState::Connected {
            local,
            remote,
        }))
        .await
    }

    /// Writes our OPEN on `conn`; when it cannot be built, the FSM's
    /// answer to that fatal error (the actions to carry out next).
    async fn send_open(&mut self, conn: ConnId) -> Result<Vec<Action>> {
        let bytes = self.our_open().and_then(|open| {
            Message::Open(open)
                .encode(EXTENDED_MAX_MESSAGE_SIZE)
                .map_err(|e| Error::Encode(e.to_string()))
        });
        match bytes {
            Ok(b) => {
                self.send_on(conn, b).await?;
                Ok(Vec::new())
            }
            Err(e) => {
                let n = notify::with_text(6, 0, &e.to_string());
                Ok(self
                    .fsm
                    .handle(std::time::Instant::now(), Input::Fatal { conn, notify: n }))
            }
        }
    }

    /// Closes `conn`: a live connection's tasks are left to finish
    /// writing, its session state dropped, its unwritten batches acked.
    async fn close(&mut self, conn: ConnId) -> Result<()> {
        self.pending.remove(&conn);
        if self.live.as_ref().map(|l| l.id) != Some(conn) {
            return Ok(());
        }
        if let Some(live) = self.live.take() {
            self.closing.retain(|c| !c.is_done());
            self.closing.push(live.tasks.close());
            self.negotiated = None;
            self.ctx = None;
            self.sent_open = None;
            // Batches never written: the Adj-RIB-Out has them and
            // resends everything when the session comes back.
            for seq in live.unacked.into_values() {
                self.ack(seq).await?;
            }
            self.drop_job().await?;
        }
        Ok(())
    }

    /// Answers a connection we do not take with `notify`, then closes it
    /// (in the background, bounded by [`EXIT_FLUSH`]).
    fn refuse(&mut self, conn: ConnId, notify: &Notify) {
        if let Some(stream) = self.pending.remove(&conn) {
            let bytes = notification_bytes(notify);
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                let mut s = stream;
                let _ = tokio::time::timeout(EXIT_FLUSH, async {
                    let _ = s.write_all(&bytes).await;
                    let _ = s.shutdown().await;
                })
                .await;
            });
        }
    }

    /// The session on `conn` is up: the rib told, and asked for the routes
    /// (with a KEEPALIVE for the End-of-RIB when no family was negotiated).
    async fn established(&mut self, conn: ConnId) -> Result<()> {
        if self.live.as_ref().is_none_or(|l| l.id != conn) {
            return Ok(());
        }
        // The restart (R bit) is over once a session is up: later
        // reconnects of this worker are ordinary ones.
        if let Some(gr) = self.cfg.open.graceful_restart.as_mut() {
            gr.restarted = false;
        }
        let Some(families) = self.tell_up().await? else {
            return Ok(());
        };
        self.eor_sent = false;
        if families.is_empty() && !self.cfg.manual_eor {
            // spec 7.6: no family negotiated, a KEEPALIVE stands in
            // for the End-of-RIB markers.
            self.send_on(conn, keepalive_bytes()).await?;
            self.eor_sent = true;
        }
        self.tell_rib(SessionToRib::NeedRoutes {
            families,
            eor: !self.cfg.manual_eor,
            resync: false,
        })
        .await
    }
}
