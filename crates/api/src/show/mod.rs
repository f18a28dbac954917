//! What the `show` commands print (spec §2.4), in ExaBGP 5.0.15's layout:
//! `show neighbor summary`, `extensive` and `json` ([`neighbor`]), `show
//! adj-rib in|out [extensive]` lines and their JSON form ([`adj_rib`]).
//! Pure: the rib gathers a [`NeighborStatus`] per peer and the routes of
//! each table, and writes the lines these give.

mod adj_rib;
mod neighbor;
mod python_json;

pub use adj_rib::{adj_rib, adj_rib_json};
pub use neighbor::{
    extensive, neighbor_json, neighbors_json, summary_line, timedelta, NeighborStatus, SummaryRow,
    NEIGHBOR_USAGE, SUMMARY_HEADER,
};
pub use python_json::python_json;
