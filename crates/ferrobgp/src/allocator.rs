//! The allocator of every ferrobgp process (they are all this binary):
//! jemalloc, chosen on measurement over glibc's malloc and mimalloc (README
//! "Performance": glibc's free-list upkeep took about 40 % of the rib's
//! time on `announce route` lines), and the one call that depends on it.

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Hands the pages of freed memory back to the system now.
///
/// jemalloc keeps freed pages for about ten seconds before it returns them,
/// and only counts that time while the process allocates: after loading a
/// configuration of a million static routes the supervisor sat on 130 MB
/// and the rib on 200 MB that nothing used, for as long as they stayed
/// idle. Returning them at every free instead (`dirty_decay_ms:0`) cost
/// 15 to 35 % more CPU on the API paths, so the processes call this once a
/// large load is over (supervisor: configuration loaded; rib: a peer's
/// configured routes installed).
pub(crate) fn release_free_memory() {
    let rc = purge_all();
    if rc != 0 {
        tracing::debug!(rc, "jemalloc purge failed");
    }
}

/// `arena.<MALLCTL_ARENAS_ALL>.purge`: every arena, no value in or out;
/// jemalloc's status (0 on success).
fn purge_all() -> i32 {
    // SAFETY: a NUL-terminated name of a void mallctl, with null old/new
    // pointers and zero lengths, as jemalloc documents for `purge`.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_is_accepted_by_jemalloc() {
        // A wrong name or argument shape makes mallctl return an error
        // (ENOENT, EPERM), which release_free_memory only logs.
        assert_eq!(super::purge_all(), 0);
    }
}
