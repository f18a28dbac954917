//! Capability 70, Enhanced Route Refresh (RFC 7313 section 3).
//!
//! > The "Enhanced Route Refresh Capability" is a new BGP capability
//! > \[RFC5492\]. The Capability Code for this capability is specified in the
//! > "IANA Considerations" section of this document. The Capability Length
//! > field of this capability is zero.
//!
//! Negotiated, it lets both sides bracket a refresh with BoRR / EoRR
//! ROUTE-REFRESH messages ([`crate::message::route_refresh`]). Represented
//! by [`super::Capability::EnhancedRouteRefresh`].
