//! Percent-encoding of a URL query value, as the browser's `encodeURIComponent` does it.
//!
//! Written in Rust rather than called through `js_sys` so that the filters' URL round trip
//! is unit-tested natively (`cargo test`), where JavaScript functions are not available.

/// Every byte but the unreserved ones (`A–Z a–z 0–9 - _ . ! ~ * ' ( )`) as `%XX` of its UTF-8.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`encode`] (and of `+`-free form encoding); `None` for a broken `%XX` or
/// bytes that are not UTF-8.
#[cfg(test)]
pub fn decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_non_ascii_characters_are_escaped_like_encode_uri_component() {
        assert_eq!(encode("vip"), "vip");
        assert_eq!(encode("a b&c=d/e?"), "a%20b%26c%3Dd%2Fe%3F");
        assert_eq!(encode("it's (ok)!"), "it's%20(ok)!");
        assert_eq!(encode("café #1"), "caf%C3%A9%20%231");
    }

    #[test]
    fn decoding_undoes_encoding() {
        for s in ["", "vip", "a b&c=d", "café #1 %", "100%"] {
            assert_eq!(decode(&encode(s)).as_deref(), Some(s));
        }
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%4"), None);
    }
}
