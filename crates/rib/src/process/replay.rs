//! A new rib after a crash of the previous one: the supervisor's route
//! journal (what the API announced) is applied on top of the configuration
//! before any session or helper is attached, so that every route a helper
//! or `ferrobgp cli` was answered `done` for is in the Adj-RIB-Outs again.

use super::*;

impl State {
    pub(super) fn replay_journal(&mut self, ops: ipc::JournalOps) {
        let n = ops.len();
        let commands = crate::journal::commands_of(&ops);
        // the journal may take routes back off a peer awaiting its resync
        crate::resync::note_taken(&mut self.resync_gone, &self.table, &commands, true);
        let result = self.table.apply_batch(&commands);
        let refused = result.results.iter().filter(|r| r.is_err()).count();
        // Nothing is attached yet: the tables go out when the sessions come up.
        info!("route journal replayed: {n} change(s), {refused} refused");
    }
}

impl State {
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
