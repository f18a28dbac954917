//! Top-level `process <name> { run ...; encoder ...; respawn ...; }` blocks
//! (spec §1.7) and the resolution of the `run` program.

use crate::error::Pos;
use crate::model::{Encoder, Process};
use crate::section::{expect_statement, unknown_keyword, Sink};
use crate::tree::{Section, Statement};
use std::path::{Component, Path, PathBuf};

const PROCESS_KEYWORDS: [&str; 3] = ["run", "encoder", "respawn"];

/// How `run` programs are looked up.
#[derive(Debug, Clone, Default)]
pub struct RunLookup {
    /// `$PATH`, searched for bare program names.
    pub path: Option<String>,
    /// Check that the program exists, is a regular executable file and is
    /// neither setuid nor setgid (as ExaBGP does at load).
    pub check: bool,
    /// When set (and `check`), the user helpers run as must be able to
    /// start the program ([`crate::run_access`]).
    pub user: Option<crate::run_access::RunAs>,
}

/// Removes `.` components (`/etc/./run/x` -> `/etc/run/x`).
fn clean(p: &Path) -> PathBuf {
    p.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// Resolves the program of a `run` line. A path with a `/` that is relative
/// is taken relative to the directory of the configuration file; a bare name
/// is looked up in `/etc/exabgp`, next to the configuration file, then in
/// each `$PATH` entry, the last existing candidate winning (spec §1.7).
pub fn resolve_program(
    program: &str,
    config_dir: &Path,
    lookup: &RunLookup,
) -> Result<PathBuf, String> {
    let p = Path::new(program);
    let resolved = if p.is_absolute() {
        p.to_path_buf()
    } else if program.contains('/') {
        clean(&config_dir.join(p))
    } else {
        let mut candidates = vec![Path::new("/etc/exabgp").join(p), config_dir.join(p)];
        if let Some(path) = &lookup.path {
            candidates.extend(
                path.split(':')
                    .filter(|d| !d.is_empty())
                    .map(|d| Path::new(d).join(p)),
            );
        }
        match candidates.into_iter().rev().find(|c| c.is_file()) {
            Some(c) => clean(&c),
            None if lookup.check => {
                return Err(format!(
                    "program \"{program}\" not found in /etc/exabgp, {} or $PATH",
                    config_dir.display()
                ))
            }
            None => clean(&config_dir.join(p)),
        }
    };
    if lookup.check {
        check_program(&resolved)?;
        if let Some(user) = &lookup.user {
            crate::run_access::check(&resolved, user)
                .map_err(|why| format!("program {} {why}", resolved.display()))?;
        }
    }
    Ok(resolved)
}

fn check_program(p: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta =
        std::fs::metadata(p).map_err(|e| format!("program {} cannot be used: {e}", p.display()))?;
    if !meta.is_file() {
        return Err(format!("program {} is not a regular file", p.display()));
    }
    let mode = meta.permissions().mode();
    if mode & 0o111 == 0 {
        return Err(format!("program {} is not executable", p.display()));
    }
    if mode & 0o6000 != 0 {
        return Err(format!(
            "program {} is setuid or setgid, refusing to run it",
            p.display()
        ));
    }
    Ok(())
}

/// Parses one `process` section. `None` when it is unusable (errors recorded).
pub fn process_section(
    s: &Section,
    source: &Path,
    lookup: &RunLookup,
    sink: &mut Sink,
) -> Option<Process> {
    let name = crate::section::one_arg(s, "process name", "name", sink)?;
    let dir = source.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut argv: Option<(Vec<String>, Pos)> = None;
    let mut encoder = None;
    let mut respawn = true;
    let what = format!("process {}", name.text);
    let before = sink.errors.len();
    for node in &s.body {
        let st = match expect_statement(node, &what) {
            Ok(st) => st,
            Err(e) => {
                sink.error(e);
                continue;
            }
        };
        let kw = st.keyword();
        match kw.text.as_str() {
            "run" => {
                if let Some(run) = run_statement(st, sink) {
                    argv = Some(run);
                }
            }
            "encoder" => {
                if let Some(e) = encoder_statement(st, sink) {
                    encoder = Some(e);
                }
            }
            "respawn" => {
                if let Some(v) = sink.take(crate::section::flag(st, true)) {
                    respawn = v;
                }
            }
            _ => sink.error(unknown_keyword(kw, &what, &PROCESS_KEYWORDS)),
        }
    }
    if sink.errors.len() > before {
        return None;
    }
    let Some((mut argv, run_pos)) = argv else {
        sink.err(
            s.pos(),
            format!("incomplete process \"{}\", missing run", name.text),
        );
        return None;
    };
    let Some(encoder) = encoder else {
        sink.err(
            s.pos(),
            format!(
                "incomplete process \"{}\", missing encoder (text or json)",
                name.text
            ),
        );
        return None;
    };
    match resolve_program(&argv[0], &dir, lookup) {
        Ok(p) => argv[0] = p.to_string_lossy().into_owned(),
        Err(e) => {
            sink.err(run_pos, format!("process \"{}\": {e}", name.text));
            return None;
        }
    }
    Some(Process {
        name: name.text.clone(),
        argv,
        encoder,
        respawn,
        source: source.to_path_buf(),
    })
}

/// A `run` statement: the program and its arguments, with the place of the
/// program. `None` when it is unusable (errors recorded).
fn run_statement(st: &Statement, sink: &mut Sink) -> Option<(Vec<String>, Pos)> {
    if st.args().is_empty() {
        sink.err(st.end, "missing program after \"run\"");
        return None;
    }
    if let Some(bad) = st.args().iter().find(|t| !t.is_word()) {
        sink.err(
            bad.pos,
            format!(
                "unexpected \"{}\" in run: expected program and arguments",
                bad.text
            ),
        );
        return None;
    }
    Some((
        st.args().iter().map(|t| t.text.clone()).collect(),
        st.args()[0].pos,
    ))
}

/// An `encoder` statement: `text` or `json`. `None` when it is unusable
/// (errors recorded).
fn encoder_statement(st: &Statement, sink: &mut Sink) -> Option<Encoder> {
    let v = sink.take(crate::values::single(st.keyword(), st.args()))?;
    match v.text.as_str() {
        "text" => Some(Encoder::Text),
        "json" => Some(Encoder::Json),
        _ => {
            sink.err(
                v.pos,
                format!("invalid encoder \"{}\": expected text or json", v.text),
            );
            None
        }
    }
}
