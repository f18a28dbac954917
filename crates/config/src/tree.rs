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
}

/// Builds the tree. `end` is the end-of-file position.
pub fn build(tokens: Vec<Token>, end: Pos) -> Tree {
    let mut tree = Tree::default();
    let mut stack: Vec<Section> = Vec::new();
    let mut words: Vec<Token> = Vec::new();
    let total = tokens.len();
    // inside `[ ]` or `( )` opened on the same line, braces are words
    // (`as-path [ { 1 2 } ]`); the line of each open bracket is kept
    let mut nesting: Vec<u32> = Vec::new();

    fn push(stack: &mut [Section], top: &mut Vec<Node>, node: Node) {
        match stack.last_mut() {
            Some(s) => s.body.push(node),
            None => top.push(node),
        }
    }

    for (i, tok) in tokens.into_iter().enumerate() {
        match tok.kind {
            TokenKind::LBracket | TokenKind::LParen => {
                nesting.push(tok.pos.line);
                words.push(tok);
            }
            TokenKind::RBracket | TokenKind::RParen => {
                nesting.pop();
                words.push(tok);
            }
            TokenKind::LBrace | TokenKind::RBrace if nesting.last() == Some(&tok.pos.line) => {
                words.push(tok)
            }
            TokenKind::Semicolon => {
                nesting.clear();
                if !words.is_empty() {
                    let st = Statement {
                        words: std::mem::take(&mut words),
                        end: tok.pos,
                    };
                    push(&mut stack, &mut tree.nodes, Node::Statement(st));
                }
            }
            TokenKind::LBrace => {
                nesting.clear();
                if stack.len() >= MAX_DEPTH {
                    tree.errors.push(ParseError::new(
                        tok.pos,
                        format!("sections nested more than {MAX_DEPTH} deep"),
                    ));
                    return tree;
                }
                stack.push(Section {
                    head: std::mem::take(&mut words),
                    open: tok.pos,
                    body: Vec::new(),
                    close: None,
                });
            }
            TokenKind::RBrace => {
                nesting.clear();
                if !words.is_empty() {
                    let st = Statement {
                        words: std::mem::take(&mut words),
                        end: tok.pos,
                    };
                    push(&mut stack, &mut tree.nodes, Node::Statement(st));
                }
                match stack.pop() {
                    Some(mut s) => {
                        s.close = Some(tok.pos);
                        push(&mut stack, &mut tree.nodes, Node::Section(s));
                    }
                    None if i + 1 == total => tree.warnings.push(ParseError::new(
                        tok.pos,
                        "unbalanced \"}\" at the end of the file ignored (no section is open)",
                    )),
                    None => tree.errors.push(ParseError::new(
                        tok.pos,
                        "found \"}\" but no section is open: unbalanced braces",
                    )),
                }
            }
            _ => words.push(tok),
        }
    }
    if let Some(last) = words.last() {
        let first = &words[0];
        tree.errors.push(ParseError::new(
            end,
            format!(
                "unexpected end of file: expected \";\" to end the statement \"{}\" started at line {} (last word \"{}\")",
                first.text, first.pos.line, last.text
            ),
        ));
        let st = Statement {
            words: std::mem::take(&mut words),
            end,
        };
        push(&mut stack, &mut tree.nodes, Node::Statement(st));
    }
    while let Some(s) = stack.pop() {
        tree.warnings.push(ParseError::new(
            s.pos(),
            format!(
                "section \"{}\" opened at line {} is not closed before the end of the file (closed implicitly)",
                s.head.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" "),
                s.open.line
            ),
        ));
        push(&mut stack, &mut tree.nodes, Node::Section(s));
    }
    tree
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
        let t = tree("a { b; }\n}\n");
        assert!(t.errors.is_empty());
        assert_eq!(t.warnings.len(), 1);
        let t = tree("a { b 1");
        assert_eq!(t.errors.len(), 1);
        assert_eq!(t.errors[0].pos, Pos::new(1, 8));
        let deep = "{".repeat(10_000);
        assert_eq!(tree(&deep).errors.len(), 1);
    }
}
