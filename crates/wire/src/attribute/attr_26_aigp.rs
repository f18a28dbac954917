//! AIGP, Accumulated IGP Metric (type code 26), RFC 7311 section 3.
//!
//! > The AIGP attribute is an optional, non-transitive BGP path attribute.
//! > [...] The value field of the AIGP attribute is defined here to be a
//! > set of elements encoded as "Type/Length/Value" (i.e., a set of TLVs).
//!
//! Only TLV type 1 (AIGP, an 8-octet metric; TLV length 11 including its
//! 3-octet header) is defined; ExaBGP sends exactly one. Flags 0x80. RFC
//! 7311 section 3.1 / RFC 7606: a malformed AIGP attribute is discarded
//! ("attribute discard").

use super::AttrError;

pub const TLV_AIGP: u8 = 1;

pub fn decode(value: &[u8]) -> Result<u64, AttrError> {
    match value {
        [TLV_AIGP, 0, 11, rest @ ..] if rest.len() == 8 => {
            let mut a = [0u8; 8];
            a.copy_from_slice(rest);
            Ok(u64::from_be_bytes(a))
        }
        _ => Err(AttrError::new("AIGP is not one TLV of type 1")),
    }
}

pub fn encode(metric: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(&[TLV_AIGP, 0, 11]);
    out.extend_from_slice(&metric.to_be_bytes());
}
