//! The control socket of `ferrobgp cli`: where it lives, and binding it.
//!
//! The supervisor binds the Unix stream socket (the rib may be confined and
//! unable to create files) and hands the listening descriptor to the rib
//! with SCM_RIGHTS at each rib (re)start; the rib accepts the clients. The
//! file is `<dir>/<exabgp.api.socketname>.sock`, where `<dir>` is the first
//! usable of `$RUNTIME_DIRECTORY` (systemd), `/run/ferrobgp/`,
//! `$XDG_RUNTIME_DIR/ferrobgp/`, `/tmp/ferrobgp-<uid>/`; `ferrobgp run
//! --socket PATH` names the file directly. The client side uses the same
//! rules ([`default_path`]) to find it.
//!
//! Started as root, the supervisor gives the socket to root and the
//! operator group [`CONTROL_GROUP`] (`ferrobgp-ctl`): with mode 0660 its
//! members may use `ferrobgp cli`. No child is in that group (the
//! supervisor leaves it out of their supplementary groups), so neither the
//! rib, a session worker nor a helper can drive the daemon through the
//! socket. Without that group the socket is root's alone.

use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// Mode of the socket file: owner and group may connect.
pub const SOCKET_MODE: u32 = 0o660;

/// The directories tried for the socket, in order, from the environment
/// given (`RUNTIME_DIRECTORY`, `XDG_RUNTIME_DIR`) and the user id.
pub fn candidate_dirs(
    runtime_directory: Option<&str>,
    xdg_runtime_dir: Option<&str>,
    uid: u32,
) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(first) = runtime_directory
        .and_then(|r| r.split(':').next())
        .filter(|r| !r.is_empty())
    {
        dirs.push(PathBuf::from(first));
    }
    dirs.push(PathBuf::from("/run/ferrobgp"));
    if let Some(x) = xdg_runtime_dir.filter(|x| !x.is_empty()) {
        dirs.push(Path::new(x).join("ferrobgp"));
    }
    dirs.push(PathBuf::from(format!("/tmp/ferrobgp-{uid}")));
    dirs
}

/// The file name for `exabgp.api.socketname` (ExaBGP appends `.sock`).
pub fn file_name(socketname: &str) -> String {
    let base = if socketname.is_empty() {
        "exabgp"
    } else {
        socketname
    };
    format!("{base}.sock")
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn uid() -> u32 {
    nix::unistd::getuid().as_raw()
}

/// Whether the daemon can create the socket in `dir` (creating `dir` if
/// its parent allows it).
fn usable(dir: &Path) -> bool {
    if !dir.is_dir() && std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    nix::unistd::access(
        dir,
        nix::unistd::AccessFlags::W_OK | nix::unistd::AccessFlags::X_OK,
    )
    .is_ok()
}

/// Where the daemon puts the socket when `--socket` is not given.
pub fn daemon_path(socketname: &str) -> Option<PathBuf> {
    let dirs = candidate_dirs(
        env("RUNTIME_DIRECTORY").as_deref(),
        env("XDG_RUNTIME_DIR").as_deref(),
        uid(),
    );
    let name = file_name(socketname);
    dirs.into_iter().find(|d| usable(d)).map(|d| d.join(&name))
}

/// Where a client looks when `--socket` is not given: the first candidate
/// where the socket exists, else where a daemon of this user would put it.
pub fn default_path(socketname: &str) -> PathBuf {
    let dirs = candidate_dirs(
        env("RUNTIME_DIRECTORY").as_deref(),
        env("XDG_RUNTIME_DIR").as_deref(),
        uid(),
    );
    let name = file_name(socketname);
    for d in &dirs {
        let p = d.join(&name);
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_socket()) {
            return p;
        }
    }
    dirs.iter()
        .find(|d| {
            d.is_dir() && nix::unistd::access(d.as_path(), nix::unistd::AccessFlags::W_OK).is_ok()
        })
        .unwrap_or(&dirs[dirs.len() - 1])
        .join(name)
}

/// A bound control socket; the file is removed when this is dropped.
#[derive(Debug)]
pub struct ControlSocket {
    path: PathBuf,
    listener: UnixListener,
}

impl ControlSocket {
    /// Binds `path` (mode 0660). A stale socket file (nobody accepting) is
    /// replaced; a live one (another daemon) or any other file is an error.
    pub fn bind(path: &Path) -> io::Result<ControlSocket> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                std::fs::create_dir_all(dir)?;
            }
        }
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_socket() => {
                if UnixStream::connect(path).is_ok() {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        "another daemon is serving this socket",
                    ));
                }
                std::fs::remove_file(path)?;
            }
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a file that is not a socket is in the way",
                ))
            }
            Err(_) => {}
        }
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(SOCKET_MODE))?;
        Ok(ControlSocket {
            path: path.to_path_buf(),
            listener,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A descriptor of the listening socket to hand to the rib.
    pub fn fd(&self) -> io::Result<OwnedFd> {
        Ok(OwnedFd::from(self.listener.try_clone()?))
    }
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Opens the daemon's control socket as `opts` say: `--socket PATH`, else
/// the default place unless `exabgp.api.cli` is false. A socket that cannot
/// be bound is logged and left out: the daemon runs without it.
pub fn open(opts: &crate::Options) -> Option<ControlSocket> {
    let path = match &opts.control_socket {
        Some(p) => p.clone(),
        None if !opts.settings.api.cli => return None,
        None => {
            match daemon_path(&opts.settings.api.socketname) {
                Some(p) => p,
                None => {
                    tracing::warn!("control socket: no writable runtime directory; ferrobgp cli is unavailable");
                    return None;
                }
            }
        }
    };
    match ControlSocket::bind(&path) {
        Ok(s) => {
            tracing::info!("control socket {}", path.display());
            if nix::unistd::Uid::effective().is_root() {
                give_to_service_group(&path, opts.user.as_deref());
            }
            Some(s)
        }
        Err(e) => {
            tracing::warn!(
                "control socket {}: {e}; ferrobgp cli is unavailable",
                path.display()
            );
            None
        }
    }
}

/// The operator group that may use the control socket of a root daemon.
pub const CONTROL_GROUP: &str = "ferrobgp-ctl";

/// The gid of [`CONTROL_GROUP`], when the group exists.
pub fn control_group() -> Option<nix::unistd::Gid> {
    nix::unistd::Group::from_name(CONTROL_GROUP)
        .ok()
        .flatten()
        .map(|g| g.gid)
}

/// Makes the socket `root:<CONTROL_GROUP>` (the supervisor runs as root).
fn give_to_service_group(path: &Path, _requested_user: Option<&str>) {
    let Some(gid) = control_group() else {
        tracing::warn!(
            "control socket {}: no group `{CONTROL_GROUP}`, only root may use ferrobgp cli \
             (create it with systemd-sysusers or `groupadd --system {CONTROL_GROUP}` and add \
             the operators)",
            path.display()
        );
        return;
    };
    match nix::unistd::chown(path, Some(nix::unistd::Uid::from_raw(0)), Some(gid)) {
        Ok(()) => tracing::debug!(
            "control socket {}: group {CONTROL_GROUP} may connect",
            path.display()
        ),
        Err(e) => tracing::warn!(
            "control socket {}: chown to group {CONTROL_GROUP}: {e}",
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_in_order() {
        let d = candidate_dirs(Some("/run/x:/run/y"), Some("/run/user/1000"), 1000);
        assert_eq!(
            d,
            vec![
                PathBuf::from("/run/x"),
                PathBuf::from("/run/ferrobgp"),
                PathBuf::from("/run/user/1000/ferrobgp"),
                PathBuf::from("/tmp/ferrobgp-1000"),
            ]
        );
        let d = candidate_dirs(None, Some(""), 7);
        assert_eq!(
            d,
            vec![
                PathBuf::from("/run/ferrobgp"),
                PathBuf::from("/tmp/ferrobgp-7")
            ]
        );
    }

    #[test]
    fn file_name_as_exabgp() {
        assert_eq!(file_name("exabgp"), "exabgp.sock");
        assert_eq!(file_name(""), "exabgp.sock");
        assert_eq!(file_name("ctl"), "ctl.sock");
    }

    #[test]
    fn bind_sets_mode_replaces_stale_and_refuses_live() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("sub/ctl.sock");
        let s = ControlSocket::bind(&p).expect("bind");
        let mode = std::fs::metadata(&p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, SOCKET_MODE);
        let err = ControlSocket::bind(&p).expect_err("live socket");
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        drop(s);
        assert!(!p.exists(), "dropping removes the file");
        // A stale file (a listener closed without unlinking) is replaced.
        drop(UnixListener::bind(&p).expect("stale"));
        assert!(p.exists());
        let again = ControlSocket::bind(&p).expect("stale socket replaced");
        assert!(UnixStream::connect(again.path()).is_ok());
        std::fs::write(dir.path().join("plain"), b"x").expect("write");
        let err = ControlSocket::bind(&dir.path().join("plain")).expect_err("not a socket");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    }
}
