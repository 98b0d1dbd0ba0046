//! Folder names on the wire. IMAP4rev1 (RFC 3501 §5.1.3) carries mailbox names in "modified
//! UTF-7": printable ASCII as itself except `&`, written `&-`; any other run of characters as
//! UTF-16BE in base64 with `,` for `/` and no padding, between `&` and `-`. Admins type folder
//! names as they see them ("Bestätigt", "Поддержка"); the server must receive the encoded form,
//! or it answers BAD / finds no such folder.

use base64::Engine;
use base64::alphabet::IMAP_MUTF7;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

const MUTF7: GeneralPurpose = GeneralPurpose::new(
    &IMAP_MUTF7,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
);

fn printable(c: char) -> bool {
    ('\u{20}'..='\u{7e}').contains(&c)
}

/// The wire form of a folder name.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&MUTF7.encode(bytes));
        out.push('-');
        pending.clear();
    };
    for c in name.chars() {
        if printable(c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// A folder name as a person reads it; `None` when `wire` is not valid modified UTF-7.
pub fn decode(wire: &str) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find('-')?;
        let chunk = &after[..end];
        if chunk.is_empty() {
            out.push('&');
        } else {
            let bytes = MUTF7.decode(chunk).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes.chunks(2).map(|p| u16::from_be_bytes([p[0], p[1]])).collect();
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_and_known_server_names() {
        // RFC 3501's own example.
        assert_eq!(encode("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(encode("Bestätigt"), "Best&AOQ-tigt");
        assert_eq!(encode("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(encode("Q&A"), "Q&-A");
        assert_eq!(encode("INBOX"), "INBOX");
        assert_eq!(encode("Поддержка"), "&BB8EPgQ0BDQENQRABDYEOgQw-");
        assert_eq!(encode("mail 😀"), "mail &2D3eAA-");
    }

    #[test]
    fn decodes_what_it_encodes() {
        for name in [
            "~peter/mail/台北/日本語",
            "Bestätigt",
            "Q&A & more",
            "a😀b",
            "plain",
            "&",
            "ä&ö",
        ] {
            assert_eq!(decode(&encode(name)).as_deref(), Some(name), "{name}");
        }
        assert_eq!(decode("broken&AOQ"), None, "unterminated");
        assert_eq!(decode("odd&AO-"), None);
    }
}
