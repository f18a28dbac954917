//! The Prometheus/OpenMetrics endpoint (`ferrobgp.metrics.*`, off by
//! default). The supervisor binds its listener before it drops its
//! privileges and serves it from its own loop ([`http`]); neither a
//! session worker nor the rib's loop ever sees a scraper. A scrape asks
//! the rib for its counters ([`ferrobgp_ipc::SupervisorToRib::Metrics`]),
//! which it keeps as it goes, adds what only the supervisor knows
//! (restarts, helper states) and renders both ([`render`]). A rib that
//! does not answer within [`RIB_ANSWER`] leaves the supervisor's series
//! alone, with `ferrobgp_rib_up 0`. Scrapes closer together than
//! [`RIB_REUSE`] reuse the rib's last answer, so a scraper in a tight loop
//! costs the rib at most a few snapshots a second.

pub mod http;
pub mod render;

pub use http::Scrape;
pub use render::{HelperState, HelperView, SupervisorView, WorkerView};

use ferrobgp_ipc::{PeerId, RibMetrics};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long a scrape waits for the rib's counters.
pub const RIB_ANSWER: Duration = Duration::from_secs(2);

/// A rib answer younger than this serves the next scrapes too.
pub const RIB_REUSE: Duration = Duration::from_millis(250);

/// Scrapes waiting for the rib, at most this many (more than
/// [`http::MAX_CONNECTIONS`] only if the rib is slow: the oldest goes).
const MAX_PENDING: usize = 2 * http::MAX_CONNECTIONS;

/// How many times each process was started, and the scrapes waiting for
/// the rib's answer.
#[derive(Debug, Default)]
pub struct Metrics {
    rib_starts: u64,
    worker_starts: BTreeMap<PeerId, u64>,
    helper_starts: BTreeMap<String, u64>,
    next: u64,
    pending: BTreeMap<u64, Scrape>,
    /// The rib's last answer and when it came.
    last: Option<(Instant, RibMetrics)>,
}

impl Metrics {
    pub fn rib_started(&mut self) {
        self.rib_starts += 1;
    }

    pub fn worker_started(&mut self, peer: PeerId) {
        *self.worker_starts.entry(peer).or_default() += 1;
    }

    pub fn helper_started(&mut self, name: &str) {
        match self.helper_starts.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                self.helper_starts.insert(name.to_string(), 1);
            }
        }
    }

    /// A neighbor or helper removed by a reload: its counts go.
    pub fn retain(&mut self, peer: impl Fn(PeerId) -> bool, helper: impl Fn(&str) -> bool) {
        self.worker_starts.retain(|p, _| peer(*p));
        self.helper_starts.retain(|h, _| helper(h));
    }

    pub fn rib_restarts(&self) -> u64 {
        self.rib_starts.saturating_sub(1)
    }

    pub fn worker_restarts(&self, peer: PeerId) -> u64 {
        self.worker_starts
            .get(&peer)
            .map_or(0, |n| n.saturating_sub(1))
    }

    pub fn helper_restarts(&self, name: &str) -> u64 {
        self.helper_starts
            .get(name)
            .map_or(0, |n| n.saturating_sub(1))
    }

    /// Keeps `scrape` until the rib answers the request number returned
    /// (or [`Metrics::expire`] gives it up). With too many waiting, the
    /// oldest is answered without the rib's part.
    pub fn wait_for_rib(&mut self, scrape: Scrape) -> (u64, Option<Scrape>) {
        self.next += 1;
        let n = self.next;
        self.pending.insert(n, scrape);
        let evicted = if self.pending.len() > MAX_PENDING {
            self.pending.pop_first().map(|(_, s)| s)
        } else {
            None
        };
        (n, evicted)
    }

    /// The scrape the rib's answer `n` is for, if it still waits; the
    /// answer is kept for the scrapes of the next [`RIB_REUSE`].
    pub fn answered(&mut self, n: u64, snapshot: &RibMetrics, now: Instant) -> Option<Scrape> {
        self.last = Some((now, snapshot.clone()));
        self.pending.remove(&n)
    }

    /// The rib's last answer, when younger than [`RIB_REUSE`].
    pub fn recent(&self, now: Instant) -> Option<RibMetrics> {
        self.last
            .as_ref()
            .filter(|(at, _)| now.saturating_duration_since(*at) < RIB_REUSE)
            .map(|(_, s)| s.clone())
    }

    /// The rib died: its last answer is not reused.
    pub fn rib_gone(&mut self) {
        self.last = None;
    }

    /// Request `n` waited too long (same as [`Metrics::answered`]; named
    /// for the call site).
    pub fn expire(&mut self, n: u64) -> Option<Scrape> {
        self.pending.remove(&n)
    }

    /// Every waiting scrape (the rib died).
    pub fn drain(&mut self) -> Vec<Scrape> {
        std::mem::take(&mut self.pending).into_values().collect()
    }
}

/// Answers `scrape` with the supervisor's view and, when it came, the rib's.
pub fn answer(scrape: Scrape, view: SupervisorView, rib: Option<RibMetrics>) {
    let body = render::render(view, rib, scrape.openmetrics);
    let _ = scrape.reply.send(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::oneshot;

    fn scrape() -> (Scrape, oneshot::Receiver<String>) {
        let (reply, rx) = oneshot::channel();
        (
            Scrape {
                openmetrics: true,
                reply,
            },
            rx,
        )
    }

    #[test]
    fn restarts_are_starts_after_the_first() {
        let mut m = Metrics::default();
        assert_eq!(m.rib_restarts(), 0);
        m.rib_started();
        m.rib_started();
        m.worker_started(3);
        m.helper_started("a");
        m.helper_started("a");
        m.helper_started("a");
        assert_eq!(
            (
                m.rib_restarts(),
                m.worker_restarts(3),
                m.helper_restarts("a")
            ),
            (1, 0, 2)
        );
        assert_eq!(m.worker_restarts(9), 0);
        m.retain(|_| false, |h| h == "a");
        m.worker_started(3);
        assert_eq!((m.worker_restarts(3), m.helper_restarts("a")), (0, 2));
    }

    #[test]
    fn pending_scrapes_are_bounded_and_matched() {
        let mut m = Metrics::default();
        let mut receivers = Vec::new();
        let mut numbers = Vec::new();
        for _ in 0..MAX_PENDING {
            let (s, rx) = scrape();
            let (n, evicted) = m.wait_for_rib(s);
            assert!(evicted.is_none());
            numbers.push(n);
            receivers.push(rx);
        }
        let (s, _rx) = scrape();
        let (_, evicted) = m.wait_for_rib(s);
        let evicted = evicted.expect("the oldest goes");
        answer(evicted, SupervisorView::default(), None);
        assert!(receivers[0]
            .try_recv()
            .unwrap()
            .contains("ferrobgp_rib_up 0"));
        let t0 = Instant::now();
        let rib = RibMetrics::default();
        assert!(m.recent(t0).is_none());
        assert!(
            m.answered(numbers[0], &rib, t0).is_none(),
            "already answered"
        );
        assert!(m.answered(numbers[1], &rib, t0).is_some());
        assert!(m.expire(numbers[1]).is_none());
        assert_eq!(m.drain().len(), MAX_PENDING - 1);
        assert_eq!(m.recent(t0 + RIB_REUSE / 2), Some(rib));
        assert!(m.recent(t0 + RIB_REUSE).is_none(), "too old");
        m.rib_gone();
        assert!(m.recent(t0).is_none());
    }
}
