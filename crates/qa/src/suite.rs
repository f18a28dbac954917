//! Discovery of the tests of a suite folder laid out like ExaBGP's:
//! `DIR/encoding/NAME.ci` (first line: configuration files relative to
//! `DIR/etc/`) and `DIR/encoding/NAME.msg`.

use crate::error::QaError;
use std::path::{Path, PathBuf};

/// One test of a suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    /// The file stem of the `.ci` file.
    pub name: String,
    /// Path of the `.ci` file.
    pub ci: PathBuf,
    /// Path of the `.msg` file (may be missing: the test is then skipped).
    pub msg: PathBuf,
}

impl TestCase {
    /// The absolute configuration paths from the first line of the `.ci`
    /// file, resolved against `etc`.
    pub fn configs(&self, etc: &Path) -> Result<Vec<PathBuf>, QaError> {
        let text = std::fs::read_to_string(&self.ci).map_err(|source| QaError::Read {
            path: self.ci.clone(),
            source,
        })?;
        let first = text.lines().next().unwrap_or_default();
        let configs: Vec<PathBuf> = first.split_whitespace().map(|f| etc.join(f)).collect();
        if configs.is_empty() {
            return Err(QaError::EmptyCi {
                path: self.ci.clone(),
            });
        }
        Ok(configs)
    }
}

/// A suite folder.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite folder (absolute).
    pub root: PathBuf,
    /// Its tests, sorted by name.
    pub tests: Vec<TestCase>,
}

impl Suite {
    /// Reads the list of tests of the suite at `root`.
    pub fn open(root: &Path) -> Result<Suite, QaError> {
        let root = std::fs::canonicalize(root).map_err(|source| QaError::Read {
            path: root.to_owned(),
            source,
        })?;
        let encoding = root.join("encoding");
        if !encoding.is_dir() {
            return Err(QaError::NotASuite { path: root });
        }
        let entries = std::fs::read_dir(&encoding).map_err(|source| QaError::Read {
            path: encoding.clone(),
            source,
        })?;
        let mut tests = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| QaError::Read {
                path: encoding.clone(),
                source,
            })?;
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("ci") {
                continue;
            }
            let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            tests.push(TestCase {
                name: name.to_owned(),
                msg: path.with_extension("msg"),
                ci: path.clone(),
            });
        }
        tests.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Suite { root, tests })
    }

    /// The folder configuration names are relative to.
    pub fn etc(&self) -> PathBuf {
        self.root.join("etc")
    }

    /// The tests named in `names` (all when empty), in suite order.
    pub fn select(&self, names: &[String]) -> Result<Vec<TestCase>, QaError> {
        if names.is_empty() {
            return Ok(self.tests.clone());
        }
        for name in names {
            if !self.tests.iter().any(|t| &t.name == name) {
                return Err(QaError::NoSuchTest {
                    name: name.clone(),
                    suite: self.root.clone(),
                });
            }
        }
        Ok(self
            .tests
            .iter()
            .filter(|t| names.contains(&t.name))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovers_sorted_tests_and_resolves_configs() {
        let dir = tempfile::tempdir().unwrap();
        let enc = dir.path().join("encoding");
        std::fs::create_dir_all(&enc).unwrap();
        std::fs::write(enc.join("b.ci"), "b.conf").unwrap();
        std::fs::write(enc.join("a.ci"), "one.conf  two.conf\nignored.conf\n").unwrap();
        std::fs::write(enc.join("a.msg"), "").unwrap();
        std::fs::write(enc.join("notes.txt"), "").unwrap();
        let suite = Suite::open(dir.path()).unwrap();
        let names: Vec<&str> = suite.tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let etc = suite.etc();
        assert_eq!(
            suite.tests[0].configs(&etc).unwrap(),
            [etc.join("one.conf"), etc.join("two.conf")]
        );
        assert!(suite.select(&["c".into()]).is_err());
        assert_eq!(suite.select(&["b".into()]).unwrap().len(), 1);
        std::fs::write(enc.join("b.ci"), "\n").unwrap();
        assert!(suite.tests[1].configs(&etc).is_err());
    }

    #[test]
    fn a_folder_without_encoding_is_not_a_suite() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Suite::open(dir.path()),
            Err(QaError::NotASuite { .. })
        ));
    }
}
