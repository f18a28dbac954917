//! The configuration as the supervisor loads it, its routes kept as text
//! (the supervisor never parses a route: see `ferrobgp_config::route_text`),
//! and the first rib's verdict on those routes, which the daemon waits for
//! before it starts any helper or session.

use super::*;

/// Loads the configuration files of the current selection, without their
/// routes, and returns with it each file as read, its text packed: what
/// the rib loads (the same text, so that both see the same neighbors).
pub fn load(opts: &Options, files: &[PathBuf]) -> Result<(Config, Vec<ipc::ConfigFile>)> {
    let mut lo = LoadOptions::new(opts.settings.clone(), opts.path_env.clone());
    lo.run.user = opts.helper_run_as.clone();
    // The routes are the rib's to parse (see `ferrobgp_config::route_text`).
    lo.defer_routes = true;
    let mut configs = Vec::new();
    let mut rib_files = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let loaded = ferrobgp_config::read_source(path)
            .and_then(|source| ferrobgp_config::load_source(&source, &lo).map(|l| (source, l)));
        match loaded {
            Ok((source, mut l)) => {
                for w in &l.warnings {
                    warn!("{w} (warning)");
                }
                // the route sections' text is the rib's, which loads the file
                for n in &mut l.config.neighbors {
                    n.route_text = Vec::new();
                }
                configs.push(l.config);
                rib_files.push(ipc::ConfigFile {
                    path: source.path,
                    absolute: source.absolute,
                    text: ipc::PackedText::pack(&source.text)?,
                });
            }
            Err(ferrobgp_config::ConfigError::Invalid(ds)) => {
                errors.extend(ds.iter().map(|d| d.to_string()))
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok((Config::merge(configs), rib_files))
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

    /// The supervisor never parses a route: its load keeps no route, and
    /// the rib gets the file's text, whose routes it parses.
    #[test]
    fn the_supervisor_loads_no_route_and_hands_the_rib_the_text() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("t.conf");
        let text = "neighbor 10.0.0.1 {\n router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2;\n static {\n  route 10.1.0.0/24 next-hop 10.0.0.254 med x;\n }\n}\n";
        std::fs::write(&path, text).expect("write");
        let opts = Options {
            configs: vec![path.clone()],
            exe: PathBuf::from("/nonexistent"),
            settings: Settings::default(),
            settings_source: Default::default(),
            path_env: None,
            child_args: Vec::new(),
            child_env: Vec::new(),
            user: None,
            control_socket: None,
            release_memory: || {},
            helper_run_as: None,
        };
        // A full parse refuses `med x`: the supervisor's load does not see it.
        let (config, files) =
            load(&opts, std::slice::from_ref(&path)).expect("loads without parsing the route");
        let n = &config.neighbors[0];
        assert!(n.routes.is_empty());
        assert!(n.route_text.is_empty());
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, path);
        assert_eq!(files[0].text.unpack().expect("unpacks"), text);
        let lo = LoadOptions {
            defer_routes: true,
            ..Default::default()
        };
        let source = ferrobgp_config::Source {
            path: files[0].path.clone(),
            absolute: files[0].absolute.clone(),
            text: files[0].text.unpack().expect("unpacks"),
        };
        let rib = ferrobgp_config::load_source(&source, &lo).expect("the rib loads it");
        let errors = ferrobgp_config::parse_routes(&rib.config.neighbors[0], |_| {})
            .expect_err("the rib refuses it");
        assert_eq!(
            errors[0].pos,
            ferrobgp_config::Pos::new(4, 45),
            "{}",
            errors[0]
        );
        assert_eq!(errors[0].file, path.display().to_string());
    }
}
