//! What a received NLRI that does not parse means, family by family: the
//! rules of RFC 7606 and of each family's own RFC, applied while the NLRI
//! field of an MP_REACH_NLRI / MP_UNREACH_NLRI is read ([`decode_field`]).
//!
//! The general rule (RFC 7606 sections 3(j) and 5.3, RFC 4760 section 7):
//! "treat-as-withdraw" needs every NLRI of the UPDATE to be located. An NLRI
//! whose length overruns the field, or whose length is inconsistent with the
//! family (an IPv4 prefix longer than 32 bits...), makes the MP_REACH_NLRI /
//! MP_UNREACH_NLRI malformed, and RFC 7606 then allows only "AFI/SAFI
//! disable" or "session reset". This crate returns a session reset for it
//! (an `Err` of [`decode_field`]): the session worker has no way to stop one
//! family alone (a peer that keeps sending the family would keep being
//! ignored with no trace in the Adj-RIB-In the RIB reports), so AFI/SAFI
//! disable is not offered.
//!
//! Families whose NLRIs carry their own length can do better where their
//! RFC says so: when that length is intact, the next NLRI is found whatever
//! the content, and the content of one NLRI can be judged alone.
//!
//! | family | malformed NLRI | action |
//! | --- | --- | --- |
//! | IPv4/IPv6 unicast, multicast (RFC 4271 6.3, RFC 4760 7) | prefix length above 32/128, prefix overruns the field | session reset (RFC 7606 5.3) |
//! | nlri-mpls, mpls-vpn (RFC 8277 2, RFC 4364 4.3.4) | no bottom-of-stack label, length shorter than labels + RD or longer than the address, overrun | session reset (RFC 7606 5.3: length inconsistent with the AFI/SAFI; RFC 8277 adds no rule of its own) |
//! | flow, flow-vpn (RFC 8955 4.2 and 10, RFC 8956 3) | the NLRI length overruns the field | session reset (RFC 7606 5.3) |
//! | flow, flow-vpn | inside an intact NLRI length: unknown component type, components not in strictly increasing type order, prefix too long, truncated operator list, empty rule, flow-vpn rule shorter than its RD | treat-as-withdraw: RFC 8955 4.2 calls such an NLRI malformed and hands it to RFC 7606 (section 10); its length delimits it, so the other NLRIs are read and every route of the UPDATE is withdrawn (RFC 7606 2); the malformed rule itself was never accepted, so there is nothing of it to withdraw |
//! | VPLS (RFC 4761 3.2.2) | length other than 17, overrun | session reset (RFC 7606 5.3: length inconsistent; RFC 4761 has no rule) |
//! | EVPN (RFC 7432 7), MCAST-VPN (RFC 6514 4), MUP (draft-ietf-bess-mup-safi 3) | route type / length header overruns the field | session reset (RFC 7606 5.3) |
//! | EVPN, MCAST-VPN, MUP | unknown route type, or a body this crate cannot render | kept as received and reported (ExaBGP 5.0.15 does the same); RFC 7606 5.4 asks a speaker that installs routes to discard unknown route types, and ferrobgp installs none |
//! | RTC (RFC 4684 4) | prefix length 1-31 or above 96, overrun | session reset (RFC 7606 5.3) |
//! | BGP-LS, BGP-LS-VPN (RFC 9552 8.2.2) | Total NLRI Length overruns the field | session reset (RFC 9552 8.2.2: "AFI/SAFI disable", or session reset where that is not possible) |
//! | BGP-LS, BGP-LS-VPN | inside an intact Total NLRI Length: TLVs not filling the NLRI, TLV types not ascending, node descriptor sub-TLV overrun or repeated, RD missing (SAFI 72) | NLRI discard: RFC 9552 8.2.2 says an error that lets the rest of the UPDATE be processed is handled by discarding that NLRI (as RFC 7606 5.4 does); the other NLRIs are kept |
//! | BGP-LS | NLRI type RFC 9552 does not define | kept and propagated (RFC 9552 5.2 overrides RFC 7606 5.4) |
//! | any other family | (not parsed: its NLRI bytes are kept whole) | never malformed |
//!
//! A malformed BGP-LS attribute (RFC 9552 8.2.2) or BGP Prefix-SID (RFC
//! 8669 6) is an attribute discard, decided by the UPDATE decoder. The
//! withdrawn routes field and NLRI field of the UPDATE itself (IPv4
//! unicast) are always a session reset (RFC 7606 5.3).

use super::{BgpLs, Flow, Nlri, NlriError};
use crate::codec::Reader;
use crate::family::{Family, Safi};

/// What a malformed NLRI that could be delimited costs the UPDATE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every route the UPDATE announces is withdrawn (RFC 7606 section 2).
    TreatAsWithdraw,
    /// Only this NLRI is dropped (RFC 9552 section 8.2.2, RFC 7606 5.4).
    Discard,
}

/// One NLRI that was delimited by its own length but does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedNlri {
    pub family: Family,
    pub reach: Reach,
    pub reason: NlriError,
    /// The whole NLRI as received (length field included), for the log
    /// RFC 7606 section 6 asks for.
    pub bytes: Box<[u8]>,
}

/// Reads the NLRI field of an MP_REACH_NLRI / MP_UNREACH_NLRI of `family`
/// into `out`, applying the table of the module documentation: NLRIs
/// malformed inside an intact length go to `malformed`, and an `Err` means
/// the field cannot be read (session reset).
pub fn decode_field(
    family: Family,
    bytes: &[u8],
    addpath: bool,
    out: &mut Vec<Nlri>,
    malformed: &mut Vec<MalformedNlri>,
) -> Result<(), NlriError> {
    if !Nlri::is_parsed(family) {
        return Nlri::decode_all(family, bytes, addpath, out);
    }
    let mut r = Reader::new(bytes);
    match family.safi {
        Safi::FLOW | Safi::FLOW_VPN => {
            while !r.is_empty() {
                let frame = flow_frame(&mut r)?;
                match Flow::decode(family, &mut Reader::new(frame)) {
                    Ok(f) => out.push(Nlri::Flow(Box::new(f))),
                    Err(reason) => malformed.push(MalformedNlri {
                        family,
                        reach: Reach::TreatAsWithdraw,
                        reason,
                        bytes: frame.into(),
                    }),
                }
            }
            Ok(())
        }
        Safi::BGP_LS | Safi::BGP_LS_VPN => {
            let vpn = family.safi == Safi::BGP_LS_VPN;
            while !r.is_empty() {
                let frame = bgpls_frame(&mut r)?;
                let parsed = BgpLs::decode(&mut Reader::new(frame), vpn)
                    .and_then(|n| n.validate().map(|_| n));
                match parsed {
                    Ok(n) => out.push(Nlri::BgpLs(Box::new(n))),
                    Err(reason) => malformed.push(MalformedNlri {
                        family,
                        reach: Reach::Discard,
                        reason,
                        bytes: frame.into(),
                    }),
                }
            }
            Ok(())
        }
        _ => Nlri::decode_all(family, bytes, addpath, out),
    }
}

/// The next FlowSpec NLRI, length field included (RFC 8955 4.1: one byte
/// below 240, else `0xFnnn`).
fn flow_frame<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], NlriError> {
    let all = r.rest();
    let first = r
        .u8()
        .map_err(|_| NlriError::new("missing flow NLRI length"))?;
    let len = if first >= 0xF0 {
        let second = r
            .u8()
            .map_err(|_| NlriError::new("truncated flow NLRI length"))?;
        usize::from(u16::from_be_bytes([first & 0x0F, second]))
    } else {
        usize::from(first)
    };
    r.take(len)
        .map_err(|_| NlriError::new("flow NLRI length overruns the NLRI field"))?;
    Ok(&all[..all.len() - r.left()])
}

/// The next BGP-LS NLRI, type and Total NLRI Length included.
fn bgpls_frame<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], NlriError> {
    let all = r.rest();
    let trunc = |_| NlriError::new("truncated BGP-LS NLRI header");
    r.u16().map_err(trunc)?;
    let len = r.u16().map_err(trunc)?;
    r.take(usize::from(len))
        .map_err(|_| NlriError::new("BGP-LS Total NLRI Length overruns the NLRI field"))?;
    Ok(&all[..all.len() - r.left()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(family: Family, bytes: &[u8]) -> Result<(Vec<Nlri>, Vec<MalformedNlri>), NlriError> {
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        decode_field(family, bytes, false, &mut out, &mut bad)?;
        Ok((out, bad))
    }

    #[test]
    fn flow_rule_with_unknown_component_is_skipped() {
        // 10.0.0.1/32, then a rule with component type 14, then 10.0.0.2/32
        let field = [
            0x06, 0x01, 0x20, 10, 0, 0, 1, 0x03, 0x0E, 0x81, 0x01, 0x06, 0x01, 0x20, 10, 0, 0, 2,
        ];
        let (out, bad) = run(Family::IPV4_FLOW, &field).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].to_string(), "flow destination-ipv4 10.0.0.2/32");
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].reach, Reach::TreatAsWithdraw);
        assert_eq!(&*bad[0].bytes, &[0x03, 0x0E, 0x81, 0x01]);
        // the strict decoder refuses the same field
        assert!(Nlri::decode_all(Family::IPV4_FLOW, &field, false, &mut Vec::new()).is_err());
    }

    #[test]
    fn flow_length_overrun_is_a_reset() {
        assert!(run(Family::IPV4_FLOW, &[0x10, 0x01, 0x20]).is_err());
        assert!(run(Family::IPV6_FLOW, &[0xF0]).is_err());
        // two-byte length 0x0FFF with 3 bytes behind it
        assert!(run(Family::IPV4_FLOW_VPN, &[0xFF, 0xFF, 1, 2, 3]).is_err());
    }

    #[test]
    fn bgpls_bad_tlvs_are_discarded_alone() {
        // node NLRI whose TLV 256 claims 9 bytes with 8 present, then a valid one
        let bad = [
            0, 1, 0, 21, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 9, 2, 0, 0, 4, 0, 0, 0xFD, 0xE8,
        ];
        let good = [
            0, 1, 0, 21, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 8, 2, 0, 0, 4, 0, 0, 0xFD, 0xE8,
        ];
        let mut field = bad.to_vec();
        field.extend_from_slice(&good);
        let (out, malformed) = run(Family::BGP_LS, &field).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(malformed.len(), 1);
        assert_eq!(malformed[0].reach, Reach::Discard);
        assert_eq!(&*malformed[0].bytes, &bad[..]);
        // Total NLRI Length past the field: reset
        assert!(run(Family::BGP_LS, &good[..20]).is_err());
        // BGP-LS-VPN NLRI too short for its RD: discarded
        let (out, malformed) = run(Family::BGP_LS_VPN, &[0, 1, 0, 2, 0, 0]).unwrap();
        assert!(out.is_empty());
        assert_eq!(malformed.len(), 1);
    }

    #[test]
    fn other_families_stay_strict() {
        // VPLS length 16, RTC /16, IPv6 /129, EVPN header overrun
        assert!(run(Family::L2VPN_VPLS, &[0, 16]).is_err());
        assert!(run(Family::IPV4_RTC, &[16, 0, 1]).is_err());
        assert!(run(Family::IPV6_UNICAST, &[129]).is_err());
        assert!(run(Family::L2VPN_EVPN, &[2, 40, 0]).is_err());
        // EVPN of an unknown route type: kept
        let (out, bad) = run(Family::L2VPN_EVPN, &[9, 1, 0]).unwrap();
        assert_eq!((out.len(), bad.len()), (1, 0));
    }
}
