//! Loading configuration files: tokenise, build the tree, interpret the
//! top-level sections (`process`, `template`, `neighbor`), merge templates,
//! resolve neighbors, and report every positioned error found.

use crate::error::{ConfigError, Diagnostic, ParseError, Pos};
use crate::lexer::Token;
use crate::model::{Config, Neighbor, Process};
use crate::neighbor::{peer_address, read_body, resolve, Draft};
use crate::process::{process_section, RunLookup};
use crate::route_text::Lines;
use crate::section::{unknown_keyword, Sink};
use crate::settings::Settings;
use crate::tree::{Node, Section, Tree};
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
    let lines = opts.defer_routes.then(|| Lines::new(text));
    let tree = parse_tree(text, opts, &mut sink);
    let structural = sink.errors.len();
    let top = top_level(tree.nodes, path, opts, lines.as_ref(), &mut sink);
    let mut neighbors: Vec<Neighbor> = Vec::new();
    for s in top.neighbor_sections {
        let ctx = NeighborContext {
            path,
            opts,
            lines: lines.as_ref(),
            templates: &top.templates,
            process_names: &top.process_names,
        };
        if let Some(n) = neighbor(s, &ctx, &neighbors, &mut sink) {
            neighbors.push(n);
        }
    }
    let file = path.display().to_string();
    if !sink.errors.is_empty() {
        return Err(ConfigError::Invalid(ordered_errors(
            &file,
            sink.errors,
            structural,
        )));
    }
    for rt in neighbors.iter_mut().flat_map(|n| n.route_text.iter_mut()) {
        rt.file.clone_from(&file);
    }
    let warnings = sink
        .warnings
        .into_iter()
        .map(|e| Diagnostic::new(&file, e.pos, e.message))
        .collect();
    Ok(Loaded {
        config: Config {
            source: path.to_path_buf(),
            processes: top.processes,
            neighbors,
        },
        warnings,
    })
}

/// Tokenises the text and builds the tree of sections and statements, its
/// errors and warnings moved into `sink` (the structural errors). A
/// deferring builder (`defer_routes`) has the lexer pass over the route
/// sections. With `ferrobgp.compat.reference-trailing-brace`, an unbalanced
/// `}` at the end of the file is a warning instead of an error.
fn parse_tree(text: &str, opts: &LoadOptions, sink: &mut Sink) -> Tree {
    let mut builder = if opts.defer_routes {
        crate::tree::TreeBuilder::deferring()
    } else {
        crate::tree::TreeBuilder::new()
    };
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
    sink.errors.append(&mut tree.errors);
    sink.warnings.append(&mut tree.warnings);
    tree
}

/// What the top-level sections hold, neighbors not yet read (they need all
/// the templates and processes, which may come after them).
#[derive(Default)]
struct TopLevel {
    processes: Vec<Process>,
    process_names: Vec<String>,
    templates: HashMap<String, Draft>,
    neighbor_sections: Vec<Section>,
}

/// Interprets the top-level nodes in order: processes and templates are
/// read, neighbor sections kept for later, anything else is an error.
fn top_level(
    nodes: Vec<Node>,
    path: &Path,
    opts: &LoadOptions,
    lines: Option<&Lines<'_>>,
    sink: &mut Sink,
) -> TopLevel {
    let mut top = TopLevel::default();
    for node in nodes {
        let s = match node {
            Node::Section(s) => s,
            Node::Statement(st) => {
                top_statement(st.keyword(), sink);
                continue;
            }
        };
        match s.name().to_string().as_str() {
            "process" => process(&s, path, opts, &mut top, sink),
            "template" => template(s, lines, &mut top.templates, sink),
            "neighbor" => top.neighbor_sections.push(s),
            "group" => sink.err(s.pos(), GROUP_SYNTAX),
            _ => match s.head.first() {
                Some(t) => sink.error(unknown_keyword(t, "the top level", &TOP_KEYWORDS)),
                None => sink.err(
                    s.open,
                    "unexpected \"{\" at the top level: expected process, template or neighbor",
                ),
            },
        }
    }
    top
}

const GROUP_SYNTAX: &str =
    "\"group\" is ExaBGP 3.x syntax: use template { neighbor <name> { ... } } and inherit";

/// The error for a statement at the top level (where only sections are).
fn top_statement(kw: &Token, sink: &mut Sink) {
    if TOP_KEYWORDS.contains(&kw.text.as_str()) {
        sink.err(
            kw.pos,
            format!(
                "\"{}\" is a section: expected \"{} ... {{\"",
                kw.text, kw.text
            ),
        );
    } else if kw.is("group") {
        sink.err(kw.pos, GROUP_SYNTAX);
    } else {
        sink.error(unknown_keyword(kw, "the top level", &TOP_KEYWORDS));
    }
}

/// A `process` section: its name unique (a duplicate is not read further).
fn process(s: &Section, path: &Path, opts: &LoadOptions, top: &mut TopLevel, sink: &mut Sink) {
    if let Some(name) = s.head.get(1) {
        if top.process_names.contains(&name.text) {
            sink.err(name.pos, format!("duplicate process \"{}\"", name.text));
            return;
        }
        top.process_names.push(name.text.clone());
    }
    if let Some(p) = process_section(s, path, &opts.run, sink) {
        top.processes.push(p);
    }
}

/// A `template` section: `neighbor <name> { ... }` blocks, names unique.
fn template(
    s: Section,
    lines: Option<&Lines<'_>>,
    templates: &mut HashMap<String, Draft>,
    sink: &mut Sink,
) {
    crate::section::no_args(&s, sink);
    for node in s.body {
        match node {
            Node::Section(t) if t.name() == "neighbor" => {
                let Some(name) =
                    crate::section::one_arg(&t, "template name", "name", sink).cloned()
                else {
                    continue;
                };
                let d = read_body(t, true, lines, sink);
                if templates.insert(name.text.clone(), d).is_some() {
                    sink.err(name.pos, format!("duplicate template \"{}\"", name.text));
                }
            }
            other => {
                let pos = other.pos();
                sink.err(
                    pos,
                    "unexpected content in template: expected \"neighbor <name> { ... }\"",
                );
            }
        }
    }
}

/// What reading a neighbor section needs from the rest of the file.
struct NeighborContext<'a> {
    path: &'a Path,
    opts: &'a LoadOptions,
    lines: Option<&'a Lines<'a>>,
    templates: &'a HashMap<String, Draft>,
    process_names: &'a [String],
}

/// A neighbor section read, its templates merged and resolved; `None` when
/// it has errors (a neighbor whose body has errors is not resolved: that
/// would only add noise) or repeats one of `neighbors`.
fn neighbor(
    s: Section,
    ctx: &NeighborContext<'_>,
    neighbors: &[Neighbor],
    sink: &mut Sink,
) -> Option<Neighbor> {
    let before = sink.errors.len();
    let peer = peer_address(&s, sink);
    let section_pos = s.pos();
    let mut d = read_body(s, false, ctx.lines, sink);
    let mut ok = sink.errors.len() == before;
    ok &= inherit(&mut d, ctx.templates, sink);
    let peer = peer?;
    if !ok {
        return None;
    }
    let n = resolve(
        d,
        peer,
        ctx.path,
        &ctx.opts.settings,
        ctx.process_names,
        sink,
    )?;
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
        return None;
    }
    Some(n)
}

/// Merges the templates `d` inherits, in order; false when one is unknown
/// (an error each, with a suggestion when a name is close).
fn inherit(d: &mut Draft, templates: &HashMap<String, Draft>, sink: &mut Sink) -> bool {
    let mut ok = true;
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
    ok
}

/// The errors as diagnostics: the structural ones (tokens, braces; the
/// first `structural`) first, since they cause the others, each group
/// sorted by position, repeats removed.
fn ordered_errors(file: &str, errors: Vec<ParseError>, structural: usize) -> Vec<Diagnostic> {
    let mut errors: Vec<Diagnostic> = errors
        .into_iter()
        .map(|e| Diagnostic::new(file, e.pos, e.message))
        .collect();
    let mut rest = errors.split_off(structural.min(errors.len()));
    rest.sort_by_key(|d| d.pos);
    errors.sort_by_key(|d| d.pos);
    errors.extend(rest);
    errors.dedup();
    errors
}

/// A configuration file's text as read: what the supervisor reads once
/// and the rib is given, so that both load the same text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file as named (in messages and route sections).
    pub path: PathBuf,
    /// The file's absolute path: the base of relative `run` paths.
    pub absolute: PathBuf,
    pub text: String,
}

/// Reads one configuration file (its text must be UTF-8).
pub fn read_source(path: &Path) -> Result<Source, ConfigError> {
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
    let absolute: PathBuf = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    Ok(Source {
        path: path.to_path_buf(),
        absolute,
        text,
    })
}

/// Parses a file's text as read by [`read_source`]: messages and route
/// sections name the file as given.
pub fn load_source(source: &Source, opts: &LoadOptions) -> Result<Loaded, ConfigError> {
    let shown = source.path.display().to_string();
    load_str(&source.absolute, &source.text, opts)
        .map_err(|e| match e {
            // report the path as given, not the absolute one
            ConfigError::Invalid(ds) => ConfigError::Invalid(
                ds.into_iter()
                    .map(|d| Diagnostic {
                        file: shown.clone(),
                        ..d
                    })
                    .collect(),
            ),
            other => other,
        })
        .map(|mut l| {
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

/// Reads and parses one configuration file.
pub fn load_file(path: &Path, opts: &LoadOptions) -> Result<Loaded, ConfigError> {
    load_source(&read_source(path)?, opts)
}

/// Loads several files (each independently; the daemon decides how to run
/// them, see `exabgp.debug.rotate`).
pub fn load_files<P: AsRef<Path>>(
    paths: &[P],
    opts: &LoadOptions,
) -> Vec<Result<Loaded, ConfigError>> {
    paths.iter().map(|p| load_file(p.as_ref(), opts)).collect()
}
