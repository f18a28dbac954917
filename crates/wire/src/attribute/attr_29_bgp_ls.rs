//! BGP-LS Attribute (type code 29, RFC 7752 section 3.3, with the segment
//! routing TLVs of RFC 9085): an optional non-transitive attribute made of
//! TLVs (type 2 bytes, length 2 bytes) describing a node, link or prefix.
//!
//! Decode-only (ExaBGP never originates BGP-LS): the attribute travels as a
//! [`super::RawAttribute`]; [`validate`] checks its TLV framing (RFC 7752
//! section 8.2.2: a malformed BGP-LS attribute is discarded, never a session
//! reset). Its renderings (ExaBGP's `"bgp-ls"` JSON object and text) are
//! the api crate's.

use super::AttrError;
use crate::codec::Reader;

/// Checks the TLV framing of an attribute value (each TLV within the
/// value): what RFC 9552 section 8.2.2 asks before the attribute is used.
pub fn validate(value: &[u8]) -> Result<(), AttrError> {
    let mut r = Reader::new(value);
    while !r.is_empty() {
        let ok = r.u16().is_ok() && r.u16().ok().is_some_and(|l| r.take(usize::from(l)).is_ok());
        if !ok {
            return Err(AttrError::new(
                "BGP-LS attribute: TLV overruns the attribute",
            ));
        }
    }
    Ok(())
}
