//! The single error type of the rib crate's pure core: why a command could
//! not be applied (the reply is `error`, the reason is logged / sent in
//! opt-in JSON replies).

/// Why a batch command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RibError {
    #[error("no selected neighbor is established")]
    NotEstablished,
    #[error("no neighbor selected")]
    NoPeer,
    #[error("unknown neighbor {0}")]
    UnknownPeer(u32),
    /// ExaBGP 5.0.15's words for the same refusal.
    #[error("use of \"next-hop self\": the route ({route}) does not have the same family as the BGP tcp session ({session})")]
    NextHopSelfFamily {
        route: &'static str,
        session: &'static str,
    },
}
