//! Starting the supervisor: privileges, the configuration and the
//! listening sockets (systemd's first), then the rib, which must accept the
//! configured routes before any helper or session worker starts; then the
//! event loop until the daemon stops.

use super::*;

/// Runs the daemon until it stops; returns the process exit status.
/// Must run on a current-thread tokio runtime (see the module doc).
pub async fn run(opts: Options) -> Result<i32> {
    let privs = Privileges::detect(opts.user.as_deref())?
        .with_helper_capabilities(&privilege::helper_capabilities_from_env()?)?;
    let mut opts = opts;
    opts.helper_run_as = Some(privs.helper_run_as());
    let passed = notify::take_listeners()?;
    let rotate = opts.settings.debug.rotate && opts.configs.len() > 1;
    let files: Vec<PathBuf> = if rotate {
        opts.configs[..1].to_vec()
    } else {
        opts.configs.clone()
    };
    let (config, rib_files) = load(&opts, &files)?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut d = Daemon::new(opts, config, privs, tx);
    let split = d.peer_ids.assign(&d.config);
    d.peers = split.peers;
    d.rib_peers = split.rib_peers;
    d.rib_files = rib_files;
    (d.opts.release_memory)();
    d.forward_signals()?;
    d.listen(passed)?;
    d.spawn_rib().await?;
    // The rib parses the configured routes (the supervisor never does):
    // no helper and no session starts before it has accepted them.
    if let Some(code) = d.rib_verdict(&mut rx).await? {
        return Ok(code);
    }
    d.start_helpers_and_sessions().await;
    d.notify_ready("running");
    d.tick_watchdog();
    d.check_all_finished().await;
    while let Some(ev) = rx.recv().await {
        d.handle(ev).await;
        if d.exit_now {
            break;
        }
    }
    Ok(d.stopping.unwrap_or(0))
}

impl Daemon {
    /// The daemon before anything started (control socket and named pipes
    /// opened).
    fn new(
        opts: Options,
        config: Config,
        privs: Privileges,
        events: mpsc::UnboundedSender<Event>,
    ) -> Daemon {
        let control = crate::control::open(&opts);
        let cli_pipes = crate::cli_pipes::open(&opts);
        Daemon {
            opts,
            selection: 0,
            config,
            peer_ids: PeerIds::default(),
            peers: BTreeMap::new(),
            rib_peers: Vec::new(),
            rib_files: Vec::new(),
            reloads: Default::default(),
            workers: BTreeMap::new(),
            helpers: BTreeMap::new(),
            rib: None,
            rib_backoff: RestartBackoff::default(),
            rib_gen_dead: 0,
            rib_channel_open: None,
            rib_drain_checks: 0,
            journal: ipc::Journal::new(),
            listeners: BTreeMap::new(),
            activated: BTreeSet::new(),
            privs,
            events,
            next_gen: 0,
            stopping: None,
            rib_stop_pending: false,
            helpers_draining: false,
            helpers_drained: false,
            exit_now: false,
            control,
            outgoing: Default::default(),
            cli_pipes,
            metrics: Default::default(),
            metrics_server: None,
        }
    }

    /// The signals the daemon handles become events of its loop.
    fn forward_signals(&self) -> Result<()> {
        for kind in [
            SignalKind::terminate(),
            SignalKind::interrupt(),
            SignalKind::hangup(),
            SignalKind::user_defined1(),
            SignalKind::user_defined2(),
            SignalKind::alarm(),
        ] {
            let mut s = signal(kind)?;
            let tx = self.events.clone();
            tokio::spawn(async move {
                while s.recv().await.is_some() {
                    if tx.send(Event::Signal(kind)).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(())
    }

    /// Accepts on the sockets systemd `passed` and on the configured
    /// addresses, opens the metrics endpoint, then drops the supervisor's
    /// own privileges.
    fn listen(&mut self, passed: Vec<std::net::TcpListener>) -> Result<()> {
        for l in passed {
            let addr = l.local_addr()?;
            l.set_nonblocking(true)?;
            let l = tokio::net::TcpListener::from_std(l)?;
            info!("listening on {addr} (socket activation)");
            let h = self.accept_on(addr, l);
            self.activated.insert(addr);
            self.listeners.insert(addr, h);
        }
        self.update_listeners()?;
        self.start_metrics()?;
        // Listeners and control socket are up: from here on the supervisor
        // only spawns, signals and (on reload) binds; children inherit this.
        if let Some(kept) = self.privs.drop_own()? {
            info!("supervisor {kept}");
        }
        Ok(())
    }

    /// Starts the configured helpers, then one session worker per neighbor.
    async fn start_helpers_and_sessions(&mut self) {
        let processes = self.config.processes.clone();
        for p in processes {
            self.add_helper(p).await;
        }
        let ids: Vec<PeerId> = self.peers.keys().copied().collect();
        for id in ids {
            let n = self.peers[&id].clone();
            self.workers.insert(id, Worker::new(n));
            self.spawn_session(id).await;
        }
        info!(
            "started: {} neighbor(s), {} helper(s)",
            self.workers.len(),
            self.helpers.len()
        );
    }

    /// Under systemd's watchdog: a tick event at its interval.
    fn tick_watchdog(&self) {
        if let Some(every) = notify::watchdog_interval() {
            let tx = self.events.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    if tx.send(Event::Watchdog).is_err() {
                        break;
                    }
                }
            });
        }
    }
}
