//! Parameters of a raw `Content-Type` / `Content-Disposition` value (`name=`, `filename=`),
//! read from the header's bytes so that every way clients write a file name comes out right:
//! RFC 2231 continuations (`filename*0*=`, `filename*1=` …) joined before decoding, their
//! `charset'language'` prefix (`utf-8''…`, `iso-8859-1'de'…`) and percent escapes, RFC 2047
//! encoded words inside quoted values (not allowed, but what Outlook and Gmail send), raw 8-bit
//! names in the part's charset (or detected), and unquoted names with spaces.

use super::charset::{decode_declared, decode_legacy};
use super::encoded_words::decode_encoded_words;

/// One `name=value` of a header value, before decoding.
struct RawParam {
    /// Lowercased, with any RFC 2231 `*N` / `*` suffix.
    name: String,
    value: Vec<u8>,
}

/// The decoded value of parameter `name` in the raw header value `raw`; `charset_hint` reads
/// raw 8-bit values. An RFC 2231 form wins over a plain one (RFC 2231 §4 allows both for old
/// readers).
pub fn param(raw: &[u8], name: &str, charset_hint: Option<&str>) -> Option<String> {
    let params = split_params(raw);
    let name = name.to_ascii_lowercase();
    extended(&params, &name).or_else(|| {
        let plain = params.iter().find(|p| p.name == name)?;
        Some(decode_plain(&plain.value, charset_hint))
    })
}

/// `value` of a plain parameter: encoded words decoded, raw 8-bit bytes in the hinted charset.
fn decode_plain(value: &[u8], charset_hint: Option<&str>) -> String {
    let text = decode_legacy(value, charset_hint);
    if text.contains("=?") {
        decode_encoded_words(&text, false)
    } else {
        text.trim().to_string()
    }
}

/// The RFC 2231 value of `name`: `name*=` or the sections `name*0`, `name*1*` … in order,
/// percent-decoded where marked (`*` after the number) and decoded in the charset of the first
/// section as one byte string (a multi-byte character may be split between sections).
fn extended(params: &[RawParam], name: &str) -> Option<String> {
    let mut sections: Vec<(u32, bool, &[u8])> = Vec::new();
    for p in params {
        let Some(rest) = p.name.strip_prefix(name).and_then(|r| r.strip_prefix('*')) else {
            continue;
        };
        let (number, encoded) = match rest.strip_suffix('*') {
            Some(n) => (n, true),
            None if rest.is_empty() => ("", true),
            None => (rest, false),
        };
        let index = if number.is_empty() {
            Ok(0)
        } else {
            number.parse::<u32>()
        };
        // A section number that is not a number is not a section of this parameter.
        let Ok(index) = index else { continue };
        if !sections.iter().any(|s| s.0 == index) {
            sections.push((index, encoded, p.value.as_slice()));
        }
    }
    if sections.is_empty() {
        return None;
    }
    sections.sort_by_key(|s| s.0);
    let mut charset: Option<String> = None;
    let mut bytes = Vec::new();
    for (i, (_, encoded, value)) in sections.iter().enumerate() {
        let mut value: &[u8] = value;
        if i == 0
            && *encoded
            && let Some((cs, rest)) = split_charset(value)
        {
            charset = Some(cs);
            value = rest;
        }
        if *encoded {
            bytes.extend(super::percent_decode_bytes(value));
        } else {
            bytes.extend_from_slice(value);
        }
    }
    let text = decode_declared(&bytes, charset.as_deref().filter(|c| !c.is_empty()));
    let text = if text.contains("=?") {
        decode_encoded_words(&text, false)
    } else {
        text
    };
    Some(text.trim().to_string())
}

/// `utf-8'de'rest` → (`utf-8`, `rest`). Values without the two quotes have no charset.
fn split_charset(value: &[u8]) -> Option<(String, &[u8])> {
    let first = value.iter().position(|&b| b == b'\'')?;
    let second = first + 1 + value[first + 1..].iter().position(|&b| b == b'\'')?;
    let charset = String::from_utf8_lossy(&value[..first]).trim().to_string();
    (charset.len() <= 40 && !charset.contains(char::is_whitespace)).then(|| (charset, &value[second + 1..]))
}

/// Splits an unfolded header value into its parameters (the leading type or disposition is
/// skipped). Quoted values keep their `;`; unquoted values run to the next `;` (a name with
/// spaces that its writer forgot to quote stays whole).
fn split_params(raw: &[u8]) -> Vec<RawParam> {
    let unfolded: Vec<u8> = raw.iter().copied().filter(|&b| b != b'\r' && b != b'\n').collect();
    let mut out = Vec::new();
    let mut i = match unfolded.iter().position(|&b| b == b';') {
        Some(p) => p + 1,
        None => return out,
    };
    while i < unfolded.len() {
        let Some(eq) = unfolded[i..]
            .iter()
            .position(|&b| b == b'=' || b == b';')
            .map(|p| i + p)
        else {
            break;
        };
        if unfolded[eq] == b';' {
            i = eq + 1;
            continue;
        }
        let name = String::from_utf8_lossy(&unfolded[i..eq]).trim().to_ascii_lowercase();
        let (value, next) = read_value(&unfolded, eq + 1);
        if !name.is_empty() && !name.contains(char::is_whitespace) {
            out.push(RawParam { name, value });
        }
        i = next;
    }
    out
}

/// The value starting at `start` (after `=`) and the index after it and its `;`.
fn read_value(s: &[u8], start: usize) -> (Vec<u8>, usize) {
    let mut i = start;
    while i < s.len() && (s[i] == b' ' || s[i] == b'\t') {
        i += 1;
    }
    if s.get(i) != Some(&b'"') {
        let end = s[i..].iter().position(|&b| b == b';').map_or(s.len(), |p| i + p);
        let value = s[i..end].trim_ascii().to_vec();
        return (value, end + 1);
    }
    let mut value = Vec::new();
    i += 1;
    while i < s.len() {
        match s[i] {
            b'\\' if i + 1 < s.len() => {
                value.push(s[i + 1]);
                i += 2;
                continue;
            }
            b'"' => {
                i += 1;
                break;
            }
            b => value.push(b),
        }
        i += 1;
    }
    let next = s[i.min(s.len())..]
        .iter()
        .position(|&b| b == b';')
        .map_or(s.len(), |p| i + p + 1);
    (value, next)
}

#[cfg(test)]
mod tests {
    use super::param;

    fn p(raw: &[u8], name: &str) -> Option<String> {
        param(raw, name, None)
    }

    #[test]
    fn plain_quoted_and_unquoted() {
        assert_eq!(
            p(b" attachment; filename=\"a;b.pdf\"", "filename").as_deref(),
            Some("a;b.pdf")
        );
        assert_eq!(
            p(b" inline; filename=Screen shot 1.png; size=3", "filename").as_deref(),
            Some("Screen shot 1.png")
        );
        assert_eq!(
            p(b" attachment; FileName=\"x\\\"y.txt\"", "filename").as_deref(),
            Some("x\"y.txt")
        );
        assert_eq!(p(b" attachment", "filename"), None);
        assert_eq!(
            p(b" attachment; filename=\"unterminated.pdf", "filename").as_deref(),
            Some("unterminated.pdf")
        );
    }

    #[test]
    fn rfc2231_continuations_and_charsets() {
        let raw = b" attachment;\r\n filename*0*=utf-8''Gro%C3;\r\n filename*1*=%9Fe%20Datei;\r\n filename*2=\".txt\"";
        assert_eq!(p(raw, "filename").as_deref(), Some("Große Datei.txt"));
        let raw = b" attachment; filename*=iso-8859-1'de'M%E4rz.pdf; filename=\"Maerz.pdf\"";
        assert_eq!(p(raw, "filename").as_deref(), Some("März.pdf"));
        let raw = b" attachment; filename*1=\"b.pdf\"; filename*0=\"a\"";
        assert_eq!(p(raw, "filename").as_deref(), Some("ab.pdf"));
        let raw = b" application/pdf; name*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf";
        assert_eq!(p(raw, "name").as_deref(), Some("請求書.pdf"));
        let raw = b" application/pdf; name*=''plain%20name.pdf";
        assert_eq!(p(raw, "name").as_deref(), Some("plain name.pdf"));
    }

    #[test]
    fn encoded_words_and_raw_bytes() {
        let raw = b" application/pdf; name=\"=?UTF-8?B?UmVjaG51bmcgTcOkcnoucGRm?=\"";
        assert_eq!(p(raw, "name").as_deref(), Some("Rechnung März.pdf"));
        let raw = b" attachment; filename=\"=?gb2312?B?sai827Wl?=.xlsx\"";
        assert_eq!(p(raw, "filename").as_deref(), Some("报价单.xlsx"));
        assert_eq!(
            param(
                b" attachment; filename=\"\xb1\xa8\xbc\xdb.doc\"",
                "filename",
                Some("gb2312")
            )
            .as_deref(),
            Some("报价.doc")
        );
        assert_eq!(
            param(
                b" attachment; filename=\"\xe6\x8a\xa5.doc\"",
                "filename",
                Some("gb2312")
            )
            .as_deref(),
            Some("报.doc")
        );
    }
}
