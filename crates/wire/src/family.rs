//! Address families: AFI (RFC 4760 / IANA "Address Family Numbers") and SAFI
//! codes, their ExaBGP names, and the ordering ExaBGP uses everywhere
//! (capabilities, End-of-RIB, `family-allowed`): numeric by (AFI, SAFI).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Address Family Identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Afi(pub u16);

impl Afi {
    pub const IPV4: Afi = Afi(1);
    pub const IPV6: Afi = Afi(2);
    pub const L2VPN: Afi = Afi(25);
    pub const BGP_LS: Afi = Afi(16388);

    /// ExaBGP's name (`ipv4`, `ipv6`, `l2vpn`, `bgp-ls`), or `None` when unknown.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Afi::IPV4 => "ipv4",
            Afi::IPV6 => "ipv6",
            Afi::L2VPN => "l2vpn",
            Afi::BGP_LS => "bgp-ls",
            _ => return None,
        })
    }

    pub fn from_name(s: &str) -> Option<Afi> {
        Some(match s {
            "ipv4" => Afi::IPV4,
            "ipv6" => Afi::IPV6,
            "l2vpn" => Afi::L2VPN,
            "bgp-ls" => Afi::BGP_LS,
            _ => return None,
        })
    }
}

impl fmt::Display for Afi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "afi-{}", self.0),
        }
    }
}

/// Subsequent Address Family Identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Safi(pub u8);

impl Safi {
    pub const UNICAST: Safi = Safi(1);
    pub const MULTICAST: Safi = Safi(2);
    /// Labelled unicast (RFC 8277), `nlri-mpls` in ExaBGP.
    pub const NLRI_MPLS: Safi = Safi(4);
    pub const MCAST_VPN: Safi = Safi(5);
    pub const VPLS: Safi = Safi(65);
    pub const EVPN: Safi = Safi(70);
    pub const BGP_LS: Safi = Safi(71);
    pub const BGP_LS_VPN: Safi = Safi(72);
    pub const MUP: Safi = Safi(85);
    pub const MPLS_VPN: Safi = Safi(128);
    pub const RTC: Safi = Safi(132);
    pub const FLOW: Safi = Safi(133);
    pub const FLOW_VPN: Safi = Safi(134);

    /// ExaBGP's name (`unicast`, `nlri-mpls`, `flow-vpn`, ...), or `None` when unknown.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Safi::UNICAST => "unicast",
            Safi::MULTICAST => "multicast",
            Safi::NLRI_MPLS => "nlri-mpls",
            Safi::MCAST_VPN => "mcast-vpn",
            Safi::VPLS => "vpls",
            Safi::EVPN => "evpn",
            Safi::BGP_LS => "bgp-ls",
            Safi::BGP_LS_VPN => "bgp-ls-vpn",
            Safi::MUP => "mup",
            Safi::MPLS_VPN => "mpls-vpn",
            Safi::RTC => "rtc",
            Safi::FLOW => "flow",
            Safi::FLOW_VPN => "flow-vpn",
            _ => return None,
        })
    }

    pub fn from_name(s: &str) -> Option<Safi> {
        Some(match s {
            "unicast" => Safi::UNICAST,
            "multicast" => Safi::MULTICAST,
            "nlri-mpls" | "labeled-unicast" => Safi::NLRI_MPLS,
            "mcast-vpn" => Safi::MCAST_VPN,
            "vpls" => Safi::VPLS,
            "evpn" => Safi::EVPN,
            "bgp-ls" => Safi::BGP_LS,
            "bgp-ls-vpn" => Safi::BGP_LS_VPN,
            "mup" => Safi::MUP,
            "mpls-vpn" => Safi::MPLS_VPN,
            "rtc" => Safi::RTC,
            "flow" => Safi::FLOW,
            "flow-vpn" => Safi::FLOW_VPN,
            _ => return None,
        })
    }
}

impl fmt::Display for Safi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "safi-{}", self.0),
        }
    }
}

/// An (AFI, SAFI) pair. Ordered numerically, which is ExaBGP's order for
/// capabilities and End-of-RIB markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Family {
    pub afi: Afi,
    pub safi: Safi,
}

impl Family {
    pub const fn new(afi: Afi, safi: Safi) -> Family {
        Family { afi, safi }
    }
    pub const IPV4_UNICAST: Family = Family::new(Afi::IPV4, Safi::UNICAST);
    pub const IPV4_MULTICAST: Family = Family::new(Afi::IPV4, Safi::MULTICAST);
    pub const IPV4_NLRI_MPLS: Family = Family::new(Afi::IPV4, Safi::NLRI_MPLS);
    pub const IPV4_MCAST_VPN: Family = Family::new(Afi::IPV4, Safi::MCAST_VPN);
    pub const IPV4_MUP: Family = Family::new(Afi::IPV4, Safi::MUP);
    pub const IPV4_MPLS_VPN: Family = Family::new(Afi::IPV4, Safi::MPLS_VPN);
    pub const IPV4_RTC: Family = Family::new(Afi::IPV4, Safi::RTC);
    pub const IPV4_FLOW: Family = Family::new(Afi::IPV4, Safi::FLOW);
    pub const IPV4_FLOW_VPN: Family = Family::new(Afi::IPV4, Safi::FLOW_VPN);
    pub const IPV6_UNICAST: Family = Family::new(Afi::IPV6, Safi::UNICAST);
    pub const IPV6_MULTICAST: Family = Family::new(Afi::IPV6, Safi::MULTICAST);
    pub const IPV6_NLRI_MPLS: Family = Family::new(Afi::IPV6, Safi::NLRI_MPLS);
    pub const IPV6_MCAST_VPN: Family = Family::new(Afi::IPV6, Safi::MCAST_VPN);
    pub const IPV6_MUP: Family = Family::new(Afi::IPV6, Safi::MUP);
    pub const IPV6_MPLS_VPN: Family = Family::new(Afi::IPV6, Safi::MPLS_VPN);
    pub const IPV6_FLOW: Family = Family::new(Afi::IPV6, Safi::FLOW);
    pub const IPV6_FLOW_VPN: Family = Family::new(Afi::IPV6, Safi::FLOW_VPN);
    pub const L2VPN_VPLS: Family = Family::new(Afi::L2VPN, Safi::VPLS);
    pub const L2VPN_EVPN: Family = Family::new(Afi::L2VPN, Safi::EVPN);
    pub const BGP_LS: Family = Family::new(Afi::BGP_LS, Safi::BGP_LS);
    pub const BGP_LS_VPN: Family = Family::new(Afi::BGP_LS, Safi::BGP_LS_VPN);

    /// Every family ExaBGP knows, in the order it advertises them when a
    /// neighbor has no `family` block (spec 1.5: 21 families).
    pub const ALL_KNOWN: [Family; 21] = [
        Family::IPV4_UNICAST,
        Family::IPV4_MULTICAST,
        Family::IPV4_NLRI_MPLS,
        Family::IPV4_MCAST_VPN,
        Family::IPV4_MUP,
        Family::IPV4_MPLS_VPN,
        Family::IPV4_RTC,
        Family::IPV4_FLOW,
        Family::IPV4_FLOW_VPN,
        Family::IPV6_UNICAST,
        Family::IPV6_MULTICAST,
        Family::IPV6_NLRI_MPLS,
        Family::IPV6_MCAST_VPN,
        Family::IPV6_MUP,
        Family::IPV6_MPLS_VPN,
        Family::IPV6_FLOW,
        Family::IPV6_FLOW_VPN,
        Family::L2VPN_VPLS,
        Family::L2VPN_EVPN,
        Family::BGP_LS,
        Family::BGP_LS_VPN,
    ];

    /// Parses ExaBGP's two-word form (`ipv4 unicast`) or the slash form
    /// (`ipv4/unicast`) used in JSON.
    pub fn from_names(afi: &str, safi: &str) -> Option<Family> {
        Some(Family::new(Afi::from_name(afi)?, Safi::from_name(safi)?))
    }

    /// `"ipv4 unicast"`: the key ExaBGP uses in UPDATE JSON and text output.
    pub fn spaced(self) -> String {
        format!("{} {}", self.afi, self.safi)
    }

    /// `"ipv4/unicast"`: the form ExaBGP uses in OPEN capability JSON.
    pub fn slashed(self) -> String {
        format!("{}/{}", self.afi, self.safi)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.afi, self.safi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_known_is_sorted_and_named() {
        let mut sorted = Family::ALL_KNOWN;
        sorted.sort();
        assert_eq!(sorted, Family::ALL_KNOWN);
        for f in Family::ALL_KNOWN {
            let back = Family::from_names(f.afi.name().unwrap(), f.safi.name().unwrap());
            assert_eq!(back, Some(f));
        }
        assert_eq!(Family::IPV6_FLOW_VPN.spaced(), "ipv6 flow-vpn");
        assert_eq!(Family::L2VPN_EVPN.slashed(), "l2vpn/evpn");
        assert_eq!(Family::new(Afi(9), Safi(9)).to_string(), "afi-9 safi-9");
    }
}
