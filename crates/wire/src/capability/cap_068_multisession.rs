//! Capability 68, Multisession BGP (draft-ietf-idr-bgp-multisession-07
//! section 4), and 131, the code Cisco uses for it.
//!
//! > The Capability Value field contains one octet of flags followed by the
//! > Session Id: a list of zero or more capability codes (1 octet each)
//! > defined in BGP, whose values will be used to distinguish one group
//! > from another. ... Empty Session Id list and Session Id containing 1
//! > (one, Multiprotocol Extensions) as the only value are considered equal.
//!
//! ExaBGP (the reference) does not send this layout: it sends the flags
//! octet and each Session Id code as separate one-octet capability 68
//! TLVs (`44 01 00`, `44 01 01`). The OPEN builder reproduces that; this
//! type reads and writes one TLV as the draft defines it, and keeps a
//! zero-length value distinct ([`Multisession::flags`] is `None`).

use super::codes;
use crate::codec::Writer;
use serde::{Deserialize, Serialize};

/// One Multisession capability TLV.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Multisession {
    /// Sent with Cisco's code 131 rather than 68.
    pub cisco: bool,
    /// The flags octet; `None` when the value was empty.
    pub flags: Option<u8>,
    /// Session Id: capability codes.
    pub codes: Vec<u8>,
}

impl Multisession {
    pub fn code(&self) -> u8 {
        if self.cisco {
            codes::MULTISESSION_CISCO
        } else {
            codes::MULTISESSION
        }
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(f) = self.flags {
            out.put_u8(f);
            out.put_slice(&self.codes);
        }
    }
}

pub fn decode(code: u8, value: &[u8]) -> Multisession {
    let cisco = code == codes::MULTISESSION_CISCO;
    match value.split_first() {
        None => Multisession {
            cisco,
            flags: None,
            codes: Vec::new(),
        },
        Some((f, rest)) => Multisession {
            cisco,
            flags: Some(*f),
            codes: rest.to_vec(),
        },
    }
}
