//! The daemon's supervisor loads the configuration with its route sections
//! kept as text, and the rib parses them (`route_text`). For every
//! configuration of the conformance suite and of the project, that must
//! give exactly what a full load gives: the same neighbors, and the same
//! routes in the same order.

use ferrobgp_config::*;
use std::path::{Path, PathBuf};

fn opts(defer_routes: bool) -> LoadOptions {
    let mut o = LoadOptions::default();
    o.settings.compat.reference_trailing_brace = true;
    o.run = RunLookup {
        path: None,
        check: false,
        user: None,
    };
    o.defer_routes = defer_routes;
    o
}

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    let suite = root.join("../shared/conformance/etc");
    if !suite.is_dir() {
        ferrobgp_testkit::skip(module_path!(), "conformance suite not found");
    }
    for dir in [suite, root.join("etc"), root.join("qa/etc")] {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().extension().is_some_and(|x| x == "conf") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn routes_kept_as_text_parse_to_the_full_load() {
    let files = files();
    let mut compared = 0;
    let mut routes = 0;
    for f in &files {
        let Ok(full) = load_file(f, &opts(false)) else {
            continue;
        };
        let split = load_file(f, &opts(true)).unwrap_or_else(|e| {
            panic!(
                "{}: the full load passes, the split one fails:\n{e}",
                f.display()
            )
        });
        assert_eq!(full.warnings, split.warnings, "{}", f.display());
        assert_eq!(full.config.neighbors.len(), split.config.neighbors.len());
        for (a, b) in full.config.neighbors.iter().zip(&split.config.neighbors) {
            assert!(
                b.routes.is_empty(),
                "{}: routes parsed by a deferred load",
                f.display()
            );
            let mut parsed = Vec::new();
            parse_routes(b, |r| parsed.push(r))
                .unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
            assert_eq!(
                a.routes,
                parsed,
                "{}: neighbor {}",
                f.display(),
                a.peer_address
            );
            routes += parsed.len();
            let mut b = b.clone();
            b.route_text.clear();
            b.routes = parsed;
            assert_eq!(*a, b, "{}", f.display());
        }
        compared += 1;
    }
    assert!(compared >= 50, "only {compared} configurations compared");
    assert!(routes >= 100, "only {routes} routes compared");
}

#[test]
fn positions_of_route_errors_are_the_files() {
    let text = "neighbor 10.0.0.1 {\n\trouter-id 1.1.1.1;\n\tlocal-address 10.0.0.2;\n\tlocal-as 1;\n\tpeer-as 1;\n\tstatic { route 10.0.0.0/24 next-hop 1.2.3.4;\n\t\troute 10.0.1.0/24 next-hop 1.2.3.4 med x; }\n}\n";
    let l =
        load_str(Path::new("/etc/t.conf"), text, &opts(true)).expect("loads without its routes");
    let n = &l.config.neighbors[0];
    assert_eq!(n.route_text.len(), 1);
    assert_eq!(n.route_text[0].at, Pos::new(6, 2));
    assert!(n.route_text[0].text.starts_with("static {") && n.route_text[0].text.ends_with("; }"));
    let mut got = Vec::new();
    let e = parse_routes(n, |r| got.push(r)).expect_err("med x is refused");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].file, "/etc/t.conf");
    assert_eq!(e[0].pos, Pos::new(7, 42), "{}", e[0]);
    let full = load_str(Path::new("/etc/t.conf"), text, &opts(false)).expect_err("refused");
    let ConfigError::Invalid(full) = full else {
        panic!()
    };
    assert_eq!(full, e);
}
