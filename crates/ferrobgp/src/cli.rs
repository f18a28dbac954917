//! `ferrobgp cli`: the client of the daemon's control socket.
//!
//! One command is written as one line; every line the daemon returns is
//! printed until the answer `done`, `error` or `shutdown` (text or JSON
//! form). ExaBGP's client-side shortcuts are expanded first (`s n summary`
//! is `show neighbor summary`). Without a command, an interactive prompt
//! with history and completion of command words.

use clap::Args;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// How long the client waits for the daemon's next line.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The hint given when no answer comes, as ExaBGP's client gives it.
pub const TIMEOUT_HINT: &str = "no answer from the daemon within 5 seconds: is exabgp.api.ack \
set to false? (then commands are not acknowledged)";

#[derive(Args)]
pub struct CliArgs {
    /// The control socket (default: <runtime dir>/<exabgp.api.socketname>.sock,
    /// the runtime dir being the first of $RUNTIME_DIRECTORY, /run/ferrobgp,
    /// $XDG_RUNTIME_DIR/ferrobgp, /tmp/ferrobgp-<uid> that holds it).
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// Ask `show` commands for JSON (appends `json`).
    #[arg(long)]
    json: bool,
    /// The command, e.g. `show neighbor summary` or `a r 10.0.0.0/24 next-hop self`
    /// (shortcuts are expanded); none: interactive prompt.
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    command: Vec<String>,
}

/// How an exchange ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Done,
    Error,
    Shutdown,
}

/// Why a command got no answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the daemon at {path}: {source} (is `ferrobgp run` running with its control socket enabled?)")]
    Unreachable {
        path: String,
        source: std::io::Error,
    },
    #[error("refusing the control socket {path}: {why}")]
    Untrusted { path: String, why: String },
    #[error("{TIMEOUT_HINT}")]
    Timeout,
    #[error("connection to the daemon lost before the answer: {0}")]
    Lost(String),
}

/// Expands ExaBGP's client-side shortcuts: single words stand for the
/// command words that may appear at their place (`s` is `show` first and
/// `summary` after `show neighbor`; `a r` is `announce route`; `f` is
/// `flow` after announce/withdraw, else `flush`; `e` is `eor` after
/// announce, `extensive` in `show`; `rr` route-refresh; `t` teardown;
/// `neighbour` is `neighbor`; `restart n IP` is `restart neighbor IP`,
/// which the daemon takes as `neighbor IP restart`). Arguments
/// (prefixes, attributes) are never touched: expansion stops at the first
/// word that is not a command word.
pub fn expand(line: &str) -> String {
    // the selector keys are the api grammar's, so the two cannot drift apart
    use ferrobgp_api::selector::SELECTOR_KEYS;
    let mut at = At::Verb;
    let mut out: Vec<String> = Vec::new();
    for token in line.split_whitespace() {
        let word = if token == "neighbour" {
            "neighbor"
        } else {
            token
        };
        let (expanded, next) = if at == At::Rest {
            (token, At::Rest)
        } else {
            step(at, word)
        };
        // A selector continues with `key value` pairs or `,` before the verb.
        let next = if at == At::Verb && next == At::Rest && SELECTOR_KEYS.contains(&word) {
            At::SelectorValue
        } else if at == At::Verb && word == "," {
            At::Verb
        } else {
            next
        };
        out.push(expanded.to_string());
        at = next;
    }
    out.join(" ")
}

/// Where `expand` stands in a command: what the next word may be.
#[derive(Clone, Copy, PartialEq)]
enum At {
    /// Where a verb (or a neighbor selector) may come.
    Verb,
    /// Inside a selector, after a key whose value comes next.
    SelectorValue,
    /// After `neighbor` in a selector: the address comes next.
    SelectorAddress,
    /// After `show`.
    Show,
    ShowNeighbor,
    ShowAdjRib,
    /// After announce / withdraw.
    Object,
    /// After `announce flow` / `withdraw flow`.
    Flow,
    /// After `restart`: `neighbor` may follow (`restart neighbor IP`).
    Restart,
    /// After flush / clear.
    AdjRib,
    AdjRibSide,
    /// Arguments: nothing is expanded any more.
    Rest,
}

/// One word of `expand`'s walk: the word's expansion at `at` and where
/// the walk stands after it. Once in `At::Rest` the word is returned as is.
fn step(at: At, word: &str) -> (&str, At) {
    match at {
        At::Verb => match word {
            "n" | "neighbor" => ("neighbor", At::SelectorAddress),
            "s" | "show" => ("show", At::Show),
            "a" | "announce" => ("announce", At::Object),
            "w" | "withdraw" => ("withdraw", At::Object),
            "f" | "flush" => ("flush", At::AdjRib),
            "c" | "clear" => ("clear", At::AdjRib),
            "t" | "teardown" => ("teardown", At::Rest),
            "restart" => ("restart", At::Restart),
            "h" => ("help", At::Rest),
            "v" => ("version", At::Rest),
            _ => (word, At::Rest),
        },
        At::SelectorAddress => (word, At::Verb),
        At::SelectorValue => (word, At::Verb),
        At::Show => match word {
            "n" | "neighbor" => ("neighbor", At::ShowNeighbor),
            "a" | "adj-rib" => ("adj-rib", At::ShowAdjRib),
            _ => (word, At::Rest),
        },
        At::ShowNeighbor => match word {
            "s" | "summary" => ("summary", At::ShowNeighbor),
            "e" | "extensive" => ("extensive", At::ShowNeighbor),
            "c" | "configuration" => ("configuration", At::ShowNeighbor),
            "j" | "json" => ("json", At::ShowNeighbor),
            _ => (word, At::ShowNeighbor),
        },
        At::ShowAdjRib => match word {
            "i" | "in" => ("in", At::ShowAdjRib),
            "o" | "out" => ("out", At::ShowAdjRib),
            "e" | "extensive" => ("extensive", At::ShowAdjRib),
            "j" | "json" => ("json", At::ShowAdjRib),
            _ => (word, At::ShowAdjRib),
        },
        At::Object => match word {
            "r" | "route" => ("route", At::Rest),
            "f" | "flow" => ("flow", At::Flow),
            "e" | "eor" => ("eor", At::Rest),
            "rr" | "route-refresh" => ("route-refresh", At::Rest),
            "w" | "watchdog" => ("watchdog", At::Rest),
            "o" | "operational" => ("operational", At::Rest),
            _ => (word, At::Rest),
        },
        At::Restart => match word {
            "n" | "neighbor" => ("neighbor", At::Rest),
            _ => (word, At::Rest),
        },
        At::Flow => match word {
            "r" | "route" => ("route", At::Rest),
            _ => (word, At::Rest),
        },
        At::AdjRib => match word {
            "a" | "adj-rib" => ("adj-rib", At::AdjRibSide),
            _ => (word, At::Rest),
        },
        At::AdjRibSide => match word {
            "i" | "in" => ("in", At::Rest),
            "o" | "out" => ("out", At::Rest),
            _ => (word, At::Rest),
        },
        At::Rest => (word, At::Rest),
    }
}

/// Appends `json` to a `show` command that does not ask for it yet.
pub fn with_json(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let is_show = words.contains(&"show");
    if is_show && !words.contains(&"json") {
        format!("{line} json")
    } else {
        line.to_string()
    }
}

/// Whether `line` ends an answer, and how.
///
/// Compared exactly, as `exabgp cli` does: `help` lists `shutdown ` with a
/// trailing space so that its line does not end the answer.
pub fn terminal(line: &str) -> Option<Answer> {
    let t = line;
    match t {
        "done" => return Some(Answer::Done),
        "error" => return Some(Answer::Error),
        "shutdown" => return Some(Answer::Shutdown),
        _ => {}
    }
    // The notice a text helper gets when the daemon exits: `shutdown PID PPID`.
    let mut w = t.split(' ');
    if w.next() == Some("shutdown")
        && w.clone().count() == 2
        && w.all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(Answer::Shutdown);
    }
    if t.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(t) {
            match v.get("answer").and_then(|a| a.as_str()) {
                Some("done") => return Some(Answer::Done),
                Some("error") => return Some(Answer::Error),
                Some("shutdown") => return Some(Answer::Shutdown),
                _ => {}
            }
        }
    }
    None
}

/// Sends `command` on `socket` and gives every returned line to `print`,
/// the terminal one included.
pub fn exchange(
    socket: &Path,
    command: &str,
    mut print: impl FnMut(&str),
) -> Result<Answer, ClientError> {
    let unreachable = |source| ClientError::Unreachable {
        path: socket.display().to_string(),
        source,
    };
    let socket =
        ferrobgp_supervisor::socket_trust::check(socket).map_err(|why| ClientError::Untrusted {
            path: socket.display().to_string(),
            why,
        })?;
    let mut stream = UnixStream::connect(&socket).map_err(unreachable)?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| ClientError::Lost(e.to_string()))?;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .map_err(|e| ClientError::Lost(e.to_string()))?;
    stream
        .write_all(format!("{command}\n").as_bytes())
        .map_err(|e| ClientError::Lost(e.to_string()))?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return Err(ClientError::Lost("the daemon closed the connection".into())),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(ClientError::Timeout)
            }
            Err(e) => return Err(ClientError::Lost(e.to_string())),
        }
        let l = line.trim_end_matches(['\n', '\r']);
        print(l);
        if let Some(a) = terminal(l) {
            return Ok(a);
        }
    }
}

fn socket_path(a: &CliArgs) -> PathBuf {
    if let Some(p) = &a.socket {
        return p.clone();
    }
    let name = crate::load_settings(&[])
        .map(|s| s.api.socketname)
        .unwrap_or_else(|_| "exabgp".into());
    ferrobgp_supervisor::control::default_path(&name)
}

/// Runs one command; the exit status of `ferrobgp cli`.
fn one(socket: &Path, line: &str, json: bool) -> u8 {
    let mut command = expand(line);
    let stdout = std::io::stdout();
    // As `exabgp cli`: the expanded command is shown when it differs.
    if command != line.trim() {
        let mut o = stdout.lock();
        let _ = writeln!(o, "command: {command}");
    }
    if json {
        command = with_json(&command);
    }
    // The answer's lines, without its final `done` / `error` / `shutdown`
    // (what `exabgp cli` prints); those become the exit status and stderr.
    let result = exchange(socket, &command, |l| {
        if terminal(l).is_some() {
            return;
        }
        let mut o = stdout.lock();
        let _ = writeln!(o, "{l}");
        let _ = o.flush();
    });
    match result {
        Ok(Answer::Done) => 0,
        Ok(Answer::Error) => {
            eprintln!("ferrobgp cli: the daemon answered error (see its log for the reason)");
            1
        }
        Ok(Answer::Shutdown) => {
            eprintln!("ferrobgp cli: the daemon is shutting down, command aborted");
            1
        }
        Err(e @ ClientError::Unreachable { .. }) => {
            eprintln!("ferrobgp cli: {e}");
            2
        }
        Err(e) => {
            eprintln!("ferrobgp cli: {e}");
            1
        }
    }
}

pub fn main(a: CliArgs) -> ExitCode {
    let socket = socket_path(&a);
    if a.command.is_empty() {
        return interactive(&socket, a.json);
    }
    ExitCode::from(one(&socket, &a.command.join(" "), a.json))
}

/// Command words offered by completion.
const WORDS: &[&str] = &[
    "adj-rib",
    "announce",
    "attributes",
    "clear",
    "configuration",
    "eor",
    "extensive",
    "flow",
    "flush",
    "help",
    "in",
    "json",
    "neighbor",
    "next-hop",
    "operational",
    "out",
    "reload",
    "restart",
    "route",
    "route-refresh",
    "show",
    "shutdown",
    "summary",
    "teardown",
    "version",
    "watchdog",
    "withdraw",
];

/// Completion of the word under the cursor.
pub fn complete_word(line: &str, pos: usize) -> (usize, Vec<String>) {
    let head = line.get(..pos).unwrap_or(line);
    let start = head.rfind(' ').map(|i| i + 1).unwrap_or(0);
    let word = &head[start..];
    let list = WORDS
        .iter()
        .filter(|w| w.starts_with(word))
        .map(|w| w.to_string())
        .collect();
    (start, list)
}

struct Words;

impl rustyline::completion::Completer for Words {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(complete_word(line, pos))
    }
}
impl rustyline::hint::Hinter for Words {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Words {}
impl rustyline::validate::Validator for Words {}
impl rustyline::Helper for Words {}

fn history_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".ferrobgp_history"))
}

fn interactive(socket: &Path, json: bool) -> ExitCode {
    use rustyline::error::ReadlineError;
    let mut editor = match rustyline::Editor::<Words, rustyline::history::DefaultHistory>::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("ferrobgp cli: no terminal for the prompt: {e}");
            return ExitCode::from(1);
        }
    };
    editor.set_helper(Some(Words));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "ferrobgp cli on {} (shortcuts: s n summary, a r ...; quit with exit or Ctrl-D)",
        socket.display()
    );
    let mut status = 0u8;
    loop {
        match editor.readline("ferrobgp> ") {
            Ok(line) => {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                if line == "exit" || line == "quit" {
                    break;
                }
                let _ = editor.add_history_entry(line);
                status = one(socket, line, json);
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("ferrobgp cli: {e}");
                status = 1;
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    ExitCode::from(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_expand_like_exabgp() {
        assert_eq!(expand("s n summary"), "show neighbor summary");
        assert_eq!(expand("s n s"), "show neighbor summary");
        assert_eq!(
            expand("s n e 127.0.0.1"),
            "show neighbor extensive 127.0.0.1"
        );
        assert_eq!(expand("s a o e"), "show adj-rib out extensive");
        assert_eq!(
            expand("a r 10.0.0.0/24 next-hop 1.2.3.4"),
            "announce route 10.0.0.0/24 next-hop 1.2.3.4"
        );
        assert_eq!(expand("w r 10.0.0.0/24"), "withdraw route 10.0.0.0/24");
        assert_eq!(expand("a e"), "announce eor");
        assert_eq!(
            expand("a rr ipv4 unicast"),
            "announce route-refresh ipv4 unicast"
        );
        assert_eq!(
            expand("a f r { match { } }"),
            "announce flow route { match { } }"
        );
        assert_eq!(expand("f a o"), "flush adj-rib out");
        assert_eq!(expand("c a i"), "clear adj-rib in");
        assert_eq!(
            expand("neighbour 10.0.0.1 t 2"),
            "neighbor 10.0.0.1 teardown 2"
        );
        assert_eq!(
            expand("n 10.0.0.1 peer-as 65000 , n 10.0.0.2 a r 1.0.0.0/8 next-hop self"),
            "neighbor 10.0.0.1 peer-as 65000 , neighbor 10.0.0.2 announce route 1.0.0.0/8 next-hop self"
        );
    }

    #[test]
    fn arguments_are_never_expanded() {
        // `e`, `s`, `a` after the route are attribute values, not shortcuts.
        assert_eq!(
            expand("a r 10.0.0.0/24 next-hop 1.2.3.4 community [ s e a ]"),
            "announce route 10.0.0.0/24 next-hop 1.2.3.4 community [ s e a ]"
        );
        assert_eq!(expand("version"), "version");
        assert_eq!(expand("  show   neighbor  "), "show neighbor");
        assert_eq!(expand("bogus s n"), "bogus s n");
    }

    #[test]
    fn restart_of_one_neighbor_in_both_word_orders() {
        assert_eq!(
            expand("restart neighbor 10.0.0.1"),
            "restart neighbor 10.0.0.1"
        );
        assert_eq!(
            expand("restart n 10.0.0.1 peer-as 65000"),
            "restart neighbor 10.0.0.1 peer-as 65000"
        );
        assert_eq!(
            expand("restart neighbour 10.0.0.1"),
            "restart neighbor 10.0.0.1"
        );
        assert_eq!(expand("n 10.0.0.1 restart"), "neighbor 10.0.0.1 restart");
        assert_eq!(expand("restart"), "restart");
    }

    #[test]
    fn json_is_appended_to_show_only() {
        assert_eq!(
            with_json("show neighbor summary"),
            "show neighbor summary json"
        );
        assert_eq!(with_json("show adj-rib out json"), "show adj-rib out json");
        assert_eq!(
            with_json("announce route 1.0.0.0/8 next-hop 1.1.1.1"),
            "announce route 1.0.0.0/8 next-hop 1.1.1.1"
        );
    }

    #[test]
    fn answers_in_text_and_json() {
        assert_eq!(terminal("done"), Some(Answer::Done));
        assert_eq!(terminal("error"), Some(Answer::Error));
        assert_eq!(terminal("shutdown"), Some(Answer::Shutdown));
        assert_eq!(terminal("shutdown 123 1"), Some(Answer::Shutdown));
        assert_eq!(terminal("shutdown in progress"), None);
        assert_eq!(
            terminal(r#"{ "answer": "done", "message": "command completed" }"#),
            Some(Answer::Done)
        );
        assert_eq!(
            terminal(r#"{ "answer": "error", "message": "x" }"#),
            Some(Answer::Error)
        );
        assert_eq!(terminal(r#"[{"state": "up"}]"#), None);
        assert_eq!(
            terminal("127.0.0.1 ipv4 unicast 10.0.0.0/24 next-hop 1.1.1.1"),
            None
        );
    }

    #[test]
    fn completion_of_command_words() {
        assert_eq!(
            complete_word("sh", 2),
            (0, vec!["show".to_string(), "shutdown".to_string()])
        );
        let (start, list) = complete_word("show neighbor su", 16);
        assert_eq!(start, 14);
        assert_eq!(list, vec!["summary".to_string()]);
        assert!(complete_word("zz", 2).1.is_empty());
    }
}
