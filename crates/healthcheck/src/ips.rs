//! Which addresses to advertise and to set up on interfaces.
//!
//! The pure part mirrors ExaBGP: without `--ip`, the advertised prefixes are
//! the non-loopback addresses of `lo` whose prefix is a valid network (host
//! bits zero), filtered by `--label`; setting up adds each address of the
//! advertised networks that is not there yet, as a host route, on `lo` or
//! the `--ip-ifname` interface. The I/O part ([`Netlink`]) lists, adds and
//! removes addresses over rtnetlink (or with `sudo ip` under `--sudo`).

use crate::Error;
use futures::TryStreamExt;
use ipnet::IpNet;
use rtnetlink::packet_route::address::{AddressAttribute, AddressMessage};
use std::net::IpAddr;

/// Most addresses one `--ip` network may expand to (set-up, deaggregation).
pub const MAX_EXPANSION: u128 = 65_536;

/// An address found on an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemAddr {
    /// The interface it is on.
    pub ifname: String,
    /// Address and prefix length as the kernel holds them.
    pub addr: IpAddr,
    pub prefix_len: u8,
    /// The IPv4 label (`lo:web1`), if any.
    pub label: Option<String>,
}

/// How `--label` selects addresses.
#[derive(Debug, Clone, Default)]
pub struct LabelMatch {
    pub label: Option<String>,
    pub exact: bool,
}

fn is_loopback(net: &IpNet) -> bool {
    match net {
        IpNet::V4(n) => n.addr().is_loopback() && n.prefix_len() >= 8,
        IpNet::V6(n) => n.addr().is_loopback() && n.prefix_len() == 128,
    }
}

/// ExaBGP's `system_ips`: the advertisable addresses among `found`.
pub fn select(found: &[SystemAddr], m: &LabelMatch, label_only: bool) -> Vec<IpNet> {
    let mut out = Vec::new();
    for a in found {
        let Ok(net) = IpNet::new(a.addr, a.prefix_len) else {
            continue;
        };
        if net.trunc() != net || is_loopback(&net) {
            continue;
        }
        match &m.label {
            Some(want) => {
                let prefix = format!("{}:", a.ifname);
                let Some(have) = a.label.as_deref().and_then(|l| l.strip_prefix(&prefix)) else {
                    continue;
                };
                let have = have.split(['\\', ' ', '\t']).next().unwrap_or("");
                if have.is_empty() {
                    continue;
                }
                let matched = if m.exact {
                    have == want
                } else {
                    have.starts_with(want.as_str())
                };
                if matched {
                    out.push(net);
                }
            }
            None if !label_only || m.label.is_none() => out.push(net),
            None => {}
        }
    }
    out
}

/// Every address of `net` as a host prefix (Python's `for ip in network`).
pub fn hosts(net: &IpNet) -> Result<Vec<IpNet>, Error> {
    let bits = net.max_prefix_len() - net.prefix_len();
    if u32::from(bits) >= 128 || (1u128 << bits) > MAX_EXPANSION {
        return Err(Error::Option(format!(
            "{net} has more than {MAX_EXPANSION} addresses: too many to set up or deaggregate"
        )));
    }
    Ok(match net {
        IpNet::V4(n) => {
            let first = u32::from(n.network());
            (0..(1u32 << bits))
                .map(|i| IpNet::from(IpAddr::from(std::net::Ipv4Addr::from(first + i))))
                .collect()
        }
        IpNet::V6(n) => {
            let first = u128::from(n.network());
            (0..(1u128 << bits))
                .map(|i| IpNet::from(IpAddr::from(std::net::Ipv6Addr::from(first + i))))
                .collect()
        }
    })
}

/// The interface an address goes on: its `--ip-ifname`, else `lo`.
pub fn ifname_for<'a>(ip: &IpNet, ip_ifnames: &'a [(IpNet, String)]) -> &'a str {
    ip_ifnames
        .iter()
        .find(|(n, _)| n == ip)
        .map_or("lo", |(_, i)| i.as_str())
}

/// The interfaces to look at: `lo` and every `--ip-ifname` interface.
pub fn interfaces(ip_ifnames: &[(IpNet, String)]) -> Vec<String> {
    let mut out = vec!["lo".to_string()];
    for (_, i) in ip_ifnames {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

/// The host addresses of `ips` not in `existing` (to add), or in it (to remove).
pub fn difference(ips: &[IpNet], existing: &[IpNet], present: bool) -> Result<Vec<IpNet>, Error> {
    let mut out = Vec::new();
    for net in ips {
        for h in hosts(net)? {
            if existing.contains(&h) == present && !out.contains(&h) {
                out.push(h);
            }
        }
    }
    Ok(out)
}

/// Address management on the system.
pub struct Netlink {
    handle: rtnetlink::Handle,
    sudo: bool,
}

impl Netlink {
    /// Opens the rtnetlink socket (on the current tokio runtime).
    pub fn open(sudo: bool) -> Result<Netlink, Error> {
        let (conn, handle, _) = rtnetlink::new_connection().map_err(Error::Netlink)?;
        tokio::spawn(conn);
        Ok(Netlink { handle, sudo })
    }

    fn handle(&self) -> &rtnetlink::Handle {
        &self.handle
    }

    async fn index(&self, ifname: &str) -> Result<Option<u32>, Error> {
        let mut links = self
            .handle()
            .link()
            .get()
            .match_name(ifname.to_string())
            .execute();
        match links.try_next().await {
            Ok(Some(l)) => Ok(Some(l.header.index)),
            Ok(None) => Ok(None),
            // ENODEV: no such interface
            Err(rtnetlink::Error::NetlinkError(_)) => Ok(None),
            Err(e) => Err(Error::Rtnetlink(e.to_string())),
        }
    }

    /// The addresses on the given interfaces, in kernel order.
    pub async fn addresses(&self, ifnames: &[String]) -> Result<Vec<SystemAddr>, Error> {
        let mut out = Vec::new();
        for ifname in ifnames {
            let Some(index) = self.index(ifname).await? else {
                continue;
            };
            let mut msgs = self
                .handle()
                .address()
                .get()
                .set_link_index_filter(index)
                .execute();
            while let Some(m) = msgs
                .try_next()
                .await
                .map_err(|e| Error::Rtnetlink(e.to_string()))?
            {
                if let Some(a) = system_addr(ifname, &m) {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }

    /// Adds `ip` (a host prefix) on `ifname`, with `IFNAME:LABEL` as label for IPv4.
    pub async fn add(&self, ip: &IpNet, ifname: &str, label: Option<&str>) -> Result<(), Error> {
        if self.sudo {
            return sudo_ip("add", ip, ifname, label);
        }
        let index = self
            .index(ifname)
            .await?
            .ok_or_else(|| Error::Rtnetlink(format!("no interface {ifname}")))?;
        let mut req = self
            .handle()
            .address()
            .add(index, ip.addr(), ip.prefix_len());
        if let (Some(l), IpAddr::V4(_)) = (label, ip.addr()) {
            req.message_mut()
                .attributes
                .push(AddressAttribute::Label(format!("{ifname}:{l}")));
        }
        req.execute()
            .await
            .map_err(|e| Error::Rtnetlink(e.to_string()))
    }

    /// Removes `ip` from `ifname`.
    pub async fn remove(&self, ip: &IpNet, ifname: &str, label: Option<&str>) -> Result<(), Error> {
        if self.sudo {
            return sudo_ip("delete", ip, ifname, label);
        }
        let Some(index) = self.index(ifname).await? else {
            return Ok(());
        };
        let mut msgs = self
            .handle()
            .address()
            .get()
            .set_link_index_filter(index)
            .set_address_filter(ip.addr())
            .set_prefix_length_filter(ip.prefix_len())
            .execute();
        if let Some(m) = msgs
            .try_next()
            .await
            .map_err(|e| Error::Rtnetlink(e.to_string()))?
        {
            return self
                .handle()
                .address()
                .del(m)
                .execute()
                .await
                .map_err(|e| Error::Rtnetlink(e.to_string()));
        }
        Ok(())
    }
}

/// `sudo ip address add|delete IP dev IFNAME [label IFNAME:LABEL]`, as ExaBGP's `--sudo`.
fn sudo_ip(verb: &str, ip: &IpNet, ifname: &str, label: Option<&str>) -> Result<(), Error> {
    let mut cmd = std::process::Command::new("sudo");
    cmd.args(["ip", "address", verb, &ip.to_string(), "dev", ifname]);
    if let Some(l) = label {
        cmd.args(["label", &format!("{ifname}:{l}")]);
    }
    let status = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| Error::Rtnetlink(format!("sudo ip: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Rtnetlink(format!(
            "sudo ip address {verb} {ip}: {status}"
        )))
    }
}

fn system_addr(ifname: &str, m: &AddressMessage) -> Option<SystemAddr> {
    let mut local = None;
    let mut address = None;
    let mut label = None;
    for a in &m.attributes {
        match a {
            AddressAttribute::Local(ip) => local = Some(*ip),
            AddressAttribute::Address(ip) => address = Some(*ip),
            AddressAttribute::Label(l) => label = Some(l.clone()),
            _ => {}
        }
    }
    Some(SystemAddr {
        ifname: ifname.to_string(),
        addr: local.or(address)?,
        prefix_len: m.header.prefix_len,
        label,
    })
}

/// Whether this process may change interface addresses (CAP_NET_ADMIN in
/// its effective set), read from /proc/self/status.
pub fn can_admin_network() -> bool {
    const CAP_NET_ADMIN: u32 = 12;
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << CAP_NET_ADMIN) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(addr: &str, len: u8, label: Option<&str>) -> SystemAddr {
        SystemAddr {
            ifname: "lo".into(),
            addr: addr.parse().unwrap(),
            prefix_len: len,
            label: label.map(str::to_string),
        }
    }

    #[test]
    fn select_skips_loopback_and_host_bits_and_matches_labels() {
        let found = [
            sa("127.0.0.1", 8, Some("lo")),
            sa("::1", 128, None),
            sa("192.0.2.1", 32, Some("lo:web1")),
            sa("192.0.2.2", 32, Some("lo:db")),
            sa("192.0.2.3", 24, Some("lo:web2")),
            sa("198.51.100.0", 24, Some("lo")),
            sa("2001:db8::1", 128, None),
        ];
        let none = LabelMatch::default();
        let got: Vec<String> = select(&found, &none, false)
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(
            got,
            [
                "192.0.2.1/32",
                "192.0.2.2/32",
                "198.51.100.0/24",
                "2001:db8::1/128"
            ]
        );
        let web = LabelMatch {
            label: Some("web".into()),
            exact: false,
        };
        assert_eq!(
            select(&found, &web, false),
            ["192.0.2.1/32".parse::<IpNet>().unwrap()]
        );
        let exact = LabelMatch {
            label: Some("web".into()),
            exact: true,
        };
        assert!(select(&found, &exact, false).is_empty());
    }

    #[test]
    fn hosts_expand_networks_with_a_bound() {
        let h = hosts(&"192.0.2.0/30".parse().unwrap()).unwrap();
        assert_eq!(h.len(), 4);
        assert_eq!(h[3].to_string(), "192.0.2.3/32");
        assert!(hosts(&"10.0.0.0/8".parse().unwrap()).is_err());
        assert!(hosts(&"::/0".parse().unwrap()).is_err());
        let existing = ["192.0.2.1/32".parse().unwrap()];
        let add = difference(&["192.0.2.0/31".parse().unwrap()], &existing, false).unwrap();
        assert_eq!(add, ["192.0.2.0/32".parse::<IpNet>().unwrap()]);
        let del = difference(&["192.0.2.0/31".parse().unwrap()], &existing, true).unwrap();
        assert_eq!(del, existing);
    }

    #[test]
    fn interface_for_an_address() {
        let pairs = vec![("192.0.2.1/32".parse().unwrap(), "eth1".to_string())];
        assert_eq!(ifname_for(&"192.0.2.1/32".parse().unwrap(), &pairs), "eth1");
        assert_eq!(ifname_for(&"192.0.2.2/32".parse().unwrap(), &pairs), "lo");
        assert_eq!(interfaces(&pairs), ["lo", "eth1"]);
    }
}
