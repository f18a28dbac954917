//! The flow route being read: each statement of `match`, `then` and
//! `scope` (block, one-line and API forms alike) added to it, the `redirect`
//! target parsed, and the whole checked once complete.

use super::*;

/// Accumulates a flow route while its parts are read.
#[derive(Default)]
pub(super) struct Builder {
    afi: Option<(Afi, Pos)>,
    pub(super) spec: RouteSpec,
    matches: Vec<FlowMatch>,
    actions: Vec<FlowAction>,
    interface_sets: Vec<InterfaceSet>,
}

impl Builder {
    fn set_afi(&mut self, afi: Afi, at: Pos) -> PResult<()> {
        match self.afi {
            Some((a, first)) if a != afi => Err(ParseError::new(
                at,
                format!(
                    "flow route mixes IPv4 and IPv6 components (first seen at line {})",
                    first.line
                ),
            )),
            Some(_) => Ok(()),
            None => {
                self.afi = Some((afi, at));
                Ok(())
            }
        }
    }

    /// One match keyword with its values from the cursor.
    pub(super) fn match_keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<bool> {
        let (component, want) = match kw.text.as_str() {
            "source" => (FlowComponent::Source, None),
            "destination" => (FlowComponent::Destination, None),
            "source-ipv4" => (FlowComponent::Source, Some(Afi::IPV4)),
            "destination-ipv4" => (FlowComponent::Destination, Some(Afi::IPV4)),
            "source-ipv6" => (FlowComponent::Source, Some(Afi::IPV6)),
            "destination-ipv6" => (FlowComponent::Destination, Some(Afi::IPV6)),
            "protocol" => (FlowComponent::Protocol, None),
            "next-header" => (FlowComponent::Protocol, Some(Afi::IPV6)),
            "port" => (FlowComponent::Port, None),
            "destination-port" => (FlowComponent::DestinationPort, None),
            "source-port" => (FlowComponent::SourcePort, None),
            "icmp-type" => (FlowComponent::IcmpType, None),
            "icmp-code" => (FlowComponent::IcmpCode, None),
            "tcp-flags" => (FlowComponent::TcpFlags, None),
            "packet-length" => (FlowComponent::PacketLength, None),
            "dscp" => (FlowComponent::Dscp, None),
            "traffic-class" => (FlowComponent::Dscp, Some(Afi::IPV6)),
            "fragment" => (FlowComponent::Fragment, None),
            "flow-label" => (FlowComponent::FlowLabel, Some(Afi::IPV6)),
            _ => return Ok(false),
        };
        let bracketed = cur.peek_kind() == Some(TokenKind::LBracket);
        let mut words = cur.list(&kw.text, "a match value")?;
        // ExaBGP also takes a list without brackets, as ExaFS writes it:
        // `destination-port =80 =443;`, `tcp-flags SYN ACK;`.
        if !bracketed {
            while let Some(t) = cur.peek() {
                if !(t.is_word() && continues_list(component, &t.text)) {
                    break;
                }
                words.push(t);
                cur.advance();
            }
        }
        if words.is_empty() {
            return Err(ParseError::new(
                kw.pos,
                format!("empty list for \"{}\"", kw.text),
            ));
        }
        if matches!(
            component,
            FlowComponent::Source | FlowComponent::Destination
        ) {
            self.prefixes(component, want, words)?;
        } else {
            self.term_match(component, want, kw, words)?;
        }
        Ok(true)
    }

    /// The prefixes of a `source` or `destination` match (each sets the
    /// rule's address family).
    fn prefixes(
        &mut self,
        component: FlowComponent,
        want: Option<Afi>,
        words: Vec<&Token>,
    ) -> PResult<()> {
        for w in words {
            let (prefix, offset) = flow_prefix(w, want)?;
            self.set_afi(
                if prefix.addr().is_ipv4() {
                    Afi::IPV4
                } else {
                    Afi::IPV6
                },
                w.pos,
            )?;
            self.matches.push(FlowMatch::Prefix {
                component,
                prefix,
                offset,
            });
        }
        Ok(())
    }

    /// The terms of a numeric or bitmask match, each list item an OR
    /// branch; several lines for the same component extend it.
    fn term_match(
        &mut self,
        component: FlowComponent,
        want: Option<Afi>,
        kw: &Token,
        words: Vec<&Token>,
    ) -> PResult<()> {
        if let Some(a) = want {
            self.set_afi(a, kw.pos)?;
        }
        let mut ts = Vec::new();
        for w in words {
            let before = ts.len();
            terms(component, w, &mut ts)?;
            // the first term of each list item starts a new OR branch
            if let Some(t) = ts.get_mut(before) {
                t.and = false;
            }
        }
        // several lines for the same component extend it
        if let Some(FlowMatch::Terms {
            terms: existing, ..
        }) = self
            .matches
            .iter_mut()
            .find(|m| matches!(m, FlowMatch::Terms { component: c, .. } if *c == component))
        {
            existing.extend(ts);
        } else {
            self.matches.push(FlowMatch::Terms {
                component,
                terms: ts,
            });
        }
        Ok(())
    }

    /// One `then` keyword with its values.
    pub(super) fn then_keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<bool> {
        match kw.text.as_str() {
            "accept" => self.actions.push(FlowAction::Accept),
            "discard" => self.actions.push(FlowAction::Discard),
            "rate-limit" => {
                let v = cur.value("rate-limit", "a rate in bytes per second")?;
                let r = v.text.parse::<f32>().ok().filter(|r| r.is_finite() && *r >= 0.0).ok_or_else(|| {
                    ParseError::new(v.pos, format!("invalid rate-limit \"{}\": expected a non-negative number of bytes per second", v.text))
                })?;
                self.actions.push(FlowAction::RateLimit(r));
            }
            "redirect" => {
                let r = redirect(cur)?;
                if let Redirect::NextHop(ip) = r {
                    self.spec.next_hop = Some(NextHopSpec::Ip(ip));
                }
                self.actions.push(FlowAction::Redirect(r));
            }
            "redirect-to-nexthop" => self.actions.push(FlowAction::RedirectToNexthop),
            "redirect-to-nexthop-ietf" => {
                let v = cur.value("redirect-to-nexthop-ietf", "an IP address")?;
                self.actions
                    .push(FlowAction::RedirectToNexthopIetf(values::ip(
                        v,
                        "redirect-to-nexthop-ietf address",
                    )?));
            }
            "copy" => {
                let v = cur.value("copy", "an IP address")?;
                let ip = values::ip(v, "copy address")?;
                self.spec.next_hop = Some(NextHopSpec::Ip(ip));
                self.actions.push(FlowAction::Copy(ip));
            }
            "mark" => {
                let v = cur.value("mark", "a DSCP value 0..63")?;
                self.actions
                    .push(FlowAction::Mark(values::u8_in(v, "mark", 0, 63)?));
            }
            "action" => {
                let v = cur.value("action", "sample, terminal or sample-terminal")?;
                let (sample, terminal) = match v.text.as_str() {
                    "sample" => (true, false),
                    "terminal" => (false, true),
                    "sample-terminal" => (true, true),
                    _ => {
                        return Err(ParseError::new(
                            v.pos,
                            format!(
                            "invalid action \"{}\": expected sample, terminal or sample-terminal",
                            v.text
                        ),
                        ))
                    }
                };
                self.actions.push(FlowAction::Action { sample, terminal });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub(super) fn scope_keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<bool> {
        if !kw.is("interface-set") {
            return Ok(false);
        }
        for w in cur.list(
            "interface-set",
            "transitive|non-transitive:input|output|input-output:ASN:group",
        )? {
            let bad = || {
                ParseError::new(
                    w.pos,
                    format!("invalid interface-set \"{}\": expected (transitive|non-transitive):(input|output|input-output):ASN:group", w.text),
                )
            };
            let parts: Vec<&str> = w.text.split(':').collect();
            let [t, d, asn, group] = parts.as_slice() else {
                return Err(bad());
            };
            let transitive = match *t {
                "transitive" => true,
                "non-transitive" => false,
                _ => return Err(bad()),
            };
            let direction = match *d {
                "input" => 1,
                "output" => 2,
                "input-output" => 3,
                _ => return Err(bad()),
            };
            let asn = asn.parse::<u32>().map_err(|_| bad())?;
            let group = group.parse::<u16>().map_err(|_| bad())?;
            self.interface_sets.push(InterfaceSet {
                transitive,
                direction,
                asn,
                group,
            });
        }
        Ok(true)
    }

    /// Any keyword of any part (the inline form).
    pub(super) fn any_keyword(&mut self, kw: &Token, cur: &mut Cursor<'_>) -> PResult<()> {
        if self.match_keyword(kw, cur)?
            || self.then_keyword(kw, cur)?
            || self.scope_keyword(kw, cur)?
        {
            return Ok(());
        }
        if route_keyword(kw, cur, &mut self.spec)? {
            return Ok(());
        }
        let mut known: Vec<&str> = MATCH_KEYWORDS.to_vec();
        known.extend(THEN_KEYWORDS);
        known.extend(["rd", "next-hop", "interface-set"]);
        Err(crate::section::unknown_keyword(kw, "flow route", &known))
    }

    pub(super) fn finish(self, at: Pos) -> PResult<FlowRoute> {
        if self.matches.is_empty() {
            return Err(ParseError::new(
                at,
                "flow route without any match component: expected match { ... }",
            ));
        }
        let afi = self.afi.map_or(Afi::IPV4, |(a, _)| a);
        let safi = if self.spec.rd.is_some() {
            Safi::FLOW_VPN
        } else {
            Safi::FLOW
        };
        // `redirect-to-nexthop` without a `next-hop` is accepted as ExaBGP
        // 5.0.15 accepts it: the extended community goes out with an empty
        // MP_REACH next hop (recorded from 5.0.15, see the ferrobgp crate's
        // `flow_redirect_nexthop` test).
        let mut matches = self.matches;
        matches.sort_by_key(|m| m.component());
        Ok(FlowRoute {
            family: Family::new(afi, safi),
            rd: self.spec.rd,
            next_hop: self.spec.next_hop,
            matches,
            actions: self.actions,
            interface_sets: self.interface_sets,
            attrs: Arc::new(self.spec.attrs),
            meta: RouteMeta {
                name: self.spec.name,
                watchdog: self.spec.watchdog,
                withdrawn: self.spec.withdraw,
            },
        })
    }
}

fn redirect(cur: &mut Cursor<'_>) -> PResult<Redirect> {
    // `[2001:db8::1]:100` is tokenised as `[`, address, `]`, `:100`
    if cur.eat(TokenKind::LBracket) {
        let a = cur.value("redirect", "an IPv6 address")?;
        let ip = a.text.parse::<std::net::Ipv6Addr>().map_err(|_| {
            ParseError::new(
                a.pos,
                format!(
                    "invalid redirect address \"{}\": expected an IPv6 address",
                    a.text
                ),
            )
        })?;
        cur.expect(TokenKind::RBracket, "\"]\"")?;
        let n = cur.value("redirect", ":<number>")?;
        let num = n
            .text
            .strip_prefix(':')
            .and_then(|x| x.parse::<u16>().ok())
            .ok_or_else(|| {
                ParseError::new(
                    n.pos,
                    format!(
                        "invalid redirect \"{}\": expected :<number 0..65535> after [IPv6]",
                        n.text
                    ),
                )
            })?;
        return Ok(Redirect::Ipv6 { ip, number: num });
    }
    let v = cur.value("redirect", "ASN:NN, IPv4:NN or an IP address")?;
    let bad = || {
        ParseError::new(
            v.pos,
            format!(
                "invalid redirect \"{}\": expected ASN:NN, IPv4:NN or an IP address",
                v.text
            ),
        )
    };
    if let Ok(ip) = v.text.parse::<IpAddr>() {
        return Ok(Redirect::NextHop(ip));
    }
    let (a, n) = v.text.rsplit_once(':').ok_or_else(bad)?;
    if let Ok(ip) = a.parse::<Ipv4Addr>() {
        return Ok(Redirect::Ipv4 {
            ip,
            number: n.parse().map_err(|_| bad())?,
        });
    }
    let asn = a.parse::<u32>().map_err(|_| bad())?;
    let number = n.parse::<u32>().map_err(|_| bad())?;
    if asn > 0xFFFF && number > 0xFFFF {
        return Err(ParseError::new(
            v.pos,
            format!(
                "invalid redirect \"{}\": with a 4-byte ASN the number must be 0..65535",
                v.text
            ),
        ));
    }
    Ok(Redirect::Asn { asn, number })
}
