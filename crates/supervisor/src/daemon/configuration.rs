//! The configuration as the supervisor loads it, its routes kept as text
//! (the supervisor never parses a route: see `ferrobgp_config::route_text`),
//! and the first rib's verdict on those routes, which the daemon waits for
//! before it starts any helper or session.

use super::*;

/// Loads the configuration files of the current selection.
pub fn load(opts: &Options, files: &[PathBuf]) -> Result<Config> {
    let mut lo = LoadOptions::new(opts.settings.clone(), opts.path_env.clone());
    lo.run.user = opts.helper_run_as.clone();
    // The routes are the rib's to parse (see `ferrobgp_config::route_text`).
    lo.defer_routes = true;
    let mut configs = Vec::new();
    let mut errors = Vec::new();
    for r in ferrobgp_config::load_files(files, &lo) {
        match r {
            Ok(l) => {
                for w in &l.warnings {
                    warn!("{w} (warning)");
                }
                configs.push(l.config)
            }
            Err(ferrobgp_config::ConfigError::Invalid(ds)) => {
                errors.extend(ds.iter().map(|d| d.to_string()))
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(plan::merge(configs))
    } else {
        Err(Error::Config(errors.join("\n")))
    }
}

impl Daemon {
    /// Runs the daemon's events until the first rib answers its `Init`:
    /// `Ready` (go on), or `Refused` with the errors of the configuration's
    /// routes (the daemon stops, as for any invalid configuration).
    /// Returns the exit status when the daemon stopped meanwhile.
    pub(super) async fn rib_verdict(
        &mut self,
        rx: &mut mpsc::UnboundedReceiver<Event>,
    ) -> Result<Option<i32>> {
        while let Some(ev) = rx.recv().await {
            let current = |gen: u64| self.rib.as_ref().is_some_and(|r| r.gen == gen);
            match ev {
                Event::FromRib {
                    gen,
                    msg: Ok(RibToSupervisor::Ready),
                } if current(gen) => {
                    debug!("rib ready: the configured routes are installed");
                    return Ok(None);
                }
                Event::FromRib {
                    gen,
                    msg: Ok(RibToSupervisor::Refused { errors }),
                } if current(gen) => return Err(Error::Config(errors.join("\n"))),
                ev => {
                    self.handle(ev).await;
                    if self.exit_now {
                        return Ok(Some(self.stopping.unwrap_or(0)));
                    }
                }
            }
        }
        Ok(Some(self.stopping.unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The supervisor never parses a route: its load keeps each route
    /// section as text, which only the rib's payload carries.
    #[test]
    fn the_supervisor_loads_routes_as_text_for_the_rib() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("t.conf");
        std::fs::write(
            &path,
            "neighbor 10.0.0.1 {\n router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2;\n static {\n  route 10.1.0.0/24 next-hop 10.0.0.254 med x;\n }\n}\n",
        )
        .expect("write");
        let opts = Options {
            configs: vec![path.clone()],
            exe: PathBuf::from("/nonexistent"),
            settings: Settings::default(),
            path_env: None,
            child_args: Vec::new(),
            child_env: Vec::new(),
            user: None,
            control_socket: None,
            release_memory: || {},
            helper_run_as: None,
        };
        // A full parse refuses `med x`: the supervisor's load does not see it.
        let mut config = load(&opts, &[path]).expect("loads without parsing the route");
        let n = &config.neighbors[0];
        assert!(n.routes.is_empty());
        assert_eq!(n.route_text.len(), 1);
        let split = PeerIds::default().assign(&mut config).expect("serializes");
        assert!(split.peers.values().all(|n| n.route_text.is_empty()));
        let sent: Neighbor = split.rib_peers[0]
            .neighbor
            .to_streamed(|_: ferrobgp_config::ConfigRoute| panic!("no parsed route"))
            .expect("decodes");
        let errors = ferrobgp_config::parse_routes(&sent, |_| {}).expect_err("the rib refuses it");
        assert_eq!(
            errors[0].pos,
            ferrobgp_config::Pos::new(4, 45),
            "{}",
            errors[0]
        );
    }
}
