//! Decoding of text that arrived as raw 8-bit bytes in a legacy charset (headers written without
//! RFC 2047 by old clients, text parts without a usable `charset` parameter).
//!
//! With a charset hint (usually the `charset` of the message's text part) that charset is used.
//! Without one: valid UTF-8 stays UTF-8; ISO-2022-JP is recognised by its escape sequences; byte
//! UTF-8 with a few broken sequences is read as UTF-8; text that is mostly non-ASCII with byte
//! runs made only of pairs is tried as Shift_JIS (when lead bytes in 0x81–0x9F appear), GBK,
//! EUC-KR; anything else is Windows-1252 (a superset of ISO-8859-1 that never fails).

use encoding_rs::{BIG5, EUC_KR, Encoding, GBK, ISO_2022_JP, SHIFT_JIS, UTF_8, WINDOWS_1252};

/// True when `text` shows signs of a failed decode: replacement characters or raw ISO-2022 escapes.
pub fn looks_misdecoded(text: &str) -> bool {
    text.contains('\u{FFFD}') || text.contains('\u{1b}')
}

/// The encoding a MIME charset label names. encoding_rs knows the WHATWG labels (where `gb2312`
/// already means GBK and `ks_c_5601-1987` EUC-KR); mail also carries Windows code page and
/// vendor names it does not know (`cp932`, `cp936`, `x-x-big5` …), quoted or padded labels, and
/// labels that say nothing (`us-ascii` on 8-bit text, `unknown-8bit`), which give `None` so the
/// bytes are detected instead.
pub fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let label = label
        .trim()
        .trim_matches(['"', '\'', ';'])
        .split([' ', ';', '\t'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let original = label.clone();
    let label = label.replace('_', "-");
    let aliased = match label.as_str() {
        "us-ascii" | "ascii" | "ansi-x3.4-1968" | "iso646-us" | "unknown-8bit" | "x-unknown" | "unknown" | "8bit"
        | "default" | "x-user-defined" => return None,
        "cp932" | "windows-932" | "x-ms-cp932" | "shift-jis" | "x-sjis" | "sjis-open" | "sjis-win" => "shift_jis",
        "cp936" | "ms936" | "windows-936" | "euc-cn" | "x-euc-cn" | "gb-2312" | "gb2312-80" | "hz-gb-2312-80" => "gbk",
        "cp949" | "ms949" | "windows-949" | "uhc" | "ks-c-5601" | "ks-c-5601-1987" | "ksc5601" | "ksc-5601"
        | "x-windows-949" => "euc-kr",
        "cp950" | "ms950" | "windows-950" | "x-x-big5" | "big-5" | "big5hkscs" | "cn-big5" => "big5",
        "utf8" | "x-utf-8" | "utf-8-bom" => "utf-8",
        "iso-2022-jp-1" | "iso-2022-jp-2" | "iso-2022-jp-3" | "csiso2022jp" => "iso-2022-jp",
        other => other,
    };
    Encoding::for_label(aliased.as_bytes()).or_else(|| Encoding::for_label(original.as_bytes()))
}

/// Decodes `bytes` of a text that declares `label` as its charset: what a mail client shows.
/// Bytes that are valid UTF-8 with non-ASCII characters are UTF-8 whatever a single-byte label
/// says (clients label UTF-8 as Latin-1 far more often than Latin-1 happens to be valid UTF-8);
/// a multi-byte legacy charset is used when the bytes are valid in it; anything that fails is
/// detected ([`guess_decode`]).
pub fn decode_declared(bytes: &[u8], label: Option<&str>) -> String {
    let Some(encoding) = label.and_then(encoding_for) else {
        return guess_decode(bytes);
    };
    if encoding == UTF_8 {
        return match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(_) if mostly_utf8(bytes) || only_truncated_sequences(bytes) => {
                String::from_utf8_lossy(bytes).into_owned()
            }
            Err(_) => guess_decode(bytes),
        };
    }
    if encoding.is_single_byte() && bytes.iter().any(|b| !b.is_ascii()) && std::str::from_utf8(bytes).is_ok() {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => text.into_owned(),
        None if std::str::from_utf8(bytes).is_ok() => String::from_utf8_lossy(bytes).into_owned(),
        None if encoding == GBK || encoding == EUC_KR || encoding == BIG5 || encoding == SHIFT_JIS => {
            // A neighbouring charset mislabelled (Big5 sent as GB2312 …) decodes cleanly when
            // guessed; else the declared one with a few replacement characters.
            let guessed = guess_decode(bytes);
            if looks_misdecoded(&guessed) {
                encoding.decode_without_bom_handling(bytes).0.into_owned()
            } else {
                guessed
            }
        }
        None => encoding.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// Decodes `bytes`: valid UTF-8 as UTF-8, else with the charset named by `hint` when it is known,
/// else by guessing.
pub fn decode_legacy(bytes: &[u8], hint: Option<&str>) -> String {
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.contains('\u{1b}')
    {
        return text.to_string();
    }
    decode_declared(bytes, hint)
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
    if (high * 4 >= visible || cjk_words(bytes)) && high_bytes_come_in_pairs(bytes) {
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

/// The words that have high bytes are mostly made of them, as CJK names between ASCII
/// addresses are (`赵磊 <zhao@…>`); a Latin word has one or two accented letters among many.
fn cjk_words(bytes: &[u8]) -> bool {
    let (mut high, mut len) = (0usize, 0usize);
    for word in bytes.split(|b| b.is_ascii_whitespace()) {
        let h = word.iter().filter(|b| **b >= 0x80).count();
        if h > 0 {
            high += h;
            len += word.len();
        }
    }
    high > 0 && high * 2 >= len
}

/// Every invalid spot is a cut-off multi-byte sequence (lead byte and continuation bytes), as
/// a truncated UTF-8 text has; a single-byte charset's lone high bytes are invalid one by one.
fn only_truncated_sequences(bytes: &[u8]) -> bool {
    bytes
        .utf8_chunks()
        .all(|chunk| chunk.invalid().is_empty() || chunk.invalid().len() >= 2)
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
        // A CJK name among ASCII (an address header).
        assert_eq!(
            guess_decode(b"\xd5\xd4\xc0\xda <zhao.lei@example.cn>"),
            "赵磊 <zhao.lei@example.cn>"
        );
        assert_eq!(guess_decode(b"M\xfcller <m@example.de>"), "Müller <m@example.de>");
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
    fn labels_and_aliases() {
        assert_eq!(encoding_for("gb2312"), Some(GBK));
        assert_eq!(encoding_for(" \"GB2312\" "), Some(GBK));
        assert_eq!(encoding_for("cp936"), Some(GBK));
        assert_eq!(encoding_for("cp932"), Some(SHIFT_JIS));
        assert_eq!(encoding_for("x-sjis"), Some(SHIFT_JIS));
        assert_eq!(encoding_for("ks_c_5601-1987"), Some(EUC_KR));
        assert_eq!(encoding_for("cp949"), Some(EUC_KR));
        assert_eq!(encoding_for("x-x-big5"), Some(BIG5));
        assert_eq!(encoding_for("utf8"), Some(UTF_8));
        assert_eq!(encoding_for("us-ascii"), None);
        assert_eq!(encoding_for("unknown-8bit"), None);
        assert_eq!(encoding_for("no-such-charset"), None);
    }

    #[test]
    fn declared_charsets() {
        // GBK-only character under a GB2312 label.
        assert_eq!(decode_declared(b"\xe9F\xbb\xd4", Some("gb2312")), "镕辉");
        // UTF-8 bytes under a Latin-1 label are UTF-8.
        assert_eq!(decode_declared("Café".as_bytes(), Some("iso-8859-1")), "Café");
        assert_eq!(decode_declared(b"Caf\xe9", Some("iso-8859-1")), "Café");
        // 8-bit bytes under us-ascii are detected.
        assert_eq!(
            decode_declared(b"\xc4\xe3\xba\xc3\xa3\xac\xca\xc0\xbd\xe7", Some("us-ascii")),
            "你好，世界"
        );
        // Latin-1 bytes under a UTF-8 label; a cut-off UTF-8 sequence stays UTF-8.
        assert_eq!(decode_declared(b"Probl\xe8me", Some("utf-8")), "Problème");
        assert_eq!(decode_declared(b"ok \xe2\x82", Some("utf-8")), "ok \u{fffd}");
        assert_eq!(
            decode_declared(b"\xc7\xd1\xb1\xb9\xbe\xee", Some("ks_c_5601-1987")),
            "한국어"
        );
        assert_eq!(decode_declared(b"\xf0\xd2\xc9\xd7\xc5\xd4", Some("koi8-r")), "Привет");
        assert_eq!(decode_declared(b"\x83n\x83\x8d\x81[", Some("cp932")), "ハロー");
    }

    #[test]
    fn detects_misdecoding() {
        assert!(looks_misdecoded("Caf\u{FFFD}"));
        assert!(looks_misdecoded("\u{1b}$B%O"));
        assert!(!looks_misdecoded("Café"));
    }
}
