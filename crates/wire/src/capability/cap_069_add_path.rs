//! Capability 69, ADD-PATH (RFC 7911 section 4).
//!
//! > The Capability Value field consists of one or more of the following
//! > tuples: AFI (2 octets), SAFI (1 octet), Send/Receive (1 octet) ...
//! > Send/Receive: This field indicates whether the sender is (a) able to
//! > receive multiple paths from its peer (value 1), (b) able to send
//! > multiple paths to its peer (value 2), or (c) both (value 3) for the
//! > <AFI, SAFI>.
//!
//! Values other than 1..=3 are kept as received (the negotiation reads the
//! two low bits, as ExaBGP does).

use super::malformed;
use crate::codec::{Reader, Writer};
use crate::error::Result;
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};

/// The Send/Receive octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AddPathMode(pub u8);

impl AddPathMode {
    pub const RECEIVE: AddPathMode = AddPathMode(1);
    pub const SEND: AddPathMode = AddPathMode(2);
    pub const BOTH: AddPathMode = AddPathMode(3);

    pub fn receive(self) -> bool {
        self.0 & 1 != 0
    }
    pub fn send(self) -> bool {
        self.0 & 2 != 0
    }

    /// ExaBGP's rendering: `receive`, `send`, `send/receive`.
    pub fn name(self) -> String {
        match self.0 {
            1 => "receive".into(),
            2 => "send".into(),
            3 => "send/receive".into(),
            n => format!("invalid ({n})"),
        }
    }
}

/// One <AFI, SAFI, Send/Receive> tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AddPathEntry {
    pub family: Family,
    pub mode: AddPathMode,
}

pub fn decode(value: &[u8]) -> Result<Vec<AddPathEntry>> {
    if value.len() % 4 != 0 {
        return Err(malformed(format!(
            "invalid ADD-PATH capability, {} bytes is not a list of 4-byte entries",
            value.len()
        )));
    }
    let mut r = Reader::new(value);
    let mut out = Vec::with_capacity(value.len() / 4);
    while let (Ok(afi), Ok(safi), Ok(mode)) = (r.u16(), r.u8(), r.u8()) {
        out.push(AddPathEntry {
            family: Family::new(Afi(afi), Safi(safi)),
            mode: AddPathMode(mode),
        });
    }
    Ok(out)
}

pub fn encode(entries: &[AddPathEntry], out: &mut Vec<u8>) {
    for e in entries {
        out.put_u16(e.family.afi.0);
        out.put_u8(e.family.safi.0);
        out.put_u8(e.mode.0);
    }
}
