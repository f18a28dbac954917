//! Turns the token stream into a tree of statements (`words ... ;`) and
//! sections (`head ... { body }`), balancing braces once so that the section
//! interpreters never have to. Errors are collected and building goes on.

use crate::error::{ParseError, Pos};
use crate::lexer::{Token, TokenKind};

/// Sections nested deeper than this are rejected (no real file comes close;
/// it keeps hostile input from exhausting the stack).
pub const MAX_DEPTH: usize = 32;

/// `keyword value ... ;` (also ended by `{`-less `}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub words: Vec<Token>,
    /// Position of the terminating `;` or `}`.
    pub end: Pos,
}

impl Statement {
    /// The keyword (first token).
    pub fn keyword(&self) -> &Token {
        &self.words[0]
    }
    /// Everything after the keyword.
    pub fn args(&self) -> &[Token] {
        &self.words[1..]
    }
}

/// `head ... { body }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub head: Vec<Token>,
    /// Position of the `{`.
    pub open: Pos,
    pub body: Vec<Node>,
    /// Position of the `}`, `None` when the file ended first.
    pub close: Option<Pos>,
}

impl Section {
    /// Where the section starts (its first head word, or the `{`).
    pub fn pos(&self) -> Pos {
        self.head.first().map(|t| t.pos).unwrap_or(self.open)
    }
    /// The section name (first head word), empty for an anonymous `{`.
    pub fn name(&self) -> &str {
        self.head.first().map(|t| t.text.as_str()).unwrap_or("")
    }
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Statement(Statement),
    Section(Section),
}

impl Node {
    pub fn pos(&self) -> Pos {
        match self {
            Node::Statement(s) => s.words[0].pos,
            Node::Section(s) => s.pos(),
        }
    }
}

/// The tree of a file, with what went wrong while building it.
#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub errors: Vec<ParseError>,
    pub warnings: Vec<ParseError>,
    /// Where an extra `}` at the very end of the file is (nothing follows
    /// it): already in `errors`; [`crate::load`] turns it into a warning
    /// under `ferrobgp.compat.reference-trailing-brace`.
    pub trailing_close: Option<Pos>,
}

/// Builds the tree one token at a time (see [`crate::lexer::tokenize_with`]).
#[derive(Debug, Default)]
pub struct TreeBuilder {
    tree: Tree,
    stack: Vec<Section>,
    /// Words of the statement being read (reused; each statement gets an
    /// exact-size copy).
    words: Vec<Token>,
    /// Lines of the open `[`/`(` of the current statement: braces opened
    /// on the same line inside them are words (`as-path [ { 1 2 } ]`).
    nesting: Vec<u32>,
    /// A `}` with no open section (an error, found again at the end).
    stray_close: Option<Pos>,
    /// Too deeply nested: everything after is ignored.
    aborted: bool,
    /// The last token closed a section (`}`).
    last_closed: bool,
    /// Route sections of neighbors are kept as text (see
    /// [`TreeBuilder::deferring`]).
    defer: bool,
    /// The depth in `stack` of the route section being skipped: what is
    /// inside it is balanced as usual but not kept.
    skip: Option<usize>,
    /// The children of the first section are handed out as they complete
    /// (see [`TreeBuilder::streaming`]).
    stream: bool,
    ready: Vec<Node>,
    /// The name of the first section opened at the top (with `stream`).
    root: Option<String>,
}

impl TreeBuilder {
    pub fn new() -> TreeBuilder {
        TreeBuilder::default()
    }

    /// A builder that keeps the route sections of neighbors (`static`,
    /// `announce`, `flow`, `l2vpn` in `neighbor` or `template { neighbor }`)
    /// empty: their braces are balanced by the same rules, so the section
    /// ends where a full parse would end it, but nothing inside is kept.
    /// The loader keeps their text instead (the supervisor never parses a
    /// route: the rib does, see [`crate::route_text`]).
    pub fn deferring() -> TreeBuilder {
        TreeBuilder {
            defer: true,
            ..TreeBuilder::default()
        }
    }

    /// A builder for one section that hands out each child of that
    /// section as soon as it is complete ([`TreeBuilder::take_ready`])
    /// instead of keeping it: a `static` section of a million routes is
    /// read statement by statement.
    pub fn streaming() -> TreeBuilder {
        TreeBuilder {
            stream: true,
            ..TreeBuilder::default()
        }
    }

    /// The name of the first section opened at the top level (with
    /// [`TreeBuilder::streaming`]), once its `{` is read.
    pub fn root_name(&self) -> Option<&str> {
        self.root.as_deref()
    }

    /// The children of the first section completed since the last call
    /// (with [`TreeBuilder::streaming`]).
    pub fn take_ready(&mut self) -> std::vec::Drain<'_, Node> {
        self.ready.drain(..)
    }

    fn push_node(&mut self, node: Node) {
        if self.skip.is_some_and(|k| self.stack.len() > k) {
            return;
        }
        if self.stream && self.stack.len() == 1 {
            self.ready.push(node);
            return;
        }
        match self.stack.last_mut() {
            Some(s) => s.body.push(node),
            None => self.tree.nodes.push(node),
        }
    }

    /// True when a section named `name` opened at the current depth is a
    /// route section of a neighbor (or of a template's neighbor).
    fn is_route_section(&self, name: &str) -> bool {
        if !crate::route_text::SECTIONS.contains(&name) {
            return false;
        }
        let names: Vec<&str> = self.stack.iter().map(|s| s.name()).collect();
        matches!(names.as_slice(), ["neighbor"] | ["template", "neighbor"])
    }

    fn take_words(&mut self) -> Vec<Token> {
        self.words.drain(..).collect()
    }

    fn end_statement(&mut self, end: Pos) {
        if !self.words.is_empty() {
            let words = self.take_words();
            self.push_node(Node::Statement(Statement { words, end }));
        }
    }

    /// Adds the next token. Returns `Some(depth)` when it opened a route
    /// section that a deferring builder keeps empty: the lexer may pass
    /// over it up to its `}` (sections may nest `depth` deep inside it;
    /// see [`crate::lexer::tokenize_skipping`]).
    pub fn push(&mut self, tok: Token) -> Option<usize> {
        if self.aborted {
            return None;
        }
        if let Some(at) = self.stray_close.take() {
            self.tree.errors.push(ParseError::new(
                at,
                "found \"}\" but no section is open: unbalanced braces",
            ));
        }
        self.last_closed = tok.kind == TokenKind::RBrace;
        match tok.kind {
            TokenKind::LBracket | TokenKind::LParen => {
                self.nesting.push(tok.pos.line);
                self.words.push(tok);
            }
            TokenKind::RBracket | TokenKind::RParen => {
                self.nesting.pop();
                self.words.push(tok);
            }
            TokenKind::LBrace | TokenKind::RBrace if self.nesting.last() == Some(&tok.pos.line) => {
                self.words.push(tok)
            }
            TokenKind::Semicolon => {
                self.nesting.clear();
                self.end_statement(tok.pos);
            }
            TokenKind::LBrace => {
                self.nesting.clear();
                if self.stack.len() >= MAX_DEPTH {
                    self.tree.errors.push(ParseError::new(
                        tok.pos,
                        format!("sections nested more than {MAX_DEPTH} deep"),
                    ));
                    self.aborted = true;
                    return None;
                }
                let head = self.take_words();
                let mut skipped = None;
                if self.defer
                    && self.skip.is_none()
                    && self.is_route_section(head.first().map_or("", |t| t.text.as_str()))
                {
                    self.skip = Some(self.stack.len());
                    skipped = Some(MAX_DEPTH - self.stack.len() - 1);
                }
                if self.stream && self.root.is_none() {
                    self.root = Some(head.first().map_or(String::new(), |t| t.text.clone()));
                }
                self.stack.push(Section {
                    head,
                    open: tok.pos,
                    body: Vec::new(),
                    close: None,
                });
                return skipped;
            }
            TokenKind::RBrace => {
                self.nesting.clear();
                self.end_statement(tok.pos);
                match self.stack.pop() {
                    Some(mut s) => {
                        s.close = Some(tok.pos);
                        if self.skip == Some(self.stack.len()) {
                            self.skip = None;
                        }
                        self.push_node(Node::Section(s));
                    }
                    None => self.stray_close = Some(tok.pos),
                }
            }
            _ => self.words.push(tok),
        }
        None
    }

    /// Ends the file at `end`.
    pub fn finish(mut self, end: Pos) -> Tree {
        if self.aborted {
            return self.tree;
        }
        // An extra `}` at the very end: an error (ExaBGP accepts it; one of
        // its test configurations has one: the loader makes it a warning
        // under a compatibility setting). Sections left open by a file that
        // ends with `}` (ExaBGP's own files have them): warnings. A file
        // that ends inside a section after a `;` or a `{` was cut short: an
        // error, so that a truncated file never half-loads (and a reload of
        // it changes nothing).
        if let Some(at) = self.stray_close.take() {
            self.tree.errors.push(ParseError::new(
                at,
                "found \"}\" at the end of the file but no section is open: unbalanced braces",
            ));
            self.tree.trailing_close = Some(at);
        }
        let truncated = !self.last_closed;
        if let (Some(first), Some(last)) = (self.words.first(), self.words.last()) {
            self.tree.errors.push(ParseError::new(
                end,
                format!(
                    "unexpected end of file: expected \";\" to end the statement \"{}\" started at line {} (last word \"{}\")",
                    first.text, first.pos.line, last.text
                ),
            ));
            self.end_statement(end);
        }
        while let Some(s) = self.stack.pop() {
            let head = s
                .head
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if truncated {
                self.tree.errors.push(ParseError::new(
                    s.pos(),
                    format!(
                        "section \"{head}\" opened at line {} is not closed before the end of the file: unbalanced braces (truncated file?)",
                        s.open.line
                    ),
                ));
            } else {
                self.tree.warnings.push(ParseError::new(
                    s.pos(),
                    format!(
                        "section \"{head}\" opened at line {} is not closed before the end of the file (closed implicitly)",
                        s.open.line
                    ),
                ));
            }
            if self.skip == Some(self.stack.len()) {
                self.skip = None;
            }
            self.push_node(Node::Section(s));
        }
        self.tree
    }
}

/// Builds the tree of a token list. `end` is the end-of-file position.
pub fn build(tokens: Vec<Token>, end: Pos) -> Tree {
    let mut b = TreeBuilder::new();
    for t in tokens {
        let _ = b.push(t);
    }
    b.finish(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::tokenize;

    fn tree(src: &str) -> Tree {
        let l = tokenize(src);
        build(l.tokens, l.end)
    }

    #[test]
    fn nests() {
        let t = tree("a 1 { b 2; c { d; } e }");
        assert!(t.errors.is_empty() && t.warnings.is_empty());
        let Node::Section(s) = &t.nodes[0] else {
            panic!()
        };
        assert_eq!(s.body.len(), 3);
    }

    #[test]
    fn unbalanced() {
        let t = tree("a { b; }\n}\nc;");
        assert_eq!(t.errors[0].pos, Pos::new(2, 1));
        // an extra `}` at the very end: an error, marked for the loader
        let t = tree("a { b; }\n}\n");
        assert_eq!(t.errors.len(), 1);
        assert_eq!(t.errors[0].pos, Pos::new(2, 1));
        assert!(t.errors[0].message.contains("unbalanced braces"));
        assert_eq!(t.trailing_close, Some(Pos::new(2, 1)));
        assert!(t.warnings.is_empty());
        // sections left open by a file that ends with `}`: warnings
        // (ExaBGP's own files have them)
        let t = tree("a {\n  c {\n    d;\n  }\n");
        assert!(t.errors.is_empty());
        assert_eq!(t.warnings.len(), 1);
        // a file that ends after `;` or `{` inside a section: cut short
        let t = tree("neighbor 1.2.3.4 {\n  b;\n  c {\n");
        assert_eq!(t.errors.len(), 2);
        let t = tree("neighbor 1.2.3.4 {\n  b;\n  c {\n    d;\n");
        assert_eq!(t.errors.len(), 2);
        assert!(t.errors[0].message.contains("unbalanced braces"));
        assert_eq!(t.errors[0].pos, Pos::new(3, 3));
        assert_eq!(t.errors[1].pos, Pos::new(1, 1));
        let t = tree("a { b 1");
        assert_eq!(t.errors.len(), 2);
        assert_eq!(t.errors[0].pos, Pos::new(1, 8));
        let deep = "{".repeat(10_000);
        assert_eq!(tree(&deep).errors.len(), 1);
    }
}
