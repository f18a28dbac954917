//! BGP-LS NLRI (RFC 7752 section 3.2, AFI 16388 SAFI 71; SAFI 72 adds a
//! route distinguisher after the length): NLRI type (2 bytes), length (2
//! bytes), [RD], protocol ID (1), identifier (8), then TLVs: local node
//! descriptors (256), remote node descriptors (257), link descriptors
//! (258-263), prefix descriptors (263-265), SRv6 SID information (518,
//! RFC 9514, NLRI type 6).
//!
//! BGP-LS is decode-only (received and reported, never originated): the
//! NLRI body is kept as received and re-encodes byte for byte (it is the
//! route's key). [`BgpLs::descriptors`] decodes its TLVs into the typed
//! model of [`crate::bgp_ls::descriptors`] for node (1), link (2), prefix
//! (3, 4) and SRv6 SID (6) NLRIs, which the api crate renders as ExaBGP
//! 5.0.15's JSON; other NLRI types, or bodies whose TLVs do not parse, are
//! shown as `{"ls-nlri-type": <code>, "raw": "<hex>"}`.

use super::{NlriError, RouteDistinguisher};
use crate::bgp_ls::{tlv, LsNlriDescriptors};
use crate::codec::Reader;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A BGP-LS NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BgpLs {
    pub nlri_type: u16,
    /// Present exactly for `bgp-ls-vpn`.
    pub rd: Option<RouteDistinguisher>,
    /// Everything after the RD (protocol ID, identifier, TLVs).
    pub body: Box<[u8]>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

impl BgpLs {
    pub fn wire_len(&self) -> usize {
        4 + self.rd.map_or(0, |_| 8) + self.body.len()
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.nlri_type.to_be_bytes());
        let len = self.body.len() + self.rd.map_or(0, |_| 8);
        out.extend_from_slice(&(len.min(0xFFFF) as u16).to_be_bytes());
        if let Some(rd) = &self.rd {
            out.extend_from_slice(&rd.0);
        }
        out.extend_from_slice(&self.body);
    }

    /// Reads one NLRI; `vpn` for SAFI 72.
    pub fn decode(r: &mut Reader<'_>, vpn: bool) -> Result<BgpLs, NlriError> {
        let trunc = |_| NlriError::new("truncated BGP-LS NLRI");
        let nlri_type = r.u16().map_err(trunc)?;
        let len = r.u16().map_err(trunc)?;
        let mut body = r.sub(usize::from(len)).map_err(trunc)?;
        let rd = if vpn {
            Some(RouteDistinguisher(body.array().map_err(trunc)?))
        } else {
            None
        };
        Ok(BgpLs {
            nlri_type,
            rd,
            body: body.take_rest().into(),
        })
    }

    /// ExaBGP's name of the NLRI type.
    pub fn type_name(&self) -> Option<&'static str> {
        Some(match self.nlri_type {
            1 => "bgpls-node",
            2 => "bgpls-link",
            3 => "bgpls-prefix-v4",
            4 => "bgpls-prefix-v6",
            6 => "bgpls-srv6sid",
            _ => return None,
        })
    }

    /// The TLVs of an NLRI of a type [`BgpLs::type_name`] knows, decoded;
    /// `None` for another type or when its TLVs do not parse.
    pub fn descriptors(&self) -> Option<LsNlriDescriptors> {
        self.type_name()?;
        LsNlriDescriptors::decode(self.nlri_type, &self.body).ok()
    }

    /// The syntactic checks of RFC 9552 section 8.2.2 that can be made
    /// inside one NLRI whose Total NLRI Length is intact: for the NLRI types
    /// RFC 9552 / RFC 9514 define (1-4, 6), the protocol ID and identifier
    /// are present, the TLVs fill the NLRI exactly, their types ascend
    /// (section 5.1), and the sub-TLVs of the node descriptors (256, 257)
    /// fill their TLV exactly with no type repeated (section 5.2.1.4). An
    /// NLRI type this crate does not know is not checked: RFC 9552 section
    /// 5.2 requires it to be preserved and propagated. No TLV value is
    /// interpreted (section 8.2.2: a propagator does no semantic checks).
    pub fn validate(&self) -> Result<(), NlriError> {
        if self.type_name().is_none() {
            return Ok(());
        }
        let mut r = Reader::new(&self.body);
        r.take(9)
            .map_err(|_| NlriError::new("BGP-LS NLRI shorter than protocol ID and identifier"))?;
        let mut last = 0u16;
        while !r.is_empty() {
            let (t, v) = tlv(&mut r)
                .map_err(|e| NlriError::new(format!("BGP-LS NLRI TLV overruns the NLRI: {e}")))?;
            if t < last {
                return Err(NlriError::new(format!(
                    "BGP-LS NLRI TLV {t} after TLV {last} (types must ascend)"
                )));
            }
            last = t;
            if t == 256 || t == 257 {
                let mut sub = Reader::new(v);
                let mut seen: Vec<u16> = Vec::new();
                while !sub.is_empty() {
                    let (st, _) = tlv(&mut sub).map_err(|e| {
                        NlriError::new(format!(
                            "BGP-LS node descriptor sub-TLV overruns TLV {t}: {e}"
                        ))
                    })?;
                    if seen.contains(&st) {
                        return Err(NlriError::new(format!(
                            "BGP-LS node descriptor sub-TLV {st} repeated in TLV {t}"
                        )));
                    }
                    seen.push(st);
                }
            }
        }
        Ok(())
    }

    pub fn key_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.wire_len());
        self.encode(&mut v);
        v
    }
}

impl fmt::Display for BgpLs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.type_name().unwrap_or("bgpls");
        write!(f, "{name} 0x{}", hex(&self.body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_nlri_json() {
        // hand-built node NLRI (IS-IS L2, AS 65000, router 0000.0000.0001);
        // expected JSON from exabgp 5.0.15 decode
        let wire = [
            0x00, 0x01, 0x00, 0x27, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x1A, 0x02,
            0x00, 0x00, 0x04, 0x00, 0x00, 0xFD, 0xE8, 0x02, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00,
            0x00, 0x02, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        ];
        let mut r = Reader::new(&wire);
        let n = BgpLs::decode(&mut r, false).unwrap();
        assert!(r.is_empty());
        let mut out = Vec::new();
        n.encode(&mut out);
        assert_eq!(out, wire);
        let mut r = Reader::new(&wire[..10]);
        assert!(BgpLs::decode(&mut r, false).is_err());
        assert_eq!(n.validate(), Ok(()));
    }

    fn node(body: &[u8]) -> BgpLs {
        BgpLs {
            nlri_type: 1,
            rd: None,
            body: body.into(),
        }
    }

    #[test]
    fn syntactic_validation() {
        let head = [0x02, 0, 0, 0, 0, 0, 0, 0, 0];
        let with = |tlvs: &[u8]| {
            let mut b = head.to_vec();
            b.extend_from_slice(tlvs);
            node(&b)
        };
        // local node descriptors with an AS sub-TLV: valid
        assert_eq!(
            with(&[1, 0, 0, 8, 2, 0, 0, 4, 0, 0, 0xFD, 0xE8]).validate(),
            Ok(())
        );
        let bad: [&[u8]; 4] = [
            // TLV length 9 with 8 bytes left
            &[1, 0, 0, 9, 2, 0, 0, 4, 0, 0, 0xFD, 0xE8],
            // sub-TLV overruns its TLV
            &[1, 0, 0, 8, 2, 0, 0, 5, 0, 0, 0xFD, 0xE8],
            // AS sub-TLV twice
            &[
                1, 0, 0, 16, 2, 0, 0, 4, 0, 0, 0xFD, 0xE8, 2, 0, 0, 4, 0, 0, 0xFD, 0xE9,
            ],
            // TLV 257 before TLV 256
            &[1, 1, 0, 0, 1, 0, 0, 0],
        ];
        for b in bad {
            assert!(with(b).validate().is_err(), "{b:02X?}");
        }
        assert!(node(&[2, 0, 0]).validate().is_err());
        // an NLRI type RFC 9552 does not define is never malformed here
        let other = BgpLs {
            nlri_type: 65001,
            rd: None,
            body: [1u8, 2, 3].into(),
        };
        assert_eq!(other.validate(), Ok(()));
    }
}
