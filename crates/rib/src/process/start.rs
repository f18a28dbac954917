//! The rib's start: the supervisor's `Init` decoded, the queues of the
//! event loop created, the writer of the supervisor channel spawned, and
//! the state built with the configured peers installed.

use super::*;

/// The receiving ends of the event loop's queues.
pub(super) struct Inbox {
    pub helper: mpsc::UnboundedReceiver<(HelperKey, FromHelper)>,
    pub session: mpsc::UnboundedReceiver<session_io::FromSession>,
    pub control: mpsc::UnboundedReceiver<tokio::net::UnixStream>,
}

/// What a rib's start gives.
pub(super) enum Started {
    /// The state, its configured peers installed, the loop's queues and
    /// the writer of the supervisor channel.
    Ready(Box<State>, Inbox, JoinHandle<()>),
    /// The configuration's routes do not parse: `Refused` is queued on the
    /// supervisor channel (here, with its writer), which stops the daemon.
    Refused(mpsc::UnboundedSender<RibToSupervisor>, JoinHandle<()>),
}

/// Writes the queued messages to the supervisor (never blocks the loop)
/// and tells the journal gate each journal message it wrote.
fn spawn_supervisor_writer(
    mut sup_tx: ipc::Sender<RibToSupervisor>,
    journal_written: tokio::sync::watch::Sender<u64>,
) -> (mpsc::UnboundedSender<RibToSupervisor>, JoinHandle<()>) {
    let (sup, mut sup_queue) = mpsc::unbounded_channel::<RibToSupervisor>();
    let writer = tokio::spawn(async move {
        while let Some(m) = sup_queue.recv().await {
            if sup_tx.send(&m).await.is_err() {
                return;
            }
            if let RibToSupervisor::Journal { seq, .. } = m {
                journal_written.send_replace(seq);
            }
        }
    });
    (sup, writer)
}

/// The header of the helpers' JSON messages.
fn envelope(daemon_pid: u32, daemon_ppid: u32) -> ferrobgp_api::json::Envelope {
    // gethostname(2) is a system call: it works in the confined rib, which
    // may not open /proc/sys/kernel/hostname.
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    ferrobgp_api::json::Envelope {
        version: ferrobgp_api::json::JSON_VERSION.to_string(),
        host,
        pid: daemon_pid,
        ppid: daemon_ppid,
    }
}

impl State {
    /// The state of a rib that got `init`, its configured peers installed,
    /// with the loop's queues and the supervisor channel's writer; or the
    /// refusal of a configuration whose routes do not parse.
    pub(super) fn start(
        init: SupervisorToRib,
        sup_tx: ipc::Sender<RibToSupervisor>,
        opts: Options,
    ) -> ipc::Result<Started> {
        let SupervisorToRib::Init {
            settings,
            config,
            peers,
            daemon_pid,
            daemon_ppid,
            outlived,
        } = init
        else {
            return Err(ipc::Error::Protocol("first message is not Init".into()));
        };
        // The supervisor loaded the same settings: they load.
        let settings = crate::configuration::settings(&settings)
            .map_err(|e| ipc::Error::Protocol(format!("the settings do not load: {e}")))?;
        let (helper_events, helper) = mpsc::unbounded_channel();
        let (session_events, session) = mpsc::unbounded_channel();
        let (control_clients, control) = mpsc::unbounded_channel();
        let (journal_gate, journal_written) = session_io::JournalGate::new();
        let (sup, writer) = spawn_supervisor_writer(sup_tx, journal_written);
        let st = State {
            opts: opts.clone(),
            version: settings
                .version
                .clone()
                .unwrap_or_else(crate::dispatch::version_answer),
            envelope: envelope(daemon_pid, daemon_ppid),
            daemon_ppid,
            settings,
            running: Default::default(),
            config: Config {
                source: Default::default(),
                processes: Vec::new(),
                neighbors: Vec::new(),
            },
            table: crate::Rib::new(),
            peers: BTreeMap::new(),
            helpers: HashMap::new(),
            next_key: 0,
            next_link: 0,
            seq: 0,
            pipes: crate::pipeline::Pipelines::new(opts.peer_queue),
            refused: answers::LogLimit::default(),
            drain: drain::Drain::default(),
            noticed: false,
            sup,
            journal_gate,
            journal_at_tick: None,
            resync_gone: outlived.into_iter().map(|p| (p, Vec::new())).collect(),
            resync_until: std::time::Instant::now() + RESYNC_WINDOW,
            helper_events,
            session_events,
            deadlines: Default::default(),
            control_clients,
            answered: Default::default(),
            batch_read: None,
            after_burst: Default::default(),
        };
        let inbox = Inbox {
            helper,
            session,
            control,
        };
        let running = configured::Running {
            files: config,
            peers,
        };
        Ok(st.install_configuration(running, inbox, writer))
    }

    /// The configuration loaded and its peers installed: the rib ready to
    /// run with its inbox, or the refusal (queued to the supervisor) of a
    /// configuration whose routes do not parse.
    fn install_configuration(
        mut self,
        running: configured::Running,
        inbox: Inbox,
        writer: JoinHandle<()>,
    ) -> Started {
        let parsed = crate::configuration::load(&running.files, &self.settings, &running.peers)
            .and_then(|loaded| Ok((loaded.config, self.parse_peers(loaded.peers)?)));
        let (config, ready) = match parsed {
            Ok(parsed) => parsed,
            Err(errors) => {
                warn!("the configuration's routes do not parse: refusing it");
                let _ = self.sup.send(RibToSupervisor::Refused { errors });
                return Started::Refused(self.sup.clone(), writer);
            }
        };
        self.apply_config(config);
        self.install_peers(ready, running);
        Started::Ready(Box::new(self), inbox, writer)
    }
}
