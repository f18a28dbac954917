//! The rib: the single owner of routes. This crate's pure core holds each
//! peer's Adj-RIB-Out and Adj-RIB-In, applies batches of API commands (and
//! the configuration's routes) and derives per peer the net change to send
//! with ExaBGP's rules ([`peer`]); the rib process (event loop, helper
//! pipes, control socket, the ordering protocol with real sockets) is
//! built on it.

#![forbid(unsafe_code)]

mod adj_rib_in;
mod adj_rib_out;
mod after_burst;
mod batch;
mod batch_core;
mod change;
mod chunked;
pub mod configuration;
pub mod dispatch;
mod error;
mod first_queue;
mod journal;
mod lines;
mod liveness;
mod peer;
pub mod pipeline;
pub mod process;
mod resync;
mod session_status;
pub mod show;
pub mod static_routes;
mod stored;
pub mod table;
mod tally;
mod watchdog;

pub use batch::{BatchCommand, BatchResult, Op, PeerId, Rib, RouteEntry};
pub use change::PeerChange;
pub use error::RibError;
pub use peer::PeerRib;
