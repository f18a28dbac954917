//! What one bench run measured: the receipts of every peer, each daemon
//! process's memory and CPU, and the figures and table printed from them.

use super::*;

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The run's settings.
    pub settings: Settings,
    /// What each peer received, in peer order.
    pub peers: Vec<Received>,
    /// The daemon's processes (the helper included), measured once every
    /// peer had its routes.
    pub processes: Vec<ProcStat>,
    /// The reload scenario's figures.
    pub reload: Option<Reloaded>,
    /// The receive scenarios' figures.
    pub receipt: Option<Receipt>,
    /// From the daemon's start to the last peer having every route.
    pub from_start: Option<Duration>,
}

impl Report {
    /// True when the run reached its end: every peer received every route
    /// (and, for a reload, the changed route arrived), or the daemon took
    /// in every table.
    pub fn complete(&self) -> bool {
        match self.settings.scenario {
            Scenario::Receive => self.receipt.as_ref().is_some_and(|r| r.settled.is_some()),
            Scenario::ReceiveJson => self.receipt.as_ref().is_some_and(|r| r.helper.is_some()),
            Scenario::Reload => {
                self.peers.iter().all(|p| p.elapsed.is_some())
                    && self.reload.as_ref().is_some_and(|r| r.announced > 0)
            }
            Scenario::Announce(_) => self.peers.iter().all(|p| p.elapsed.is_some()),
        }
    }

    /// The run's main time: the slowest peer's (session up to last prefix),
    /// or, receiving, until the daemon settled (the helper had everything).
    pub fn slowest(&self) -> Option<Duration> {
        match self.settings.scenario {
            Scenario::Receive => self.receipt.as_ref()?.settled,
            Scenario::ReceiveJson => self.receipt.as_ref()?.helper,
            _ => self
                .peers
                .iter()
                .map(|p| p.elapsed)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .max(),
        }
    }

    pub(super) fn is_helper(p: &ProcStat) -> bool {
        p.command.contains("bench-helper")
    }

    fn daemon_processes(&self) -> impl Iterator<Item = &ProcStat> {
        self.processes.iter().filter(|p| !Self::is_helper(p))
    }

    /// Peak memory summed over the daemon's processes (the helper excluded).
    pub fn daemon_peak_rss_kib(&self) -> u64 {
        self.daemon_processes().map(|p| p.peak_rss_kib).sum()
    }

    /// Proportional memory summed over the daemon's processes (the helper
    /// excluded): shared pages counted once.
    pub fn daemon_pss_kib(&self) -> u64 {
        self.daemon_processes().map(|p| p.pss_kib).sum()
    }

    /// CPU time summed over the daemon's processes (the helper excluded).
    pub fn daemon_cpu_ms(&self) -> u64 {
        self.daemon_processes().map(|p| p.cpu_ms).sum()
    }

    /// The largest private memory of a ferrobgp session worker.
    pub fn max_worker_private_kib(&self) -> Option<u64> {
        self.processes
            .iter()
            .filter(|p| p.command.contains("__session"))
            .map(|p| p.private_kib)
            .max()
    }

    /// Routes (or prefixes received) per second over the main time.
    pub fn rate(&self) -> Option<f64> {
        let t = self.slowest()?;
        Some(
            f64::from(self.settings.routes) * f64::from(self.settings.peers)
                / t.as_secs_f64().max(1e-9),
        )
    }

    /// The figures a comparison puts side by side, by name.
    pub fn figures(&self) -> Vec<(&'static str, Option<f64>)> {
        let secs = |d: Option<Duration>| d.map(|d| d.as_secs_f64());
        let mut out = vec![
            ("seconds", secs(self.slowest())),
            ("routes_per_second", self.rate()),
            ("seconds_from_start", secs(self.from_start)),
            ("daemon_pss_kib", Some(self.daemon_pss_kib() as f64)),
            (
                "daemon_peak_rss_kib",
                Some(self.daemon_peak_rss_kib() as f64),
            ),
            ("daemon_cpu_ms", Some(self.daemon_cpu_ms() as f64)),
        ];
        if let Some(r) = &self.reload {
            out.push(("reload_seconds", secs(r.last)));
            out.push(("reload_prefixes", Some((r.announced + r.withdrawn) as f64)));
        }
        if let Some(r) = &self.receipt {
            out.push(("written_seconds", secs(r.written)));
            out.push(("settled_seconds", secs(r.settled)));
        }
        out
    }

    /// The report for people, ending with one `key=value` line for scripts.
    pub fn render(&self) -> String {
        let s = &self.settings;
        let mut out = String::new();
        let _ = writeln!(out, "daemon:  {}", s.daemon.display());
        let _ = writeln!(out, "run:     {}", s.scenario.describe(s.routes, s.peers));
        self.render_peers(&mut out);
        self.render_processes(&mut out);
        let _ = write!(
            out,
            "result: routes={} peers={} complete={}",
            s.routes,
            s.peers,
            self.complete()
        );
        for (name, value) in self.figures() {
            let _ = write!(
                out,
                " {name}={}",
                value.map_or("-".into(), |v| format!("{v:.3}"))
            );
        }
        if let Some(kib) = self.max_worker_private_kib() {
            let _ = write!(out, " max_worker_private_kib={kib}");
        }
        out.push('\n');
        out
    }

    /// What the first 8 peers received, the reload and the receipt.
    fn render_peers(&self, out: &mut String) {
        let time = |t: Option<Duration>| match t {
            Some(t) => format!("{:.3} s", t.as_secs_f64()),
            None => "incomplete".into(),
        };
        for (i, p) in self.peers.iter().enumerate().take(8) {
            let _ = writeln!(
                out,
                "peer {}: {} prefixes in {} UPDATEs ({} bytes), session up to last prefix {}",
                i + 1,
                p.prefixes,
                p.updates,
                p.update_bytes,
                time(p.elapsed)
            );
        }
        if self.peers.len() > 8 {
            let _ = writeln!(out, "... {} more peers", self.peers.len() - 8);
        }
        if let Some(r) = &self.reload {
            let _ = writeln!(
                out,
                "reload: {} prefixes announced, {} withdrawn in {} UPDATEs, signal to last UPDATE {}",
                r.announced,
                r.withdrawn,
                r.updates,
                time(r.last)
            );
        }
        if let Some(r) = &self.receipt {
            let _ = writeln!(
                out,
                "receive: table written in {}, daemon settled after {}, JSON helper complete after {}",
                time(r.written),
                time(r.settled),
                match self.settings.scenario {
                    Scenario::ReceiveJson => time(r.helper),
                    _ => "- (no helper)".into(),
                }
            );
        }
    }

    /// One line per process of the daemon; more than 4 session workers
    /// summed up in one line.
    fn render_processes(&self, out: &mut String) {
        let line = |out: &mut String, p: &ProcStat, what: &str| {
            let _ = writeln!(
                out,
                "process {:>7}: PSS {:>8} KiB, private {:>8} KiB, peak RSS {:>8} KiB, CPU {:>7} ms  {what}",
                p.pid, p.pss_kib, p.private_kib, p.peak_rss_kib, p.cpu_ms
            );
        };
        let (workers, others): (Vec<&ProcStat>, Vec<&ProcStat>) = self
            .processes
            .iter()
            .partition(|p| p.command.contains("__session"));
        let shown: Vec<&ProcStat> = if workers.len() > 4 {
            others
        } else {
            self.processes.iter().collect()
        };
        for p in shown {
            let mut command = p.command.clone();
            if command.len() > 60 {
                command.truncate(57);
                command.push_str("...");
            }
            line(out, p, &command);
        }
        if workers.len() > 4 {
            let sum = |f: fn(&ProcStat) -> u64| workers.iter().map(|p| f(p)).sum::<u64>();
            let _ = writeln!(
                out,
                "{} session workers: PSS {} KiB in all, private at most {} KiB each, CPU {} ms in all",
                workers.len(),
                sum(|p| p.pss_kib),
                workers.iter().map(|p| p.private_kib).max().unwrap_or(0),
                sum(|p| p.cpu_ms)
            );
        }
    }
}
