//! LOCAL_PREF (type code 5), RFC 4271 section 5.1.5.
//!
//! > LOCAL_PREF is a well-known attribute that SHALL be included in all
//! > UPDATE messages that a given BGP speaker sends to other internal
//! > peers. [...] A BGP speaker MUST NOT include this attribute in UPDATE
//! > messages it sends to external peers.
//!
//! Four octets, flags 0x40. ExaBGP adds LOCAL_PREF 100 on iBGP when absent
//! and strips it on eBGP even when configured (spec 7.3). RFC 7606 section
//! 7.5: a length other than 4 is handled by "treat-as-withdraw".

use super::AttrError;

/// The value ExaBGP sends to internal peers when none is configured.
pub const DEFAULT: u32 = 100;

pub fn decode(value: &[u8]) -> Result<u32, AttrError> {
    super::decode_u32(value)
}

pub fn encode(pref: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(&pref.to_be_bytes());
}
