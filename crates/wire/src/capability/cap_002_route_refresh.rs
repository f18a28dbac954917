//! Capability 2, Route Refresh (RFC 2918 section 2), and code 128, the
//! pre-standard code Cisco routers still send for the same thing.
//!
//! > By advertising the Route Refresh Capability to a peer, a BGP speaker
//! > conveys to the peer that the speaker is capable of receiving and
//! > properly handling the ROUTE-REFRESH message ... Capability code: 2,
//! > Capability length: 0.
//!
//! The value is empty; a value that is not empty is ignored on receipt.
//! See [`super::RouteRefreshVariant`].
