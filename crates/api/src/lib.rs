//! The ExaBGP text API, without I/O: command lines from helper programs
//! parsed into typed commands ([`parse_line`]) whose routes are built with
//! the configuration's route grammar ([`routes`]), the replies to them
//! ([`ack`]), and the events written to helpers in ExaBGP's JSON and text
//! formats ([`event`], [`json`], [`text`]), selected per helper by its
//! `api` blocks ([`output`]; the format switches merged per neighbor as
//! ExaBGP merges them: [`neighbor_api`]) and built from crates/wire's decoded messages
//! ([`from_wire`]).
//!
//! Deviations from the reference, on purpose:
//! - where ExaBGP prints invalid JSON (spec §9 #3: unquoted family lists in
//!   `negotiated`, double-quoted values in `route-refresh`/`operational`),
//!   ferrobgp prints valid JSON of the same shape;
//! - `enable-ack json` (or the setting `exabgp.api.ack-format = json`, see
//!   [`AckFormat::from_setting`]) makes the replies JSON objects that carry
//!   the command's sequence number and, for an error, its reason:
//!   `{ "answer": "done", "message": "command completed", "seq": 12 }`; the
//!   default stays ExaBGP's plain `done`/`error`;
//! - a process may address only the neighbors whose `api` blocks name it
//!   (ExaBGP lets `announce watchdog` reach every neighbor);
//! - the `negotiated` object is valid JSON (quoted family lists), like
//!   ExaBGP 5.0.7 and later.

#![forbid(unsafe_code)]

pub mod ack;
pub mod command;
mod error;
mod normalise;
pub mod output;
pub mod parse;
pub mod routes;
pub mod selector;
pub mod show;
mod template;
mod tokens;

pub use command::{
    AckFormat, Command, NeighborView, ParsedLine, RibSide, RouteCommand, RouteKind, Verb,
};
pub use error::{ApiError, Result};
pub use parse::parse_line;
pub use selector::{Description, FamilyAllowed, PeerName, Selector};
pub mod event;
pub mod from_wire;
pub mod json;
pub mod neighbor_api;
pub mod text;
mod update_rendering;
pub use update_rendering::UpdateRendering;
