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
mod tests {
    use super::*;

    fn load(env: &[(&str, &str)], ini: Option<&str>) -> Result<LoadedSettings, ConfigError> {
        Settings::load(
            env.iter().copied(),
            ini.map(|t| (Path::new("exabgp.env"), t)),
        )
    }

    #[test]
    fn defaults() {
        let s = Settings::default();
        assert_eq!(s.tcp.port, Port(179));
        assert!(s.api.ack && s.api.respawn && !s.api.terminate);
        assert_eq!(s.daemon.umask, Umask(0o137));
        assert_eq!(s.daemon.user, "nobody");
        assert_eq!(s.log.level.0, "INFO");
        assert_eq!(s.reactor.speed, 1.0);
        assert!(s.to_ini(true).is_empty());
        assert!(s.to_ini(false).contains("[exabgp.daemon]\n"));
        assert!(s.to_ini(false).contains("umask = 0137\n"));
        assert!(s.to_env(false).contains("exabgp.tcp.port='179'\n"));
        let mut t = s.clone();
        t.tcp.port = Port(1790);
        assert_eq!(t.to_env(true), "exabgp.tcp.port='1790'\n");
        assert_eq!(t.to_ini(true), "[exabgp.tcp]\nport = 1790\n");
    }

    #[test]
    fn precedence_dotted_underscore_ini_default() {
        let ini = "[exabgp.tcp]\nport = 1000\ndelay = 5\n[exabgp.api]\nack = false\n";
        let s = load(&[], Some(ini)).unwrap().settings;
        assert_eq!((s.tcp.port, s.tcp.delay, s.api.ack), (Port(1000), 5, false));
        let s = load(&[("exabgp_tcp_port", "2000")], Some(ini))
            .unwrap()
            .settings;
        assert_eq!(s.tcp.port, Port(2000));
        let s = load(
            &[("exabgp.tcp.port", "3000"), ("exabgp_tcp_port", "2000")],
            Some(ini),
        )
        .unwrap()
        .settings;
        assert_eq!(s.tcp.port, Port(3000));
        assert_eq!(s.tcp.delay, 5);
    }

    #[test]
    fn compat_settings_from_environment_and_ini() {
        assert!(!Settings::default().compat.reference_open);
        let s = load(&[("ferrobgp_compat_reference_open", "true")], None).unwrap();
        assert!(s.settings.compat.reference_open && s.warnings.is_empty());
        let s = load(&[("ferrobgp.compat.reference-open", "1")], None).unwrap();
        assert!(s.settings.compat.reference_open);
        let ini = "[ferrobgp.compat]\nreference-open = true\n[exabgp.tcp]\nport = 1000\n";
        let s = load(&[], Some(ini)).unwrap();
        assert!(s.settings.compat.reference_open && s.warnings.is_empty());
        assert_eq!(s.settings.tcp.port, Port(1000));
        let s = load(&[("ferrobgp_compat_nonsense", "1")], None).unwrap();
        assert!(
            s.warnings[0].contains("ferrobgp.compat.nonsense"),
            "{:?}",
            s.warnings
        );
        assert!(load(&[("ferrobgp_compat_reference_open", "maybe")], None).is_err());
    }

    #[test]
    fn metrics_settings_from_environment_and_ini() {
        assert_eq!(Settings::default().metrics.listen(), None);
        let s = load(&[("ferrobgp_metrics_enable", "true")], None).unwrap();
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(
            s.settings.metrics.listen(),
            Some("127.0.0.1:9179".parse().unwrap())
        );
        let s = load(
            &[
                ("ferrobgp.metrics.enable", "1"),
                ("ferrobgp.metrics.port", "9100"),
                ("ferrobgp_metrics_port", "9200"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(s.settings.metrics.port, 9100, "dotted wins");
        let ini = "[ferrobgp.metrics]\nenable = true\nbind = ::1\n";
        let s = load(&[], Some(ini)).unwrap();
        assert_eq!(
            s.settings.metrics.listen(),
            Some("[::1]:9179".parse().unwrap())
        );
        let s = load(&[("ferrobgp_metrics_nonsense", "1")], None).unwrap();
        assert!(s.warnings[0].contains("ferrobgp.metrics.nonsense"));
        assert!(load(&[("ferrobgp_metrics_port", "http")], None).is_err());
    }

    #[test]
    fn empty_tcp_connections_keeps_the_default_as_exabgp() {
        let l = load(&[("exabgp_tcp_connections", "")], None).unwrap();
        assert_eq!(l.settings.tcp.attempts, 0);
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        assert!(load(&[("exabgp_tcp_attempts", "")], None).is_err());
        assert!(load(&[("exabgp_tcp_port", "")], None).is_err());
    }

    #[test]
    fn conformance_runner_environment() {
        let env = [
            ("exabgp_tcp_port", "1790"),
            ("exabgp_tcp_bind", "''"),
            ("exabgp_tcp_connections", "3"),
            ("exabgp_version", "5.0.0-0+test"),
            ("exabgp_api_cli", "false"),
            ("exabgp_debug_rotate", "true"),
            ("exabgp_debug_configuration", "true"),
            ("exabgp_log_enable", "false"),
        ];
        let l = load(&env, None).unwrap();
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        let s = l.settings;
        assert_eq!(s.tcp.port, Port(1790));
        assert!(s.tcp.bind.0.is_empty());
        assert_eq!(s.tcp.attempts, 3);
        assert_eq!(s.version_or("x"), "5.0.0-0+test");
        assert!(!s.api.cli && s.debug.rotate && s.debug.configuration && !s.log.enable);
    }

    #[test]
    fn wrong_types_and_unknown_keys() {
        let e = load(&[("exabgp_tcp_port", "http")], None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "exabgp_tcp_port: invalid value \"http\": expected a port number 1..65535"
        );
        let e = load(&[("exabgp.api.ack", "maybe")], None).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("exabgp.api.ack: invalid value \"maybe\""));
        let l = load(&[("exabgp.tcp.prot", "1")], None).unwrap();
        assert_eq!(l.warnings.len(), 1);
        assert!(
            l.warnings[0].contains("did you mean exabgp.tcp.port?"),
            "{:?}",
            l.warnings
        );
        let e = load(&[], Some("[exabgp.log]\nlevel = LOUD\n")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("exabgp.env:2: exabgp.log.level: invalid value"),
            "{e}"
        );
        let s = load(
            &[
                ("exabgp_tcp_bind", "127.0.0.1 ::1"),
                ("exabgp_tcp_once", "true"),
            ],
            None,
        )
        .unwrap()
        .settings;
        assert_eq!(s.tcp.bind.0.len(), 2);
        assert_eq!(s.connection_attempts(), 1);
    }

    #[test]
    fn ini_file_from_root() {
        let dir = std::env::temp_dir().join(format!("ferrobgp-settings-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("etc/exabgp")).unwrap();
        std::fs::write(
            dir.join("etc/exabgp/exabgp.env"),
            "[exabgp.tcp]\nport = 1791\n[exabgp.api]\nack = false\n",
        )
        .unwrap();
        let vars = vec![
            ("EXABGP_ROOT".to_string(), dir.display().to_string()),
            ("exabgp_tcp_port".to_string(), "1792".to_string()),
        ];
        let s = Settings::load_with_ini_file(vars, None).unwrap().settings;
        assert_eq!((s.tcp.port, s.api.ack), (Port(1792), false));
        std::fs::remove_dir_all(&dir).unwrap();
        // no file: defaults
        let s = Settings::load_with_ini_file(Vec::new(), Some(Path::new("/nonexistent/sbin/x")))
            .unwrap();
        assert_eq!(s.settings, Settings::default());
    }

    #[test]
    fn ini_path() {
        assert_eq!(
            Settings::ini_path(None, Some(Path::new("/usr/local/sbin/exabgp"))),
            Some(PathBuf::from("/usr/local/etc/exabgp/exabgp.env"))
        );
        assert_eq!(
            Settings::ini_path(Some("/opt"), None),
            Some(PathBuf::from("/opt/etc/exabgp/exabgp.env"))
        );
    }
}
