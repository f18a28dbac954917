//! Shared helpers of the section interpreters: error accumulation, keyword
//! dispatch with "did you mean" suggestions, and statement shape checks.

use crate::error::{ParseError, Pos};
use crate::lexer::Token;
use crate::tree::{Node, Section, Statement};

/// Errors and warnings collected while interpreting one file.
#[derive(Debug, Default)]
pub struct Sink {
    pub errors: Vec<ParseError>,
    pub warnings: Vec<ParseError>,
}

impl Sink {
    pub fn error(&mut self, e: ParseError) {
        self.errors.push(e);
    }
    pub fn err(&mut self, pos: Pos, msg: impl Into<String>) {
        self.errors.push(ParseError::new(pos, msg));
    }
    pub fn warn(&mut self, pos: Pos, msg: impl Into<String>) {
        self.warnings.push(ParseError::new(pos, msg));
    }
    /// Records the error of `r`, returning its value if any.
    pub fn take<T>(&mut self, r: Result<T, ParseError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

/// `unknown keyword "x" in <section> (did you mean "y"?)`, or the list of
/// what is allowed when nothing is close.
pub fn unknown_keyword(tok: &Token, section: &str, known: &[&str]) -> ParseError {
    let msg = match crate::suggest::closest(&tok.text, known.iter().copied()) {
        Some(s) => format!(
            "unknown keyword \"{}\" in {section} (did you mean \"{s}\"?)",
            tok.text
        ),
        None => format!(
            "unknown keyword \"{}\" in {section}: expected one of {}",
            tok.text,
            known.join(", ")
        ),
    };
    ParseError::new(tok.pos, msg)
}

/// A section where a statement was expected, or the reverse.
pub fn expect_statement<'a>(node: &'a Node, section: &str) -> Result<&'a Statement, ParseError> {
    match node {
        Node::Statement(s) => Ok(s),
        Node::Section(s) => Err(ParseError::new(
            s.pos(),
            format!(
                "unexpected section \"{}\" in {section}: expected a statement ending with \";\"",
                s.name()
            ),
        )),
    }
}

/// A statement whose head word must be `keyword` and that takes no value
/// other than an optional boolean; returns the bare default or the value.
pub fn flag(st: &Statement, bare: bool) -> Result<bool, ParseError> {
    match st.args() {
        [] => Ok(bare),
        [v] => crate::values::boolean(v),
        [_, extra, ..] => Err(ParseError::new(
            extra.pos,
            format!(
                "unexpected \"{}\" after \"{}\": expected \";\"",
                extra.text,
                st.keyword().text
            ),
        )),
    }
}

/// The section's head must be exactly its name (no arguments).
pub fn no_args(s: &Section, sink: &mut Sink) {
    if let Some(extra) = s.head.get(1) {
        sink.err(
            extra.pos,
            format!(
                "unexpected \"{}\" after \"{}\": expected \"{{\"",
                extra.text,
                s.name()
            ),
        );
    }
}

/// The one argument of a section's head (`neighbor <ip> {`, `process
/// <name> {`), with an error for a missing one and for anything after it.
/// `what` names it in messages ("neighbor address"), `placeholder` stands
/// for it in the expected form ("ip": `neighbor <ip> {`).
pub fn one_arg<'a>(
    s: &'a Section,
    what: &str,
    placeholder: &str,
    sink: &mut Sink,
) -> Option<&'a Token> {
    let Some(t) = s.head.get(1) else {
        sink.err(
            s.pos(),
            format!(
                "missing {what}: expected \"{} <{placeholder}> {{\"",
                s.name()
            ),
        );
        return None;
    };
    if let Some(extra) = s.head.get(2) {
        sink.err(
            extra.pos,
            format!(
                "unexpected \"{}\" after the {what}: expected \"{{\"",
                extra.text
            ),
        );
    }
    Some(t)
}

/// Joins words for messages.
pub fn words(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
