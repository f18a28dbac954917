//! The `api [<name>] { ... }` block of a neighbor (spec §1.8): which helper
//! processes it binds and which events they receive.

use crate::lexer::Token;
use crate::model::ApiDirection;
use crate::section::{expect_statement, flag, unknown_keyword, Sink};
use crate::tree::{Node, Section};

/// An `api` block as written (process names not yet checked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiDraft {
    pub name: Option<String>,
    /// Names with the token that named them (for "unknown process" errors).
    pub processes: Vec<Token>,
    pub processes_match: Vec<Token>,
    pub neighbor_changes: bool,
    pub negotiated: bool,
    pub fsm: bool,
    pub signal: bool,
    pub receive: ApiDirection,
    pub send: ApiDirection,
}

const API_KEYWORDS: [&str; 8] = [
    "processes",
    "processes-match",
    "neighbor-changes",
    "negotiated",
    "fsm",
    "signal",
    "receive",
    "send",
];
const DIRECTION_KEYWORDS: [&str; 9] = [
    "parsed",
    "packets",
    "consolidate",
    "open",
    "update",
    "notification",
    "keepalive",
    "refresh",
    "operational",
];

fn direction(s: &Section, sink: &mut Sink) -> ApiDirection {
    crate::section::no_args(s, sink);
    let mut d = ApiDirection::default();
    let what = format!("api {}", s.name());
    for node in &s.body {
        let st = match expect_statement(node, &what) {
            Ok(st) => st,
            Err(e) => {
                sink.error(e);
                continue;
            }
        };
        let kw = st.keyword();
        let slot = match kw.text.as_str() {
            "parsed" => &mut d.parsed,
            "packets" => &mut d.packets,
            "consolidate" => &mut d.consolidate,
            "open" => &mut d.open,
            "update" => &mut d.update,
            "notification" => &mut d.notification,
            "keepalive" => &mut d.keepalive,
            "refresh" => &mut d.refresh,
            "operational" => &mut d.operational,
            _ => {
                sink.error(unknown_keyword(kw, &what, &DIRECTION_KEYWORDS));
                continue;
            }
        };
        if let Some(v) = sink.take(flag(st, true)) {
            *slot = v;
        }
    }
    d
}

pub fn api_block(s: &Section, sink: &mut Sink) -> ApiDraft {
    let mut a = ApiDraft {
        name: s.head.get(1).map(|t| t.text.clone()),
        ..Default::default()
    };
    if let Some(extra) = s.head.get(2) {
        sink.err(
            extra.pos,
            format!(
                "unexpected \"{}\" after the api name: expected \"{{\"",
                extra.text
            ),
        );
    }
    for node in &s.body {
        match node {
            Node::Section(sub) => match sub.name() {
                "receive" => a.receive = direction(sub, sink),
                "send" => a.send = direction(sub, sink),
                _ => match sub.head.first() {
                    Some(t) => sink.error(unknown_keyword(t, "api", &["receive", "send"])),
                    None => sink.err(sub.open, "unexpected \"{\" in api: expected a keyword"),
                },
            },
            Node::Statement(st) => {
                let kw = st.keyword();
                match kw.text.as_str() {
                    "processes" | "processes-match" => {
                        let Some(list) = sink.take(crate::values::word_or_list(kw, st.args()))
                        else {
                            continue;
                        };
                        let target = if kw.text == "processes" {
                            &mut a.processes
                        } else {
                            &mut a.processes_match
                        };
                        target.extend(list.into_iter().cloned());
                    }
                    "neighbor-changes" | "negotiated" | "fsm" | "signal" => {
                        let Some(v) = sink.take(flag(st, true)) else {
                            continue;
                        };
                        match kw.text.as_str() {
                            "neighbor-changes" => a.neighbor_changes = v,
                            "negotiated" => a.negotiated = v,
                            "fsm" => a.fsm = v,
                            _ => a.signal = v,
                        }
                    }
                    "receive" | "send" => sink.err(
                        kw.pos,
                        format!(
                            "\"{}\" is a section: expected \"{} {{ parsed; update; ... }}\"",
                            kw.text, kw.text
                        ),
                    ),
                    _ => sink.error(unknown_keyword(kw, "api", &API_KEYWORDS)),
                }
            }
        }
    }
    if !a.processes.is_empty() && !a.processes_match.is_empty() {
        sink.err(
            a.processes_match[0].pos,
            "\"processes\" and \"processes-match\" cannot both be used in the same api block",
        );
    }
    a
}
