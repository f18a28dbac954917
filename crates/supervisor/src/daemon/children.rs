//! Starting, reaping and restarting the supervisor's children: the rib,
//! one session worker per neighbor and the helper programs. A dead worker
//! is restarted on its own (with back-off) and no other session notices; a
//! dead rib takes its helpers with it (their pipes were the rib's), while
//! the workers keep their sessions and are attached to the next rib; a
//! dead helper is respawned under `helper_respawn`'s policy. Messages from
//! the rib and the workers arrive here too.

use super::*;
use crate::role_users::WorkerRole;

/// Journal changes per message to a new rib (a message stays far below the
/// channel's frame limit).
const JOURNAL_CHUNK: usize = 10_000;
/// How often, and how many times, a new rib waits for the dead one's
/// channel to end (the kernel closes it with the process: at once).
pub(super) const RIB_DRAIN_CHECK: Duration = Duration::from_millis(20);
const RIB_DRAIN_CHECKS: u32 = 100;

impl Daemon {
    pub(super) async fn spawn_rib(&mut self) -> Result<()> {
        let gen = self.gen();
        let (ours, theirs) = ipc::pair()?;
        let mut args = vec!["__rib".to_string()];
        args.extend(self.opts.child_args.iter().cloned());
        let child = spawn_role(
            &self.privs.for_worker(WorkerRole::Rib),
            &self.opts.exe,
            &args,
            &[theirs.as_fd()],
            &self.opts.child_env,
        )?;
        drop(theirs);
        let pid = child.id().unwrap_or(0);
        self.watch(Who::Rib, gen, child);
        self.rib_channel_open = Some(gen);
        self.metrics.rib_started();
        let (tx, mut rx) = Channel::<SupervisorToRib, RibToSupervisor>::new(ours)?.split();
        let events = self.events.clone();
        tokio::spawn(async move {
            loop {
                let msg = rx.recv().await.map(|(m, _)| m);
                let end = msg.is_err();
                if events.send(Event::FromRib { gen, msg }).is_err() || end {
                    break;
                }
            }
        });
        self.rib = Some(Rib {
            gen,
            pid,
            tx,
            started: Instant::now(),
        });
        info!(pid, "rib started");
        // The peers are lent to the message and taken back once it is
        // written (a million routes' text is not copied).
        let init = SupervisorToRib::Init {
            settings: self.settings_blob()?,
            config: ipc::ConfigPayload::of(&self.config)?,
            peers: std::mem::take(&mut self.rib_peers),
            daemon_pid: std::process::id(),
            daemon_ppid: nix::unistd::getppid().as_raw() as u32,
            outlived: self
                .workers
                .iter()
                .filter(|(_, w)| w.pid.is_some())
                .map(|(id, _)| *id)
                .collect(),
        };
        self.send_rib_ref(&init, &[]).await;
        if let SupervisorToRib::Init { peers, .. } = init {
            self.rib_peers = peers;
        }
        if !self.journal.is_empty() {
            info!(
                "giving the new rib the route journal: {} route(s)",
                self.journal.len()
            );
        }
        for chunk in self.journal.replay(JOURNAL_CHUNK) {
            self.send_rib(SupervisorToRib::Journal(chunk), &[]).await;
        }
        if let Some(c) = &self.control {
            match c.fd() {
                Ok(fd) => {
                    self.send_rib(SupervisorToRib::ControlSocket, &[fd]).await;
                }
                Err(e) => warn!("control socket {}: {e}", c.path().display()),
            }
        }
        if let Some(p) = &self.cli_pipes {
            match p.fds() {
                Ok(fds) => {
                    self.send_rib(SupervisorToRib::CliPipes, &fds).await;
                }
                Err(e) => warn!("named-pipe cli {}: {e}", p.input().display()),
            }
        }
        Ok(())
    }

    pub(super) async fn add_helper(&mut self, process: Process) {
        let name = process.name.clone();
        self.helpers.insert(
            name.clone(),
            Helper {
                process,
                gen: 0,
                pid: None,
                started: Instant::now(),
                respawn: HelperRespawn::default(),
                removed: false,
                restart_now: false,
            },
        );
        self.spawn_helper(&name).await;
    }

    /// Starts (or restarts) a helper and hands its pipes to the rib.
    pub(super) async fn spawn_helper(&mut self, name: &str) {
        if self.rib.is_none() || self.stopping.is_some() {
            return;
        }
        let gen = self.gen();
        let Some(h) = self.helpers.get_mut(name) else {
            return;
        };
        h.gen = gen;
        h.started = Instant::now();
        h.restart_now = false;
        let (child, pipes) = match spawn_helper(&self.privs, name, &h.process.argv) {
            Ok(x) => x,
            Err(e) => {
                error!("{e}");
                self.schedule_helper_respawn(name).await;
                return;
            }
        };
        let pid = child.id().unwrap_or(0);
        h.pid = Some(pid);
        h.restart_now = false;
        let info = HelperInfo {
            name: name.to_string(),
            encoder: match h.process.encoder {
                ferrobgp_config::Encoder::Text => ipc::Encoder::Text,
                ferrobgp_config::Encoder::Json => ipc::Encoder::Json,
            },
            pid,
        };
        info!(
            pid,
            "helper \"{name}\" started: {}",
            h.process.argv.join(" ")
        );
        self.watch(Who::Helper(name.to_string()), gen, child);
        self.metrics.helper_started(name);
        self.send_rib(SupervisorToRib::Helper(info), &[pipes.stdin, pipes.stdout])
            .await;
    }

    /// Starts (or restarts) the worker of `peer`.
    pub(super) async fn spawn_session(&mut self, peer: PeerId) {
        if self.rib.is_none() || self.stopping.is_some() {
            return;
        }
        let gen = self.gen();
        let exe = self.opts.exe.clone();
        let child_env = self.opts.child_env.clone();
        let privs = self.privs.for_worker(WorkerRole::Session);
        let mut args = vec![
            "__session".to_string(),
            "--peer-id".to_string(),
            peer.to_string(),
        ];
        let Some(w) = self.workers.get_mut(&peer) else {
            return;
        };
        let config = match crate::peer_config::peer_config(&w.neighbor, &self.opts.settings) {
            Ok(c) => c,
            Err(e) => {
                error!(peer, "{e}");
                return;
            }
        };
        args.push("--peer".to_string());
        args.push(label(&w.neighbor));
        args.extend(self.opts.child_args.iter().cloned());
        let spawned = (|| -> Result<_> {
            let (sup_ours, sup_theirs) = ipc::pair()?;
            let (rib_ours, rib_theirs) = ipc::pair()?;
            let child = spawn_role(
                &privs,
                &exe,
                &args,
                &[sup_theirs.as_fd(), rib_theirs.as_fd()],
                &child_env,
            )?;
            Ok((child, sup_ours, rib_ours))
        })();
        let (child, sup_ours, rib_ours) = match spawned {
            Ok(x) => x,
            Err(e) => {
                error!(peer, "{e}");
                return;
            }
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

    pub(super) async fn on_exit(
        &mut self,
        who: Who,
        gen: u64,
        status: std::io::Result<ExitStatus>,
    ) {
        let how = describe(&status);
        match who {
            Who::Rib => {
                if self.rib.as_ref().is_none_or(|r| r.gen != gen) {
                    return;
                }
                let rib = self.rib.take();
                self.scrapes_without_rib();
                self.reload_lost().await;
                if self.stopping.is_some() {
                    debug!("rib {how}");
                    if self.helpers_drained {
                        // Helpers had the notice, SIGTERM and their wait;
                        // their pipes are closed now: kill what is left.
                        self.kill_helpers();
                    } else {
                        // Helpers got the shutdown notice: a moment to leave on their own.
                        self.after(HELPER_GRACE, Event::ShutdownDeadline { phase: 0 });
                    }
                } else {
                    error!(
                        "rib {how}: restarting it and its helpers; the sessions carry on \
                         and are attached to the new rib"
                    );
                    let uptime = rib.map(|r| r.started.elapsed()).unwrap_or_default();
                    self.kill_helpers_for_rib_restart();
                    self.rib_gen_dead = gen;
                    self.rib_drain_checks = RIB_DRAIN_CHECKS;
                    let delay = self.rib_backoff.on_death(uptime);
                    self.after(delay, Event::RespawnRib { gen });
                }
            }
            Who::Session(peer) => {
                let Some(w) = self.workers.get_mut(&peer) else {
                    return;
                };
                if w.gen != gen || w.pid.is_none() {
                    return;
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
            }
            Who::Helper(name) => {
                let Some(h) = self.helpers.get_mut(&name) else {
                    return;
                };
                if h.gen != gen || h.pid.is_none() {
                    return;
                }
                let pid = h.pid.take().unwrap_or(0);
                if self.stopping.is_some() {
                    debug!("helper \"{name}\" {how}");
                } else {
                    info!("helper \"{name}\" {how}");
                    self.send_rib(
                        SupervisorToRib::HelperDied {
                            name: name.clone(),
                            pid,
                        },
                        &[],
                    )
                    .await;
                    self.after_helper_death(&name).await;
                }
            }
        }
        if self.stopping.is_some() && !self.anything_alive() {
            self.exit_now = true;
        }
    }

    pub(super) async fn after_helper_death(&mut self, name: &str) {
        let Some(h) = self.helpers.get_mut(name) else {
            return;
        };
        if h.removed {
            self.helpers.remove(name);
            return;
        }
        if h.restart_now {
            self.spawn_helper(name).await;
            return;
        }
        if self.opts.settings.api.terminate {
            info!("helper \"{name}\" ended and api.terminate is set: shutting down");
            self.shutdown(0).await;
            return;
        }
        self.schedule_helper_respawn(name).await;
    }

    /// A helper ended or could not be started: the respawn policy decides.
    pub(super) async fn schedule_helper_respawn(&mut self, name: &str) {
        let Some(h) = self.helpers.get_mut(name) else {
            return;
        };
        let rules = RespawnRules {
            respawn: h.process.respawn && self.opts.settings.api.respawn,
            exit_on_limit: self.opts.settings.api.respawn_exit,
        };
        let uptime = h.started.elapsed();
        let gen = h.gen;
        match h.respawn.on_exit(Instant::now(), uptime, rules) {
            AfterExit::Stay => {}
            AfterExit::Respawn(delay) => {
                info!("helper \"{name}\" will be started again in {delay:?}");
                self.after(
                    delay,
                    Event::RespawnHelper {
                        name: name.to_string(),
                        gen,
                    },
                );
            }
            AfterExit::Failed => {
                error!(
                    "helper \"{name}\" was started more than 5 times within 64 seconds: \
                     marked failed and not started again (sessions carry on; a reload \
                     that changes it or SIGUSR2 starts it again)"
                );
                if let Err(e) = notify::status(&format!("helper \"{name}\" failed")) {
                    warn!("systemd notification: {e}");
                }
            }
            AfterExit::Exit => {
                error!(
                    "helper \"{name}\" was started more than 5 times within 64 seconds \
                     and api.respawn_exit is set: shutting down"
                );
                self.shutdown(1).await;
            }
        }
    }

    /// The rib died: its helpers go with it (the rib held their pipes)
    /// and come back with the new rib. The workers stay: each keeps its
    /// session and waits for the new rib's channel.
    pub(super) fn kill_helpers_for_rib_restart(&mut self) {
        for h in self.helpers.values_mut() {
            if let Some(pid) = h.pid.take() {
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGTERM);
            }
            h.gen = 0;
        }
    }

    pub(super) async fn restart_rib(&mut self) {
        if let Err(e) = self.spawn_rib().await {
            error!("{e}");
            let gen = self.rib_gen_dead;
            self.after(Duration::from_secs(1), Event::RespawnRib { gen });
            return;
        }
        let names: Vec<String> = self.helpers.keys().cloned().collect();
        for n in names {
            if self.helpers.get(&n).is_some_and(|h| h.pid.is_none()) {
                self.spawn_helper(&n).await;
            }
        }
        let peers: Vec<PeerId> = self.workers.keys().copied().collect();
        for p in peers {
            let Some(w) = self.workers.get(&p) else {
                continue;
            };
            if w.pid.is_some() {
                self.attach_session(p).await;
            } else if !w.finished && !w.removed {
                self.spawn_session(p).await;
            }
        }
    }

    /// Gives a running worker (whose session outlived the previous rib)
    /// and the new rib a channel to each other.
    async fn attach_session(&mut self, peer: PeerId) {
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

    pub(super) async fn on_rib(&mut self, gen: u64, msg: ipc::Result<RibToSupervisor>) {
        if self.rib.as_ref().is_none_or(|r| r.gen != gen) {
            // A dead rib wrote each journal message before the changes it
            // covers went to a worker: what is left on its channel is
            // applied before the next rib gets the journal.
            if self.rib_channel_open == Some(gen) {
                match msg {
                    Ok(RibToSupervisor::Journal { ops, .. }) => {
                        for op in ops {
                            self.journal.apply(op);
                        }
                    }
                    Err(_) => self.rib_channel_open = None,
                    Ok(_) => {}
                }
            }
            return;
        }
        match msg {
            Ok(RibToSupervisor::Ready) => debug!("rib ready"),
            Ok(RibToSupervisor::Stopped) => debug!("rib stopped"),
            Ok(RibToSupervisor::HelpersQuiet) => {
                debug!("helpers are done: closing the sessions");
                self.stop_sessions().await;
            }
            Ok(RibToSupervisor::Shutdown) => {
                info!("shutdown requested through the API");
                self.shutdown(0).await;
            }
            Ok(RibToSupervisor::Reload) => {
                info!("reload requested through the API");
                self.request_reload(reload::ReloadBy::Api).await;
            }
            Ok(RibToSupervisor::Reloaded { errors }) => self.on_reloaded(errors).await,
            Ok(RibToSupervisor::Refused { errors }) => {
                // Only the first rib's answer to Init stops the daemon
                // (see `run`); a rib restarted with the same configuration
                // cannot refuse it.
                error!(
                    "the rib refused the running configuration:\n{}",
                    errors.join("\n")
                );
            }
            Ok(RibToSupervisor::Restart { peer }) => {
                match peer {
                    Some(p) => info!(peer = p, "restart of one session requested through the API"),
                    None => info!("restart of every session requested through the API"),
                }
                self.restart_sessions(peer).await;
            }
            Ok(RibToSupervisor::Hung { peer }) => self.kill_hung(peer),
            Ok(RibToSupervisor::Journal { ops, .. }) => {
                // the batch's answers waited for this message to be
                // written here, not for it to be applied: what a rib
                // wrote is read to the end even after it died (above)
                for op in ops {
                    self.journal.apply(op);
                }
            }
            Ok(RibToSupervisor::Metrics { n, snapshot }) => self.on_rib_metrics(n, snapshot),
            Err(e) => {
                self.rib_channel_open = None;
                if self.stopping.is_none() {
                    warn!("rib channel: {e}");
                }
                if let Some(r) = &self.rib {
                    let _ = kill(Pid::from_raw(r.pid as i32), Signal::SIGKILL);
                }
            }
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

    /// SIGUSR2 (after a reload, as ExaBGP): every running helper is stopped
    /// (SIGTERM to its process group) and started again at once.
    /// Failed helpers, and those waiting out their back-off, start at once.
    pub(super) async fn restart_helpers(&mut self) {
        let mut stopped = Vec::new();
        for (name, h) in self.helpers.iter_mut() {
            if h.removed || h.restart_now {
                continue;
            }
            h.respawn.reset();
            match h.pid {
                Some(pid) => {
                    h.restart_now = true;
                    let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGTERM);
                }
                None => stopped.push(name.clone()),
            }
        }
        for name in stopped {
            self.spawn_helper(&name).await;
        }
    }
}
