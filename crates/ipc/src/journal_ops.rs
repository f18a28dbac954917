//! Journal changes as they travel between the rib and the supervisor
//! ([`crate::RibToSupervisor::Journal`], [`crate::SupervisorToRib::Journal`]):
//! [`JournalOps`], each attribute set once and the routes referring to it
//! by index, as [`crate::ChangeList`] does for a worker. A batch of a
//! thousand routes of one set sends that set once, not a thousand times,
//! and the supervisor reads it once. [`JournalOp`] is one change with its
//! route whole, for whoever builds or reads them one at a time.

use crate::messages::PeerId;
use crate::sets::SetTable;
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::{NextHop, Route};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// An announced route as the journal keeps it: the route and its
/// `watchdog` group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRoute {
    pub route: Route,
    /// `watchdog NAME`: member of that group.
    pub watchdog: Option<String>,
    /// Announced withdrawn (`withdraw` with `watchdog`).
    pub withdrawn: bool,
}

/// One change to the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JournalOp {
    /// `peer` announces `value` (replaces what was there under its key).
    Announce { peer: PeerId, value: JournalRoute },
    /// `peer` no longer announces what is under the key of `value`, the
    /// withdrawn route (the rib withdraws by route).
    Withdraw { peer: PeerId, value: Route },
    /// `clear adj-rib out`: every route of `peer` goes, configured ones
    /// included (its watchdogs stay).
    Clear { peer: PeerId },
    /// `announce watchdog` (`announced`) or `withdraw watchdog` for `peer`.
    Watchdog {
        peer: PeerId,
        name: String,
        announced: bool,
    },
}

/// One change as a message carries it: a route's attribute set is an
/// index into the message's sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Op {
    Announce {
        peer: PeerId,
        nlri: Nlri,
        next_hop: NextHop,
        set: u32,
        watchdog: Option<String>,
        withdrawn: bool,
    },
    Withdraw {
        peer: PeerId,
        nlri: Nlri,
        next_hop: NextHop,
        set: u32,
    },
    Clear {
        peer: PeerId,
    },
    Watchdog {
        peer: PeerId,
        name: String,
        announced: bool,
    },
}

impl Op {
    fn set(&self) -> Option<u32> {
        match self {
            Op::Announce { set, .. } | Op::Withdraw { set, .. } => Some(*set),
            Op::Clear { .. } | Op::Watchdog { .. } => None,
        }
    }
}

/// The journal changes of one message, in order.
#[derive(Debug, Clone, Default)]
pub struct JournalOps {
    sets: SetTable,
    ops: Vec<Op>,
}

impl JournalOps {
    pub fn new() -> JournalOps {
        JournalOps::default()
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Appends the announcement of `route` by `peer`.
    pub fn announce(
        &mut self,
        peer: PeerId,
        route: &Route,
        watchdog: Option<&str>,
        withdrawn: bool,
    ) {
        let set = self.sets.index(&route.attributes);
        self.ops.push(Op::Announce {
            peer,
            nlri: route.nlri.clone(),
            next_hop: route.next_hop.clone(),
            set,
            watchdog: watchdog.map(str::to_owned),
            withdrawn,
        });
    }

    /// Appends the withdrawal of `route` by `peer`.
    pub fn withdraw(&mut self, peer: PeerId, route: &Route) {
        let set = self.sets.index(&route.attributes);
        self.ops.push(Op::Withdraw {
            peer,
            nlri: route.nlri.clone(),
            next_hop: route.next_hop.clone(),
            set,
        });
    }

    /// Appends `op`.
    pub fn push(&mut self, op: JournalOp) {
        match op {
            JournalOp::Announce { peer, value } => self.announce(
                peer,
                &value.route,
                value.watchdog.as_deref(),
                value.withdrawn,
            ),
            JournalOp::Withdraw { peer, value } => self.withdraw(peer, &value),
            JournalOp::Clear { peer } => self.ops.push(Op::Clear { peer }),
            JournalOp::Watchdog {
                peer,
                name,
                announced,
            } => self.ops.push(Op::Watchdog {
                peer,
                name,
                announced,
            }),
        }
    }

    /// The changes, each route with its set.
    pub fn iter(&self) -> impl Iterator<Item = JournalOp> + '_ {
        self.ops.iter().map(|op| self.expand(op))
    }

    fn route(&self, nlri: &Nlri, next_hop: &NextHop, set: u32) -> Route {
        let attributes = self.sets.get(set).cloned().unwrap_or_default();
        Route::new(nlri.clone(), next_hop.clone(), attributes)
    }

    fn expand(&self, op: &Op) -> JournalOp {
        match op {
            Op::Announce {
                peer,
                nlri,
                next_hop,
                set,
                watchdog,
                withdrawn,
            } => JournalOp::Announce {
                peer: *peer,
                value: JournalRoute {
                    route: self.route(nlri, next_hop, *set),
                    watchdog: watchdog.clone(),
                    withdrawn: *withdrawn,
                },
            },
            Op::Withdraw {
                peer,
                nlri,
                next_hop,
                set,
            } => JournalOp::Withdraw {
                peer: *peer,
                value: self.route(nlri, next_hop, *set),
            },
            Op::Clear { peer } => JournalOp::Clear { peer: *peer },
            Op::Watchdog {
                peer,
                name,
                announced,
            } => JournalOp::Watchdog {
                peer: *peer,
                name: name.clone(),
                announced: *announced,
            },
        }
    }

    /// The changes as they travel, and their sets (for the journal).
    pub(crate) fn parts(&self) -> (&[Op], &[Arc<Attributes>]) {
        (&self.ops, self.sets.sets())
    }
}

impl From<Vec<JournalOp>> for JournalOps {
    fn from(ops: Vec<JournalOp>) -> JournalOps {
        let mut out = JournalOps::new();
        ops.into_iter().for_each(|op| out.push(op));
        out
    }
}

/// Equal when they hold the same changes, whatever the order of their sets.
impl PartialEq for JournalOps {
    fn eq(&self, other: &JournalOps) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for JournalOps {}

/// The message's form (bincode: the fields in order, so the borrowed and
/// the owned forms read and write the same bytes).
#[derive(Serialize)]
struct FrameRef<'a> {
    sets: &'a [Arc<Attributes>],
    ops: &'a [Op],
}

#[derive(Deserialize)]
struct Frame {
    sets: Vec<Arc<Attributes>>,
    ops: Vec<Op>,
}

impl Serialize for JournalOps {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FrameRef {
            sets: self.sets.sets(),
            ops: &self.ops,
        }
        .serialize(s)
    }
}

/// A route referring to a set the message does not hold is refused when
/// the message is read.
impl<'de> Deserialize<'de> for JournalOps {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JournalOps, D::Error> {
        let Frame { sets, ops } = Frame::deserialize(d)?;
        if let Some(bad) = ops
            .iter()
            .filter_map(Op::set)
            .find(|s| *s as usize >= sets.len())
        {
            return Err(serde::de::Error::custom(format!(
                "journal route refers to set {bad} of {}",
                sets.len()
            )));
        }
        Ok(JournalOps {
            sets: SetTable::of(sets),
            ops,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::{bincode_config, encode_frame};

    fn route(o: u8, med: u32) -> Route {
        Route::new(
            ferrobgp_wire::nlri::Prefix::unicast(format!("10.{o}.0.0/24").parse().unwrap()),
            NextHop::V4("192.0.2.1".parse().unwrap()),
            Arc::new(Attributes {
                med: Some(med),
                ..Attributes::default()
            }),
        )
    }

    fn ops() -> Vec<JournalOp> {
        vec![
            JournalOp::Announce {
                peer: 1,
                value: JournalRoute {
                    route: route(1, 5),
                    watchdog: Some("dog".into()),
                    withdrawn: true,
                },
            },
            JournalOp::Withdraw {
                peer: 2,
                value: route(2, 6),
            },
            JournalOp::Announce {
                peer: 2,
                value: JournalRoute {
                    route: route(3, 5),
                    watchdog: None,
                    withdrawn: false,
                },
            },
            JournalOp::Clear { peer: 3 },
            JournalOp::Watchdog {
                peer: 4,
                name: "dog".into(),
                announced: true,
            },
        ]
    }

    #[test]
    fn changes_come_back_as_pushed_with_equal_sets_sent_once() {
        let j = JournalOps::from(ops());
        assert_eq!(j.iter().collect::<Vec<_>>(), ops());
        assert_eq!(j.parts().1.len(), 2, "MED 5 twice, MED 6 once");
        let bytes = bincode::serde::encode_to_vec(&j, bincode_config()).unwrap();
        let (back, _): (JournalOps, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode_config()).unwrap();
        assert_eq!(back, j);
        assert!(encode_frame(&j, 0).is_ok());
    }

    #[test]
    fn a_route_without_its_set_is_refused() {
        let bad = FrameRef {
            sets: &[],
            ops: &[Op::Withdraw {
                peer: 1,
                nlri: route(1, 1).nlri,
                next_hop: NextHop::None,
                set: 0,
            }],
        };
        let bytes = bincode::serde::encode_to_vec(&bad, bincode_config()).unwrap();
        let got: Result<(JournalOps, usize), _> =
            bincode::serde::decode_from_slice(&bytes, bincode_config());
        assert!(got.is_err());
    }
}
