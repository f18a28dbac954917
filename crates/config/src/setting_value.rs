//! The value types a setting can have (ExaBGP's booleans, numbers,
//! strings, umask, log level, address list, port): how each is parsed from
//! its text in the environment or the ini file, and shown back.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// A value type a setting can have.
pub(crate) trait SettingValue: Sized {
    fn parse_setting(raw: &str) -> Result<Self, String>;
    fn show(&self) -> String;
}

pub(crate) fn unquote(raw: &str) -> &str {
    let t = raw.trim();
    if t.len() >= 2
        && ((t.starts_with('\'') && t.ends_with('\'')) || (t.starts_with('"') && t.ends_with('"')))
    {
        &t[1..t.len() - 1]
    } else {
        t
    }
}

impl SettingValue for bool {
    fn parse_setting(raw: &str) -> Result<bool, String> {
        match unquote(raw).to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" | "enable" | "enabled" => Ok(true),
            "0" | "false" | "no" | "off" | "disable" | "disabled" => Ok(false),
            _ => Err(format!(
                "invalid value \"{raw}\": expected a boolean (true or false)"
            )),
        }
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

macro_rules! int_setting {
    ($t:ty) => {
        impl SettingValue for $t {
            fn parse_setting(raw: &str) -> Result<$t, String> {
                unquote(raw).parse::<$t>().map_err(|_| {
                    format!(
                        "invalid value \"{raw}\": expected an integer 0..{}",
                        <$t>::MAX
                    )
                })
            }
            fn show(&self) -> String {
                self.to_string()
            }
        }
    };
}
int_setting!(u32);
int_setting!(u16);

impl SettingValue for f64 {
    fn parse_setting(raw: &str) -> Result<f64, String> {
        match unquote(raw).parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(format!(
                "invalid value \"{raw}\": expected a non-negative real number"
            )),
        }
    }
    fn show(&self) -> String {
        format!("{self:?}")
    }
}

impl SettingValue for String {
    fn parse_setting(raw: &str) -> Result<String, String> {
        Ok(unquote(raw).to_string())
    }
    fn show(&self) -> String {
        format!("'{self}'")
    }
}

/// A file mode creation mask, written in octal (`0137`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Umask(pub u32);

impl SettingValue for Umask {
    fn parse_setting(raw: &str) -> Result<Umask, String> {
        let t = unquote(raw);
        let digits = t.strip_prefix("0o").unwrap_or(t);
        match u32::from_str_radix(digits, 8) {
            Ok(v) if v <= 0o777 => Ok(Umask(v)),
            _ => Err(format!(
                "invalid value \"{raw}\": expected an octal umask such as 0137"
            )),
        }
    }
    fn show(&self) -> String {
        format!("{:#o}", self.0).replace("0o", "0")
    }
}

/// A syslog level name (`INFO`, `DEBUG`, ...), upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLevel(pub String);

const LEVELS: [&str; 10] = [
    "EMERG", "ALERT", "CRIT", "CRITICAL", "ERR", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG",
];

impl SettingValue for LogLevel {
    fn parse_setting(raw: &str) -> Result<LogLevel, String> {
        let up = unquote(raw).to_ascii_uppercase();
        if LEVELS.contains(&up.as_str()) {
            Ok(LogLevel(up))
        } else {
            Err(format!(
                "invalid value \"{raw}\": expected a syslog level ({})",
                LEVELS.join(", ")
            ))
        }
    }
    fn show(&self) -> String {
        self.0.clone()
    }
}

/// `tcp.bind`: space-separated addresses; empty means no global listener.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AddressList(pub Vec<IpAddr>);

impl SettingValue for AddressList {
    fn parse_setting(raw: &str) -> Result<AddressList, String> {
        let mut v = Vec::new();
        for w in unquote(raw).split_whitespace() {
            let w = unquote(w);
            if w.is_empty() {
                continue;
            }
            v.push(w.parse::<IpAddr>().map_err(|_| {
                format!("invalid value \"{raw}\": \"{w}\" is not an IP address (expected space-separated IP addresses)")
            })?);
        }
        Ok(AddressList(v))
    }
    fn show(&self) -> String {
        let s: Vec<String> = self.0.iter().map(|a| a.to_string()).collect();
        format!("'{}'", s.join(" "))
    }
}

/// `tcp.port`: 1..65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Port(pub u16);

impl SettingValue for Port {
    fn parse_setting(raw: &str) -> Result<Port, String> {
        match unquote(raw).parse::<u16>() {
            Ok(p) if p > 0 => Ok(Port(p)),
            _ => Err(format!(
                "invalid value \"{raw}\": expected a port number 1..65535"
            )),
        }
    }
    fn show(&self) -> String {
        self.0.to_string()
    }
}
