//! Tokeniser for the ExaBGP configuration language (spec §1.1) and for API
//! command lines: `#` comments, `\` line continuation, `'`/`"` quoting,
//! backslash escapes, and `{ } ; [ ] ( ) ,` as tokens of their own.

use crate::error::{PResult, ParseError, Pos};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenKind {
    /// An unquoted word.
    Word,
    /// A quoted word (quotes removed).
    Quoted,
    LBrace,
    RBrace,
    Semicolon,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
}

/// One token with the position of its first character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub kind: TokenKind,
    pub text: String,
    pub pos: Pos,
}

impl Token {
    pub fn word(text: impl Into<String>, pos: Pos) -> Token {
        Token {
            kind: TokenKind::Word,
            text: text.into(),
            pos,
        }
    }
    /// True for a word or quoted word (not punctuation).
    pub fn is_word(&self) -> bool {
        matches!(self.kind, TokenKind::Word | TokenKind::Quoted)
    }
    /// True when this is the unquoted word `w`.
    pub fn is(&self, w: &str) -> bool {
        self.kind == TokenKind::Word && self.text == w
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TokenKind::Quoted => write!(f, "\"{}\"", self.text),
            _ => f.write_str(&self.text),
        }
    }
}

/// The result of tokenising a whole file.
#[derive(Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub errors: Vec<ParseError>,
    /// Position just after the last character (for "unexpected end of file").
    pub end: Pos,
}

struct Lexer<'a> {
    src: &'a str,
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: u32,
    column: u32,
    /// The byte offset in `src` of the next character.
    offset: usize,
}

impl Lexer<'_> {
    fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    /// How many of the next bytes are ASCII characters that only continue
    /// a word (no blank, quote, backslash, comment or punctuation).
    fn plain_run(&self) -> usize {
        self.src.as_bytes()[self.offset..]
            .iter()
            .take_while(|&&b| {
                b.is_ascii()
                    && !matches!(
                        b,
                        b' ' | b'\t' | b'\r' | b'\n' | b'#' | b'\\' | b'"' | b'\''
                    )
                    && punct(b as char).is_none()
            })
            .count()
    }

    /// Passes over `n` ASCII characters of one line (see [`Lexer::plain_run`]).
    fn pass_ascii(&mut self, n: usize) {
        self.offset += n;
        self.column += n as u32;
        self.chars = self.src[self.offset..].chars().peekable();
    }

    /// Passes over the rest of a section whose `{` was just read, up to
    /// its `}` (see [`crate::skip`]), and returns the position of that
    /// `}`, now read; `None` (nothing read) when the scan gives up.
    fn skip_section(&mut self, max_depth: usize) -> Option<Pos> {
        let close = crate::skip::section_end(&self.src[self.offset..], max_depth)?;
        let column = if close.lines == 0 {
            self.column + close.column
        } else {
            close.column + 1
        };
        let at = Pos::new(self.line + close.lines, column);
        self.offset += close.offset + 1;
        self.line = at.line;
        self.column = at.column + 1;
        self.chars = self.src[self.offset..].chars().peekable();
        Some(at)
    }
}

/// The punctuation token `c` stands for (`{ } ; [ ] ( ) ,`), if any: also
/// what the API's word splitter uses, so that a line's words give the
/// tokens this lexer would.
pub fn punct(c: char) -> Option<TokenKind> {
    Some(match c {
        '{' => TokenKind::LBrace,
        '}' => TokenKind::RBrace,
        ';' => TokenKind::Semicolon,
        '[' => TokenKind::LBracket,
        ']' => TokenKind::RBracket,
        '(' => TokenKind::LParen,
        ')' => TokenKind::RParen,
        ',' => TokenKind::Comma,
        _ => return None,
    })
}

/// Decodes the escape after a backslash (the backslash is consumed).
/// Returns `Ok(None)` for a line continuation, `Ok(Some(s))` for the text
/// the escape stands for (unknown escapes keep their backslash, so regular
/// expressions such as `\d` survive).
fn escape(lx: &mut Lexer<'_>, at: Pos, in_quote: bool) -> PResult<Option<String>> {
    // line continuation: backslash, optional blanks, end of line
    if !in_quote {
        let mut probe = lx.chars.clone();
        let mut blanks = 0;
        loop {
            match probe.next() {
                Some(' ') | Some('\t') | Some('\r') => blanks += 1,
                Some('\n') | None => {
                    for _ in 0..blanks {
                        lx.bump();
                    }
                    lx.bump();
                    return Ok(None);
                }
                _ => break,
            }
        }
    }
    let decoded = match lx.peek() {
        Some('n') => '\n',
        Some('t') => '\t',
        Some('r') => '\r',
        Some('b') => '\u{8}',
        Some('f') => '\u{c}',
        Some('u') => {
            lx.bump();
            let mut hex = String::new();
            for _ in 0..4 {
                match lx.peek() {
                    Some(c) if c.is_ascii_hexdigit() => {
                        hex.push(c);
                        lx.bump();
                    }
                    _ => {
                        return Err(ParseError::new(
                            at,
                            format!(
                                "invalid escape \"\\u{hex}\": expected four hexadecimal digits"
                            ),
                        ))
                    }
                }
            }
            let code = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
            let c = char::from_u32(code).ok_or_else(|| {
                ParseError::new(at, format!("invalid escape \"\\u{hex}\": not a character"))
            })?;
            return Ok(Some(c.to_string()));
        }
        _ => return Ok(Some("\\".to_string())),
    };
    lx.bump();
    Ok(Some(decoded.to_string()))
}

/// Tokenises a whole configuration file. Errors (unterminated quote, bad
/// escape) are collected; tokenising goes on after them.
pub fn tokenize(src: &str) -> Lexed {
    let mut tokens = Vec::new();
    let (errors, end) = tokenize_with(src, |t| tokens.push(t));
    Lexed {
        tokens,
        errors,
        end,
    }
}

/// Tokenises `src`, handing each token to `emit` as soon as it is complete
/// (the loader feeds them straight into the tree builder, so a large file
/// never has all its tokens in one vector). Returns the errors and the
/// end-of-file position.
pub fn tokenize_with(src: &str, emit: impl FnMut(Token)) -> (Vec<ParseError>, Pos) {
    tokenize_at(src, Pos::new(1, 1), emit)
}

/// [`tokenize_with`] for a piece of a file that starts at `start`: the
/// positions of tokens and errors are the file's (a route section kept as
/// text and parsed later, see [`crate::route_text`]).
pub fn tokenize_at(src: &str, start: Pos, mut emit: impl FnMut(Token)) -> (Vec<ParseError>, Pos) {
    tokenize_skipping(src, start, |t| {
        emit(t);
        None
    })
}

/// [`tokenize_at`] whose `emit` may answer a `{` with `Some(depth)`: the
/// section it opens is passed over without tokens, up to its `}`, which
/// is emitted (sections nest at most `depth` deep inside it; when they
/// nest deeper or the file ends first, tokenising goes on as usual). The
/// supervisor's load passes over the route sections so (see
/// [`crate::route_text`]); a lexical error inside one is reported by the
/// rib, which tokenises it.
pub fn tokenize_skipping(
    src: &str,
    start: Pos,
    mut emit: impl FnMut(Token) -> Option<usize>,
) -> (Vec<ParseError>, Pos) {
    let mut lx = Lexer {
        src,
        chars: src.chars().peekable(),
        line: start.line,
        column: start.column,
        offset: 0,
    };
    let mut errors: Vec<ParseError> = Vec::new();
    let mut word = Word::default();
    while let Some(c) = lx.peek() {
        let here = lx.pos();
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                word.flush(&mut emit);
                lx.bump();
            }
            '#' => {
                word.flush(&mut emit);
                lx.pass_comment();
            }
            '\\' => {
                lx.bump();
                match escape(&mut lx, here, false) {
                    Ok(None) => word.flush(&mut emit),
                    Ok(Some(s)) => word.start(here).push_str(&s),
                    Err(e) => errors.push(e),
                }
            }
            '"' | '\'' => {
                lx.bump();
                word.start(here);
                word.quoted = true;
                lx.quoted(c, here, &mut word.text, &mut errors);
            }
            _ => {
                if let Some(kind) = punct(c) {
                    word.flush(&mut emit);
                    lx.punctuation(c, kind, here, &mut emit);
                } else {
                    lx.plain(c, word.start(here));
                }
            }
        }
    }
    word.finish(&mut emit);
    (errors, lx.pos())
}

/// The word being built by [`tokenize_skipping`]: its text so far, where it
/// starts, whether a quote was part of it.
#[derive(Default)]
struct Word {
    text: String,
    pos: Pos,
    quoted: bool,
    /// Whether a word is being built (its text may still be empty: `""`).
    open: bool,
}

impl Word {
    /// Starts a word at `here` unless one is being built; its text.
    #[inline]
    fn start(&mut self, here: Pos) -> &mut String {
        if !self.open {
            self.open = true;
            self.pos = here;
        }
        &mut self.text
    }

    /// Emits the word being built, if any, and starts afresh.
    #[inline]
    fn flush(&mut self, emit: &mut impl FnMut(Token) -> Option<usize>) {
        if self.open {
            let _ = emit(Token {
                kind: self.kind(),
                // a copy of exactly its length; `text` keeps its buffer
                // for the next token (grown a character at a time, a
                // word taken whole would be reallocated two or three
                // times per token)
                text: self.text.clone(),
                pos: self.pos,
            });
            self.text.clear();
            self.open = false;
            self.quoted = false;
        }
    }

    /// Emits the last word, if any, giving it the buffer.
    fn finish(self, emit: &mut impl FnMut(Token) -> Option<usize>) {
        if self.open {
            let _ = emit(Token {
                kind: self.kind(),
                text: self.text,
                pos: self.pos,
            });
        }
    }

    fn kind(&self) -> TokenKind {
        if self.quoted {
            TokenKind::Quoted
        } else {
            TokenKind::Word
        }
    }
}

impl Lexer<'_> {
    /// Passes over a comment, up to (not including) the end of its line.
    #[inline]
    fn pass_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            self.bump();
        }
    }

    /// Reads the rest of a string quoted with `q` (opened at `here`, the
    /// quote read) into `text`, escapes decoded; an error when the line
    /// ends before the closing quote.
    fn quoted(&mut self, q: char, here: Pos, text: &mut String, errors: &mut Vec<ParseError>) {
        let mut closed = false;
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            if c == q {
                self.bump();
                closed = true;
                break;
            }
            if c == '\\' {
                let at = self.pos();
                self.bump();
                match escape(self, at, true) {
                    Ok(Some(s)) => text.push_str(&s),
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                }
                continue;
            }
            text.push(c);
            self.bump();
        }
        if !closed {
            errors.push(ParseError::new(
                here,
                format!("unterminated quoted string: expected a closing {q} on the same line"),
            ));
        }
    }

    /// Emits the punctuation `c` (at `here`, not yet read); when `emit`
    /// answers a `{` with a depth, passes over its section and emits the
    /// `}` that closes it.
    #[inline]
    fn punctuation(
        &mut self,
        c: char,
        kind: TokenKind,
        here: Pos,
        emit: &mut impl FnMut(Token) -> Option<usize>,
    ) {
        self.bump();
        let skip = emit(Token {
            kind,
            text: c.to_string(),
            pos: here,
        });
        if let Some(at) = skip.and_then(|depth| self.skip_section(depth)) {
            let _ = emit(Token {
                kind: TokenKind::RBrace,
                text: "}".to_string(),
                pos: at,
            });
        }
    }

    /// Adds the word character `c` (not yet read) to `text`, with the run
    /// of plain ASCII characters that follows it at once.
    #[inline]
    fn plain(&mut self, c: char, text: &mut String) {
        let run = self.plain_run();
        if run > 1 {
            text.push_str(&self.src[self.offset..self.offset + run]);
            self.pass_ascii(run);
        } else {
            text.push(c);
            self.bump();
        }
    }
}

/// The position just after the end of a one-line command (for "missing
/// value" errors of the route grammar's `parse_*` functions).
pub fn line_end(line: &str) -> Pos {
    let l = line.trim_end_matches(['\n', '\r']);
    Pos::new(1, l.chars().count() as u32 + 1)
}

/// Tokenises one API command line (no statement terminators needed). The
/// first error is returned, with a column counted from 1.
pub fn tokenize_line(line: &str) -> PResult<Vec<Token>> {
    let mut lexed = tokenize(line);
    if let Some(e) = lexed.errors.drain(..).next() {
        return Err(e);
    }
    Ok(lexed.tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        tokenize(src).tokens.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_punctuation_glued_to_words() {
        assert_eq!(
            texts("community [65000:1,65000:2];"),
            ["community", "[", "65000:1", ",", "65000:2", "]", ";"]
        );
        assert_eq!(texts("a(b)c{d}"), ["a", "(", "b", ")", "c", "{", "d", "}"]);
    }

    #[test]
    fn comments_quotes_and_continuations() {
        assert_eq!(
            texts("description \"a # b;\"; # comment\nx"),
            ["description", "a # b;", ";", "x"]
        );
        assert_eq!(
            texts("vpls \\\n  rd 1:1 \\  \n endpoint 5;"),
            ["vpls", "rd", "1:1", "endpoint", "5", ";"]
        );
        assert_eq!(texts("'it''s'"), ["its"]);
        let l = tokenize("a\n  'b");
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.errors[0].pos, Pos::new(2, 3));
    }

    #[test]
    fn escapes() {
        assert_eq!(texts(r#""a\tb\u0041" x\d"#), ["a\tbA", "x\\d"]);
        assert!(!tokenize(r"\u00zz").errors.is_empty());
    }

    #[test]
    fn positions() {
        let t = tokenize("neighbor 1.2.3.4 {\n\trouter-id 1.1.1.1;\n}").tokens;
        assert_eq!(t[3].pos, Pos::new(2, 2));
        assert_eq!(t[4].pos, Pos::new(2, 12));
        assert_eq!(t[6].pos, Pos::new(3, 1));
    }
}
