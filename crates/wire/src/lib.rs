//! ferrobgp's BGP codec: messages, capabilities, path attributes and NLRI of
//! every family, encoded and decoded without any I/O.
//!
//! Everything here is a pure function of its input and of the negotiated
//! session context: decoding never panics (any input yields a value or a
//! typed [`Error`] that names the NOTIFICATION to send), and encoding
//! produces exactly the bytes ExaBGP puts on the wire.

#![forbid(unsafe_code)]

pub mod attribute;
pub mod bgp_ls;
pub mod capability;
pub mod codec;
pub mod error;
pub mod family;
pub mod hex;
pub mod message;
pub mod negotiated;
pub mod nlri;
pub mod route;
pub mod update;

pub use error::{Error, Notify, Result};
pub use family::{Afi, Family, Safi};
