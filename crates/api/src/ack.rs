//! Replies to commands (spec §2.2): `done` / `error` lines in command order,
//! following the process's acknowledgement state (`api.ack`, `enable-ack`,
//! `disable-ack`, `silence-ack`), whatever the process's event encoder.
//!
//! ferrobgp extension: with `enable-ack json` (or the setting
//! `api.ack-format = json`) each reply is one JSON object carrying the
//! command's sequence number and, for an error, the reason:
//! `{ "answer": "done", "message": "command completed", "seq": 12 }`,
//! `{ "answer": "error", "message": "no neighbor matches the selector", "seq": 13 }`.
//! Helpers that accept ExaBGP's JSON answers (`"answer": "done"`) accept these.

use crate::command::{AckFormat, Command};

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Failed, with the reason.
    Error(String),
}

/// Per-process acknowledgement state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckState {
    pub enabled: bool,
    pub format: AckFormat,
}

impl AckState {
    /// The state a process starts with (`api.ack`, `api.ack-format`).
    pub fn new(enabled: bool, format: AckFormat) -> AckState {
        AckState { enabled, format }
    }

    /// Updates the state for `command` (None: a line that did not parse)
    /// and returns the reply line to write (without newline), if any.
    pub fn reply(
        &mut self,
        seq: u64,
        command: Option<&Command>,
        outcome: &Outcome,
    ) -> Option<String> {
        match command {
            Some(Command::Reset) | Some(Command::Debug(_)) => None,
            Some(Command::SilenceAck) => {
                self.enabled = false;
                None
            }
            Some(Command::DisableAck) => {
                let answer = self.render(seq, outcome);
                self.enabled = false;
                answer
            }
            Some(Command::EnableAck(format)) => {
                self.enabled = true;
                self.format = *format;
                self.render(seq, outcome)
            }
            _ => self.render(seq, outcome),
        }
    }

    fn render(&self, seq: u64, outcome: &Outcome) -> Option<String> {
        if !self.enabled {
            return None;
        }
        Some(match (self.format, outcome) {
            (AckFormat::Text, Outcome::Done) => "done".to_string(),
            (AckFormat::Text, Outcome::Error(_)) => "error".to_string(),
            (AckFormat::Json, Outcome::Done) => {
                format!("{{ \"answer\": \"done\", \"message\": \"command completed\", \"seq\": {seq} }}")
            }
            (AckFormat::Json, Outcome::Error(reason)) => format!(
                "{{ \"answer\": \"error\", \"message\": {}, \"seq\": {seq} }}",
                serde_json::to_string(reason).unwrap_or_else(|_| "\"error\"".into())
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_control_sequences() {
        // api-ack-control: done, disable-ack answered, silent, enable-ack answered, done
        let mut a = AckState::new(true, AckFormat::Text);
        let announce = Command::Comment;
        assert_eq!(
            a.reply(1, Some(&announce), &Outcome::Done).as_deref(),
            Some("done")
        );
        assert_eq!(
            a.reply(2, Some(&Command::DisableAck), &Outcome::Done)
                .as_deref(),
            Some("done")
        );
        assert_eq!(a.reply(3, Some(&announce), &Outcome::Done), None);
        assert_eq!(a.reply(4, None, &Outcome::Error("x".into())), None);
        assert_eq!(
            a.reply(
                5,
                Some(&Command::EnableAck(AckFormat::Text)),
                &Outcome::Done
            )
            .as_deref(),
            Some("done")
        );
        assert_eq!(
            a.reply(6, None, &Outcome::Error("x".into())).as_deref(),
            Some("error")
        );
        // api-silence-ack: silence-ack is not answered
        assert_eq!(a.reply(7, Some(&Command::SilenceAck), &Outcome::Done), None);
        assert_eq!(a.reply(8, Some(&announce), &Outcome::Done), None);
        assert_eq!(
            a.reply(
                9,
                Some(&Command::EnableAck(AckFormat::Text)),
                &Outcome::Done
            )
            .as_deref(),
            Some("done")
        );
        // disable-ack while disabled says nothing
        let mut off = AckState::new(false, AckFormat::Text);
        assert_eq!(
            off.reply(1, Some(&Command::DisableAck), &Outcome::Done),
            None
        );
        assert_eq!(off.reply(2, Some(&Command::Reset), &Outcome::Done), None);
    }

    #[test]
    fn ack_format_setting() {
        assert_eq!(AckFormat::from_setting("json"), Some(AckFormat::Json));
        assert_eq!(AckFormat::from_setting(" TEXT "), Some(AckFormat::Text));
        assert_eq!(AckFormat::from_setting("xml"), None);
    }

    #[test]
    fn json_replies_carry_seq_and_reason() {
        let mut a = AckState::new(true, AckFormat::Text);
        let r = a
            .reply(
                41,
                Some(&Command::EnableAck(AckFormat::Json)),
                &Outcome::Done,
            )
            .unwrap();
        assert_eq!(
            r,
            r#"{ "answer": "done", "message": "command completed", "seq": 41 }"#
        );
        let r = a
            .reply(42, None, &Outcome::Error("invalid \"x\"".into()))
            .unwrap();
        assert_eq!(
            r,
            r#"{ "answer": "error", "message": "invalid \"x\"", "seq": 42 }"#
        );
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["seq"], 42);
        assert_eq!(v["answer"], "error");
    }
}
