//! The daemon loop's side of the metrics endpoint ([`crate::metrics`]):
//! the listener bound before the privileges go, each scrape answered
//! with the supervisor's view and the rib's counters (asked for, waited
//! for at most [`crate::metrics::RIB_ANSWER`]).

use super::*;
use crate::metrics::{self, HelperState, HelperView, Scrape, SupervisorView, WorkerView};

impl Daemon {
    /// Opens the metrics listener when `ferrobgp.metrics.enable` is set
    /// (before the privileges are dropped: any port may be used).
    pub(super) fn start_metrics(&mut self) -> Result<()> {
        let Some(addr) = self.opts.settings.metrics.listen() else {
            return Ok(());
        };
        let listener = listen::bind(addr)?;
        info!("metrics on http://{addr}/metrics");
        let tx = self.events.clone();
        self.metrics_server = Some(metrics::http::spawn(listener, move |s| {
            tx.send(Event::Scrape(s)).is_ok()
        }));
        Ok(())
    }

    fn metrics_view(&mut self) -> SupervisorView {
        let (workers, helpers) = (&self.workers, &self.helpers);
        self.metrics
            .retain(|p| workers.contains_key(&p), |h| helpers.contains_key(h));
        SupervisorView {
            rib_restarts: self.metrics.rib_restarts(),
            workers: self
                .workers
                .iter()
                .map(|(id, w)| WorkerView {
                    peer: label(&w.neighbor),
                    running: w.pid.is_some(),
                    restarts: self.metrics.worker_restarts(*id),
                })
                .collect(),
            helpers: self
                .helpers
                .iter()
                .map(|(name, h)| HelperView {
                    name: name.clone(),
                    state: if h.pid.is_some() {
                        HelperState::Running
                    } else if h.respawn.failed() {
                        HelperState::Failed
                    } else {
                        HelperState::Stopped
                    },
                    restarts: self.metrics.helper_restarts(name),
                })
                .collect(),
        }
    }

    pub(super) async fn on_scrape(&mut self, scrape: Scrape) {
        if self.rib.is_none() || self.stopping.is_some() {
            let view = self.metrics_view();
            metrics::answer(scrape, view, None);
            return;
        }
        if let Some(rib) = self.metrics.recent(Instant::now()) {
            let view = self.metrics_view();
            metrics::answer(scrape, view, Some(rib));
            return;
        }
        let (n, evicted) = self.metrics.wait_for_rib(scrape);
        if let Some(s) = evicted {
            let view = self.metrics_view();
            metrics::answer(s, view, None);
        }
        self.after(metrics::RIB_ANSWER, Event::ScrapeDeadline { n });
        self.send_rib(SupervisorToRib::Metrics { n }, &[]).await;
    }

    pub(super) fn on_rib_metrics(&mut self, n: u64, snapshot: ipc::RibMetrics) {
        if let Some(s) = self.metrics.answered(n, &snapshot, Instant::now()) {
            let view = self.metrics_view();
            metrics::answer(s, view, Some(snapshot));
        }
    }

    /// The rib died: the scrapes waiting for it are answered at once, and
    /// its last answer is not reused.
    pub(super) fn scrapes_without_rib(&mut self) {
        self.metrics.rib_gone();
        for s in self.metrics.drain() {
            let view = self.metrics_view();
            metrics::answer(s, view, None);
        }
    }

    pub(super) fn on_scrape_deadline(&mut self, n: u64) {
        if let Some(s) = self.metrics.expire(n) {
            debug!("metrics: the rib did not answer scrape {n} in time");
            let view = self.metrics_view();
            metrics::answer(s, view, None);
        }
    }
}
