//! The rib: the single owner of routes. This crate's pure core holds each
//! peer's Adj-RIB-Out and Adj-RIB-In, applies batches of API commands (and
//! the configuration's routes) and derives per peer the net change to send
//! with ExaBGP's rules ([`peer`]); the rib process (event loop, helper
//! pipes, control socket, the ordering protocol with real sockets) is
//! built on it.

#![forbid(unsafe_code)]

pub mod adj_rib_in;
pub mod adj_rib_out;
pub mod batch;
pub mod change;
pub mod dispatch;
pub mod error;
pub mod first_queue;
pub mod journal;
pub mod lines;
pub mod liveness;
pub mod peer;
pub mod pipeline;
pub mod process;
pub mod show;
pub mod static_routes;
pub mod table;
pub mod tally;
pub mod watchdog;

pub use batch::{BatchCommand, BatchResult, Op, PeerId, Rib, RouteEntry};
pub use change::Change;
pub use error::RibError;
pub use peer::PeerRib;
