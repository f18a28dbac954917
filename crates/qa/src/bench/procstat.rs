//! What the kernel says about the processes of a running daemon: the process
//! tree below a pid, and each process's peak resident memory, proportional
//! and private memory (`smaps_rollup`, shared pages counted once across the
//! tree) and CPU time, read from `/proc` (Linux only).

use std::collections::BTreeMap;
use std::path::Path;

/// One process of the daemon's tree, measured once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcStat {
    /// Process id.
    pub pid: i32,
    /// Its command line, arguments joined by spaces (the `comm` name when
    /// the command line is unreadable).
    pub command: String,
    /// Peak resident set size (`VmHWM`), in KiB.
    pub peak_rss_kib: u64,
    /// Proportional set size when measured (`Pss` of `smaps_rollup`): each
    /// shared page divided among the processes that map it, so the sum over
    /// processes counts shared pages once. In KiB; 0 when unreadable.
    pub pss_kib: u64,
    /// Private memory when measured (`Private_Clean` + `Private_Dirty` of
    /// `smaps_rollup`), in KiB; 0 when unreadable.
    pub private_kib: u64,
    /// User plus system CPU time, in milliseconds.
    pub cpu_ms: u64,
}

/// The parent pid of `pid` (`/proc/PID/stat` field 4), if readable.
fn parent(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces:
    // the fields after the last ')' are fixed.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Every live process whose ancestry reaches `root`, `root` first.
pub fn tree(root: i32) -> Vec<i32> {
    let mut children: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            if let Some(ppid) = parent(pid) {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut out = vec![root];
    let mut next = 0;
    while next < out.len() {
        if let Some(kids) = children.get(&out[next]) {
            out.extend(kids.iter().copied());
        }
        next += 1;
    }
    out
}

/// Clock ticks per second, for the CPU times of `/proc/PID/stat`.
fn ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|t| *t > 0).unwrap_or(100)
}

/// The value in KiB of the `key:` line of a `/proc` key/value file.
fn kib(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Measures one process; `None` when it is gone.
pub fn measure(pid: i32) -> Option<ProcStat> {
    let dir = Path::new("/proc").join(pid.to_string());
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let peak_rss_kib = kib(&status, "VmHWM").unwrap_or(0);
    let rollup = std::fs::read_to_string(dir.join("smaps_rollup")).unwrap_or_default();
    let pss_kib = kib(&rollup, "Pss").unwrap_or(0);
    let private_kib =
        kib(&rollup, "Private_Clean").unwrap_or(0) + kib(&rollup, "Private_Dirty").unwrap_or(0);
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after ')'.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
    let mut command = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    if command.is_empty() {
        command = std::fs::read_to_string(dir.join("comm"))
            .unwrap_or_default()
            .trim()
            .to_owned();
    }
    Some(ProcStat {
        pid,
        command,
        peak_rss_kib,
        pss_kib,
        private_kib,
        cpu_ms: ticks * 1000 / ticks_per_second(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kib_values_are_read_by_exact_key() {
        let text = "Rss:  100 kB\nPss:   40 kB\nPss_Dirty:  7 kB\n";
        assert_eq!(kib(text, "Pss"), Some(40));
        assert_eq!(kib(text, "Pss_Dirty"), Some(7));
        assert_eq!(kib(text, "Swap"), None);
    }

    #[test]
    fn our_own_process_is_measured_and_heads_its_tree() {
        let me = i32::try_from(std::process::id()).expect("pid");
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep");
        let kid = i32::try_from(child.id()).expect("pid");
        let pids = tree(me);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(pids[0], me);
        assert!(pids.contains(&kid), "{pids:?} lacks {kid}");
        let stat = measure(me).expect("measure self");
        assert!(stat.peak_rss_kib > 0);
        assert!(stat.pss_kib > 0 && stat.pss_kib <= stat.peak_rss_kib);
        assert!(stat.private_kib > 0 && stat.private_kib <= stat.peak_rss_kib);
        assert!(!stat.command.is_empty());
    }
}
