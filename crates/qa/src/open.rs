//! The test peer's answer to the daemon's OPEN, built from it byte for byte
//! as the suite README specifies ("OPEN").

use crate::bgp::{HEADER_LEN, OPEN};
use crate::error::QaError;
use crate::msgfile::Options;

/// Offset of the last octet of the BGP Identifier in an OPEN message.
const ID_LAST: usize = HEADER_LEN + 8;
/// Offset of "My Autonomous System".
const MY_AS: usize = HEADER_LEN + 1;
/// Offset of the optional parameters length.
const OPT_LEN: usize = HEADER_LEN + 9;
/// Offset of the first optional parameter.
const OPT_START: usize = HEADER_LEN + 10;

/// The optional parameter appended by `option:open:send-unknown-capability`.
pub const UNKNOWN_CAPABILITY: &[u8] = b"\x02\x0c\x42\x0aloremipsum";

/// Builds the peer's OPEN from the daemon's `open` (a complete message).
pub fn answer(open: &[u8], options: &Options) -> Result<Vec<u8>, QaError> {
    if open.len() < OPT_START || open.get(18) != Some(&OPEN) {
        return Err(QaError::Open(format!(
            "first message is not an OPEN: {}",
            crate::bgp::summary(open)
        )));
    }
    let mut out = open.to_vec();
    match options.asn {
        None => out[ID_LAST] = out[ID_LAST].wrapping_add(1),
        Some(asn) => {
            out[MY_AS..MY_AS + 2].copy_from_slice(&asn.to_be_bytes());
            replace_asn4(&mut out, u32::from(asn))?;
        }
    }
    if options.send_unknown_capability {
        let opt_len = out[OPT_LEN];
        out[OPT_LEN] = opt_len
            .checked_add(UNKNOWN_CAPABILITY.len() as u8)
            .ok_or_else(|| {
                QaError::Open("optional parameters too long to add a capability".into())
            })?;
        out.extend_from_slice(UNKNOWN_CAPABILITY);
        set_length(&mut out)?;
    }
    Ok(out)
}

/// In the first capabilities parameter whose first capability is 65
/// (4-octet AS), sets that capability's value to `asn`.
fn replace_asn4(out: &mut Vec<u8>, asn: u32) -> Result<(), QaError> {
    let end = (OPT_START + usize::from(out[OPT_LEN])).min(out.len());
    let mut at = OPT_START;
    while at + 2 <= end {
        let (ptype, plen) = (out[at], usize::from(out[at + 1]));
        if ptype == 2 && plen >= 2 && at + 2 + plen <= end && out[at + 2] == 65 {
            let cap_len = usize::from(out[at + 3]);
            let value = at + 4;
            if cap_len == 4 && value + 4 <= end {
                out[value..value + 4].copy_from_slice(&asn.to_be_bytes());
                return Ok(());
            }
            // An unusual length: rebuild the parameter with a 4-octet value.
            if cap_len + 2 > plen {
                return Err(QaError::Open("capability 65 overruns its parameter".into()));
            }
            let new_plen = plen - cap_len + 4;
            let new_opt = usize::from(out[OPT_LEN]) - cap_len + 4;
            let (Ok(new_plen), Ok(new_opt)) = (u8::try_from(new_plen), u8::try_from(new_opt))
            else {
                return Err(QaError::Open("optional parameters too long".into()));
            };
            out.splice(value..value + cap_len, asn.to_be_bytes());
            out[at + 1] = new_plen;
            out[at + 3] = 4;
            out[OPT_LEN] = new_opt;
            return set_length(out);
        }
        at += 2 + plen;
    }
    Ok(())
}

fn set_length(out: &mut [u8]) -> Result<(), QaError> {
    let len = u16::try_from(out.len()).map_err(|_| QaError::Open("OPEN too long".into()))?;
    out[16..18].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    /// An OPEN as ExaBGP sends it for conf-ebgp (AS 65533, id 10.0.0.2):
    /// each capability in its own parameter, the first being 4-octet AS.
    const DAEMON_OPEN: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003D01\
        04FFFD00B40A000002\
        20\
        02064104 0000FFFD\
        0206010400010001\
        02020200\
        0204 4002 0078\
        020A 4908 0474657374 0000"; // not realistic, only structure matters

    fn open() -> Vec<u8> {
        let text: String = DAEMON_OPEN.chars().filter(|c| !c.is_whitespace()).collect();
        let mut bytes = hex::decode(&text).unwrap();
        // Fix up lengths so the fixture is a consistent OPEN.
        let opt_len = bytes.len() - OPT_START;
        bytes[OPT_LEN] = opt_len as u8;
        let len = bytes.len() as u16;
        bytes[16..18].copy_from_slice(&len.to_be_bytes());
        bytes
    }

    #[test]
    fn echo_increments_last_identifier_octet_only() {
        let daemon = open();
        let peer = answer(&daemon, &Options::default()).unwrap();
        assert_eq!(peer.len(), daemon.len());
        let diffs: Vec<usize> = (0..peer.len()).filter(|&i| peer[i] != daemon[i]).collect();
        assert_eq!(diffs, [ID_LAST]);
        assert_eq!(peer[ID_LAST], 0x03);
    }

    #[test]
    fn identifier_wraps_modulo_256() {
        let mut daemon = open();
        daemon[ID_LAST] = 0xff;
        assert_eq!(answer(&daemon, &Options::default()).unwrap()[ID_LAST], 0x00);
    }

    #[test]
    fn asn_option_sets_both_as_fields_and_keeps_identifier() {
        let daemon = open();
        let options = Options {
            asn: Some(65000),
            ..Options::default()
        };
        let peer = answer(&daemon, &options).unwrap();
        let mut expected = daemon.clone();
        expected[20..22].copy_from_slice(&[0xfd, 0xe8]);
        expected[OPT_START + 4..OPT_START + 8].copy_from_slice(&[0, 0, 0xfd, 0xe8]);
        assert_eq!(hex::encode(&peer), hex::encode(&expected));
    }

    #[test]
    fn asn_option_only_touches_parameter_whose_first_capability_is_65() {
        // One parameter holding multiprotocol first, then 4-octet AS: the
        // capability is not first, so only the 2-octet field changes.
        let text = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002D0104FFFD00B40A000002\
                    10020E010400010001410400000001";
        let daemon = hex::decode(text).unwrap();
        let options = Options {
            asn: Some(1),
            ..Options::default()
        };
        let peer = answer(&daemon, &options).unwrap();
        let mut expected = daemon.clone();
        expected[20..22].copy_from_slice(&[0, 1]);
        assert_eq!(peer, expected);
    }

    #[test]
    fn unknown_capability_is_appended_with_lengths_plus_14() {
        let daemon = open();
        let options = Options {
            send_unknown_capability: true,
            ..Options::default()
        };
        let peer = answer(&daemon, &options).unwrap();
        assert_eq!(peer.len(), daemon.len() + 14);
        assert_eq!(
            u16::from_be_bytes([peer[16], peer[17]]),
            u16::from_be_bytes([daemon[16], daemon[17]]) + 14
        );
        assert_eq!(peer[OPT_LEN], daemon[OPT_LEN] + 14);
        assert_eq!(
            hex::encode(&peer[daemon.len()..]),
            "020C420A6C6F72656D697073756D"
        );
        assert_eq!(peer[ID_LAST], daemon[ID_LAST] + 1);
    }

    #[test]
    fn asn_and_unknown_capability_combine() {
        let daemon = open();
        let options = Options {
            asn: Some(65000),
            send_unknown_capability: true,
            ..Options::default()
        };
        let peer = answer(&daemon, &options).unwrap();
        assert_eq!(peer[ID_LAST], daemon[ID_LAST]);
        assert_eq!(&peer[20..22], &[0xfd, 0xe8]);
        assert_eq!(peer.len(), daemon.len() + 14);
    }

    #[test]
    fn odd_asn4_lengths_are_rebuilt_or_refused_without_panic() {
        let options = Options {
            asn: Some(7),
            ..Options::default()
        };
        // capability 65 with a 2-octet value: rebuilt with 4 octets
        let short =
            hex::decode("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00230104FFFD00B40A000002060204410200FF")
                .unwrap();
        let peer = answer(&short, &options).unwrap();
        assert_eq!(
            hex::encode(&peer),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002501040007".to_owned()
                + "00B40A0000020802064104"
                + "00000007"
        );
        // a capability length running past its parameter: refused
        let bad = hex::decode(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00250104FFFD00B40A00000208020241100000000000",
        )
        .unwrap();
        assert!(answer(&bad, &options).is_err());
    }

    #[test]
    fn rejects_non_open() {
        assert!(answer(&crate::bgp::keepalive(), &Options::default()).is_err());
    }
}
