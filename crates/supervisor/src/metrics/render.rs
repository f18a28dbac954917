//! The exposition of one scrape, pure: the supervisor's view (restarts,
//! helper states, whether the rib answered) and the rib's counters
//! ([`RibMetrics`]) become OpenMetrics text (or Prometheus text 0.0.4)
//! through `prometheus-client`'s encoders, as a custom collector of
//! values already counted elsewhere.

use ferrobgp_ipc::{MessageCounts, PeerMetrics, RibMetrics};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

/// What a helper is doing, as `ferrobgp_helper_state{state=...}` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelperState {
    /// The program runs.
    Running,
    /// It ended and waits for its respawn (or will not be respawned:
    /// `respawn` off).
    Stopped,
    /// Started too often too fast: not started again until a reload or SIGUSR2.
    Failed,
}

impl HelperState {
    pub const ALL: [HelperState; 3] = [
        HelperState::Running,
        HelperState::Stopped,
        HelperState::Failed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            HelperState::Running => "running",
            HelperState::Stopped => "stopped",
            HelperState::Failed => "failed",
        }
    }
}

/// One helper as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperView {
    pub name: String,
    pub state: HelperState,
    pub restarts: u64,
}

/// One session worker as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerView {
    /// The neighbor's address, as the `peer` label.
    pub peer: String,
    pub running: bool,
    pub restarts: u64,
}

/// The supervisor's part of a scrape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupervisorView {
    pub rib_restarts: u64,
    pub workers: Vec<WorkerView>,
    pub helpers: Vec<HelperView>,
}

/// The RFC 4271 FSM state number GoBGP and BIRD exporters use
/// (1 idle .. 6 established; 0 unknown).
pub fn state_number(state: &str) -> u8 {
    match state {
        "idle" => 1,
        "connect" => 2,
        "active" => 3,
        "opensent" => 4,
        "openconfirm" => 5,
        "established" => 6,
        _ => 0,
    }
}

#[derive(Debug)]
struct Scrape {
    view: SupervisorView,
    rib: Option<RibMetrics>,
}

type Labels<'a> = [(&'static str, &'a str)];

fn family<M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    series: impl IntoIterator<Item = (Vec<(&'static str, String)>, M)>,
) -> Result<(), std::fmt::Error> {
    let mut m = encoder.encode_descriptor(name, help, None, kind)?;
    for (labels, value) in series {
        let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
        value.encode(m.encode_family(&labels)?)?;
    }
    Ok(())
}

fn one<'a>(labels: &Labels<'a>) -> Vec<(&'static str, String)> {
    labels.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

fn peer_label(p: &PeerMetrics) -> Vec<(&'static str, String)> {
    vec![("peer", p.address.to_string())]
}

/// Reads one count of a [`MessageCounts`].
type Pick = fn(&MessageCounts) -> u64;

/// The message counters GoBGP names `bgp_{sent,received}_<kind>_total`.
const KINDS: [(&str, &str, Pick); 6] = [
    ("message", "BGP messages", MessageCounts::total),
    ("open", "OPEN messages", |c| c.open),
    ("update", "UPDATE messages", |c| c.update),
    ("keepalive", "KEEPALIVE messages", |c| c.keepalive),
    ("notification", "NOTIFICATION messages", |c| c.notification),
    ("refresh", "ROUTE-REFRESH messages", |c| c.refresh),
];

impl Collector for Scrape {
    fn encode(&self, mut e: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        process_families(&mut e, &self.view, self.rib.is_some())?;
        helper_families(&mut e, &self.view.helpers)?;
        let Some(rib) = &self.rib else {
            return Ok(());
        };
        peer_families(&mut e, &rib.peers)?;
        message_families(&mut e, &rib.peers)?;
        api_families(&mut e, rib)
    }
}

/// Whether the rib answered, and the restarts of the rib and of each
/// session worker (the supervisor's own counts).
fn process_families(
    e: &mut DescriptorEncoder,
    view: &SupervisorView,
    rib_up: bool,
) -> Result<(), std::fmt::Error> {
    let up = i64::from(rib_up);
    family(
        e,
        "ferrobgp_rib_up",
        "1 when the rib answered this scrape, or one less than 250 ms before (the bgp_* and ferrobgp_api_* series come from it)",
        MetricType::Gauge,
        [(Vec::new(), ConstGauge::new(up))],
    )?;
    family(
        e,
        "ferrobgp_rib_restarts",
        "Times the rib process was started again after its first start",
        MetricType::Counter,
        [(Vec::new(), ConstCounter::new(view.rib_restarts))],
    )?;
    let w = &view.workers;
    family(
        e,
        "ferrobgp_worker_restarts",
        "Times the session worker of a neighbor was started again",
        MetricType::Counter,
        w.iter()
            .map(|w| (one(&[("peer", &w.peer)]), ConstCounter::new(w.restarts))),
    )?;
    family(
        e,
        "ferrobgp_worker_up",
        "1 while the session worker process of a neighbor runs",
        MetricType::Gauge,
        w.iter().map(|w| {
            (
                one(&[("peer", &w.peer)]),
                ConstGauge::new(i64::from(w.running)),
            )
        }),
    )?;
    Ok(())
}

/// The restarts and the state of each helper.
fn helper_families(e: &mut DescriptorEncoder, h: &[HelperView]) -> Result<(), std::fmt::Error> {
    family(
        e,
        "ferrobgp_helper_restarts",
        "Times the program of a process block was started again",
        MetricType::Counter,
        h.iter()
            .map(|h| (one(&[("helper", &h.name)]), ConstCounter::new(h.restarts))),
    )?;
    family(
        e,
        "ferrobgp_helper_state",
        "1 for the state a helper is in (running, stopped, failed), 0 for the others",
        MetricType::Gauge,
        h.iter().flat_map(|h| {
            HelperState::ALL.iter().map(move |s| {
                (
                    one(&[("helper", &h.name), ("state", s.name())]),
                    ConstGauge::new(i64::from(h.state == *s)),
                )
            })
        }),
    )?;
    Ok(())
}

/// Per peer: FSM state, uptime, flaps, routes in the Adj-RIBs.
fn peer_families(e: &mut DescriptorEncoder, peers: &[PeerMetrics]) -> Result<(), std::fmt::Error> {
    family(
        e,
        "bgp_peer_state",
        "BGP FSM state of the session (1 idle, 2 connect, 3 active, 4 opensent, 5 openconfirm, 6 established)",
        MetricType::Gauge,
        peers.iter().map(|p| {
            let mut l = peer_label(p);
            l.push(("session_state", p.state.clone()));
            (l, ConstGauge::new(i64::from(state_number(&p.state))))
        }),
    )?;
    family(
        e,
        "bgp_peer_uptime_seconds",
        "Seconds since the session was established (0 when it is not)",
        MetricType::Gauge,
        peers.iter().map(|p| {
            let s = p.uptime_ms.map_or(0.0, |ms| ms as f64 / 1000.0);
            (peer_label(p), ConstGauge::new(s))
        }),
    )?;
    family(
        e,
        "bgp_peer_flap_count",
        "Established sessions lost since the rib started",
        MetricType::Gauge,
        peers
            .iter()
            .map(|p| (peer_label(p), ConstGauge::new(p.flaps))),
    )?;
    family(
        e,
        "bgp_routes_advertised",
        "Routes in the Adj-RIB-Out of the neighbor",
        MetricType::Gauge,
        peers
            .iter()
            .map(|p| (peer_label(p), ConstGauge::new(p.routes_advertised))),
    )?;
    family(
        e,
        "bgp_routes_received",
        "Routes in the Adj-RIB-In of the neighbor (0 with adj-rib-in off)",
        MetricType::Gauge,
        peers
            .iter()
            .map(|p| (peer_label(p), ConstGauge::new(p.routes_received))),
    )?;
    Ok(())
}

/// Per peer: the messages sent and received by kind (GoBGP's names), and
/// what is queued to its worker.
fn message_families(
    e: &mut DescriptorEncoder,
    peers: &[PeerMetrics],
) -> Result<(), std::fmt::Error> {
    for (direction, pick) in [
        (
            "sent",
            (|p: &PeerMetrics| p.sent) as fn(&PeerMetrics) -> MessageCounts,
        ),
        ("received", |p: &PeerMetrics| p.received),
    ] {
        for (kind, what, count) in KINDS {
            family(
                e,
                &format!("bgp_{direction}_{kind}"),
                &format!("{what} {direction} (every connection since the rib started)"),
                MetricType::Counter,
                peers
                    .iter()
                    .map(|p| (peer_label(p), ConstCounter::new(count(&pick(p))))),
            )?;
        }
    }
    family(
        e,
        "ferrobgp_peer_queue_messages",
        "Batches queued to the session worker and not yet on the wire",
        MetricType::Gauge,
        peers
            .iter()
            .map(|p| (peer_label(p), ConstGauge::new(p.queue_messages))),
    )?;
    family(
        e,
        "ferrobgp_peer_queue_changes",
        "Route changes in those batches",
        MetricType::Gauge,
        peers
            .iter()
            .map(|p| (peer_label(p), ConstGauge::new(p.queue_changes))),
    )?;
    Ok(())
}

/// Per API source: command lines answered and errors; the done latency.
fn api_families(e: &mut DescriptorEncoder, rib: &RibMetrics) -> Result<(), std::fmt::Error> {
    let sources = &rib.sources;
    family(
        e,
        "ferrobgp_api_commands",
        "API command lines answered, per source (process name, or \"control socket\")",
        MetricType::Counter,
        sources
            .iter()
            .map(|s| (one(&[("source", &s.source)]), ConstCounter::new(s.commands))),
    )?;
    family(
        e,
        "ferrobgp_api_errors",
        "API command lines answered error, per source",
        MetricType::Counter,
        sources
            .iter()
            .map(|s| (one(&[("source", &s.source)]), ConstCounter::new(s.errors))),
    )?;
    let h = &rib.done_latency;
    let mut m = e.encode_descriptor(
        "ferrobgp_api_done_latency_seconds",
        "Time from reading a command line to writing its answer (done means every affected peer's bytes are written)",
        None,
        MetricType::Histogram,
    )?;
    m.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
        h.sum_seconds,
        h.count(),
        &h.buckets(),
        None,
    )
}

/// The body of one scrape: OpenMetrics 1.0 text (ending `# EOF`) when
/// `openmetrics`, else Prometheus text 0.0.4.
pub fn render(view: SupervisorView, rib: Option<RibMetrics>, openmetrics: bool) -> String {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Scrape { view, rib }));
    let mut out = String::new();
    let r = if openmetrics {
        prometheus_client::encoding::text::encode(&mut out, &registry)
    } else {
        prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)
    };
    if r.is_err() {
        // Writing to a String does not fail; an encoder that refuses a
        // value leaves what it wrote, which is still well formed up to there.
        tracing::warn!("metrics: encoding stopped early");
    }
    out
}

/// The Content-Type of [`render`]'s body.
pub fn content_type(openmetrics: bool) -> &'static str {
    if openmetrics {
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    } else {
        "text/plain; version=0.0.4; charset=utf-8"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_ipc::{LatencyHistogram, SourceMetrics};
    use std::net::{IpAddr, Ipv4Addr};

    fn view() -> SupervisorView {
        SupervisorView {
            rib_restarts: 1,
            workers: vec![WorkerView {
                peer: "127.0.0.2".into(),
                running: true,
                restarts: 2,
            }],
            helpers: vec![HelperView {
                name: "announcer".into(),
                state: HelperState::Failed,
                restarts: 5,
            }],
        }
    }

    fn rib() -> RibMetrics {
        let mut done_latency = LatencyHistogram::default();
        done_latency.observe(0.003, 2);
        done_latency.observe(30.0, 1);
        RibMetrics {
            peers: vec![PeerMetrics {
                peer: 1,
                address: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
                state: "established".into(),
                uptime_ms: Some(2_500),
                flaps: 3,
                sent: MessageCounts {
                    open: 1,
                    update: 4,
                    keepalive: 2,
                    ..Default::default()
                },
                received: MessageCounts {
                    open: 1,
                    update: 1,
                    keepalive: 5,
                    refresh: 1,
                    ..Default::default()
                },
                routes_advertised: 4,
                routes_received: 1,
                queue_messages: 0,
                queue_changes: 0,
            }],
            sources: vec![SourceMetrics {
                source: "control socket".into(),
                commands: 7,
                errors: 2,
            }],
            done_latency,
        }
    }

    fn has(text: &str, line: &str) {
        assert!(
            text.lines().any(|l| l == line),
            "missing line {line:?} in:\n{text}"
        );
    }

    #[test]
    fn openmetrics_text_of_a_known_scrape() {
        let t = render(view(), Some(rib()), true);
        assert!(t.ends_with("# EOF\n"), "{t}");
        has(&t, "ferrobgp_rib_up 1");
        has(&t, "# TYPE ferrobgp_rib_restarts counter");
        has(&t, "ferrobgp_rib_restarts_total 1");
        has(&t, "ferrobgp_worker_restarts_total{peer=\"127.0.0.2\"} 2");
        has(&t, "ferrobgp_worker_up{peer=\"127.0.0.2\"} 1");
        has(&t, "ferrobgp_helper_restarts_total{helper=\"announcer\"} 5");
        has(
            &t,
            "ferrobgp_helper_state{helper=\"announcer\",state=\"failed\"} 1",
        );
        has(
            &t,
            "ferrobgp_helper_state{helper=\"announcer\",state=\"running\"} 0",
        );
        has(
            &t,
            "bgp_peer_state{peer=\"127.0.0.2\",session_state=\"established\"} 6",
        );
        has(&t, "bgp_peer_uptime_seconds{peer=\"127.0.0.2\"} 2.5");
        has(&t, "bgp_peer_flap_count{peer=\"127.0.0.2\"} 3");
        has(&t, "bgp_routes_advertised{peer=\"127.0.0.2\"} 4");
        has(&t, "bgp_routes_received{peer=\"127.0.0.2\"} 1");
        has(&t, "bgp_sent_update_total{peer=\"127.0.0.2\"} 4");
        has(&t, "bgp_sent_message_total{peer=\"127.0.0.2\"} 7");
        has(&t, "bgp_received_message_total{peer=\"127.0.0.2\"} 8");
        has(&t, "bgp_received_refresh_total{peer=\"127.0.0.2\"} 1");
        has(&t, "bgp_received_notification_total{peer=\"127.0.0.2\"} 0");
        has(&t, "ferrobgp_peer_queue_messages{peer=\"127.0.0.2\"} 0");
        has(
            &t,
            "ferrobgp_api_commands_total{source=\"control socket\"} 7",
        );
        has(&t, "ferrobgp_api_errors_total{source=\"control socket\"} 2");
        has(&t, "# TYPE ferrobgp_api_done_latency_seconds histogram");
        has(&t, "ferrobgp_api_done_latency_seconds_count 3");
        has(
            &t,
            "ferrobgp_api_done_latency_seconds_bucket{le=\"0.0025\"} 0",
        );
        has(
            &t,
            "ferrobgp_api_done_latency_seconds_bucket{le=\"0.005\"} 2",
        );
        has(&t, "ferrobgp_api_done_latency_seconds_bucket{le=\"5.0\"} 2");
        has(
            &t,
            "ferrobgp_api_done_latency_seconds_bucket{le=\"+Inf\"} 3",
        );
    }

    #[test]
    fn without_the_rib_only_the_supervisor_series() {
        let t = render(view(), None, true);
        has(&t, "ferrobgp_rib_up 0");
        has(&t, "ferrobgp_rib_restarts_total 1");
        assert!(!t.contains("bgp_peer_state"), "{t}");
        assert!(!t.contains("ferrobgp_api_commands"), "{t}");
    }

    #[test]
    fn prometheus_text_for_older_scrapers() {
        let t = render(view(), Some(rib()), false);
        assert!(!t.contains("# EOF"), "{t}");
        has(&t, "bgp_sent_update_total{peer=\"127.0.0.2\"} 4");
        assert!(content_type(false).starts_with("text/plain; version=0.0.4"));
        assert!(content_type(true).starts_with("application/openmetrics-text"));
    }

    #[test]
    fn state_numbers() {
        assert_eq!(state_number("idle"), 1);
        assert_eq!(state_number("openconfirm"), 5);
        assert_eq!(state_number("established"), 6);
        assert_eq!(state_number("?"), 0);
    }
}
