//! [`Received`]: a decoded UPDATE with the RFC 7606 problems found in it,
//! and the views of it the rest of the speaker reads (the verdict applied,
//! the UPDATE as reported to helpers, the route changes it means).

use super::error::{Malformation, Verdict};
use super::Update;
use crate::family::Family;
use crate::nlri::Nlri;
use crate::route::{NextHop, Route, RouteChange};
use std::borrow::Cow;
use std::sync::Arc;

/// A decoded UPDATE and the problems found in it (none of them a session
/// reset: those are returned as errors).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Received {
    pub update: Update,
    pub malformations: Vec<Malformation>,
}

impl Received {
    /// Whether RFC 7606 says to withdraw every route this UPDATE announces.
    pub fn treat_as_withdraw(&self) -> bool {
        self.malformations
            .iter()
            .any(|m| m.verdict == Verdict::TreatAsWithdraw)
    }

    /// The strongest verdict of this UPDATE (RFC 7606 section 3(h): the
    /// one applied), `None` when nothing in it is malformed. A session reset
    /// never appears here: it is the error of [`super::decode::decode`].
    pub fn verdict(&self) -> Option<&Verdict> {
        self.malformations
            .iter()
            .map(|m| &m.verdict)
            .max_by_key(|v| v.rank())
    }

    pub fn eor(&self) -> Option<Family> {
        if self.malformations.is_empty() {
            self.update.eor()
        } else {
            None
        }
    }

    /// The UPDATE as it is reported to helpers and `show`: itself, or with
    /// treat-as-withdraw (RFC 7606 section 2) every route it announces moved
    /// to the withdrawals (after those it withdrew itself, in wire order:
    /// NLRI field, then MP_REACH_NLRI) and no next hop, as ExaBGP turns the
    /// routes of such an UPDATE into withdrawals. The attributes are kept
    /// (those that decoded): they say what was received. A view for
    /// rendering only: IPv4 unicast and other families share `withdrawn`,
    /// so it is never encoded.
    pub fn reported(&self) -> Cow<'_, Update> {
        if self.treat_as_withdraw() {
            Cow::Owned(withdrawals_of(self.update.clone()))
        } else {
            Cow::Borrowed(&self.update)
        }
    }

    /// [`Received::reported`], taking the UPDATE rather than copying it.
    pub fn into_reported(self) -> Update {
        if self.treat_as_withdraw() {
            withdrawals_of(self.update)
        } else {
            self.update
        }
    }

    /// The route changes this UPDATE means, in wire order: withdrawals
    /// (withdrawn field, MP_UNREACH) then announcements (NLRI field,
    /// MP_REACH) — or withdrawals of those too when treat-as-withdraw
    /// applies. Announced routes share one attribute set.
    pub fn changes(&self) -> Vec<RouteChange> {
        let u = &self.update;
        let taw = self.treat_as_withdraw();
        let attrs = Arc::new(if taw {
            Default::default()
        } else {
            u.attributes.clone()
        });
        let mut out = Vec::with_capacity(
            u.withdrawn.len()
                + u.nlri.len()
                + u.mp_unreach.as_ref().map_or(0, |m| m.nlri.len())
                + u.mp_reach.as_ref().map_or(0, |m| m.nlri.len()),
        );
        let withdraw = |n: &Nlri| RouteChange::Withdraw(Route::bare(n.clone()));
        out.extend(u.withdrawn.iter().map(withdraw));
        if let Some(m) = &u.mp_unreach {
            out.extend(m.nlri.iter().map(withdraw));
        }
        let nh4 = u.next_hop.map_or(NextHop::None, NextHop::V4);
        let mut announce = |n: &Nlri, nh: &NextHop| {
            out.push(if taw {
                withdraw(n)
            } else {
                RouteChange::Announce(Route {
                    nlri: n.clone(),
                    next_hop: nh.clone(),
                    attributes: attrs.clone(),
                })
            })
        };
        for n in &u.nlri {
            announce(n, &nh4);
        }
        if let Some(m) = &u.mp_reach {
            for n in &m.nlri {
                announce(n, &m.next_hop);
            }
        }
        out
    }
}

/// `u` as treat-as-withdraw reports it (see [`Received::reported`]): every
/// route it announces moved to the withdrawals, after those it withdrew
/// itself, in wire order, and no next hop.
fn withdrawals_of(mut u: Update) -> Update {
    let mut withdrawn = std::mem::take(&mut u.withdrawn);
    let mut later = Vec::new();
    if let Some(m) = &mut u.mp_unreach {
        later.append(&mut m.nlri);
    }
    withdrawn.append(&mut u.nlri);
    withdrawn.append(&mut later);
    if let Some(r) = u.mp_reach.take() {
        withdrawn.extend(r.nlri);
    }
    if u.mp_unreach.as_ref().is_some_and(|m| m.nlri.is_empty()) {
        u.mp_unreach = None;
    }
    u.withdrawn = withdrawn;
    u.next_hop = None;
    u
}
