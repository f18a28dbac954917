//! The command line and configuration file of `ferrobgp healthcheck`:
//! ExaBGP 5.0.15's healthcheck options, with the same names, short forms,
//! defaults and file format (one `option = value` or `flag` per line, `#`
//! comments, the file read first and the command line after it, so the
//! command line wins).

use crate::announce::{Announce, Neighbor};
use crate::Error;
use clap::Parser;
use ipnet::IpNet;
use std::net::IpAddr;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  In a `process` block of the configuration (replaces `exabgp healthcheck`):
    process watch-haproxy {
        run ferrobgp healthcheck --cmd \"curl -sf http://127.0.0.1/health\" --ip 192.0.2.10 --no-syslog;
        encoder text;
    }
  Withdraw instead of raising the MED, two addresses, 2 checks to go up:
    ferrobgp healthcheck -c 'nc -z 127.0.0.1 80' --ip 192.0.2.10 --ip 192.0.2.11 \\
        --rise 2 --withdraw-on-down --disable /etc/ferrobgp/maintenance
  With a file (one `option = value` or `flag` per line):
    ferrobgp healthcheck --config /etc/ferrobgp/healthcheck.conf

States: INIT, RISING, FALLING, UP, DOWN, DISABLED, EXIT (signal: withdraw), END
(--interval 0: stop, routes stay). UP, DOWN and DISABLED announce on every
check unless --debounce; --execute hooks see the new state in $STATE.";

/// Announce service addresses over BGP depending on a health check
/// (a native replacement for `exabgp healthcheck`, same options).
#[derive(Parser, Debug, Clone)]
#[command(
    name = "healthcheck",
    bin_name = "ferrobgp healthcheck",
    args_override_self = true,
    infer_long_args = true,
    after_help = EXAMPLES
)]
pub struct Options {
    /// Don't log to the console.
    #[arg(short = 's', long, conflicts_with = "no_syslog")]
    pub silent: bool,
    /// Log to syslog using FACILITY (default: daemon). Given as `-sF` too.
    #[arg(long, value_name = "FACILITY", num_args = 0..=1, default_missing_value = "daemon",
          conflicts_with_all = ["silent", "no_syslog"])]
    pub syslog_facility: Option<String>,
    /// Disable syslog logging.
    #[arg(long)]
    pub no_syslog: bool,
    /// Enable debugging (also disables syslog).
    #[arg(short, long)]
    pub debug: bool,
    /// Don't wait for an acknowledgement after each line (exabgp.api.ack=false).
    #[arg(short = 'a', long)]
    pub no_ack: bool,
    /// Use sudo and the `ip` command to set up addresses (instead of netlink).
    #[arg(long)]
    pub sudo: bool,
    /// Name for this healthchecker (in syslog: healthcheck-NAME).
    #[arg(short, long, value_name = "NAME")]
    pub name: Option<String>,
    /// Read options from a file (`option = value` lines; the command line wins).
    #[arg(short = 'F', long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the PID to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub pid: Option<PathBuf>,
    /// Set user after setting IP addresses.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Set group after setting IP addresses.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,

    /// Wait N seconds between each healthcheck (zero to exit after first announcement).
    #[arg(
        short,
        long,
        value_name = "N",
        default_value_t = 5.0,
        help_heading = "Checking healthiness"
    )]
    pub interval: f64,
    /// When a state change is about to occur, wait N seconds between each healthcheck.
    #[arg(
        short = 'f',
        long = "fast-interval",
        value_name = "N",
        default_value_t = 1.0,
        help_heading = "Checking healthiness"
    )]
    pub fast: f64,
    /// Wait N seconds for the check command to execute (0: no limit).
    #[arg(
        short,
        long,
        value_name = "N",
        default_value_t = 5,
        help_heading = "Checking healthiness"
    )]
    pub timeout: i64,
    /// Check N times before considering the service up.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 3,
        help_heading = "Checking healthiness"
    )]
    pub rise: i64,
    /// Check N times before considering the service down.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 3,
        help_heading = "Checking healthiness"
    )]
    pub fall: i64,
    /// If FILE exists, the service is considered disabled.
    #[arg(long, value_name = "FILE", help_heading = "Checking healthiness")]
    pub disable: Option<PathBuf>,
    /// Command to use for healthcheck (run with /bin/sh -c; no command: always healthy).
    #[arg(
        short = 'c',
        long,
        visible_alias = "cmd",
        value_name = "CMD",
        help_heading = "Checking healthiness"
    )]
    pub command: Option<String>,

    /// Self IP address to use as next hop.
    #[arg(
        short = 'N',
        long,
        value_name = "IP",
        help_heading = "Advertising options"
    )]
    pub next_hop: Option<IpAddr>,
    /// Advertise this IP address or network (CIDR notation); repeatable.
    /// Without --ip: the addresses of `lo` (matching --label).
    #[arg(long = "ip", value_name = "IP", value_parser = parse_network,
          help_heading = "Advertising options")]
    pub ips: Vec<IpNet>,
    /// Bind this IP address or network (CIDR) to the given interface (192.0.2.1%eth0).
    #[arg(
        long = "ip-ifname",
        value_name = "IP%IFNAME",
        help_heading = "Advertising options"
    )]
    pub ip_ifnames: Vec<String>,
    /// Advertise with local preference P.
    #[arg(long, value_name = "P", default_value_t = -1, allow_negative_numbers = true,
          help_heading = "Advertising options")]
    pub local_preference: i64,
    /// Deaggregate networks specified in --ip (one route per address).
    #[arg(long, help_heading = "Advertising options")]
    pub deaggregate_networks: bool,
    /// Don't set up missing IP addresses.
    #[arg(long, help_heading = "Advertising options")]
    pub no_ip_setup: bool,
    /// Delete set-up addresses on state down and disabled, then restore them when up.
    #[arg(long = "dynamic-ip-setup", help_heading = "Advertising options")]
    pub ip_dynamic: bool,
    /// Use the provided label to match set-up IP addresses (lo:LABEL...).
    #[arg(long, help_heading = "Advertising options")]
    pub label: Option<String>,
    /// Match the label exactly, not as a prefix.
    #[arg(long, help_heading = "Advertising options")]
    pub label_exact_match: bool,
    /// Index of the first IP in the list of IP addresses.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true,
        help_heading = "Advertising options"
    )]
    pub start_ip: i64,
    /// First IP gets the metric M when the service is up.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 100,
        allow_negative_numbers = true,
        help_heading = "Advertising options"
    )]
    pub up_metric: i64,
    /// First IP gets the metric M when the service is down.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 1000,
        allow_negative_numbers = true,
        help_heading = "Advertising options"
    )]
    pub down_metric: i64,
    /// First IP gets the metric M when the service is disabled.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 500,
        allow_negative_numbers = true,
        help_heading = "Advertising options"
    )]
    pub disabled_metric: i64,
    /// For each additional IP address, increase metric value by M.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 1,
        allow_negative_numbers = true,
        help_heading = "Advertising options"
    )]
    pub increase: i64,
    /// Announce IPs with the supplied community.
    #[arg(long, value_name = "COMMUNITY", value_parser = attribute_value,
          help_heading = "Advertising options")]
    pub community: Option<String>,
    /// Announce IPs with the supplied extended community.
    #[arg(long, value_name = "EXTENDEDCOMMUNITY", value_parser = attribute_value,
          help_heading = "Advertising options")]
    pub extended_community: Option<String>,
    /// Announce IPs with the supplied large community.
    #[arg(long, value_name = "LARGECOMMUNITY", value_parser = attribute_value,
          help_heading = "Advertising options")]
    pub large_community: Option<String>,
    /// Announce IPs with the supplied community when down or disabled.
    #[arg(long, value_name = "DISABLEDCOMMUNITY", value_parser = attribute_value,
          help_heading = "Advertising options")]
    pub disabled_community: Option<String>,
    /// Announce IPs with the supplied as-path.
    #[arg(long, value_name = "ASPATH", value_parser = attribute_value,
          help_heading = "Advertising options")]
    pub as_path: Option<String>,
    /// Announce IPs with the supplied as-path when the service is up.
    #[arg(long, value_name = "ASPATH", value_parser = attribute_value,
          help_heading = "Advertising options")]
    pub up_as_path: Option<String>,
    /// Announce IPs with the supplied as-path when the service is down.
    #[arg(long, value_name = "ASPATH", value_parser = attribute_value,
          help_heading = "Advertising options")]
    pub down_as_path: Option<String>,
    /// Announce IPs with the supplied as-path when the service is disabled.
    #[arg(long, value_name = "ASPATH", value_parser = attribute_value,
          help_heading = "Advertising options")]
    pub disabled_as_path: Option<String>,
    /// Instead of increasing the metric on health failure, withdraw the route.
    #[arg(long, help_heading = "Advertising options")]
    pub withdraw_on_down: bool,
    /// Path ID to advertise for the route.
    #[arg(
        long,
        value_name = "PATHID",
        allow_negative_numbers = true,
        help_heading = "Advertising options"
    )]
    pub path_id: Option<i64>,
    /// Advertise the route to the selected neighbors (* for all); repeatable.
    #[arg(long = "neighbor", value_name = "NEIGHBOR", value_parser = parse_neighbor,
          help_heading = "Advertising options")]
    pub neighbors: Vec<Neighbor>,
    /// Announce only on state changes, instead of every iteration.
    #[arg(long, help_heading = "Advertising options")]
    pub debounce: bool,

    /// Execute CMD on state change (STATE=<new state> in its environment); repeatable.
    #[arg(long, value_name = "CMD", help_heading = "Reporting")]
    pub execute: Vec<String>,
    /// Execute CMD when the service becomes available.
    #[arg(long, value_name = "CMD", help_heading = "Reporting")]
    pub up_execute: Vec<String>,
    /// Execute CMD when the service becomes unavailable.
    #[arg(long, value_name = "CMD", help_heading = "Reporting")]
    pub down_execute: Vec<String>,
    /// Execute CMD when the service is disabled.
    #[arg(long, value_name = "CMD", help_heading = "Reporting")]
    pub disabled_execute: Vec<String>,
}

/// A network as Python's `ip_network`: a bare address is a host route,
/// host bits must be zero.
pub fn parse_network(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    let net: IpNet = match s.parse::<IpAddr>() {
        Ok(a) => IpNet::from(a),
        Err(_) => s
            .parse()
            .map_err(|_| format!("'{s}' does not appear to be an IPv4 or IPv6 network"))?,
    };
    if net.trunc() != net {
        return Err(format!("{s} has host bits set"));
    }
    Ok(net)
}

fn parse_neighbor(s: &str) -> Result<Neighbor, String> {
    if s.trim() == "*" {
        return Ok(Neighbor::All);
    }
    s.parse()
        .map(Neighbor::Addr)
        .map_err(|_| format!("'{s}' does not appear to be an IPv4 or IPv6 address"))
}

/// Attribute text is spliced into one API line: no control characters
/// (a newline would make it several commands).
fn attribute_value(s: &str) -> Result<String, String> {
    match s.chars().find(|&c| c != '\t' && c.is_control()) {
        Some(c) => Err(format!("{s:?} contains the control character {c:?}")),
        None => Ok(s.to_string()),
    }
}

/// ExaBGP's `-sF` (a two-letter short option) spelled the clap way.
pub fn normalise_argv(args: impl IntoIterator<Item = String>) -> Vec<String> {
    args.into_iter()
        .map(|a| match a.as_str() {
            "-sF" => "--syslog-facility".to_string(),
            _ => match a.strip_prefix("-sF") {
                Some(rest) => format!("--syslog-facility={rest}"),
                None => a,
            },
        })
        .collect()
}

/// The command-line words a configuration file stands for: each line
/// that is neither blank nor a `#` comment becomes `--NAME` or
/// `--NAME VALUE` (split at the first `=`).
pub fn config_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let word = format!("--{line}");
        match word.split_once('=') {
            Some((k, v)) => {
                out.push(k.trim().to_string());
                out.push(v.trim().to_string());
            }
            None => out.push(word.trim().to_string()),
        }
    }
    out
}

impl Options {
    /// Parses `argv` (without the program and subcommand names), reading
    /// `--config` first when given, as ExaBGP does.
    pub fn from_args(argv: &[String]) -> Result<Options, clap::Error> {
        let argv = normalise_argv(argv.iter().cloned());
        let head = std::iter::once("healthcheck".to_string());
        let first = Options::try_parse_from(head.clone().chain(argv.iter().cloned()))?;
        first.with_config(&argv)
    }

    /// Re-parses with the configuration file's words before `argv`.
    pub fn with_config(self, argv: &[String]) -> Result<Options, clap::Error> {
        let Some(path) = &self.config else {
            return Ok(self);
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            clap::Error::raw(
                clap::error::ErrorKind::Io,
                format!("can't open '{}': {e}\n", path.display()),
            )
        })?;
        let words = config_words(&text);
        let head = std::iter::once("healthcheck".to_string());
        Options::try_parse_from(
            head.chain(words)
                .chain(normalise_argv(argv.iter().cloned())),
        )
    }

    /// The `--ip-ifname` pairs, checked as ExaBGP checks them.
    pub fn ip_ifnames(&self) -> Result<Vec<(IpNet, String)>, Error> {
        let mut out: Vec<(IpNet, String)> = Vec::new();
        for val in &self.ip_ifnames {
            let parts: Vec<&str> = val.split('%').collect();
            let [ip, ifname] = parts[..] else {
                return Err(Error::Option(format!(
                    "Expected IP to IFNAME parameter: <ip_address>%<ifname>, got '{val}'"
                )));
            };
            let ip = parse_network(ip).map_err(Error::Option)?;
            if !self.ips.contains(&ip) {
                return Err(Error::Option(format!(
                    "No 'ip' parameter has been defined for the ip_ifname pair '{val}'"
                )));
            }
            let valid = (1..=15).contains(&ifname.len())
                && ifname
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c));
            if !valid {
                return Err(Error::Option(format!(
                    "Expected NIC interface name but got '{ifname}'"
                )));
            }
            out.retain(|(n, _)| *n != ip);
            out.push((ip, ifname.to_string()));
        }
        Ok(out)
    }

    /// The line builder's settings, for the final prefix list `ips`.
    pub fn announce(&self, ips: Vec<IpNet>) -> Announce {
        Announce {
            ips,
            next_hop: self.next_hop,
            neighbors: self.neighbors.clone(),
            up_metric: self.up_metric,
            down_metric: self.down_metric,
            disabled_metric: self.disabled_metric,
            increase: self.increase,
            local_preference: self.local_preference,
            community: self.community.clone(),
            disabled_community: self.disabled_community.clone(),
            extended_community: self.extended_community.clone(),
            large_community: self.large_community.clone(),
            as_path: self.as_path.clone(),
            up_as_path: self.up_as_path.clone(),
            down_as_path: self.down_as_path.clone(),
            disabled_as_path: self.disabled_as_path.clone(),
            withdraw_on_down: self.withdraw_on_down,
            path_id: self.path_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, clap::Error> {
        Options::from_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults_are_exabgps() {
        let o = parse(&[]).unwrap();
        assert_eq!(
            (o.interval, o.fast, o.timeout, o.rise, o.fall),
            (5.0, 1.0, 5, 3, 3)
        );
        assert_eq!(
            (o.up_metric, o.down_metric, o.disabled_metric, o.increase),
            (100, 1000, 500, 1)
        );
        assert_eq!((o.local_preference, o.start_ip), (-1, 0));
        assert!(!o.no_ip_setup && !o.ip_dynamic && !o.no_ack && o.path_id.is_none());
    }

    #[test]
    fn short_forms_aliases_and_repeats() {
        let o = parse(&[
            "-c",
            "true",
            "--cmd",
            "false",
            "-i",
            "2",
            "-f",
            "0.5",
            "-t",
            "1",
            "-N",
            "192.0.2.254",
            "--ip",
            "192.0.2.1",
            "--ip",
            "2001:db8::/64",
            "-sF",
            "local0",
            "-a",
            "-d",
            "--neighbor",
            "*",
            "--local-preference",
            "-1",
        ])
        .unwrap();
        assert_eq!(o.command.as_deref(), Some("false"));
        assert_eq!((o.interval, o.fast, o.timeout), (2.0, 0.5, 1));
        assert_eq!(o.ips.len(), 2);
        assert_eq!(o.ips[0].to_string(), "192.0.2.1/32");
        assert_eq!(o.syslog_facility.as_deref(), Some("local0"));
        assert!(o.no_ack && o.debug);
        assert_eq!(o.neighbors, [Neighbor::All]);
    }

    #[test]
    fn invalid_values_are_refused() {
        assert!(parse(&["--ip", "192.0.2.1/24"]).is_err());
        assert!(parse(&["--community", "1:1\nneighbor * withdraw"]).is_err());
        assert!(parse(&["--neighbor", "nope"]).is_err());
        assert!(parse(&["--silent", "--no-syslog"]).is_err());
        let o = parse(&["--ip", "192.0.2.1", "--ip-ifname", "192.0.2.2%eth0"]).unwrap();
        assert!(o.ip_ifnames().is_err());
        let o = parse(&["--ip", "192.0.2.1", "--ip-ifname", "192.0.2.1%eth 0"]).unwrap();
        assert!(o.ip_ifnames().is_err());
        let o = parse(&["--ip", "192.0.2.1", "--ip-ifname", "192.0.2.1%eth0"]).unwrap();
        assert_eq!(o.ip_ifnames().unwrap()[0].1, "eth0");
    }

    #[test]
    fn config_file_first_command_line_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hc.conf");
        std::fs::write(
            &path,
            "# a comment\n\ndebug\nname = haproxy\ninterval = 10\n  fast-interval = 1\n\
             command = curl -sf http://127.0.0.1/healthcheck?a=b\nip = 192.0.2.1\n",
        )
        .unwrap();
        let p = path.to_str().unwrap();
        let o = parse(&["--config", p, "--interval", "3"]).unwrap();
        assert!(o.debug);
        assert_eq!(o.name.as_deref(), Some("haproxy"));
        assert_eq!(o.interval, 3.0);
        assert_eq!(
            o.command.as_deref(),
            Some("curl -sf http://127.0.0.1/healthcheck?a=b")
        );
        assert_eq!(o.ips.len(), 1);
        assert_eq!(
            config_words("command = a = b\nno-ack\n"),
            ["--command", "a = b", "--no-ack"]
        );
    }
}
