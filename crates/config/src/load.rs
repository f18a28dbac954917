//! Loading configuration files: tokenise, build the tree, interpret the
//! top-level sections (`process`, `template`, `neighbor`), merge templates,
//! resolve neighbors, and report every positioned error found.

use crate::error::{ConfigError, Diagnostic, ParseError, Pos};
use crate::model::{Config, Neighbor, Process};
use crate::neighbor::{peer_address, read_body, resolve, Draft};
use crate::process::{process_section, RunLookup};
use crate::route_text::Lines;
use crate::section::{unknown_keyword, Sink};
use crate::settings::Settings;
use crate::tree::{Node, Section};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What loading needs besides the file.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Settings (default `connect` port, global passive).
    pub settings: Settings,
    /// How `run` programs are found and checked.
    pub run: RunLookup,
    /// Keep the neighbors' route sections as text (in
    /// [`Neighbor::route_text`]) instead of parsing them: the supervisor's
    /// load, whose routes the rib parses (see [`crate::route_text`]).
    pub defer_routes: bool,
}

impl LoadOptions {
    /// Options for the real daemon: `$PATH` from `path_env`, programs checked.
    pub fn new(settings: Settings, path_env: Option<String>) -> LoadOptions {
        LoadOptions {
            settings,
            run: RunLookup {
                path: path_env,
                check: true,
                user: None,
            },
            defer_routes: false,
        }
    }
}

/// A loaded file and its warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<Diagnostic>,
}

const TOP_KEYWORDS: [&str; 3] = ["process", "template", "neighbor"];

/// Parses the text of a configuration file. `path` names it in messages and
/// is the base of relative `run` paths.
pub fn load_str(path: &Path, text: &str, opts: &LoadOptions) -> Result<Loaded, ConfigError> {
    let mut sink = Sink::default();
    let mut builder = if opts.defer_routes {
        crate::tree::TreeBuilder::deferring()
    } else {
        crate::tree::TreeBuilder::new()
    };
    let lines = opts.defer_routes.then(|| Lines::new(text));
    // a deferring builder has the lexer pass over the route sections
    let (lex_errors, end) =
        crate::lexer::tokenize_skipping(text, Pos::new(1, 1), |t| builder.push(t));
    sink.errors.extend(lex_errors);
    let mut tree = builder.finish(end);
    if let (Some(at), true) = (
        tree.trailing_close,
        opts.settings.compat.reference_trailing_brace,
    ) {
        tree.errors.retain(|e| e.pos != at);
        tree.warnings.push(ParseError::new(
            at,
            "unbalanced \"}\" at the end of the file ignored (no section is open; ferrobgp.compat.reference-trailing-brace)",
        ));
    }
    sink.errors.extend(tree.errors);
    sink.warnings.extend(tree.warnings);
    let structural = sink.errors.len();

    let mut processes: Vec<Process> = Vec::new();
    let mut process_names: Vec<String> = Vec::new();
    let mut templates: HashMap<String, Draft> = HashMap::new();
    let mut neighbor_sections: Vec<Section> = Vec::new();

    for node in tree.nodes {
        let s = match node {
            Node::Section(s) => s,
            Node::Statement(st) => {
                let kw = st.keyword();
                if TOP_KEYWORDS.contains(&kw.text.as_str()) {
                    sink.err(
                        kw.pos,
                        format!(
                            "\"{}\" is a section: expected \"{} ... {{\"",
                            kw.text, kw.text
                        ),
                    );
                } else if kw.is("group") {
                    sink.err(kw.pos, "\"group\" is ExaBGP 3.x syntax: use template { neighbor <name> { ... } } and inherit");
                } else {
                    sink.error(unknown_keyword(kw, "the top level", &TOP_KEYWORDS));
                }
                continue;
            }
        };
        match s.name().to_string().as_str() {
            "process" => {
                if let Some(name) = s.head.get(1) {
                    if process_names.contains(&name.text) {
                        sink.err(name.pos, format!("duplicate process \"{}\"", name.text));
                        continue;
                    }
                    process_names.push(name.text.clone());
                }
                if let Some(p) = process_section(&s, path, &opts.run, &mut sink) {
                    processes.push(p);
                }
            }
            "template" => {
                crate::section::no_args(&s, &mut sink);
                for node in s.body {
                    match node {
                        Node::Section(t) if t.name() == "neighbor" => {
                            let Some(name) = crate::section::one_arg(&t, "template name", "name", &mut sink).cloned() else {
                                continue;
                            };
                            let d = read_body(t, true, lines.as_ref(), &mut sink);
                            if templates.insert(name.text.clone(), d).is_some() {
                                sink.err(name.pos, format!("duplicate template \"{}\"", name.text));
                            }
                        }
                        other => {
                            let pos = other.pos();
                            sink.err(pos, "unexpected content in template: expected \"neighbor <name> { ... }\"");
                        }
                    }
                }
            }
            "neighbor" => neighbor_sections.push(s),
            "group" => sink.err(s.pos(), "\"group\" is ExaBGP 3.x syntax: use template { neighbor <name> { ... } } and inherit"),
            _ => match s.head.first() {
                Some(t) => sink.error(unknown_keyword(t, "the top level", &TOP_KEYWORDS)),
                None => sink.err(s.open, "unexpected \"{\" at the top level: expected process, template or neighbor"),
            },
        }
    }

    let mut neighbors: Vec<Neighbor> = Vec::new();
    for s in neighbor_sections {
        let before = sink.errors.len();
        let peer = peer_address(&s, &mut sink);
        let section_pos = s.pos();
        let mut d = read_body(s, false, lines.as_ref(), &mut sink);
        // resolving a neighbor whose body has errors only adds noise
        let mut ok = sink.errors.len() == before;
        for name in d.inherit.clone() {
            match templates.get(&name.text) {
                Some(t) => d.merge_template(t),
                None => {
                    let hint =
                        crate::suggest::closest(&name.text, templates.keys().map(|k| k.as_str()))
                            .map(|s| format!(" (did you mean \"{s}\"?)"))
                            .unwrap_or_default();
                    sink.err(
                        name.pos,
                        format!("unknown template \"{}\"{hint}", name.text),
                    );
                    ok = false;
                }
            }
        }
        let Some(peer) = peer else { continue };
        if !ok {
            continue;
        }
        if let Some(n) = resolve(d, peer, path, &opts.settings, &process_names, &mut sink) {
            if let Some(prev) = neighbors.iter().find(|x| x.id == n.id) {
                sink.err(
                    section_pos,
                    format!(
                        "duplicate neighbor {} (already defined at line {})",
                        if n.is_dynamic() {
                            n.peer_address.to_string()
                        } else {
                            n.peer_address.addr().to_string()
                        },
                        prev.line
                    ),
                );
                continue;
            }
            neighbors.push(n);
        }
    }

    let file = path.display().to_string();
    let diag = |e: ParseError| Diagnostic::new(&file, e.pos, e.message);
    if !sink.errors.is_empty() {
        // structural errors (tokens, braces) first: they cause the others
        let mut errors: Vec<Diagnostic> = sink.errors.into_iter().map(diag).collect();
        let rest = errors.split_off(structural.min(errors.len()));
        let mut rest = rest;
        rest.sort_by_key(|d| d.pos);
        errors.sort_by_key(|d| d.pos);
        errors.extend(rest);
        errors.dedup();
        return Err(ConfigError::Invalid(errors));
    }
    for rt in neighbors.iter_mut().flat_map(|n| n.route_text.iter_mut()) {
        rt.file.clone_from(&file);
    }
    let warnings = sink.warnings.into_iter().map(diag).collect();
    Ok(Loaded {
        config: Config {
            source: path.to_path_buf(),
            processes,
            neighbors,
        },
        warnings,
    })
}

/// Reads and parses one configuration file.
pub fn load_file(path: &Path, opts: &LoadOptions) -> Result<Loaded, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let prefix = String::from_utf8_lossy(valid);
            let line = prefix.matches('\n').count() as u32 + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            return Err(ConfigError::Invalid(vec![Diagnostic::new(
                &path.display().to_string(),
                crate::error::Pos::new(line, column),
                "invalid UTF-8 in configuration file",
            )]));
        }
    };
    let abs: PathBuf = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    load_str(&abs, &text, opts)
        .map_err(|e| match e {
            // report the path as given, not the absolute one
            ConfigError::Invalid(ds) => ConfigError::Invalid(
                ds.into_iter()
                    .map(|d| Diagnostic {
                        file: path.display().to_string(),
                        ..d
                    })
                    .collect(),
            ),
            other => other,
        })
        .map(|mut l| {
            let shown = path.display().to_string();
            for w in &mut l.warnings {
                w.file.clone_from(&shown);
            }
            for n in &mut l.config.neighbors {
                for rt in &mut n.route_text {
                    rt.file.clone_from(&shown);
                }
            }
            l
        })
}

/// Loads several files (each independently; the daemon decides how to run
/// them, see `exabgp.debug.rotate`).
pub fn load_files<P: AsRef<Path>>(
    paths: &[P],
    opts: &LoadOptions,
) -> Vec<Result<Loaded, ConfigError>> {
    paths.iter().map(|p| load_file(p.as_ref(), opts)).collect()
}
