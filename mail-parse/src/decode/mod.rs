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
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
