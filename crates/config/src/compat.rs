//! ferrobgp's own compatibility settings (`ferrobgp.compat.*`): each
//! reproduces, on request, a defect of the ExaBGP development commit the
//! conformance suite pins, which ExaBGP 5.0.15 has since fixed. The default
//! of every one is the correct behaviour; `qa/bin/conformance` turns them on
//! for that suite only (README, "Differences from ExaBGP").
//!
//! Spellings, as for ExaBGP's settings: the environment variables
//! `ferrobgp.compat.reference-open`, `ferrobgp.compat.reference_open` or
//! `ferrobgp_compat_reference_open`, or `reference-open = true` under
//! `[ferrobgp.compat]` in the settings file.

use crate::setting_value::SettingValue;
use serde::{Deserialize, Serialize};

/// Every compatibility setting, off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CompatSettings {
    /// Leave the capabilities with an empty value (route refresh, enhanced
    /// route refresh, operational, extended message) out of the OPEN, as
    /// the reference commit did. What is left out is not negotiated.
    pub reference_open: bool,
    /// Send 4-byte-ASN route targets and origins (`target:4200000001:7`)
    /// with type 0x01, the IPv4 administrator type, as ExaBGP does, not
    /// RFC 5668's type 0x02.
    pub reference_extended_community: bool,
    /// Answer a message of unknown type with NOTIFICATION 1/0 and a text,
    /// as ExaBGP does (5.0.15 included), not RFC 4271's 1/3 (Bad Message
    /// Type) with the type octet.
    pub reference_unknown_message: bool,
    /// Accept an extra `}` at the very end of a configuration file with a
    /// warning, as ExaBGP does (5.0.15 included; one of the suite's
    /// configurations ends so), instead of refusing the file.
    pub reference_trailing_brace: bool,
}

/// Every compatibility key, as documented (`ferrobgp.compat.<key>`).
pub const KEYS: [&str; 4] = [
    "reference-open",
    "reference-extended-community",
    "reference-unknown-message",
    "reference-trailing-brace",
];

impl CompatSettings {
    /// Sets `key` (after `ferrobgp.compat.`; `-` or `_` between words)
    /// from its textual value. `None` when the key does not exist.
    pub fn set(&mut self, key: &str, raw: &str) -> Option<Result<(), String>> {
        match key.replace('_', "-").as_str() {
            "reference-open" => Some(bool::parse_setting(raw).map(|v| self.reference_open = v)),
            "reference-extended-community" => {
                Some(bool::parse_setting(raw).map(|v| self.reference_extended_community = v))
            }
            "reference-unknown-message" => {
                Some(bool::parse_setting(raw).map(|v| self.reference_unknown_message = v))
            }
            "reference-trailing-brace" => {
                Some(bool::parse_setting(raw).map(|v| self.reference_trailing_brace = v))
            }
            _ => None,
        }
    }

    /// The settings as `("ferrobgp.compat.key", value)`.
    pub fn entries(&self) -> Vec<(String, String)> {
        vec![
            (
                "ferrobgp.compat.reference-open".to_string(),
                self.reference_open.show(),
            ),
            (
                "ferrobgp.compat.reference-extended-community".to_string(),
                self.reference_extended_community.show(),
            ),
            (
                "ferrobgp.compat.reference-unknown-message".to_string(),
                self.reference_unknown_message.show(),
            ),
            (
                "ferrobgp.compat.reference-trailing-brace".to_string(),
                self.reference_trailing_brace.show(),
            ),
        ]
    }
}

/// The compatibility key of an environment variable or settings-file path
/// (`ferrobgp.compat.reference-open`, `ferrobgp_compat_reference_open`),
/// `None` when the name is not in that namespace.
pub fn compat_key(name: &str) -> Option<&str> {
    name.strip_prefix("ferrobgp.compat.")
        .or_else(|| name.strip_prefix("ferrobgp_compat_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for name in [
            "ferrobgp.compat.reference-open",
            "ferrobgp.compat.reference_open",
            "ferrobgp_compat_reference_open",
        ] {
            let mut c = CompatSettings::default();
            let key = compat_key(name).unwrap();
            assert_eq!(c.set(key, "true"), Some(Ok(())), "{name}");
            assert!(c.reference_open, "{name}");
        }
        let mut c = CompatSettings::default();
        assert_eq!(c.set("reference_extended_community", "true"), Some(Ok(())));
        assert!(c.reference_extended_community && !c.reference_open);
        assert_eq!(compat_key("exabgp.tcp.port"), None);
        assert!(CompatSettings::default().set("nonsense", "1").is_none());
        assert!(CompatSettings::default()
            .set("reference-open", "maybe")
            .unwrap()
            .is_err());
    }
}
