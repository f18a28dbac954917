//! Parsers for single configuration values (booleans, AS numbers, addresses,
//! prefixes, bounded integers), each returning a positioned error that says
//! what was found and what was expected.

use crate::error::{PResult, ParseError};
use crate::lexer::Token;
use ferrobgp_wire::Afi;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{IpAddr, Ipv4Addr};

/// The error for `extra`, a word left after the value of `keyword`
/// (`keyword value extra;`).
pub(crate) fn left_after(extra: &Token, keyword: &Token) -> ParseError {
    ParseError::new(
        extra.pos,
        format!(
            "unexpected \"{}\" after the value of \"{}\": expected \";\"",
            extra.text, keyword.text
        ),
    )
}

pub(crate) fn err<T>(tok: &Token, message: impl Into<String>) -> PResult<T> {
    Err(ParseError::new(tok.pos, message))
}

/// `true|enable|enabled|false|disable|disabled`.
pub fn boolean(tok: &Token) -> PResult<bool> {
    match tok.text.as_str() {
        "true" | "enable" | "enabled" => Ok(true),
        "false" | "disable" | "disabled" => Ok(false),
        _ => err(
            tok,
            format!(
                "invalid boolean \"{}\": expected true, false, enable or disable",
                tok.text
            ),
        ),
    }
}

/// An AS number: decimal 0..4294967295 or asdot `high.low`.
pub fn asn(tok: &Token) -> PResult<u32> {
    let t = tok.text.as_str();
    let bad = || {
        err(
            tok,
            format!("invalid AS number \"{t}\": expected 0..4294967295 or asdot notation (1.10)"),
        )
    };
    if let Some((hi, lo)) = t.split_once('.') {
        let (Ok(hi), Ok(lo)) = (hi.parse::<u16>(), lo.parse::<u16>()) else {
            return bad();
        };
        return Ok((u32::from(hi) << 16) | u32::from(lo));
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return bad();
    }
    t.parse::<u32>().or_else(|_| bad())
}

/// An unsigned integer, decimal or `0x` hexadecimal, within `min..=max`.
pub fn int_in(tok: &Token, what: &str, min: u64, max: u64) -> PResult<u64> {
    let t = tok.text.as_str();
    let parsed = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        t.parse::<u64>().ok()
    } else {
        None
    };
    match parsed {
        Some(v) if v >= min && v <= max => Ok(v),
        Some(_) => err(
            tok,
            format!("{what} {t} is out of range: expected {min}..{max}"),
        ),
        None => err(
            tok,
            format!("invalid {what} \"{t}\": expected an integer {min}..{max}"),
        ),
    }
}

pub fn u8_in(tok: &Token, what: &str, min: u8, max: u8) -> PResult<u8> {
    int_in(tok, what, min.into(), max.into()).map(|v| v as u8)
}

pub fn u16_in(tok: &Token, what: &str, min: u16, max: u16) -> PResult<u16> {
    int_in(tok, what, min.into(), max.into()).map(|v| v as u16)
}

pub fn u32_any(tok: &Token, what: &str) -> PResult<u32> {
    int_in(tok, what, 0, u32::MAX.into()).map(|v| v as u32)
}

/// An IPv4 address.
pub fn ipv4(tok: &Token, what: &str) -> PResult<Ipv4Addr> {
    tok.text.parse::<Ipv4Addr>().or_else(|_| {
        err(
            tok,
            format!("invalid {what} \"{}\": expected an IPv4 address", tok.text),
        )
    })
}

/// An IPv4 or IPv6 address.
pub fn ip(tok: &Token, what: &str) -> PResult<IpAddr> {
    tok.text.parse::<IpAddr>().or_else(|_| {
        err(
            tok,
            format!("invalid {what} \"{}\": expected an IP address", tok.text),
        )
    })
}

/// An address of `afi` (the family of the route it is in).
pub fn ip_in(tok: &Token, what: &str, afi: Afi) -> PResult<IpAddr> {
    let ip = ip(tok, what)?;
    if ip.is_ipv4() != (afi == Afi::IPV4) {
        return err(
            tok,
            format!(
                "invalid {what} \"{}\": expected an {} address",
                tok.text,
                afi_name(afi)
            ),
        );
    }
    Ok(ip)
}

/// A prefix of `afi` (the family of the route it is in).
pub fn prefix_in(tok: &Token, afi: Afi) -> PResult<IpNet> {
    let p = prefix(tok)?;
    if p.addr().is_ipv4() != (afi == Afi::IPV4) {
        return err(
            tok,
            format!(
                "invalid prefix \"{}\": expected an {} prefix",
                tok.text,
                afi_name(afi)
            ),
        );
    }
    Ok(p)
}

fn afi_name(afi: Afi) -> &'static str {
    if afi == Afi::IPV4 {
        "IPv4"
    } else {
        "IPv6"
    }
}

/// `a.b.c.d[/len]` or `v6[/len]`; a bare address is a host route. Host bits
/// must be clear.
pub fn prefix(tok: &Token) -> PResult<IpNet> {
    let t = tok.text.as_str();
    let (addr, len) = match t.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (t, None),
    };
    let Ok(addr) = addr.parse::<IpAddr>() else {
        return err(
            tok,
            format!("invalid prefix \"{t}\": expected an IP address or prefix (10.0.0.0/24)"),
        );
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = match len {
        None => max,
        Some(l) => match l.parse::<u8>() {
            Ok(l) if l <= max => l,
            _ => {
                return err(
                    tok,
                    format!("invalid prefix length in \"{t}\": expected 0..{max}"),
                );
            }
        },
    };
    let net = match addr {
        IpAddr::V4(a) => {
            IpNet::V4(Ipv4Net::new(a, len).map_err(|_| ParseError::new(tok.pos, "bad prefix"))?)
        }
        IpAddr::V6(a) => {
            IpNet::V6(Ipv6Net::new(a, len).map_err(|_| ParseError::new(tok.pos, "bad prefix"))?)
        }
    };
    if net.trunc() != net {
        return err(
            tok,
            format!(
                "invalid prefix \"{t}\": host bits are set (did you mean {}?)",
                net.trunc()
            ),
        );
    }
    Ok(net)
}

/// The value tokens of a statement: exactly one word expected.
pub fn single<'a>(keyword: &Token, args: &'a [Token]) -> PResult<&'a Token> {
    match args {
        [one] if one.is_word() => Ok(one),
        [] => err(keyword, format!("missing value for \"{}\"", keyword.text)),
        [one] => err(
            one,
            format!(
                "invalid value \"{}\" for \"{}\": expected a word",
                one.text, keyword.text
            ),
        ),
        [_, extra, ..] => Err(left_after(extra, keyword)),
    }
}

/// A single word, or a `[ a b ... ]` list of words.
pub fn word_or_list<'a>(keyword: &Token, args: &'a [Token]) -> PResult<Vec<&'a Token>> {
    if let Some(first) = args.first() {
        if first.kind == crate::lexer::TokenKind::LBracket {
            let Some(close) = args
                .iter()
                .position(|t| t.kind == crate::lexer::TokenKind::RBracket)
            else {
                return err(first, "unterminated list: expected \"]\"");
            };
            if let Some(extra) = args.get(close + 1) {
                return err(
                    extra,
                    format!(
                        "unexpected \"{}\" after the list: expected \";\"",
                        extra.text
                    ),
                );
            }
            let mut out = Vec::new();
            for t in &args[1..close] {
                match t.kind {
                    crate::lexer::TokenKind::Comma => {}
                    _ if t.is_word() => out.push(t),
                    _ => return err(t, format!("unexpected \"{}\" in list", t.text)),
                }
            }
            return Ok(out);
        }
    }
    single(keyword, args).map(|t| vec![t])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Pos;

    fn t(s: &str) -> Token {
        Token::word(s, Pos::new(1, 1))
    }

    #[test]
    fn asns() {
        assert_eq!(asn(&t("65000")).unwrap(), 65000);
        assert_eq!(asn(&t("1.10")).unwrap(), 65546);
        assert_eq!(asn(&t("4294967295")).unwrap(), u32::MAX);
        assert!(asn(&t("4294967296")).is_err());
        assert!(asn(&t("-1")).is_err());
        assert!(asn(&t("1.70000")).is_err());
    }

    #[test]
    fn prefixes() {
        assert_eq!(
            prefix(&t("10.0.0.0/24")).unwrap().to_string(),
            "10.0.0.0/24"
        );
        assert_eq!(prefix(&t("10.0.0.1")).unwrap().to_string(), "10.0.0.1/32");
        assert_eq!(
            prefix(&t("2A02:B80:0:1::1/128")).unwrap().to_string(),
            "2a02:b80:0:1::1/128"
        );
        let e = prefix(&t("10.0.0.1/24")).unwrap_err();
        assert_eq!(
            e.message,
            "invalid prefix \"10.0.0.1/24\": host bits are set (did you mean 10.0.0.0/24?)"
        );
        assert!(prefix(&t("10.0.0.0/33")).is_err());
        assert!(prefix(&t("::/129")).is_err());
    }

    #[test]
    fn ints() {
        assert_eq!(int_in(&t("0x10"), "x", 0, 100).unwrap(), 16);
        assert!(int_in(&t("101"), "x", 0, 100).is_err());
        assert!(int_in(&t(""), "x", 0, 100).is_err());
    }
}
