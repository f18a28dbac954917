//! A configuration file read once and loaded from its text
//! (`read_source`, `load_source`: the supervisor reads, the rib loads the
//! same text) is the file `load_file` loads; several files merge into the
//! model the daemon runs (`Config::merge`).

use ferrobgp_config::{
    load_file, load_source, load_str, read_source, Config, ConfigError, LoadOptions,
};
use std::path::Path;

const CONF: &str = "process p { run /bin/cat; encoder text; }\n\
neighbor 10.0.0.1 {\n router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2;\n static {\n  route 10.1.0.0/24 next-hop 10.0.0.254;\n }\n}\n";

fn deferring() -> LoadOptions {
    LoadOptions {
        defer_routes: true,
        ..Default::default()
    }
}

#[test]
fn a_file_read_then_loaded_is_the_file_loaded() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("a.conf");
    std::fs::write(&path, CONF).expect("write");
    let source = read_source(&path).expect("reads");
    assert_eq!(source.text, CONF);
    assert_eq!(source.path, path);
    assert!(source.absolute.is_absolute());
    for opts in [LoadOptions::default(), deferring()] {
        assert_eq!(
            load_source(&source, &opts).expect("loads"),
            load_file(&path, &opts).expect("loads")
        );
    }
    let deferred = load_source(&source, &deferring()).expect("loads");
    let sections = &deferred.config.neighbors[0].route_text;
    assert_eq!(sections.len(), 1);
    assert_eq!(sections[0].file, path.display().to_string());
}

#[test]
fn a_source_names_the_file_as_given_in_its_errors() {
    let source = ferrobgp_config::Source {
        path: "given.conf".into(),
        absolute: "/somewhere/given.conf".into(),
        text: "neighbor 10.0.0.1 {\n".into(),
    };
    match load_source(&source, &LoadOptions::default()) {
        Err(ConfigError::Invalid(ds)) => assert_eq!(ds[0].file, "given.conf"),
        other => panic!("unexpected {other:?}"),
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("bad.conf");
    std::fs::write(&path, b"neighbor \xff").expect("write");
    match read_source(&path) {
        Err(ConfigError::Invalid(ds)) => {
            assert_eq!((ds[0].pos.line, ds[0].pos.column), (1, 10));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        read_source(&dir.path().join("missing.conf")),
        Err(ConfigError::Io { .. })
    ));
}

#[test]
fn merge_keeps_the_first_definition_of_a_process_and_every_neighbor() {
    let load = |text: &str| {
        load_str(Path::new("t.conf"), text, &LoadOptions::default())
            .expect("valid")
            .config
    };
    let a = load(CONF);
    let b = load(
        "process p { run /bin/true; encoder json; }\nprocess q { run /bin/cat; encoder text; }\nneighbor 10.0.0.1 { router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2; }",
    );
    let m = Config::merge(vec![a, b]);
    assert_eq!(m.processes.len(), 2);
    assert_eq!(m.processes[0].argv, vec!["/bin/cat".to_string()]);
    assert_eq!(m.neighbors.len(), 2);
    assert_eq!(m.source, Path::new("t.conf"));
    assert_eq!(Config::merge(Vec::new()).neighbors.len(), 0);
}
