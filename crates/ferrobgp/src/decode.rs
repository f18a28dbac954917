//! `ferrobgp decode`: BGP messages or NLRIs in hex (arguments or stdin)
//! printed as ExaBGP's JSON, as `exabgp decode` prints them.

use super::*;

/// `ferrobgp decode`: the messages or NLRIs given, as ExaBGP's decoder prints them.
pub(crate) fn decode(a: DecodeArgs) -> ExitCode {
    use ferrobgp_api::json::{decode_hex_json, messages_json, DecodeEnvelope};
    use ferrobgp_wire::negotiated::Negotiated;
    let negotiated = if a.path_information {
        Negotiated::standalone_addpath()
    } else {
        Negotiated::standalone()
    };
    let env = DecodeEnvelope {
        time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0),
        host: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_default(),
        pid: std::process::id(),
        ppid: nix::unistd::getppid().as_raw() as u32,
        ..DecodeEnvelope::default()
    };
    let text = if a.hex.len() == 1 && a.hex[0] == "-" {
        let mut text = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
            eprintln!("ferrobgp decode: reading standard input: {e}");
            return ExitCode::from(1);
        }
        text
    } else {
        a.hex.join(" ")
    };
    let result = if a.nlri {
        decode_nlri(&text, a.family.as_deref(), a.path_information)
    } else if a.open && !starts_with_marker(&text) {
        ferrobgp_wire::hex::parse_hex(&text)
            .and_then(|body| {
                ferrobgp_wire::message::Message::decode(
                    ferrobgp_wire::message::kind::OPEN,
                    &body,
                    &negotiated,
                )
            })
            .and_then(|m| messages_json(&[m], &env))
    } else {
        decode_hex_json(&text, &negotiated, &env)
    };
    match result {
        Ok(values) => {
            for v in values {
                println!("{v}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ferrobgp decode: {e}");
            ExitCode::from(1)
        }
    }
}

/// Whether a hex dump begins with the 16-byte all-ones marker.
fn starts_with_marker(text: &str) -> bool {
    ferrobgp_wire::hex::parse_hex(&text[..text.len().min(64)])
        .map(|b| b.starts_with(&ferrobgp_wire::message::MARKER))
        .unwrap_or(false)
}

/// `decode --nlri`: every NLRI of `family` in the dump, one JSON object each.
fn decode_nlri(
    text: &str,
    family: Option<&str>,
    addpath: bool,
) -> ferrobgp_wire::Result<Vec<serde_json::Value>> {
    use ferrobgp_wire::{Error, Family};
    let family = match family {
        None => Family::IPV4_UNICAST,
        Some(name) => {
            let words: Vec<&str> = name.split([' ', '/']).filter(|w| !w.is_empty()).collect();
            match words.as_slice() {
                [afi, safi] => Family::from_names(afi, safi),
                _ => None,
            }
            .ok_or_else(|| {
                Error::Parse(
                    format!("unknown family {name:?} (expected e.g. \"ipv4 unicast\")").into(),
                )
            })?
        }
    };
    let bytes = ferrobgp_wire::hex::parse_hex(text)?;
    let mut nlris = Vec::new();
    ferrobgp_wire::nlri::Nlri::decode_all(family, &bytes, addpath, &mut nlris)
        .map_err(|e| Error::Parse(format!("{family} NLRI: {e}").into()))?;
    Ok(nlris
        .iter()
        .map(ferrobgp_api::json::update::nlri_json)
        .collect())
}
