//! What runs in a forked child before exec: the descriptors handed at
//! fixed numbers, then the plan [`super::Privileges`] prepared (groups, user,
//! capabilities, no-new-privs, parent-death signal, close-on-exec of every
//! other descriptor), with async-signal-safe system calls only.

use crate::capability::{capget, capset, CapSets};
use std::io;
use std::os::unix::io::RawFd;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Hands `fds` to the child at fixed numbers 3, 4, ... (like systemd's
/// `LISTEN_FDS`) and returns the first number not handed (`3 + fds.len()`),
/// which is what [`Privileges::configure`] and [`crate::confine::child`]
/// take.
///
/// The copies are made in a `pre_exec` hook: each source is first
/// duplicated above the target range, then `dup2`ed down, so a source that
/// already sits on a target number, or that another target would overwrite,
/// is still handed correctly, without close-on-exec. The caller keeps the
/// source descriptors open until `spawn` returns.
pub fn hand_descriptors(cmd: &mut Command, fds: &[RawFd]) -> RawFd {
    let sources: Vec<RawFd> = fds.to_vec();
    let first_free = 3 + RawFd::try_from(sources.len()).unwrap_or(RawFd::MAX - 3);
    let mut temps: Vec<RawFd> = vec![-1; sources.len()];
    // SAFETY: only fcntl/dup2 on integers, into the preallocated `temps`.
    unsafe {
        cmd.pre_exec(move || {
            for (src, tmp) in sources.iter().zip(temps.iter_mut()) {
                *tmp = libc::fcntl(*src, libc::F_DUPFD_CLOEXEC, first_free);
                if *tmp < 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            for (target, tmp) in (3..).zip(temps.iter()) {
                if libc::dup2(*tmp, target) < 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    first_free
}

/// Everything the child needs, prepared before the fork.
pub(super) struct ChildPlan {
    pub(super) switch: Option<(u32, u32, Vec<u32>)>,
    pub(super) drop_caps: bool,
    pub(super) keep: u64,
    pub(super) last_cap: u8,
    pub(super) drop_bounding: bool,
    pub(super) no_new_privs: bool,
    pub(super) death_signal: libc::c_int,
    pub(super) parent: u32,
    pub(super) first_unhanded_fd: RawFd,
}

impl ChildPlan {
    /// Runs in the forked child, before exec. Async-signal-safe only.
    pub(super) fn apply(&self) -> io::Result<()> {
        // SAFETY (whole function): plain system calls with valid pointers
        // into `self`, which outlives every call.
        unsafe {
            if let Some((_, gid, groups)) = &self.switch {
                check(libc::setgroups(groups.len(), groups.as_ptr()))?;
                check(libc::setresgid(*gid, *gid, *gid))?;
            }
            if self.drop_caps && self.drop_bounding {
                self.drop_bounding_set()?;
            }
            if let Some((uid, _, _)) = &self.switch {
                if self.keep != 0 {
                    check(prctl(libc::PR_SET_KEEPCAPS, 1, 0))?;
                }
                check(libc::setresuid(*uid, *uid, *uid))?;
            }
            if self.drop_caps {
                self.keep_only_kept_caps()?;
            }
            if self.no_new_privs {
                check(prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0))?;
            }
            // After the uid change: a credential change clears it.
            check(prctl(
                libc::PR_SET_PDEATHSIG,
                self.death_signal as libc::c_ulong,
                0,
            ))?;
            if u32::try_from(libc::getppid()).ok() != Some(self.parent) {
                // The supervisor died before the signal was armed.
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            cloexec_from(self.first_unhanded_fd)?;
        }
        // Verify: never exec with anything left over.
        self.verify()
    }

    /// Drops from the bounding set every capability not kept. Async-signal-safe.
    fn drop_bounding_set(&self) -> io::Result<()> {
        for cap in 0..=self.last_cap {
            // SAFETY: prctl with integer arguments only.
            if self.keep & (1u64 << cap) == 0
                && unsafe { prctl(libc::PR_CAPBSET_DROP, libc::c_ulong::from(cap), 0) } != 0
                // EINVAL: a number above this kernel's last capability.
                && io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL)
            {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }

    /// Effective, permitted and inheritable sets reduced to the kept
    /// capabilities, the ambient set cleared then given the kept ones (so
    /// that they survive exec). Async-signal-safe.
    fn keep_only_kept_caps(&self) -> io::Result<()> {
        capset(CapSets {
            effective: self.keep,
            permitted: self.keep,
            inheritable: self.keep,
        })?;
        // SAFETY (the prctl calls): integer arguments only.
        let clear = unsafe {
            prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
                0,
            )
        };
        // EINVAL: a kernel without ambient capabilities (< 4.3).
        if clear != 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL) {
            return Err(io::Error::last_os_error());
        }
        for cap in 0..64u8 {
            if self.keep & (1u64 << cap) != 0 {
                // SAFETY: integer arguments only.
                check(unsafe {
                    prctl(
                        libc::PR_CAP_AMBIENT,
                        libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                        libc::c_ulong::from(cap),
                    )
                })?;
            }
        }
        Ok(())
    }

    /// Checks the credentials the child is about to exec with: the uid and
    /// gid switched to (real, effective, saved), the capability sets
    /// exactly the kept ones. Async-signal-safe.
    fn verify(&self) -> io::Result<()> {
        if let Some((uid, gid, _)) = &self.switch {
            let (mut r, mut e, mut s) = (0, 0, 0);
            // SAFETY: valid pointers to locals.
            check(unsafe { libc::getresuid(&mut r, &mut e, &mut s) })?;
            if r != *uid || e != *uid || s != *uid {
                return Err(io::Error::from_raw_os_error(libc::EPERM));
            }
            // SAFETY: valid pointers to locals.
            check(unsafe { libc::getresgid(&mut r, &mut e, &mut s) })?;
            if r != *gid || e != *gid || s != *gid {
                return Err(io::Error::from_raw_os_error(libc::EPERM));
            }
        }
        if self.drop_caps {
            let now = capget()?;
            if now.effective != self.keep
                || now.permitted != self.keep
                || now.inheritable != self.keep
            {
                return Err(io::Error::from_raw_os_error(libc::EPERM));
            }
        }
        Ok(())
    }
}

/// prctl(2) with every argument passed as a full `unsigned long`: the
/// kernel rejects garbage in unused arguments of some options.
///
/// # Safety
/// As prctl(2): `option` must not make the kernel write through an argument.
pub(crate) unsafe fn prctl(
    option: libc::c_int,
    a2: libc::c_ulong,
    a3: libc::c_ulong,
) -> libc::c_int {
    let zero: libc::c_ulong = 0;
    libc::prctl(option, a2, a3, zero, zero)
}

pub(crate) fn check(ret: libc::c_int) -> io::Result<()> {
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Marks every descriptor `>= first` close-on-exec (close_range(2) with
/// CLOSE_RANGE_CLOEXEC; a bounded fcntl loop on kernels before 5.11).
/// Async-signal-safe. Close-on-exec rather than close: std's own error
/// pipe to the parent must stay open until exec.
pub(crate) fn cloexec_from(first: RawFd) -> io::Result<()> {
    let first = libc::c_uint::try_from(first.max(0)).unwrap_or(0);
    // SAFETY: close_range only changes descriptor flags.
    let r = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if r == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if !matches!(err.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EINVAL)) {
        return Err(err);
    }
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into `limit`.
    let top = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        limit.rlim_cur.min(1 << 20)
    } else {
        1 << 16
    };
    let top = libc::c_int::try_from(top).unwrap_or(libc::c_int::MAX);
    for fd in (first as libc::c_int)..top {
        // SAFETY: fcntl on a possibly closed descriptor just fails with EBADF.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags >= 0 && flags & libc::FD_CLOEXEC == 0 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
        }
    }
    Ok(())
}
