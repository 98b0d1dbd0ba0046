//! Decoding of text that arrived as raw 8-bit bytes in a legacy charset (headers written without
//! RFC 2047 by old clients, text parts without a usable `charset` parameter).
//!
//! With a charset hint (usually the `charset` of the message's text part) that charset is used.
//! Without one: valid UTF-8 stays UTF-8; ISO-2022-JP is recognised by its escape sequences; byte
//! UTF-8 with a few broken sequences is read as UTF-8; text that is mostly non-ASCII with byte
//! runs made only of pairs is tried as Shift_JIS (when lead bytes in 0x81–0x9F appear), GBK,
//! EUC-KR; anything else is Windows-1252 (a superset of ISO-8859-1 that never fails).

use encoding_rs::{EUC_KR, Encoding, GBK, ISO_2022_JP, SHIFT_JIS, UTF_8, WINDOWS_1252};

/// True when `text` shows signs of a failed decode: replacement characters or raw ISO-2022 escapes.
pub fn looks_misdecoded(text: &str) -> bool {
    text.contains('\u{FFFD}') || text.contains('\u{1b}')
}

/// Decodes `bytes`: valid UTF-8 as UTF-8, else with the charset named by `hint` when it is known,
/// else by guessing.
pub fn decode_legacy(bytes: &[u8], hint: Option<&str>) -> String {
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.contains('\u{1b}')
    {
        return text.to_string();
    }
    match hint.and_then(|h| Encoding::for_label(h.trim().as_bytes())) {
        // Declared UTF-8 with a few broken sequences stays UTF-8.
        Some(encoding) if encoding == UTF_8 => String::from_utf8_lossy(bytes).into_owned(),
        Some(encoding) => encoding.decode(bytes).0.into_owned(),
        None => guess_decode(bytes),
    }
}

/// Decodes `bytes` of unknown charset (see the module documentation for the order of guesses).
pub fn guess_decode(bytes: &[u8]) -> String {
    if bytes
        .windows(3)
        .any(|w| w == b"\x1b$B" || w == b"\x1b$@" || w == b"\x1b(J" || w == b"\x1b(B")
    {
        let (text, _, had_errors) = ISO_2022_JP.decode(bytes);
        if !had_errors {
            return text.into_owned();
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    if mostly_utf8(bytes) {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let sjis_lead = bytes.iter().any(|b| (0x81..=0x9F).contains(b));
    let candidates: &[&'static Encoding] = if sjis_lead {
        &[SHIFT_JIS, GBK, EUC_KR]
    } else {
        &[GBK, SHIFT_JIS, EUC_KR]
    };
    // Latin text has few non-ASCII bytes; CJK text is mostly made of them.
    let high = bytes.iter().filter(|b| **b >= 0x80).count();
    let visible = bytes.iter().filter(|b| !b.is_ascii_whitespace()).count().max(1);
    if high * 4 >= visible && high_bytes_come_in_pairs(bytes) {
        for encoding in candidates {
            if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
                return text.into_owned();
            }
        }
    }
    let (text, _, _) = WINDOWS_1252.decode(bytes);
    text.into_owned()
}

/// Valid multi-byte UTF-8 characters outnumber the invalid sequences (UTF-8 with a few broken or
/// truncated sequences).
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut valid_multibyte = 0usize;
    let mut invalid = 0usize;
    for chunk in bytes.utf8_chunks() {
        valid_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid_multibyte > 0 && valid_multibyte >= invalid
}

/// Double-byte CJK text has its high bytes in runs of even length (lead + trail); Latin text in a
/// single-byte charset has isolated high bytes between ASCII letters.
fn high_bytes_come_in_pairs(bytes: &[u8]) -> bool {
    let mut run = 0usize;
    let mut saw_high = false;
    for &b in bytes.iter().chain(std::iter::once(&b' ')) {
        if b >= 0x80 {
            run += 1;
            saw_high = true;
        } else {
            if run % 2 == 1 && !(0x40..=0x7E).contains(&b) {
                return false;
            }
            run = 0;
        }
    }
    saw_high
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_common_legacy_charsets() {
        // "你好，世界" in GBK
        assert_eq!(guess_decode(b"\xc4\xe3\xba\xc3\xa3\xac\xca\xc0\xbd\xe7"), "你好，世界");
        // "ハロー・ワールド" in Shift_JIS
        assert_eq!(
            guess_decode(b"\x83n\x83\x8D\x81[\x81E\x83\x8F\x81[\x83\x8B\x83h"),
            "ハロー・ワールド"
        );
        // ISO-2022-JP
        assert_eq!(guess_decode(b"\x1b$B%O%m!<!&%o!<%k%I\x1b(B"), "ハロー・ワールド");
        // Windows-1252 / Latin-1
        assert_eq!(guess_decode(b"Caf\xe9 cr\xe8me \x80"), "Café crème €");
        assert_eq!(guess_decode("déjà vu".as_bytes()), "déjà vu");
        assert_eq!(guess_decode(b"Probl\xe8me de facturation"), "Problème de facturation");
        assert_eq!(guess_decode(b"\xd5\xcb\xba\xc5\xb1\xbb\xcb\xf8\xb6\xa8"), "账号被锁定");
        // UTF-8 with one truncated sequence.
        assert_eq!(
            guess_decode(b"100 \xe2\x82\xac, broken: \xe2\x82 end"),
            "100 €, broken: \u{fffd} end"
        );
    }

    #[test]
    fn hint_wins() {
        assert_eq!(
            decode_legacy(b"\xcf\xf0\xe8\xe2\xe5\xf2", Some("windows-1251")),
            "Привет"
        );
        assert_eq!(decode_legacy(b"\xc4\xe3\xba\xc3", Some("gb2312")), "你好");
        assert_eq!(decode_legacy(b"Caf\xe9", Some("no-such-charset")), "Café");
        assert_eq!(decode_legacy(b"ok \xe2\x82", Some("utf-8")), "ok \u{fffd}");
    }

    #[test]
    fn detects_misdecoding() {
        assert!(looks_misdecoded("Caf\u{FFFD}"));
        assert!(looks_misdecoded("\u{1b}$B%O"));
        assert!(!looks_misdecoded("Café"));
    }
}
