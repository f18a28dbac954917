//! ferrobgp's session worker: one process per configured neighbor, owning
//! one BGP session (ARCHITECTURE.md, "session").
//!
//! Entry point: [`run_worker`]`(supervisor_fd, rib_fd)` (the `ferrobgp
//! __session` role calls it with the descriptors inherited at 3 and 4). It
//! waits for `SupervisorToSession::Init` (the neighbor's
//! [`peer::PeerConfig`], built by the supervisor), answers `Ready`, and runs the
//! [`worker::Worker`] until the neighbor is finished.
//!
//! Pure core, thin I/O shell:
//! - [`fsm`]: the RFC 4271 state machine with ExaBGP's rules (collision,
//!   `local-as auto`, open wait, hold/keepalive timers as deadlines), driven
//!   by scripted events and a fake clock in its tests;
//! - [`backoff`]: ExaBGP's reconnection delay and the attempts bound;
//! - [`notify`]: the NOTIFICATIONs this worker generates;
//! - [`encode`]: the rib's changes into messages (wire's packing);
//! - [`batch_encoder`]: one batch of the rib encoded a bounded chunk at a
//!   time from its frame, the bytes [`encode`] makes of it whole;
//! - [`received`]: the RFC 7606 verdict of a received UPDATE (the log of
//!   treat-as-withdraw and discards; the session stays up);
//! - shell: [`worker`] (event loop), [`conn`] (reader/writer tasks,
//!   rate-limit, stall bound), [`connect`] and [`sockopt`] (TCP and socket
//!   options), [`entry`] (the process entry point).

mod backoff;
pub mod batch_encoder;
mod conn;
pub mod connect;
pub mod encode;
mod entry;
mod error;
pub mod fsm;
mod notify;
pub mod peer;
pub mod receive;
pub mod received;
pub mod sockopt;
pub mod worker;

pub use entry::{run, run_worker};
pub use error::{Error, Result};
