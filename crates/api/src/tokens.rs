//! The words of a normalised API line (spec §2.1, crate::normalise) as the
//! configuration's tokens, so that a route command goes to the
//! configuration's route grammar without being put back together and
//! lexed again.
//!
//! A line of plain words (no quote, comment, escape or brace glued to a
//! word: nearly every line a helper writes) becomes its tokens word by
//! word, with the positions the configuration lexer would give the words
//! joined by single spaces. Any other line is that joined text read by the
//! configuration lexer itself (`ferrobgp_config::lexer`), the one home of
//! quoting, escapes and comments.

use crate::error::{ApiError, Result};
use ferrobgp_config::lexer::{punct, tokenize, Token};
use ferrobgp_config::Pos;

/// The tokens of `words` and the position just after the last one.
pub struct Tokens {
    pub tokens: Vec<Token>,
    pub end: Pos,
}

/// True when `w` needs the lexer (a quote, a comment, an escape, or a
/// brace or semicolon that may be glued to other characters).
fn special(w: &str) -> bool {
    w.bytes()
        .any(|b| matches!(b, b'"' | b'\'' | b'#' | b'{' | b'}' | b';' | b'\\'))
}

/// Reads `words` (each free of blanks) as configuration tokens. The only
/// errors are the lexer's (a quote left open, a bad escape).
pub fn tokens<'a>(words: impl IntoIterator<Item = &'a str> + Clone) -> Result<Tokens> {
    if words.clone().into_iter().any(special) {
        let joined = words.into_iter().collect::<Vec<_>>().join(" ");
        let mut lexed = tokenize(&joined);
        if let Some(e) = lexed.errors.drain(..).next() {
            return Err(ApiError::Route(e.message));
        }
        return Ok(Tokens {
            tokens: lexed.tokens,
            end: lexed.end,
        });
    }
    let mut out = Vec::new();
    // column of the next word's first character in the joined text
    let mut column: u32 = 1;
    for w in words {
        let pos = Pos::new(1, column);
        let chars = if w.is_ascii() {
            w.len()
        } else {
            w.chars().count()
        };
        column += chars as u32 + 1;
        let mut cs = w.chars();
        out.push(match (cs.next().and_then(punct), cs.next()) {
            (Some(kind), None) => Token {
                kind,
                text: w.to_string(),
                pos,
            },
            _ => Token::word(w, pos),
        });
    }
    Ok(Tokens {
        tokens: out,
        end: Pos::new(1, column.saturating_sub(1).max(1)),
    })
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
