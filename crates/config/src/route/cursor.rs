//! A cursor over the tokens of one statement or API command line, with the
//! small parsing steps every route grammar needs (words, lists, groups).

use crate::error::{PResult, ParseError, Pos};
use crate::lexer::{Token, TokenKind};

/// Reads tokens left to right. `end` is where the statement ends (for
/// "missing value" errors).
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    toks: &'a [Token],
    i: usize,
    end: Pos,
}

impl<'a> Cursor<'a> {
    pub fn new(toks: &'a [Token], end: Pos) -> Cursor<'a> {
        Cursor { toks, i: 0, end }
    }
    /// A cursor over a whole API line: `end` is just after the last token.
    pub fn line(toks: &'a [Token]) -> Cursor<'a> {
        let end = toks
            .last()
            .map(|t| Pos::new(t.pos.line, t.pos.column + t.text.chars().count() as u32))
            .unwrap_or(Pos::new(1, 1));
        Cursor::new(toks, end)
    }
    /// The error for a word left after the value of the block statement
    /// `keyword` (`keyword value extra;`), if one is left.
    pub fn left_after(&self, keyword: &Token) -> Option<ParseError> {
        self.peek()
            .map(|extra| crate::values::left_after(extra, keyword))
    }
    pub fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.i)
    }
    pub fn peek_kind(&self) -> Option<TokenKind> {
        self.peek().map(|t| t.kind)
    }
    pub fn advance(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.i)?;
        self.i += 1;
        Some(t)
    }
    pub fn at_end(&self) -> bool {
        self.i >= self.toks.len()
    }
    /// Position of the next token, or the end of the statement.
    pub fn pos(&self) -> Pos {
        self.peek().map(|t| t.pos).unwrap_or(self.end)
    }
    pub fn end(&self) -> Pos {
        self.end
    }
    pub fn rest(&self) -> &'a [Token] {
        &self.toks[self.i.min(self.toks.len())..]
    }
    pub fn error<T>(&self, msg: impl Into<String>) -> PResult<T> {
        Err(ParseError::new(self.pos(), msg))
    }
    /// Consumes the next token if it is of `kind`.
    pub fn eat(&mut self, kind: TokenKind) -> bool {
        if self.peek_kind() == Some(kind) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    pub fn eat_word(&mut self, w: &str) -> bool {
        if self.peek().is_some_and(|t| t.is(w)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    pub fn expect(&mut self, kind: TokenKind, what: &str) -> PResult<&'a Token> {
        match self.peek() {
            Some(t) if t.kind == kind => {
                self.i += 1;
                Ok(t)
            }
            Some(t) => Err(ParseError::new(
                t.pos,
                format!("found \"{}\" but expected {what}", t.text),
            )),
            None => Err(ParseError::new(self.end, format!("missing {what}"))),
        }
    }
    /// The value of `keyword`: one word.
    pub fn value(&mut self, keyword: &str, expected: &str) -> PResult<&'a Token> {
        match self.peek() {
            Some(t) if t.is_word() => {
                self.i += 1;
                Ok(t)
            }
            Some(t) => Err(ParseError::new(
                t.pos,
                format!(
                    "found \"{}\" but expected {expected} after \"{keyword}\"",
                    t.text
                ),
            )),
            None => Err(ParseError::new(
                self.end,
                format!("missing value after \"{keyword}\": expected {expected}"),
            )),
        }
    }
    /// One word, or a `[ ... ]` list of words (commas ignored).
    pub fn list(&mut self, keyword: &str, expected: &str) -> PResult<Vec<&'a Token>> {
        if self.eat(TokenKind::LBracket) {
            let mut out = Vec::new();
            loop {
                match self.advance() {
                    Some(t) if t.kind == TokenKind::RBracket => return Ok(out),
                    Some(t) if t.kind == TokenKind::Comma => {}
                    Some(t) if t.is_word() => out.push(t),
                    Some(t) => {
                        return Err(ParseError::new(
                            t.pos,
                            format!("found \"{}\" in the list of \"{keyword}\": expected {expected} or \"]\"", t.text),
                        ))
                    }
                    None => return Err(ParseError::new(self.end, format!("unterminated list after \"{keyword}\": expected \"]\""))),
                }
            }
        }
        self.value(keyword, expected).map(|t| vec![t])
    }
}
