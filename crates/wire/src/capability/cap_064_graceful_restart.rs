//! Capability 64, Graceful Restart (RFC 4724 section 3, flags from RFC 8538).
//!
//! > Restart Flags (4 bits), Restart Time in seconds (12 bits), followed by
//! > zero or more <AFI (16 bits), SAFI (8 bits), Flags for Address Family
//! > (8 bits)>. ... The most significant bit of the Restart Flags is the
//! > Restart State (R) bit ... The second most significant bit is the
//! > Graceful Notification (N) bit (RFC 8538). The most significant bit of
//! > the Flags for Address Family is the Forwarding State (F) bit.

use super::malformed;
use crate::codec::{Reader, Writer};
use crate::error::Result;
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};

/// Restart State (R) bit of the 4-bit restart flags.
pub const RESTART_STATE: u8 = 0x8;
/// Graceful Notification (N) bit of the 4-bit restart flags (RFC 8538).
pub const GRACEFUL_NOTIFICATION: u8 = 0x4;
/// Forwarding State (F) bit of a family's flags.
pub const FORWARDING_STATE: u8 = 0x80;
/// The restart time is 12 bits on the wire.
pub const TIME_MASK: u16 = 0x0fff;

/// One family of the Graceful Restart capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GracefulRestartFamily {
    pub family: Family,
    /// Family flags; [`FORWARDING_STATE`] is the only defined bit.
    pub flags: u8,
}

/// The Graceful Restart capability value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GracefulRestart {
    /// The 4 restart flag bits (0..=15): [`RESTART_STATE`], [`GRACEFUL_NOTIFICATION`].
    pub flags: u8,
    /// Restart time in seconds (0..=4095).
    pub time: u16,
    pub families: Vec<GracefulRestartFamily>,
}

pub fn decode(value: &[u8]) -> Result<GracefulRestart> {
    let mut r = Reader::new(value);
    let head = r.u16().map_err(|e| {
        malformed(format!(
            "invalid graceful-restart capability, not enough data for the header: {e}"
        ))
    })?;
    if r.left() % 4 != 0 {
        return Err(malformed(format!(
            "invalid graceful-restart capability, {} bytes of family data is not a list of 4-byte entries",
            r.left()
        )));
    }
    let mut families = Vec::with_capacity(r.left() / 4);
    while let (Ok(afi), Ok(safi), Ok(flags)) = (r.u16(), r.u8(), r.u8()) {
        families.push(GracefulRestartFamily {
            family: Family::new(Afi(afi), Safi(safi)),
            flags,
        });
    }
    Ok(GracefulRestart {
        flags: (head >> 12) as u8,
        time: head & TIME_MASK,
        families,
    })
}

pub fn encode(gr: &GracefulRestart, out: &mut Vec<u8>) {
    out.put_u16((u16::from(gr.flags & 0xf) << 12) | (gr.time & TIME_MASK));
    for f in &gr.families {
        out.put_u16(f.family.afi.0);
        out.put_u8(f.family.safi.0);
        out.put_u8(f.flags);
    }
}
