//! The workers' outgoing connections (see [`crate::outgoing`]): a request
//! from a worker starts an attempt, its outcome goes back to the worker
//! that asked (its descriptor, or why it failed).

use super::*;

impl Daemon {
    /// `peer`'s worker (generation `gen`) asks for attempt `attempt`.
    pub(super) fn connect_for(&mut self, peer: PeerId, gen: u64, attempt: u64) {
        if self.stopping.is_some() {
            return;
        }
        let Some(n) = self.workers.get(&peer).map(|w| &w.neighbor) else {
            return;
        };
        let tx = self.events.clone();
        self.outgoing
            .start(peer, gen, attempt, n, &self.opts.settings, move |done| {
                let _ = tx.send(Event::Outgoing(done));
            });
    }

    pub(super) async fn on_outgoing(&mut self, done: crate::outgoing::Done) {
        if !self.outgoing.finished(&done) {
            return;
        }
        let current = self
            .workers
            .get(&done.peer)
            .is_some_and(|w| w.gen == done.gen && w.pid.is_some());
        if !current || self.stopping.is_some() {
            return;
        }
        let (peer, attempt) = (done.peer, done.attempt);
        let (msg, fds) = match done.result.and_then(|s| {
            let local = s.local_addr().map_err(|e| e.to_string())?;
            let remote = s.peer_addr().map_err(|e| e.to_string())?;
            let fd: OwnedFd = s.into_std().map_err(|e| e.to_string())?.into();
            Ok((local, remote, fd))
        }) {
            Ok((local, remote, fd)) => {
                debug!(
                    peer,
                    "outgoing connection {local} -> {remote} for the worker"
                );
                (
                    SupervisorToSession::Connected {
                        attempt,
                        local,
                        remote,
                    },
                    vec![fd],
                )
            }
            Err(error) => (
                SupervisorToSession::ConnectFailed { attempt, error },
                Vec::new(),
            ),
        };
        self.send_session(peer, msg, &fds).await;
    }
}
