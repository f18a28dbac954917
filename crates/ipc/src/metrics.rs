//! What the rib reports for the metrics endpoint
//! ([`crate::RibToSupervisor::Metrics`], the answer to
//! [`crate::SupervisorToRib::Metrics`]): per peer its state, uptime, flaps,
//! cumulative message counts, route counts and pipeline backlog; per
//! command source its commands and errors; the `done` latency histogram.
//! Everything here is a counter the rib keeps as it goes, so a snapshot
//! costs one pass over the peers and sources, never over the tables.

use crate::messages::{MessageCounts, PeerId};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The rib's part of one scrape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RibMetrics {
    pub peers: Vec<PeerMetrics>,
    pub sources: Vec<SourceMetrics>,
    /// Command read -> answer written, per answered command.
    pub done_latency: LatencyHistogram,
}

/// One configured neighbor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerMetrics {
    pub peer: PeerId,
    /// The neighbor's address (`neighbor <ip>`).
    pub address: IpAddr,
    /// ExaBGP's FSM state name, lower case (`idle`, `active`, `connect`,
    /// `opensent`, `openconfirm`, `established`).
    pub state: String,
    /// Time since the session was established, while it is.
    pub uptime_ms: Option<u64>,
    /// Established sessions lost since the rib started.
    pub flaps: u64,
    /// Messages sent since the rib started (every connection).
    pub sent: MessageCounts,
    /// Messages received since the rib started (every connection).
    pub received: MessageCounts,
    /// Routes in the Adj-RIB-Out.
    pub routes_advertised: u64,
    /// Routes in the Adj-RIB-In (0 when `adj-rib-in` is off).
    pub routes_received: u64,
    /// Messages queued to the worker and not yet acknowledged.
    pub queue_messages: u64,
    /// Changes in those messages.
    pub queue_changes: u64,
}

/// One command source: a `process` block's name, or `cli` for the
/// control socket's clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMetrics {
    pub source: String,
    /// Command lines answered.
    pub commands: u64,
    /// Of those, answered `error`.
    pub errors: u64,
}

/// Upper bounds (seconds) of the `done` latency buckets; a last, unbounded
/// bucket follows.
pub const LATENCY_BOUNDS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// A latency histogram: `counts[i]` observations fell in
/// `(LATENCY_BOUNDS[i-1], LATENCY_BOUNDS[i]]`, the last one above every
/// bound (not cumulative: the renderer accumulates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyHistogram {
    pub counts: Vec<u64>,
    pub sum_seconds: f64,
}

impl Default for LatencyHistogram {
    fn default() -> LatencyHistogram {
        LatencyHistogram {
            counts: vec![0; LATENCY_BOUNDS.len() + 1],
            sum_seconds: 0.0,
        }
    }
}

impl LatencyHistogram {
    /// Records `n` observations of `seconds` each.
    pub fn observe(&mut self, seconds: f64, n: u64) {
        if n == 0 {
            return;
        }
        let i = LATENCY_BOUNDS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(LATENCY_BOUNDS.len());
        if self.counts.len() <= i {
            self.counts.resize(LATENCY_BOUNDS.len() + 1, 0);
        }
        self.counts[i] = self.counts[i].saturating_add(n);
        self.sum_seconds += seconds * n as f64;
    }

    /// Observations recorded.
    pub fn count(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, c| a.saturating_add(*c))
    }

    /// `(upper bound, count)` per bucket, not cumulative, the last one's
    /// bound infinite (the form an encoder that accumulates takes).
    pub fn buckets(&self) -> Vec<(f64, u64)> {
        LATENCY_BOUNDS
            .iter()
            .copied()
            .chain([f64::INFINITY])
            .enumerate()
            .map(|(i, b)| (b, self.counts.get(i).copied().unwrap_or(0)))
            .collect()
    }

    /// `(upper bound, cumulative count)` per bounded bucket, as the
    /// exposition format lists them (`+Inf` is [`LatencyHistogram::count`]).
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut total = 0u64;
        LATENCY_BOUNDS
            .iter()
            .enumerate()
            .map(|(i, b)| {
                total = total.saturating_add(self.counts.get(i).copied().unwrap_or(0));
                (*b, total)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_upper_bounds_inclusive_and_cumulate() {
        let mut h = LatencyHistogram::default();
        h.observe(0.0001, 1); // first bucket (bound included)
        h.observe(0.003, 2); // (0.0025, 0.005]
        h.observe(60.0, 1); // above every bound
        assert_eq!(h.count(), 4);
        assert!((h.sum_seconds - (0.0001 + 0.006 + 60.0)).abs() < 1e-9);
        let c = h.cumulative();
        assert_eq!(c.len(), LATENCY_BOUNDS.len());
        assert_eq!(c[0], (0.0001, 1));
        assert_eq!(c[4], (0.0025, 1));
        assert_eq!(c[5], (0.005, 3));
        assert_eq!(c.last().unwrap().1, 3, "+Inf holds the fourth");
        let b = h.buckets();
        assert_eq!(b.len(), LATENCY_BOUNDS.len() + 1);
        assert_eq!((b[5], b[14]), ((0.005, 2), (f64::INFINITY, 1)));
        h.observe(1.0, 0);
        assert_eq!(h.count(), 4);
    }
}
