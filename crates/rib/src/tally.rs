//! The rib's running counters for the metrics endpoint, kept as events
//! happen so that a scrape never walks a table: per peer, the messages of
//! the connections before the current one (the workers count per
//! connection) and the established sessions lost; per command source, the
//! commands answered and the errors; the `done` latency histogram.

use ferrobgp_ipc::{LatencyHistogram, MessageCounts, SourceMetrics};
use std::collections::BTreeMap;
use std::time::Duration;

/// The sum of two counts, field by field.
pub fn add(a: MessageCounts, b: MessageCounts) -> MessageCounts {
    MessageCounts {
        open: a.open.saturating_add(b.open),
        update: a.update.saturating_add(b.update),
        notification: a.notification.saturating_add(b.notification),
        keepalive: a.keepalive.saturating_add(b.keepalive),
        refresh: a.refresh.saturating_add(b.refresh),
        other: a.other.saturating_add(b.other),
    }
}

/// One peer's message totals across connections, and its flaps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerTally {
    /// Connections before the current one.
    before: (MessageCounts, MessageCounts),
    /// The current connection, as last reported by its worker.
    current: (MessageCounts, MessageCounts),
    flaps: u64,
}

impl PeerTally {
    /// The worker's latest counts of the current connection.
    pub fn report(&mut self, sent: MessageCounts, received: MessageCounts) {
        self.current = (sent, received);
    }

    /// A new connection starts (its worker counts from zero).
    pub fn new_connection(&mut self) {
        let (s, r) = std::mem::take(&mut self.current);
        self.before = (add(self.before.0, s), add(self.before.1, r));
    }

    /// An established session was lost.
    pub fn flapped(&mut self) {
        self.flaps = self.flaps.saturating_add(1);
    }

    pub fn flaps(&self) -> u64 {
        self.flaps
    }

    /// Messages sent and received over every connection.
    pub fn totals(&self) -> (MessageCounts, MessageCounts) {
        (
            add(self.before.0, self.current.0),
            add(self.before.1, self.current.1),
        )
    }
}

/// Commands answered per source, and how long their answers took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceTally {
    by_source: BTreeMap<String, (u64, u64)>,
    latency: LatencyHistogram,
}

impl SourceTally {
    /// `commands` lines of `source` read `took` ago were answered now,
    /// `errors` of them with `error`.
    pub fn answered(&mut self, source: &str, commands: u64, errors: u64, took: Duration) {
        if commands == 0 {
            return;
        }
        let e = match self.by_source.get_mut(source) {
            Some(e) => e,
            None => self.by_source.entry(source.to_string()).or_default(),
        };
        e.0 = e.0.saturating_add(commands);
        e.1 = e.1.saturating_add(errors);
        self.latency.observe(took.as_secs_f64(), commands);
    }

    /// Forgets the sources not in `keep` (removed by a reload), so that
    /// their number stays bounded by the configuration.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.by_source.retain(|k, _| keep(k));
    }

    pub fn sources(&self) -> Vec<SourceMetrics> {
        self.by_source
            .iter()
            .map(|(s, (c, e))| SourceMetrics {
                source: s.clone(),
                commands: *c,
                errors: *e,
            })
            .collect()
    }

    pub fn latency(&self) -> &LatencyHistogram {
        &self.latency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(update: u64, keepalive: u64) -> MessageCounts {
        MessageCounts {
            open: 1,
            update,
            keepalive,
            ..Default::default()
        }
    }

    #[test]
    fn totals_span_connections_and_reports_replace() {
        let mut t = PeerTally::default();
        t.report(counts(1, 1), counts(0, 1));
        t.report(counts(5, 2), counts(2, 3)); // the latest report of a connection wins
        assert_eq!(t.totals(), (counts(5, 2), counts(2, 3)));
        t.new_connection();
        assert_eq!(t.totals(), (counts(5, 2), counts(2, 3)));
        t.report(counts(1, 0), MessageCounts::default());
        let (sent, received) = t.totals();
        assert_eq!((sent.open, sent.update, sent.keepalive), (2, 6, 2));
        assert_eq!((received.open, received.update), (1, 2));
        t.new_connection();
        t.new_connection(); // a connection that reported nothing adds nothing
        assert_eq!(t.totals().0.update, 6);
        assert_eq!(t.flaps(), 0);
        t.flapped();
        assert_eq!(t.flaps(), 1);
    }

    #[test]
    fn sources_count_commands_errors_and_latency() {
        let mut s = SourceTally::default();
        s.answered("announcer", 3, 1, Duration::from_millis(2));
        s.answered("cli", 1, 0, Duration::from_secs(10));
        s.answered("announcer", 2, 0, Duration::from_micros(50));
        s.answered("ghost", 0, 0, Duration::ZERO);
        let v = s.sources();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].source.as_str(), v[0].commands, v[0].errors),
            ("announcer", 5, 1)
        );
        assert_eq!(
            (v[1].source.as_str(), v[1].commands, v[1].errors),
            ("cli", 1, 0)
        );
        assert_eq!(s.latency().count(), 6);
        assert_eq!(s.latency().cumulative()[0].1, 2, "two under 100 µs");
        s.retain(|k| k == "cli");
        assert_eq!(s.sources().len(), 1);
    }
}
