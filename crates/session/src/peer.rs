//! Everything the worker needs to know about its neighbor: the IPC's
//! [`PeerConfig`], which the supervisor builds from the configuration and
//! sends in `Init` (the session crate never reads the configuration).

pub use ferrobgp_ipc::PeerConfig;
