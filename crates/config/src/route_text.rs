//! Route sections kept as text: the supervisor loads the configuration
//! without parsing a route, and the rib parses them.
//!
//! With [`crate::LoadOptions::defer_routes`] the loader balances the braces
//! of a neighbor's `static`, `announce`, `flow` and `l2vpn` sections by the
//! same rules as always (so each ends where a full parse ends it, and a
//! structural error is still the loader's), but keeps each one as its text
//! and position ([`RouteText`], in [`crate::Neighbor::route_text`]) instead
//! of interpreting it. [`parse_routes`] interprets them later, with the
//! same section grammar and the same `FILE:LINE:COLUMN` errors as a full
//! load, and checks each route's family against the neighbor's, as a full
//! load does. A `static` section is read one statement at a time, so a
//! million routes are never held as tokens.
//!
//! A full load (`ferrobgp validate`, the default) interprets the same
//! sections where it finds them, through [`section_routes`].

use crate::error::{Diagnostic, ParseError, Pos};
use crate::model::Neighbor;
use crate::route::{ConfigRoute, StaticReader};
use crate::section::Sink;
use crate::tree::{Node, Section, TreeBuilder};
use ferrobgp_wire::Family;
use serde::{Deserialize, Serialize};

/// The sections of a neighbor that hold routes.
pub const SECTIONS: [&str; 4] = ["static", "announce", "flow", "l2vpn"];

/// One route section of a neighbor, as the file has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteText {
    /// The file, as named in messages.
    pub file: String,
    /// Where the section's keyword is.
    pub at: Pos,
    /// The section, from its keyword to its closing brace (or to the end
    /// of the file when it is not closed).
    pub text: String,
}

/// Where each line of a file starts, to cut sections out of it.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines { text, starts }
    }

    /// The byte offset of `pos` (columns count characters).
    fn offset(&self, pos: Pos) -> usize {
        let Some(&start) = self.starts.get(pos.line.saturating_sub(1) as usize) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(pos.column.saturating_sub(1) as usize)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The text from `from` to the character at `to` included (to the end
    /// of the file when `to` is `None`).
    pub(crate) fn cut(&self, from: Pos, to: Option<Pos>) -> &'a str {
        let a = self.offset(from);
        let b = match to {
            Some(to) => {
                let b = self.offset(to);
                b + self.text[b..].chars().next().map_or(0, char::len_utf8)
            }
            None => self.text.len(),
        };
        self.text.get(a..b.max(a)).unwrap_or("")
    }
}

/// The routes of one route section (one of [`SECTIONS`]), with the
/// position each comes from.
pub(crate) fn section_routes(s: Section, sink: &mut Sink) -> Vec<(ConfigRoute, Pos)> {
    match s.name() {
        "static" => crate::route::static_section(s, sink),
        "announce" => crate::route::announce_section(s, sink),
        "flow" => crate::route::flow::flow_section(&s, sink),
        "l2vpn" => crate::route::vpls::l2vpn_section(&s, sink),
        other => {
            sink.err(s.pos(), format!("\"{other}\" is not a route section"));
            Vec::new()
        }
    }
}

/// A route may only be configured for a family the neighbor negotiates
/// (IPv4 unicast always).
pub(crate) fn family_enabled(
    families: &[Family],
    r: &ConfigRoute,
    at: Pos,
) -> Result<(), ParseError> {
    let f = r.family();
    if f != Family::IPV4_UNICAST && !families.contains(&f) {
        return Err(ParseError::new(
            at,
            format!("route for family \"{f}\" but that family is not enabled for this neighbor (add \"{f};\" to its family block)"),
        ));
    }
    Ok(())
}

/// Parses the route sections `n` holds as text, in order, handing each
/// route to `each`. Every error is returned, sorted, with its file, line
/// and column; the routes handed out before an error are to be dropped.
pub fn parse_routes(
    n: &Neighbor,
    mut each: impl FnMut(ConfigRoute),
) -> Result<(), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    for rt in &n.route_text {
        let mut sink = Sink::default();
        read(
            rt,
            &mut sink,
            &mut |r, at, sink| match family_enabled(&n.families, &r, at) {
                Ok(()) => each(r),
                Err(e) => sink.error(e),
            },
        );
        errors.extend(
            sink.errors
                .into_iter()
                .map(|e| Diagnostic::new(&rt.file, e.pos, e.message)),
        );
    }
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by_key(|d| d.pos);
    errors.dedup();
    Err(errors)
}

/// Tokenises and interprets one section, handing out its routes as they
/// are read (a `static` section statement by statement).
fn read(rt: &RouteText, sink: &mut Sink, each: &mut dyn FnMut(ConfigRoute, Pos, &mut Sink)) {
    let mut builder = TreeBuilder::streaming();
    let mut reader = StaticReader::default();
    let mut held: Vec<Node> = Vec::new();
    let (lex_errors, end) = crate::lexer::tokenize_at(&rt.text, rt.at, |t| {
        let _ = builder.push(t);
        let is_static = builder.root_name() == Some("static");
        for node in builder.take_ready() {
            if is_static {
                for (r, at) in reader.node(node, sink) {
                    each(r, at, sink);
                }
            } else {
                held.push(node);
            }
        }
    });
    sink.errors.extend(lex_errors);
    let tree = builder.finish(end);
    sink.errors.extend(tree.errors);
    let mut sections = tree.nodes.into_iter().filter_map(|n| match n {
        Node::Section(s) => Some(s),
        Node::Statement(_) => None,
    });
    let Some(mut s) = sections.next() else {
        sink.err(rt.at, "expected a route section");
        return;
    };
    if s.name() == "static" {
        crate::section::no_args(&s, sink);
        return;
    }
    s.body = held;
    for (r, at) in section_routes(s, sink) {
        each(r, at, sink);
    }
}

/// What of the route sections `old` may announce routes that `new` does
/// not: for a reload, the previous configuration's routes to withdraw are
/// among the routes of these sections. A section `new` has word for word
/// gives routes that are all in `new`'s, and so does an item (a statement
/// or `route <prefix> { }` block) of a `static` section that a `static`
/// section of `new` has word for word: what is left is every other
/// section whole and, of `static` sections, only their other items (one
/// changed route of a million is parsed again, not a million).
pub fn removed(old: &[RouteText], new: &[RouteText]) -> Vec<RouteText> {
    use foldhash::HashMap;
    let mut whole: HashMap<&str, usize> = HashMap::default();
    for rt in new {
        *whole.entry(rt.text.as_str()).or_default() += 1;
    }
    let mut left: Vec<&RouteText> = Vec::new();
    for rt in old {
        match whole.get_mut(rt.text.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => left.push(rt),
        }
    }
    if left.is_empty() {
        return Vec::new();
    }
    let mut items: HashMap<&str, usize> = HashMap::default();
    for rt in new {
        if let Some(body) = static_items(rt) {
            for item in body {
                *items.entry(item).or_default() += 1;
            }
        }
    }
    let mut out = Vec::new();
    for rt in left {
        let Some(body) = static_items(rt) else {
            out.push(rt.clone());
            continue;
        };
        let gone: Vec<&str> = body
            .into_iter()
            .filter(|item| match items.get_mut(item) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect();
        if !gone.is_empty() {
            out.push(RouteText {
                file: rt.file.clone(),
                at: rt.at,
                text: format!("static {{\n{}\n}}", gone.join("\n")),
            });
        }
    }
    out
}

/// The items of a `static` section's body (see [`crate::skip::items`]);
/// `None` for another section, or one whose body does not balance.
fn static_items(rt: &RouteText) -> Option<Vec<&str>> {
    let head_end = rt.text.find('{')?;
    if rt.text[..head_end].trim() != "static" {
        return None;
    }
    let body = &rt.text[head_end + 1..];
    let body = body.strip_suffix('}').unwrap_or(body);
    crate::skip::items(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(text: &str) -> RouteText {
        RouteText {
            file: "f".into(),
            at: Pos::new(1, 1),
            text: text.into(),
        }
    }

    #[test]
    fn a_reload_parses_again_only_what_changed() {
        let old = [
            rt("static {\n route 1.0.0.0/8 next-hop 1.2.3.4;\n route 2.0.0.0/8 next-hop 1.2.3.4;\n route 3.0.0.0/8 next-hop 1.2.3.4;\n}"),
            rt("flow { route a { match { destination 1.0.0.0/8; } then { discard; } } }"),
            rt("announce { ipv4 { unicast 4.0.0.0/8 next-hop 1.2.3.4; } }"),
        ];
        let new = [
            rt("static {\n route 1.0.0.0/8 next-hop 1.2.3.4;\n route 2.0.0.0/8 next-hop 1.2.3.5;\n  route 3.0.0.0/8 next-hop 1.2.3.4;\n}"),
            rt("announce { ipv4 { unicast 4.0.0.0/8 next-hop 1.2.3.4; } }"),
        ];
        let r = removed(&old, &new);
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].text, "static {\nroute 2.0.0.0/8 next-hop 1.2.3.4;\n}");
        assert_eq!(r[1], old[1]);
        assert!(removed(&old, &old).is_empty());
        assert!(removed(&new[..1], &new[..1]).is_empty());
    }
}
