//! The fast path of a `static` section's `route <prefix> ...;` statements
//! that repeat the previous statement but for the prefix: a table of a
//! million routes sharing their next hop and attributes is read with one
//! keyword parse, not a million.
//!
//! The previous statement's route is reused with the new prefix only when
//! that is exactly what the full parse ([`super::parse_route`]) gives:
//! every token after the prefix equal in kind and text (the keywords'
//! meaning depends on nothing else), the previous statement parsed to one
//! prefix route, no `split` among its words (the count of routes depends
//! on the prefix then), the new prefix valid, and the family it implies
//! ([`super::implied_family`]) the previous route's (every check after the
//! prefix is a function of the family and of the keywords, which the
//! previous statement passed). Anything else goes through the full parse,
//! which gives its routes or its errors.

use super::{implied_family, ConfigRoute, PrefixRoute};
use crate::lexer::{Token, TokenKind};
use crate::values;

/// The last `route` statement that parsed to one prefix route: its words
/// after the prefix, and that route (its attribute set already shared).
#[derive(Debug, Default)]
pub(crate) struct LastRoute {
    rest: Vec<(TokenKind, String)>,
    route: Option<PrefixRoute>,
}

impl LastRoute {
    /// The route of `args` (a `route` statement's tokens after the
    /// keyword) when they repeat the remembered statement but for the
    /// prefix; `None` when the full parse must run.
    pub(crate) fn reuse(&self, args: &[Token]) -> Option<ConfigRoute> {
        let last = self.route.as_ref()?;
        let (prefix, rest) = args.split_first()?;
        if !prefix.is_word() || rest.len() != self.rest.len() {
            return None;
        }
        let same = rest
            .iter()
            .zip(&self.rest)
            .all(|(t, (kind, text))| t.kind == *kind && t.text == *text);
        if !same {
            return None;
        }
        let net = values::prefix(prefix).ok()?;
        let family = implied_family(&net, last.rd.is_some(), last.labels.is_some());
        (family == last.family).then(|| {
            ConfigRoute::Prefix(PrefixRoute {
                prefix: net,
                ..last.clone()
            })
        })
    }

    /// Remembers what the full parse of `args` gave (`routes`), or forgets
    /// the last statement when it cannot be reused (see the module doc).
    pub(crate) fn remember<'a>(
        &mut self,
        args: &[Token],
        mut routes: impl Iterator<Item = &'a ConfigRoute>,
    ) {
        self.route = None;
        let (Some(ConfigRoute::Prefix(r)), None) = (routes.next(), routes.next()) else {
            return;
        };
        let rest = args.get(1..).unwrap_or(&[]);
        if rest.iter().any(|t| t.text == "split") {
            return;
        }
        self.rest.clear();
        self.rest
            .extend(rest.iter().map(|t| (t.kind, t.text.clone())));
        self.route = Some(r.clone());
    }
}

#[cfg(test)]
mod tests {
    //! The fast path must give what the full parse gives: every `static`
    //! section read as a whole (the fast path taken where it may be) is
    //! compared with the same statements each read alone (the full parse
    //! always), routes, positions and errors alike.
    use super::super::{static_section, StaticReader};
    use crate::error::ParseError;
    use crate::section::Sink;
    use crate::tree::{Node, Section};
    use proptest::prelude::*;
    use std::path::Path;

    type Read = (Vec<(ConfigRoute, crate::error::Pos)>, Vec<ParseError>);

    use super::{ConfigRoute, LastRoute};

    fn whole(s: &Section) -> Read {
        let mut sink = Sink::default();
        let routes = static_section(s.clone(), &mut sink);
        (routes, sink.errors)
    }

    fn one_by_one(s: &Section) -> Read {
        let mut sink = Sink::default();
        crate::section::no_args(s, &mut sink);
        let mut routes = Vec::new();
        for node in &s.body {
            routes.extend(StaticReader::default().node(node.clone(), &mut sink));
        }
        (routes, sink.errors)
    }

    fn static_sections(nodes: &[Node], out: &mut Vec<Section>) {
        for n in nodes {
            if let Node::Section(s) = n {
                if s.name() == "static" {
                    out.push(s.clone());
                } else {
                    static_sections(&s.body, out);
                }
            }
        }
    }

    fn sections_of(text: &str) -> Vec<Section> {
        let lexed = crate::lexer::tokenize(text);
        let tree = crate::tree::build(lexed.tokens, lexed.end);
        let mut out = Vec::new();
        static_sections(&tree.nodes, &mut out);
        out
    }

    /// Every `static` section of the conformance suite's and the
    /// project's configurations.
    #[test]
    fn the_configurations_read_as_the_full_parse_reads_them() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let suite = root.join("../shared/conformance/etc");
        if !suite.is_dir() {
            ferrobgp_testkit::skip(module_path!(), "conformance suite not found");
        }
        let mut sections = 0;
        let mut routes = 0;
        for dir in [suite, root.join("etc"), root.join("qa/etc")] {
            let Ok(rd) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_none_or(|x| x != "conf") {
                    continue;
                }
                let text = std::fs::read_to_string(&p).expect("readable");
                for s in sections_of(&text) {
                    let got = whole(&s);
                    assert_eq!(got, one_by_one(&s), "{}", p.display());
                    sections += 1;
                    routes += got.0.len();
                }
            }
        }
        assert!(sections >= 20, "only {sections} static sections");
        assert!(routes >= 50, "only {routes} routes");
    }

    /// What follows the prefix: repeated, changed, with `split`, an RD,
    /// labels, another family's next hop, and errors.
    const RESTS: [&str; 10] = [
        "next-hop 192.0.2.1",
        "next-hop 192.0.2.1",
        "next-hop 192.0.2.2 med 5 community [ 65000:1 65000:2 ]",
        "next-hop 192.0.2.1 split /26",
        "next-hop 192.0.2.1 rd 65000:1 label 100",
        "next-hop 192.0.2.1 label 100",
        "next-hop 2001:db8::1 as-path [ 1 2 ]",
        "next-hop 192.0.2.1 med x",
        "med 5",
        "next-hop 192.0.2.1 name split",
    ];

    const PREFIXES: [&str; 10] = [
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.2.0/25",
        "224.1.0.0/16",
        "2001:db8::/32",
        "ff0e::/16",
        "10.0.0.0/33",
        "nonsense",
        "10.0.0.1",
        "0.0.0.0/0",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn statement_runs_read_as_each_statement_alone(
            picks in prop::collection::vec((0..PREFIXES.len(), 0..RESTS.len(), 0..4usize), 1..40)
        ) {
            let mut text = String::from("static {\n");
            for (p, r, repeat) in picks {
                for _ in 0..=repeat {
                    text.push_str(&format!(" route {} {};\n", PREFIXES[p], RESTS[r]));
                }
            }
            text.push_str("}\n");
            let sections = sections_of(&text);
            prop_assert_eq!(sections.len(), 1);
            prop_assert_eq!(whole(&sections[0]), one_by_one(&sections[0]));
        }
    }

    #[test]
    fn a_repeated_statement_reuses_the_route() {
        let text = "static {\n route 10.0.0.0/24 next-hop 192.0.2.1 med 5;\n route 10.0.1.0/24 next-hop 192.0.2.1 med 5;\n route 224.0.0.0/8 next-hop 192.0.2.1 med 5;\n}\n";
        let s = &sections_of(text)[0];
        let Node::Statement(first) = &s.body[0] else {
            panic!("a statement");
        };
        let Node::Statement(second) = &s.body[1] else {
            panic!("a statement");
        };
        let Node::Statement(multicast) = &s.body[2] else {
            panic!("a statement");
        };
        let mut last = LastRoute::default();
        assert!(last.reuse(second.args()).is_none(), "nothing remembered");
        let (routes, _) = whole(s);
        last.remember(first.args(), std::iter::once(&routes[0].0));
        assert_eq!(last.reuse(second.args()), Some(routes[1].0.clone()));
        assert!(
            last.reuse(multicast.args()).is_none(),
            "another family is parsed in full"
        );
        assert!(last.reuse(first.args()).is_some());
    }
}
