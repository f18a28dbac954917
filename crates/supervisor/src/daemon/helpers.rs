//! The helper programs: starting one and handing its pipes to the rib,
//! its death (respawned under `helper_respawn`'s policy, or the daemon
//! stops when `api.terminate` or `api.respawn_exit` says so), and SIGUSR2's
//! restart of all of them.

use super::*;

impl Daemon {
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

    /// A helper ended: the rib is told, and the respawn policy decides.
    /// False when it was not the current helper.
    pub(super) async fn on_helper_exit(&mut self, name: String, gen: u64, how: &str) -> bool {
        let Some(h) = self.helpers.get_mut(&name) else {
            return false;
        };
        if h.gen != gen || h.pid.is_none() {
            return false;
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
        true
    }
}
