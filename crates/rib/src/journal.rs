//! The rib's side of the route journal (`ferrobgp_ipc::journal`): the
//! journal changes of an applied batch of API commands, and the commands
//! that replay a journal in a new rib after a crash of the previous one.
//! Keys are a route's NLRI key, values the announced route with its
//! watchdog tag or the withdrawn route.

use crate::batch::{BatchCommand, Op, RouteEntry};
use crate::error::RibError;
use ferrobgp_ipc::{JournalOp, JournalOps};

/// The journal changes of the commands of a batch that were applied
/// (`results` in the same order as `commands`; a failed one changed
/// nothing), each attribute set once in the message.
pub fn ops_of(commands: &[BatchCommand], results: &[Result<(), RibError>]) -> JournalOps {
    let mut ops = JournalOps::new();
    for (c, r) in commands.iter().zip(results) {
        if r.is_err() {
            continue;
        }
        for &peer in &c.peers {
            match &c.op {
                Op::Announce(entries) => {
                    for e in entries {
                        ops.announce(peer, &e.route, e.watchdog.as_deref(), e.withdrawn);
                    }
                }
                Op::Withdraw(routes) => {
                    for r in routes {
                        ops.withdraw(peer, r);
                    }
                }
                Op::ClearOut => ops.push(JournalOp::Clear { peer }),
                Op::AnnounceWatchdog(name) | Op::WithdrawWatchdog(name) => {
                    ops.push(JournalOp::Watchdog {
                        peer,
                        name: name.clone(),
                        announced: matches!(c.op, Op::AnnounceWatchdog(_)),
                    })
                }
                Op::FlushOut | Op::ClearIn | Op::Eor(_) | Op::RouteRefresh(_) => {}
            }
        }
    }
    ops
}

/// The commands that replay journal changes (from
/// [`ferrobgp_ipc::Journal::replay`]).
pub fn commands_of(ops: &JournalOps) -> Vec<BatchCommand> {
    let mut commands = Vec::with_capacity(ops.len());
    for op in ops.iter() {
        let c = match op {
            JournalOp::Announce { peer, value, .. } => BatchCommand {
                peers: vec![peer],
                op: Op::Announce(vec![RouteEntry {
                    route: value.route,
                    watchdog: value.watchdog,
                    withdrawn: value.withdrawn,
                }]),
            },
            JournalOp::Watchdog {
                peer,
                name,
                announced,
            } => BatchCommand {
                peers: vec![peer],
                op: if announced {
                    Op::AnnounceWatchdog(name)
                } else {
                    Op::WithdrawWatchdog(name)
                },
            },
            JournalOp::Withdraw { peer, value, .. } => BatchCommand {
                peers: vec![peer],
                op: Op::Withdraw(vec![value]),
            },
            JournalOp::Clear { peer } => BatchCommand {
                peers: vec![peer],
                op: Op::ClearOut,
            },
        };
        commands.push(c);
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_ipc::Journal;
    use ferrobgp_wire::route::Route;

    fn route(o: u8) -> Route {
        Route::new(
            ferrobgp_wire::nlri::Prefix::unicast(format!("10.{o}.0.0/24").parse().expect("prefix")),
            ferrobgp_wire::route::NextHop::V4("127.0.0.1".parse().expect("next hop")),
            Default::default(),
        )
    }

    #[test]
    fn a_batch_journaled_and_replayed_gives_the_same_table() {
        let entry = |o| RouteEntry::plain(route(o));
        let cmds = vec![
            BatchCommand {
                peers: vec![1, 2],
                op: Op::Announce(vec![entry(1), entry(2)]),
            },
            BatchCommand {
                peers: vec![2],
                op: Op::Withdraw(vec![route(1)]),
            },
            // refused (unknown peer): journals nothing
            BatchCommand {
                peers: vec![1, 9],
                op: Op::Withdraw(vec![route(2)]),
            },
            BatchCommand {
                peers: vec![3],
                op: Op::ClearOut,
            },
            BatchCommand {
                peers: vec![1],
                op: Op::WithdrawWatchdog("w".into()),
            },
            // not journaled: nothing to restore
            BatchCommand {
                peers: vec![1],
                op: Op::FlushOut,
            },
        ];
        let mut fresh = crate::Rib::new();
        let mut direct = crate::Rib::new();
        for p in [1, 2, 3] {
            fresh.add_peer(p, crate::PeerRib::new(true, true));
            direct.add_peer(p, crate::PeerRib::new(true, true));
        }
        let results = direct.apply_batch(&cmds).results;
        assert!(results[2].is_err());
        let mut j = Journal::new();
        j.apply_ops(&ops_of(&cmds, &results));
        assert_eq!(j.len(), 3);
        let replay: Vec<BatchCommand> = j.replay(1).iter().flat_map(commands_of).collect();
        let one = |peer: u32, op: Op| BatchCommand {
            peers: vec![peer],
            op,
        };
        assert_eq!(
            replay,
            vec![
                one(3, Op::ClearOut),
                one(1, Op::Announce(vec![entry(1)])),
                one(1, Op::Announce(vec![entry(2)])),
                one(2, Op::Withdraw(vec![route(1)])),
                one(2, Op::Announce(vec![entry(2)])),
                one(1, Op::WithdrawWatchdog("w".into())),
            ]
        );
        // replayed on a fresh table, the result is the table the batch made
        fresh.apply_batch(&replay);
        for p in [1, 2, 3] {
            let routes = |r: &crate::Rib| -> Vec<Route> {
                r.peer(p)
                    .map(|x| x.out.routes().map(std::borrow::Cow::into_owned).collect())
                    .unwrap_or_default()
            };
            assert_eq!(routes(&fresh), routes(&direct), "peer {p}");
        }
    }
}
