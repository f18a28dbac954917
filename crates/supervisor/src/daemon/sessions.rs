//! The session workers, one per neighbor: starting one with its two
//! channels (to the supervisor and to the rib), attaching a running one to
//! a new rib, restarting on request or after a crash (with back-off; no
//! other session notices), killing a hung one, and its messages.

use super::*;
use crate::role_users::WorkerRole;
use ferrobgp_ipc::PeerConfig;

impl Daemon {
    /// Starts (or restarts) the worker of `peer`.
    pub(super) async fn spawn_session(&mut self, peer: PeerId) {
        if self.rib.is_none() || self.stopping.is_some() {
            return;
        }
        let gen = self.gen();
        let Some((config, child, sup_ours, rib_ours)) = self.fork_session(peer) else {
            return;
        };
        let pid = child.id().unwrap_or(0);
        let (tx, mut rx) = match Channel::<SupervisorToSession, SessionToSupervisor>::new(sup_ours)
        {
            Ok(c) => c.split(),
            Err(e) => {
                error!(peer, "{e}");
                return;
            }
        };
        let Some(w) = self.workers.get_mut(&peer) else {
            return;
        };
        w.gen = gen;
        w.pid = Some(pid);
        w.tx = Some(tx);
        w.started = Instant::now();
        w.restart_now = false;
        let restarted_on_request = std::mem::take(&mut w.restarted_on_request);
        let restarts = w.restarts;
        info!(
            pid,
            peer,
            "session worker for {} started",
            label(&w.neighbor)
        );
        self.watch(Who::Session(peer), gen, child);
        self.metrics.worker_started(peer);
        let events = self.events.clone();
        tokio::spawn(async move {
            loop {
                let msg = rx.recv().await.map(|(m, _)| m);
                let end = msg.is_err();
                if events.send(Event::FromSession { peer, gen, msg }).is_err() || end {
                    break;
                }
            }
        });
        self.send_rib(SupervisorToRib::SessionChannel { peer }, &[rib_ours])
            .await;
        let init = SupervisorToSession::Init {
            peer,
            config: Box::new(config),
            restarts,
            restarted_on_request,
        };
        self.send_session(peer, init, &[]).await;
    }

    /// The worker process of `peer` forked, with its session configuration
    /// and our ends of its channels to the supervisor and to the rib; None
    /// (logged) when it could not be.
    fn fork_session(&self, peer: PeerId) -> Option<(PeerConfig, Child, OwnedFd, OwnedFd)> {
        let w = self.workers.get(&peer)?;
        let config = match crate::peer_config::peer_config(&w.neighbor, &self.opts.settings) {
            Ok(c) => c,
            Err(e) => {
                error!(peer, "{e}");
                return None;
            }
        };
        let mut args = vec![
            "__session".to_string(),
            "--peer-id".to_string(),
            peer.to_string(),
            "--peer".to_string(),
            label(&w.neighbor),
        ];
        args.extend(self.opts.child_args.iter().cloned());
        let privs = self.privs.for_worker(WorkerRole::Session);
        let spawned = (|| -> Result<_> {
            let (sup_ours, sup_theirs) = ipc::pair()?;
            let (rib_ours, rib_theirs) = ipc::pair()?;
            let child = spawn_role(
                &privs,
                &self.opts.exe,
                &args,
                &[sup_theirs.as_fd(), rib_theirs.as_fd()],
                &self.opts.child_env,
            )?;
            Ok((child, sup_ours, rib_ours))
        })();
        match spawned {
            Ok((child, sup_ours, rib_ours)) => Some((config, child, sup_ours, rib_ours)),
            Err(e) => {
                error!(peer, "{e}");
                None
            }
        }
    }

    /// Gives a running worker (whose session outlived the previous rib)
    /// and the new rib a channel to each other.
    pub(super) async fn attach_session(&mut self, peer: PeerId) {
        let (ours, theirs) = match ipc::pair() {
            Ok(p) => p,
            Err(e) => {
                error!(peer, "rib channel for the session worker: {e}");
                return;
            }
        };
        if self
            .send_session(peer, SupervisorToSession::Rib, &[theirs])
            .await
        {
            self.send_rib(SupervisorToRib::SessionChannel { peer }, &[ours])
                .await;
        }
    }

    /// The rib found the worker of `peer` hung (no heartbeat answer): it
    /// is killed, and restarted as after a crash.
    pub(super) fn kill_hung(&mut self, peer: PeerId) {
        let Some(w) = self.workers.get(&peer) else {
            return;
        };
        if let Some(pid) = w.pid {
            warn!(peer, "session worker {pid} does not answer: killing it");
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
    }

    /// Restarts the worker of `peer` (or of every neighbor) on request.
    pub(super) async fn restart_sessions(&mut self, peer: Option<PeerId>) {
        if self.stopping.is_some() {
            return;
        }
        let peers: Vec<PeerId> = match peer {
            Some(p) => vec![p],
            None => self.workers.keys().copied().collect(),
        };
        for p in peers {
            self.restart_session(p, RestartWhy::Requested).await;
        }
    }

    /// Stops the worker of `peer` to start a new one at once (the same
    /// path as a crash, without the back-off): the rib marks the peer down
    /// and gives the new worker the whole Adj-RIB-Out when it is up.
    pub(super) async fn restart_session(&mut self, peer: PeerId, why: RestartWhy) {
        let Some(w) = self.workers.get_mut(&peer) else {
            return;
        };
        if w.removed {
            return;
        }
        w.finished = false;
        w.restarted_on_request = true;
        if w.pid.is_none() {
            // Not running (finished, or waiting for its back-off): start it now.
            self.spawn_session(peer).await;
            return;
        }
        w.restart_now = true;
        let stop = match why {
            _ if w.neighbor.capabilities.graceful_restart.is_some() => StopMode::Silent,
            RestartWhy::Requested => StopMode::Cease {
                subcode: 4,
                message: String::new(),
            },
            RestartWhy::Reconfigured => StopMode::Cease {
                subcode: 6,
                message: String::new(),
            },
        };
        if !self
            .send_session(peer, SupervisorToSession::Stop(stop), &[])
            .await
        {
            if let Some(pid) = self.workers.get(&peer).and_then(|w| w.pid) {
                let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
        }
    }

    pub(super) async fn on_session(
        &mut self,
        peer: PeerId,
        gen: u64,
        msg: ipc::Result<SessionToSupervisor>,
    ) {
        let Some(w) = self.workers.get_mut(&peer) else {
            return;
        };
        if w.gen != gen {
            return;
        }
        match msg {
            Ok(SessionToSupervisor::Ready) => debug!(peer, "session worker ready"),
            Ok(SessionToSupervisor::Connect { attempt }) => self.connect_for(peer, gen, attempt),
            Ok(SessionToSupervisor::CancelConnect { attempt }) => {
                self.outgoing.cancel(peer, attempt)
            }
            Ok(SessionToSupervisor::Finished { reason }) => {
                if w.restart_now {
                    debug!(peer, "session worker stopped for its restart: {reason}");
                } else {
                    info!(peer, "neighbor {} done: {reason}", label(&w.neighbor));
                }
                w.finished = true;
            }
            Err(e) => {
                if self.stopping.is_none() && !w.finished && !w.removed && !w.restart_now {
                    warn!(peer, "session channel: {e}");
                }
                w.tx = None;
                if let Some(pid) = w.pid {
                    if !w.finished && self.stopping.is_none() {
                        // A worker that closed its channel without saying it
                        // finished is broken: make sure it is gone.
                        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                    }
                }
            }
        }
    }

    /// A session worker ended: restarted at once (on request), after its
    /// back-off (a crash), or not at all (finished, removed, stopping).
    /// False when it was not the current worker.
    pub(super) async fn on_session_exit(&mut self, peer: PeerId, gen: u64, how: &str) -> bool {
        let Some(w) = self.workers.get_mut(&peer) else {
            return false;
        };
        if w.gen != gen || w.pid.is_none() {
            return false;
        }
        w.pid = None;
        w.tx = None;
        self.outgoing.forget(peer);
        let uptime = w.started.elapsed();
        if self.stopping.is_some() {
            debug!(peer, "session worker {how}");
        } else if w.removed {
            info!(peer, "session worker {how} (neighbor removed)");
            self.workers.remove(&peer);
        } else if w.restart_now {
            // Stopped on request: it said it finished, which it did
            // only for this run.
            info!(peer, "session worker {how} (restart requested)");
            w.finished = false;
            w.restarts += 1;
            self.after(Duration::ZERO, Event::RespawnSession { peer, gen });
        } else if w.finished {
            info!(peer, "session worker {how} (finished)");
        } else {
            warn!(peer, "session worker {how}: restarting it");
            let delay = w.backoff.on_death(uptime);
            w.restarts += 1;
            self.after(delay, Event::RespawnSession { peer, gen });
        }
        if self.stopping.is_none() {
            self.send_rib(SupervisorToRib::SessionDied { peer }, &[])
                .await;
        } else {
            self.stop_rib_when_sessions_closed(false).await;
        }
        self.check_all_finished().await;
        true
    }
}
