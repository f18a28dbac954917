//! Labelled NLRI: labelled unicast (`nlri-mpls`, SAFI 4, RFC 8277) and MPLS
//! VPN (`mpls-vpn`, SAFI 128, RFC 4364 for IPv4, RFC 4659 for IPv6).
//!
//! Wire form: [path id (4, ADD-PATH)] length in bits (1), label stack (3
//! bytes per entry, the last with the bottom-of-stack bit), for VPN the
//! 8-byte route distinguisher, then the prefix in the fewest bytes. The
//! length counts labels, RD and prefix bits.
//!
//! Label stacks are read until the bottom-of-stack bit, or until the
//! withdrawal value 0x800000 (RFC 8277 section 2.4) or 0 (RFC 3107, which
//! some speakers still send in withdrawals). A length that leaves a prefix
//! longer than the address, or bytes missing, is an [`NlriError`]: RFC 7606
//! section 5.3 makes an NLRI that cannot be parsed a session reset (or
//! AFI/SAFI disable), which the MP_REACH / MP_UNREACH caller applies.

use super::{Labels, NlriError, RouteDistinguisher};
use crate::codec::Reader;
use crate::family::{Afi, Family, Safi};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A labelled unicast or MPLS VPN route's NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Labelled {
    /// `Safi::NLRI_MPLS` or `Safi::MPLS_VPN`; the AFI follows from `net`.
    pub safi: Safi,
    pub path_id: Option<u32>,
    pub labels: Labels,
    /// Present exactly for `mpls-vpn`.
    pub rd: Option<RouteDistinguisher>,
    /// The prefix; bits past its length inside the last byte are kept as
    /// received so that it re-encodes identically.
    pub net: IpNet,
}

impl Labelled {
    /// A labelled unicast (`nlri-mpls`) route.
    pub fn mpls(net: IpNet, labels: Labels) -> Labelled {
        Labelled {
            safi: Safi::NLRI_MPLS,
            path_id: None,
            labels,
            rd: None,
            net,
        }
    }

    /// An MPLS VPN (`mpls-vpn`) route.
    pub fn vpn(net: IpNet, rd: RouteDistinguisher, labels: Labels) -> Labelled {
        Labelled {
            safi: Safi::MPLS_VPN,
            path_id: None,
            labels,
            rd: Some(rd),
            net,
        }
    }

    pub fn afi(&self) -> Afi {
        match self.net {
            IpNet::V4(_) => Afi::IPV4,
            IpNet::V6(_) => Afi::IPV6,
        }
    }

    pub fn family(&self) -> Family {
        Family::new(self.afi(), self.safi)
    }

    fn prefix_bytes(&self) -> usize {
        usize::from(self.net.prefix_len()).div_ceil(8)
    }

    /// Bytes on the wire.
    pub fn wire_len(&self, addpath: bool) -> usize {
        let rd = if self.rd.is_some() { 8 } else { 0 };
        usize::from(addpath) * 4 + 1 + self.labels.len() + rd + self.prefix_bytes()
    }

    /// Appends the wire form (path identifier first with `addpath`).
    pub fn encode(&self, out: &mut Vec<u8>, addpath: bool) {
        if addpath {
            out.extend_from_slice(&self.path_id.unwrap_or(0).to_be_bytes());
        }
        let rd_bits = if self.rd.is_some() { 64 } else { 0 };
        let bits = self.labels.len() * 8 + rd_bits + usize::from(self.net.prefix_len());
        out.push(bits.min(255) as u8);
        self.labels.encode(out);
        if let Some(rd) = &self.rd {
            out.extend_from_slice(&rd.0);
        }
        let n = self.prefix_bytes();
        match self.net.addr() {
            IpAddr::V4(a) => out.extend_from_slice(&a.octets()[..n]),
            IpAddr::V6(a) => out.extend_from_slice(&a.octets()[..n]),
        }
    }

    /// Reads one labelled NLRI of `family` (SAFI 4 or 128).
    pub fn decode(
        family: Family,
        r: &mut Reader<'_>,
        addpath: bool,
    ) -> Result<Labelled, NlriError> {
        let path_id = if addpath {
            Some(
                r.u32()
                    .map_err(|_| NlriError::new("truncated path identifier"))?,
            )
        } else {
            None
        };
        let bits = usize::from(
            r.u8()
                .map_err(|_| NlriError::new("missing labelled NLRI length"))?,
        );
        let bytes = bits.div_ceil(8);
        let body = r
            .take(bytes)
            .map_err(|_| NlriError::new("labelled NLRI overruns its field"))?;
        let (labels, used) = Labels::decode(body, body.len())
            .ok_or_else(|| NlriError::new("label stack without bottom of stack"))?;
        let vpn = family.safi == Safi::MPLS_VPN;
        let rd_len = if vpn { 8 } else { 0 };
        let fixed_bits = used * 8 + rd_len * 8;
        if bits < fixed_bits {
            return Err(NlriError::new(format!(
                "labelled NLRI length {bits} shorter than labels and RD"
            )));
        }
        let rd = if vpn {
            let mut b = [0u8; 8];
            b.copy_from_slice(&body[used..used + 8]);
            Some(RouteDistinguisher(b))
        } else {
            None
        };
        let plen = bits - fixed_bits;
        let addr = &body[used + rd_len..];
        let net = match family.afi {
            Afi::IPV4 if plen <= 32 => {
                let mut a = [0u8; 4];
                a[..addr.len()].copy_from_slice(addr);
                IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::from(a), plen as u8))
            }
            Afi::IPV6 if plen <= 128 => {
                let mut a = [0u8; 16];
                a[..addr.len()].copy_from_slice(addr);
                IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::from(a), plen as u8))
            }
            afi => {
                return Err(NlriError::new(format!(
                    "labelled prefix length {plen} invalid for {afi}"
                )))
            }
        };
        Ok(Labelled {
            safi: family.safi,
            path_id,
            labels,
            rd,
            net,
        })
    }

    /// What identifies the route in a RIB: path id, RD and prefix (labels
    /// are not part of it).
    pub fn key_bytes(&self) -> Vec<u8> {
        let mut k = Vec::with_capacity(30);
        k.extend_from_slice(&self.path_id.unwrap_or(0).to_be_bytes());
        if let Some(rd) = &self.rd {
            k.extend_from_slice(&rd.0);
        }
        k.push(self.net.prefix_len());
        match self.net.addr() {
            IpAddr::V4(a) => k.extend_from_slice(&a.octets()),
            IpAddr::V6(a) => k.extend_from_slice(&a.octets()),
        }
        k
    }
}

impl fmt::Display for Labelled {
    /// ExaBGP's text form: `10.0.0.0/24 rd 65000:1 label 100` (rd only for
    /// VPN, path-information when present).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.net)?;
        if let Some(rd) = &self.rd {
            write!(f, " rd {rd}")?;
        }
        if !self.labels.is_empty() {
            write!(f, " label {}", self.labels)?;
        }
        if let Some(id) = self.path_id {
            write!(f, " path-information {}", Ipv4Addr::from(id))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(l: &Labelled, addpath: bool, wire: &[u8]) {
        let mut out = Vec::new();
        l.encode(&mut out, addpath);
        assert_eq!(out, wire);
        assert_eq!(l.wire_len(addpath), wire.len());
        let mut r = Reader::new(wire);
        assert_eq!(&Labelled::decode(l.family(), &mut r, addpath).unwrap(), l);
        assert!(r.is_empty());
    }

    #[test]
    fn vpn_and_mpls_forms() {
        // conf-vpn: 10.0.0.0/25 label 1000 rd 65000:1 (RD type 0)
        let v = Labelled::vpn(
            "10.0.0.0/25".parse().unwrap(),
            "65000:1".parse().unwrap(),
            Labels::new(&[1000]),
        );
        rt(
            &v,
            false,
            &[
                0x71, 0x00, 0x3E, 0x81, 0, 0, 0xFD, 0xE8, 0, 0, 0, 1, 10, 0, 0, 0,
            ],
        );
        // conf-prefix-sid: 195.51.100.1/32 label 800001
        let m = Labelled::mpls("195.51.100.1/32".parse().unwrap(), Labels::new(&[800001]));
        rt(&m, false, &[0x38, 0xC3, 0x50, 0x11, 195, 51, 100, 1]);
        let mut p = m.clone();
        p.path_id = Some(7);
        rt(
            &p,
            true,
            &[0, 0, 0, 7, 0x38, 0xC3, 0x50, 0x11, 195, 51, 100, 1],
        );
        // withdrawal label 0x800000 ends the stack
        let w = Labelled {
            labels: Labels(vec![super::super::label::WITHDRAW_LABEL]),
            ..m
        };
        rt(&w, false, &[0x38, 0x80, 0x00, 0x00, 195, 51, 100, 1]);
    }

    #[test]
    fn malformed() {
        let f = Family::IPV4_MPLS_VPN;
        // prefix of 40 bits
        let mut r = Reader::new(&[24 + 64 + 40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5]);
        assert!(Labelled::decode(f, &mut r, false).is_err());
        // no bottom of stack
        let mut r = Reader::new(&[48, 0, 0, 0x10, 0, 0, 0x20]);
        assert!(Labelled::decode(Family::IPV4_NLRI_MPLS, &mut r, false).is_err());
        // shorter than the RD
        let mut r = Reader::new(&[30, 0, 0, 1, 0]);
        assert!(Labelled::decode(f, &mut r, false).is_err());
        let mut r = Reader::new(&[]);
        assert!(Labelled::decode(f, &mut r, false).is_err());
    }
}
