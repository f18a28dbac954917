//! ExaBGP's settings (spec §4): `exabgp.<section>.<key>` from the
//! environment (dotted or underscore form) and from the ini file, with the
//! same names, types and defaults. Precedence: dotted env > underscore env >
//! ini > default. Everything is parsed from values handed in (an env map and
//! the ini text), so nothing here reads global state.

use crate::error::ConfigError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::setting_value::{unquote, SettingValue};
pub use crate::setting_value::{AddressList, LogLevel, Port, Umask};

macro_rules! settings {
    ($( $section:ident : $Struct:ident { $( $key:ident : $ty:ty = $default:expr ),* $(,)? } )*) => {
        $(
            #[doc = concat!("Settings of section `exabgp.", stringify!($section), "`.")]
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            pub struct $Struct { $( pub $key: $ty, )* }
            impl Default for $Struct {
                fn default() -> Self { Self { $( $key: $default, )* } }
            }
        )*

        /// Every ExaBGP setting, with ExaBGP's defaults.
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        pub struct Settings {
            $( pub $section: $Struct, )*
            /// `exabgp_version`: overrides the version the daemon reports.
            pub version: Option<String>,
            /// ferrobgp's own `ferrobgp.compat.*` settings.
            pub compat: crate::compat::CompatSettings,
            /// ferrobgp's own `ferrobgp.metrics.*` settings (the
            /// Prometheus endpoint).
            #[serde(default)]
            pub metrics: crate::metrics::MetricsSettings,
        }

        impl Settings {
            /// Sets `section.key` from its textual value. `None` when the key
            /// does not exist.
            fn set_raw(&mut self, section: &str, key: &str, raw: &str) -> Option<Result<(), String>> {
                match (section, key) {
                    $( $( (stringify!($section), stringify!($key)) => {
                        Some(<$ty as SettingValue>::parse_setting(raw).map(|v| self.$section.$key = v))
                    } )* )*
                    _ => None,
                }
            }

            /// Every setting as `("exabgp.section.key", value)` in ini notation.
            pub fn entries(&self) -> Vec<(String, String)> {
                vec![ $( $( (
                    concat!("exabgp.", stringify!($section), ".", stringify!($key)).to_string(),
                    SettingValue::show(&self.$section.$key),
                ), )* )* ]
            }

            /// Every known `(section, key)`.
            pub fn keys() -> &'static [(&'static str, &'static str)] {
                &[ $( $( (stringify!($section), stringify!($key)), )* )* ]
            }
        }
    };
}

settings! {
    api: ApiSettings {
        ack: bool = true,
        chunk: u32 = 1,
        cli: bool = true,
        compact: bool = false,
        encoder: String = "json".to_string(),
        pipename: String = "exabgp".to_string(),
        socketname: String = "exabgp".to_string(),
        respawn: bool = true,
        respawn_exit: bool = false,
        terminate: bool = false,
    }
    bgp: BgpSettings {
        openwait: u32 = 60,
        passive: bool = false,
    }
    cache: CacheSettings {
        attributes: bool = true,
        nexthops: bool = true,
    }
    daemon: DaemonSettings {
        daemonize: bool = false,
        drop: bool = true,
        pid: String = String::new(),
        umask: Umask = Umask(0o137),
        user: String = "nobody".to_string(),
    }
    log: LogSettings {
        enable: bool = true,
        level: LogLevel = LogLevel("INFO".to_string()),
        destination: String = "stdout".to_string(),
        all: bool = false,
        configuration: bool = true,
        reactor: bool = true,
        daemon: bool = true,
        processes: bool = true,
        network: bool = true,
        statistics: bool = true,
        packets: bool = false,
        rib: bool = false,
        message: bool = false,
        timers: bool = false,
        routes: bool = false,
        parser: bool = false,
        short: bool = true,
    }
    pdb: PdbSettings {
        enable: bool = false,
    }
    profile: ProfileSettings {
        enable: bool = false,
        file: String = String::new(),
    }
    reactor: ReactorSettings {
        speed: f64 = 1.0,
        asyncio: bool = false,
    }
    tcp: TcpSettings {
        attempts: u32 = 0,
        once: bool = false,
        bind: AddressList = AddressList::default(),
        port: Port = Port(179),
        delay: u32 = 0,
        acl: bool = false,
    }
    debug: DebugSettings {
        rotate: bool = false,
        configuration: bool = false,
        selfcheck: bool = false,
        route: String = String::new(),
        memory: bool = false,
        defensive: bool = false,
        pdb: bool = false,
    }
}

/// Environment variables starting with `exabgp` that are not settings but
/// are read elsewhere (spec §4 "Other environment inputs").
const OTHER_VARIABLES: [&str; 6] = [
    "exabgp_version",
    "exabgp_cli_socket",
    "exabgp_api_socketpath",
    "exabgp_cli_transport",
    "exabgp_root",
    "exabgp_etc",
];

/// Aliases: `tcp.connections` is `tcp.attempts`.
fn canonical(section: &str, key: &str) -> (String, String) {
    match (section, key) {
        ("tcp", "connections") => ("tcp".into(), "attempts".into()),
        _ => (section.to_string(), key.to_string()),
    }
}

/// Settings and the warnings produced while reading them.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSettings {
    pub settings: Settings,
    /// Unknown keys and similar non-fatal remarks.
    pub warnings: Vec<String>,
}

impl Settings {
    /// Whether [`Settings::load`] reads the environment variable `name`
    /// (every other one it ignores): what of the environment another
    /// process needs to load the same settings.
    pub fn reads_variable(name: &str) -> bool {
        name.starts_with("exabgp") || name.starts_with("ferrobgp")
    }

    /// Reads the settings from an environment map and, optionally, the text
    /// of the ini file (`path` is only used in messages).
    pub fn load<'a, I>(env: I, ini: Option<(&Path, &str)>) -> Result<LoadedSettings, ConfigError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut s = Settings::default();
        let mut warnings = Vec::new();
        if let Some((path, text)) = ini {
            s.apply_ini(path, text, &mut warnings)?;
        }
        let mut underscore = Vec::new();
        let mut dotted = Vec::new();
        for (name, value) in env {
            if crate::compat::compat_key(name).is_some()
                || crate::metrics::metrics_key(name).is_some()
            {
                // ferrobgp's own names: the dotted form wins, as for exabgp's
                if name.starts_with("ferrobgp_") {
                    underscore.push((name, name.to_string(), value));
                } else {
                    dotted.push((name, name.to_string(), value));
                }
            } else if let Some(rest) = name.strip_prefix("exabgp.") {
                dotted.push((name, rest.to_string(), value));
            } else if let Some(rest) = name.strip_prefix("exabgp_") {
                if name == "exabgp_version" {
                    s.version = Some(value.to_string());
                    continue;
                }
                if OTHER_VARIABLES.contains(&name) {
                    continue;
                }
                // exabgp_tcp_port -> tcp.port (keys never contain `_`)
                match rest.split_once('_') {
                    Some((sec, key)) => underscore.push((name, format!("{sec}.{key}"), value)),
                    None => warnings.push(format!("{name}: unknown setting (ignored)")),
                }
            }
        }
        for (name, path, value) in underscore.into_iter().chain(dotted) {
            s.apply_one(name, &path, value, &mut warnings)?;
        }
        Ok(LoadedSettings {
            settings: s,
            warnings,
        })
    }

    fn apply_one(
        &mut self,
        variable: &str,
        path: &str,
        value: &str,
        warnings: &mut Vec<String>,
    ) -> Result<(), ConfigError> {
        if let Some(key) = crate::metrics::metrics_key(path) {
            return match self.metrics.set(key, value) {
                Some(Ok(())) => Ok(()),
                Some(Err(message)) => Err(ConfigError::Setting {
                    variable: variable.to_string(),
                    message,
                }),
                None => {
                    warnings.push(format!(
                        "{variable}: unknown setting ferrobgp.metrics.{key} (ignored; known: {})",
                        crate::metrics::KEYS.join(", ")
                    ));
                    Ok(())
                }
            };
        }
        if let Some(key) = crate::compat::compat_key(path) {
            return match self.compat.set(key, value) {
                Some(Ok(())) => Ok(()),
                Some(Err(message)) => Err(ConfigError::Setting {
                    variable: variable.to_string(),
                    message,
                }),
                None => {
                    warnings.push(format!(
                        "{variable}: unknown setting ferrobgp.compat.{key} (ignored; known: {})",
                        crate::compat::KEYS.join(", ")
                    ));
                    Ok(())
                }
            };
        }
        let Some((section, key)) = path.split_once('.') else {
            warnings.push(format!("{variable}: unknown setting (ignored)"));
            return Ok(());
        };
        // ExaBGP 5.0.15 reads its old name `tcp.connections` only when it
        // holds something: `exabgp_tcp_connections=` (as some scripts
        // export it) keeps the default, where an empty `tcp.attempts` is an
        // error in both.
        if (section, key) == ("tcp", "connections") && unquote(value).trim().is_empty() {
            return Ok(());
        }
        let (section, key) = canonical(section, key);
        match self.set_raw(&section, &key, value) {
            Some(Ok(())) => Ok(()),
            Some(Err(message)) => Err(ConfigError::Setting {
                variable: variable.to_string(),
                message,
            }),
            None => {
                let hint = suggest_key(&section, &key)
                    .map(|k| format!(" (did you mean exabgp.{k}?)"))
                    .unwrap_or_default();
                warnings.push(format!(
                    "{variable}: unknown setting exabgp.{section}.{key} (ignored){hint}"
                ));
                Ok(())
            }
        }
    }

    fn apply_ini(
        &mut self,
        path: &Path,
        text: &str,
        warnings: &mut Vec<String>,
    ) -> Result<(), ConfigError> {
        let mut section: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let at = format!("{}:{}", path.display(), n + 1);
            if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let inner = inner.trim();
                section = Some(match inner.strip_prefix("exabgp.") {
                    Some(sec) => sec.to_string(),
                    // ferrobgp's own sections keep their full name
                    None => inner.to_string(),
                });
                continue;
            }
            let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(':')) else {
                return Err(ConfigError::Setting {
                    variable: at,
                    message: format!(
                        "invalid line \"{line}\": expected `key = value` or `[exabgp.section]`"
                    ),
                });
            };
            let Some(sec) = &section else {
                return Err(ConfigError::Setting {
                    variable: at,
                    message: format!("\"{line}\" appears before any [exabgp.section] header"),
                });
            };
            let full = format!("{sec}.{}", key.trim());
            self.apply_one(
                &if full.starts_with("ferrobgp.") {
                    format!("{at}: {full}")
                } else {
                    format!("{at}: exabgp.{full}")
                },
                &full,
                value.trim(),
                warnings,
            )?;
        }
        Ok(())
    }

    /// The ini file ExaBGP reads: `<root>/etc/exabgp/exabgp.env`, where
    /// `<root>` is `$EXABGP_ROOT`, or the executable's grand-parent
    /// directory (`.../sbin/exabgp` -> `...`).
    pub fn ini_path(exabgp_root: Option<&str>, executable: Option<&Path>) -> Option<PathBuf> {
        let root = match exabgp_root {
            Some(r) if !r.is_empty() => PathBuf::from(r),
            _ => executable?.parent()?.parent()?.to_path_buf(),
        };
        Some(root.join("etc/exabgp/exabgp.env"))
    }

    /// What the daemon calls: `vars` is the process environment (as
    /// `std::env::vars()` gives it) and `executable` the daemon's path. The
    /// ini file is `<root>/etc/exabgp/exabgp.env` ([`Settings::ini_path`],
    /// root from `EXABGP_ROOT` or `exabgp_root` in `vars`), read when it
    /// exists.
    pub fn load_with_ini_file<I>(
        vars: I,
        executable: Option<&Path>,
    ) -> Result<LoadedSettings, ConfigError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let root = vars
            .iter()
            .find(|(k, _)| k == "EXABGP_ROOT" || k == "exabgp_root")
            .map(|(_, v)| v.as_str());
        let ini = Settings::ini_path(root, executable).filter(|p| p.is_file());
        let text = match &ini {
            Some(p) => Some(
                std::fs::read_to_string(p).map_err(|e| ConfigError::Setting {
                    variable: p.display().to_string(),
                    message: format!("cannot read the settings file: {e}"),
                })?,
            ),
            None => None,
        };
        let env = vars.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        Settings::load(env, ini.as_deref().zip(text.as_deref()))
    }

    /// Number of outgoing connection attempts (`tcp.once` = 1).
    pub fn connection_attempts(&self) -> u32 {
        if self.tcp.once && self.tcp.attempts == 0 {
            1
        } else {
            self.tcp.attempts
        }
    }

    /// The version string to report (`exabgp_version` or `default`).
    pub fn version_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.version.as_deref().unwrap_or(default)
    }

    /// The settings as an ini file (`exabgp env`); with `only_changed`, only
    /// the values that differ from the defaults.
    pub fn to_ini(&self, only_changed: bool) -> String {
        let defaults = Settings::default().entries();
        let mut out = String::new();
        let mut current = String::new();
        for ((name, value), (_, default)) in self.entries().into_iter().zip(defaults) {
            if only_changed && value == default {
                continue;
            }
            let (sec, key) = name.rsplit_once('.').unwrap_or((&name, ""));
            if sec != current {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("[{sec}]\n"));
                current = sec.to_string();
            }
            out.push_str(&format!("{key} = {value}\n"));
        }
        out
    }
}

impl Settings {
    /// The settings as environment assignments (`exabgp env -e`):
    /// `exabgp.tcp.port='179'`; with `only_changed`, only non-defaults.
    pub fn to_env(&self, only_changed: bool) -> String {
        let defaults = Settings::default().entries();
        let mut out = String::new();
        for ((name, value), (_, default)) in self.entries().into_iter().zip(defaults) {
            if only_changed && value == default {
                continue;
            }
            let v = value.trim_matches('\'');
            out.push_str(&format!("{name}='{v}'\n"));
        }
        out
    }
}

impl fmt::Display for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_ini(false))
    }
}

fn suggest_key(section: &str, key: &str) -> Option<String> {
    let want = format!("{section}.{key}");
    let all: Vec<String> = Settings::keys()
        .iter()
        .map(|(s, k)| format!("{s}.{k}"))
        .collect();
    crate::suggest::closest(&want, all.iter().map(|s| s.as_str())).map(|s| s.to_string())
}

/// Convenience: an owned env map, as `std::env::vars()` gives it.
pub fn env_map<I: IntoIterator<Item = (String, String)>>(vars: I) -> BTreeMap<String, String> {
    vars.into_iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("exabgp"))
        .collect()
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
