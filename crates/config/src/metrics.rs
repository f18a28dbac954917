//! ferrobgp's own metrics settings (`ferrobgp.metrics.*`): whether the
//! supervisor serves Prometheus/OpenMetrics text on `GET /metrics`, and
//! where. Off by default; when on, it listens on the loopback address
//! unless told otherwise, like `exabgp.tcp.bind`/`exabgp.tcp.port` for BGP.
//!
//! Spellings, as for ExaBGP's settings: `ferrobgp.metrics.enable`,
//! `ferrobgp_metrics_enable`, or `enable = true` under
//! `[ferrobgp.metrics]` in the settings file; likewise `bind` and `port`.

use crate::setting_value::SettingValue;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The metrics endpoint's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsSettings {
    /// Serve `GET /metrics` (default: false).
    pub enable: bool,
    /// The address to listen on (default: 127.0.0.1).
    pub bind: IpAddr,
    /// The TCP port (default: 9179).
    pub port: u16,
}

/// The default port: BGP's 179 in the 9xxx range exporters use.
pub const DEFAULT_PORT: u16 = 9179;

impl Default for MetricsSettings {
    fn default() -> MetricsSettings {
        MetricsSettings {
            enable: false,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
        }
    }
}

/// Every metrics key, as documented (`ferrobgp.metrics.<key>`).
pub const KEYS: [&str; 3] = ["enable", "bind", "port"];

impl MetricsSettings {
    /// Where to listen, `None` when the endpoint is off.
    pub fn listen(&self) -> Option<SocketAddr> {
        self.enable.then_some(SocketAddr::new(self.bind, self.port))
    }

    /// Sets `key` (after `ferrobgp.metrics.`) from its textual value.
    /// `None` when the key does not exist.
    pub fn set(&mut self, key: &str, raw: &str) -> Option<Result<(), String>> {
        match key {
            "enable" => Some(bool::parse_setting(raw).map(|v| self.enable = v)),
            "bind" => Some(
                raw.trim()
                    .trim_matches(|c| c == '\'' || c == '"')
                    .parse::<IpAddr>()
                    .map(|v| self.bind = v)
                    .map_err(|_| format!("invalid value \"{raw}\": expected an IP address")),
            ),
            "port" => Some(match u16::parse_setting(raw) {
                Ok(p) if p > 0 => {
                    self.port = p;
                    Ok(())
                }
                _ => Err(format!(
                    "invalid value \"{raw}\": expected a port number 1..65535"
                )),
            }),
            _ => None,
        }
    }

    /// The settings as `("ferrobgp.metrics.key", value)`.
    pub fn entries(&self) -> Vec<(String, String)> {
        vec![
            ("ferrobgp.metrics.enable".to_string(), self.enable.show()),
            ("ferrobgp.metrics.bind".to_string(), self.bind.to_string()),
            ("ferrobgp.metrics.port".to_string(), self.port.to_string()),
        ]
    }
}

/// The metrics key of an environment variable or settings-file path
/// (`ferrobgp.metrics.port`, `ferrobgp_metrics_port`), `None` when the
/// name is not in that namespace.
pub fn metrics_key(name: &str) -> Option<&str> {
    name.strip_prefix("ferrobgp.metrics.")
        .or_else(|| name.strip_prefix("ferrobgp_metrics_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_by_default_loopback_when_on() {
        let mut m = MetricsSettings::default();
        assert_eq!(m.listen(), None);
        assert_eq!(m.set("enable", "true"), Some(Ok(())));
        assert_eq!(m.listen(), Some("127.0.0.1:9179".parse().unwrap()));
        assert_eq!(m.set("bind", "'::1'"), Some(Ok(())));
        assert_eq!(m.set("port", "9300"), Some(Ok(())));
        assert_eq!(m.listen(), Some("[::1]:9300".parse().unwrap()));
        assert!(m.set("port", "0").unwrap().is_err());
        assert!(m.set("bind", "localhost").unwrap().is_err());
        assert!(m.set("enable", "maybe").unwrap().is_err());
        assert!(m.set("nonsense", "1").is_none());
        assert_eq!(metrics_key("ferrobgp_metrics_port"), Some("port"));
        assert_eq!(metrics_key("ferrobgp.metrics.bind"), Some("bind"));
        assert_eq!(metrics_key("exabgp.tcp.port"), None);
    }
}
