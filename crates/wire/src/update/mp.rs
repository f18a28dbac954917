//! Reading received MP_REACH_NLRI (RFC 4760 section 3) and MP_UNREACH_NLRI
//! (section 4) values with RFC 7606 error handling per NLRI.
//!
//! The header (AFI, SAFI, next hop, reserved byte) is read as
//! [`MpReach::decode`] reads it, and a header that does not parse is an
//! error (RFC 7606 section 7.11: the NLRI cannot be located, session
//! reset). The NLRI field is read with [`decode_field`], which delimits
//! each NLRI by its own length where the family has one and sets aside the
//! NLRIs that are malformed inside that length (see
//! [`crate::nlri::malformed`] for the rule of each family). The caller
//! turns those into [`super::Malformation`]s.

use crate::attribute::{AttrError, MpReach, MpUnreach};
use crate::family::{Afi, Family, Safi};
use crate::nlri::malformed::{decode_field, MalformedNlri};
use crate::route::NextHop;

fn family_of(value: &[u8]) -> Family {
    Family::new(
        Afi(u16::from_be_bytes([value[0], value[1]])),
        Safi(value[2]),
    )
}

/// An MP_REACH_NLRI value; NLRIs malformed inside their own length are
/// appended to `malformed` instead of failing the attribute.
pub fn reach(
    value: &[u8],
    addpath: impl Fn(Family) -> bool,
    malformed: &mut Vec<MalformedNlri>,
) -> Result<MpReach, AttrError> {
    if value.len() < 5 {
        return Err(AttrError::length(value.len()));
    }
    let family = family_of(value);
    let nh_len = usize::from(value[3]);
    let Some(nh) = value.get(4..4 + nh_len) else {
        return Err(AttrError::new("next hop overruns MP_REACH_NLRI"));
    };
    let next_hop = NextHop::decode_mp(family, nh)
        .ok_or_else(|| AttrError::new(format!("next-hop length {nh_len} invalid for {family}")))?;
    // the reserved byte (ex SNPA count) is ignored, as RFC 4760 says
    let Some(field) = value.get(5 + nh_len..) else {
        return Err(AttrError::new("MP_REACH_NLRI has no reserved byte"));
    };
    let mut nlri = Vec::new();
    decode_field(family, field, addpath(family), &mut nlri, malformed)
        .map_err(|e| AttrError::new(format!("MP_REACH_NLRI: {e}")))?;
    Ok(MpReach {
        family,
        next_hop,
        nlri,
    })
}

/// An MP_UNREACH_NLRI value, as [`reach`].
pub fn unreach(
    value: &[u8],
    addpath: impl Fn(Family) -> bool,
    malformed: &mut Vec<MalformedNlri>,
) -> Result<MpUnreach, AttrError> {
    if value.len() < 3 {
        return Err(AttrError::length(value.len()));
    }
    let family = family_of(value);
    let mut nlri = Vec::new();
    decode_field(family, &value[3..], addpath(family), &mut nlri, malformed)
        .map_err(|e| AttrError::new(format!("MP_UNREACH_NLRI: {e}")))?;
    Ok(MpUnreach { family, nlri })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_values_decode_as_the_strict_decoder_does() {
        let values: [&[u8]; 3] = [
            // ipv4 nlri-mpls, next hop 198.51.100.1, 198.51.100.100/32 label 800017
            &[
                0, 1, 4, 4, 198, 51, 100, 1, 0, 0x38, 0xC3, 0x50, 0x11, 198, 51, 100, 100,
            ],
            // ipv4 flow, no next hop, destination 10.0.0.1/32
            &[0, 1, 133, 0, 0, 6, 1, 32, 10, 0, 0, 1],
            // an unknown family: kept whole
            &[0, 1, 200, 0, 0, 5, 1, 2, 3],
        ];
        for v in values {
            let mut bad = Vec::new();
            let ours = reach(v, |_| false, &mut bad).unwrap();
            assert!(bad.is_empty());
            assert_eq!(ours, MpReach::decode(v, |_| false).unwrap());
        }
        let mut bad = Vec::new();
        let v = [0, 1, 133, 6, 1, 32, 10, 0, 0, 1];
        assert_eq!(
            unreach(&v, |_| false, &mut bad).unwrap(),
            MpUnreach::decode(&v, |_| false).unwrap()
        );
    }

    #[test]
    fn header_errors_fail_the_attribute() {
        let mut bad = Vec::new();
        assert!(reach(&[0, 1, 1, 4], |_| false, &mut bad).is_err());
        // next-hop length 5 for IPv4 unicast
        assert!(reach(&[0, 1, 1, 5, 1, 2, 3, 4, 5, 0], |_| false, &mut bad).is_err());
        assert!(unreach(&[0, 1], |_| false, &mut bad).is_err());
        assert!(bad.is_empty());
    }
}
