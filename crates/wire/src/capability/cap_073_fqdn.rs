//! Capability 73, FQDN / hostname (draft-walton-bgp-hostname-capability-02).
//!
//! > Hostname Length (1 octet), Hostname (variable, UTF-8), Domain Name
//! > Length (1 octet), Domain Name (variable, UTF-8).
//!
//! ExaBGP sends it only when a host name is set, truncates each name to 64
//! bytes, and writes a zero domain length when no domain name is set. A
//! value that stops after the host name is accepted (empty domain), as
//! ExaBGP does; names that are not UTF-8 are a malformed OPEN (2/0).

use super::malformed;
use crate::codec::{Reader, Writer};
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// ExaBGP truncates each name to this many bytes when it sends them.
pub const MAX_NAME_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fqdn {
    pub host_name: String,
    pub domain_name: String,
}

impl Fqdn {
    /// Writes both names, each truncated to 255 bytes at a character
    /// boundary so the value stays decodable.
    pub fn encode(&self, out: &mut Vec<u8>) {
        for name in [&self.host_name, &self.domain_name] {
            let s = truncate(name, 255);
            out.put_u8(s.len() as u8);
            out.put_slice(s.as_bytes());
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a
/// character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn name(r: &mut Reader<'_>, what: &str) -> Result<String> {
    let len = r
        .u8()
        .map_err(|e| malformed(format!("hostname capability {what} length: {e}")))?;
    let bytes = r
        .take(len as usize)
        .map_err(|e| malformed(format!("hostname capability {what} truncated: {e}")))?;
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        malformed(format!(
            "the {what} in the capability is not valid UTF-8 ({e})"
        ))
    })
}

pub fn decode(value: &[u8]) -> Result<Fqdn> {
    let mut r = Reader::new(value);
    let host_name = name(&mut r, "host name")?;
    let domain_name = if r.is_empty() {
        String::new()
    } else {
        name(&mut r, "domain name")?
    };
    Ok(Fqdn {
        host_name,
        domain_name,
    })
}
