//! The route sections of a neighbor: `static` (read a statement at a
//! time, equal attribute sets held once, a statement that repeats the
//! previous one but for the prefix not parsed again) and `announce`
//! (family statements), with `route <prefix> { ... }` blocks.

use super::*;

/// Reads the statements of a `route <prefix> { ... }` block into a spec.
fn block_spec(s: &Section, spec: &mut RouteSpec, sink: &mut Sink) {
    for node in &s.body {
        match node {
            Node::Statement(st) => {
                let mut cur = Cursor::new(st.args(), st.end);
                match route_keyword(st.keyword(), &mut cur, spec) {
                    Ok(true) => {
                        if let Some(e) = cur.left_after(st.keyword()) {
                            sink.error(e);
                        }
                    }
                    Ok(false) => sink.error(attributes::unknown_route_keyword(st.keyword())),
                    Err(e) => sink.error(e),
                }
            }
            Node::Section(sub) => sink.err(
                sub.pos(),
                format!("unexpected section \"{}\" in a route block", sub.name()),
            ),
        }
    }
}

fn located(
    r: PResult<Vec<ConfigRoute>>,
    pos: Pos,
    sink: &mut Sink,
    sets: &mut shared_sets::SharedSets,
) -> Vec<(ConfigRoute, Pos)> {
    match r {
        Ok(v) => v
            .into_iter()
            .map(|mut x| {
                sets.share(&mut x);
                (x, pos)
            })
            .collect(),
        Err(e) => {
            sink.error(e);
            Vec::new()
        }
    }
}

/// `static { route ...; route <prefix> { ... } attributes ... nlri ...; }`.
///
/// Takes the section by value and drops each statement once parsed, so a
/// file with many routes never holds all their tokens and all their routes
/// at the same time.
pub fn static_section(s: Section, sink: &mut Sink) -> Vec<(ConfigRoute, Pos)> {
    crate::section::no_args(&s, sink);
    let mut reader = StaticReader::default();
    let mut out = Vec::with_capacity(s.body.len());
    for node in s.body {
        out.extend(reader.node(node, sink));
    }
    out
}

/// Reads a `static` section one statement at a time (a whole section, or
/// statements as a streaming tree builder hands them out: see
/// [`crate::route_text`]); equal attribute sets of the section are held
/// once.
#[derive(Default)]
pub(crate) struct StaticReader {
    sets: shared_sets::SharedSets,
    /// The last `route` statement, for the next one that repeats it but
    /// for the prefix.
    last: repeated::LastRoute,
}

impl StaticReader {
    /// The routes of one statement or `route <prefix> { }` block.
    pub(crate) fn node(&mut self, node: Node, sink: &mut Sink) -> Vec<(ConfigRoute, Pos)> {
        let sets = &mut self.sets;
        match node {
            Node::Statement(st) => {
                let kw = st.keyword();
                match kw.text.as_str() {
                    "route" => {
                        let pos = st.args().first().map_or(kw.pos, |t| t.pos);
                        if let Some(r) = self.last.reuse(st.args()) {
                            return vec![(r, pos)];
                        }
                        let routes = parse_route(st.args(), st.end, true);
                        let out = located(routes, pos, sink, sets);
                        self.last.remember(st.args(), out.iter().map(|(r, _)| r));
                        out
                    }
                    "attributes" | "attribute" => located(
                        parse_attributes(st.args(), st.end, true),
                        kw.pos,
                        sink,
                        sets,
                    ),
                    _ => {
                        sink.error(crate::section::unknown_keyword(
                            kw,
                            "static",
                            &["route", "attributes"],
                        ));
                        Vec::new()
                    }
                }
            }
            Node::Section(sub) if sub.name() == "route" => {
                let Some(prefix) = sub.head.get(1) else {
                    sink.err(sub.pos(), "missing prefix: expected \"route <prefix> {\"");
                    return Vec::new();
                };
                let mut spec = RouteSpec::default();
                let mut cur = Cursor::new(sub.head.get(2..).unwrap_or(&[]), sub.open);
                if let Err(e) = attributes::route_keywords(&mut cur, &mut spec) {
                    sink.error(e);
                    return Vec::new();
                }
                let before = sink.errors.len();
                block_spec(&sub, &mut spec, sink);
                if sink.errors.len() != before {
                    return Vec::new();
                }
                located(
                    prefix_routes(prefix, None, spec, true),
                    prefix.pos,
                    sink,
                    sets,
                )
            }
            Node::Section(sub) => {
                match sub.head.first() {
                    Some(t) => sink.error(crate::section::unknown_keyword(
                        t,
                        "static",
                        &["route", "attributes"],
                    )),
                    None => sink.err(sub.open, "unexpected \"{\" in static"),
                }
                Vec::new()
            }
        }
    }
}

/// `announce { ipv4 { unicast ...; } ipv6 { ... } l2vpn { vpls ...; } }`.
pub fn announce_section(s: Section, sink: &mut Sink) -> Vec<(ConfigRoute, Pos)> {
    crate::section::no_args(&s, sink);
    let mut sets = shared_sets::SharedSets::default();
    let mut out = Vec::new();
    for node in s.body {
        let Node::Section(afi_sec) = node else {
            let pos = node.pos();
            sink.err(pos, "unexpected statement in announce: expected \"ipv4 { ... }\", \"ipv6 { ... }\" or \"l2vpn { ... }\"");
            continue;
        };
        let Some(afi) = afi_sec.head.first() else {
            sink.err(afi_sec.open, "unexpected \"{\" in announce");
            continue;
        };
        if !matches!(afi.text.as_str(), "ipv4" | "ipv6" | "l2vpn") {
            sink.error(crate::section::unknown_keyword(
                afi,
                "announce",
                &["ipv4", "ipv6", "l2vpn"],
            ));
            continue;
        }
        crate::section::no_args(&afi_sec, sink);
        let afi = afi.clone();
        for node in afi_sec.body {
            match node {
                Node::Statement(st) => {
                    out.extend(located(
                        family_statement(&afi, &st.words, st.end, true),
                        st.keyword().pos,
                        sink,
                        &mut sets,
                    ));
                }
                Node::Section(sub) => {
                    // `vpls name { ... }` inside announce { l2vpn { } }
                    if afi.is("l2vpn") && sub.name() == "vpls" {
                        out.extend(
                            vpls::vpls_block(&sub, sink).map(|r| (ConfigRoute::Vpls(r), sub.pos())),
                        );
                    } else {
                        sink.err(
                            sub.pos(),
                            format!(
                                "unexpected section \"{}\" in announce {}",
                                sub.name(),
                                afi.text
                            ),
                        );
                    }
                }
            }
        }
    }
    out
}
