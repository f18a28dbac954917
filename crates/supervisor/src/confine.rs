//! Self-confinement of the daemon's own worker processes (rib, session).
//!
//! A worker calls [`child`] first thing in its `main`, before it builds the
//! tokio runtime, opens anything or reads a byte from its peers. It then:
//! - marks every descriptor above the ones it was handed close-on-exec and
//!   closes them (a second line of defence after the supervisor's
//!   [`crate::privilege::Privileges::configure`]),
//! - sets `PR_SET_NO_NEW_PRIVS`,
//! - applies a Landlock ruleset that handles every filesystem access right
//!   and grants none (no file can be opened, created, executed or listed),
//!   plus every TCP bind/connect right, granting none. It also takes the
//!   IPC scopes (no abstract Unix socket or signal outside the sandbox)
//!   where the kernel has them,
//! - loads a seccomp filter that answers `EPERM` to the system calls a
//!   worker never needs and an attacker would want: `execve`, `ptrace`,
//!   mounts, namespaces, kernel modules, keyrings, `bpf`, `io_uring`, ...,
//!   and `socket`, `connect`, `bind` and `listen`: neither worker can
//!   create a socket of any kind (Unix, TCP, UDP, raw, netlink) nor connect
//!   or bind one. The socketpairs they were handed are already connected;
//!   a session worker's TCP connections are opened by the supervisor
//!   (accepted, or connected on the worker's request with the neighbor's
//!   configured address, port and options: `crate::outgoing`) and handed
//!   in, so a compromised worker reaches its own peer and nothing else.
//!
//! Landlock is best effort: the result says whether it was enforced fully,
//! partially (older kernel ABI) or not at all (kernel without Landlock).
//! Errors are returned only for failures that are not about missing support.

use std::os::unix::io::RawFd;
use std::path::Path;

use landlock::{
    Access, AccessFs, AccessNet, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset,
    RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope, ABI,
};

use crate::error::Error;
use crate::privilege::{check, cloexec_from, prctl};

/// Which worker is confining itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The rib process: helper pipes and socketpairs only, no TCP, no files.
    Rib,
    /// A session worker: the TCP connections handed to it and its
    /// socketpairs, no files, no new socket.
    Session,
}

/// How much of a requested restriction the kernel enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enforcement {
    /// Everything requested is enforced.
    Full,
    /// Some of it (the kernel's Landlock ABI is older than requested).
    Partial,
    /// Nothing: the kernel lacks the feature (or the architecture is not
    /// supported, for seccomp).
    NotSupported,
}

/// What [`child`] achieved, for one log line at worker start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// Landlock ruleset status.
    pub landlock: Enforcement,
    /// The kernel's Landlock ABI version (0 when absent).
    pub landlock_abi: i32,
    /// Seccomp filter status (`Full` or `NotSupported`).
    pub seccomp: Enforcement,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "landlock {:?} (kernel ABI {}), seccomp {:?}, no-new-privs set",
            self.landlock, self.landlock_abi, self.seccomp
        )
    }
}

/// Confines the calling worker for good: descriptors from `first_unhanded_fd`
/// up are closed, then no-new-privs, Landlock and seccomp as described in
/// the module documentation. Must run while the process has one thread.
pub fn child(role: Role, first_unhanded_fd: RawFd) -> Result<Report, Error> {
    child_allowing(role, first_unhanded_fd, &[])
}

/// Like [`child`], but keeps read/write/create/remove access beneath each
/// directory of `dirs` (e.g. a runtime directory holding a control socket
/// or FIFOs that the worker must create itself). Prefer handing the worker
/// an already open descriptor instead.
pub fn child_allowing(
    role: Role,
    first_unhanded_fd: RawFd,
    dirs: &[&Path],
) -> Result<Report, Error> {
    // Without /proc the count is unknown: go on (the filters still cover
    // this thread and every thread it starts later).
    if let Some(threads) = thread_count() {
        if threads > 1 {
            return Err(Error::MultiThreaded(threads));
        }
    }
    close_from(first_unhanded_fd)?;
    // SAFETY: prctl with integer arguments only.
    check(unsafe { prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0) }).map_err(|source| Error::Sys {
        call: "prctl(PR_SET_NO_NEW_PRIVS)",
        source,
    })?;
    // Both roles get the same filters since the supervisor opens the
    // workers' connections; the role still names who asks (and documents
    // the call site).
    let _ = role;
    let landlock = landlock(dirs)?;
    let seccomp = seccomp()?;
    Ok(Report {
        landlock,
        landlock_abi: landlock_abi(),
        seccomp,
    })
}

/// The kernel's Landlock ABI version: 0 when Landlock is absent or disabled.
pub fn landlock_abi() -> i32 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_ulong = 1;
    // SAFETY: with a NULL attribute and size 0 this call only returns a number.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    i32::try_from(r).unwrap_or(0).max(0)
}

/// The Landlock ABI whose rights this code was written and tested against:
/// newer rights are never requested implicitly.
const FS_ABI: ABI = ABI::V7;
const NET_ABI: ABI = ABI::V4;
const SCOPE_ABI: ABI = ABI::V6;

fn landlock(dirs: &[&Path]) -> Result<Enforcement, Error> {
    let err = |e: landlock::RulesetError| Error::Landlock(e.to_string());
    let ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(FS_ABI))
        .map_err(err)?
        .scope(Scope::from_all(SCOPE_ABI))
        .map_err(err)?
        .handle_access(AccessNet::from_all(NET_ABI))
        .map_err(err)?;
    // No TCP rule at all: neither role binds or connects (the supervisor
    // does it for a session worker; seccomp refuses the calls first).
    let mut created = ruleset.create().map_err(err)?;
    for dir in dirs {
        let fd = PathFd::new(dir).map_err(|e| Error::Landlock(e.to_string()))?;
        let rights = AccessFs::from_all(FS_ABI) & !AccessFs::Execute;
        created = created
            .add_rule(PathBeneath::new(fd, rights))
            .map_err(err)?;
    }
    let status = created.restrict_self().map_err(err)?;
    Ok(match status.ruleset {
        RulesetStatus::FullyEnforced => Enforcement::Full,
        RulesetStatus::PartiallyEnforced => Enforcement::Partial,
        RulesetStatus::NotEnforced => Enforcement::NotSupported,
    })
}

/// System calls no worker needs. `EPERM` rather than a kill: a bug shows
/// up as an error in the log, an attacker gets nothing either way.
fn denied_syscalls() -> Vec<libc::c_long> {
    let mut list = vec![
        libc::SYS_execve,
        libc::SYS_execveat,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_chroot,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_keyctl,
        libc::SYS_userfaultfd,
        libc::SYS_open_by_handle_at,
        libc::SYS_name_to_handle_at,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_reboot,
        libc::SYS_acct,
        libc::SYS_quotactl,
        libc::SYS_syslog,
        libc::SYS_vhangup,
        libc::SYS_settimeofday,
        libc::SYS_clock_settime,
        libc::SYS_clock_adjtime,
        libc::SYS_adjtimex,
        libc::SYS_fanotify_init,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
        libc::SYS_personality,
        libc::SYS_fsopen,
        libc::SYS_fsmount,
        libc::SYS_move_mount,
        libc::SYS_open_tree,
        libc::SYS_socket,
        libc::SYS_connect,
        libc::SYS_bind,
        libc::SYS_listen,
    ];
    #[cfg(target_arch = "x86_64")]
    {
        list.extend([libc::SYS_iopl, libc::SYS_ioperm]);
        // The x32 ABI (when the kernel enables it) reaches the same calls
        // with bit 30 set, and a few under numbers of their own.
        const X32: libc::c_long = 0x4000_0000;
        let x32: Vec<libc::c_long> = list
            .iter()
            .map(|n| n | X32)
            .chain([520, 521, 539, 540, 545].map(|n| n | X32))
            .collect();
        list.extend(x32);
    }
    list
}

/// The one way this crate builds a seccomp program: every call in `denied`
/// fails with EPERM, so do the calls of `conditional` whose rules match,
/// everything else is allowed. `None` on an architecture seccompiler does
/// not know (the caller reports "not supported").
pub(crate) fn deny_program(
    denied: Vec<libc::c_long>,
    conditional: Vec<(libc::c_long, Vec<seccompiler::SeccompRule>)>,
) -> Result<Option<seccompiler::BpfProgram>, Error> {
    use seccompiler::{SeccompAction, SeccompFilter, TargetArch};
    let Ok(arch) = TargetArch::try_from(std::env::consts::ARCH) else {
        return Ok(None);
    };
    // c_long is i32 on 32-bit targets, where the conversion is not a no-op.
    #[allow(clippy::useless_conversion)]
    let rules: std::collections::BTreeMap<i64, Vec<seccompiler::SeccompRule>> = denied
        .into_iter()
        .map(|nr| (i64::from(nr), Vec::new()))
        .chain(conditional.into_iter().map(|(nr, r)| (i64::from(nr), r)))
        .collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(|e| Error::Seccomp(e.to_string()))?;
    let program: seccompiler::BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| Error::Seccomp(e.to_string()))?;
    Ok(Some(program))
}

fn seccomp() -> Result<Enforcement, Error> {
    let Some(program) = deny_program(denied_syscalls(), Vec::new())? else {
        return Ok(Enforcement::NotSupported);
    };
    match seccompiler::apply_filter(&program) {
        Ok(()) => Ok(Enforcement::Full),
        Err(e) => {
            // A kernel without seccomp filters answers EINVAL.
            if let seccompiler::Error::Seccomp(io) = &e {
                if io.raw_os_error() == Some(libc::EINVAL) {
                    return Ok(Enforcement::NotSupported);
                }
            }
            Err(Error::Seccomp(e.to_string()))
        }
    }
}

/// Number of threads of this process (from /proc/self/stat field 20), or
/// `None` when /proc cannot be read.
fn thread_count() -> Option<u32> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Field 2 (comm) may hold spaces and parentheses: count after the last ')'.
    let (_, after) = stat.rsplit_once(')')?;
    // after = " S ppid ..." : state is field 3, num_threads is field 20.
    after.split_whitespace().nth(17)?.parse().ok()
}

/// Closes every descriptor from `first` up.
fn close_from(first: RawFd) -> Result<(), Error> {
    let first_u = libc::c_uint::try_from(first.max(3)).unwrap_or(3);
    // SAFETY: closing descriptors this process does not own by contract:
    // everything above the handed ones.
    let r = unsafe { libc::syscall(libc::SYS_close_range, first_u, libc::c_uint::MAX, 0) };
    if r == 0 {
        return Ok(());
    }
    // Old kernel: mark them close-on-exec and close what /proc lists.
    cloexec_from(first).map_err(|source| Error::Sys {
        call: "close_range",
        source,
    })?;
    if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
        let fds: Vec<RawFd> = dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|fd| *fd >= first)
            .collect();
        for fd in fds {
            // SAFETY: see above; a descriptor of read_dir itself is
            // already closed and only yields EBADF.
            unsafe { libc::close(fd) };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_list_holds_exec_and_has_no_duplicates() {
        let list = denied_syscalls();
        assert!(list.contains(&libc::SYS_execve));
        assert!(list.contains(&libc::SYS_execveat));
        assert!(list.contains(&libc::SYS_io_uring_setup));
        for call in [
            libc::SYS_socket,
            libc::SYS_connect,
            libc::SYS_bind,
            libc::SYS_listen,
        ] {
            assert!(list.contains(&call));
        }
        let mut sorted = list.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), list.len());
    }

    #[test]
    fn thread_count_sees_the_test_threads() {
        // libtest runs this on a thread of its own, besides main.
        assert!(thread_count().unwrap() >= 2);
    }
}
