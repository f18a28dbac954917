//! What the supervisor itself keeps once it has started.
//!
//! Started as root (or with capabilities), the supervisor needs privilege
//! for the rest of its life only to start and stop children under another
//! user and to bind new listeners on reload. Right after start (listeners
//! bound, control socket given to its group), before the first child is
//! spawned, [`drop_to_minimum`]:
//! - shrinks the bounding, permitted and effective sets to [`needed`]:
//!   `CAP_SETUID`/`CAP_SETGID` (children switch users), `CAP_SETPCAP`
//!   (children's bounding set), `CAP_KILL` (signal children of another
//!   uid), `CAP_NET_BIND_SERVICE` (a listener on port 179 added by a
//!   reload) and the capabilities configured for helpers, each only when
//!   it was held at start; inheritable and ambient are cleared,
//! - sets `PR_SET_NO_NEW_PRIVS` (no exec can give back what was dropped;
//!   children inherit it),
//! - loads a seccomp filter on every thread refusing what neither the
//!   supervisor nor a helper program needs: kernel modules, kexec, reboot,
//!   swap, process accounting, mounts, `ptrace` and cross-process memory
//!   access, `bpf`, `userfaultfd`, `open_by_handle_at`, `iopl`/`ioperm`.
//!   Helpers inherit it (a fork keeps the filter), which is why it is short.
//!
//! The uid stays 0 when started as root: configuration files readable by
//! root only (the usual 0600 root file) still load on reload.
//! `/proc/PID/status` shows the result (`CapEff`, `CapPrm`, `CapBnd`,
//! `NoNewPrivs`, `Seccomp`).

use crate::capability::{CapSets, Capability};
use crate::error::Error;
use crate::privilege::{check, prctl};

/// `CAP_KILL`.
const KILL: Capability = Capability::KILL;

/// The capabilities the supervisor keeps: `wanted` (what its work needs,
/// see the module documentation) that it holds in `held`.
pub fn needed(held: u64, switches_users: bool, helper_keep: u64) -> u64 {
    let mut want = Capability::NET_BIND_SERVICE.mask() | helper_keep;
    if switches_users {
        want |= Capability::SETUID.mask()
            | Capability::SETGID.mask()
            | Capability::SETPCAP.mask()
            | KILL.mask();
    }
    want & held
}

/// What [`drop_to_minimum`] left, for one log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kept {
    /// The permitted (= effective) set now.
    pub capabilities: u64,
    /// Whether the seccomp filter was loaded.
    pub seccomp: bool,
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = (0..64u8)
            .filter(|n| self.capabilities & (1u64 << n) != 0)
            .map(|n| Capability::from_number(n).to_string())
            .collect();
        write!(
            f,
            "capabilities kept: {}; no-new-privs set; seccomp {}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(" ")
            },
            if self.seccomp { "on" } else { "unsupported" }
        )
    }
}

/// Drops the supervisor's own privileges to `keep` (a result of
/// [`needed`]) for good, sets no-new-privs and loads the seccomp filter.
/// `last_cap` is the kernel's highest capability number. Capabilities are
/// per thread: call it from the thread that spawns children, before any
/// other thread that might keep privileges is started (the tokio
/// current-thread runtime starts none).
pub fn drop_to_minimum(keep: u64, last_cap: u8) -> Result<Kept, Error> {
    let sys = |call: &'static str| move |source| Error::Sys { call, source };
    let held = CapSets::current()?;
    if held.effective & Capability::SETPCAP.mask() != 0 {
        for cap in 0..=last_cap {
            if keep & (1u64 << cap) != 0 {
                continue;
            }
            // SAFETY: prctl with integer arguments only.
            let r = unsafe { prctl(libc::PR_CAPBSET_DROP, libc::c_ulong::from(cap), 0) };
            if r != 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL) {
                return Err(Error::Sys {
                    call: "prctl(PR_CAPBSET_DROP)",
                    source: std::io::Error::last_os_error(),
                });
            }
        }
    }
    // SAFETY: prctl with integer arguments only.
    let r = unsafe {
        prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
        )
    };
    if r != 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL) {
        return Err(Error::Sys {
            call: "prctl(PR_CAP_AMBIENT_CLEAR_ALL)",
            source: std::io::Error::last_os_error(),
        });
    }
    crate::capability::set_caps(CapSets {
        effective: keep,
        permitted: keep,
        inheritable: 0,
    })
    .map_err(sys("capset"))?;
    // SAFETY: prctl with integer arguments only.
    check(unsafe { prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0) })
        .map_err(sys("prctl(PR_SET_NO_NEW_PRIVS)"))?;
    let seccomp = seccomp()?;
    Ok(Kept {
        capabilities: keep,
        seccomp,
    })
}

/// System calls refused to the supervisor and, through it, to helpers.
fn denied_syscalls() -> Vec<libc::c_long> {
    #[allow(unused_mut)]
    let mut list = vec![
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_reboot,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_acct,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_fsopen,
        libc::SYS_fsmount,
        libc::SYS_move_mount,
        libc::SYS_open_tree,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_bpf,
        libc::SYS_userfaultfd,
        libc::SYS_open_by_handle_at,
    ];
    #[cfg(target_arch = "x86_64")]
    {
        list.extend([libc::SYS_iopl, libc::SYS_ioperm]);
        const X32: libc::c_long = 0x4000_0000;
        let x32: Vec<libc::c_long> = list.iter().map(|n| n | X32).collect();
        list.extend(x32);
    }
    list
}

fn seccomp() -> Result<bool, Error> {
    let Some(program) = crate::confine::deny_program(denied_syscalls(), Vec::new())? else {
        return Ok(false);
    };
    match seccompiler::apply_filter_all_threads(&program) {
        Ok(()) => Ok(true),
        Err(seccompiler::Error::Seccomp(io)) if io.raw_os_error() == Some(libc::EINVAL) => {
            Ok(false)
        }
        Err(e) => Err(Error::Seccomp(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_what_is_held_and_needed() {
        let all = u64::MAX >> 23;
        let k = needed(all, true, 0);
        for cap in [
            Capability::SETUID,
            Capability::SETGID,
            Capability::SETPCAP,
            Capability::KILL,
            Capability::NET_BIND_SERVICE,
        ] {
            assert_ne!(k & cap.mask(), 0, "{cap}");
        }
        assert_eq!(k.count_ones(), 5, "{k:#x}");
        // Not switching users (systemd's ambient CAP_NET_BIND_SERVICE).
        let k = needed(Capability::NET_BIND_SERVICE.mask(), false, 0);
        assert_eq!(k, Capability::NET_BIND_SERVICE.mask());
        // A helper capability is kept when held, never invented.
        let k = needed(all, true, Capability::NET_ADMIN.mask());
        assert_ne!(k & Capability::NET_ADMIN.mask(), 0);
        assert_eq!(needed(0, true, Capability::NET_ADMIN.mask()), 0);
    }

    #[test]
    fn supervisor_filter_spares_exec_and_sockets() {
        let list = denied_syscalls();
        for nr in [
            libc::SYS_execve,
            libc::SYS_clone,
            libc::SYS_socket,
            libc::SYS_bind,
            libc::SYS_listen,
            libc::SYS_kill,
            libc::SYS_setresuid,
            libc::SYS_capset,
        ] {
            assert!(!list.contains(&nr), "{nr} must stay allowed");
        }
        assert!(list.contains(&libc::SYS_ptrace));
        assert!(list.contains(&libc::SYS_init_module));
    }
}
