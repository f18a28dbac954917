//! End-of-RIB markers (RFC 4724 section 2), as ExaBGP sends them (spec 7.6):
//! IPv4 unicast is an empty UPDATE (`0000 0000`); every other family an
//! UPDATE whose only attribute is an empty MP_UNREACH_NLRI, written with the
//! extended-length flag (`0000 0007 900F 0003 <afi> <safi>`).

use super::{finish_message, start_message};
use crate::family::Family;

/// The UPDATE body of the End-of-RIB of `family`.
pub fn body(family: Family) -> Vec<u8> {
    if family == Family::IPV4_UNICAST {
        return vec![0, 0, 0, 0];
    }
    let mut v = vec![0, 0, 0, 7, 0x90, 0x0F, 0, 3];
    v.extend_from_slice(&family.afi.0.to_be_bytes());
    v.push(family.safi.0);
    v
}

/// The complete End-of-RIB message of `family`.
pub fn message(family: Family) -> Vec<u8> {
    let mut out = Vec::with_capacity(30);
    start_message(&mut out);
    out.extend_from_slice(&body(family));
    // at most 30 bytes: always fits
    let _ = finish_message(&mut out, 0, usize::MAX);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exabgp_bytes() {
        let hex = |v: Vec<u8>| v.iter().map(|b| format!("{b:02X}")).collect::<String>();
        assert_eq!(
            hex(message(Family::IPV4_UNICAST)),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001702".to_string() + "00000000"
        );
        assert_eq!(
            hex(message(Family::IPV6_UNICAST)),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001E02".to_string() + "00000007900F0003000201"
        );
    }
}
