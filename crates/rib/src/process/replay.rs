//! A new rib after a crash of the previous one: the supervisor's route
//! journal (what the API announced) is applied on top of the configuration
//! before any session or helper is attached, so that every route a helper
//! or `ferrobgp cli` was answered `done` for is in the Adj-RIB-Outs again.

use super::*;

impl State {
    pub(super) fn replay_journal(&mut self, ops: Vec<ipc::JournalOp>) {
        let n = ops.len();
        let commands = crate::journal::commands_of(ops);
        let result = self.table.apply_batch(&commands);
        let refused = result.results.iter().filter(|r| r.is_err()).count();
        // Nothing is attached yet: the tables go out when the sessions come up.
        info!("route journal replayed: {n} change(s), {refused} refused");
    }
}
