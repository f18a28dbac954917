//! Starting child processes: the internal roles (re-execution of this
//! binary with descriptors at fixed numbers) and the helper programs of
//! `process` blocks.
//!
//! Only `dup2`, `prctl` and `getppid` run between fork and exec (in
//! `pre_exec`), which keeps forking from a tokio process safe. Every other
//! descriptor of the supervisor is close-on-exec, so a child holds exactly
//! what it was handed. Children are spawned from the supervisor's single
//! runtime thread, so `PR_SET_PDEATHSIG` fires when the supervisor dies
//! (it is tied to the thread that forked).
//!
//! Every child is also configured by [`Privileges::configure`]: service
//! user, no capabilities, no-new-privs, only its handed descriptors.

use crate::error::{Error, Result};
use crate::privilege::{ChildKind, Privileges};
use ferrobgp_config::{Neighbor, Settings};
use nix::fcntl::{fcntl, FcntlArg};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::process::Stdio;
use tokio::process::{Child, Command};

/// First descriptor number handed to a child (`ferrobgp_ipc::SUPERVISOR_FD`).
pub const FIRST_FD: RawFd = ferrobgp_ipc::SUPERVISOR_FD;

/// Dups `fd` to a number >= 10, close-on-exec, so that placing descriptors
/// at 3, 4, ... in the child never overwrites a source still to be placed.
fn high_copy(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let raw = fcntl(fd, FcntlArg::F_DUPFD_CLOEXEC(10)).map_err(io::Error::from)?;
    // SAFETY: fcntl just returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

fn die_with_parent(parent: libc::pid_t, signal: libc::c_int) -> io::Result<()> {
    // SAFETY: prctl and getppid are async-signal-safe.
    unsafe {
        if libc::prctl(libc::PR_SET_PDEATHSIG, signal as libc::c_ulong, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::getppid() != parent {
            return Err(io::Error::other("supervisor exited during spawn"));
        }
    }
    Ok(())
}

/// Re-executes `exe` with `args` (the first being the internal role) and
/// `fds` at descriptor numbers 3, 4, ...; stdin is /dev/null, stdout and
/// stderr are inherited, `env` is added to the environment.
///
/// The child ignores SIGTERM and SIGINT: a signal sent to the whole process
/// group (Ctrl-C, a test runner) must reach the supervisor only, which then
/// stops its children in order. The child gets SIGKILL when the
/// supervisor dies. `privs` drops the child's privileges (a worker).
pub fn spawn_role(
    privs: &Privileges,
    exe: &Path,
    args: &[String],
    fds: &[BorrowedFd<'_>],
    env: &[(String, String)],
) -> Result<Child> {
    let what = args.first().cloned().unwrap_or_default();
    let copies = fds
        .iter()
        .map(|f| high_copy(*f))
        .collect::<io::Result<Vec<OwnedFd>>>()
        .map_err(|source| Error::Spawn {
            what: what.clone(),
            source,
        })?;
    let raws: Vec<RawFd> = copies.iter().map(|f| f.as_raw_fd()).collect();
    let parent = std::process::id() as libc::pid_t;
    let mut cmd = Command::new(exe);
    cmd.args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .kill_on_drop(false);
    // SAFETY: the closure only calls async-signal-safe functions (dup2,
    // prctl, getppid) and touches no allocator or lock.
    unsafe {
        cmd.pre_exec(move || {
            for (i, raw) in raws.iter().enumerate() {
                // dup2 clears close-on-exec on the new number.
                if libc::dup2(*raw, FIRST_FD + i as RawFd) < 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            libc::signal(libc::SIGTERM, libc::SIG_IGN);
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            die_with_parent(parent, libc::SIGKILL)
        });
    }
    // After the dup2 hook: marks everything above the handed numbers
    // close-on-exec, then drops user, capabilities and sets no-new-privs.
    privs.configure(
        cmd.as_std_mut(),
        ChildKind::Worker,
        FIRST_FD + fds.len() as RawFd,
    );
    let child = cmd
        .spawn()
        .map_err(|source| Error::Spawn { what, source })?;
    drop(copies);
    Ok(child)
}

/// The neighbor's TCP port (`PeerConfig::port`): its `connect`, else
/// `tcp.port`.
pub fn peer_port(n: &Neighbor, s: &Settings) -> u16 {
    if n.connect != 0 {
        n.connect
    } else {
        s.tcp.port.0
    }
}

/// The TCP port the supervisor connects to for a session worker
/// ([`crate::outgoing`]): [`peer_port`]; `None` when the neighbor is
/// passive and never connects.
pub fn connect_port(n: &Neighbor, s: &Settings) -> Option<u16> {
    if n.passive || s.bgp.passive {
        return None;
    }
    Some(peer_port(n, s))
}

/// The ends of a helper's pipes that the rib uses.
pub struct HelperPipes {
    /// Write end of the helper's stdin.
    pub stdin: OwnedFd,
    /// Read end of the helper's stdout.
    pub stdout: OwnedFd,
}

fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(io::Error::from)
}

/// Starts a helper program: `argv` as resolved by the configuration, the
/// daemon's environment plus `TERM=dumb`, its own process group, stderr
/// inherited, stdin/stdout connected to new pipes whose other ends are
/// returned (for the rib). `privs` drops its privileges (a helper: the
/// service user, only the configured helper capabilities).
pub fn spawn_helper(
    privs: &Privileges,
    name: &str,
    argv: &[String],
) -> Result<(Child, HelperPipes)> {
    let what = format!("helper \"{name}\"");
    let Some((program, args)) = argv.split_first() else {
        return Err(Error::Spawn {
            what,
            source: io::Error::other("empty run command"),
        });
    };
    let err = |source| Error::Spawn {
        what: what.clone(),
        source,
    };
    let (in_r, in_w) = cloexec_pipe().map_err(err)?;
    let (out_r, out_w) = cloexec_pipe().map_err(err)?;
    let parent = std::process::id() as libc::pid_t;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("TERM", "dumb")
        .stdin(Stdio::from(in_r))
        .stdout(Stdio::from(out_w))
        .stderr(Stdio::inherit())
        .process_group(0)
        .kill_on_drop(false);
    // SAFETY: only async-signal-safe calls (signal, prctl, getppid).
    unsafe {
        cmd.pre_exec(move || {
            // Rust ignores SIGPIPE; helper programs expect the default.
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            die_with_parent(parent, libc::SIGTERM)
        });
    }
    privs.configure(cmd.as_std_mut(), ChildKind::Helper, 3);
    let child = cmd.spawn().map_err(err)?;
    // `cmd` still holds the child's ends; drop it so only the child has them.
    drop(cmd);
    Ok((
        child,
        HelperPipes {
            stdin: in_w,
            stdout: out_r,
        },
    ))
}
