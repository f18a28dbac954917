//! Socket options of a BGP TCP connection, set with `setsockopt` on the raw
//! descriptor: TCP-MD5 signatures (RFC 2385, `md5-password`), IP_TTL /
//! IPV6_UNICAST_HOPS (`outgoing-ttl`), IP_MINTTL / IPV6_MINHOPCOUNT (GTSM,
//! `incoming-ttl`) and SO_BINDTODEVICE (`source-interface`).

use crate::error::{Error, Result};
use std::net::IpAddr;
use std::os::fd::{AsRawFd, BorrowedFd};

/// Longest TCP-MD5 key the kernel accepts.
pub const MD5_MAX_KEY_LEN: usize = 80;

/// `struct tcp_md5sig` of linux/tcp.h.
#[repr(C)]
struct TcpMd5Sig {
    addr: libc::sockaddr_storage,
    flags: u8,
    prefixlen: u8,
    keylen: u16,
    ifindex: libc::c_int,
    key: [u8; MD5_MAX_KEY_LEN],
}

fn setsockopt<T>(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
    what: &str,
) -> Result<()> {
    // SAFETY: `value` points to a live T of the given size for the duration
    // of the call; the kernel copies it.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::io(what, std::io::Error::last_os_error()))
    }
}

/// Installs the TCP-MD5 key for connections to/from `peer`.
pub fn set_md5(fd: BorrowedFd<'_>, peer: IpAddr, key: &[u8]) -> Result<()> {
    if key.len() > MD5_MAX_KEY_LEN {
        return Err(Error::Config(format!(
            "md5 key of {} bytes, at most {MD5_MAX_KEY_LEN} allowed",
            key.len()
        )));
    }
    // SAFETY: sockaddr_storage is plain old data; all-zero is valid.
    let mut sig: TcpMd5Sig = unsafe { std::mem::zeroed() };
    match peer {
        IpAddr::V4(a) => {
            // SAFETY: sockaddr_storage is large enough and suitably aligned
            // for sockaddr_in.
            let sin = unsafe { &mut *(&mut sig.addr as *mut _ as *mut libc::sockaddr_in) };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_addr.s_addr = u32::from_ne_bytes(a.octets());
        }
        IpAddr::V6(a) => {
            // SAFETY: as above, for sockaddr_in6.
            let sin6 = unsafe { &mut *(&mut sig.addr as *mut _ as *mut libc::sockaddr_in6) };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_addr.s6_addr = a.octets();
        }
    }
    sig.keylen = key.len() as u16;
    sig.key[..key.len()].copy_from_slice(key);
    setsockopt(
        fd,
        libc::IPPROTO_TCP,
        libc::TCP_MD5SIG,
        &sig,
        "setsockopt TCP_MD5SIG",
    )
}

/// TTL (IPv4) or hop limit (IPv6) of packets we send.
pub fn set_ttl(fd: BorrowedFd<'_>, v6: bool, ttl: u8) -> Result<()> {
    let v = libc::c_int::from(ttl);
    if v6 {
        setsockopt(
            fd,
            libc::IPPROTO_IPV6,
            libc::IPV6_UNICAST_HOPS,
            &v,
            "setsockopt IPV6_UNICAST_HOPS",
        )
    } else {
        setsockopt(fd, libc::IPPROTO_IP, libc::IP_TTL, &v, "setsockopt IP_TTL")
    }
}

/// Minimum TTL / hop limit of packets we accept (GTSM, RFC 5082).
pub fn set_min_ttl(fd: BorrowedFd<'_>, v6: bool, ttl: u8) -> Result<()> {
    let v = libc::c_int::from(ttl);
    if v6 {
        setsockopt(
            fd,
            libc::IPPROTO_IPV6,
            libc::IPV6_MINHOPCOUNT,
            &v,
            "setsockopt IPV6_MINHOPCOUNT",
        )
    } else {
        setsockopt(
            fd,
            libc::IPPROTO_IP,
            libc::IP_MINTTL,
            &v,
            "setsockopt IP_MINTTL",
        )
    }
}

/// Binds the socket to a network interface.
pub fn bind_to_device(fd: BorrowedFd<'_>, interface: &str) -> Result<()> {
    let name = interface.as_bytes();
    // SAFETY: the pointer and length describe `name`, valid for the call.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_BINDTODEVICE,
            name.as_ptr().cast(),
            name.len() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::io(
            format!("setsockopt SO_BINDTODEVICE {interface}"),
            std::io::Error::last_os_error(),
        ))
    }
}

/// Decodes standard base64 (with or without padding); `None` when invalid.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c)? << (18 - 6 * i);
        }
        let n = chunk.len() - 1;
        for i in 0..n {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, TcpListener};
    use std::os::fd::AsFd;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("c2VjcmV0").unwrap(), b"secret");
        assert_eq!(base64_decode("c2VjcmV0MQ==").unwrap(), b"secret1");
        assert_eq!(base64_decode("c2VjcmV0MTI=").unwrap(), b"secret12");
        assert!(base64_decode("c2V*").is_none());
        assert!(base64_decode("a").is_none());
    }

    #[test]
    fn ttl_options_are_set_on_a_real_socket() {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        set_ttl(l.as_fd(), false, 7).unwrap();
        assert_eq!(l.ttl().unwrap(), 7);
        set_min_ttl(l.as_fd(), false, 254).unwrap();
        let mut v: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: v and len are valid for the call.
        let rc = unsafe {
            libc::getsockopt(
                l.as_raw_fd(),
                libc::IPPROTO_IP,
                libc::IP_MINTTL,
                (&mut v as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        assert_eq!(rc, 0);
        assert_eq!(v, 254);
    }

    #[test]
    fn md5_key_is_accepted_by_the_kernel_or_length_refused() {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        assert!(matches!(
            set_md5(l.as_fd(), IpAddr::V4(Ipv4Addr::LOCALHOST), &[0u8; 81]),
            Err(Error::Config(_))
        ));
        // Kernels built without CONFIG_TCP_MD5SIG answer ENOPROTOOPT.
        match set_md5(l.as_fd(), IpAddr::V4(Ipv4Addr::LOCALHOST), b"secret") {
            Ok(()) => {}
            Err(Error::Io { source, .. }) => {
                assert_eq!(source.raw_os_error(), Some(libc::ENOPROTOOPT))
            }
            Err(e) => panic!("{e}"),
        }
    }
}
