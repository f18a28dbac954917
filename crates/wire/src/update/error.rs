//! RFC 7606 ("Revised Error Handling for BGP UPDATE Messages") verdicts.
//!
//! Decoding an UPDATE never stops at the first problem: every malformed part
//! gets a [`Malformation`] naming the action RFC 7606 (and the RFC of the
//! attribute) prescribes for it, from the mildest to the hardest:
//!
//! * [`Verdict::AttributeDiscard`] — the attribute is dropped, the UPDATE is
//!   otherwise processed (RFC 7606 section 2, e.g. ATOMIC_AGGREGATE,
//!   AGGREGATOR, AS4_PATH, AIGP, duplicate attributes, LOCAL_PREF from an
//!   external peer);
//! * [`Verdict::TreatAsWithdraw`] — every route the UPDATE announces is
//!   withdrawn instead (ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF,
//!   COMMUNITIES, CLUSTER_LIST, ORIGINATOR_ID, EXTENDED_COMMUNITIES,
//!   LARGE_COMMUNITY, missing well-known attributes, attribute overrun);
//! * [`Verdict::SessionReset`] — the NLRI cannot be located reliably
//!   (MP_REACH/MP_UNREACH malformed or repeated, NLRI or withdrawn field
//!   malformed, inconsistent lengths): the session is reset with the
//!   NOTIFICATION carried.
//!
//! A session reset is returned as [`crate::Error::Malformed`]; the others
//! are listed in the decoded UPDATE.

use crate::error::Notify;
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    AttributeDiscard,
    TreatAsWithdraw,
    SessionReset(Notify),
}

/// One malformed part of an UPDATE and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformation {
    pub verdict: Verdict,
    /// The attribute type code concerned, when the problem is an attribute.
    pub attribute: Option<u8>,
    pub reason: Cow<'static, str>,
}

impl fmt::Display for Malformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.verdict {
            Verdict::AttributeDiscard => "attribute discarded".to_string(),
            Verdict::TreatAsWithdraw => "treated as withdraw".to_string(),
            Verdict::SessionReset(n) => format!("session reset ({}/{})", n.code, n.subcode),
        };
        match self.attribute {
            Some(c) => write!(f, "{what}: attribute {c}: {}", self.reason),
            None => write!(f, "{what}: {}", self.reason),
        }
    }
}
