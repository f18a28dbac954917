//! Capability 75, Software Version (draft-abraitis-bgp-version-capability).
//!
//! > Version Length (1 octet), Software Version (variable, UTF-8 encoded
//! > string, up to 64 octets).
//!
//! ExaBGP sends `ExaBGP/<version>`, cut to 61 bytes plus `...` when longer
//! than 64. Bytes after the announced length are ignored; a version that
//! is not UTF-8 is a malformed OPEN (2/0).

use super::{cap_073_fqdn::truncate, malformed};
use crate::codec::{Reader, Writer};
use crate::error::Result;

/// The draft's (and ExaBGP's) limit.
pub const MAX_LEN: usize = 64;

pub fn decode(value: &[u8]) -> Result<String> {
    let mut r = Reader::new(value);
    let len = r
        .u8()
        .map_err(|_| malformed("Software capability too short: need at least 1 byte".into()))?;
    let bytes = r.take(len as usize).map_err(|_| {
        malformed(format!(
            "Software capability truncated: need {} bytes, got {}",
            len as usize + 1,
            value.len()
        ))
    })?;
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        malformed(format!(
            "the software version in the capability is not valid UTF-8 ({e})"
        ))
    })
}

pub fn encode(version: &str, out: &mut Vec<u8>) {
    let s = truncate(version, 254);
    out.put_u8(s.len() as u8);
    out.put_slice(s.as_bytes());
}

/// ExaBGP's rule for what it advertises: longer than 64 bytes becomes the
/// first 61 followed by `...`.
pub fn exabgp_limit(version: &str) -> String {
    if version.len() > MAX_LEN {
        format!("{}...", truncate(version, MAX_LEN - 3))
    } else {
        version.to_string()
    }
}
