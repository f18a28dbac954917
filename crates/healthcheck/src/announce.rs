//! The API lines ExaBGP's healthcheck writes for a state, without I/O.
//!
//! One line per advertised prefix, in the order of the `--ip` list (after
//! `--start-ip` rotation); the first prefix gets the state's metric as MED
//! and each next one `--increase` more. UP, DOWN and DISABLED announce (DOWN
//! and DISABLED withdraw instead with `--withdraw-on-down`), EXIT withdraws;
//! the other states write nothing.

use crate::machine::State;
use ipnet::IpNet;
use std::net::IpAddr;

/// Which neighbors the lines address (`--neighbor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Neighbor {
    /// `*`: every neighbor.
    All,
    /// One neighbor address.
    Addr(IpAddr),
}

/// Everything that shapes the lines, taken from the options.
#[derive(Debug, Clone, Default)]
pub struct Announce {
    /// The prefixes, already rotated and deaggregated.
    pub ips: Vec<IpNet>,
    /// `--next-hop` (`self` when absent).
    pub next_hop: Option<IpAddr>,
    /// `--neighbor` list.
    pub neighbors: Vec<Neighbor>,
    pub up_metric: i64,
    pub down_metric: i64,
    pub disabled_metric: i64,
    pub increase: i64,
    /// Negative: no local-preference.
    pub local_preference: i64,
    pub community: Option<String>,
    pub disabled_community: Option<String>,
    pub extended_community: Option<String>,
    pub large_community: Option<String>,
    pub as_path: Option<String>,
    pub up_as_path: Option<String>,
    pub down_as_path: Option<String>,
    pub disabled_as_path: Option<String>,
    pub withdraw_on_down: bool,
    /// Zero or absent: no path-information.
    pub path_id: Option<i64>,
}

/// Python truthiness of an optional string: present and not empty.
fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl Announce {
    /// The `neighbor ...` prefix of every line.
    fn target(&self) -> String {
        let all = self.neighbors.is_empty() || self.neighbors.contains(&Neighbor::All);
        if all {
            return "neighbor *".into();
        }
        self.neighbors
            .iter()
            .filter_map(|n| match n {
                Neighbor::Addr(a) => Some(format!("neighbor {a}")),
                Neighbor::All => None,
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The lines for `state`, empty for states that send nothing.
    pub fn lines(&self, state: State) -> Vec<String> {
        let (mut metric, as_path) = match state {
            State::Up => (self.up_metric, given(&self.up_as_path)),
            State::Down => (self.down_metric, given(&self.down_as_path)),
            State::Disabled => (self.disabled_metric, given(&self.disabled_as_path)),
            State::Exit => (0, None),
            _ => return Vec::new(),
        };
        let as_path = as_path.or(given(&self.as_path));
        let target = self.target();
        let next_hop = self
            .next_hop
            .map_or_else(|| "self".to_string(), |a| a.to_string());
        let mut out = Vec::with_capacity(self.ips.len());
        for ip in &self.ips {
            let announce = if self.withdraw_on_down || state == State::Exit {
                state == State::Up
            } else {
                true
            };
            let action = if announce { "announce" } else { "withdraw" };
            let mut line = format!("{target} {action} route {ip} next-hop {next_hop}");
            if announce {
                line.push_str(&format!(" med {metric}"));
                if self.local_preference >= 0 {
                    line.push_str(&format!(" local-preference {}", self.local_preference));
                }
                let mut community = given(&self.community);
                if matches!(state, State::Down | State::Disabled) {
                    if let Some(c) = given(&self.disabled_community) {
                        community = Some(c);
                    }
                }
                if let Some(c) = community {
                    line.push_str(&format!(" community [ {c} ]"));
                }
                if let Some(c) = given(&self.extended_community) {
                    line.push_str(&format!(" extended-community [ {c} ]"));
                }
                if let Some(c) = given(&self.large_community) {
                    line.push_str(&format!(" large-community [ {c} ]"));
                }
                if let Some(p) = as_path {
                    line.push_str(&format!(" as-path [ {p} ]"));
                }
            }
            if let Some(id) = self.path_id.filter(|&id| id != 0) {
                line.push_str(&format!(" path-information {id}"));
            }
            metric = metric.wrapping_add(self.increase);
            out.push(line);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Announce {
        Announce {
            ips: vec![
                "192.0.2.1/32".parse().unwrap(),
                "2001:db8::/64".parse().unwrap(),
            ],
            up_metric: 100,
            down_metric: 1000,
            disabled_metric: 500,
            increase: 1,
            local_preference: -1,
            ..Announce::default()
        }
    }

    #[test]
    fn up_down_disabled_announce_with_increasing_med() {
        let a = base();
        assert_eq!(
            a.lines(State::Up),
            [
                "neighbor * announce route 192.0.2.1/32 next-hop self med 100",
                "neighbor * announce route 2001:db8::/64 next-hop self med 101",
            ]
        );
        assert_eq!(
            a.lines(State::Down)[0],
            "neighbor * announce route 192.0.2.1/32 next-hop self med 1000"
        );
        assert_eq!(
            a.lines(State::Disabled)[1],
            "neighbor * announce route 2001:db8::/64 next-hop self med 501"
        );
        for s in [State::Init, State::Rising, State::Falling, State::End] {
            assert!(a.lines(s).is_empty(), "{s}");
        }
    }

    #[test]
    fn exit_withdraws_and_withdraw_on_down_withdraws_down_and_disabled() {
        let mut a = base();
        a.path_id = Some(7);
        assert_eq!(
            a.lines(State::Exit)[0],
            "neighbor * withdraw route 192.0.2.1/32 next-hop self path-information 7"
        );
        a.withdraw_on_down = true;
        a.path_id = Some(0);
        assert_eq!(
            a.lines(State::Down)[0],
            "neighbor * withdraw route 192.0.2.1/32 next-hop self"
        );
        assert_eq!(
            a.lines(State::Disabled)[0],
            "neighbor * withdraw route 192.0.2.1/32 next-hop self"
        );
        assert!(a.lines(State::Up)[0].contains(" announce "));
    }

    #[test]
    fn attributes_in_exabgp_order_and_per_state() {
        let mut a = base();
        a.ips.truncate(1);
        a.next_hop = Some("198.51.100.1".parse().unwrap());
        a.neighbors = vec![
            Neighbor::Addr("10.0.0.1".parse().unwrap()),
            Neighbor::Addr("10.0.0.2".parse().unwrap()),
        ];
        a.local_preference = 0;
        a.community = Some("65000:1".into());
        a.disabled_community = Some("65000:666".into());
        a.extended_community = Some("target:65000:1".into());
        a.large_community = Some("65000:1:1".into());
        a.as_path = Some("65000".into());
        a.down_as_path = Some("65000 65000 65000".into());
        a.path_id = Some(3);
        assert_eq!(
            a.lines(State::Up),
            ["neighbor 10.0.0.1, neighbor 10.0.0.2 announce route 192.0.2.1/32 next-hop 198.51.100.1 \
              med 100 local-preference 0 community [ 65000:1 ] extended-community [ target:65000:1 ] \
              large-community [ 65000:1:1 ] as-path [ 65000 ] path-information 3"]
        );
        let down = &a.lines(State::Down)[0];
        assert!(down.contains("community [ 65000:666 ]"), "{down}");
        assert!(down.contains("as-path [ 65000 65000 65000 ]"), "{down}");
        // a `*` anywhere in the list means every neighbor
        a.neighbors.push(Neighbor::All);
        assert!(a.lines(State::Up)[0].starts_with("neighbor * announce"));
        // empty strings count as absent, as in Python
        a.community = Some(String::new());
        a.disabled_community = None;
        assert!(!a.lines(State::Up)[0].contains(" community"));
    }
}
