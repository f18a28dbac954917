//! Reload: the new configuration is loaded and validated first (an invalid
//! one changes nothing), then neighbors and helpers are added, removed,
//! restarted or kept, each only as much as its change requires.
//!
//! The supervisor never parses a route: it loads the file with its route
//! sections kept as text, sends it to the rib, and applies its own part
//! (helpers, sessions, the journal) only once the rib has parsed every
//! route and installed them (`RibToSupervisor::Reloaded` without errors).
//! Until then the running configuration is the supervisor's; reloads asked
//! for meanwhile wait their turn.

use super::*;

/// Who asked for a reload, and what follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReloadBy {
    /// SIGHUP, SIGUSR1, `systemctl reload`.
    Signal,
    /// SIGUSR2: the helpers restart after a reload that worked.
    SignalThenHelpers,
    /// The API's or the cli's `reload`: answered `ReloadDone`.
    Api,
}

/// A reload whose configuration the rib is checking.
pub(super) struct PendingReload {
    by: ReloadBy,
    config: Config,
    split: plan::Split,
    /// The new configuration's files, as the rib got them.
    files: Vec<ipc::ConfigFile>,
    selection: usize,
}

/// Reloads asked for: the one the rib is checking, and those waiting.
#[derive(Default)]
pub(super) struct Reloads {
    pending: Option<PendingReload>,
    waiting: std::collections::VecDeque<ReloadBy>,
}

impl Daemon {
    /// Asks for a reload; it starts when the previous one is over.
    pub(super) async fn request_reload(&mut self, by: ReloadBy) {
        self.reloads.waiting.push_back(by);
        self.next_reload().await;
    }

    /// Starts the waiting reloads, one at a time: each ends when the rib
    /// answers (or at once when it cannot start).
    async fn next_reload(&mut self) {
        while self.reloads.pending.is_none() {
            let Some(by) = self.reloads.waiting.pop_front() else {
                return;
            };
            match self.start_reload().await {
                Ok((config, split, files, selection)) => {
                    self.reloads.pending = Some(PendingReload {
                        by,
                        config,
                        split,
                        files,
                        selection,
                    });
                }
                Err(e) => self.reload_over(by, Err(e)).await,
            }
        }
    }

    /// Loads the configuration again (routes kept as text) and sends it
    /// to the rib, which parses the routes; nothing changes before it
    /// answers.
    async fn start_reload(
        &mut self,
    ) -> std::result::Result<(Config, plan::Split, Vec<ipc::ConfigFile>, usize), String> {
        if self.stopping.is_some() {
            return Err("the daemon is shutting down".into());
        }
        let n = self.opts.configs.len();
        let rotate = self.opts.settings.debug.rotate && n > 1;
        let selection = if rotate { (self.selection + 1) % n } else { 0 };
        let files: Vec<PathBuf> = if rotate {
            vec![self.opts.configs[selection].clone()]
        } else {
            self.opts.configs.clone()
        };
        if let Err(e) = notify::reloading() {
            warn!("systemd notification: {e}");
        }
        let (config, rib_files) = load(&self.opts, &files).map_err(|e| e.to_string())?;
        info!(
            "reloading: {}",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let split = self.peer_ids.assign(&config);
        (self.opts.release_memory)();
        // lent to the message, taken back once it is written
        let reload = SupervisorToRib::Reload {
            config: rib_files,
            peers: split.rib_peers.clone(),
        };
        let sent = self.send_rib_ref(&reload, &[]).await;
        let mut rib_files = Vec::new();
        if let SupervisorToRib::Reload { config, .. } = reload {
            rib_files = config;
        }
        if !sent {
            return Err("the rib is restarting: try again".into());
        }
        Ok((config, split, rib_files, selection))
    }

    /// The rib's answer to the pending reload.
    pub(super) async fn on_reloaded(&mut self, errors: Vec<String>) {
        let Some(p) = self.reloads.pending.take() else {
            return;
        };
        let result = if errors.is_empty() {
            self.rib_files = p.files;
            self.apply_reload(p.config, p.split, p.selection).await;
            Ok(())
        } else {
            Err(errors.join("\n"))
        };
        self.reload_over(p.by, result).await;
        self.next_reload().await;
    }

    /// The rib died with a reload pending: it never checked it.
    pub(super) async fn reload_lost(&mut self) {
        if let Some(p) = self.reloads.pending.take() {
            let e = "the rib exited before it checked the configuration's routes".to_string();
            self.reload_over(p.by, Err(e)).await;
        }
    }

    /// Logs the outcome and answers whoever asked.
    async fn reload_over(&mut self, by: ReloadBy, result: std::result::Result<(), String>) {
        match &result {
            Ok(()) => self.notify_ready("reloaded"),
            Err(e) => {
                error!("reload failed, keeping the running configuration:\n{e}");
                self.notify_ready("reload failed, running the previous configuration");
            }
        }
        match by {
            ReloadBy::Api => {
                let error = result.err();
                self.send_rib(SupervisorToRib::ReloadDone { error }, &[])
                    .await;
            }
            ReloadBy::SignalThenHelpers if result.is_ok() => self.restart_helpers().await,
            _ => {}
        }
        self.check_all_finished().await;
    }

    /// The supervisor's part of a reload the rib applied: listeners,
    /// helpers, sessions and the journal follow the new configuration.
    async fn apply_reload(&mut self, config: Config, split: plan::Split, selection: usize) {
        self.selection = selection;
        let d = plan::diff(&self.peers, &split.peers);
        self.peers = split.peers;
        self.rib_peers = split.rib_peers;
        let old_processes = std::mem::replace(&mut self.config, config);
        if let Err(e) = self.update_listeners() {
            error!("{e}");
        }
        self.reload_helpers(&old_processes).await;
        self.reload_sessions(d).await;
    }

    /// Helpers after a reload: new ones start, removed ones stop, changed
    /// ones restart.
    async fn reload_helpers(&mut self, old_processes: &Config) {
        let mut start_changed = Vec::new();
        for p in &old_processes.processes {
            let gone = self.config.process(&p.name).is_none();
            if let Some(h) = self.helpers.get_mut(&p.name) {
                match self.config.process(&p.name) {
                    None => h.removed = true,
                    Some(np) if *np != h.process => {
                        h.process = np.clone();
                        h.restart_now = true;
                        h.respawn.reset();
                    }
                    Some(_) => continue,
                }
                match h.pid {
                    Some(pid) => {
                        let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGTERM);
                    }
                    None if gone => {
                        self.helpers.remove(&p.name);
                    }
                    // Failed, or waiting out its back-off: start the new one now.
                    None => start_changed.push(p.name.clone()),
                }
            }
        }
        for name in start_changed {
            self.spawn_helper(&name).await;
        }
        let new_processes: Vec<Process> = self
            .config
            .processes
            .iter()
            .filter(|p| !self.helpers.contains_key(&p.name))
            .cloned()
            .collect();
        for p in new_processes {
            self.add_helper(p).await;
        }
    }

    /// Sessions after a reload: removed neighbors stop (Cease 6/3),
    /// changed ones restart, added ones start; the journal forgets the
    /// routes of removed neighbors.
    async fn reload_sessions(&mut self, d: plan::Diff) {
        for id in d.removed {
            if let Some(w) = self.workers.get_mut(&id) {
                w.removed = true;
                if w.pid.is_none() {
                    self.workers.remove(&id);
                    continue;
                }
            }
            info!(
                peer = id,
                "neighbor removed: stopping its session (Cease 6/3)"
            );
            let stop = StopMode::Cease {
                subcode: 3,
                message: String::new(),
            };
            self.send_session(id, SupervisorToSession::Stop(stop), &[])
                .await;
        }
        for id in d.changed {
            info!(peer = id, "neighbor changed: restarting its session");
            if let Some(w) = self.workers.get_mut(&id) {
                w.neighbor = self.peers[&id].clone();
            }
            self.restart_session(id, RestartWhy::Reconfigured).await;
        }
        // The journal forgets the routes of removed neighbors.
        let peers = &self.peers;
        self.journal.retain_peers(|p| peers.contains_key(&p));
        for id in d.added {
            self.workers
                .insert(id, Worker::new(self.peers[&id].clone()));
            self.spawn_session(id).await;
        }
    }
}
