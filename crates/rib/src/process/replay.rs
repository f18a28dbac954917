//! A new rib after a crash of the previous one: the supervisor's route
//! journal (what the API announced) is applied on top of the configuration
//! before any session or helper is attached, so that every route a helper
//! or `ferrobgp cli` was answered `done` for is in the Adj-RIB-Outs again.

use super::*;

impl State {
    pub(super) fn replay_journal(&mut self, ops: Vec<ipc::JournalOp>) {
        let n = ops.len();
        let commands = crate::journal::commands_of(ops);
        self.note_gone(&commands, true);
        let result = self.table.apply_batch(&commands);
        let refused = result.results.iter().filter(|r| r.is_err()).count();
        // Nothing is attached yet: the tables go out when the sessions come up.
        info!("route journal replayed: {n} change(s), {refused} refused");
    }
}

impl State {
    /// Remembers, for each peer whose session may have outlived the
    /// previous rib, the routes `commands` may take off it (read before
    /// they are applied; `announcements`: those a replayed journal names
    /// too). At the peer's resync, those its new table does not announce
    /// are withdrawn (see `crate::resync`).
    pub(super) fn note_gone(
        &mut self,
        commands: &[crate::batch::BatchCommand],
        announcements: bool,
    ) {
        if self.resync_gone.is_empty() {
            return;
        }
        for c in commands {
            for peer in &c.peers {
                let (Some(gone), Some(rib)) =
                    (self.resync_gone.get_mut(peer), self.table.peer(*peer))
                else {
                    continue;
                };
                gone.extend(crate::resync::taken_by(rib, &c.op, announcements));
            }
        }
    }

    /// Past [`RESYNC_WINDOW`], the peers that did not ask for their table
    /// are not established: they hold nothing of the previous rib's.
    pub(super) fn expire_resync(&mut self) {
        if self.resync_gone.is_empty() || std::time::Instant::now() < self.resync_until {
            return;
        }
        let peers: Vec<PeerId> = self.resync_gone.keys().copied().collect();
        debug!(
            ?peers,
            "no resync asked: these sessions did not outlive the previous rib"
        );
        self.resync_gone.clear();
    }
}
