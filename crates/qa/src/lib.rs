//! ferrobgp's functional test runner and test BGP peer, for suites in the
//! format of ExaBGP's encoding tests (`encoding/NAME.ci`, `encoding/NAME.msg`,
//! `etc/*.conf`; the format is specified in the conformance suite's README).
//!
//! It deliberately does not use the project's wire crate: it judges the
//! daemon's bytes with nothing but framing and byte comparison.

pub mod bench;
pub mod bgp;
pub mod daemon;
pub mod error;
pub mod hex;
pub mod msgfile;
pub mod open;
pub mod peer;
pub mod rfc;
pub mod rfc_peer;
pub mod runner;
pub mod script;
pub mod suite;

pub use error::QaError;
