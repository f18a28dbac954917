//! A new rib after a crash of the previous one: the supervisor's route
//! journal (what the API announced) is applied on top of the configuration
//! before any session or helper is attached, so that every route a helper
//! or `ferrobgp cli` was answered `done` for is in the Adj-RIB-Outs again.

use super::*;

impl State {
    pub(super) fn replay_journal(&mut self, ops: Vec<ipc::JournalOp>) {
        let n = ops.len();
        let commands = crate::journal::commands_of(ops);
        self.note_gone(&commands);
        let result = self.table.apply_batch(&commands);
        let refused = result.results.iter().filter(|r| r.is_err()).count();
        // Nothing is attached yet: the tables go out when the sessions come up.
        info!("route journal replayed: {n} change(s), {refused} refused");
    }
}

impl State {
    /// Every route the journal's `commands` may take off a peer that
    /// outlived the previous rib: the routes a clear removes (the clears
    /// come first in a replay, so the table holds the configured routes
    /// then) and every route the journal names. At the peer's resync, those
    /// its new table does not announce are withdrawn (see `crate::resync`).
    fn note_gone(&mut self, commands: &[crate::batch::BatchCommand]) {
        for c in commands {
            for peer in &c.peers {
                let routes: Vec<ferrobgp_wire::route::Route> = match &c.op {
                    Op::ClearOut => match self.table.peer(*peer) {
                        Some(r) => r.out.routes().cloned().collect(),
                        None => continue,
                    },
                    Op::Announce(entries) => entries.iter().map(|e| e.route.clone()).collect(),
                    Op::Withdraw(routes) => routes.clone(),
                    _ => continue,
                };
                self.resync_gone.entry(*peer).or_default().extend(routes);
            }
        }
    }
}
