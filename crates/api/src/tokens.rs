//! The words of a normalised API line (spec §2.1, crate::normalise) as the
//! configuration's tokens, so that a route command goes straight to the
//! configuration's route grammar without its text being put back together
//! and lexed a second time.
//!
//! The words are read as the configuration lexer would read them joined by
//! single spaces, with the same token positions (line 1, the column of the
//! word's first character in that joined text): `{ } ; [ ] ( ) ,` are tokens
//! of their own, a `'` or `"` quotes up to the same quote (across words, the
//! words joined by one space), and an unquoted `#` ends the line (a
//! comment), and a backslash escape is decoded as the lexer decodes it
//! (`\n`, `\t`, `\uXXXX`, ...; a backslash ending the line is dropped).

use crate::error::{ApiError, Result};
use ferrobgp_config::lexer::{punct, Token, TokenKind};
use ferrobgp_config::Pos;
use std::iter::{Enumerate, Peekable};
use std::str::Chars;

/// The tokens of `words` and the position just after the last one.
pub struct Tokens {
    pub tokens: Vec<Token>,
    pub end: Pos,
}

/// True when `w` needs the character scanner (a quote, a comment, or a
/// brace or semicolon glued to other characters).
fn special(w: &str) -> bool {
    w.bytes()
        .any(|b| matches!(b, b'"' | b'\'' | b'#' | b'{' | b'}' | b';' | b'\\'))
}

/// Reads `words` (each free of blanks) as configuration tokens. The only
/// error is a quote left open, with the configuration lexer's message.
pub fn tokens<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Tokens> {
    let mut s = Scanner::default();
    // column of the next word's first character in the joined text
    let mut column: u32 = 1;
    let mut words = words.into_iter().peekable();
    while let Some(w) = words.next() {
        let pos = Pos::new(1, column);
        let chars = if w.is_ascii() {
            w.len()
        } else {
            w.chars().count()
        };
        column += chars as u32 + 1;
        if s.comment {
            continue;
        }
        if s.quote.is_none() && !special(w) {
            let mut chars = w.chars();
            s.out
                .push(match (chars.next().and_then(punct), chars.next()) {
                    (Some(kind), None) => Token {
                        kind,
                        text: w.to_string(),
                        pos,
                    },
                    _ => Token::word(w, pos),
                });
            continue;
        }
        s.word(w, pos, words.peek().is_none());
    }
    if let Some(e) = s.error {
        return Err(ApiError::Route(e));
    }
    if let Some(q) = s.quote {
        return Err(ApiError::Route(format!(
            "unterminated quoted string: expected a closing {q} on the same line"
        )));
    }
    Ok(Tokens {
        tokens: s.out,
        end: Pos::new(1, column.saturating_sub(1).max(1)),
    })
}

/// The character scanner for the words [`special`] picks.
#[derive(Default)]
struct Scanner {
    out: Vec<Token>,
    /// The word under way: its text, where it began, whether quoted.
    cur: Option<(String, Pos, bool)>,
    /// The quote character of an open quote.
    quote: Option<char>,
    /// An unquoted `#` was read: the rest of the line is a comment.
    comment: bool,
    /// The first bad escape.
    error: Option<String>,
}

impl Scanner {
    fn flush(&mut self) {
        if let Some((text, pos, quoted)) = self.cur.take() {
            let kind = if quoted {
                TokenKind::Quoted
            } else {
                TokenKind::Word
            };
            self.out.push(Token { kind, text, pos });
        }
    }

    /// Scans word `w`, which begins at `at` (`last`: the line's last word).
    fn word(&mut self, w: &str, at: Pos, last: bool) {
        let mut chars = w.chars().enumerate().peekable();
        while let Some((i, c)) = chars.next() {
            let here = Pos::new(1, at.column + i as u32);
            if c == '\\' {
                let end = chars.peek().is_none();
                if end && last && self.quote.is_none() {
                    // a line continuation in a file: nothing here
                    self.flush();
                    continue;
                }
                let text = self.escape(&mut chars);
                let quoted = self.quote.is_some();
                self.cur
                    .get_or_insert_with(|| (String::new(), here, quoted))
                    .0
                    .push_str(&text);
                continue;
            }
            if let Some(q) = self.quote {
                if c == q {
                    self.quote = None;
                } else if let Some(cur) = &mut self.cur {
                    cur.0.push(c);
                }
                continue;
            }
            match c {
                '#' => {
                    self.flush();
                    self.comment = true;
                    return;
                }
                '"' | '\'' => {
                    self.cur
                        .get_or_insert_with(|| (String::new(), here, true))
                        .2 = true;
                    self.quote = Some(c);
                }
                _ => match punct(c) {
                    Some(kind) => {
                        self.flush();
                        self.out.push(Token {
                            kind,
                            text: c.to_string(),
                            pos: here,
                        });
                    }
                    None => self
                        .cur
                        .get_or_insert_with(|| (String::new(), here, false))
                        .0
                        .push(c),
                },
            }
        }
        match (&self.quote, &mut self.cur) {
            // the quote goes on over the blank into the next word
            (Some(_), Some(cur)) => cur.0.push(' '),
            _ => self.flush(),
        }
    }

    /// The text of the escape after a backslash, as the configuration
    /// lexer decodes it: an unknown escape keeps its backslash (so `\d`
    /// survives) and the character after it is read as usual.
    fn escape(&mut self, chars: &mut Peekable<Enumerate<Chars<'_>>>) -> String {
        let decoded = match chars.peek().map(|&(_, c)| c) {
            Some('n') => '\n',
            Some('t') => '\t',
            Some('r') => '\r',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('u') => {
                chars.next();
                let mut hex = String::new();
                while hex.len() < 4 {
                    match chars.peek() {
                        Some(&(_, c)) if c.is_ascii_hexdigit() => {
                            hex.push(c);
                            chars.next();
                        }
                        _ => {
                            self.error.get_or_insert(format!(
                                "invalid escape \"\\u{hex}\": expected four hexadecimal digits"
                            ));
                            return String::new();
                        }
                    }
                }
                let code = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
                return match char::from_u32(code) {
                    Some(c) => c.to_string(),
                    None => {
                        self.error
                            .get_or_insert(format!("invalid escape \"\\u{hex}\": not a character"));
                        String::new()
                    }
                };
            }
            _ => return "\\".to_string(),
        };
        chars.next();
        decoded.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_config::lexer::tokenize;

    fn both(line: &str) -> (Vec<Token>, Pos) {
        let words = crate::normalise::normalise(line);
        let lexed = tokenize(&words);
        assert!(lexed.errors.is_empty(), "{line}");
        let got = tokens(crate::normalise::words(&words)).expect("tokens");
        assert_eq!(got.tokens, lexed.tokens, "{line}");
        assert_eq!(got.end, lexed.end, "{line}");
        (got.tokens, got.end)
    }

    #[test]
    fn the_words_give_the_configuration_lexers_tokens() {
        for line in [
            "1.0.0.0/8 next-hop 1.1.1.1",
            "1.0.0.0/8 next-hop 1.1.1.1 community [ 1:1 2:2 ] as-path [1,2]",
            "{ match { source 10.0.0.1/32; } then { discard; } }",
            "route{match{destination 1.0.0.0/8;}then{rate-limit 9;}}",
            "1.0.0.0/8 next-hop 1.1.1.1 name \"a b  c\" med 1",
            "1.0.0.0/8 next-hop 1.1.1.1 name x\"a [b] c\"y med 1",
            "1.0.0.0/8 name 'it is' next-hop 1.1.1.1",
            "1.0.0.0/8 name \"\" next-hop 1.1.1.1",
            "1.0.0.0/8 name \"x\" \"y\"z",
            "1.0.0.0/8 name \"a#b;{\" next-hop 1.1.1.1",
            "1.0.0.0/8 next-hop 1.1.1.1 # a comment",
            "1.0.0.0/8 next-hop 1.1.1.1#comment",
            "# only a comment",
            "1.0.0.0/8 name a\\tb\\u0041 \"q\\nq\\d\" \\x next-hop 1.1.1.1 \\",
            "1.0.0.0/8 name \\u00e9\\ \\",
            "",
            "x",
        ] {
            both(line);
        }
    }

    #[test]
    fn an_open_quote_is_an_error() {
        for line in [
            "a \"b c",
            "a 'b",
            "a\"",
            "a \\u12 b",
            "a \\u12g",
            "\\ud800 \"x",
        ] {
            let words = crate::normalise::normalise(line);
            let lexed = tokenize(&words);
            let got = tokens(crate::normalise::words(&words));
            match got {
                Err(ApiError::Route(m)) => assert_eq!(m, lexed.errors[0].message, "{line}"),
                other => panic!("{line}: {:?}", other.map(|t| t.tokens)),
            }
        }
    }
}
