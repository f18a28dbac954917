//! The receive scenarios of the benchmark: every benchmark peer feeds a
//! full table once its session is up; the daemon is timed until the
//! sockets took the last byte, until its processes' CPU settles and, with
//! the JSON helper, until the helper has every prefix.

use super::*;
use std::path::Path;

/// CPU time of the daemon's processes, the helper excluded.
fn tree_cpu_ms(root: i32) -> u64 {
    procstat::tree(root)
        .into_iter()
        .filter_map(procstat::measure)
        .filter(|p| !Report::is_helper(p))
        .map(|p| p.cpu_ms)
        .sum()
}

/// Waits until the daemon's processes are idle (under 10 % of a core over
/// a 1 s window: an event loop's housekeeping is not work) or `deadline`;
/// returns when they were last busy (30 % of a core or more over 100 ms),
/// polled every 20 ms.
fn settle(root: i32, deadline: Instant) -> Option<Instant> {
    let mut samples: std::collections::VecDeque<(Instant, u64)> = Default::default();
    let mut busy = Instant::now();
    while Instant::now() < deadline {
        let now = Instant::now();
        let cpu = tree_cpu_ms(root);
        samples.push_back((now, cpu));
        while samples
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > Duration::from_secs(1))
        {
            samples.pop_front();
        }
        let recent = samples
            .iter()
            .find(|(t, _)| now.duration_since(*t) <= Duration::from_millis(100))
            .map_or(cpu, |(_, c)| *c);
        if cpu - recent >= 30 {
            busy = now;
        }
        let window = samples.front().map_or(cpu, |(_, c)| *c);
        if now.duration_since(busy) >= Duration::from_secs(1) && cpu - window <= 100 {
            return Some(busy);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// The receive scenarios: every peer feeds the table once its session is
/// up; the daemon is timed until its CPU settles and, with the JSON
/// helper, until the helper has every prefix.
pub(super) fn receive(
    settings: Settings,
    listeners: Vec<TcpListener>,
    command: &DaemonCommand,
    conf: &std::path::Path,
    env: &[(String, String)],
    deadline: Instant,
) -> Result<Report, QaError> {
    let (bytes, _) = table::updates(settings.routes);
    let bytes = Arc::new(bytes);
    let stop = Arc::new(AtomicBool::new(false));
    let (fed_tx, fed_rx) = std::sync::mpsc::channel::<Fed>();
    let feeders: Vec<_> = listeners
        .into_iter()
        .map(|l| {
            let (bytes, stop, fed) = (Arc::clone(&bytes), Arc::clone(&stop), fed_tx.clone());
            std::thread::spawn(move || sink::feed(l, &bytes, deadline, fed, &stop))
        })
        .collect();
    drop(fed_tx);
    let spawned = Instant::now();
    let mut daemon = Daemon::spawn(command, &[conf.to_path_buf()], env)?;
    let mut started: Option<Instant> = None;
    let mut written: Option<Instant> = None;
    for _ in 0..settings.peers {
        let Ok(fed) = fed_rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        else {
            break;
        };
        started = Some(started.map_or(fed.started, |s| s.min(fed.started)));
        written = Some(written.map_or(fed.written, |w| w.max(fed.written)));
    }
    let all_fed = written.is_some() && fed_rx.try_recv().is_err();
    let mut receipt = Receipt {
        written: None,
        settled: None,
        helper: None,
    };
    if let (Some(start), Some(written), true) = (started, written, all_fed) {
        receipt.written = Some(written - start);
        if settings.scenario == Scenario::ReceiveJson {
            receipt.helper = helper_complete(&settings.report, start, deadline);
        }
        receipt.settled =
            settle(daemon.pid(), deadline).map(|t| t.saturating_duration_since(start));
    }
    let processes = procstat::tree(daemon.pid())
        .into_iter()
        .filter_map(procstat::measure)
        .collect();
    stop.store(true, Ordering::Relaxed);
    let failure = join_feeders(feeders);
    daemon.stop(Duration::ZERO);
    if let Some(e) = failure {
        daemon.wait_output(Duration::from_secs(1));
        return Err(QaError::Usage(format!(
            "{e}\n--- daemon stderr ---\n{}",
            daemon.stderr_tail(30)
        )));
    }
    Ok(Report {
        settings,
        peers: Vec::new(),
        processes,
        from_start: receipt
            .settled
            .zip(started)
            .map(|(settled, start)| (start + settled).saturating_duration_since(spawned)),
        reload: None,
        receipt: Some(receipt),
    })
}

/// When the JSON helper had every prefix, from `start`: the helper writes
/// the wall-clock time (ns since the epoch) into its `report` file.
fn helper_complete(report: &Path, start: Instant, deadline: Instant) -> Option<Duration> {
    while Instant::now() < deadline && !report.exists() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let nanos = std::fs::read_to_string(report)
        .ok()
        .and_then(|t| t.trim().parse::<u128>().ok())?;
    let now = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let ago = Duration::from_nanos(u64::try_from(now.saturating_sub(nanos)).unwrap_or(0));
    Some((Instant::now() - ago).saturating_duration_since(start))
}

/// The first failure of the feeding peers, once they are all done.
fn join_feeders(
    feeders: Vec<std::thread::JoinHandle<Result<sink::Session, QaError>>>,
) -> Option<QaError> {
    let mut failure = None;
    for f in feeders {
        match f.join() {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                failure.get_or_insert(e);
            }
            Err(_) => {
                failure.get_or_insert(QaError::Usage("a benchmark peer panicked".into()));
            }
        }
    }
    failure
}
