//! Route Distinguisher (RFC 4364 section 4.2): the 8-byte value that makes a
//! VPN prefix unique, with ExaBGP's text forms.
//!
//! Types: 0 = 2-byte ASN administrator + 4-byte number (`65000:1`), 1 = IPv4
//! administrator + 2-byte number (`1.2.3.4:5`), 2 = 4-byte ASN administrator +
//! 2-byte number (`4200000000:5`). When parsing text, the type is chosen by
//! magnitude as ExaBGP does: an IPv4 administrator gives type 1, an ASN below
//! 65536 with a number below 2^32 gives type 0, otherwise an ASN below 2^32
//! with a number below 65536 gives type 2.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// A route distinguisher, kept as its 8 wire bytes (any type round-trips).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RouteDistinguisher(pub [u8; 8]);

impl RouteDistinguisher {
    /// Type 0: 2-byte ASN, 4-byte assigned number.
    pub fn as2(asn: u16, number: u32) -> RouteDistinguisher {
        let mut b = [0u8; 8];
        b[2..4].copy_from_slice(&asn.to_be_bytes());
        b[4..8].copy_from_slice(&number.to_be_bytes());
        RouteDistinguisher(b)
    }

    /// Type 1: IPv4 address, 2-byte assigned number.
    pub fn ip(ip: Ipv4Addr, number: u16) -> RouteDistinguisher {
        let mut b = [0u8; 8];
        b[1] = 1;
        b[2..6].copy_from_slice(&ip.octets());
        b[6..8].copy_from_slice(&number.to_be_bytes());
        RouteDistinguisher(b)
    }

    /// Type 2: 4-byte ASN, 2-byte assigned number.
    pub fn as4(asn: u32, number: u16) -> RouteDistinguisher {
        let mut b = [0u8; 8];
        b[1] = 2;
        b[2..6].copy_from_slice(&asn.to_be_bytes());
        b[6..8].copy_from_slice(&number.to_be_bytes());
        RouteDistinguisher(b)
    }

    /// The RD type (first two bytes).
    pub fn kind(&self) -> u16 {
        u16::from_be_bytes([self.0[0], self.0[1]])
    }

    pub fn octets(&self) -> [u8; 8] {
        self.0
    }
}

impl fmt::Display for RouteDistinguisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        let u16at = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
        let u32at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        match self.kind() {
            0 => write!(f, "{}:{}", u16at(2), u32at(4)),
            1 => write!(f, "{}.{}.{}.{}:{}", b[2], b[3], b[4], b[5], u16at(6)),
            2 => write!(f, "{}:{}", u32at(2), u16at(6)),
            _ => {
                f.write_str("0x")?;
                for x in b {
                    write!(f, "{x:02X}")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for RouteDistinguisher {
    type Err = crate::Error;

    /// `asn2:nn`, `asn4:nn` (an `L` suffix on the ASN is accepted), `ipv4:nn`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || crate::Error::Parse(format!("invalid route-distinguisher {s:?}").into());
        let (admin, number) = s.rsplit_once(':').ok_or_else(err)?;
        let number: u64 = number.parse().map_err(|_| err())?;
        if admin.contains('.') {
            let ip: Ipv4Addr = admin.parse().map_err(|_| err())?;
            let n = u16::try_from(number).map_err(|_| err())?;
            return Ok(RouteDistinguisher::ip(ip, n));
        }
        let admin = admin.strip_suffix(['L', 'l']).unwrap_or(admin);
        let asn: u64 = admin.parse().map_err(|_| err())?;
        if asn < 1 << 16 && number < 1 << 32 {
            Ok(RouteDistinguisher::as2(asn as u16, number as u32))
        } else if asn < 1 << 32 && number < 1 << 16 {
            Ok(RouteDistinguisher::as4(asn as u32, number as u16))
        } else {
            Err(err())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_magnitude() {
        let rd: RouteDistinguisher = "65000:1".parse().unwrap();
        assert_eq!(rd.0, [0, 0, 0xFD, 0xE8, 0, 0, 0, 1]);
        assert_eq!(rd.to_string(), "65000:1");
        let rd: RouteDistinguisher = "1.2.3.4:5".parse().unwrap();
        assert_eq!(rd.0, [0, 1, 1, 2, 3, 4, 0, 5]);
        assert_eq!(rd.to_string(), "1.2.3.4:5");
        let rd: RouteDistinguisher = "4200000000:5".parse().unwrap();
        assert_eq!(rd.kind(), 2);
        assert_eq!(rd.to_string(), "4200000000:5");
        let rd: RouteDistinguisher = "70000:7".parse().unwrap();
        assert_eq!(rd.kind(), 2);
        // 2-byte ASN with a number above 65535 stays type 0
        let rd: RouteDistinguisher = "100:4000000000".parse().unwrap();
        assert_eq!(rd.kind(), 0);
        assert!("70000:70000".parse::<RouteDistinguisher>().is_err());
        assert!("1.2.3.4:70000".parse::<RouteDistinguisher>().is_err());
        assert!("x:1".parse::<RouteDistinguisher>().is_err());
        assert_eq!(
            RouteDistinguisher([0, 9, 0, 0, 0, 0, 0, 1]).to_string(),
            "0x0009000000000001"
        );
    }
}
