//! Settings from the environment and the ini file: defaults, precedence,
//! types, unknown keys and where the ini file is found.

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
    let s =
        Settings::load_with_ini_file(Vec::new(), Some(Path::new("/nonexistent/sbin/x"))).unwrap();
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

/// The rib loads the settings again from the variables the loader reads
/// (the supervisor sends no others): they are the same settings.
#[test]
fn the_variables_read_are_the_settings() {
    let env = [
        ("PATH", "/usr/bin"),
        ("HOME", "/root"),
        ("exabgp_tcp_port", "1000"),
        ("exabgp.tcp.port", "1790"),
        ("exabgp_api_ack", "false"),
        ("exabgp_version", "4.2.25"),
        ("ferrobgp_compat_reference_open", "true"),
        ("ferrobgp.metrics.port", "9999"),
        ("EXABGP_ROOT", "/opt"),
    ];
    let all = load(&env, Some("[exabgp.log]\nlevel = DEBUG\n")).unwrap();
    let read: Vec<(&str, &str)> = env
        .iter()
        .copied()
        .filter(|(k, _)| Settings::reads_variable(k))
        .collect();
    assert_eq!(read.len(), 6);
    let again = load(&read, Some("[exabgp.log]\nlevel = DEBUG\n")).unwrap();
    assert_eq!(again.settings, all.settings);
    assert_eq!(again.settings.tcp.port, Port(1790));
    assert!(again.settings.compat.reference_open);
    assert_eq!(again.settings.version.as_deref(), Some("4.2.25"));
}
