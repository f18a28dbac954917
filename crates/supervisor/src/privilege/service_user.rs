//! The service user the children run as: looked up by name, its
//! supplementary groups, never root, never in the control socket's group.

use super::{DEFAULT_USER, FALLBACK_USER};
use crate::error::Error;
use nix::unistd::{Gid, User};
use std::ffi::CStr;

/// The resolved service user the children run as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceUser {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Supplementary groups (from the group database, like `initgroups`).
    pub groups: Vec<u32>,
    /// Home directory (exported as `HOME` to helper programs).
    pub home: String,
}

impl ServiceUser {
    /// Looks a user up by name; `Ok(None)` when it does not exist.
    pub fn lookup(name: &str) -> Result<Option<Self>, Error> {
        let lookup_err = |source| Error::UserLookup {
            user: name.to_string(),
            source,
        };
        let Some(user) = User::from_name(name).map_err(lookup_err)? else {
            return Ok(None);
        };
        let cname =
            std::ffi::CString::new(name).map_err(|_| Error::UnknownUser(name.to_string()))?;
        let groups = group_list(&cname, user.gid).map_err(lookup_err)?;
        Ok(Some(ServiceUser {
            name: user.name,
            uid: user.uid.as_raw(),
            gid: user.gid.as_raw(),
            groups,
            home: user.dir.to_string_lossy().into_owned(),
        }))
    }

    /// The same user without the operator group of the control socket
    /// among its supplementary groups: no child may drive the daemon.
    pub fn without_control_group(mut self) -> Self {
        if let Some(ctl) = crate::control::control_group() {
            self.groups.retain(|g| *g != ctl.as_raw());
        }
        self
    }

    /// Resolves the user children run as: `requested` must exist; without a
    /// request, [`DEFAULT_USER`] and then [`FALLBACK_USER`] (with a warning).
    pub fn resolve(requested: Option<&str>) -> Result<Self, Error> {
        let user = match requested {
            Some(name) => {
                ServiceUser::lookup(name)?.ok_or_else(|| Error::UnknownUser(name.to_string()))?
            }
            None => match ServiceUser::lookup(DEFAULT_USER)? {
                Some(user) => user,
                None => {
                    let user = ServiceUser::lookup(FALLBACK_USER)?.ok_or(Error::NoServiceUser)?;
                    tracing::warn!(
                        "service user `{DEFAULT_USER}` does not exist, children run as \
                         `{FALLBACK_USER}` instead (create `{DEFAULT_USER}` with \
                         systemd-sysusers or `useradd --system {DEFAULT_USER}`)"
                    );
                    user
                }
            },
        };
        if user.uid == 0 {
            return Err(Error::RootServiceUser(user.name));
        }
        Ok(user.without_control_group())
    }
}

fn group_list(name: &CStr, gid: Gid) -> Result<Vec<u32>, nix::Error> {
    let groups = nix::unistd::getgrouplist(name, gid)?;
    let mut raw: Vec<u32> = groups.into_iter().map(Gid::as_raw).collect();
    raw.sort_unstable();
    raw.dedup();
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_user_is_an_error_not_a_fallback() {
        let err = ServiceUser::resolve(Some("ferrobgp-no-such-user-x")).unwrap_err();
        assert!(matches!(err, Error::UnknownUser(ref u) if u == "ferrobgp-no-such-user-x"));
    }

    #[test]
    fn root_is_refused_as_service_user() {
        let err = ServiceUser::resolve(Some("root")).unwrap_err();
        assert!(matches!(err, Error::RootServiceUser(_)));
    }
}
