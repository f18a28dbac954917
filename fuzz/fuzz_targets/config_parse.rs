//! Fuzzes the configuration parser and the API route grammar: any input
//! must give a value or positioned errors, never a panic.
#![no_main]

use ferrobgp_config::{lexer, load_str, route, LoadOptions, Pos};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = load_str(Path::new("/fuzz/input.conf"), &text, &LoadOptions::default());
    if let Ok(tokens) = lexer::tokenize_line(&text) {
        let end = Pos::new(1, 1);
        let _ = route::parse_route(&tokens, end, true);
        let _ = route::parse_attributes(&tokens, end, false);
        let _ = route::parse_family_route(&tokens, end, true);
        let _ = route::flow::parse_flow_tokens(&tokens, end);
        let _ = route::vpls::parse_vpls(&tokens, end, true);
        let _ = route::operational::parse_operational(&tokens, end);
    }
});
