//! Outgoing BGP connections, opened by the supervisor on behalf of its
//! session workers.
//!
//! A session worker cannot create or connect a socket (its seccomp
//! filter), so that a compromised worker reaches nothing but its own peer:
//! when its FSM wants a connection it sends `SessionToSupervisor::Connect
//! { attempt }`, and the supervisor connects to the neighbor *as its own
//! configuration says* (peer address, `connect` port or `tcp.port`,
//! `local-address`, `source-interface`, `md5-password`, `outgoing-ttl`,
//! `incoming-ttl`: the worker's own [`ferrobgp_session::connect::connect`]
//! code, run here), then hands the connected descriptor back with
//! `SupervisorToSession::Connected`, or the reason with `ConnectFailed`.
//! The worker's FSM stays the decider: it asks, and it is told.
//!
//! Each attempt is a task of its own (the supervisor loop never waits for
//! a connection), bounded in time by the session's connect timeout and in
//! number: one attempt in progress per worker (a new request replaces the
//! previous one, a cancel or the worker's death aborts it) and at most
//! [`MAX_CONCURRENT`] connecting at once across all neighbors (the others
//! wait for a slot). A passive neighbor's worker gets a refusal.

use ferrobgp_config::{Neighbor, Settings};
use ferrobgp_ipc::PeerId;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::AbortHandle;

/// Connections being opened at the same time, across all neighbors.
pub const MAX_CONCURRENT: usize = 64;

/// The outcome of one attempt, for the supervisor's event loop.
#[derive(Debug)]
pub struct Done {
    pub peer: PeerId,
    /// Generation of the worker that asked.
    pub gen: u64,
    pub attempt: u64,
    pub result: Result<TcpStream, String>,
}

struct InFlight {
    gen: u64,
    attempt: u64,
    task: AbortHandle,
}

/// The attempts in progress.
pub struct Outgoing {
    running: HashMap<PeerId, InFlight>,
    slots: Arc<Semaphore>,
}

impl Default for Outgoing {
    fn default() -> Self {
        Outgoing {
            running: HashMap::new(),
            slots: Arc::new(Semaphore::new(MAX_CONCURRENT)),
        }
    }
}

/// Where and how `n`'s connection is made, from the supervisor's
/// configuration; `Err` when the neighbor must not be connected to.
fn target(n: &Neighbor, s: &Settings) -> Result<ferrobgp_ipc::PeerConfig, String> {
    if crate::spawn::connect_port(n, s).is_none() {
        return Err("the neighbor is passive: no outgoing connection".into());
    }
    let net = n.peer_address;
    if net.prefix_len() != net.max_prefix_len() {
        return Err(format!("{net} is a range: no outgoing connection"));
    }
    crate::peer_config::peer_config(n, s).map_err(|e| e.to_string())
}

impl Outgoing {
    /// Starts attempt `attempt` of `peer`'s worker (generation `gen`),
    /// replacing any attempt of that worker still in progress; `done` gets
    /// the outcome (also a refusal, at once).
    pub fn start(
        &mut self,
        peer: PeerId,
        gen: u64,
        attempt: u64,
        neighbor: &Neighbor,
        settings: &Settings,
        done: impl FnOnce(Done) + Send + 'static,
    ) {
        self.forget(peer);
        let cfg = match target(neighbor, settings) {
            Ok(cfg) => cfg,
            Err(e) => {
                tracing::warn!(peer, "connection requested by the worker refused: {e}");
                done(Done {
                    peer,
                    gen,
                    attempt,
                    result: Err(e),
                });
                return;
            }
        };
        let slots = self.slots.clone();
        let task = tokio::spawn(async move {
            let result = match slots.acquire_owned().await {
                Ok(_permit) => ferrobgp_session::connect::connect(&cfg)
                    .await
                    .map_err(|e| e.to_string()),
                Err(_) => Err("the supervisor is stopping".into()),
            };
            done(Done {
                peer,
                gen,
                attempt,
                result,
            });
        });
        self.running.insert(
            peer,
            InFlight {
                gen,
                attempt,
                task: task.abort_handle(),
            },
        );
    }

    /// The worker gave attempt `attempt` up: stop it if still running.
    pub fn cancel(&mut self, peer: PeerId, attempt: u64) {
        if self
            .running
            .get(&peer)
            .is_some_and(|f| f.attempt == attempt)
        {
            self.forget(peer);
        }
    }

    /// `peer`'s worker is gone (or replaced): stop its attempt.
    pub fn forget(&mut self, peer: PeerId) {
        if let Some(f) = self.running.remove(&peer) {
            f.task.abort();
        }
    }

    /// An attempt finished: true when it is still the one `peer`'s worker
    /// of generation `gen` waits for (else its outcome is dropped).
    pub fn finished(&mut self, done: &Done) -> bool {
        match self.running.get(&done.peer) {
            Some(f) if f.attempt == done.attempt && f.gen == done.gen => {
                self.running.remove(&done.peer);
                true
            }
            // A refusal never entered `running`: still wanted when nothing
            // newer did.
            None => true,
            Some(_) => false,
        }
    }

    /// Attempts in progress.
    #[cfg(test)]
    pub fn in_progress(&self) -> usize {
        self.running.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use tokio::sync::mpsc;

    fn neighbor(text: &str) -> (Neighbor, Settings) {
        let s = Settings::default();
        let lo = ferrobgp_config::LoadOptions::new(s.clone(), None);
        let c =
            ferrobgp_config::load_str(std::path::Path::new("t.conf"), text, &lo).expect("config");
        (c.config.neighbors[0].clone(), s)
    }

    fn conf(port: u16, extra: &str) -> String {
        format!(
            "neighbor 127.0.0.1 {{\n router-id 10.0.0.1;\n local-address 127.0.0.1;\n \
             local-as 1;\n peer-as 1;\n connect {port};\n{extra}}}\n"
        )
    }

    #[tokio::test]
    async fn connects_from_the_configured_address_and_hands_the_stream_back() {
        let l = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .unwrap();
        let (n, s) = neighbor(&conf(l.local_addr().unwrap().port(), " outgoing-ttl 9;\n"));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut o = Outgoing::default();
        o.start(7, 3, 1, &n, &s, move |d| {
            let _ = tx.send(d);
        });
        assert_eq!(o.in_progress(), 1);
        let (_accepted, from) = l.accept().await.unwrap();
        let done = rx.recv().await.unwrap();
        assert!(o.finished(&done));
        assert_eq!((done.peer, done.gen, done.attempt), (7, 3, 1));
        let stream = done.result.unwrap();
        assert_eq!(stream.local_addr().unwrap(), from);
        assert_eq!(from.ip(), Ipv4Addr::LOCALHOST);
        assert_eq!(stream.ttl().unwrap(), 9);
        assert_eq!(o.in_progress(), 0);
    }

    #[tokio::test]
    async fn the_md5_key_is_set_before_connect() {
        use std::os::fd::AsFd;
        let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let key_set = ferrobgp_session::sockopt::set_md5(
            l.as_fd(),
            std::net::IpAddr::V4(Ipv4Addr::LOCALHOST),
            b"secret",
        );
        if key_set.is_err() {
            ferrobgp_testkit::skip(
                "the_md5_key_is_set_before_connect",
                "this kernel has no TCP-MD5 (CONFIG_TCP_MD5SIG)",
            );
            return;
        }
        let addr = l.local_addr().unwrap();
        // Control: the listener drops a SYN without the signature.
        assert!(
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(1)).is_err()
        );
        let (n, s) = neighbor(&conf(addr.port(), " md5-password secret;\n"));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut o = Outgoing::default();
        o.start(9, 1, 1, &n, &s, move |d| {
            let _ = tx.send(d);
        });
        let done = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert!(o.finished(&done));
        done.result.expect("signed connection accepted");
    }

    #[tokio::test]
    async fn a_connect_that_hangs_delays_no_other_neighbor() {
        use std::os::fd::AsFd;
        // A listener that requires TCP-MD5 silently drops the SYNs of a
        // neighbor without the key: that connect hangs.
        let hanging = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let md5 = ferrobgp_session::sockopt::set_md5(
            hanging.as_fd(),
            std::net::IpAddr::V4(Ipv4Addr::LOCALHOST),
            b"secret",
        );
        if md5.is_err() {
            ferrobgp_testkit::skip(
                "a_connect_that_hangs_delays_no_other_neighbor",
                "this kernel has no TCP-MD5 (CONFIG_TCP_MD5SIG)",
            );
            return;
        }
        let ok = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .unwrap();
        let (slow, s) = neighbor(&conf(hanging.local_addr().unwrap().port(), ""));
        let (fast, _) = neighbor(&conf(ok.local_addr().unwrap().port(), ""));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut o = Outgoing::default();
        let tx2 = tx.clone();
        o.start(1, 1, 1, &slow, &s, move |d| {
            let _ = tx2.send(d);
        });
        o.start(2, 1, 1, &fast, &s, move |d| {
            let _ = tx.send(d);
        });
        let done = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("the other neighbor's connection is not held up")
            .unwrap();
        assert_eq!(done.peer, 2);
        assert!(o.finished(&done));
        done.result.expect("connected");
        assert_eq!(o.in_progress(), 1, "the hanging attempt is still running");
        // Its worker died: the attempt is stopped.
        o.forget(1);
        assert_eq!(o.in_progress(), 0);
    }

    #[tokio::test]
    async fn a_passive_neighbor_is_refused_and_a_failure_is_reported() {
        let (n, s) = neighbor(&conf(179, " passive true;\n"));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut o = Outgoing::default();
        let tx2 = tx.clone();
        o.start(1, 1, 5, &n, &s, move |d| {
            let _ = tx2.send(d);
        });
        let done = rx.recv().await.unwrap();
        assert!(o.finished(&done));
        assert!(done.result.unwrap_err().contains("passive"));

        // Nobody listens on this port: a refused connection, reported.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (n, s) = neighbor(&conf(port, ""));
        o.start(2, 1, 6, &n, &s, move |d| {
            let _ = tx.send(d);
        });
        let done = rx.recv().await.unwrap();
        assert!(o.finished(&done));
        assert!(done.result.unwrap_err().contains("refused"));
    }

    #[tokio::test]
    async fn a_new_request_or_a_cancel_replaces_the_attempt_in_progress() {
        let l = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .unwrap();
        let (n, s) = neighbor(&conf(l.local_addr().unwrap().port(), ""));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut o = Outgoing::default();
        for attempt in 1..=3 {
            let tx = tx.clone();
            o.start(4, 1, attempt, &n, &s, move |d| {
                let _ = tx.send(d);
            });
        }
        assert_eq!(o.in_progress(), 1);
        // Whatever an aborted attempt still reports is stale.
        loop {
            let done = rx.recv().await.unwrap();
            if done.attempt == 3 {
                assert!(o.finished(&done));
                break;
            }
            assert!(!o.finished(&done));
        }
        let tx2 = tx.clone();
        o.start(4, 1, 4, &n, &s, move |d| {
            let _ = tx2.send(d);
        });
        o.cancel(4, 3);
        assert_eq!(o.in_progress(), 1, "cancelling an older attempt is a no-op");
        o.cancel(4, 4);
        assert_eq!(o.in_progress(), 0);
    }
}
