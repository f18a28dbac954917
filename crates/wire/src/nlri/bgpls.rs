//! BGP-LS NLRI (RFC 7752 section 3.2, AFI 16388 SAFI 71; SAFI 72 adds a
//! route distinguisher after the length): NLRI type (2 bytes), length (2
//! bytes), [RD], protocol ID (1), identifier (8), then TLVs: local node
//! descriptors (256), remote node descriptors (257), link descriptors
//! (258-263), prefix descriptors (263-265), SRv6 SID information (518,
//! RFC 9514, NLRI type 6).
//!
//! BGP-LS is decode-only (received and reported, never originated): the
//! NLRI body is kept as received and re-encodes byte for byte; [`BgpLs::json`]
//! renders ExaBGP 5.0.15's JSON for node (1), link (2), prefix (3, 4) and
//! SRv6 SID (6) NLRIs. Other NLRI types, or bodies whose TLVs do not parse, are shown as
//! `{"ls-nlri-type": <code>, "raw": "<hex>"}`.

use super::{NlriError, RouteDistinguisher};
use crate::codec::Reader;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// One `(type, value)` TLV from `r`.
fn tlv<'a>(r: &mut Reader<'a>) -> Option<(u16, &'a [u8])> {
    let t = r.u16().ok()?;
    let l = r.u16().ok()?;
    Some((t, r.take(usize::from(l)).ok()?))
}

fn ip(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        _ => None,
    }
}

fn u32_of(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

/// The IGP Router-ID sub-TLV (RFC 9552 5.2.1.4), whose form the protocol
/// ID tells, as ExaBGP 5.0.15 shows it: IS-IS (1, 2) the system ID in
/// lower-case hex (the pseudonode octet included) and a non-zero
/// pseudonode number as `psn`; OSPF (3, 6, and the 5 and 227 5.0.15 reads
/// alike) the router ID dotted, and for a pseudonode (8 octets) the
/// designated router's interface address as `designated-router-id`. Any
/// other length or protocol: the bytes in hex.
fn igp_router_id(protocol: u8, b: &[u8]) -> Value {
    let dotted = |x: &[u8]| Ipv4Addr::new(x[0], x[1], x[2], x[3]).to_string();
    match (protocol, b.len()) {
        (1 | 2, 6 | 7) => {
            let sysid: String = b.iter().map(|x| format!("{x:02x}")).collect();
            match b.get(6).filter(|psn| **psn != 0) {
                Some(psn) => json!({ "router-id": sysid, "psn": psn.to_string() }),
                None => json!({ "router-id": sysid }),
            }
        }
        (3 | 5 | 6 | 227, 4) => json!({ "router-id": dotted(b) }),
        (3 | 5 | 6 | 227, 8) => {
            json!({ "router-id": dotted(&b[..4]), "designated-router-id": dotted(&b[4..]) })
        }
        _ => json!({ "router-id": hex(b) }),
    }
}

/// Node descriptor sub-TLVs (RFC 7752 3.2.1.4) as ExaBGP lists them.
fn node_descriptors(v: &[u8], protocol: u8) -> Option<Value> {
    let mut r = Reader::new(v);
    let mut out = Vec::new();
    while !r.is_empty() {
        let (t, b) = tlv(&mut r)?;
        out.push(match t {
            512 => json!({ "autonomous-system": u32_of(b)? }),
            513 => json!({ "bgp-ls-identifier": u32_of(b)?.to_string() }),
            514 => json!({ "ospf-area-id": Ipv4Addr::from(u32_of(b)?).to_string() }),
            515 => igp_router_id(protocol, b),
            _ => json!({ format!("generic-lsid-{t}"): hex(b) }),
        });
    }
    Some(Value::Array(out))
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

    fn parsed(&self, next_hop: Option<&str>) -> Option<Map<String, Value>> {
        let name = self.type_name()?;
        let mut r = Reader::new(&self.body);
        let protocol = r.u8().ok()?;
        let identifier = r.u64().ok()?;
        let mut m = Map::new();
        m.insert("ls-nlri-type".into(), json!(name));
        m.insert("l3-routing-topology".into(), json!(identifier));
        m.insert("protocol-id".into(), json!(protocol));
        let (mut ifaces, mut neighbors, mut mt, mut link_ids) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut prefix: Option<(String, String)> = None;
        let mut srv6_sid: Option<String> = None;
        let mut ospf_route_type: Option<u8> = None;
        while !r.is_empty() {
            let (t, v) = tlv(&mut r)?;
            match (t, self.nlri_type) {
                (256, 2) => {
                    m.insert(
                        "local-node-descriptors".into(),
                        node_descriptors(v, protocol)?,
                    );
                }
                (256, _) => {
                    m.insert("node-descriptors".into(), node_descriptors(v, protocol)?);
                }
                (257, _) => {
                    m.insert(
                        "remote-node-descriptors".into(),
                        node_descriptors(v, protocol)?,
                    );
                }
                (258, _) => link_ids.push(json!(hex(v))),
                (259 | 261, _) => ifaces.push(json!(ip(v)?.to_string())),
                (260 | 262, _) => neighbors.push(json!(ip(v)?.to_string())),
                (263, _) => mt.push(json!(hex(v))),
                (264, 3 | 4) if v.len() == 1 => ospf_route_type = Some(v[0]),
                (518, 6) => {
                    srv6_sid = Some(ip(v)?.to_string());
                }
                (265, 3 | 4) => {
                    let (&plen, rest) = v.split_first()?;
                    let mut a = [0u8; 16];
                    let width = if self.nlri_type == 3 { 4 } else { 16 };
                    a.get_mut(..rest.len().min(width))?
                        .copy_from_slice(rest.get(..rest.len().min(width))?);
                    let addr = if self.nlri_type == 3 {
                        IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))
                    } else {
                        IpAddr::V6(Ipv6Addr::from(a))
                    };
                    prefix = Some((addr.to_string(), format!("{addr}/{plen}")));
                }
                _ => {
                    m.insert(format!("generic-lsid-{t}"), json!(hex(v)));
                }
            }
        }
        match self.nlri_type {
            2 => {
                m.insert("interface-addresses".into(), Value::Array(ifaces));
                m.insert("neighbor-addresses".into(), Value::Array(neighbors));
                m.insert("multi-topology-ids".into(), Value::Array(mt));
                m.insert("link-identifiers".into(), Value::Array(link_ids));
            }
            6 => {
                let mut d = Map::new();
                d.insert("multi-topology-ids".into(), Value::Array(mt));
                if let Some(sid) = srv6_sid {
                    d.insert("srv6-sid".into(), json!(sid));
                }
                m.insert("srv6-sid-descriptors".into(), Value::Object(d));
            }
            3 | 4 => {
                if let Some((a, p)) = prefix {
                    m.insert("ip-reachability-tlv".into(), json!(a));
                    m.insert("ip-reach-prefix".into(), json!(p));
                }
            }
            _ => {}
        }
        if !matches!(self.nlri_type, 2 | 6) {
            if let Some(nh) = next_hop {
                m.insert("nexthop".into(), json!(nh));
            }
        }
        // the OSPF Route Type TLV (RFC 9552 5.2.3.1), after the next hop as
        // 5.0.15 prints it
        if let Some(t) = ospf_route_type {
            m.insert("ospf-route-type".into(), json!(t));
        }
        Some(m)
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
            let (t, v) =
                tlv(&mut r).ok_or_else(|| NlriError::new("BGP-LS NLRI TLV overruns the NLRI"))?;
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
                    let (st, _) = tlv(&mut sub).ok_or_else(|| {
                        NlriError::new(format!("BGP-LS node descriptor sub-TLV overruns TLV {t}"))
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

    /// ExaBGP's JSON for the NLRI; `next_hop` is the announcement's next hop
    /// (ExaBGP repeats it inside node and prefix NLRIs).
    pub fn json(&self, next_hop: Option<&str>) -> Value {
        let mut m = self.parsed(next_hop).unwrap_or_else(|| {
            let mut m = Map::new();
            m.insert("ls-nlri-type".into(), json!(self.nlri_type));
            m.insert("raw".into(), json!(hex(&self.body)));
            m
        });
        if let Some(rd) = &self.rd {
            m.insert("rd".into(), json!(rd.to_string()));
        }
        Value::Object(m)
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
        assert_eq!(
            n.json(Some("192.0.2.1")),
            json!({ "ls-nlri-type": "bgpls-node", "l3-routing-topology": 0, "protocol-id": 2,
                    "node-descriptors": [ { "autonomous-system": 65000 },
                        { "bgp-ls-identifier": "0" }, { "router-id": "000000000001" } ],
                    "nexthop": "192.0.2.1" })
        );
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
