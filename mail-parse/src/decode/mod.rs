//! Decoding: raw bytes to header fields, body text and attachments — everything mail-parser
//! reads, plus the repairs real mail needs (line endings, legacy charsets, broken MIME).

pub mod attachments;
pub mod body;
pub mod charset;
pub mod encoded_words;
pub mod headers;
pub mod html_text;
pub mod normalize;
pub mod params;
pub mod structure;

/// `%41` → `A` in a URL part (a `cid:` reference, a file name); bad escapes stay as written,
/// and bytes that are not UTF-8 become U+FFFD.
pub(crate) fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&percent_decode_bytes(s.as_bytes())).into_owned()
}

/// `%41` → `A` on bytes (RFC 2231 parameter values are bytes in their own charset).
pub(crate) fn percent_decode_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = hex_byte(bytes.get(i + 1..i + 3).unwrap_or_default())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The byte two hex digits (`4A`, `4a`) stand for; anything else is not an escape.
pub(crate) fn hex_byte(pair: &[u8]) -> Option<u8> {
    let [h, l] = pair else { return None };
    let (h, l) = ((*h as char).to_digit(16)?, (*l as char).to_digit(16)?);
    u8::try_from(h * 16 + l).ok()
}
