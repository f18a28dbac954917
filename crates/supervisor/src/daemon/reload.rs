//! Reload: the new configuration is loaded and validated first (an invalid
//! one changes nothing), then neighbors and helpers are added, removed,
//! restarted or kept, each only as much as its change requires.

use super::*;

impl Daemon {
    /// Loads the configuration again and applies the difference; an error
    /// (nothing changed) is logged and returned.
    pub(super) async fn reload(&mut self) -> std::result::Result<(), String> {
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
        let mut config = match load(&self.opts, &files) {
            Ok(c) => c,
            Err(e) => {
                error!("reload failed, keeping the running configuration:\n{e}");
                self.notify_ready("reload failed, running the previous configuration");
                return Err(e.to_string());
            }
        };
        info!(
            "reloading: {}",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        self.selection = selection;
        let split = match self.peer_ids.assign(&mut config) {
            Ok(s) => s,
            Err(e) => {
                error!("reload failed, keeping the running configuration: {e}");
                self.notify_ready("reload failed, running the previous configuration");
                return Err(e.to_string());
            }
        };
        let d = plan::diff(&self.peers, &split.peers);
        self.peers = split.peers;
        self.rib_peers = split.rib_peers;
        let old_processes = std::mem::replace(&mut self.config, config);
        (self.opts.release_memory)();
        if let Ok(config) = ipc::ConfigPayload::of(&self.config) {
            let peers = self.rib_peers.clone();
            self.send_rib(SupervisorToRib::Reload { config, peers }, &[])
                .await;
        }
        if let Err(e) = self.update_listeners() {
            error!("{e}");
        }
        // Helpers: new ones start, removed ones stop, changed ones restart.
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
        // Sessions.
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
        self.notify_ready("reloaded");
        self.check_all_finished().await;
        Ok(())
    }
}
