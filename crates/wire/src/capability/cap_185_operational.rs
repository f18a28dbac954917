//! Capability 185, ExaBGP's Operational capability (not IANA assigned: 185
//! is in the "reserved for private use" range).
//!
//! ExaBGP advertises it with an empty value when a neighbor has
//! `capability { operational; }`; when both sides advertise it they may
//! exchange OPERATIONAL messages (message type 6, draft-ietf-idr-operational-message,
//! see [`crate::message::operational`]). Represented by
//! [`super::Capability::Operational`].
