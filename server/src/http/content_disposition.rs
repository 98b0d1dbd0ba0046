//! `Content-Disposition` with a file name from outside (a mail's attachment, an upload),
//! encoded per RFC 6266: a quoted ASCII fallback for old clients and `filename*` (RFC 5987,
//! UTF-8, percent-encoded) with the real name. A quote, backslash, semicolon-split or line
//! break in the name can never end the parameter or the header: the fallback holds only
//! plain printable ASCII, and the extended value only unreserved characters and `%XX`.

/// Without a usable name (all control characters, say).
const UNNAMED: &str = "download";

/// `attachment; filename="…"` (and `filename*=UTF-8''…` when the name is not plain ASCII).
pub fn attachment(filename: &str) -> String {
    header_value("attachment", filename)
}

/// `inline; filename="…"` (and `filename*=…`), for what the browser may show.
pub fn inline(filename: &str) -> String {
    header_value("inline", filename)
}

fn header_value(disposition: &str, filename: &str) -> String {
    // Control characters mean nothing in a file name and could only be used to break things.
    let name: String = filename.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    let name = if name.is_empty() { UNNAMED } else { name };
    let fallback = ascii_fallback(name);
    if fallback == name {
        format!("{disposition}; filename=\"{fallback}\"")
    } else {
        format!(
            "{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{}",
            percent_encode(name)
        )
    }
}

/// The name for clients that ignore `filename*`: printable ASCII, with `_` for everything a
/// quoted string would need escaped (`"`, `\`) and for what is not ASCII. `%` too, since some
/// browsers percent-decode the plain `filename`.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            ' '..='~' if !matches!(c, '"' | '\\' | '%') => c,
            _ => '_',
        })
        .collect()
}

/// RFC 5987 `value-chars`: `attr-char`s as they are, every other byte of the UTF-8 as `%XX`.
fn percent_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for &b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_is_one_quoted_parameter() {
        assert_eq!(
            attachment("report 2024.pdf"),
            "attachment; filename=\"report 2024.pdf\""
        );
        assert_eq!(inline("photo.png"), "inline; filename=\"photo.png\"");
    }

    #[test]
    fn quotes_semicolons_and_line_breaks_cannot_add_parameters_or_headers() {
        let value = attachment("a\"; x=1\r\nSet-Cookie: evil.txt");
        assert_eq!(
            value,
            "attachment; filename=\"a_; x=1Set-Cookie: evil.txt\"; \
             filename*=UTF-8''a%22%3B%20x%3D1Set-Cookie%3A%20evil.txt"
        );
        assert!(!value.contains(['\r', '\n']));
        // Exactly the two quotes of the fallback: nothing closes it early.
        assert_eq!(value.matches('"').count(), 2, "{value}");
        assert_eq!(
            attachment("back\\slash%41.txt"),
            "attachment; filename=\"back_slash_41.txt\"; filename*=UTF-8''back%5Cslash%2541.txt"
        );
    }

    #[test]
    fn utf8_names_travel_in_filename_star() {
        assert_eq!(
            attachment("Überweisung €.pdf"),
            "attachment; filename=\"_berweisung _.pdf\"; filename*=UTF-8''%C3%9Cberweisung%20%E2%82%AC.pdf"
        );
    }

    #[test]
    fn a_name_of_nothing_gets_a_stand_in() {
        assert_eq!(attachment("\r\n\u{0}"), "attachment; filename=\"download\"");
        assert_eq!(attachment("   "), "attachment; filename=\"download\"");
    }

    #[test]
    fn every_value_is_a_valid_header_value() {
        for name in ["a\"b", "ä\u{7f}ö", "x\ty", "日本語.txt", "\u{202e}gpj.exe"] {
            let value = attachment(name);
            assert!(
                actix_web::http::header::HeaderValue::from_str(&value).is_ok() && value.is_ascii(),
                "{value:?}"
            );
        }
    }
}
