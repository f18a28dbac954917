//! One user per role: started as root (or with CAP_SETUID/CAP_SETGID), the
//! supervisor runs the rib as [`RIB_USER`] and the session workers as
//! [`SESSION_USER`] when those users exist (the package's sysusers.d entry
//! creates them); helpers run as the service user (`daemon.user`, by
//! default `ferrobgp`). A user that is missing leaves its role on the
//! service user, as before, with one line in the log.
//!
//! Why: processes of one uid can signal each other and, without the
//! confinement, read each other's memory through /proc; with distinct uids
//! a session worker (the process that parses what peers send) shares its
//! uid with other workers only, never with the rib (which holds every
//! route and the helpers' pipes) nor with the helpers (which run the
//! operator's programs and may read the configuration). Neither the rib
//! nor the workers read a file after they start (Landlock denies them
//! every file): they need no file or directory of their own.

use crate::error::Error;
use crate::privilege::ServiceUser;

/// The rib's user.
pub const RIB_USER: &str = "ferrobgp-rib";
/// The session workers' user.
pub const SESSION_USER: &str = "ferrobgp-session";

/// Which of the daemon's own processes is spawned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerRole {
    Rib,
    Session,
}

/// The users of the roles that have one of their own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleUsers {
    rib: Option<ServiceUser>,
    session: Option<ServiceUser>,
}

/// `name` if it exists and is not root, without the operator group.
fn role_user(name: &str, fallback: &ServiceUser) -> Result<Option<ServiceUser>, Error> {
    match ServiceUser::lookup(name)? {
        Some(u) if u.uid == 0 => Err(Error::RootServiceUser(u.name)),
        Some(u) => Ok(Some(u.without_control_group())),
        None => {
            tracing::info!(
                "user `{name}` does not exist: that role runs as `{}` (create it with \
                 systemd-sysusers, or `useradd --system {name}`)",
                fallback.name
            );
            Ok(None)
        }
    }
}

impl RoleUsers {
    /// Looks the role users up, for a supervisor that switches children to
    /// `service` (the helpers' user).
    pub fn resolve(service: &ServiceUser) -> Result<Self, Error> {
        Ok(RoleUsers {
            rib: role_user(RIB_USER, service)?,
            session: role_user(SESSION_USER, service)?,
        })
    }

    /// The user of `role`, when it has one of its own.
    pub fn user(&self, role: WorkerRole) -> Option<&ServiceUser> {
        match role {
            WorkerRole::Rib => self.rib.as_ref(),
            WorkerRole::Session => self.session.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_role_user_is_no_error_and_root_is_refused() {
        let service = ServiceUser::lookup("nobody").unwrap().expect("user nobody");
        assert_eq!(
            role_user("ferrobgp-no-such-role-x", &service).unwrap(),
            None
        );
        assert!(matches!(
            role_user("root", &service),
            Err(Error::RootServiceUser(_))
        ));
        let nobody = role_user("nobody", &service).unwrap().unwrap();
        assert_eq!(nobody.uid, service.uid);
        let users = RoleUsers {
            rib: Some(nobody.clone()),
            session: None,
        };
        assert_eq!(users.user(WorkerRole::Rib), Some(&nobody));
        assert_eq!(users.user(WorkerRole::Session), None);
    }
}
