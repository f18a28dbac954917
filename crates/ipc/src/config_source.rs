//! What the rib is given to load the configuration itself: the text of
//! each configuration file and the sources of the environment settings,
//! as the supervisor read them ([`SupervisorToRib::Init`] and
//! [`SupervisorToRib::Reload`]).
//!
//! The rib runs the config crate's loader on this text, the same loader
//! as the supervisor's (so a route's error keeps its `FILE:LINE:COLUMN`),
//! and the configuration model never crosses a channel: these types name
//! no other crate's type (`docs/ARCHITECTURE.md`, "IPC"). A file's text
//! travels and is kept packed ([`PackedText`]): the text of a million
//! static routes is 48.5 MB, 0.9 MB packed, which the supervisor keeps to
//! give every rib it starts.
//!
//! [`SupervisorToRib::Init`]: crate::SupervisorToRib::Init
//! [`SupervisorToRib::Reload`]: crate::SupervisorToRib::Reload

use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How hard [`PackedText::pack`] packs: zstd's level 1. On the text of 1M
/// static routes (48.5 MB) level 1 gives 0.9 MB in about 40 ms, level 3
/// 0.57 MB in about 100 ms (the supervisor packs on the way to the first
/// UPDATE), lz4 5.2 MB.
pub const PACK_LEVEL: i32 = 1;

/// A text, zstd-packed (see [`PACK_LEVEL`]). The same text always packs
/// to the same bytes, so two packed texts are equal when their texts are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct PackedText(#[serde(with = "serde_bytes")] Vec<u8>);

impl PackedText {
    /// Packs `text`.
    pub fn pack(text: &str) -> Result<Self> {
        Ok(PackedText(zstd::bulk::compress(
            text.as_bytes(),
            PACK_LEVEL,
        )?))
    }

    /// The text again; fails when the bytes are not a packed UTF-8 text.
    pub fn unpack(&self) -> Result<String> {
        let plain = zstd::stream::decode_all(self.0.as_slice())
            .map_err(|e| crate::Error::Protocol(format!("unpacking a text: {e}")))?;
        String::from_utf8(plain)
            .map_err(|e| crate::Error::Protocol(format!("a packed text is not UTF-8: {e}")))
    }

    /// Size of the packed bytes.
    pub fn packed_len(&self) -> usize {
        self.0.len()
    }
}

/// One configuration file as the supervisor read it (the config crate's
/// `Source`, its text packed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFile {
    /// The file as named on the command line (in messages).
    pub path: PathBuf,
    /// Its absolute path (the base of relative `run` paths).
    pub absolute: PathBuf,
    pub text: PackedText,
}

/// The settings file (`exabgp.env`) as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IniFile {
    pub path: PathBuf,
    pub text: String,
}

/// Where the environment settings come from, as the supervisor read
/// them: the variables the settings loader reads (command-line options
/// included, as dotted names last) and the ini file. Loading them again
/// gives the same settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SettingsSource {
    /// `(name, value)` in the order they apply.
    pub vars: Vec<(String, String)>,
    pub ini: Option<IniFile>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(n: usize) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "        route 10.{}.{}.0/24 next-hop 192.0.2.1;\n",
                    i / 256,
                    i % 256
                )
            })
            .collect()
    }

    #[test]
    fn a_text_comes_back_whole() {
        for text in ["", "neighbor 10.0.0.1 { }\n", "é ✓\n", &routes(1000)] {
            let packed = PackedText::pack(text).expect("packs");
            assert_eq!(packed.unpack().expect("unpacks"), text);
        }
    }

    #[test]
    fn a_text_is_held_packed_and_packs_the_same_way_again() {
        let text = routes(10_000);
        let packed = PackedText::pack(&text).expect("packs");
        assert!(
            packed.packed_len() * 10 < text.len(),
            "{} bytes packed of {}",
            packed.packed_len(),
            text.len()
        );
        assert_eq!(packed, PackedText::pack(&text).expect("packs"));
        assert_ne!(packed, PackedText::pack(&routes(9_999)).expect("packs"));
    }

    #[test]
    fn other_bytes_are_refused() {
        assert!(PackedText(b"not zstd".to_vec()).unpack().is_err());
        let not_utf8 = zstd::bulk::compress(&[0xff, 0xfe], PACK_LEVEL).expect("packs");
        assert!(PackedText(not_utf8).unpack().is_err());
        let mut short = PackedText::pack(&routes(100)).expect("packs");
        short.0.pop();
        assert!(short.unpack().is_err());
    }
}
