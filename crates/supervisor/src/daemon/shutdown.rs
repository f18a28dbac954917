//! Stopping: helpers first (notice, SIGTERM, a bounded wait while their
//! last commands still go out), then every session with its Cease, then the
//! rib; deadlines bound each phase, and what is left is killed.

use super::*;

impl Daemon {
    pub(super) async fn check_all_finished(&mut self) {
        if self.stopping.is_none()
            && !self.workers.is_empty()
            && self.workers.values().all(|w| w.finished && w.pid.is_none())
        {
            info!("no neighbor left: exiting");
            self.shutdown(0).await;
        }
    }

    pub(super) fn anything_alive(&self) -> bool {
        self.rib.is_some()
            || self.workers.values().any(|w| w.pid.is_some())
            || self.helpers.values().any(|h| h.pid.is_some())
    }

    /// Stops the daemon: sessions close with Cease 6/2 (ExaBGP closes
    /// silently; see the README), the rib sends every helper the shutdown
    /// notice, helpers get SIGTERM once the rib is gone, and whatever is
    /// still alive after the grace periods is killed.
    pub(super) async fn shutdown(&mut self, code: i32) {
        if self.stopping.is_some() {
            return;
        }
        self.stopping = Some(code);
        if let Err(e) = notify::stopping() {
            warn!("systemd notification: {e}");
        }
        for (_, h) in std::mem::take(&mut self.listeners) {
            h.abort();
        }
        // Helpers first, while the sessions are up: the notice, SIGTERM, and
        // a bounded wait during which what they still write (their
        // withdrawals) is sent. Their pipes stay open until the rib exits.
        let helpers_alive = self.helpers.values().any(|h| h.pid.is_some());
        if helpers_alive && self.send_rib(SupervisorToRib::NoticeHelpers, &[]).await {
            self.helpers_draining = true;
            self.helpers_drained = true;
            self.after(HELPER_GRACE, Event::ShutdownDeadline { phase: 0 });
            self.after(HELPER_WAIT, Event::ShutdownDeadline { phase: 5 });
            return;
        }
        self.helpers_draining = true;
        self.stop_sessions().await;
    }

    /// Shutdown, second step (once helpers are done or had their time):
    /// sessions close, then the rib.
    pub(super) async fn stop_sessions(&mut self) {
        if !self.helpers_draining {
            return;
        }
        self.helpers_draining = false;
        let peers: Vec<PeerId> = self.workers.keys().copied().collect();
        for p in peers {
            let stop = SupervisorToSession::Stop(StopMode::Cease {
                subcode: 2,
                message: "Administrative Shutdown".into(),
            });
            if !self.send_session(p, stop, &[]).await {
                if let Some(pid) = self.workers.get(&p).and_then(|w| w.pid) {
                    let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                }
            }
        }
        // The rib stops once the sessions are closed: a worker must not
        // lose its rib channel before it has sent its NOTIFICATION.
        self.rib_stop_pending = true;
        self.stop_rib_when_sessions_closed(false).await;
        self.after(STOP_GRACE, Event::ShutdownDeadline { phase: 1 });
        if !self.anything_alive() {
            self.exit_now = true;
        }
    }

    /// Shutdown, second step: the rib sends every helper the notice and
    /// exits. Waits for the session workers unless `force`.
    pub(super) async fn stop_rib_when_sessions_closed(&mut self, force: bool) {
        if !self.rib_stop_pending {
            return;
        }
        if !force && self.workers.values().any(|w| w.pid.is_some()) {
            return;
        }
        self.rib_stop_pending = false;
        if !self.send_rib(SupervisorToRib::Shutdown, &[]).await {
            self.terminate_helpers();
        }
    }

    pub(super) fn kill_helpers(&mut self) {
        for h in self.helpers.values() {
            if let Some(pid) = h.pid {
                warn!("helper \"{}\" did not exit: killing it", h.process.name);
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
        }
    }

    pub(super) fn terminate_helpers(&mut self) {
        for h in self.helpers.values() {
            if let Some(pid) = h.pid {
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGTERM);
            }
        }
    }

    pub(super) async fn on_deadline(&mut self, phase: u8) {
        match phase {
            0 => self.terminate_helpers(),
            5 => {
                if self.helpers_draining {
                    warn!("helpers still running after the shutdown notice: closing the sessions");
                }
                self.stop_sessions().await;
            }
            1 => {
                // The sessions had their chance.
                for w in self.workers.values() {
                    if let Some(pid) = w.pid {
                        warn!("session worker {pid} did not stop: killing it");
                        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                    }
                }
                self.stop_rib_when_sessions_closed(true).await;
                self.after(STOP_GRACE, Event::ShutdownDeadline { phase: 4 });
            }
            4 => {
                // So had the rib.
                if let Some(r) = &self.rib {
                    warn!("rib did not stop: killing it");
                    let _ = kill(Pid::from_raw(r.pid as i32), Signal::SIGKILL);
                }
                self.terminate_helpers();
                self.after(TERM_GRACE, Event::ShutdownDeadline { phase: 2 });
            }
            2 => {
                for h in self.helpers.values() {
                    if let Some(pid) = h.pid {
                        warn!("helper \"{}\" ignored SIGTERM: killing it", h.process.name);
                        let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
                    }
                }
                self.after(Duration::from_secs(1), Event::ShutdownDeadline { phase: 3 });
            }
            _ => {
                error!("children could not be reaped; exiting anyway");
                self.exit_now = true;
            }
        }
    }
}
