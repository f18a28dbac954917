//! The RFC corpus (`qa/rfc/cases.txt`): one crafted message per case, sent
//! by an "evil peer" on a fresh session, and the outcome judged from
//! outside only: the NOTIFICATION received, or the session staying up and
//! what a JSON helper was told about the routes. This module holds the
//! pure part: the case file grammar, the message builder and the judge;
//! [`crate::rfc_peer`] runs a case against a daemon.
//!
//! A case is a block of lines:
//!
//! ```text
//! case NAME
//! rfc RFC 7606 7.1 MUST            (citation and strength, free text)
//! peer ebgp | asn2 | extended      (optional, the evil peer's OPEN)
//! open HEX                         (optional) the evil peer's OPEN body
//!                                  instead (after the header); a refusal
//!                                  of it is judged like any NOTIFICATION
//! peer-as ASN                      (optional) the daemon's `peer-as`
//!                                  instead of the peer kind's AS
//! requires CODE...                 capability codes the daemon's OPEN must
//!                                  carry for the case to apply (else n/a)
//! send update ATTRS [nlri HEX] [withdrawn HEX]   lengths computed
//! send body TYPE HEX               a message of TYPE with this body
//! send raw HEX                     bytes as they are (header included)
//! send open                        the peer's OPEN again
//! expect notification C/S [DATA|*]
//! expect withdraw PREFIX           session up, the helper got a withdraw
//! expect announce PREFIX [without KEY]... [with KEY]... [not PREFIX]...
//! expect nothing                   session up, no update event
//! ```
//!
//! In hex fields, `$NAME` expands to the snippets of [`SNIPPETS`] (the
//! pre-announced route's attributes), `$ZEROS:N` to N zero bytes; blanks
//! are ignored.

mod judge;

pub use judge::{describe, judge, open_capabilities, saw_down, Observed};

use crate::hex;
use serde_json::Value;

/// The prefix announced cleanly before each case's message.
pub const PRE_PREFIX: &str = "10.99.0.0/24";
/// The prefix announced cleanly after it: once the helper reports it,
/// everything before it was processed.
pub const SENTINEL_PREFIX: &str = "10.250.0.0/24";

/// Named hex snippets usable in a case's hex fields.
pub const SNIPPETS: &[(&str, &str)] = &[
    ("ORIGIN", "40010100"),
    // empty AS_PATH (iBGP)
    ("ASPATH", "400200"),
    // AS_SEQUENCE 65001 with 4-octet ASNs (eBGP, ASN4)
    ("ASPATH_EBGP", "4002060201 0000FDE9"),
    // AS_SEQUENCE 65001 with 2-octet ASNs (eBGP, old speaker)
    ("ASPATH_AS2", "4002040201 FDE9"),
    ("NH", "400304 C0000201"),
    ("LP", "400504 00000064"),
    ("PFX", "180A6300"),
    ("SENTINEL", "180AFA00"),
];

/// The evil peer's OPEN variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeerKind {
    /// iBGP, AS 65000, 4-octet AS capability.
    #[default]
    Ibgp,
    /// eBGP, AS 65001, 4-octet AS capability.
    Ebgp,
    /// eBGP, AS 65001, no 4-octet AS capability (an old speaker).
    Asn2,
    /// iBGP, with the extended message capability.
    Extended,
}

impl PeerKind {
    pub fn asn(self) -> u32 {
        match self {
            PeerKind::Ibgp | PeerKind::Extended => 65000,
            PeerKind::Ebgp | PeerKind::Asn2 => 65001,
        }
    }

    /// The OPEN body: version 4, hold time 180, router-id 10.0.0.2,
    /// multiprotocol IPv4/IPv6 unicast, route refresh, enhanced route
    /// refresh, 4-octet AS (except `Asn2`), extended message (`Extended`).
    pub fn open_body(self) -> Vec<u8> {
        let asn = self.asn();
        let mut caps: Vec<Vec<u8>> = vec![
            vec![1, 4, 0, 1, 0, 1],
            vec![1, 4, 0, 2, 0, 1],
            vec![2, 0],
            vec![70, 0],
        ];
        if self != PeerKind::Asn2 {
            let mut c = vec![65, 4];
            c.extend_from_slice(&asn.to_be_bytes());
            caps.push(c);
        }
        if self == PeerKind::Extended {
            caps.push(vec![6, 0]);
        }
        let mut params = Vec::new();
        for c in caps {
            params.push(2);
            params.push(c.len() as u8);
            params.extend_from_slice(&c);
        }
        let as2 = u16::try_from(asn).unwrap_or(23456);
        let mut body = vec![4];
        body.extend_from_slice(&as2.to_be_bytes());
        body.extend_from_slice(&[0, 180, 10, 0, 0, 2, params.len() as u8]);
        body.extend_from_slice(&params);
        body
    }

    /// The attributes of a clean announcement from this peer.
    pub fn clean_attributes(self) -> &'static str {
        match self {
            PeerKind::Ibgp | PeerKind::Extended => "$ORIGIN $ASPATH $NH $LP",
            PeerKind::Ebgp => "$ORIGIN $ASPATH_EBGP $NH",
            PeerKind::Asn2 => "$ORIGIN $ASPATH_AS2 $NH",
        }
    }
}

/// What a case expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A NOTIFICATION with this code and subcode, and data when given.
    Notification {
        code: u8,
        subcode: u8,
        data: Option<Vec<u8>>,
    },
    /// The session stays up and the helper was told the prefix is withdrawn.
    Withdraw(String),
    /// The session stays up and the helper was told the prefix is
    /// announced, without / with these attribute keys.
    Announce {
        prefix: String,
        without: Vec<String>,
        with: Vec<String>,
        /// Prefixes that must not be reported as announced.
        not: Vec<String>,
    },
    /// The session stays up and the helper got no update event for it.
    Nothing,
}

/// One case of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    pub rfc: String,
    pub peer: PeerKind,
    /// Whole messages (header included) sent after the pre-announced route.
    pub send: Vec<Vec<u8>>,
    pub expect: Expect,
    /// Capability codes the daemon must advertise for the case to apply.
    pub requires: Vec<u8>,
    /// The evil peer's OPEN body, when not the peer kind's.
    pub open: Option<Vec<u8>>,
    /// The `peer-as` the daemon is configured with, when not the peer
    /// kind's AS.
    pub peer_as: Option<u32>,
}

impl Case {
    /// The evil peer's OPEN body.
    pub fn open_body(&self) -> Vec<u8> {
        self.open.clone().unwrap_or_else(|| self.peer.open_body())
    }

    /// The daemon's `peer-as`.
    pub fn peer_as(&self) -> u32 {
        self.peer_as.unwrap_or_else(|| self.peer.asn())
    }
}

/// Expands `$NAME` snippets and decodes hex (blanks ignored).
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
    let mut s = String::new();
    for word in text.split_whitespace() {
        match word.strip_prefix('$') {
            Some(name) if name.starts_with("ZEROS:") => {
                let n: usize = name[6..].parse().map_err(|_| format!("bad ${name}"))?;
                s.push_str(&"00".repeat(n));
            }
            Some(name) => {
                let v = SNIPPETS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .ok_or_else(|| format!("unknown snippet ${name}"))?;
                s.extend(v.1.chars().filter(|c| !c.is_whitespace()));
            }
            None => s.push_str(word),
        }
    }
    hex::decode(&s).ok_or_else(|| format!("bad hex: {text}"))
}

/// A framed message of `kind` with `body` (length from the body, even when
/// it exceeds 4096).
pub fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![0xff; 16];
    let len = u16::try_from(19 + body.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.push(kind);
    out.extend_from_slice(body);
    out
}

/// An UPDATE body from its three fields (lengths computed).
pub fn update_body(withdrawn: &[u8], attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(4 + withdrawn.len() + attrs.len() + nlri.len());
    b.extend_from_slice(&(withdrawn.len() as u16).to_be_bytes());
    b.extend_from_slice(withdrawn);
    b.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    b.extend_from_slice(attrs);
    b.extend_from_slice(nlri);
    b
}

fn message_type(word: &str) -> Result<u8, String> {
    Ok(match word {
        "open" => 1,
        "update" => 2,
        "notification" => 3,
        "keepalive" => 4,
        "refresh" => 5,
        n => n.parse().map_err(|_| format!("bad message type {n}"))?,
    })
}

/// `send update ATTRS [nlri HEX] [withdrawn HEX]`: the attributes are the
/// words before `nlri`/`withdrawn`; `nlri` defaults to `$PFX`.
fn parse_update(rest: &str) -> Result<Vec<u8>, String> {
    let mut attrs = String::new();
    let mut nlri = String::from("$PFX");
    let mut withdrawn = String::new();
    let mut target = &mut attrs;
    for word in rest.split_whitespace() {
        match word {
            "nlri" => {
                nlri.clear();
                target = &mut nlri;
            }
            "withdrawn" => target = &mut withdrawn,
            w => {
                target.push(' ');
                target.push_str(w);
            }
        }
    }
    Ok(message(
        2,
        &update_body(&unhex(&withdrawn)?, &unhex(&attrs)?, &unhex(&nlri)?),
    ))
}

fn parse_expect(rest: &str) -> Result<Expect, String> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    match words.as_slice() {
        ["notification", cs, more @ ..] => {
            let (c, s) = cs
                .split_once('/')
                .ok_or("notification needs CODE/SUBCODE")?;
            let data = match more {
                [] | ["*"] => None,
                words => Some(unhex(&words.join(" "))?),
            };
            Ok(Expect::Notification {
                code: c.parse().map_err(|_| "bad code")?,
                subcode: s.parse().map_err(|_| "bad subcode")?,
                data,
            })
        }
        ["withdraw", p] => Ok(Expect::Withdraw(p.to_string())),
        ["nothing"] => Ok(Expect::Nothing),
        ["announce", p, more @ ..] => {
            let (mut without, mut with, mut not) = (Vec::new(), Vec::new(), Vec::new());
            for pair in more.chunks(2) {
                match pair {
                    ["without", k] => without.push(k.to_string()),
                    ["with", k] => with.push(k.to_string()),
                    ["not", k] => not.push(k.to_string()),
                    _ => return Err(format!("bad announce expectation: {rest}")),
                }
            }
            Ok(Expect::Announce {
                prefix: p.to_string(),
                without,
                with,
                not,
            })
        }
        _ => Err(format!("bad expectation: {rest}")),
    }
}

/// One line of a case, `key` and the `rest` of the line, applied to `case`.
fn case_line(case: &mut Case, key: &str, rest: &str) -> Result<(), String> {
    match key {
        "rfc" => case.rfc = rest.trim().to_string(),
        "requires" => {
            for w in rest.split_whitespace() {
                case.requires
                    .push(w.parse().map_err(|_| format!("bad capability {w}"))?);
            }
        }
        "open" => case.open = Some(unhex(rest)?),
        "peer-as" => {
            case.peer_as = Some(
                rest.trim()
                    .parse()
                    .map_err(|_| format!("bad peer-as {rest}"))?,
            )
        }
        "peer" => {
            case.peer = match rest.trim() {
                "ebgp" => PeerKind::Ebgp,
                "asn2" => PeerKind::Asn2,
                "extended" => PeerKind::Extended,
                "ibgp" => PeerKind::Ibgp,
                other => return Err(format!("unknown peer {other}")),
            }
        }
        "send" => {
            let (what, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            let msg = match what {
                "update" => parse_update(rest)?,
                "open" => message(1, &case.open_body()),
                "raw" => unhex(rest)?,
                "body" => {
                    let (t, body) = rest.split_once(' ').unwrap_or((rest, ""));
                    message(message_type(t)?, &unhex(body)?)
                }
                other => return Err(format!("unknown send {other}")),
            };
            case.send.push(msg);
        }
        "expect" => case.expect = parse_expect(rest)?,
        other => return Err(format!("unknown keyword {other}")),
    }
    Ok(())
}

/// Parses a case file; errors name the line.
pub fn parse(text: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    let mut expect_seen = true;
    for (i, line) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}", i + 1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        if key == "case" {
            if !expect_seen {
                return Err(at("previous case has no expect".into()));
            }
            expect_seen = false;
            cases.push(Case {
                name: rest.trim().to_string(),
                rfc: String::new(),
                peer: PeerKind::default(),
                send: Vec::new(),
                expect: Expect::Nothing,
                requires: Vec::new(),
                open: None,
                peer_as: None,
            });
            continue;
        }
        let case = cases
            .last_mut()
            .ok_or_else(|| at("line before the first case".into()))?;
        case_line(case, key, rest).map_err(at)?;
        if key == "expect" {
            expect_seen = true;
        }
    }
    if !expect_seen {
        return Err("last case has no expect".into());
    }
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("case {} defined twice", w[0]));
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &str = "
# two cases
case bad-origin
rfc RFC 7606 7.1 MUST
send update 40010103 $ASPATH $NH $LP
expect withdraw 10.99.0.0/24

case unknown-type
rfc RFC 4271 6.1 MUST
peer ebgp
send body 99
expect notification 1/3 63
";

    fn line(v: &str) -> String {
        v.to_string()
    }

    fn update(announce: &[&str], withdraw: &[&str], attrs: &str) -> String {
        let a: Vec<String> = announce
            .iter()
            .map(|p| format!("{{\"nlri\":\"{p}\"}}"))
            .collect();
        let w: Vec<String> = withdraw
            .iter()
            .map(|p| format!("{{\"nlri\":\"{p}\"}}"))
            .collect();
        format!(
            "{{\"type\":\"update\",\"neighbor\":{{\"message\":{{\"update\":{{\"attribute\":{{{attrs}}},\
             \"announce\":{{\"ipv4 unicast\":{{\"192.0.2.1\":[{}]}}}},\"withdraw\":{{\"ipv4 unicast\":[{}]}}}}}}}}}}",
            a.join(","),
            w.join(",")
        )
    }

    #[test]
    fn parses_cases_and_builds_messages() {
        let cases = parse(CASES).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].rfc, "RFC 7606 7.1 MUST");
        let m = &cases[0].send[0];
        // header, withdrawn length 0, attribute length 21, attributes, prefix
        assert_eq!(
            hex::encode(m),
            format!(
                "{}003002000000154001010340020040030 4C00002014005040000006418 0A6300",
                "F".repeat(32)
            )
            .replace(' ', "")
        );
        assert_eq!(cases[1].peer, PeerKind::Ebgp);
        assert_eq!(cases[1].send[0].len(), 19);
        assert_eq!(
            cases[1].expect,
            Expect::Notification {
                code: 1,
                subcode: 3,
                data: Some(vec![0x63])
            }
        );
        // the peer's own OPEN and the daemon's peer-as
        let c = parse("case o\npeer-as 4200000001\nopen 04 5BA0 00B4 0A000002 00\nsend open\nexpect notification 2/2 *")
            .unwrap();
        assert_eq!(c[0].peer_as(), 4_200_000_001);
        assert_eq!(c[0].open_body(), unhex("04 5BA0 00B4 0A000002 00").unwrap());
        assert_eq!(c[0].send[0], message(1, &c[0].open_body()));
        assert_eq!(cases[0].peer_as(), 65000);
        assert!(parse("case o\npeer-as x\nexpect nothing").is_err());
        assert!(parse("case a\nexpect bogus").is_err());
        assert!(parse("case a\nexpect nothing\ncase a\nexpect nothing").is_err());
        assert!(parse("case a\nsend update $NOPE\nexpect nothing").is_err());
    }

    #[test]
    fn judges_withdraw_announce_and_notification() {
        let cases = parse(CASES).unwrap();
        let pre = update(&[PRE_PREFIX], &[], "\"origin\":\"igp\"");
        let sentinel = update(&[SENTINEL_PREFIX], &[], "\"origin\":\"igp\"");
        let mut o = Observed {
            sentinel: true,
            helper: vec![
                pre.clone(),
                update(&[], &[PRE_PREFIX], ""),
                sentinel.clone(),
            ],
            ..Observed::default()
        };
        assert_eq!(judge(&cases[0], &o), Ok(()));
        // announced instead: fails
        o.helper[1] = update(&[PRE_PREFIX], &[], "\"origin\":\"igp\"");
        assert!(judge(&cases[0], &o).unwrap_err().contains("announced"));
        let announce = Case {
            expect: parse_expect("announce 10.99.0.0/24 without med with origin").unwrap(),
            ..cases[0].clone()
        };
        assert_eq!(judge(&announce, &o), Ok(()));
        o.helper[1] = update(&[PRE_PREFIX], &[], "\"origin\":\"igp\",\"med\":5");
        assert!(judge(&announce, &o).unwrap_err().contains("med"));
        // nothing between: Nothing passes, withdraw fails
        o.helper = vec![pre, sentinel];
        let nothing = Case {
            expect: Expect::Nothing,
            ..cases[0].clone()
        };
        assert_eq!(judge(&nothing, &o), Ok(()));
        assert!(judge(&cases[0], &o).is_err());
        // a NOTIFICATION: the data and the helper's down event count
        let down = line(r#"{"type":"state","neighbor":{"state":"down"}}"#);
        let o = Observed {
            notification: Some((1, 3, vec![0x63])),
            closed: true,
            helper: vec![down],
            ..Observed::default()
        };
        assert_eq!(judge(&cases[1], &o), Ok(()));
        assert!(judge(&cases[0], &o).is_err());
        let o = Observed {
            notification: Some((1, 3, vec![])),
            ..o
        };
        assert!(judge(&cases[1], &o).unwrap_err().contains("data 63"));
        // a refused OPEN: no session came up, so no down event is needed
        let o = Observed {
            notification: Some((1, 3, vec![0x63])),
            closed: true,
            ..Observed::default()
        };
        assert!(judge(&cases[1], &o).unwrap_err().contains("down"));
        let o = Observed { at_open: true, ..o };
        assert_eq!(judge(&cases[1], &o), Ok(()));
    }
}
