//! The supervisor's children as a whole and the rib among them: starting
//! the rib (its Init, the route journal, the control socket and named
//! pipes), its death (its helpers go with it, the workers keep their
//! sessions and are attached to the next rib), its messages, and the
//! dispatch of every child's exit to the part that owns it ([`helpers`],
//! [`sessions`]).
//!
//! [`helpers`]: super::helpers
//! [`sessions`]: super::sessions

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
        // The files are lent to the message and taken back once it is
        // written (a million routes' text is not copied).
        let init = SupervisorToRib::Init {
            settings: self.opts.settings_source.clone(),
            config: std::mem::take(&mut self.rib_files),
            peers: self.rib_peers.clone(),
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
        if let SupervisorToRib::Init { config, .. } = init {
            self.rib_files = config;
        }
        self.hand_over_to_rib().await;
        Ok(())
    }

    /// What a new rib gets after its Init: the route journal (what the
    /// API did before a crash), the control socket and the named pipes.
    async fn hand_over_to_rib(&mut self) {
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
    }

    pub(super) async fn on_exit(
        &mut self,
        who: Who,
        gen: u64,
        status: std::io::Result<ExitStatus>,
    ) {
        let how = describe(&status);
        // false: the child was already replaced (or forgotten)
        let current = match who {
            Who::Rib => self.on_rib_exit(gen, &how).await,
            Who::Session(peer) => self.on_session_exit(peer, gen, &how).await,
            Who::Helper(name) => self.on_helper_exit(name, gen, &how).await,
        };
        if current && self.stopping.is_some() && !self.anything_alive() {
            self.exit_now = true;
        }
    }

    /// The rib ended: when not stopping, it restarts (with back-off) and
    /// its helpers with it. False when it was not the current rib.
    async fn on_rib_exit(&mut self, gen: u64, how: &str) -> bool {
        if self.rib.as_ref().is_none_or(|r| r.gen != gen) {
            return false;
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
        true
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

    pub(super) async fn on_rib(&mut self, gen: u64, msg: ipc::Result<RibToSupervisor>) {
        if self.rib.as_ref().is_none_or(|r| r.gen != gen) {
            // A dead rib wrote each journal message before the changes it
            // covers went to a worker: what is left on its channel is
            // applied before the next rib gets the journal.
            if self.rib_channel_open == Some(gen) {
                match msg {
                    Ok(RibToSupervisor::Journal { ops, .. }) => self.journal.apply_ops(&ops),
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
                self.journal.apply_ops(&ops);
                if self.journal.outgrew() {
                    (self.opts.release_memory)();
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
}
