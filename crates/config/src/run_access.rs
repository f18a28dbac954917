//! Whether the user helper programs run as can start a `run` program: every
//! directory on the way searchable, the file executable, and a script
//! (`#!`) also readable, by that user's uid, groups and the mode bits. A
//! helper that cannot start is a configuration error at its `run` line
//! rather than a daemon running without it.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The identity helper programs run as.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunAs {
    /// Login name (for messages).
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

/// Owner, group and mode of one path, as [`judge`] needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Owner uid.
    pub uid: u32,
    /// Group gid.
    pub gid: u32,
    /// Permission bits.
    pub mode: u32,
}

impl RunAs {
    /// Whether this user has every bit of `want` (4 read, 1 execute) on `n`.
    fn may(&self, n: Node, want: u32) -> bool {
        if self.uid == 0 {
            // Root reads anything and executes what has any execute bit.
            return want & 1 == 0 || n.mode & 0o111 != 0;
        }
        let class = if n.uid == self.uid {
            n.mode >> 6
        } else if n.gid == self.gid || self.groups.contains(&n.gid) {
            n.mode >> 3
        } else {
            n.mode
        };
        class & want == want
    }
}

/// Judges the program `file` (`Node` and whether it is a script) below
/// `dirs` (from `/` down to its directory) for `who`.
pub fn judge(
    who: &RunAs,
    dirs: &[(PathBuf, Node)],
    file: (&Path, Node),
    script: bool,
) -> Result<(), String> {
    for (dir, n) in dirs {
        if !who.may(*n, 1) {
            return Err(format!(
                "not readable by user {}: {} is mode {:04o}",
                who.name,
                dir.display(),
                n.mode & 0o7777
            ));
        }
    }
    let (path, n) = file;
    if !who.may(n, 1) {
        return Err(format!(
            "not executable by user {}: {} is mode {:04o}",
            who.name,
            path.display(),
            n.mode & 0o7777
        ));
    }
    if script && !who.may(n, 4) {
        return Err(format!(
            "not readable by user {} (a script is read by its interpreter): {} is mode {:04o}",
            who.name,
            path.display(),
            n.mode & 0o7777
        ));
    }
    Ok(())
}

/// Checks `program` (already found, a regular file) for `who`.
pub fn check(program: &Path, who: &RunAs) -> Result<(), String> {
    let resolved = std::fs::canonicalize(program)
        .map_err(|e| format!("program {} cannot be used: {e}", program.display()))?;
    let node = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| Node {
                uid: m.uid(),
                gid: m.gid(),
                mode: m.mode(),
            })
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    let mut dirs = Vec::new();
    for d in resolved.ancestors().skip(1) {
        dirs.push((d.to_path_buf(), node(d)?));
    }
    dirs.reverse();
    let mut head = [0u8; 2];
    let script = std::fs::File::open(&resolved)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == b"#!";
    judge(who, &dirs, (&resolved, node(&resolved)?), script)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> RunAs {
        RunAs {
            name: "ferrobgp".into(),
            uid: 999,
            gid: 993,
            groups: vec![993],
        }
    }

    fn n(uid: u32, gid: u32, mode: u32) -> Node {
        Node { uid, gid, mode }
    }

    fn dirs(list: &[(&str, Node)]) -> Vec<(PathBuf, Node)> {
        list.iter().map(|(p, n)| (PathBuf::from(p), *n)).collect()
    }

    #[test]
    fn a_helper_under_root_home_is_refused_with_the_reason() {
        let d = dirs(&[("/", n(0, 0, 0o755)), ("/root", n(0, 0, 0o700))]);
        let err = judge(&user(), &d, (Path::new("/root/h.sh"), n(0, 0, 0o755)), true).unwrap_err();
        assert_eq!(err, "not readable by user ferrobgp: /root is mode 0700");
        // Root may run it.
        let root = RunAs {
            name: "root".into(),
            ..RunAs::default()
        };
        judge(&root, &d, (Path::new("/root/h.sh"), n(0, 0, 0o755)), true).unwrap();
    }

    #[test]
    fn execute_and_read_bits_by_owner_group_other() {
        let d = dirs(&[("/", n(0, 0, 0o755)), ("/srv", n(0, 993, 0o710))]);
        let f = Path::new("/srv/h");
        // Group member passes the directory; the file is executable by the group.
        judge(&user(), &d, (f, n(0, 993, 0o750)), true).unwrap();
        // Executable but not readable: fine for a binary, not for a script.
        judge(&user(), &d, (f, n(0, 0, 0o711)), false).unwrap();
        let err = judge(&user(), &d, (f, n(0, 0, 0o711)), true).unwrap_err();
        assert!(
            err.contains("not readable by user ferrobgp (a script"),
            "{err}"
        );
        let err = judge(&user(), &d, (f, n(0, 0, 0o744)), false).unwrap_err();
        assert_eq!(err, "not executable by user ferrobgp: /srv/h is mode 0744");
        // Owner bits apply to the owner even when "other" would allow.
        let err = judge(&user(), &d, (f, n(999, 0, 0o075)), false).unwrap_err();
        assert!(err.contains("not executable"), "{err}");
    }
}
