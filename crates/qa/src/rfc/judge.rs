//! The judge of the RFC corpus: what was observed for a case (the
//! NOTIFICATION, the session's end, what the JSON helper was told), read
//! from the helper's lines, described, and compared with the case's
//! expectation.

use super::*;

/// What was observed for a case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observed {
    /// The NOTIFICATION received (code, subcode, data), if any.
    pub notification: Option<(u8, u8, Vec<u8>)>,
    /// The session closed (with or without NOTIFICATION).
    pub closed: bool,
    /// The NOTIFICATION answered the evil peer's OPEN (the session never
    /// came up, so no helper is told it went down).
    pub at_open: bool,
    /// The helper reported the sentinel route (the session stayed up and
    /// everything sent before it was processed).
    pub sentinel: bool,
    /// The helper's JSON lines, as read.
    pub helper: Vec<String>,
    /// Set when the case does not apply (a capability it requires was not
    /// advertised by the daemon): why.
    pub not_applicable: Option<String>,
}

/// The capability codes of an OPEN message (header included).
pub fn open_capabilities(open: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let Some(params) = open.get(29..) else {
        return out;
    };
    let mut at = 0;
    while at + 2 <= params.len() {
        let (kind, len) = (params[at], usize::from(params[at + 1]));
        let value = params.get(at + 2..at + 2 + len).unwrap_or_default();
        if kind == 2 {
            let mut c = 0;
            while c + 2 <= value.len() {
                out.push(value[c]);
                c += 2 + usize::from(value[c + 1]);
            }
        }
        at += 2 + len;
    }
    out
}

/// The prefixes of one family map (`announce` or `withdraw`) of an update
/// event.
fn nlris(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(p)) = m.get("nlri") {
                out.push(p.clone());
            }
            for (_, x) in m {
                nlris(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| nlris(x, out)),
        _ => {}
    }
}

/// One update event as the judge sees it.
#[derive(Debug, Default)]
struct Event {
    announced: Vec<String>,
    withdrawn: Vec<String>,
    attributes: serde_json::Map<String, Value>,
}

fn update_events(lines: &[String]) -> Vec<Event> {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "update")
        .filter_map(|v| {
            let u = v["neighbor"]["message"]["update"].clone();
            if !u.is_object() {
                return None;
            }
            let mut e = Event::default();
            nlris(&u["announce"], &mut e.announced);
            nlris(&u["withdraw"], &mut e.withdrawn);
            if let Value::Object(m) = &u["attribute"] {
                e.attributes = m.clone();
            }
            Some(e)
        })
        .collect()
}

/// Whether the helper saw the session go down.
pub fn saw_down(lines: &[String]) -> bool {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .any(|v| v["type"] == "state" && v["neighbor"]["state"] == "down")
}

/// The update events between the pre-announced route and the sentinel.
fn case_events(lines: &[String]) -> Result<Vec<Event>, String> {
    let events = update_events(lines);
    let start = events
        .iter()
        .position(|e| e.announced.iter().any(|p| p == PRE_PREFIX))
        .ok_or("the helper never reported the pre-announced route")?;
    let end = events
        .iter()
        .position(|e| e.announced.iter().any(|p| p == SENTINEL_PREFIX))
        .ok_or("the helper never reported the sentinel route")?;
    Ok(events
        .into_iter()
        .take(end)
        .skip(start + 1)
        .collect::<Vec<_>>())
}

/// A one-line account of what was observed, for reports.
pub fn describe(o: &Observed) -> String {
    if let Some(why) = &o.not_applicable {
        return format!("n/a: {why}");
    }
    if let Some((c, s, d)) = &o.notification {
        return format!("NOTIFICATION {c}/{s} data {}", hex::encode(d));
    }
    if o.closed {
        return "closed without NOTIFICATION".into();
    }
    if !o.sentinel {
        return "session up, but the helper never reported the sentinel".into();
    }
    match case_events(&o.helper) {
        Err(e) => e,
        Ok(events) if events.is_empty() => "session up, no update event".into(),
        Ok(events) => events
            .iter()
            .map(|e| {
                let keys: Vec<&str> = e.attributes.keys().map(String::as_str).collect();
                format!(
                    "announce [{}] withdraw [{}] attributes [{}]",
                    e.announced.join(" "),
                    e.withdrawn.join(" "),
                    keys.join(" ")
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Judges an observation: `Ok` when it is what the case expects, else why
/// not.
pub fn judge(case: &Case, o: &Observed) -> Result<(), String> {
    let seen = describe(o);
    let fail = |why: &str| Err(format!("{why}; observed: {seen}"));
    if o.not_applicable.is_some() {
        return Ok(());
    }
    match &case.expect {
        Expect::Notification {
            code,
            subcode,
            data,
        } => {
            let Some((c, s, d)) = &o.notification else {
                return fail("expected a NOTIFICATION");
            };
            if (c, s) != (code, subcode) {
                return fail(&format!("expected NOTIFICATION {code}/{subcode}"));
            }
            if let Some(want) = data {
                if want != d {
                    return fail(&format!("expected data {}", hex::encode(want)));
                }
            }
            if !o.at_open && !saw_down(&o.helper) {
                return fail("the helper was not told the session went down");
            }
            Ok(())
        }
        _ if o.notification.is_some() || o.closed || !o.sentinel => {
            fail("expected the session to stay up")
        }
        Expect::Nothing => match case_events(&o.helper) {
            Ok(e) if e.is_empty() => Ok(()),
            Ok(_) => fail("expected no update event"),
            Err(e) => fail(&e),
        },
        Expect::Withdraw(p) => {
            let events = case_events(&o.helper).or_else(|e| fail(&e).map(|()| Vec::new()))?;
            if events.iter().any(|e| e.announced.contains(p)) {
                return fail(&format!("{p} was reported as announced"));
            }
            if !events.iter().any(|e| e.withdrawn.contains(p)) {
                return fail(&format!("{p} was not reported as withdrawn"));
            }
            Ok(())
        }
        Expect::Announce {
            prefix,
            without,
            with,
            not,
        } => {
            let events = case_events(&o.helper).or_else(|e| fail(&e).map(|()| Vec::new()))?;
            let Some(e) = events.iter().find(|e| e.announced.contains(prefix)) else {
                return fail(&format!("{prefix} was not reported as announced"));
            };
            if let Some(k) = without.iter().find(|k| e.attributes.contains_key(*k)) {
                return fail(&format!("attribute {k} should have been discarded"));
            }
            if let Some(k) = with.iter().find(|k| !e.attributes.contains_key(*k)) {
                return fail(&format!("attribute {k} is missing"));
            }
            if let Some(p) = not
                .iter()
                .find(|p| events.iter().any(|e| e.announced.contains(*p)))
            {
                return fail(&format!("{p} should not have been announced"));
            }
            Ok(())
        }
    }
}
