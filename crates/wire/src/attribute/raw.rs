//! Path attributes kept as received: any type code this crate does not
//! interpret (RFC 4271 section 5: unrecognized optional transitive
//! attributes are passed on with the Partial bit set; non-transitive ones
//! are dropped by a router, but a route injector keeps them for display),
//! and ExaBGP's generic `attribute [ 0xCODE 0xFLAGS 0xDATA ]`.
//!
//! The flags are kept exactly, extended-length bit included: the attribute
//! re-encodes byte for byte (ExaBGP's conformance test conf-generic-attribute
//! sends `0x70` flags with a 2-byte length for a 4-byte value).

use super::flag;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RawAttribute {
    /// Sort key first: attributes are emitted in type-code order.
    pub code: u8,
    pub flags: u8,
    pub value: Box<[u8]>,
}

impl RawAttribute {
    /// A raw attribute; a value longer than 255 bytes gets the
    /// extended-length flag (it cannot be written otherwise).
    pub fn new(code: u8, flags: u8, value: impl Into<Box<[u8]>>) -> RawAttribute {
        let value = value.into();
        let flags = if value.len() > 255 {
            flags | flag::EXTENDED_LENGTH
        } else {
            flags
        };
        RawAttribute { code, flags, value }
    }

    /// Appends the whole attribute (flags, code, length, value). The length
    /// is two bytes when the flags say so, or when the value needs it (the
    /// extended-length bit is then set).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let ext = self.flags & flag::EXTENDED_LENGTH != 0 || self.value.len() > 255;
        if ext {
            out.push(self.flags | flag::EXTENDED_LENGTH);
            out.push(self.code);
            out.extend_from_slice(&(self.value.len().min(0xFFFF) as u16).to_be_bytes());
        } else {
            out.push(self.flags);
            out.push(self.code);
            out.push(self.value.len() as u8);
        }
        out.extend_from_slice(&self.value[..self.value.len().min(0xFFFF)]);
    }

    /// Bytes [`RawAttribute::encode`] writes.
    pub fn wire_len(&self) -> usize {
        let ext = self.flags & flag::EXTENDED_LENGTH != 0 || self.value.len() > 255;
        (if ext { 4 } else { 3 }) + self.value.len().min(0xFFFF)
    }
}
