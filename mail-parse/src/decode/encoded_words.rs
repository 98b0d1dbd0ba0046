//! RFC 2047 encoded words (`=?charset?B|Q?data?=`) in header text, decoded the way mail clients
//! show them: adjacent encoded words joined (the whitespace between them dropped, RFC 2047 §6.2,
//! and a multi-byte character split across two words put back together), whitespace around plain
//! text kept, and malformed words (no closing `?=`, spaces inside a Q word, a wrong or unknown
//! charset label) decoded as well as they can be instead of shown raw.

use super::charset::decode_declared;

/// One RFC 2047 encoded word at the start of `s`: returns (decoded bytes, charset, length).
fn parse_encoded_word(s: &str) -> Option<(Vec<u8>, String, usize)> {
    let rest = s.strip_prefix("=?")?;
    let q1 = rest.find('?')?;
    let charset = rest[..q1].split('*').next().unwrap_or_default().to_string();
    if charset.is_empty() || charset.contains(char::is_whitespace) || charset.len() > 40 {
        return None;
    }
    let rest2 = &rest[q1 + 1..];
    let enc = *rest2.as_bytes().first()?;
    if !matches!(enc, b'q' | b'Q' | b'b' | b'B') || rest2.as_bytes().get(1) != Some(&b'?') {
        return None;
    }
    let q_word = enc.eq_ignore_ascii_case(&b'q');
    let data_and_more = &rest2[2..];
    let (data, consumed) = word_data(data_and_more, q_word);
    let bytes = if q_word {
        decode_q(data)
    } else {
        decode_base64_lenient(data)?
    };
    Some((bytes, charset, 2 + q1 + 1 + 2 + consumed))
}

/// The data of an encoded word and how many bytes of `s` it takes (with the closing `?=`).
/// Writers that forget the `?=` end the word at the next whitespace; some put literal spaces
/// into Q words, which still have their `?=` before the next word starts.
fn word_data(s: &str, q_word: bool) -> (&str, usize) {
    let close = s.find("?=");
    let space = s.find(char::is_whitespace);
    match (close, space) {
        (Some(c), Some(w)) if w < c => {
            if q_word && !s[..c].contains("=?") {
                (&s[..c], c + 2)
            } else {
                (s[..w].trim_end_matches('?'), w)
            }
        }
        (Some(c), _) => (&s[..c], c + 2),
        (None, Some(w)) => (s[..w].trim_end_matches('?'), w),
        (None, None) => (s.trim_end_matches('?'), s.len()),
    }
}

/// Base64 that tolerates missing padding, stray characters and a dangling final character.
pub fn decode_base64_lenient(data: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let mut cleaned: String = data
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
        .collect();
    if cleaned.len() % 4 == 1 {
        cleaned.pop();
    }
    LENIENT.decode(cleaned.as_bytes()).ok()
}

fn decode_q(data: &str) -> Vec<u8> {
    let bytes = data.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'='),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes every encoded word in `text`. With `quote`, each run of encoded words in an address
/// header becomes a quoted string, so a decoded comma does not split the address list.
pub fn decode_encoded_words(text: &str, quote: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_quotes = false;
    // The current run of adjacent encoded words (RFC 2047 §6.2: the whitespace between them is
    // dropped), as (charset, bytes) segments. Consecutive words in the same charset are joined
    // before decoding, since writers split multi-byte characters across words.
    let mut run: Vec<(String, Vec<u8>)> = Vec::new();
    let mut pending_ws = String::new();
    while i < text.len() {
        let rest = &text[i..];
        if rest.starts_with("=?")
            && let Some((bytes, charset, len)) = parse_encoded_word(rest)
        {
            if run.is_empty() {
                out.push_str(&pending_ws);
            }
            // ISO-2022-JP words each end in ASCII mode, and joining two would put escape
            // sequences back to back, which its decoder rejects: they are decoded one by one.
            let stateful = charset.to_ascii_lowercase().starts_with("iso-2022");
            match run.last_mut() {
                Some((last, acc)) if !stateful && last.eq_ignore_ascii_case(&charset) => acc.extend_from_slice(&bytes),
                _ => run.push((charset, bytes)),
            }
            pending_ws.clear();
            i += len;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        if c.is_whitespace() {
            pending_ws.push(c);
            i += c.len_utf8();
            continue;
        }
        flush_run(&mut out, &mut run, quote, in_quotes);
        out.push_str(&pending_ws);
        pending_ws.clear();
        if c == '"' {
            in_quotes = !in_quotes;
        }
        out.push(c);
        i += c.len_utf8();
    }
    flush_run(&mut out, &mut run, quote, in_quotes);
    out.push_str(&pending_ws);
    out.trim().to_string()
}

fn flush_run(out: &mut String, run: &mut Vec<(String, Vec<u8>)>, quote: bool, in_quotes: bool) {
    if run.is_empty() {
        return;
    }
    let decoded: String = run
        .drain(..)
        .map(|(charset, bytes)| decode_declared(&bytes, Some(&charset)))
        .collect();
    if !quote {
        out.push_str(&decoded);
        return;
    }
    let escaped = decoded.replace('\\', "\\\\").replace('"', "\\\"");
    if in_quotes {
        out.push_str(&escaped);
    } else {
        out.push('"');
        out.push_str(&escaped);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::decode_encoded_words as d;

    #[test]
    fn whitespace_between_adjacent_words_is_dropped_and_kept_elsewhere() {
        assert_eq!(d("=?utf-8?Q?a?= =?utf-8?Q?b?=", false), "ab");
        assert_eq!(d("=?utf-8?Q?a?=\t =?iso-8859-1?Q?=E9?=", false), "aé");
        assert_eq!(d("Re: =?utf-8?Q?a?= b  =?utf-8?Q?c?=", false), "Re: a b  c");
        assert_eq!(d("=?utf-8?Q?a_?= plain", false), "a  plain");
    }

    #[test]
    fn malformed_words_are_decoded() {
        // No closing `?=`.
        assert_eq!(d("=?utf-8?B?SGVsbG8=", false), "Hello");
        assert_eq!(d("=?utf-8?Q?Caf=C3=A9? ok", false), "Café ok");
        // Literal spaces inside a Q word.
        assert_eq!(d("=?iso-8859-1?Q?Caf=E9 au lait?=", false), "Café au lait");
        // A label encoding_rs does not know, and UTF-8 bytes under a Latin-1 label.
        assert_eq!(d("=?cp932?B?g26DjYFb?=", false), "ハロー");
        assert_eq!(d("=?iso-8859-1?Q?Caf=C3=A9?=", false), "Café");
        // GBK characters under a GB2312 label; Big5, EUC-KR, KOI8-R.
        assert_eq!(d("=?gb2312?B?6Ua71A==?=", false), "镕辉");
        assert_eq!(d("=?big5?B?pKSk5Q==?=", false), "中文");
        assert_eq!(d("=?ks_c_5601-1987?B?x9Gxub7u?=", false), "한국어");
        assert_eq!(d("=?koi8-r?B?8NLJ18XU?=", false), "Привет");
    }

    #[test]
    fn split_multibyte_character_is_joined() {
        assert_eq!(d("=?UTF-8?B?ww==?= =?UTF-8?B?nGJlcg==?=", false), "\u{dc}ber");
        assert_eq!(d("=?shift_jis?B?g24=?= =?shift_jis?B?g42BWw==?=", false), "ハロー");
        // ISO-2022-JP words are decoded one by one (joined, their escapes would clash).
        assert_eq!(
            d(
                "=?ISO-2022-JP?B?GyRCJU8bKEI=?= =?ISO-2022-JP?B?GyRCJW0hPBsoQg==?=",
                false
            ),
            "ハロー"
        );
    }

    #[test]
    fn address_runs_are_quoted() {
        assert_eq!(d("=?utf-8?Q?Doe,_Jo?= <j@x>", true), "\"Doe, Jo\" <j@x>");
    }
}
