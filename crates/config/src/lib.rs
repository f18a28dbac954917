//! ferrobgp's configuration: the ExaBGP configuration language (lexer,
//! section tree, every section's grammar), the resolved typed model
//! ([`Config`], [`Neighbor`], [`Process`], [`Api`], [`route::ConfigRoute`]),
//! ExaBGP's settings ([`Settings`]) and validation with
//! `FILE:LINE:COLUMN: message` errors.
//!
//! Entry points: [`load_file`] / [`load_files`] / [`load_str`] for the
//! daemon, [`validate_files`] for `ferrobgp validate`, [`Settings::load`]
//! for the environment, and for crates/api the route grammar in [`route`]
//! ([`route::parse_route`], [`route::parse_attributes`],
//! [`route::parse_family_route`], [`route::flow::parse_flow_tokens`],
//! [`route::vpls::parse_vpls`], [`route::operational::parse_operational`],
//! or keyword by keyword with [`route::route_keyword`]) over tokens from
//! [`lexer::tokenize_line`].

#![forbid(unsafe_code)]

mod api;
mod compat;
mod error;
mod family;
pub mod lexer;
mod load;
mod metrics;
pub mod model;
mod neighbor;
pub mod print;
mod process;
pub mod route;
pub mod route_text;
pub mod run_access;
mod section;
mod setting_value;
pub mod settings;
mod skip;
mod suggest;
mod tree;
mod validate;
mod values;

pub use error::{ConfigError, Diagnostic, ParseError, Pos};
pub use load::{
    load_file, load_files, load_source, load_str, read_source, LoadOptions, Loaded, Source,
};
pub use model::*;
pub use process::RunLookup;
pub use route::ConfigRoute;
pub use route_text::{parse_routes, RouteText};
pub use settings::{LoadedSettings, Settings};
pub use validate::{summary, validate_files, FileReport};
