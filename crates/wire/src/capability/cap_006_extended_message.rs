//! Capability 6, Extended Message (RFC 8654 section 3).
//!
//! > The BGP Extended Message Capability is a new BGP capability \[RFC5492\]
//! > defined with Capability Code 6 and Capability Length 0. ... A BGP
//! > speaker MAY send BGP Extended Messages to a peer only if the BGP
//! > Extended Message Capability was received from that peer.
//!
//! Once negotiated, messages other than OPEN and KEEPALIVE may be up to
//! 65535 bytes ([`crate::negotiated::EXTENDED_MAX_MESSAGE_SIZE`]). The
//! value is empty and represented by [`super::Capability::ExtendedMessage`].
