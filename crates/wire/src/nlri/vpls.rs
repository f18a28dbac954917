//! L2VPN VPLS NLRI (RFC 4761 section 3.2.2, AFI 25 SAFI 65): a 2-byte
//! length (17), the route distinguisher, the VE ID, the VE block offset,
//! the VE block size and the label base (3 bytes: 20-bit label,
//! bottom-of-stack bit).
//!
//! ExaBGP calls the VE ID `endpoint`, the label base `base`. A length other
//! than 17 or a truncated NLRI is an [`NlriError`] (RFC 7606: the caller
//! resets the session).

use super::{NlriError, RouteDistinguisher};
use crate::codec::Reader;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Value of the VPLS NLRI length field.
pub const VPLS_LEN: u16 = 17;

/// A VPLS route's NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Vpls {
    pub rd: RouteDistinguisher,
    /// VE ID.
    pub endpoint: u16,
    pub offset: u16,
    pub size: u16,
    /// The label-base field as on the wire (label << 4 | bottom of stack).
    pub label_raw: u32,
}

impl Vpls {
    /// A VPLS NLRI with label base `base` (bottom of stack set, as ExaBGP).
    pub fn new(rd: RouteDistinguisher, endpoint: u16, offset: u16, size: u16, base: u32) -> Vpls {
        Vpls {
            rd,
            endpoint,
            offset,
            size,
            label_raw: ((base & 0xF_FFFF) << 4) | 1,
        }
    }

    /// The label base.
    pub fn base(&self) -> u32 {
        self.label_raw >> 4
    }

    pub fn wire_len(&self) -> usize {
        19
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&VPLS_LEN.to_be_bytes());
        out.extend_from_slice(&self.rd.0);
        out.extend_from_slice(&self.endpoint.to_be_bytes());
        out.extend_from_slice(&self.offset.to_be_bytes());
        out.extend_from_slice(&self.size.to_be_bytes());
        out.extend_from_slice(&self.label_raw.to_be_bytes()[1..]);
    }

    pub fn decode(r: &mut Reader<'_>) -> Result<Vpls, NlriError> {
        let trunc = |_| NlriError::new("truncated VPLS NLRI");
        let len = r.u16().map_err(trunc)?;
        if len != VPLS_LEN {
            return Err(NlriError::new(format!("VPLS NLRI length {len} is not 17")));
        }
        Ok(Vpls {
            rd: RouteDistinguisher(r.array().map_err(trunc)?),
            endpoint: r.u16().map_err(trunc)?,
            offset: r.u16().map_err(trunc)?,
            size: r.u16().map_err(trunc)?,
            label_raw: r.u24().map_err(trunc)?,
        })
    }

    /// The RIB identity: RD, VE ID and block offset.
    pub fn key_bytes(&self) -> Vec<u8> {
        let mut k = self.rd.0.to_vec();
        k.extend_from_slice(&self.endpoint.to_be_bytes());
        k.extend_from_slice(&self.offset.to_be_bytes());
        k
    }
}

impl fmt::Display for Vpls {
    /// ExaBGP's text form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "vpls endpoint {} base {} offset {} size {} rd {}",
            self.endpoint,
            self.base(),
            self.offset,
            self.size,
            self.rd
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_l2vpn_bytes() {
        // conf-l2vpn: rd 192.168.201.1:123 endpoint 5 base 10702 offset 1 size 8
        let wire = [
            0x00, 0x11, 0x00, 0x01, 0xC0, 0xA8, 0xC9, 0x01, 0x00, 0x7B, 0x00, 0x05, 0x00, 0x01,
            0x00, 0x08, 0x02, 0x9C, 0xE1,
        ];
        let v = Vpls::new("192.168.201.1:123".parse().unwrap(), 5, 1, 8, 10702);
        let mut out = Vec::new();
        v.encode(&mut out);
        assert_eq!(out, wire);
        let mut r = Reader::new(&wire);
        assert_eq!(Vpls::decode(&mut r).unwrap(), v);
        assert_eq!(v.base(), 10702);
        let mut r = Reader::new(&wire[..10]);
        assert!(Vpls::decode(&mut r).is_err());
        let mut r = Reader::new(&[0, 16, 0, 0]);
        assert!(Vpls::decode(&mut r).is_err());
    }
}
