//! Linux capabilities: their names and numbers, the three sets of a
//! process as bit masks, and capget(2) / capset(2) of the calling thread
//! (async-signal-safe, so a child can use them between fork and exec).

use crate::error::Error;
use std::fmt;
use std::io;

/// A Linux capability, by number (`CAP_NET_ADMIN` is 12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Capability(u8);

/// Names of the capabilities, indexed by number (linux/capability.h).
const CAP_NAMES: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

impl Capability {
    /// `CAP_KILL` (signal processes of another uid).
    pub const KILL: Capability = Capability(5);
    /// `CAP_SETGID`.
    pub const SETGID: Capability = Capability(6);
    /// `CAP_SETUID`.
    pub const SETUID: Capability = Capability(7);
    /// `CAP_SETPCAP` (needed to shrink the bounding set of a child).
    pub const SETPCAP: Capability = Capability(8);
    /// `CAP_NET_BIND_SERVICE` (bind ports below 1024, e.g. 179).
    pub const NET_BIND_SERVICE: Capability = Capability(10);
    /// `CAP_NET_ADMIN` (e.g. for a helper that adds anycast addresses).
    pub const NET_ADMIN: Capability = Capability(12);

    /// Parses `CAP_NET_ADMIN`, `cap_net_admin` or `net_admin`.
    pub fn parse(name: &str) -> Result<Self, Error> {
        let upper = name.trim().to_ascii_uppercase();
        let full = if upper.starts_with("CAP_") {
            upper
        } else {
            format!("CAP_{upper}")
        };
        CAP_NAMES
            .iter()
            .position(|n| *n == full)
            .and_then(|i| u8::try_from(i).ok())
            .map(Capability)
            .ok_or_else(|| Error::UnknownCapability(name.to_string()))
    }

    /// Parses a list separated by spaces or commas (`"CAP_NET_ADMIN CAP_NET_RAW"`).
    pub fn parse_list(list: &str) -> Result<Vec<Self>, Error> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(Capability::parse)
            .collect()
    }

    /// The capability number.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The capability of number `n` (below 64).
    pub fn from_number(n: u8) -> Self {
        Capability(n & 63)
    }

    /// This capability as a set of one (bit n).
    pub fn mask(self) -> u64 {
        self.bit()
    }

    pub(crate) fn bit(self) -> u64 {
        1u64 << self.0
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match CAP_NAMES.get(usize::from(self.0)) {
            Some(name) => f.write_str(name),
            None => write!(f, "CAP_{}", self.0),
        }
    }
}

/// The capability sets of a process, as 64-bit masks (bit n = capability n).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CapSets {
    /// Effective set.
    pub effective: u64,
    /// Permitted set.
    pub permitted: u64,
    /// Inheritable set.
    pub inheritable: u64,
}

impl CapSets {
    /// The sets of the calling thread (capget(2)).
    pub fn current() -> Result<Self, Error> {
        capget().map_err(|source| Error::Sys {
            call: "capget",
            source,
        })
    }

    /// True when no set holds any capability.
    pub fn is_empty(&self) -> bool {
        self.effective == 0 && self.permitted == 0 && self.inheritable == 0
    }

    pub(crate) fn permits(&self, cap: Capability) -> bool {
        self.permitted & cap.bit() != 0
    }
}

/// The highest capability number of the running kernel.
pub(crate) fn last_cap() -> u8 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse::<u8>().ok())
        .filter(|n| *n < 64)
        .unwrap_or(40)
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// capget(2) of the calling thread. Async-signal-safe.
pub(crate) fn capget() -> io::Result<CapSets> {
    let mut header = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: header and a two-element data array, as version 3 requires.
    let r = unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    let join = |lo: u32, hi: u32| u64::from(lo) | (u64::from(hi) << 32);
    Ok(CapSets {
        effective: join(data[0].effective, data[1].effective),
        permitted: join(data[0].permitted, data[1].permitted),
        inheritable: join(data[0].inheritable, data[1].inheritable),
    })
}

/// capset(2) of the calling thread.
pub(crate) fn set_caps(sets: CapSets) -> io::Result<()> {
    capset(sets)
}

/// capset(2) of the calling thread. Async-signal-safe.
pub(crate) fn capset(sets: CapSets) -> io::Result<()> {
    let mut header = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let split = |v: u64| ((v & 0xffff_ffff) as u32, (v >> 32) as u32);
    let (e0, e1) = split(sets.effective);
    let (p0, p1) = split(sets.permitted);
    let (i0, i1) = split(sets.inheritable);
    let data = [
        CapData {
            effective: e0,
            permitted: p0,
            inheritable: i0,
        },
        CapData {
            effective: e1,
            permitted: p1,
            inheritable: i1,
        },
    ];
    // SAFETY: header and a two-element data array, as version 3 requires.
    let r = unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_names_parse_both_ways() {
        assert_eq!(
            Capability::parse("CAP_NET_ADMIN").unwrap(),
            Capability::NET_ADMIN
        );
        assert_eq!(
            Capability::parse("net_bind_service").unwrap(),
            Capability::NET_BIND_SERVICE
        );
        assert_eq!(Capability::parse("cap_setuid").unwrap(), Capability::SETUID);
        assert_eq!(Capability::NET_ADMIN.to_string(), "CAP_NET_ADMIN");
        assert_eq!(Capability::NET_ADMIN.number(), 12);
        assert!(matches!(
            Capability::parse("CAP_FLY"),
            Err(Error::UnknownCapability(ref s)) if s == "CAP_FLY"
        ));
        assert_eq!(
            Capability::parse_list("CAP_NET_ADMIN, cap_net_raw").unwrap(),
            vec![Capability::NET_ADMIN, Capability(13)]
        );
        assert!(Capability::parse_list("").unwrap().is_empty());
    }

    #[test]
    fn every_capability_name_round_trips() {
        for (i, name) in CAP_NAMES.iter().enumerate() {
            let cap = Capability::parse(name).unwrap();
            assert_eq!(usize::from(cap.number()), i);
            assert_eq!(cap.to_string(), *name);
        }
    }

    #[test]
    fn capget_reads_this_process() {
        let caps = CapSets::current().unwrap();
        // Whatever we hold, effective is a subset of permitted.
        assert_eq!(caps.effective & !caps.permitted, 0);
    }
}
