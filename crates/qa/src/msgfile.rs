//! Parsing of a test's `.msg` file (the format of ExaBGP's encoding suite,
//! specified in the suite's README): options for the peer and the runner, and
//! the expected messages and actions, in ordered groups.

use crate::error::QaError;
use crate::hex;
use std::cmp::Ordering;
use std::fmt;

/// The `option:` lines of a `.msg` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `option:tcp_connections:N` (runner): connection attempts of the daemon.
    pub tcp_connections: Option<u32>,
    /// `option:bind:ipv6`: the peer listens on `::1`.
    pub bind_ipv6: bool,
    /// `option:asn:N`: the peer answers with this AS.
    pub asn: Option<u16>,
    /// `option:open:inspect-open-message`: the daemon's OPEN is matched.
    pub inspect_open: bool,
    /// `option:open:send-unknown-capability`: capability 66 in the peer's OPEN.
    pub send_unknown_capability: bool,
    /// `option:open:send-unknown-message`: a message of type 255 after the OPEN.
    pub send_unknown_message: bool,
    /// `option:update:send-default-route`: one UPDATE after the OPEN.
    pub send_default_route: bool,
}

/// The prefix of an expectation line, ordering the groups: every numeric
/// group comes before every lettered one; numbers compare as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupKey {
    /// A plain decimal number, e.g. `21`.
    Numeric(u64),
    /// A letter (upper-cased) and a number, e.g. `A1`.
    Lettered(char, u64),
}

impl Ord for GroupKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (GroupKey::Numeric(a), GroupKey::Numeric(b)) => a.cmp(b),
            (GroupKey::Numeric(_), GroupKey::Lettered(..)) => Ordering::Less,
            (GroupKey::Lettered(..), GroupKey::Numeric(_)) => Ordering::Greater,
            (GroupKey::Lettered(l1, n1), GroupKey::Lettered(l2, n2)) => (l1, n1).cmp(&(l2, n2)),
        }
    }
}

impl PartialOrd for GroupKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupKey::Numeric(n) => write!(f, "{n}"),
            GroupKey::Lettered(l, n) => write!(f, "{l}{n}"),
        }
    }
}

impl GroupKey {
    /// Parses a prefix: `N` or a letter followed by `N`.
    pub fn parse(text: &str) -> Option<GroupKey> {
        let digits_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let first = text.chars().next()?;
        if first.is_ascii_alphabetic() {
            let rest = &text[1..];
            if !digits_ok(rest) {
                return None;
            }
            Some(GroupKey::Lettered(
                first.to_ascii_uppercase(),
                rest.parse().ok()?,
            ))
        } else if digits_ok(text) {
            Some(GroupKey::Numeric(text.parse().ok()?))
        } else {
            None
        }
    }
}

/// What an expectation line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// One complete message (or, without the 16-byte marker, a message minus
    /// its marker).
    Raw(Vec<u8>),
    /// Send a NOTIFICATION Cease with these data bytes.
    Notification(Vec<u8>),
    /// Send this signal (name as written, lower-cased) to the daemon.
    Signal(String),
    /// Any other kind: can never match.
    Unknown(String),
}

/// One expectation line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line as normalised (spaces removed and lower-cased unless it is a
    /// notification line).
    pub text: String,
    /// Line number in the file (1-based).
    pub number: usize,
    /// What the line asks for.
    pub kind: Kind,
}

impl Line {
    /// True when a received message matches this line.
    pub fn matches(&self, msg: &[u8]) -> bool {
        match &self.kind {
            Kind::Raw(bytes) if bytes.len() >= 16 && bytes[..16] == crate::bgp::MARKER => {
                bytes.as_slice() == msg
            }
            Kind::Raw(bytes) => msg.len() >= 16 && bytes.as_slice() == &msg[16..],
            _ => false,
        }
    }

    /// True for `notification` and `signal` lines.
    pub fn is_action(&self) -> bool {
        matches!(self.kind, Kind::Notification(_) | Kind::Signal(_))
    }
}

/// A group of expectations sharing one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: GroupKey,
    /// The lines in file order.
    pub lines: Vec<Line>,
}

/// A parsed `.msg` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MsgFile {
    pub options: Options,
    /// Groups in the order they are worked through.
    pub groups: Vec<Group>,
}

impl MsgFile {
    /// Reads and parses a `.msg` file.
    pub fn read(path: &std::path::Path) -> Result<MsgFile, QaError> {
        let text = std::fs::read_to_string(path).map_err(|source| QaError::Read {
            path: path.to_owned(),
            source,
        })?;
        MsgFile::parse(&path.display().to_string(), &text)
    }

    /// Parses the text of a `.msg` file; `name` is used in error messages.
    pub fn parse(name: &str, text: &str) -> Result<MsgFile, QaError> {
        let mut options = Options::default();
        let mut groups: Vec<Group> = Vec::new();
        for (index, raw_line) in text.lines().enumerate() {
            let number = index + 1;
            let error = |reason: String| QaError::Msg {
                path: name.to_owned(),
                line: number,
                reason,
            };
            let line = raw_line.trim();
            if line.is_empty() || line.contains('#') {
                continue;
            }
            if parse_option(line, &mut options).map_err(error)? {
                continue;
            }
            let normalised = if line.contains("notification:") {
                line.to_owned()
            } else {
                line.chars()
                    .filter(|c| *c != ' ')
                    .collect::<String>()
                    .to_lowercase()
            };
            let mut parts = normalised.splitn(3, ':');
            let (prefix, kind, content) = match (parts.next(), parts.next(), parts.next()) {
                (Some(p), Some(k), Some(c)) => (p.trim(), k.trim(), c),
                _ => {
                    return Err(error(format!(
                        "`{line}` is neither an option nor PREFIX:KIND:CONTENT"
                    )))
                }
            };
            let key = GroupKey::parse(prefix).ok_or_else(|| {
                error(format!("`{prefix}` is not a group prefix (N or letter+N)"))
            })?;
            let kind = match kind.to_lowercase().as_str() {
                "raw" => {
                    let digits: String = content.chars().filter(|c| *c != ':').collect();
                    let bytes = hex::decode(&digits)
                        .ok_or_else(|| error(format!("`{content}` is not hexadecimal")))?;
                    Kind::Raw(bytes)
                }
                "notification" => {
                    let lowered = content.to_lowercase();
                    let data = lowered.rsplit(':').next().unwrap_or_default();
                    Kind::Notification(data.as_bytes().to_vec())
                }
                "signal" => Kind::Signal(content.to_lowercase()),
                other => Kind::Unknown(other.to_owned()),
            };
            let line = Line {
                text: normalised.clone(),
                number,
                kind,
            };
            match groups.iter_mut().find(|g| g.key == key) {
                Some(group) => group.lines.push(line),
                None => groups.push(Group {
                    key,
                    lines: vec![line],
                }),
            }
        }
        groups.sort_by_key(|g| g.key);
        Ok(MsgFile { options, groups })
    }
}

/// Applies an option line; `Ok(false)` when the line is not an option line.
fn parse_option(line: &str, options: &mut Options) -> Result<bool, String> {
    let Some(rest) = line.strip_prefix("option:") else {
        return Ok(false);
    };
    match rest {
        "bind:ipv6" => options.bind_ipv6 = true,
        "open:inspect-open-message" => options.inspect_open = true,
        "open:send-unknown-capability" => options.send_unknown_capability = true,
        "open:send-unknown-message" => options.send_unknown_message = true,
        "update:send-default-route" => options.send_default_route = true,
        _ => {
            if let Some(n) = rest.strip_prefix("asn:") {
                let asn = n
                    .parse::<u16>()
                    .map_err(|_| format!("option:asn needs a number 0..65535, not `{n}`"))?;
                options.asn = Some(asn);
            } else if let Some(n) = rest.strip_prefix("tcp_connections:") {
                let count = n
                    .parse::<u32>()
                    .map_err(|_| format!("option:tcp_connections needs a count, not `{n}`"))?;
                options.tcp_connections = Some(count);
            } else {
                return Err(format!("unknown option line `{line}`"));
            }
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(file: &MsgFile) -> Vec<String> {
        file.groups.iter().map(|g| g.key.to_string()).collect()
    }

    #[test]
    fn numeric_groups_order_as_numbers() {
        let text = "100:raw:FF\n20:raw:01\n10:raw:02\n21:raw:03\n20:raw:04\n";
        let file = MsgFile::parse("t", text).unwrap();
        assert_eq!(keys(&file), ["10", "20", "21", "100"]);
        let twenty = &file.groups[1];
        assert_eq!(twenty.lines.len(), 2);
        assert_eq!(twenty.lines[0].kind, Kind::Raw(vec![0x01]));
        assert_eq!(twenty.lines[1].kind, Kind::Raw(vec![0x04]));
        assert_eq!(twenty.lines[1].number, 5);
    }

    #[test]
    fn lettered_groups_order_by_letter_then_number_and_ignore_case() {
        let text = "B1:raw:01\na2:raw:02\nA10:raw:03\nA1:raw:04\nb1:raw:05\n";
        let file = MsgFile::parse("t", text).unwrap();
        assert_eq!(keys(&file), ["A1", "A2", "A10", "B1"]);
        assert_eq!(file.groups[3].lines.len(), 2);
        assert!(GroupKey::Numeric(1000) < GroupKey::Lettered('A', 0));
    }

    #[test]
    fn comments_and_blank_lines_are_ignored() {
        let text =
            "# comment\n\n   \n1:raw:01 # trailing comment drops the line\n#2:raw:02\n3:raw:03";
        let file = MsgFile::parse("t", text).unwrap();
        assert_eq!(keys(&file), ["3"]);
    }

    #[test]
    fn raw_lines_lose_spaces_colons_and_case() {
        let text = "  1:RAW:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02: 0000 0000  \n";
        let file = MsgFile::parse("t", text).unwrap();
        let line = &file.groups[0].lines[0];
        assert_eq!(
            line.text,
            "1:raw:ffffffffffffffffffffffffffffffff:0017:02:00000000"
        );
        let mut eor = vec![0xff; 16];
        eor.extend_from_slice(&[0x00, 0x17, 0x02, 0, 0, 0, 0]);
        assert_eq!(line.kind, Kind::Raw(eor.clone()));
        assert!(line.matches(&eor));
        eor[22] = 1;
        assert!(!line.matches(&eor));
    }

    #[test]
    fn raw_without_marker_matches_message_minus_marker() {
        let file = MsgFile::parse("t", "1:raw:0013:04").unwrap();
        let line = &file.groups[0].lines[0];
        assert!(line.matches(&crate::bgp::keepalive()));
        assert!(!line.matches(&crate::bgp::unknown_message()));
    }

    #[test]
    fn notification_lines_keep_spaces_and_use_text_after_last_colon_lower_cased() {
        let text = "A1:notification:Closing Session: Because  WE can\n";
        let file = MsgFile::parse("t", text).unwrap();
        assert_eq!(file.groups[0].key, GroupKey::Lettered('A', 1));
        let line = &file.groups[0].lines[0];
        assert_eq!(
            line.text,
            "A1:notification:Closing Session: Because  WE can"
        );
        assert_eq!(line.kind, Kind::Notification(b" because  we can".to_vec()));
        assert!(line.is_action());
    }

    #[test]
    fn signal_and_unknown_kinds() {
        let file = MsgFile::parse("t", "1:signal:SIGUSR1\n1:bogus:x\n").unwrap();
        let lines = &file.groups[0].lines;
        assert_eq!(lines[0].kind, Kind::Signal("sigusr1".into()));
        assert_eq!(lines[1].kind, Kind::Unknown("bogus".into()));
        assert!(!lines[1].matches(&crate::bgp::keepalive()));
    }

    #[test]
    fn options_are_exact_and_case_sensitive() {
        let text = "option:tcp_connections:3\noption:bind:ipv6\noption:asn:65000\n\
                    option:open:inspect-open-message\noption:open:send-unknown-capability\n\
                    option:open:send-unknown-message\noption:update:send-default-route\n";
        let file = MsgFile::parse("t", text).unwrap();
        assert_eq!(
            file.options,
            Options {
                tcp_connections: Some(3),
                bind_ipv6: true,
                asn: Some(65000),
                inspect_open: true,
                send_unknown_capability: true,
                send_unknown_message: true,
                send_default_route: true,
            }
        );
        assert!(file.groups.is_empty());
        // Upper case is not an option line, and then not a valid prefix either.
        assert!(MsgFile::parse("t", "OPTION:bind:ipv6").is_err());
        assert!(MsgFile::parse("t", "option:asn:70000").is_err());
        assert!(MsgFile::parse("t", "option:nonsense").is_err());
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = MsgFile::parse("x.msg", "1:raw:00\n1:raw:0g\n").unwrap_err();
        assert_eq!(err.to_string(), "x.msg:2: `0g` is not hexadecimal");
        let err = MsgFile::parse("x.msg", "AB:raw:00").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("x.msg:1: `ab` is not a group prefix"));
        assert!(MsgFile::parse("x.msg", "1:raw").is_err());
    }
}
