//! BGP-LS Attribute (type code 29, RFC 9552 section 5.3, which obsoletes
//! RFC 7752; with the segment routing TLVs of RFC 9085 and the SRv6 TLVs
//! of RFC 9514): an optional non-transitive attribute made of TLVs (type 2
//! bytes, length 2 bytes) describing a node, link or prefix.
//!
//! Decode-only (ExaBGP never originates BGP-LS): the attribute travels as a
//! [`super::RawAttribute`]; [`validate`] checks its TLV framing (RFC 9552
//! section 8.2.2: a malformed BGP-LS attribute is discarded, never a session
//! reset). Its TLVs decode into the typed model of
//! [`crate::bgp_ls::LsAttribute`], which the api crate's renderings (ExaBGP's
//! `"bgp-ls"` JSON object and text) read.

use super::AttrError;
use crate::bgp_ls::tlvs;

/// Checks the TLV framing of an attribute value (each TLV within the
/// value): what RFC 9552 section 8.2.2 asks before the attribute is used.
pub fn validate(value: &[u8]) -> Result<(), AttrError> {
    match tlvs(value).find_map(Result::err) {
        Some(e) => Err(AttrError::new(format!(
            "BGP-LS attribute: TLV overruns the attribute: {e}"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing() {
        assert!(validate(&[4, 0, 0, 1, 0x80, 4, 2, 0, 0]).is_ok());
        assert!(validate(&[]).is_ok());
        assert!(validate(&[4, 0, 0, 2, 0x80]).is_err());
        assert!(validate(&[4, 0, 0]).is_err());
    }
}
