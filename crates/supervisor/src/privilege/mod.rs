//! Privilege drop for every process the supervisor spawns.
//!
//! ARCHITECTURE.md, "Privilege separation": only the supervisor may hold a
//! privilege (root, or `CAP_NET_BIND_SERVICE` to bind port 179). Every child
//! (the rib, each session worker, each helper program) runs as the service
//! user, with `PR_SET_NO_NEW_PRIVS`, without any capability, and with no
//! descriptor it was not explicitly handed.
//!
//! The drop happens between `fork` and `exec`, inside a
//! [`std::process::Command::pre_exec`] hook, so that the child's `main` never
//! runs privileged. The hook only makes raw system calls on data prepared
//! before the fork (no allocation, no lock), which is what makes it safe to
//! use from the multi-threaded tokio supervisor: the forked child runs nothing
//! but these calls and then `exec`.
//!
//! Use:
//! 1. once at start, before spawning anything: [`Privileges::detect`] (logs,
//!    once, what it found: privileged or an ordinary user);
//! 2. for every child: [`Privileges::configure`] on its `Command`, after the
//!    hooks that `dup2` the handed descriptors to their fixed numbers.
//!
//! Started as an ordinary user without capabilities, there is nothing to drop:
//! children run as that user; only descriptor hygiene, the parent-death
//! signal and (for the daemon's own workers) `PR_SET_NO_NEW_PRIVS` apply.

mod child;
mod service_user;

pub use child::hand_descriptors;
use child::ChildPlan;
pub(crate) use child::{check, cloexec_from, prctl};
pub use service_user::ServiceUser;

use crate::capability::{last_cap, CapSets, Capability};
use crate::error::Error;
use std::os::unix::io::RawFd;
use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::unistd::{Gid, Uid, User};

/// The user the daemon switches to by default (ExaBGP's `daemon.user`).
pub const DEFAULT_USER: &str = "ferrobgp";
/// The user used when [`DEFAULT_USER`] does not exist (with a warning).
pub const FALLBACK_USER: &str = "nobody";

/// Environment variables that belong to the supervisor alone (systemd's
/// notification socket, watchdog and socket activation): a child must not
/// see them, or it could notify systemd or take the listening sockets.
pub const SUPERVISOR_ONLY_ENV: &[&str] = &[
    "NOTIFY_SOCKET",
    "WATCHDOG_USEC",
    "WATCHDOG_PID",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
];

/// The environment variable naming the capabilities helper programs keep
/// (e.g. `CAP_NET_ADMIN`), set by systemd/examples/helper-capabilities.conf.
pub const HELPER_CAPABILITIES_ENV: &str = "FERROBGP_HELPER_CAPABILITIES";

/// The capabilities listed in [`HELPER_CAPABILITIES_ENV`] (empty when unset),
/// for [`Privileges::with_helper_capabilities`].
pub fn helper_capabilities_from_env() -> Result<Vec<Capability>, Error> {
    match std::env::var(HELPER_CAPABILITIES_ENV) {
        Ok(list) => Capability::parse_list(&list),
        Err(_) => Ok(Vec::new()),
    }
}

/// What kind of process a `Command` starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildKind {
    /// The daemon's own `rib` or `session` process: always no-new-privs.
    Worker,
    /// A helper program of a `process` block: may keep the capabilities
    /// given with [`Privileges::with_helper_capabilities`].
    Helper,
}

/// What the supervisor found at start, and therefore what every child drops.
#[derive(Clone, Debug)]
pub struct Privileges {
    /// `Some` when children switch to this user (root, or CAP_SETUID+CAP_SETGID).
    switch_to: Option<ServiceUser>,
    /// True when the supervisor is root or holds any capability.
    privileged: bool,
    /// Capabilities a helper keeps (ambient), when the operator asked for it.
    helper_keep: u64,
    /// Highest capability number of the running kernel.
    last_cap: u8,
    /// The supervisor may shrink the bounding set of its children.
    can_drop_bounding: bool,
    /// `daemon.user` is root: helpers stay root with the supervisor's
    /// capabilities (the rib and workers still switch to `switch_to`).
    helper_root: bool,
    /// The rib's and the workers' own users, when they exist
    /// ([`crate::role_users`]); only when `switch_to` is set.
    roles: crate::role_users::RoleUsers,
}

/// The notice of a supervisor without privileges (and of the service
/// user it cannot switch to).
fn log_unprivileged(euid: Uid, requested_user: Option<&str>) {
    let me = User::from_uid(euid).ok().flatten().map(|u| u.name);
    tracing::info!(
        "running as an ordinary user ({}, uid {}) without capabilities: no privilege to \
         drop, children run as this user",
        me.as_deref().unwrap_or("?"),
        euid
    );
    if let Some(req) = requested_user {
        if me.as_deref() != Some(req) {
            tracing::warn!(
                "service user `{req}` ignored: switching users needs root (children run \
                 as the current user)"
            );
        }
    }
}

/// The warning for a service user a supervisor without CAP_SETUID /
/// CAP_SETGID cannot switch to (none when it already runs as that user).
fn warn_user_ignored(euid: Uid, requested_user: Option<&str>) {
    if let Some(req) = requested_user {
        let me = User::from_uid(euid).ok().flatten().map(|u| u.name);
        if me.as_deref() != Some(req) {
            tracing::warn!(
                "service user `{req}` ignored: the supervisor (uid {euid}) lacks \
                 CAP_SETUID/CAP_SETGID, children run as uid {euid}"
            );
        }
    }
}

impl Privileges {
    /// Inspects the supervisor's own credentials and decides what children
    /// drop. Call once at start; it logs its finding once.
    ///
    /// `requested_user` is `--user` / ExaBGP's `daemon.user`; without it the
    /// service user is `ferrobgp`, or `nobody` with a warning.
    pub fn detect(requested_user: Option<&str>) -> Result<Self, Error> {
        let euid = Uid::effective();
        let caps = CapSets::current()?;
        let last_cap = last_cap();
        let privileged = euid.is_root() || !caps.is_empty();
        if !privileged {
            log_unprivileged(euid, requested_user);
            return Ok(Privileges::unprivileged());
        }
        let can_switch = euid.is_root()
            || (caps.permits(Capability::SETUID) && caps.permits(Capability::SETGID));
        // daemon.user=root (FastNetMon's documentation sets it) is for the
        // helpers only: the BGP-facing processes never run as root.
        let helper_root = can_switch
            && requested_user
                .map(ServiceUser::lookup)
                .transpose()?
                .flatten()
                .is_some_and(|u| u.uid == 0);
        let requested_user = if helper_root { None } else { requested_user };
        let switch_to = if can_switch {
            Some(ServiceUser::resolve(requested_user)?)
        } else {
            warn_user_ignored(euid, requested_user);
            None
        };
        let roles = match &switch_to {
            Some(u) => crate::role_users::RoleUsers::resolve(u)?,
            None => Default::default(),
        };
        let p = Privileges {
            switch_to,
            privileged: true,
            helper_keep: 0,
            last_cap,
            can_drop_bounding: caps.effective & Capability::SETPCAP.bit() != 0,
            helper_root,
            roles,
        };
        p.log(euid);
        Ok(p)
    }

    /// Logs the plan once: helpers as root, the roles' users, what the
    /// children drop.
    fn log(&self, euid: Uid) {
        if self.helper_root {
            tracing::warn!(
                "daemon.user is root: helper programs run as root with the supervisor's \
                 capabilities (a compromised helper owns the machine); the rib and the session \
                 workers still run unprivileged and confined"
            );
        }
        for (role, what) in [
            (crate::role_users::WorkerRole::Rib, "the rib"),
            (
                crate::role_users::WorkerRole::Session,
                "the session workers",
            ),
        ] {
            if let Some(u) = self.roles.user(role) {
                tracing::info!("{what} run as `{}` (uid {}, gid {})", u.name, u.uid, u.gid);
            }
        }
        match &self.switch_to {
            Some(u) => tracing::info!(
                "privileged supervisor (uid {euid}): children run as `{}` (uid {}, gid {}) with \
                 no capabilities and no-new-privs",
                u.name,
                u.uid,
                u.gid
            ),
            None => tracing::info!(
                "supervisor holds capabilities (uid {euid}): children keep uid {euid}, drop every \
                 capability and set no-new-privs"
            ),
        }
    }

    /// The plan of an ordinary user: nothing to drop.
    pub fn unprivileged() -> Self {
        Privileges {
            switch_to: None,
            privileged: false,
            helper_keep: 0,
            last_cap: last_cap(),
            can_drop_bounding: false,
            helper_root: false,
            roles: Default::default(),
        }
    }

    /// The plan for one of the daemon's own processes: the same, but with
    /// the role's own user ([`crate::role_users`]) when it has one.
    pub fn for_worker(&self, role: crate::role_users::WorkerRole) -> Privileges {
        let mut p = self.clone();
        if let Some(u) = self.roles.user(role) {
            p.switch_to = Some(u.clone());
        }
        p
    }

    /// True when helpers run as root (`daemon.user` is root).
    pub fn helpers_as_root(&self) -> bool {
        self.helper_root
    }

    /// The identity helper programs run as, for the configuration's check
    /// that each `run` program can be started by it.
    pub fn helper_run_as(&self) -> ferrobgp_config::run_access::RunAs {
        use ferrobgp_config::run_access::RunAs;
        match (&self.switch_to, self.helper_root) {
            (Some(u), false) => RunAs {
                name: u.name.clone(),
                uid: u.uid,
                gid: u.gid,
                groups: u.groups.clone(),
            },
            (_, true) => RunAs {
                name: "root".into(),
                ..RunAs::default()
            },
            (None, false) => {
                let uid = Uid::effective();
                RunAs {
                    name: User::from_uid(uid)
                        .ok()
                        .flatten()
                        .map(|u| u.name)
                        .unwrap_or_else(|| uid.to_string()),
                    uid: uid.as_raw(),
                    gid: Gid::effective().as_raw(),
                    groups: nix::unistd::getgroups()
                        .map(|g| g.into_iter().map(Gid::as_raw).collect())
                        .unwrap_or_default(),
                }
            }
        }
    }

    /// Lets helper programs keep `caps` (as ambient capabilities, so they
    /// survive `exec`), e.g. `CAP_NET_ADMIN` for a helper that adds anycast
    /// addresses. The supervisor must hold each of them in its permitted set
    /// (systemd: `AmbientCapabilities=`). Workers never keep any.
    pub fn with_helper_capabilities(mut self, caps: &[Capability]) -> Result<Self, Error> {
        if caps.is_empty() {
            return Ok(self);
        }
        if !self.privileged {
            tracing::warn!("helper capabilities requested but the supervisor holds none: ignored");
            return Ok(self);
        }
        let held = CapSets::current()?;
        for cap in caps {
            if !held.permits(*cap) {
                return Err(Error::HelperCapabilityNotHeld(*cap));
            }
            self.helper_keep |= cap.bit();
        }
        Ok(self)
    }

    /// True when the supervisor is root or holds a capability.
    pub fn is_privileged(&self) -> bool {
        self.privileged
    }

    /// The user children switch to, when the supervisor can switch users.
    pub fn service_user(&self) -> Option<&ServiceUser> {
        self.switch_to.as_ref()
    }

    /// Drops the supervisor's own privileges to what its remaining work
    /// needs (see [`crate::hold`]); a no-op for an ordinary user.
    pub fn drop_own(&self) -> Result<Option<crate::hold::Kept>, Error> {
        if !self.privileged {
            return Ok(None);
        }
        let held = CapSets::current()?.permitted;
        // Root helpers get what the supervisor holds: it keeps it all.
        let keep = if self.helper_root {
            held
        } else {
            crate::hold::needed(held, self.switch_to.is_some(), self.helper_keep)
        };
        crate::hold::drop_to_minimum(keep, self.last_cap).map(Some)
    }

    /// Capabilities a helper keeps (empty unless configured).
    pub fn helper_capabilities(&self) -> Vec<Capability> {
        (0..64u8)
            .filter(|n| self.helper_keep & (1u64 << n) != 0)
            .map(Capability::from_number)
            .collect()
    }

    /// Configures `cmd` so that, between fork and exec, the child:
    /// - switches groups, gid and uid to the service user (when privileged),
    /// - drops every capability: bounding set (when the supervisor holds
    ///   CAP_SETPCAP), effective, permitted, inheritable and ambient (a
    ///   helper keeps only its configured capabilities),
    /// - sets `PR_SET_NO_NEW_PRIVS` (workers always; helpers when privileged),
    /// - sets `PR_SET_PDEATHSIG` (after the uid change, which clears it):
    ///   SIGKILL for a worker (workers ignore SIGTERM, the supervisor stops
    ///   them over IPC), SIGTERM for a helper,
    /// - marks every descriptor from `first_unhanded_fd` up close-on-exec,
    ///   so the new program holds only 0, 1, 2 and the handed descriptors
    ///   `3..first_unhanded_fd`,
    /// - and checks the result (uid, gid, capability sets) before `exec`.
    ///
    /// It also removes the supervisor-only systemd variables from the
    /// child's environment ([`SUPERVISOR_ONLY_ENV`]) and, for a helper run
    /// as another user, sets `HOME`, `USER` and `LOGNAME`.
    ///
    /// Call it after any `pre_exec` hook that `dup2`s descriptors, and spawn
    /// from a thread that lives as long as the child (the main thread or a
    /// tokio worker thread, not a `spawn_blocking` thread): Linux delivers
    /// the parent-death signal when the *thread* that forked exits.
    pub fn configure(&self, cmd: &mut Command, kind: ChildKind, first_unhanded_fd: RawFd) {
        for var in SUPERVISOR_ONLY_ENV {
            cmd.env_remove(var);
        }
        let root_helper = kind == ChildKind::Helper && self.helper_root;
        if let (ChildKind::Helper, Some(user), false) = (kind, &self.switch_to, root_helper) {
            cmd.env("HOME", &user.home)
                .env("USER", &user.name)
                .env("LOGNAME", &user.name);
        }
        let plan = self.child_plan(kind, first_unhanded_fd);
        // SAFETY: `ChildPlan::apply` only makes async-signal-safe system
        // calls on data owned by the closure; it allocates nothing.
        unsafe {
            cmd.pre_exec(move || plan.apply());
        }
    }
}

impl Privileges {
    /// What a child of `kind` drops between fork and exec (pure: the
    /// hook only carries it out).
    fn child_plan(&self, kind: ChildKind, first_unhanded_fd: RawFd) -> ChildPlan {
        let root_helper = kind == ChildKind::Helper && self.helper_root;
        let keep = match kind {
            ChildKind::Worker => 0,
            ChildKind::Helper => self.helper_keep,
        };
        ChildPlan {
            switch: self
                .switch_to
                .as_ref()
                .filter(|_| !root_helper)
                .map(|u| (u.uid, u.gid, u.groups.clone())),
            drop_caps: self.privileged && !root_helper,
            keep,
            last_cap: self.last_cap,
            drop_bounding: self.can_drop_bounding,
            no_new_privs: kind == ChildKind::Worker || self.privileged,
            death_signal: match kind {
                ChildKind::Worker => libc::SIGKILL,
                ChildKind::Helper => libc::SIGTERM,
            },
            parent: std::process::id(),
            first_unhanded_fd: first_unhanded_fd.max(3),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(helper_root: bool) -> Privileges {
        Privileges {
            switch_to: Some(ServiceUser {
                name: "svc".into(),
                uid: 990,
                gid: 991,
                groups: vec![991, 992],
                home: "/var/lib/svc".into(),
            }),
            privileged: true,
            helper_keep: 1 << 12,
            last_cap: 40,
            can_drop_bounding: true,
            helper_root,
            roles: Default::default(),
        }
    }

    /// What each child drops, decided before the fork.
    #[test]
    fn each_child_kind_gets_its_plan() {
        let w = root(false).child_plan(ChildKind::Worker, 5);
        assert_eq!(w.switch, Some((990, 991, vec![991, 992])));
        assert!(w.drop_caps && w.no_new_privs && w.drop_bounding);
        assert_eq!(
            (w.keep, w.death_signal, w.first_unhanded_fd),
            (0, libc::SIGKILL, 5)
        );

        let h = root(false).child_plan(ChildKind::Helper, 0);
        assert_eq!(h.switch, Some((990, 991, vec![991, 992])));
        assert!(h.drop_caps && h.no_new_privs);
        assert_eq!(
            (h.keep, h.death_signal, h.first_unhanded_fd),
            (1 << 12, libc::SIGTERM, 3)
        );

        // daemon.user root: the helper stays root with its capabilities
        let r = root(true).child_plan(ChildKind::Helper, 4);
        assert_eq!(r.switch, None);
        assert!(!r.drop_caps);
        // the daemon's own processes still switch
        assert!(root(true).child_plan(ChildKind::Worker, 4).switch.is_some());

        // an ordinary user: nothing to switch or drop; workers still no-new-privs
        let u = Privileges::unprivileged();
        let (w, h) = (
            u.child_plan(ChildKind::Worker, 3),
            u.child_plan(ChildKind::Helper, 3),
        );
        assert!(w.switch.is_none() && !w.drop_caps && w.no_new_privs);
        assert!(h.switch.is_none() && !h.drop_caps && !h.no_new_privs);
    }
}
