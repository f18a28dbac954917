//! The thin I/O shell around [`crate::plan`]: runs the check command with
//! its timeout, the `--execute` hooks, writes the API lines and reads the
//! acknowledgements, sets addresses up and removes them, sleeps, and turns
//! SIGTERM/SIGINT into the EXIT withdrawal.

use crate::ips::{self, LabelMatch, Netlink};
use crate::machine::{Machine, State};
use crate::plan::{Effect, Hooks, Next, Plan};
use crate::{Error, Options};
use ipnet::IpNet;
use std::io::{IsTerminal, Write};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Stdin};
use tokio::signal::unix::{signal, Signal, SignalKind};

/// Address management settings and the netlink connection.
struct Addresses {
    netlink: Option<Netlink>,
    ips: Vec<IpNet>,
    ip_ifnames: Vec<(IpNet, String)>,
    label: LabelMatch,
    /// Whether changes are attempted: CAP_NET_ADMIN or `--sudo`.
    allowed: bool,
}

impl Addresses {
    async fn existing(&self, label_only: bool) -> Result<Vec<IpNet>, Error> {
        let Some(nl) = &self.netlink else {
            return Ok(Vec::new());
        };
        let found = nl.addresses(&ips::interfaces(&self.ip_ifnames)).await?;
        Ok(ips::select(&found, &self.label, label_only))
    }

    /// Adds the missing addresses; failures (already there, no rights) are
    /// ignored, as ExaBGP ignores `ip address add` failing.
    async fn setup(&self) -> Result<(), Error> {
        if !self.allowed {
            tracing::debug!("not allowed to change interface addresses: no IP setup");
            return Ok(());
        }
        let Some(nl) = &self.netlink else {
            return Ok(());
        };
        let existing = self.existing(false).await?;
        for ip in ips::difference(&self.ips, &existing, false)? {
            let ifname = ips::ifname_for(&ip, &self.ip_ifnames);
            tracing::debug!("Setup {ifname} IP address {ip}");
            if let Err(e) = nl.add(&ip, ifname, self.label.label.as_deref()).await {
                tracing::debug!("{ifname} IP address {ip} not added: {e}");
            }
        }
        Ok(())
    }

    async fn remove(&self) -> Result<(), Error> {
        let Some(nl) = &self.netlink else {
            return Ok(());
        };
        let existing = self.existing(true).await?;
        for ip in ips::difference(&self.ips, &existing, true)? {
            let ifname = ips::ifname_for(&ip, &self.ip_ifnames);
            tracing::debug!("Remove {ifname} IP address {ip}");
            if let Err(e) = nl.remove(&ip, ifname, self.label.label.as_deref()).await {
                tracing::warn!(
                    "Unable to remove {ifname} IP address {ip} - is healthcheck running as root? ({e})"
                );
            }
        }
        Ok(())
    }
}

/// SIGTERM and SIGINT.
struct Signals {
    term: Signal,
    int: Signal,
}

impl Signals {
    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

/// The API side: stdout lines and stdin acknowledgements.
struct Api {
    stdin: BufReader<Stdin>,
    ack: bool,
}

enum Outcome {
    Done,
    Signalled,
}

impl Api {
    fn write(&mut self, line: &str) -> Result<(), Error> {
        tracing::debug!("exabgp: {line}");
        let mut out = std::io::stdout().lock();
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(())
    }

    /// Waits for ExaBGP's `done`/`error` (any line; end of input counts).
    async fn read_ack(&mut self, signals: Option<&mut Signals>) -> Result<Outcome, Error> {
        if !self.ack {
            return Ok(Outcome::Done);
        }
        let mut line = String::new();
        match signals {
            Some(s) => tokio::select! {
                r = self.stdin.read_line(&mut line) => { r?; }
                _ = s.recv() => return Ok(Outcome::Signalled),
            },
            None => {
                self.stdin.read_line(&mut line).await?;
            }
        }
        Ok(Outcome::Done)
    }
}

/// Runs a hook with `STATE` set, output discarded, and waits for it.
async fn execute(command: &str, state: State) {
    tracing::debug!("Transition to {state}, execute `{command}`");
    let status = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .env("STATE", state.name())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
    if let Err(e) = status {
        tracing::warn!("cannot run `{command}`: {e}");
    }
}

/// Runs the check command; true when it exits 0 within the timeout
/// (no command: always true).
async fn check(command: Option<&str>, timeout: i64) -> bool {
    let Some(command) = command else {
        return true;
    };
    tracing::debug!("Checking command {command:?}");
    let child = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("Check command could not start: {e}");
            return false;
        }
    };
    let pid = child.id();
    let output = child.wait_with_output();
    let output = if timeout > 0 {
        match tokio::time::timeout(Duration::from_secs(timeout as u64), output).await {
            Ok(r) => r,
            Err(_) => {
                tracing::warn!("Timeout ({timeout}) while running check command {command}");
                if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
                    let _ = nix::sys::signal::killpg(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
                return false;
            }
        }
    } else {
        output.await
    };
    match output {
        Ok(o) if o.status.success() => {
            tracing::debug!("Command was executed successfully {}", o.status);
            true
        }
        Ok(o) => {
            tracing::warn!("Check command was unsuccessful: {}", o.status);
            let text = [o.stdout, o.stderr].concat();
            let text = String::from_utf8_lossy(&text);
            if !text.trim().is_empty() {
                tracing::info!("Output of check command: {}", text.trim_end());
            }
            false
        }
        Err(e) => {
            tracing::warn!("Check command failed: {e}");
            false
        }
    }
}

/// Performs `effects`; with `signals`, a signal interrupts the waits.
async fn apply(
    effects: Vec<Effect>,
    api: &mut Api,
    addrs: &Addresses,
    mut signals: Option<&mut Signals>,
) -> Result<Outcome, Error> {
    for e in effects {
        match e {
            Effect::Execute { command, state } => execute(&command, state).await,
            Effect::SetupIps => {
                tracing::info!("service up, restoring loopback and ip-ifname ips");
                addrs.setup().await?;
            }
            Effect::RemoveIps => {
                tracing::info!("deleting setup ips");
                addrs.remove().await?;
            }
            Effect::Line(line) => {
                api.write(&line)?;
                if let Outcome::Signalled = api.read_ack(signals.as_deref_mut()).await? {
                    return Ok(Outcome::Signalled);
                }
            }
        }
    }
    Ok(Outcome::Done)
}

/// Sets `--group` then `--user` (real, effective and saved), dropping
/// supplementary groups too.
fn drop_privileges(user: Option<&str>, group: Option<&str>) -> Result<(), Error> {
    use nix::unistd::{setgroups, setresgid, setresuid, Group, User};
    let err = |e: nix::Error| Error::Privileges(e.to_string());
    if let Some(g) = group {
        let gr = Group::from_name(g)
            .map_err(err)?
            .ok_or_else(|| Error::Privileges(format!("no group {g}")))?;
        tracing::debug!("Dropping privileges to group {g}/{}", gr.gid);
        let _ = setgroups(&[gr.gid]);
        setresgid(gr.gid, gr.gid, gr.gid).map_err(err)?;
    }
    if let Some(u) = user {
        let pw = User::from_name(u)
            .map_err(err)?
            .ok_or_else(|| Error::Privileges(format!("no user {u}")))?;
        tracing::debug!("Dropping privileges to user {u}/{}", pw.uid);
        if group.is_none() {
            let _ = setgroups(&[pw.gid]);
        }
        setresuid(pw.uid, pw.uid, pw.uid).map_err(err)?;
    }
    Ok(())
}

/// The helper's life: address selection and setup, then the check loop.
pub async fn run(o: Options) -> Result<(), Error> {
    let ip_setup = !o.no_ip_setup;
    let mut addrs = addresses(&o, ip_setup).await?;
    if ip_setup {
        addrs.setup().await?;
    }
    drop_privileges(o.user.as_deref(), o.group.as_deref())?;
    if o.user.is_some() {
        addrs.allowed = o.sudo || ips::can_admin_network();
    }
    let mut plan = Plan {
        machine: Machine::new(o.rise, o.fall),
        announce: o.announce(advertised(&o, &addrs.ips)?),
        hooks: Hooks {
            any: o.execute.clone(),
            up: o.up_execute.clone(),
            down: o.down_execute.clone(),
            disabled: o.disabled_execute.clone(),
        },
        interval: o.interval,
        fast_interval: o.fast,
        debounce: o.debounce,
        dynamic_ip: o.ip_dynamic,
        ip_setup,
    };
    let mut signals = Signals {
        term: signal(SignalKind::terminate())?,
        int: signal(SignalKind::interrupt())?,
    };
    let mut api = Api {
        stdin: BufReader::new(tokio::io::stdin()),
        // a person at a terminal types no acknowledgements
        ack: !o.no_ack && !std::io::stdout().is_terminal(),
    };
    check_loop(&o, &mut plan, &mut api, &addrs, &mut signals).await
}

/// The addresses to announce: `--ip`, else those of `lo` the label
/// selects (netlink opened when addresses are read or changed).
async fn addresses(o: &Options, ip_setup: bool) -> Result<Addresses, Error> {
    let ip_ifnames = o.ip_ifnames()?;
    let label = LabelMatch {
        label: o.label.clone().filter(|l| !l.is_empty()),
        exact: o.label_exact_match,
    };
    let needs_netlink = o.ips.is_empty() || ip_setup || o.ip_dynamic;
    let netlink = if needs_netlink {
        match Netlink::open(o.sudo) {
            Ok(n) => Some(n),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        }
    } else {
        None
    };
    let mut addrs = Addresses {
        netlink,
        ips: o.ips.clone(),
        ip_ifnames,
        label,
        allowed: o.sudo || ips::can_admin_network(),
    };
    if addrs.ips.is_empty() {
        if let Some(nl) = &addrs.netlink {
            let found = nl.addresses(&["lo".to_string()]).await?;
            addrs.ips = ips::select(&found, &addrs.label, false);
        }
    }
    if addrs.ips.is_empty() {
        return Err(Error::NoIp);
    }
    Ok(addrs)
}

/// The prefixes announced: `ips` (each network's hosts with
/// `--deaggregate-networks`), rotated to start at `--start-ip`.
fn advertised(o: &Options, ips: &[IpNet]) -> Result<Vec<IpNet>, Error> {
    let mut advertised = ips.to_vec();
    if o.deaggregate_networks {
        let mut flat = Vec::new();
        for n in &advertised {
            flat.extend(ips::hosts(n)?);
        }
        advertised = flat;
    }
    let len = advertised.len() as i64;
    advertised.rotate_left(o.start_ip.rem_euclid(len) as usize);
    Ok(advertised)
}

/// Checks, announces and sleeps until a signal (then the exit
/// announcement) or a zero interval (after the first announcement).
async fn check_loop(
    o: &Options,
    plan: &mut Plan,
    api: &mut Api,
    addrs: &Addresses,
    signals: &mut Signals,
) -> Result<(), Error> {
    loop {
        let disabled = o.disable.as_ref().is_some_and(|p| p.exists());
        let successful = if disabled {
            true
        } else {
            tokio::select! {
                ok = check(o.command.as_deref(), o.timeout) => ok,
                _ = signals.recv() => break,
            }
        };
        let (effects, next) = plan.iteration(disabled, successful);
        if effects.iter().any(|e| matches!(e, Effect::Line(_))) {
            tracing::info!(
                "send announces for {} state to ExaBGP",
                plan.machine.state()
            );
        }
        if let Outcome::Signalled = apply(effects, api, addrs, Some(signals)).await? {
            break;
        }
        match next {
            Next::Sleep(d) => tokio::select! {
                _ = tokio::time::sleep(d) => {}
                _ = signals.recv() => break,
            },
            Next::Stop => {
                tracing::info!("interval set to zero, exiting after the announcement");
                return Ok(());
            }
        }
    }
    tracing::info!("send announces for {} state to ExaBGP", State::Exit);
    apply(plan.exit(), api, addrs, None).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn check_results_and_timeout_kills_the_process_group() {
        assert!(check(None, 5).await);
        assert!(check(Some("true"), 5).await);
        assert!(!check(Some("echo broken; exit 3"), 0).await);
        let dir = tempfile::tempdir().unwrap();
        let mark = dir.path().join("late");
        // a grandchild in the same group must die with the check
        let cmd = format!("(sleep 2; touch {}) & sleep 10", mark.display());
        let start = Instant::now();
        assert!(!check(Some(&cmd), 1).await);
        assert!(start.elapsed() < Duration::from_secs(3));
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert!(
            !mark.exists(),
            "the check's process group survived the timeout"
        );
    }

    #[tokio::test]
    async fn hooks_see_the_state() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("state");
        execute(
            &format!("echo \"$STATE\" > {}", out.display()),
            State::Disabled,
        )
        .await;
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "DISABLED\n");
    }
}
