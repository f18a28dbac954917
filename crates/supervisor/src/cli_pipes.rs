//! The named-pipe CLI of ExaBGP 5: the FIFOs `<pipename>.in` (commands,
//! written by `exabgp-cli` / `exabgp cli`) and `<pipename>.out` (answers),
//! served beside the control socket so that an installed ExaBGP's client
//! works unchanged.
//!
//! Where: the directory named by `exabgp_cli_pipe` (ExaBGP's own variable
//! for it; `exabgp.cli.pipe` too), else the first of ExaBGP's client search
//! list ([`locations`]) that already holds both FIFOs (made for ExaBGP with
//! `mkfifo`), else `/run/exabgp/` when the supervisor runs as root (the
//! first place the client looks). Without any of these, or with
//! `exabgp_cli_pipe` set but empty, the named-pipe CLI is off (logged
//! once); `ferrobgp cli` still works.
//!
//! Who: the supervisor, before any child is confined, (re)creates both
//! FIFOs with the control socket's access rule: owner root and group
//! [`crate::control::CONTROL_GROUP`], mode 0660 (without that group, or not
//! root: the daemon's user alone, mode 0600). It opens them read-write and
//! non-blocking (so neither end ever sees end-of-file or `ENXIO` between
//! clients) and hands both descriptors to each rib it starts, which serves
//! them (`rib::process::cli_pipes`). A FIFO that may have been planted is
//! refused, as `ferrobgp cli` refuses a planted socket
//! ([`crate::socket_trust`]): the directory and those above it must be
//! owned by root or the daemon's user and not writable by others, and an
//! existing file of that name must be a FIFO owned by root or the daemon's
//! user — anything else is left alone and the named-pipe CLI is off, since
//! whoever owns a FIFO can keep it open and type commands into the daemon.
//! The files are removed when the daemon exits, if they are still the ones
//! it made.

use crate::socket_trust::{judge, Owner};
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Where the daemon creates the FIFOs by default when it runs as root.
pub const DEFAULT_DIR: &str = "/run/exabgp";

/// ExaBGP 5's client search list for the FIFOs, in order: `root` is the
/// installation root of ExaBGP (`$EXABGP_ROOT`), `uid` the caller's.
pub fn locations(root: Option<&str>, uid: u32) -> Vec<PathBuf> {
    let bases: Vec<String> = std::iter::once(String::new())
        .chain(
            root.filter(|r| !r.is_empty())
                .map(|r| r.trim_end_matches('/').to_string()),
        )
        .collect();
    let mut out = Vec::new();
    for base in bases {
        for d in [
            "/run/exabgp".to_string(),
            format!("/run/{uid}"),
            "/run".to_string(),
            "/var/run/exabgp".to_string(),
            format!("/var/run/{uid}"),
            "/var/run".to_string(),
        ] {
            out.push(PathBuf::from(format!("{base}{d}")));
        }
    }
    out
}

/// The directory to serve the FIFOs in: `explicit` (`exabgp_cli_pipe`;
/// set but empty: none, as `exabgp_cli_socket=''` turns the socket off),
/// else the first of `searched` where `has_pair` holds, else
/// [`DEFAULT_DIR`] when `root`.
pub fn choose_dir(
    explicit: Option<&str>,
    searched: &[PathBuf],
    has_pair: impl Fn(&Path) -> bool,
    root: bool,
) -> Option<PathBuf> {
    if let Some(e) = explicit {
        return (!e.is_empty()).then(|| PathBuf::from(e));
    }
    if let Some(d) = searched.iter().find(|d| has_pair(d)) {
        return Some(d.clone());
    }
    root.then(|| PathBuf::from(DEFAULT_DIR))
}

/// The two file names for `exabgp.api.pipename`.
pub fn file_names(pipename: &str) -> (String, String) {
    let base = if pipename.is_empty() {
        "exabgp"
    } else {
        pipename
    };
    (format!("{base}.in"), format!("{base}.out"))
}

/// Whether an existing file may be replaced by the daemon's FIFO: only a
/// FIFO owned by root or by the daemon's user `me`.
pub fn judge_existing(is_fifo: bool, uid: u32, me: u32) -> Result<(), String> {
    if !is_fifo {
        return Err("a file that is not a named pipe is in the way".into());
    }
    if uid != 0 && uid != me {
        return Err(format!(
            "the named pipe is owned by uid {uid}, not by root or the daemon's user \
             (another user may have planted it)"
        ));
    }
    Ok(())
}

/// The two FIFOs, created and open; removed on drop.
#[derive(Debug)]
pub struct CliPipes {
    input: PathBuf,
    output: PathBuf,
    in_fd: OwnedFd,
    out_fd: OwnedFd,
    /// (device, inode) of each, to remove only our own files.
    ids: [(u64, u64); 2],
}

impl CliPipes {
    /// Creates (or replaces) `<dir>/<pipename>.in` and `.out` and opens
    /// them; `group` is given the files (mode 0660) when set.
    pub fn create(
        dir: &Path,
        pipename: &str,
        group: Option<nix::unistd::Gid>,
    ) -> Result<CliPipes, String> {
        let me = nix::unistd::geteuid().as_raw();
        if !dir.is_dir() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(if group.is_some() { 0o750 } else { 0o700 })
                .create(dir)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
            if let Some(g) = group {
                nix::unistd::chown(dir, None, Some(g))
                    .map_err(|e| format!("{}: chown: {e}", dir.display()))?;
            }
        }
        let dir = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        trust_dir(&dir, me)?;
        let (i, o) = file_names(pipename);
        let (input, output) = (dir.join(i), dir.join(o));
        let mode = if group.is_some() { 0o660 } else { 0o600 };
        for path in [&input, &output] {
            if let Ok(m) = std::fs::symlink_metadata(path) {
                judge_existing(m.file_type().is_fifo(), m.uid(), me)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        let mut fds = Vec::new();
        let mut ids = Vec::new();
        for path in [&input, &output] {
            if std::fs::symlink_metadata(path).is_ok() {
                std::fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            nix::unistd::mkfifo(path.as_path(), Mode::from_bits_truncate(0o600))
                .map_err(|e| format!("{}: mkfifo: {e}", path.display()))?;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .map_err(|e| format!("{}: chmod: {e}", path.display()))?;
            if let Some(g) = group {
                nix::unistd::chown(path.as_path(), None, Some(g))
                    .map_err(|e| format!("{}: chown: {e}", path.display()))?;
            }
            let fd = nix::fcntl::open(
                path.as_path(),
                OFlag::O_RDWR | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW,
                Mode::empty(),
            )
            .map_err(|e| format!("{}: open: {e}", path.display()))?;
            let st = nix::sys::stat::fstat(&fd).map_err(|e| format!("{}: {e}", path.display()))?;
            if st.st_mode & libc::S_IFMT != libc::S_IFIFO || st.st_uid != me {
                return Err(format!(
                    "{}: replaced while it was being opened",
                    path.display()
                ));
            }
            ids.push((st.st_dev, st.st_ino));
            fds.push(fd);
        }
        let out_fd = fds.pop().expect("two");
        let in_fd = fds.pop().expect("two");
        Ok(CliPipes {
            input,
            output,
            in_fd,
            out_fd,
            ids: [ids[0], ids[1]],
        })
    }

    /// The command FIFO (`.in`).
    pub fn input(&self) -> &Path {
        &self.input
    }

    /// The answer FIFO (`.out`).
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Descriptors of both (commands, answers) to hand to the rib.
    pub fn fds(&self) -> std::io::Result<[OwnedFd; 2]> {
        Ok([self.in_fd.try_clone()?, self.out_fd.try_clone()?])
    }
}

impl Drop for CliPipes {
    fn drop(&mut self) {
        for (path, id) in [(&self.input, self.ids[0]), (&self.output, self.ids[1])] {
            if std::fs::symlink_metadata(path).is_ok_and(|m| (m.dev(), m.ino()) == id) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// The directory (resolved) and those above it, judged as
/// [`crate::socket_trust`] judges a control socket's.
fn trust_dir(dir: &Path, me: u32) -> Result<(), String> {
    let read = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| Owner {
                uid: m.uid(),
                gid: m.gid(),
                mode: m.mode() & 0o7777,
            })
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    let dir_owner = read(dir)?;
    let mut ancestors = Vec::new();
    for a in dir.ancestors().skip(1) {
        ancestors.push((a.to_path_buf(), read(a)?));
    }
    ancestors.reverse();
    // The files are made by us: judge the directory and what is above it.
    let ours = Owner {
        uid: me,
        gid: 0,
        mode: 0o600,
    };
    judge(
        ours,
        dir,
        dir_owner,
        &ancestors,
        me,
        nix::unistd::getegid().as_raw(),
    )
}

fn env_pipe_dir() -> Option<String> {
    std::env::var("exabgp.cli.pipe")
        .or_else(|_| std::env::var("exabgp_cli_pipe"))
        .ok()
}

fn has_pair(dir: &Path, pipename: &str) -> bool {
    let (i, o) = file_names(pipename);
    let fifo = |p: PathBuf| std::fs::metadata(p).is_ok_and(|m| m.file_type().is_fifo());
    fifo(dir.join(i)) && fifo(dir.join(o))
}

/// Serves the FIFOs as the module documentation says, unless
/// `exabgp.api.cli` is false. Any failure is logged and leaves the
/// named-pipe CLI off: the daemon runs on.
pub fn open(opts: &crate::Options) -> Option<CliPipes> {
    if !opts.settings.api.cli {
        return None;
    }
    let pipename = &opts.settings.api.pipename;
    let root = nix::unistd::geteuid().is_root();
    let searched = locations(
        std::env::var("EXABGP_ROOT").ok().as_deref(),
        nix::unistd::getuid().as_raw(),
    );
    let explicit = env_pipe_dir();
    let Some(dir) = choose_dir(
        explicit.as_deref(),
        &searched,
        |d| has_pair(d, pipename),
        root,
    ) else {
        tracing::info!(
            "named-pipe cli: off (exabgp_cli_pipe is empty, or not root and no \
             {pipename}.in/.out found; set exabgp_cli_pipe=<directory> to serve exabgp-cli)"
        );
        return None;
    };
    let group = if root {
        crate::control::control_group()
    } else {
        None
    };
    match CliPipes::create(&dir, pipename, group) {
        Ok(p) => {
            tracing::info!(
                "named pipes for the cli: commands {}, answers {}",
                p.input().display(),
                p.output().display()
            );
            Some(p)
        }
        Err(e) => {
            tracing::error!("named-pipe cli refused: {e}; exabgp-cli is unavailable");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_list_as_exabgp_5() {
        let l = locations(Some("/opt/exabgp/"), 7);
        let s: Vec<_> = l.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        assert_eq!(
            s,
            [
                "/run/exabgp",
                "/run/7",
                "/run",
                "/var/run/exabgp",
                "/var/run/7",
                "/var/run",
                "/opt/exabgp/run/exabgp",
                "/opt/exabgp/run/7",
                "/opt/exabgp/run",
                "/opt/exabgp/var/run/exabgp",
                "/opt/exabgp/var/run/7",
                "/opt/exabgp/var/run",
            ]
        );
        assert_eq!(locations(None, 0).len(), 6);
    }

    #[test]
    fn directory_choice() {
        let searched = locations(None, 0);
        assert_eq!(
            choose_dir(Some("/x"), &searched, |_| true, true),
            Some(PathBuf::from("/x"))
        );
        assert_eq!(
            choose_dir(None, &searched, |d| d == Path::new("/var/run"), false),
            Some(PathBuf::from("/var/run"))
        );
        assert_eq!(
            choose_dir(None, &searched, |_| false, true),
            Some(PathBuf::from(DEFAULT_DIR))
        );
        assert_eq!(choose_dir(Some(""), &searched, |_| true, true), None);
        assert_eq!(choose_dir(None, &searched, |_| false, false), None);
    }

    #[test]
    fn names() {
        assert_eq!(file_names(""), ("exabgp.in".into(), "exabgp.out".into()));
        assert_eq!(file_names("x"), ("x.in".into(), "x.out".into()));
    }

    #[test]
    fn only_our_fifos_are_replaced() {
        judge_existing(true, 0, 1000).unwrap();
        judge_existing(true, 1000, 1000).unwrap();
        let e = judge_existing(true, 1001, 1000).unwrap_err();
        assert!(
            e.contains("owned by uid 1001") && e.contains("planted"),
            "{e}"
        );
        let e = judge_existing(false, 0, 0).unwrap_err();
        assert!(e.contains("not a named pipe"), "{e}");
    }

    #[test]
    fn create_replace_and_remove() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = dir.path().join("run");
        let p = CliPipes::create(&run, "t", None).expect("create");
        let m = std::fs::metadata(p.input()).expect("in");
        assert!(m.file_type().is_fifo());
        assert_eq!(m.mode() & 0o777, 0o600);
        let dm = std::fs::metadata(&run).expect("dir");
        assert_eq!(dm.mode() & 0o777, 0o700);
        // Both ends are open read-write: a client's bytes reach our descriptor.
        let [rx, _tx] = p.fds().expect("fds");
        std::fs::OpenOptions::new()
            .write(true)
            .open(p.input())
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"version\n"))
            .expect("client writes");
        let mut buf = [0u8; 16];
        let n = nix::unistd::read(&rx, &mut buf).expect("read");
        assert_eq!(&buf[..n], b"version\n");
        // A second daemon replaces them; the first one's drop leaves them.
        let q = CliPipes::create(&run, "t", None).expect("replace");
        drop(p);
        assert!(q.input().exists() && q.output().exists());
        drop(q);
        assert!(!run.join("t.in").exists() && !run.join("t.out").exists());
        // A regular file in the way is refused and left alone.
        std::fs::write(run.join("t.out"), b"x").expect("write");
        let e = CliPipes::create(&run, "t", None).unwrap_err();
        assert!(e.contains("not a named pipe"), "{e}");
        assert_eq!(std::fs::read(run.join("t.out")).expect("kept"), b"x");
    }

    #[test]
    fn a_directory_writable_by_others_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = dir.path().join("open");
        std::fs::create_dir(&run).expect("mkdir");
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let e = CliPipes::create(&run, "t", None).unwrap_err();
        assert!(e.contains("writable by other users"), "{e}");
        assert!(!run.join("t.in").exists());
    }
}
