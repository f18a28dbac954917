//! Validates configuration files and prints one line per file (or every
//! error); `--json` prints the resolved model. Also used to measure the
//! memory of parsing a large generated file (`--generate N`).

use ferrobgp_config::{validate_files, LoadOptions, RunLookup, Settings};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    args.retain(|a| a != "--json");
    if args.first().map(String::as_str) == Some("--generate") {
        let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
        let text = generate(n);
        let start = std::time::Instant::now();
        let l = ferrobgp_config::load_str(
            std::path::Path::new("/tmp/generated.conf"),
            &text,
            &LoadOptions::default(),
        )
        .expect("generated configuration is valid");
        println!(
            "parsed {} routes in {:?} ({} bytes of text)",
            l.config.neighbors[0].routes.len(),
            start.elapsed(),
            text.len()
        );
        return;
    }
    let env: Vec<(String, String)> = std::env::vars().collect();
    let settings = match Settings::load(env.iter().map(|(k, v)| (k.as_str(), v.as_str())), None) {
        Ok(s) => s.settings,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let opts = LoadOptions {
        settings,
        run: RunLookup {
            path: std::env::var("PATH").ok(),
            check: true,
            user: None,
        },
        defer_routes: false,
    };
    let mut ok = true;
    for r in validate_files(&args, &opts) {
        ok &= r.is_ok();
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&r.to_json()).unwrap_or_default()
            );
        } else {
            for l in r.lines() {
                println!("{l}");
            }
        }
    }
    std::process::exit(if ok { 0 } else { 1 });
}

fn generate(n: usize) -> String {
    let mut s = String::with_capacity(n * 96 + 512);
    s.push_str("neighbor 127.0.0.1 {\n\trouter-id 1.2.3.4;\n\tlocal-address 127.0.0.1;\n\tlocal-as 65000;\n\tpeer-as 65000;\n\tfamily { ipv4 unicast; }\n\tstatic {\n");
    for i in 0..n {
        let (a, b) = ((i >> 8) & 0xff, i & 0xff);
        s.push_str(&format!(
            "\t\troute 10.{a}.{b}.0/24 next-hop 192.0.2.1 med {i} community [65000:{b} 65000:1] as-path [ 65001 65002 ];\n"
        ));
    }
    s.push_str("\t}\n}\n");
    s
}
