//! Whether `ferrobgp cli` may talk to a control socket: only one that no
//! other user could have put where it is.
//!
//! A command sent to a fake daemon leaks what the operator types, and its
//! answer is printed as if the daemon had said it. So, before connecting,
//! the client resolves the socket's directory and requires:
//! - the socket is owned by root or by the caller,
//! - its directory is owned by root or by the caller and writable neither
//!   by its group (unless that group is root's or the caller's) nor by
//!   others; the system runtime directory `/run/ferrobgp` is trusted
//!   whoever owns it (only root can create it in `/run`; under systemd it
//!   belongs to the service user),
//! - every directory above it is owned by root or the caller, and writable
//!   by no one else unless sticky (as `/tmp`, where no one may rename
//!   another's entry).
//!
//! The client then connects to the resolved path, so a symbolic link
//! changed after the check does not redirect it. [`judge`] is the pure
//! core, on the metadata [`check`] reads.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// The system runtime directory trusted whoever owns it.
pub const SYSTEM_DIR: &str = "/run/ferrobgp";

/// The metadata [`judge`] needs of one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner {
    /// Owner uid.
    pub uid: u32,
    /// Group gid.
    pub gid: u32,
    /// Permission bits, including the sticky bit (0o1000).
    pub mode: u32,
}

impl Owner {
    fn of(m: &std::fs::Metadata) -> Self {
        Owner {
            uid: m.uid(),
            gid: m.gid(),
            mode: m.mode() & 0o7777,
        }
    }
}

/// Judges a socket owned as `socket`, in directory `dir` (resolved,
/// absolute) owned as `dir_owner`, below `ancestors` (from `/` down to the
/// parent of `dir`), for a caller of uid `me` and primary group `my_gid`.
pub fn judge(
    socket: Owner,
    dir: &Path,
    dir_owner: Owner,
    ancestors: &[(PathBuf, Owner)],
    me: u32,
    my_gid: u32,
) -> Result<(), String> {
    let trusted_user = |uid: u32| uid == 0 || uid == me;
    let planted = "another user may have planted it";
    for (path, o) in ancestors {
        if !trusted_user(o.uid) {
            return Err(format!(
                "{} is owned by uid {}, not by root or you ({planted})",
                path.display(),
                o.uid
            ));
        }
        if o.mode & 0o022 != 0 && o.mode & 0o1000 == 0 {
            return Err(format!(
                "{} is writable by other users (mode {:04o}) and not sticky ({planted})",
                path.display(),
                o.mode
            ));
        }
    }
    let system = dir == Path::new(SYSTEM_DIR);
    if !system {
        if !trusted_user(dir_owner.uid) {
            return Err(format!(
                "{} is owned by uid {}, not by root or you ({planted})",
                dir.display(),
                dir_owner.uid
            ));
        }
        let group_ok = dir_owner.gid == 0 || dir_owner.gid == my_gid;
        if dir_owner.mode & 0o002 != 0 || (dir_owner.mode & 0o020 != 0 && !group_ok) {
            return Err(format!(
                "{} is writable by other users (mode {:04o}) ({planted})",
                dir.display(),
                dir_owner.mode
            ));
        }
        if !trusted_user(socket.uid) {
            return Err(format!(
                "the socket is owned by uid {}, not by root or you ({planted})",
                socket.uid
            ));
        }
    }
    Ok(())
}

/// Checks `socket` as the module documentation says and returns the path
/// to connect to (its directory resolved). A socket that does not exist is
/// returned as given: connecting reports it.
pub fn check(socket: &Path) -> Result<PathBuf, String> {
    let Some(name) = socket.file_name() else {
        return Err(format!("{} is not a socket path", socket.display()));
    };
    let parent = match socket.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(dir) = std::fs::canonicalize(parent) else {
        return Ok(socket.to_path_buf());
    };
    let resolved = dir.join(name);
    let Ok(sock_meta) = std::fs::symlink_metadata(&resolved) else {
        return Ok(resolved);
    };
    if !sock_meta.file_type().is_socket() {
        return Err(format!("{} is not a socket", resolved.display()));
    }
    let read = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| Owner::of(&m))
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    let dir_owner = read(&dir)?;
    let mut ancestors = Vec::new();
    for a in dir.ancestors().skip(1) {
        ancestors.push((a.to_path_buf(), read(a)?));
    }
    ancestors.reverse();
    judge(
        Owner::of(&sock_meta),
        &dir,
        dir_owner,
        &ancestors,
        nix::unistd::geteuid().as_raw(),
        nix::unistd::getegid().as_raw(),
    )
    .map(|()| resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT_DIR: Owner = Owner {
        uid: 0,
        gid: 0,
        mode: 0o755,
    };
    const TMP: Owner = Owner {
        uid: 0,
        gid: 0,
        mode: 0o1777,
    };

    fn up(list: &[(&str, Owner)]) -> Vec<(PathBuf, Owner)> {
        list.iter().map(|(p, o)| (PathBuf::from(p), *o)).collect()
    }

    fn own(uid: u32, gid: u32, mode: u32) -> Owner {
        Owner { uid, gid, mode }
    }

    #[test]
    fn a_directory_planted_in_tmp_by_another_user_is_refused() {
        let above = up(&[("/", ROOT_DIR), ("/tmp", TMP)]);
        let err = judge(
            own(1000, 1000, 0o777),
            Path::new("/tmp/ferrobgp-0"),
            own(1000, 1000, 0o755),
            &above,
            0,
            0,
        )
        .unwrap_err();
        assert!(
            err.contains("/tmp/ferrobgp-0 is owned by uid 1000"),
            "{err}"
        );
        // The same directory made by root is fine (sticky /tmp above).
        judge(
            own(0, 0, 0o660),
            Path::new("/tmp/ferrobgp-0"),
            own(0, 0, 0o755),
            &above,
            0,
            0,
        )
        .unwrap();
    }

    #[test]
    fn writable_by_others_is_refused_but_own_group_is_fine() {
        let above = up(&[("/", ROOT_DIR), ("/tmp", TMP)]);
        let err = judge(
            own(0, 0, 0o660),
            Path::new("/tmp/x"),
            own(0, 0, 0o777),
            &above,
            0,
            0,
        )
        .unwrap_err();
        assert!(err.contains("writable by other users (mode 0777)"), "{err}");
        let err = judge(
            own(0, 0, 0o660),
            Path::new("/tmp/x"),
            own(0, 50, 0o770),
            &above,
            0,
            0,
        )
        .unwrap_err();
        assert!(err.contains("mode 0770"), "{err}");
        judge(
            own(1000, 1000, 0o660),
            Path::new("/tmp/x"),
            own(1000, 1000, 0o770),
            &above,
            1000,
            1000,
        )
        .unwrap();
    }

    #[test]
    fn a_socket_of_another_user_or_a_bad_ancestor_is_refused() {
        let above = up(&[("/", ROOT_DIR), ("/home", ROOT_DIR)]);
        let err = judge(
            own(1001, 1001, 0o660),
            Path::new("/home/me"),
            own(1000, 1000, 0o700),
            &above,
            1000,
            1000,
        )
        .unwrap_err();
        assert!(err.contains("socket is owned by uid 1001"), "{err}");
        let above = up(&[("/", ROOT_DIR), ("/srv", own(0, 0, 0o777))]);
        let err = judge(
            own(0, 0, 0o660),
            Path::new("/srv/run"),
            own(0, 0, 0o755),
            &above,
            0,
            0,
        )
        .unwrap_err();
        assert!(err.contains("/srv is writable by other users"), "{err}");
        let above = up(&[("/", ROOT_DIR), ("/opt", own(1002, 0, 0o755))]);
        let err = judge(
            own(0, 0, 0o660),
            Path::new("/opt/run"),
            own(0, 0, 0o755),
            &above,
            0,
            0,
        )
        .unwrap_err();
        assert!(err.contains("/opt is owned by uid 1002"), "{err}");
    }

    #[test]
    fn the_system_directory_is_trusted_whoever_owns_it() {
        let above = up(&[("/", ROOT_DIR), ("/run", ROOT_DIR)]);
        judge(
            own(999, 999, 0o660),
            Path::new(SYSTEM_DIR),
            own(999, 999, 0o750),
            &above,
            0,
            0,
        )
        .unwrap();
    }
}
