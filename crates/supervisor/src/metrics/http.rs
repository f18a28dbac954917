//! The metrics endpoint's HTTP side, kept small on purpose: `GET
//! /metrics` (or `HEAD`) on a listener the supervisor bound before it
//! dropped its privileges, one request per connection, answered with
//! `Connection: close`. A scraper cannot hurt the daemon: at most
//! [`MAX_CONNECTIONS`] at a time (more are closed at once), a request head
//! of at most [`MAX_HEAD`] bytes read within [`READ_TIME`], a body never
//! read, and the answer waits at most [`ANSWER_TIME`] for the daemon loop.
//! [`parse`] and [`response`] are pure.

use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinHandle;
use tracing::debug;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 4;
/// Longest request head read.
pub const MAX_HEAD: usize = 8 * 1024;
/// Time a client has to send its request head.
pub const READ_TIME: Duration = Duration::from_secs(5);
/// Time the daemon has to produce the body.
pub const ANSWER_TIME: Duration = Duration::from_secs(4);
/// Time a client has to take the answer.
const WRITE_TIME: Duration = Duration::from_secs(5);

/// A request for the body of one scrape, sent to the daemon loop.
#[derive(Debug)]
pub struct Scrape {
    /// The client accepts OpenMetrics text.
    pub openmetrics: bool,
    pub reply: oneshot::Sender<String>,
}

/// What a request head asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `GET /metrics` (`head`: `HEAD /metrics`).
    Metrics {
        openmetrics: bool,
        head: bool,
    },
    NotFound,
    MethodNotAllowed,
    Bad,
}

/// Reads a request head (the bytes up to the blank line).
pub fn parse(head: &[u8]) -> Request {
    let Ok(text) = std::str::from_utf8(head) else {
        return Request::Bad;
    };
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (first.next(), first.next(), first.next(), first.next())
    else {
        return Request::Bad;
    };
    if !version.starts_with("HTTP/1.") {
        return Request::Bad;
    }
    let head = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Request::MethodNotAllowed,
    };
    let path = target.split('?').next().unwrap_or("");
    if path != "/metrics" {
        return Request::NotFound;
    }
    let openmetrics = lines.any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("accept")
                && v.to_ascii_lowercase()
                    .contains("application/openmetrics-text")
        })
    });
    Request::Metrics { openmetrics, head }
}

/// A complete response.
pub fn response(status: &str, content_type: &str, body: &str, head: bool) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        body.len()
    );
    if status.starts_with("405") {
        out.push_str("Allow: GET, HEAD\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    if !head {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

/// Serves `listener` until the task is aborted; `ask` hands a scrape to
/// the daemon loop (false: the loop is gone).
pub fn spawn<F>(listener: TcpListener, ask: F) -> JoinHandle<()>
where
    F: Fn(Scrape) -> bool + Send + Sync + 'static,
{
    let ask = Arc::new(ask);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            let (stream, remote) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => {
                    debug!("metrics: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                debug!("metrics: {remote}: too many connections, closed");
                continue;
            };
            let ask = ask.clone();
            tokio::spawn(async move {
                serve(stream, &*ask).await;
                drop(slot);
            });
        }
    })
}

async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.truncate(end);
            return Some(buf);
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
    }
}

async fn serve(mut stream: TcpStream, ask: &(dyn Fn(Scrape) -> bool + Send + Sync)) {
    let request = match tokio::time::timeout(READ_TIME, read_head(&mut stream)).await {
        Ok(Some(h)) => parse(&h),
        _ => Request::Bad,
    };
    let text = "text/plain; charset=utf-8";
    let bytes = match request {
        Request::Metrics { openmetrics, head } => {
            let (reply, answer) = oneshot::channel();
            let body = if ask(Scrape { openmetrics, reply }) {
                tokio::time::timeout(ANSWER_TIME, answer).await.ok()
            } else {
                None
            };
            match body {
                Some(Ok(body)) => response(
                    "200 OK",
                    super::render::content_type(openmetrics),
                    &body,
                    head,
                ),
                _ => response(
                    "503 Service Unavailable",
                    text,
                    "the daemon did not answer\n",
                    head,
                ),
            }
        }
        Request::NotFound => response("404 Not Found", text, "try /metrics\n", false),
        Request::MethodNotAllowed => response("405 Method Not Allowed", text, "", false),
        Request::Bad => response("400 Bad Request", text, "", false),
    };
    let _ = tokio::time::timeout(WRITE_TIME, async {
        let _ = stream.write_all(&bytes).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests() {
        assert_eq!(
            parse(b"GET /metrics HTTP/1.1\r\nHost: x"),
            Request::Metrics {
                openmetrics: false,
                head: false
            }
        );
        assert_eq!(
            parse(
                b"GET /metrics?x=1 HTTP/1.0\r\naccept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5"
            ),
            Request::Metrics {
                openmetrics: true,
                head: false
            }
        );
        assert_eq!(
            parse(b"HEAD /metrics HTTP/1.1"),
            Request::Metrics {
                openmetrics: false,
                head: true
            }
        );
        assert_eq!(parse(b"GET / HTTP/1.1"), Request::NotFound);
        assert_eq!(parse(b"POST /metrics HTTP/1.1"), Request::MethodNotAllowed);
        assert_eq!(parse(b"GET /metrics"), Request::Bad);
        assert_eq!(parse(b"GET /metrics SPDY/3"), Request::Bad);
        assert_eq!(parse(b"\xff\xfe"), Request::Bad);
    }

    #[test]
    fn responses() {
        let r = String::from_utf8(response("200 OK", "text/plain", "abc", false)).unwrap();
        assert_eq!(
            r,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\
             Connection: close\r\n\r\nabc"
        );
        let r = String::from_utf8(response("200 OK", "text/plain", "abc", true)).unwrap();
        assert!(r.ends_with("Content-Length: 3\r\nConnection: close\r\n\r\n"));
        let r = String::from_utf8(response("405 Method Not Allowed", "t", "", false)).unwrap();
        assert!(r.contains("\r\nAllow: GET, HEAD\r\n"));
    }

    #[tokio::test]
    async fn serves_and_bounds_a_real_socket() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = spawn(listener, |s: Scrape| s.reply.send("x 1\n".into()).is_ok());
        let mut c = TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        c.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
        assert!(
            out.contains("Content-Type: text/plain; version=0.0.4"),
            "{out}"
        );
        assert!(out.ends_with("\r\n\r\nx 1\n"), "{out}");
        // a head that never ends is cut at MAX_HEAD
        let mut c = TcpStream::connect(addr).await.unwrap();
        let junk = vec![b'a'; MAX_HEAD + 2048];
        let _ = c.write_all(&junk).await;
        let mut out = String::new();
        let _ = c.read_to_string(&mut out).await;
        assert!(out.starts_with("HTTP/1.1 400 Bad Request"), "{out}");
        task.abort();
    }
}
