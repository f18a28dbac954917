//! The listening sockets and the connections they accept: each accepted
//! connection goes to the worker of the neighbor it comes from, an unknown
//! source gets NOTIFICATION Cease 6/3 and is closed.

use super::*;

impl Daemon {
    pub(super) fn update_listeners(&mut self) -> Result<()> {
        let mut want: BTreeSet<SocketAddr> =
            listen::listen_addresses(&self.opts.settings, self.peers.values());
        if !self.activated.is_empty() {
            // systemd's sockets replace tcp.bind; neighbors' own `listen`
            // ports are still opened here.
            for ip in &self.opts.settings.tcp.bind.0 {
                want.remove(&SocketAddr::new(*ip, self.opts.settings.tcp.port.0));
            }
            want.extend(self.activated.iter().copied());
        }
        let have: Vec<SocketAddr> = self.listeners.keys().copied().collect();
        for addr in have {
            if !want.contains(&addr) {
                if let Some(h) = self.listeners.remove(&addr) {
                    h.abort();
                }
                info!("stopped listening on {addr}");
            }
        }
        for addr in want {
            if self.listeners.contains_key(&addr) {
                continue;
            }
            let l = listen::bind(addr)?;
            info!("listening on {addr}");
            let h = self.accept_on(addr, l);
            self.listeners.insert(addr, h);
        }
        Ok(())
    }

    /// Accepts on `l` and passes each connection to the event loop.
    pub(super) fn accept_on(&self, addr: SocketAddr, l: tokio::net::TcpListener) -> JoinHandle<()> {
        let tx = self.events.clone();
        tokio::spawn(async move {
            loop {
                match l.accept().await {
                    Ok((stream, remote)) => {
                        let local = stream.local_addr().unwrap_or(addr);
                        if tx
                            .send(Event::Accepted {
                                stream,
                                local,
                                remote,
                            })
                            .is_err()
                        {
                            break;
                        }
                    }
                    Err(e) => {
                        warn!("accept on {addr}: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        })
    }

    pub(super) async fn on_accept(
        &mut self,
        stream: TcpStream,
        local: SocketAddr,
        remote: SocketAddr,
    ) {
        if self.stopping.is_some() {
            return;
        }
        let Some(peer) = plan::match_incoming(&self.peers, remote.ip(), local.ip()) else {
            warn!("connection from {remote} to {local}: no session configured for the peer, refused (6/3)");
            tokio::spawn(listen::reject(stream));
            return;
        };
        let fd: OwnedFd = match stream.into_std() {
            Ok(s) => s.into(),
            Err(e) => {
                warn!("connection from {remote}: {e}");
                return;
            }
        };
        info!(peer, "incoming connection from {remote} to {local}");
        if !self
            .send_session(peer, SupervisorToSession::Incoming { remote, local }, &[fd])
            .await
        {
            warn!(
                peer,
                "connection from {remote}: the neighbor's worker is not running, closed"
            );
        }
    }
}
