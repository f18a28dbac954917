//! ATOMIC_AGGREGATE (type code 6), RFC 4271 section 5.1.6.
//!
//! > ATOMIC_AGGREGATE is a well-known discretionary attribute. When a BGP
//! > speaker aggregates several routes for the purpose of advertisement to
//! > a particular peer, the AS_PATH of the aggregated route normally
//! > includes an AS_SET [...].
//!
//! Length 0, flags 0x40. RFC 7606 section 7.6: any other length is handled
//! by "attribute discard".

use super::AttrError;

pub fn decode(value: &[u8]) -> Result<(), AttrError> {
    if value.is_empty() {
        Ok(())
    } else {
        Err(AttrError::length(value.len()))
    }
}
