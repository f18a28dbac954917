//! AS4_PATH (type code 17), RFC 6793 section 3.
//!
//! > This document defines a new BGP path attribute called AS4_PATH. This
//! > is an optional transitive attribute that contains the AS path encoded
//! > with four-octet AS numbers. The AS4_PATH attribute has the same
//! > semantics and the same encoding as the AS_PATH attribute, except that
//! > it is "optional transitive", and it carries four-octet AS numbers.
//!
//! Flags 0xC0. It never appears in an attribute set: when the peer is not
//! ASN4-capable the encoder emits it right after AS_PATH (ExaBGP's order,
//! spec 7.3) whenever the path holds an ASN above 65535, without
//! confederation segments; the decoder merges a received one into AS_PATH
//! ([`AsPath::merge_as4`]). Received from an ASN4 peer (where it must not
//! be sent) it is kept as an unknown attribute. RFC 6793 section 6: a
//! malformed AS4_PATH is discarded ("attribute discard").

use super::attr_02_as_path::AsPath;
use super::AttrError;

pub fn decode(value: &[u8]) -> Result<AsPath, AttrError> {
    let p = AsPath::decode(value, true)?;
    Ok(p.confed_free())
}

pub fn encode(path: &AsPath, out: &mut Vec<u8>) {
    path.confed_free().encode(true, out)
}
