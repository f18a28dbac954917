//! The hidden `rib` and `session` subcommands: the supervisor starts the
//! rib and every session worker as this binary, with their channel at a
//! fixed descriptor; each confines itself, sets up its logs and runs its
//! crate's event loop.

use super::*;

/// Takes the descriptor a role was handed at a fixed number.
fn inherited(fd: i32) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    // Refuse to run a role outside the supervisor (descriptor not open).
    nix::fcntl::fcntl(
        // SAFETY: only used to query the flags of `fd`.
        unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) },
        nix::fcntl::FcntlArg::F_GETFD,
    )
    .ok()?;
    // SAFETY: the supervisor placed this descriptor for us and nothing else owns it.
    let owned = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) };
    // Children must not pass it on.
    let _ = nix::fcntl::fcntl(
        &owned,
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
    );
    Some(owned)
}

/// Confines a worker (see `ferrobgp_supervisor::confine`): called first,
/// while the process has one thread, with the first descriptor number it
/// was not handed. Logging is set up right after, then the outcome logged.
fn confine_and_log(
    role: ferrobgp_supervisor::confine::Role,
    first_unhanded_fd: i32,
    name: &str,
    debug: bool,
) -> Result<(), ExitCode> {
    let confined = ferrobgp_supervisor::confine::child(role, first_unhanded_fd);
    logging::init(name, &logging::choose_filter(debug, "info"));
    match confined {
        Ok(report) => {
            tracing::info!("confined: {report}");
            Ok(())
        }
        Err(e) => {
            tracing::error!("cannot confine the {name} process: {e}");
            Err(ExitCode::from(1))
        }
    }
}

fn role_main<F, Fut>(role: &str, debug: bool, body: F) -> ExitCode
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    logging::init(role, &logging::choose_filter(debug, "info"));
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(body()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::from(1)
        }
    }
}

/// `ferrobgp rib`: the rib process, as the supervisor starts it.
pub(crate) fn rib(a: RoleArgs) -> ExitCode {
    let Some(sup) = inherited(ferrobgp_ipc::SUPERVISOR_FD) else {
        eprintln!("ferrobgp: __rib is an internal role started by `ferrobgp run`");
        return ExitCode::from(2);
    };
    let first_free = ferrobgp_ipc::SUPERVISOR_FD + 1;
    if let Err(code) = confine_and_log(
        ferrobgp_supervisor::confine::Role::Rib,
        first_free,
        "rib",
        a.debug,
    ) {
        return code;
    }
    role_main("rib", a.debug, || async move {
        let ch = ferrobgp_ipc::Channel::new(sup).map_err(|e| e.to_string())?;
        let opts = ferrobgp_rib::process::Options {
            ack_timeout: std::time::Duration::from_secs_f64(a.ack_timeout),
            peer_queue: ferrobgp_rib::pipeline::Bounds {
                changes: a.limits.peer_queue_changes,
                bytes: a.limits.peer_queue_bytes,
                // checked by the command line parser: 0 up to a year
                stall: std::time::Duration::from_secs_f64(a.limits.peer_queue_stall),
            },
            max_line: a.limits.max_line.max(1),
            release_memory: crate::allocator::release_free_memory,
        };
        ferrobgp_rib::process::run(ch, opts)
            .await
            .map_err(|e| e.to_string())
    })
}

/// `ferrobgp session`: one session worker, as the supervisor starts it.
pub(crate) fn session(a: SessionArgs) -> ExitCode {
    let (Some(sup), Some(rib)) = (
        inherited(ferrobgp_ipc::SUPERVISOR_FD),
        inherited(ferrobgp_ipc::RIB_FD),
    ) else {
        eprintln!("ferrobgp: __session is an internal role started by `ferrobgp run`");
        return ExitCode::from(2);
    };
    let role = format!("session {}", a.peer);
    if let Err(code) = confine_and_log(
        ferrobgp_supervisor::confine::Role::Session,
        ferrobgp_ipc::RIB_FD + 1,
        &role,
        a.debug,
    ) {
        return code;
    }
    tracing::debug!(peer_id = a.peer_id, "session worker role");
    // The worker runs its own single-threaded runtime.
    match ferrobgp_session::run_worker(sup, rib, crate::allocator::release_free_memory) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::from(1)
        }
    }
}
