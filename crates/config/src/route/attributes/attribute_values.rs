//! The values of the route keywords that are more than one token or one
//! number: AS paths with sets and confederations, the aggregator,
//! communities, extended communities, route distinguishers, generic
//! attributes in hex, BGP Prefix-SID label indexes and SRv6 service SIDs.

use super::*;

pub(super) fn as_path(cur: &mut Cursor<'_>) -> PResult<AsPath> {
    match cur.peek_kind() {
        Some(TokenKind::LBracket) | Some(TokenKind::LParen) => {}
        _ => {
            let t = cur.value("as-path", "an AS number or [ ... ]")?;
            return Ok(AsPath {
                segments: vec![Segment {
                    kind: SegmentType::Sequence,
                    asns: vec![path_asn(t)?],
                }],
            });
        }
    }
    let mut segments = Vec::new();
    while let Some(open) = cur.peek() {
        let (close, plain, confed) = match open.kind {
            TokenKind::LBracket => (
                TokenKind::RBracket,
                SegmentType::Sequence,
                SegmentType::ConfedSequence,
            ),
            TokenKind::LParen => (TokenKind::RParen, SegmentType::Set, SegmentType::ConfedSet),
            _ => break,
        };
        cur.advance();
        let mut asns = Vec::new();
        let mut kind = plain;
        loop {
            let Some(t) = cur.advance() else {
                return Err(ParseError::new(
                    cur.end(),
                    format!("unterminated as-path group opened by \"{}\"", open.text),
                ));
            };
            match t.kind {
                k if k == close => break,
                TokenKind::Comma => {}
                TokenKind::LBrace => {
                    // confederation group: { a b } inside the brackets
                    if !asns.is_empty() {
                        segments.push(Segment {
                            kind,
                            asns: std::mem::take(&mut asns),
                        });
                    }
                    segments.push(Segment {
                        kind: confed,
                        asns: confederation(cur)?,
                    });
                    kind = plain;
                }
                _ if t.is_word() => asns.push(path_asn(t)?),
                _ => {
                    return Err(ParseError::new(
                        t.pos,
                        format!(
                            "found \"{}\" in as-path: expected an AS number or \"{}\"",
                            t.text,
                            if close == TokenKind::RBracket {
                                "]"
                            } else {
                                ")"
                            }
                        ),
                    ))
                }
            }
        }
        if !asns.is_empty() {
            segments.push(Segment { kind, asns });
        }
    }
    Ok(AsPath { segments })
}

/// An AS number of an as-path.
fn path_asn(t: &Token) -> PResult<u32> {
    values::asn(t).map_err(|_| {
        ParseError::new(
            t.pos,
            format!(
                "invalid AS number \"{}\" in as-path: expected 0..4294967295",
                t.text
            ),
        )
    })
}

/// The AS numbers of a confederation group, after its `{` up to its `}`.
fn confederation(cur: &mut Cursor<'_>) -> PResult<Vec<u32>> {
    let mut conf = Vec::new();
    loop {
        match cur.advance() {
            Some(t) if t.kind == TokenKind::RBrace => break,
            Some(t) if t.kind == TokenKind::Comma => {}
            Some(t) if t.is_word() => conf.push(path_asn(t)?),
            Some(t) => {
                return Err(ParseError::new(
                    t.pos,
                    format!(
                        "found \"{}\" in a confederation group: expected an AS number or \"}}\"",
                        t.text
                    ),
                ))
            }
            None => {
                return Err(ParseError::new(
                    cur.end(),
                    "unterminated confederation group: expected \"}\"",
                ))
            }
        }
    }
    Ok(conf)
}

pub(super) fn aggregator(cur: &mut Cursor<'_>) -> PResult<Aggregator> {
    let paren = cur.eat(TokenKind::LParen);
    let t = cur.value("aggregator", "asn:ipv4")?;
    let bad = || {
        ParseError::new(
            t.pos,
            format!(
                "invalid aggregator \"{}\": expected asn:ipv4 such as 65000:192.0.2.1",
                t.text
            ),
        )
    };
    let (asn, ip) = t.text.split_once(':').ok_or_else(bad)?;
    let asn = values::asn(&Token::word(asn, t.pos)).map_err(|_| bad())?;
    let ip = ip.parse::<Ipv4Addr>().map_err(|_| bad())?;
    if paren {
        cur.expect(TokenKind::RParen, "\")\" to close the aggregator")?;
    }
    Ok(Aggregator { asn, ip })
}

/// One standard community: `a:b`, decimal, `0x..` or a well-known name
/// (wire's parser; the message says which form the text failed).
pub(super) fn community(t: &Token) -> PResult<Community> {
    t.text.parse::<Community>().map_err(|_| {
        let lower = t.text.to_ascii_lowercase();
        let why = if lower.contains(':') {
            "expected a:b with both parts 0..65535"
        } else if lower.starts_with("0x") {
            "expected a 32-bit hexadecimal value"
        } else {
            "expected a:b, a 32-bit integer, or no-export, no-advertise, no-export-subconfed, nopeer, blackhole"
        };
        ParseError::new(t.pos, format!("invalid community \"{}\": {why}", t.text))
    })
}

/// One extended community in any of ExaBGP's forms.
pub(super) fn extended_community(t: &Token) -> PResult<ExtendedCommunity> {
    t.text.parse::<ExtendedCommunity>().map_err(|_| {
        ParseError::new(
            t.pos,
            format!(
                "invalid extended-community \"{}\": expected target:ASN:NN, target:IPv4:NN, origin:..., redirect:ASN:NN, l2info:..., bandwidth:ASN:rate, mup:A:B, redirect-to-nexthop or 0x followed by 16 hex digits",
                t.text
            ),
        )
    })
}

/// `asn2:nn`, `asn4:nn` or `ipv4:nn` (type chosen by magnitude).
pub(super) fn route_distinguisher(t: &Token) -> PResult<RouteDistinguisher> {
    let bad = || {
        ParseError::new(
            t.pos,
            format!("invalid route distinguisher \"{}\": expected asn:number (65000:1) or ipv4:number (192.0.2.1:1)", t.text),
        )
    };
    let (admin, num) = t.text.rsplit_once(':').ok_or_else(bad)?;
    if let Ok(ip) = admin.parse::<Ipv4Addr>() {
        return Ok(RouteDistinguisher::ip(
            ip,
            num.parse::<u16>().map_err(|_| bad())?,
        ));
    }
    let asn = admin
        .strip_suffix('L')
        .unwrap_or(admin)
        .parse::<u32>()
        .map_err(|_| bad())?;
    if asn <= 0xFFFF && !admin.ends_with('L') {
        Ok(RouteDistinguisher::as2(
            asn as u16,
            num.parse::<u32>().map_err(|_| bad())?,
        ))
    } else {
        Ok(RouteDistinguisher::as4(
            asn,
            num.parse::<u16>().map_err(|_| bad())?,
        ))
    }
}

pub(super) fn hex_bytes(t: &Token) -> PResult<Vec<u8>> {
    let h = t
        .text
        .strip_prefix("0x")
        .or_else(|| t.text.strip_prefix("0X"))
        .ok_or_else(|| {
            ParseError::new(
                t.pos,
                format!(
                    "invalid attribute data \"{}\": expected 0x followed by hexadecimal digits",
                    t.text
                ),
            )
        })?;
    if h.len() % 2 != 0 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ParseError::new(
            t.pos,
            format!(
                "invalid attribute data \"{}\": expected an even number of hexadecimal digits",
                t.text
            ),
        ));
    }
    Ok((0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0))
        .collect())
}

pub(super) fn generic(cur: &mut Cursor<'_>) -> PResult<RawAttribute> {
    cur.expect(
        TokenKind::LBracket,
        "\"[\" (attribute [ 0xCODE 0xFLAGS 0xDATA ])",
    )?;
    let code = values::int_in(
        cur.value("attribute", "an attribute type code")?,
        "attribute code",
        0,
        255,
    )? as u8;
    let flags = values::int_in(
        cur.value("attribute", "attribute flags")?,
        "attribute flags",
        0,
        255,
    )? as u8;
    let data = hex_bytes(cur.value("attribute", "attribute data (0x...)")?)?;
    if data.len() > 0xFFFF {
        return cur.error("attribute data longer than 65535 bytes");
    }
    cur.expect(TokenKind::RBracket, "\"]\" to close the attribute")?;
    Ok(RawAttribute::new(code, flags, data))
}

pub(super) fn prefix_sid(cur: &mut Cursor<'_>) -> PResult<SrLabelIndex> {
    if !cur.eat(TokenKind::LBracket) {
        let t = cur.value("bgp-prefix-sid", "a label index or [ ... ]")?;
        return Ok(SrLabelIndex {
            label_index: values::u32_any(t, "label index")?,
            srgbs: Vec::new(),
        });
    }
    let idx = values::u32_any(cur.value("bgp-prefix-sid", "a label index")?, "label index")?;
    cur.eat(TokenKind::Comma);
    let mut srgbs = Vec::new();
    if cur.eat(TokenKind::LBracket) {
        loop {
            if cur.eat(TokenKind::RBracket) {
                break;
            }
            if cur.eat(TokenKind::Comma) {
                continue;
            }
            cur.expect(TokenKind::LParen, "\"(\" starting an SRGB (base,range)")?;
            let base = values::int_in(
                cur.value("bgp-prefix-sid", "an SRGB base")?,
                "SRGB base",
                0,
                0xFF_FFFF,
            )? as u32;
            cur.eat(TokenKind::Comma);
            let range = values::int_in(
                cur.value("bgp-prefix-sid", "an SRGB range")?,
                "SRGB range",
                0,
                0xFF_FFFF,
            )? as u32;
            cur.expect(TokenKind::RParen, "\")\" closing the SRGB")?;
            srgbs.push((base, range));
        }
    }
    cur.expect(TokenKind::RBracket, "\"]\" to close bgp-prefix-sid")?;
    Ok(SrLabelIndex {
        label_index: idx,
        srgbs,
    })
}

pub(super) fn srv6(cur: &mut Cursor<'_>) -> PResult<Srv6ServiceSid> {
    cur.expect(
        TokenKind::LParen,
        "\"(\" (bgp-prefix-sid-srv6 ( l3-service <sid> ... ))",
    )?;
    let k = cur.value("bgp-prefix-sid-srv6", "l3-service or l2-service")?;
    let service = match k.text.as_str() {
        "l3-service" => Srv6Service::L3,
        "l2-service" => Srv6Service::L2,
        _ => {
            return Err(ParseError::new(
                k.pos,
                format!(
                    "invalid SRv6 service \"{}\": expected l3-service or l2-service",
                    k.text
                ),
            ))
        }
    };
    let s = cur.value("bgp-prefix-sid-srv6", "an IPv6 SID")?;
    let sid = s.text.parse::<Ipv6Addr>().map_err(|_| {
        ParseError::new(
            s.pos,
            format!("invalid SRv6 SID \"{}\": expected an IPv6 address", s.text),
        )
    })?;
    let mut out = Srv6ServiceSid {
        service,
        sid,
        behavior: None,
        structure: None,
    };
    if cur.peek().is_some_and(|t| t.is_word()) {
        let b = cur
            .advance()
            .ok_or_else(|| ParseError::new(cur.end(), "missing behavior"))?;
        out.behavior = Some(values::u16_in(b, "SRv6 behavior", 0, 0xFFFF)?);
        if cur.eat(TokenKind::LBracket) {
            let mut v = [0u8; 6];
            let mut n = 0;
            loop {
                match cur.advance() {
                    Some(t) if t.kind == TokenKind::RBracket => break,
                    Some(t) if t.kind == TokenKind::Comma => {}
                    Some(t) if t.is_word() && n < 6 => {
                        v[n] = values::u8_in(t, "SID structure length", 0, 255)?;
                        n += 1;
                    }
                    Some(t) => return Err(ParseError::new(t.pos, format!("found \"{}\" in the SID structure: expected six numbers lbl,lnl,fl,al,tlen,toff", t.text))),
                    None => return Err(ParseError::new(cur.end(), "unterminated SID structure: expected \"]\"")),
                }
            }
            if n != 6 {
                return cur.error(format!(
                    "SID structure has {n} values: expected six (lbl,lnl,fl,al,tlen,toff)"
                ));
            }
            out.structure = Some(v);
        }
    }
    cur.expect(TokenKind::RParen, "\")\" to close bgp-prefix-sid-srv6")?;
    Ok(out)
}
