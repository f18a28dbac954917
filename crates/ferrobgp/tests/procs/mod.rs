//! Processes seen through /proc and signalled with kill(2): the helpers
//! `common` and `interop_common` both re-export (each includes this file
//! with `#[path]`), so that the two test harnesses find a daemon's children
//! and its rib the same way.

#![allow(dead_code)]

/// kill(2) of `pid` with `sig`: a process the test started (or a child of
/// one) and has not reaped.
pub fn signal(pid: u32, sig: i32) {
    // SAFETY: plain kill(2) on a PID of a process the test started.
    unsafe {
        libc::kill(pid as i32, sig);
    }
}

/// Processes whose parent is `pid`, ascending.
pub fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let Some(p) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Some((ppid, _)) = stat(p) {
            if ppid == pid {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// (ppid, state) of a process.
fn stat(pid: u32) -> Option<(u32, char)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ...: comm may hold spaces, split after ')'.
    let after = &s[s.rfind(')')? + 2..];
    let mut it = after.split(' ');
    let state = it.next()?.chars().next()?;
    let ppid = it.next()?.parse().ok()?;
    Some((ppid, state))
}

/// True when the process exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    matches!(stat(pid), Some((_, s)) if s != 'Z' && s != 'X')
}

/// The command line of `pid`, its arguments joined by spaces.
pub fn cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
        .unwrap_or_default()
}

/// The rib process (`__rib`, alive) of the supervisor `supervisor`.
pub fn rib_of_supervisor(supervisor: u32) -> Option<u32> {
    children_of(supervisor)
        .into_iter()
        .find(|p| cmdline(*p).contains("__rib") && alive(*p))
}
