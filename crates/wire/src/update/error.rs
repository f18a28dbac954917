//! RFC 7606 ("Revised Error Handling for BGP UPDATE Messages") verdicts.
//!
//! Decoding an UPDATE never stops at the first problem: every malformed part
//! gets a [`Malformation`] naming the action RFC 7606 (and the RFC of the
//! attribute or address family) prescribes for it, from the mildest to the
//! hardest:
//!
//! * [`Verdict::AttributeDiscard`] — the attribute is dropped, the UPDATE is
//!   otherwise processed (RFC 7606 section 2, e.g. ATOMIC_AGGREGATE,
//!   AGGREGATOR, AS4_PATH, AIGP, duplicate attributes, LOCAL_PREF from an
//!   external peer, BGP Prefix-SID, BGP-LS attribute);
//! * [`Verdict::NlriDiscard`] — one NLRI, delimited by its own length but
//!   malformed inside it, is dropped and the rest of the UPDATE processed
//!   (RFC 9552 section 8.2.2 for BGP-LS, the procedure of RFC 7606 5.4);
//! * [`Verdict::TreatAsWithdraw`] — every route the UPDATE announces is
//!   withdrawn instead (ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF,
//!   COMMUNITIES, CLUSTER_LIST, ORIGINATOR_ID, EXTENDED_COMMUNITIES,
//!   LARGE_COMMUNITY, missing well-known attributes, attribute overrun, and
//!   a FlowSpec rule malformed inside its intact length: RFC 8955 4.2);
//! * "AFI/SAFI disable" (RFC 4760 section 7) is not offered: the session
//!   worker cannot ignore one family alone, so where RFC 7606 allows it or a
//!   session reset, the reset is chosen;
//! * [`Verdict::SessionReset`] — the NLRI cannot be located reliably
//!   (MP_REACH/MP_UNREACH header malformed or repeated, an NLRI overrunning
//!   its field or with a length inconsistent with its family, NLRI or
//!   withdrawn field malformed, inconsistent lengths): the session is reset
//!   with the NOTIFICATION carried.
//!
//! A session reset is returned as [`crate::Error::Malformed`] and ends
//! decoding; the others are listed in the decoded UPDATE, and the strongest
//! one decides (RFC 7606 section 3(h): session reset > AFI/SAFI disable >
//! treat-as-withdraw > attribute discard; an NLRI discard concerns one NLRI
//! and ranks with attribute discard). The rule of each address family is
//! in [`crate::nlri::malformed`].

use crate::error::Notify;
use crate::family::Family;
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    AttributeDiscard,
    NlriDiscard,
    TreatAsWithdraw,
    SessionReset(Notify),
}

impl Verdict {
    /// Strength, for RFC 7606 section 3(h): the strongest verdict of an
    /// UPDATE is the one applied.
    pub fn rank(&self) -> u8 {
        match self {
            Verdict::AttributeDiscard | Verdict::NlriDiscard => 0,
            Verdict::TreatAsWithdraw => 1,
            Verdict::SessionReset(_) => 2,
        }
    }
}

/// One malformed part of an UPDATE and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformation {
    pub verdict: Verdict,
    /// The attribute type code concerned, when the problem is an attribute.
    pub attribute: Option<u8>,
    /// The address family concerned, when the problem is an NLRI of an
    /// MP_REACH_NLRI / MP_UNREACH_NLRI.
    pub family: Option<Family>,
    pub reason: Cow<'static, str>,
}

impl fmt::Display for Malformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.verdict {
            Verdict::AttributeDiscard => "attribute discarded".to_string(),
            Verdict::NlriDiscard => "NLRI discarded".to_string(),
            Verdict::TreatAsWithdraw => "treated as withdraw".to_string(),
            Verdict::SessionReset(n) => format!("session reset ({}/{})", n.code, n.subcode),
        };
        match (self.attribute, self.family) {
            (Some(c), Some(fam)) => write!(f, "{what}: attribute {c} ({fam}): {}", self.reason),
            (Some(c), None) => write!(f, "{what}: attribute {c}: {}", self.reason),
            (None, Some(fam)) => write!(f, "{what}: {fam}: {}", self.reason),
            (None, None) => write!(f, "{what}: {}", self.reason),
        }
    }
}
