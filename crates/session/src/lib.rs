//! ferrobgp's session worker: one process per configured neighbor, owning
//! one BGP session.
//!
//! The protocol logic is pure and tested in-process: [`fsm`] (RFC 4271
//! state machine with timers as data), [`backoff`] (ExaBGP's reconnection
//! pacing), [`notify`] (the NOTIFICATIONs we generate). The I/O shell
//! around it (TCP, socket options, IPC with the supervisor and the rib)
//! lives in the modules that say so in their documentation.

pub mod backoff;
pub mod conn;
pub mod connect;
pub mod encode;
pub mod entry;
pub mod error;
pub mod from_config;
pub mod fsm;
pub mod notify;
pub mod peer;
pub mod sockopt;
pub mod worker;

pub use entry::{run, run_worker};
pub use error::{Error, Result};
