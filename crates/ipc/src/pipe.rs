//! What a pipe between processes holds: the one query the rib needs on a
//! helper's stdin, kept here because it takes an `ioctl` (the rib crate
//! forbids `unsafe`).

use std::os::fd::{AsRawFd, BorrowedFd};

/// Bytes written to the pipe and not read yet (Linux answers FIONREAD on
/// either end of a pipe); 0 when it cannot tell.
pub fn unread_bytes(fd: BorrowedFd<'_>) -> usize {
    let mut n: nix::libc::c_int = 0;
    // SAFETY: FIONREAD writes one int to the pointer given, which lives here;
    // the descriptor is borrowed, so open for the call.
    let r = unsafe { nix::libc::ioctl(fd.as_raw_fd(), nix::libc::FIONREAD, &mut n) };
    if r == 0 && n > 0 {
        n as usize
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;

    #[test]
    fn counts_what_the_reader_has_not_read() {
        let (r, w) = nix::unistd::pipe().expect("pipe");
        let mut w = std::fs::File::from(w);
        assert_eq!(unread_bytes(r.as_fd()), 0);
        w.write_all(b"done\n").expect("write");
        assert_eq!(unread_bytes(r.as_fd()), 5);
        assert_eq!(unread_bytes(w.as_fd()), 5);
    }
}
