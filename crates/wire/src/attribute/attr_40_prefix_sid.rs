//! BGP Prefix-SID (type code 40): RFC 8669 (segment routing MPLS) and RFC
//! 9252 (SRv6 services).
//!
//! > The BGP Prefix-SID attribute is an optional, transitive BGP path
//! > attribute. [...] composed of a set of Type-Length-Value (TLV)
//! > encoded elements. (RFC 8669 section 3)
//!
//! TLVs (type 1 byte, length 2 bytes): 1 Label-Index (reserved 1, flags
//! 2, label index 4), 3 Originator SRGB (flags 2, then 6-byte base/range
//! pairs), 5 SRv6 L3 Service and 6 SRv6 L2 Service (reserved 1, then
//! sub-TLVs of type 1 SRv6 SID Information: reserved 1, SID 16, flags 1,
//! endpoint behavior 2, reserved 1, then sub-sub-TLVs of type 1 SID
//! Structure: locator block, locator node, function, argument lengths,
//! transposition length and offset, one byte each).
//!
//! The attribute travels in [`super::Attributes::other`] as a
//! [`RawAttribute`] (flags 0xC0) so that whatever was received re-encodes
//! byte for byte; [`PrefixSid`] is the typed view used to build it from
//! configuration and to render ExaBGP's JSON. RFC 8669 section 6: a
//! malformed Prefix-SID is "attribute discard"; [`PrefixSid::parse`]
//! reports it as an error and the JSON omits it.

use super::{code, flag, AttrError, RawAttribute};
use crate::codec::Reader;
use std::net::Ipv6Addr;

/// The SID Structure sub-sub-TLV (RFC 9252 section 3.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SidStructure {
    pub locator_block: u8,
    pub locator_node: u8,
    pub function: u8,
    pub argument: u8,
    pub transposition_length: u8,
    pub transposition_offset: u8,
}

/// One SRv6 SID Information sub-TLV.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Srv6Sid {
    pub sid: Ipv6Addr,
    pub flags: u8,
    pub behavior: u16,
    pub structure: Option<SidStructure>,
}

/// One TLV of the attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrefixSidTlv {
    LabelIndex {
        flags: u16,
        index: u32,
    },
    /// Originator SRGB: (base, range) pairs.
    Srgb {
        flags: u16,
        ranges: Vec<(u32, u32)>,
    },
    /// SRv6 L3 (type 5) or L2 (type 6, `l2`) Service TLV.
    Srv6Service {
        l2: bool,
        sids: Vec<Srv6Sid>,
    },
    Other {
        kind: u8,
        value: Box<[u8]>,
    },
}

/// The whole attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PrefixSid {
    pub tlvs: Vec<PrefixSidTlv>,
}

fn put_tlv(out: &mut Vec<u8>, kind: u8, body: &[u8]) {
    out.push(kind);
    out.extend_from_slice(&(body.len().min(0xFFFF) as u16).to_be_bytes());
    out.extend_from_slice(&body[..body.len().min(0xFFFF)]);
}

fn u24(b: &[u8]) -> u32 {
    u32::from_be_bytes([0, b[0], b[1], b[2]])
}

impl PrefixSid {
    /// ExaBGP's `bgp-prefix-sid <index>` / `[ <index>, [ (base,range) ... ] ]`.
    pub fn label_index(index: u32, srgbs: &[(u32, u32)]) -> PrefixSid {
        let mut tlvs = vec![PrefixSidTlv::LabelIndex { flags: 0, index }];
        if !srgbs.is_empty() {
            tlvs.push(PrefixSidTlv::Srgb {
                flags: 0,
                ranges: srgbs.to_vec(),
            });
        }
        PrefixSid { tlvs }
    }

    /// ExaBGP's `bgp-prefix-sid-srv6 ( l3-service|l2-service <sid>
    /// [<behavior> [lbl,lnl,fl,al,tl,to]] )`.
    pub fn srv6_service(
        l2: bool,
        sid: Ipv6Addr,
        behavior: u16,
        structure: Option<SidStructure>,
    ) -> PrefixSid {
        PrefixSid {
            tlvs: vec![PrefixSidTlv::Srv6Service {
                l2,
                sids: vec![Srv6Sid {
                    sid,
                    flags: 0,
                    behavior,
                    structure,
                }],
            }],
        }
    }

    /// The attribute value.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        for t in &self.tlvs {
            match t {
                PrefixSidTlv::LabelIndex { flags, index } => {
                    let mut b = vec![0];
                    b.extend_from_slice(&flags.to_be_bytes());
                    b.extend_from_slice(&index.to_be_bytes());
                    put_tlv(&mut out, 1, &b);
                }
                PrefixSidTlv::Srgb { flags, ranges } => {
                    let mut b = flags.to_be_bytes().to_vec();
                    for (base, range) in ranges {
                        b.extend_from_slice(&base.to_be_bytes()[1..]);
                        b.extend_from_slice(&range.to_be_bytes()[1..]);
                    }
                    put_tlv(&mut out, 3, &b);
                }
                PrefixSidTlv::Srv6Service { l2, sids } => {
                    let mut b = vec![0];
                    for s in sids {
                        let mut info = vec![0];
                        info.extend_from_slice(&s.sid.octets());
                        info.push(s.flags);
                        info.extend_from_slice(&s.behavior.to_be_bytes());
                        info.push(0);
                        if let Some(st) = &s.structure {
                            put_tlv(
                                &mut info,
                                1,
                                &[
                                    st.locator_block,
                                    st.locator_node,
                                    st.function,
                                    st.argument,
                                    st.transposition_length,
                                    st.transposition_offset,
                                ],
                            );
                        }
                        put_tlv(&mut b, 1, &info);
                    }
                    put_tlv(&mut out, if *l2 { 6 } else { 5 }, &b);
                }
                PrefixSidTlv::Other { kind, value } => put_tlv(&mut out, *kind, value),
            }
        }
        out
    }

    /// The attribute as carried in [`super::Attributes::other`].
    pub fn to_raw(&self) -> RawAttribute {
        RawAttribute::new(
            code::PREFIX_SID,
            flag::OPTIONAL | flag::TRANSITIVE,
            self.encode(),
        )
    }

    /// Parses an attribute value.
    pub fn parse(value: &[u8]) -> Result<PrefixSid, AttrError> {
        let bad = |what: &'static str| AttrError::new(format!("Prefix-SID: {what}"));
        let mut r = Reader::new(value);
        let mut tlvs = Vec::new();
        while !r.is_empty() {
            let kind = r.u8().map_err(|_| bad("truncated TLV"))?;
            let len = r.u16().map_err(|_| bad("truncated TLV"))?;
            let v = r
                .take(usize::from(len))
                .map_err(|_| bad("TLV overruns the attribute"))?;
            tlvs.push(match kind {
                1 => {
                    if v.len() != 7 {
                        return Err(bad("Label-Index TLV length is not 7"));
                    }
                    PrefixSidTlv::LabelIndex {
                        flags: u16::from_be_bytes([v[1], v[2]]),
                        index: u32::from_be_bytes([v[3], v[4], v[5], v[6]]),
                    }
                }
                3 => {
                    if v.len() < 2 || (v.len() - 2) % 6 != 0 {
                        return Err(bad("Originator SRGB TLV length"));
                    }
                    PrefixSidTlv::Srgb {
                        flags: u16::from_be_bytes([v[0], v[1]]),
                        ranges: v[2..]
                            .chunks_exact(6)
                            .map(|c| (u24(&c[..3]), u24(&c[3..])))
                            .collect(),
                    }
                }
                5 | 6 => PrefixSidTlv::Srv6Service {
                    l2: kind == 6,
                    sids: parse_service(v).ok_or_else(|| bad("SRv6 Service TLV"))?,
                },
                _ => PrefixSidTlv::Other {
                    kind,
                    value: v.into(),
                },
            });
        }
        Ok(PrefixSid { tlvs })
    }
}

/// The SID Information sub-TLVs of an SRv6 Service TLV.
fn parse_service(v: &[u8]) -> Option<Vec<Srv6Sid>> {
    let mut r = Reader::new(v);
    r.u8().ok()?; // reserved
    let mut sids = Vec::new();
    while !r.is_empty() {
        let kind = r.u8().ok()?;
        let len = r.u16().ok()?;
        let mut sub = r.sub(usize::from(len)).ok()?;
        if kind != 1 {
            continue;
        }
        sub.u8().ok()?;
        let sid = sub.ipv6().ok()?;
        let flags = sub.u8().ok()?;
        let behavior = sub.u16().ok()?;
        sub.u8().ok()?;
        let mut structure = None;
        while !sub.is_empty() {
            let k = sub.u8().ok()?;
            let l = sub.u16().ok()?;
            let b = sub.take(usize::from(l)).ok()?;
            if k == 1 && b.len() == 6 {
                structure = Some(SidStructure {
                    locator_block: b[0],
                    locator_node: b[1],
                    function: b[2],
                    argument: b[3],
                    transposition_length: b[4],
                    transposition_offset: b[5],
                });
            }
        }
        sids.push(Srv6Sid {
            sid,
            flags,
            behavior,
            structure,
        });
    }
    Some(sids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn conformance_values() {
        // conf-prefix-sid: bgp-prefix-sid [ 300, [ ( 800000,4096 ), ( 1000000,5000 ) ] ]
        let v = unhex("0100070000000000012C03000E00000C35000010000F4240001388");
        let p = PrefixSid::label_index(300, &[(800000, 4096), (1000000, 5000)]);
        assert_eq!(p.encode(), v);
        assert_eq!(PrefixSid::parse(&v).unwrap(), p);
        // api-ipv4 mup: l3-service 2001:db8:1:1:: 0x48 [64,24,16,0,0,0]
        let v = unhex("0500220001001E0020010DB800010001000000000000000000004800010006401810000000");
        let s = PrefixSid::srv6_service(
            false,
            "2001:db8:1:1::".parse().unwrap(),
            0x48,
            Some(SidStructure {
                locator_block: 64,
                locator_node: 24,
                function: 16,
                argument: 0,
                transposition_length: 0,
                transposition_offset: 0,
            }),
        );
        assert_eq!(s.encode(), v);
        assert_eq!(PrefixSid::parse(&v).unwrap(), s);
        assert_eq!(s.to_raw().flags, 0xC0);
        assert!(PrefixSid::parse(&[1, 0, 6, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(PrefixSid::parse(&[3, 0, 5, 0, 0, 1, 2, 3]).is_err());
    }
}
