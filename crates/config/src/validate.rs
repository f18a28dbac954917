//! `ferrobgp validate`: per file, a one-line summary of what was loaded or
//! every positioned error, and a JSON dump of the resolved model. The binary
//! is a thin wrapper around [`validate_files`].

use crate::error::ConfigError;
use crate::load::{load_file, LoadOptions, Loaded};
use crate::model::Config;
use ferrobgp_wire::Family;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The outcome for one file.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub outcome: Result<Loaded, ConfigError>,
}

/// Loads every file independently.
pub fn validate_files<P: AsRef<Path>>(paths: &[P], opts: &LoadOptions) -> Vec<FileReport> {
    paths
        .iter()
        .map(|p| FileReport {
            path: p.as_ref().to_path_buf(),
            outcome: load_file(p.as_ref(), opts),
        })
        .collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `1 neighbor, 4 routes (ipv4 unicast 2, ipv6 unicast 2), 1 process`.
pub fn summary(config: &Config) -> String {
    let mut per_family: BTreeMap<Family, usize> = BTreeMap::new();
    let mut total = 0;
    for n in &config.neighbors {
        for r in &n.routes {
            *per_family.entry(r.family()).or_default() += 1;
            total += 1;
        }
    }
    let fams: Vec<String> = per_family.iter().map(|(f, n)| format!("{f} {n}")).collect();
    let routes = if fams.is_empty() {
        plural(total, "route", "routes")
    } else {
        format!("{} ({})", plural(total, "route", "routes"), fams.join(", "))
    };
    format!(
        "{}, {}, {}",
        plural(config.neighbors.len(), "neighbor", "neighbors"),
        routes,
        plural(config.processes.len(), "process", "processes")
    )
}

impl FileReport {
    pub fn is_ok(&self) -> bool {
        self.outcome.is_ok()
    }

    /// The lines to print: `PATH: ok: <summary>` (plus warnings), or one
    /// `FILE:LINE:COLUMN: message` line per error.
    pub fn lines(&self) -> Vec<String> {
        match &self.outcome {
            Ok(l) => {
                let mut v = vec![format!(
                    "{}: ok: {}",
                    self.path.display(),
                    summary(&l.config)
                )];
                v.extend(l.warnings.iter().map(|w| format!("{w} (warning)")));
                v
            }
            Err(ConfigError::Invalid(ds)) => ds.iter().map(|d| d.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    /// `{"file": ..., "ok": true, "config": {...}, "warnings": [...]}` or
    /// `{"file": ..., "ok": false, "errors": [{"line", "column", "message"}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let file = self.path.display().to_string();
        match &self.outcome {
            Ok(l) => serde_json::json!({
                "file": file,
                "ok": true,
                "summary": summary(&l.config),
                "warnings": l.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
                "config": serde_json::to_value(&l.config).unwrap_or(serde_json::Value::Null),
            }),
            Err(ConfigError::Invalid(ds)) => serde_json::json!({
                "file": file,
                "ok": false,
                "errors": ds.iter().map(|d| serde_json::json!({
                    "file": d.file, "line": d.pos.line, "column": d.pos.column, "message": d.message,
                })).collect::<Vec<_>>(),
            }),
            Err(e) => {
                serde_json::json!({ "file": file, "ok": false, "errors": [{ "message": e.to_string() }] })
            }
        }
    }
}
