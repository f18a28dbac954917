//! Finding the end of a section without tokenising it: how the supervisor
//! passes over a neighbor's route sections, which it keeps as text for the
//! rib (see [`crate::route_text`]).
//!
//! The scan follows exactly the rules by which the lexer and the tree
//! builder end a section, on the bytes (every character that matters is
//! ASCII, and no byte of a multi-byte UTF-8 character is ASCII):
//! - `#` starts a comment to the end of the line, outside quotes;
//! - a `"` or `'` quote ends at the same quote or at the end of the line
//!   (a backslash inside quotes never escapes a quote or a line end, and
//!   outside quotes it never makes a brace or a bracket: see
//!   `lexer::escape`);
//! - a `{` or `}` on the line of the innermost `[` or `(` still open is a
//!   word, and `;`, `{` and `}` close every open `[` and `(`
//!   (`TreeBuilder::push`);
//! - `{` opens a section, `}` closes one.
//!
//! When the section does not close before the end of the text, or nests
//! deeper than allowed, the scan gives up and the caller tokenises as
//! usual, so that what the builder reports then is what it always reports.

/// Where a section's closing `}` is: its byte offset in the scanned text,
/// the lines passed to reach it and its column when a line was passed
/// (else the number of characters before it on the first line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Close {
    pub offset: usize,
    pub lines: u32,
    pub column: u32,
}

/// A character that shapes sections: `;`, or a `{` / `}` that is not a
/// word (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Semicolon,
    Open,
    Close,
}

/// The marks of `text` in order, each with its byte offset, the lines
/// passed before it and where its line starts: the one walk of the rules
/// above, which [`section_end`] and [`items`] read.
struct Marks<'a> {
    text: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
    /// Lines of the `[` and `(` still open (only the innermost matters).
    brackets: Vec<u32>,
}

impl<'a> Marks<'a> {
    fn new(text: &'a str) -> Marks<'a> {
        Marks {
            text: text.as_bytes(),
            i: 0,
            line: 0,
            line_start: 0,
            brackets: Vec::new(),
        }
    }
}

impl Iterator for Marks<'_> {
    /// (offset, lines passed, offset of its line's start, mark)
    type Item = (usize, u32, usize, Mark);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.text;
        while self.i < b.len() {
            let i = self.i;
            self.i += 1;
            let mark = match b[i] {
                b'\n' => {
                    self.line += 1;
                    self.line_start = i + 1;
                    continue;
                }
                b'#' => {
                    while self.i < b.len() && b[self.i] != b'\n' {
                        self.i += 1;
                    }
                    continue;
                }
                q @ (b'"' | b'\'') => {
                    while self.i < b.len() && b[self.i] != q && b[self.i] != b'\n' {
                        self.i += 1;
                    }
                    if self.i < b.len() && b[self.i] == q {
                        self.i += 1;
                    }
                    continue;
                }
                b'[' | b'(' => {
                    self.brackets.push(self.line);
                    continue;
                }
                b']' | b')' => {
                    self.brackets.pop();
                    continue;
                }
                b'{' | b'}' if self.brackets.last() == Some(&self.line) => continue,
                b';' => Mark::Semicolon,
                b'{' => Mark::Open,
                b'}' => Mark::Close,
                _ => continue,
            };
            self.brackets.clear();
            return Some((i, self.line, self.line_start, mark));
        }
        None
    }
}

/// Scans `text`, which starts just after a section's `{`, for the `}`
/// that closes it. Sections may nest `max_depth` deep inside it.
pub(crate) fn section_end(text: &str, max_depth: usize) -> Option<Close> {
    let mut depth = 0usize;
    for (i, line, line_start, mark) in Marks::new(text) {
        match mark {
            Mark::Semicolon => {}
            Mark::Open => {
                depth += 1;
                if depth > max_depth {
                    return None;
                }
            }
            Mark::Close if depth == 0 => {
                return Some(Close {
                    offset: i,
                    lines: line,
                    column: text[line_start..i].chars().count() as u32,
                })
            }
            Mark::Close => depth -= 1,
        }
    }
    None
}

/// The top-level items of a section's body (`text` starts just after its
/// `{` and ends just before its `}`): each statement up to its `;`, each
/// sub-section up to its `}`, by the rules of [`section_end`], trimmed.
/// `None` when the body does not balance.
pub(crate) fn items(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return Some(out);
        }
        let end = item_end(trimmed)?;
        out.push(trimmed[..=end].trim());
        rest = &trimmed[end + 1..];
    }
}

/// The offset of what ends the item `text` starts with: its first `;`
/// outside sections, or the `}` that closes its first section (the last
/// byte when the text ends first: a last statement may end with the
/// section's `}`).
fn item_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, _, _, mark) in Marks::new(text) {
        match mark {
            Mark::Semicolon if depth == 0 => return Some(i),
            Mark::Semicolon => {}
            Mark::Open => depth += 1,
            Mark::Close => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
        }
    }
    Some(text.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(text: &str) -> Option<usize> {
        section_end(text, 8).map(|c| c.offset)
    }

    #[test]
    fn splits_a_body_into_items() {
        assert_eq!(
            items(
                " route 1.0.0.0/8 next-hop 1.2.3.4;\n route x { a; } # c\n attributes y nlri 1 2; "
            ),
            Some(vec![
                "route 1.0.0.0/8 next-hop 1.2.3.4;",
                "route x { a; }",
                "# c\n attributes y nlri 1 2;"
            ])
        );
        assert_eq!(
            items(" a \";\" [ { ]; b"),
            Some(vec!["a \";\" [ { ];", "b"])
        );
        assert_eq!(items(" a } b;"), None);
    }

    #[test]
    fn finds_the_closing_brace() {
        assert_eq!(end(" route 1.0.0.0/8 next-hop 1.2.3.4; }x"), Some(35));
        assert_eq!(end(" route x { a; } }"), Some(16));
        assert_eq!(end(" a \"}\" '}' # }\n }"), Some(16));
        // a brace on the line of an open bracket is a word
        assert_eq!(end(" as-path [ { 1 2 } ]; }"), Some(22));
        // not on a later line
        assert_eq!(end(" as-path [ 1\n }"), Some(14));
        // an unterminated quote ends at the end of its line
        assert_eq!(end(" a \"x\n }"), Some(7));
        assert_eq!(end(" a; "), None);
        assert_eq!(section_end(" {{{{ }}}} }", 3), None);
        let c = section_end("\n\n  é }", 8).expect("closes");
        assert_eq!((c.lines, c.column), (2, 4));
    }

    use crate::lexer::{tokenize_at, tokenize_skipping};
    use crate::tree::{Tree, TreeBuilder};
    use crate::Pos;
    use proptest::prelude::*;

    /// Pieces that matter to where a section ends, and some that do not.
    const PIECES: [&str; 24] = [
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ";",
        "\"",
        "'",
        "#",
        "\n",
        " ",
        "\\",
        "\\\n",
        "\\u007b",
        "\\u",
        "x",
        "é",
        "route",
        "static",
        "neighbor 10.0.0.1 {",
        "static {",
        "template {",
        "flow {",
    ];

    fn tree(text: &str, skipping: bool) -> (Tree, Vec<crate::ParseError>, Pos) {
        let mut b = TreeBuilder::deferring();
        let (errors, end) = if skipping {
            tokenize_skipping(text, Pos::new(1, 1), |t| b.push(t))
        } else {
            tokenize_at(text, Pos::new(1, 1), |t| {
                let _ = b.push(t);
            })
        };
        (b.finish(end), errors, end)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Passing over the route sections gives the tree (every section's
        /// end, every statement outside them, every brace error) that
        /// tokenising them gives; only the lexical errors inside them are
        /// left to the rib.
        #[test]
        fn passing_over_a_section_ends_it_where_tokens_do(
            picks in proptest::collection::vec(0..PIECES.len(), 0..60),
            close in 0usize..4,
        ) {
            let mut text = String::from("neighbor 10.0.0.1 {\n static {");
            for i in picks {
                text.push_str(PIECES[i]);
            }
            for _ in 0..close {
                text.push_str("}\n");
            }
            let (fast, _, fast_end) = tree(&text, true);
            let (slow, _, slow_end) = tree(&text, false);
            prop_assert_eq!(fast_end, slow_end);
            prop_assert_eq!(fast.nodes, slow.nodes);
            prop_assert_eq!(fast.errors, slow.errors);
            prop_assert_eq!(fast.warnings, slow.warnings);
            prop_assert_eq!(fast.trailing_close, slow.trailing_close);
        }
    }
}
