//! A configured flow route as the wire crate's route: the FlowSpec NLRI,
//! the actions as extended communities and IPv6 redirects as an
//! IPv6 Address Specific Extended Community attribute.

use super::*;

/// Flow-spec Redirect-to-IP / IPv6 sub-type (draft-ietf-idr-flowspec-redirect-ip).
const REDIRECT_IP_SUBTYPE: u8 = 0x0C;

impl FlowRoute {
    /// The wire crate's route: the rule as a FlowSpec NLRI (components
    /// sorted by type), the actions and interface sets as extended
    /// communities next to the configured ones (sorted), IPv6 redirects as
    /// an IPV6_EXTENDED_COMMUNITIES (25) attribute. `None` when a component
    /// cannot be encoded (a prefix of the other address family).
    pub fn to_wire(&self) -> Option<Route> {
        let components = self
            .matches
            .iter()
            .map(|m| self.component(m))
            .collect::<Option<Vec<Component>>>()?;
        let nlri = Nlri::Flow(Box::new(Flow::new(self.family.afi, self.rd, components)));
        let mut attrs = self.attrs.to_wire();
        let mut out = Actions {
            ext: attrs.extended_communities.as_slice().to_vec(),
            ipv6_ext: Vec::new(),
            next_hop: self.next_hop.map_or(NextHop::None, NextHopSpec::to_wire),
        };
        for a in &self.actions {
            out.add(a)?;
        }
        out.ext
            .extend(self.interface_sets.iter().map(interface_set));
        let Actions {
            ext,
            mut ipv6_ext,
            next_hop,
        } = out;
        attrs.extended_communities = ExtendedCommunities::new(ext);
        if !ipv6_ext.is_empty() {
            ipv6_ext.sort();
            let value: Vec<u8> = ipv6_ext.concat();
            attrs.other.retain(|r| r.code != IPV6_EXTENDED_COMMUNITIES);
            attrs
                .other
                .push(RawAttribute::new(IPV6_EXTENDED_COMMUNITIES, 0xC0, value));
            attrs.other.sort();
        }
        Some(Route::new(nlri, next_hop, Arc::new(attrs)))
    }

    /// One match as a FlowSpec component; `None` for a prefix of the
    /// other address family.
    fn component(&self, m: &FlowMatch) -> Option<Component> {
        Some(match m {
            FlowMatch::Prefix {
                component,
                prefix,
                offset,
            } => match prefix {
                IpNet::V4(n) if self.family.afi == Afi::IPV4 => {
                    Component::prefix4(component.code(), n.addr(), n.prefix_len())
                }
                IpNet::V6(n) if self.family.afi == Afi::IPV6 => {
                    Component::prefix6(component.code(), n.addr(), n.prefix_len(), *offset)
                }
                _ => return None,
            },
            FlowMatch::Terms { component, terms } => Component::ops(
                component.code(),
                terms
                    .iter()
                    .map(|t| {
                        let mut flags = if t.and { op::AND } else { 0 };
                        if component.is_bitmask() {
                            flags |=
                                if t.not { op::NOT } else { 0 } | if t.eq { op::MATCH } else { 0 };
                        } else {
                            flags |= if t.lt { op::LT } else { 0 }
                                | if t.gt { op::GT } else { 0 }
                                | if t.eq { op::EQ } else { 0 };
                        }
                        Term::new(flags, t.value)
                    })
                    .collect(),
            ),
        })
    }
}

/// What the actions of a flow route make: extended communities, IPv6
/// address specific ones (20 bytes each), and the next hop.
struct Actions {
    ext: Vec<ExtendedCommunity>,
    ipv6_ext: Vec<[u8; 20]>,
    next_hop: NextHop,
}

impl Actions {
    /// Adds one action; `None` when it cannot be encoded (a redirect
    /// [`ExtendedCommunity::redirect`] cannot carry).
    fn add(&mut self, a: &FlowAction) -> Option<()> {
        let ext = &mut self.ext;
        match *a {
            FlowAction::Accept => {}
            FlowAction::Discard => ext.push(ExtendedCommunity::traffic_rate(0, 0.0)),
            FlowAction::RateLimit(r) => ext.push(ExtendedCommunity::traffic_rate(0, r)),
            FlowAction::Redirect(Redirect::Asn { asn, number }) => {
                ext.push(ExtendedCommunity::redirect(asn, number)?)
            }
            FlowAction::Redirect(Redirect::Ipv4 { ip, number }) => {
                let mut b = [0x81, 0x08, 0, 0, 0, 0, 0, 0];
                b[2..6].copy_from_slice(&ip.octets());
                b[6..8].copy_from_slice(&number.to_be_bytes());
                ext.push(ExtendedCommunity(b));
            }
            FlowAction::Redirect(Redirect::Ipv6 { ip, number }) => {
                let mut b = [0u8; 20];
                b[1] = 0x0D;
                b[2..18].copy_from_slice(&ip.octets());
                b[18..20].copy_from_slice(&number.to_be_bytes());
                self.ipv6_ext.push(b);
            }
            FlowAction::Redirect(Redirect::NextHop(ip)) => {
                ext.push(ExtendedCommunity::redirect_to_nexthop(false));
                self.next_hop = NextHop::from_ip(ip);
            }
            FlowAction::RedirectToNexthop => {
                ext.push(ExtendedCommunity::redirect_to_nexthop(false))
            }
            FlowAction::Copy(ip) => {
                ext.push(ExtendedCommunity::redirect_to_nexthop(true));
                self.next_hop = NextHop::from_ip(ip);
            }
            FlowAction::RedirectToNexthopIetf(IpAddr::V4(ip)) => {
                let mut b = [0x01, REDIRECT_IP_SUBTYPE, 0, 0, 0, 0, 0, 0];
                b[2..6].copy_from_slice(&ip.octets());
                ext.push(ExtendedCommunity(b));
            }
            FlowAction::RedirectToNexthopIetf(IpAddr::V6(ip)) => {
                let mut b = [0u8; 20];
                b[1] = REDIRECT_IP_SUBTYPE;
                b[2..18].copy_from_slice(&ip.octets());
                self.ipv6_ext.push(b);
            }
            FlowAction::Mark(d) => ext.push(ExtendedCommunity::traffic_mark(d)),
            FlowAction::Action { sample, terminal } => {
                ext.push(ExtendedCommunity::traffic_action(sample, terminal))
            }
        }
        Some(())
    }
}

/// An interface set (draft-ietf-idr-flowspec-interfaceset) as its
/// extended community.
fn interface_set(i: &InterfaceSet) -> ExtendedCommunity {
    let mut b = [
        if i.transitive { 0x07 } else { 0x47 },
        0x02,
        0,
        0,
        0,
        0,
        0,
        0,
    ];
    b[2..6].copy_from_slice(&i.asn.to_be_bytes());
    let v = (u16::from(i.direction) << 14) | (i.group & 0x3FFF);
    b[6..8].copy_from_slice(&v.to_be_bytes());
    ExtendedCommunity(b)
}

/// IPv6 Address Specific Extended Community attribute (RFC 5701).
const IPV6_EXTENDED_COMMUNITIES: u8 = 25;
