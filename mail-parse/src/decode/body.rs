//! The message body: the preferred body as text, and the HTML body sanitized for display
//! ([`crate::sanitize`]).
//!
//! Text: the text/plain body when it is meaningful (not empty, not a "this is an HTML message"
//! stub), else the HTML body converted to text ([`super::html_text`]). `format=flowed` text is
//! unwrapped (RFC 3676). Text parts whose charset was missing or wrong (U+FFFD after decoding)
//! are decoded again from their bytes (see [`super::charset`]).

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::charset::{decode_legacy, encoding_for, looks_misdecoded};
use super::headers::decode_base64_lenient;
use super::html_text::{html_to_text, tidy_text};
use crate::sanitize::{sanitize_html, text_to_html};

/// The body of a message, as text and as sanitized HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// The whole preferred body as text.
    pub text: String,
    /// Sanitized HTML; `None` when the message has no HTML body.
    pub html: Option<String>,
}

/// Extracts the preferred text and the sanitized HTML of `msg`.
pub fn extract(msg: &Message<'_>) -> Body {
    let mut plain = Vec::new();
    let mut html_as_text = Vec::new();
    if let Some(id) = fallback_body_part(msg)
        && let Some(part) = msg.parts.get(id as usize)
    {
        return match part.body {
            PartType::Html(_) => {
                let html = part_text(msg, part);
                Body {
                    text: html_to_text(&html),
                    html: Some(sanitize_html(&html)),
                }
            }
            _ => Body {
                text: tidy_text(&part_text(msg, part)),
                html: None,
            },
        };
    }
    // Parts mail-parser took as body text that a mail client lists as files.
    let files = super::structure::body_parts_that_are_files(msg);
    for id in msg.text_body.iter().filter(|id| !files.contains(id)) {
        let Some(part) = msg.parts.get(*id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(_) => plain.push(part_text(msg, part)),
            PartType::Html(_) => html_as_text.push(html_to_text(&part_text(msg, part))),
            _ => {}
        }
    }
    let html_parts: Vec<&MessagePart<'_>> = msg
        .html_body
        .iter()
        .filter(|id| !files.contains(id))
        .filter_map(|id| msg.parts.get(*id as usize))
        .filter(|p| matches!(p.body, PartType::Html(_) | PartType::Text(_)))
        .collect();
    let has_html = html_parts.iter().any(|p| matches!(p.body, PartType::Html(_)));
    let html = has_html.then(|| {
        html_parts
            .iter()
            .map(|p| match p.body {
                PartType::Html(_) => sanitize_html(&part_text(msg, p)),
                _ => text_to_html(&part_text(msg, p)),
            })
            .collect::<Vec<_>>()
            .join("\n")
    });

    let plain = join_parts(plain);
    let text = if is_meaningful(&plain) || !has_html {
        plain
    } else if !html_as_text.is_empty() {
        join_parts(html_as_text)
    } else {
        // text/plain and text/html were alternatives: convert the HTML alternative.
        let converted: Vec<String> = html_parts
            .iter()
            .filter(|p| matches!(p.body, PartType::Html(_)))
            .map(|p| html_to_text(&part_text(msg, p)))
            .collect();
        join_parts(converted)
    };
    Body { text, html }
}

/// A message whose only content is one part mail-parser did not take as a body — `Content-Type:
/// text` without subtype, `multipart/*` without a boundary, `text/x-unknown` — still has that
/// part as its body (unless it is explicitly an attachment or has a file name).
pub fn fallback_body_part(msg: &Message<'_>) -> Option<u32> {
    let has_body = msg
        .text_body
        .iter()
        .chain(&msg.html_body)
        .filter_map(|id| msg.parts.get(*id as usize))
        .any(|p| matches!(p.body, PartType::Text(_) | PartType::Html(_)));
    if has_body {
        return None;
    }
    let root = msg.parts.first()?;
    let attachment = root.content_disposition().is_some_and(|d| d.is_attachment()) || root.attachment_name().is_some();
    (matches!(root.body, PartType::Text(_) | PartType::Html(_)) && !attachment).then_some(0)
}

fn join_parts(parts: Vec<String>) -> String {
    let parts: Vec<String> = parts
        .into_iter()
        .map(|p| p.trim_end().trim_start_matches(['\n', '\r']).to_string())
        .filter(|p| !p.trim().is_empty())
        .collect();
    parts.join("\n\n")
}

/// The decoded text of a text part, with line endings as `\n`, charset repaired and
/// `format=flowed` unwrapped.
pub fn part_text(msg: &Message<'_>, part: &MessagePart<'_>) -> String {
    let decoded = match &part.body {
        PartType::Text(t) | PartType::Html(t) => t.to_string(),
        PartType::Binary(b) | PartType::InlineBinary(b) => String::from_utf8_lossy(b).into_owned(),
        PartType::Message(m) => String::from_utf8_lossy(m.raw_message()).into_owned(),
        PartType::Multipart(_) => String::new(),
    };
    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
    let misdecoded = looks_misdecoded(&decoded);
    let mislabelled = !misdecoded && charset.is_some_and(|c| may_be_mislabelled(&decoded, c));
    let text = if misdecoded || mislabelled {
        match transfer_decoded_bytes(msg, part) {
            // An ASCII-only text (UTF-7, say) was read right by mail-parser whatever it looks like.
            Some(bytes) if misdecoded || !bytes.is_ascii() => decode_legacy(&bytes, charset),
            _ => decoded,
        }
    } else {
        decoded
    };
    let text = unify_line_endings(&text);
    let flowed = part.content_type().is_some_and(|ct| {
        ct.attribute("format").is_some_and(|f| f.eq_ignore_ascii_case("flowed"))
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("plain"))
    });
    if flowed {
        let delsp = part
            .content_type()
            .and_then(|ct| ct.attribute("delsp"))
            .is_some_and(|d| d.eq_ignore_ascii_case("yes"));
        decode_flowed(&text, delsp)
    } else {
        text
    }
}

/// Text mail-parser decoded with a label that cannot be trusted for its bytes: `us-ascii` (or
/// another label that names no charset) on 8-bit text, or a single-byte label on text that shows
/// the signs of UTF-8 read as Latin-1 (`Ã©`, `â€™`). [`decode_legacy`] then reads the bytes again.
fn may_be_mislabelled(decoded: &str, label: &str) -> bool {
    if decoded.is_ascii() {
        return false;
    }
    match encoding_for(label) {
        None => true,
        Some(encoding) => {
            encoding.is_single_byte() && decoded.contains(['\u{c2}', '\u{c3}', '\u{e2}', '\u{d0}', '\u{d1}', '\u{ef}'])
        }
    }
}

/// CRLF and lone CR become LF; NUL is dropped (it cannot be stored in a text column and is never
/// meant to be seen). One pass into one allocation: chained `replace` calls copied a 60 MB body
/// three times over growing buffers (`maildesk bench pathological`).
fn unify_line_endings(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for i in memchr::memchr2_iter(b'\r', b'\0', bytes) {
        // `i` is at an ASCII byte, so every slice boundary is a char boundary.
        out.push_str(&text[start..i]);
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            out.push('\n');
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out
}

/// The bytes of a part after transfer decoding (base64 / quoted-printable), read again from the
/// raw message.
pub fn transfer_decoded_bytes(msg: &Message<'_>, part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let raw = msg
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize)?;
    let encoding = part
        .content_transfer_encoding()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Some(match encoding.as_str() {
        "base64" => decode_base64_lenient(&String::from_utf8_lossy(raw))?,
        "quoted-printable" => decode_quoted_printable(raw),
        _ => raw.to_vec(),
    })
}

/// Quoted-printable body decoding (RFC 2045 §6.7), lenient about malformed escapes.
pub fn decode_quoted_printable(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' {
            let rest = &raw[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let Some(b) = super::hex_byte(rest.get(..2).unwrap_or_default()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// Unwraps `format=flowed` text (RFC 3676): a line ending in a space continues on the next line
/// of the same quote depth; space-stuffing is removed; the `-- ` signature separator is kept.
pub fn decode_flowed(text: &str, delsp: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut open: Option<(usize, String)> = None; // (quote depth, paragraph so far)
    for line in text.split('\n') {
        let depth = line.chars().take_while(|&c| c == '>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        let is_sig = content == "-- ";
        if let Some((d, _)) = &open
            && *d != depth
            && let Some((d, para)) = open.take()
        {
            out.push(quote_line(d, &para));
        }
        let soft = content.ends_with(' ') && !is_sig;
        let piece = if soft && delsp {
            &content[..content.len() - 1]
        } else {
            content
        };
        let para = match open.take() {
            Some((_, mut para)) => {
                // Sloppy writers end soft lines with several spaces; one is enough.
                while para.ends_with("  ") {
                    para.pop();
                }
                para.push_str(piece);
                para
            }
            None => piece.to_string(),
        };
        if soft {
            open = Some((depth, para));
        } else {
            out.push(quote_line(depth, &para));
        }
    }
    if let Some((d, para)) = open {
        out.push(quote_line(d, &para));
    }
    out.join("\n")
}

fn quote_line(depth: usize, text: &str) -> String {
    if depth == 0 {
        text.to_string()
    } else {
        format!("{} {}", ">".repeat(depth), text)
    }
}

/// Whether a text/plain body says something, rather than being empty or a stub that points
/// to the HTML alternative.
pub fn is_meaningful(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return false;
    }
    if trimmed.chars().count() > 400 {
        return true;
    }
    let lower = trimmed.to_lowercase();
    const STUBS: &[&str] = &[
        "this is an html message",
        "this is a html message",
        "this message is in html format",
        "this is a multi-part message in mime format",
        "view it in a browser",
        "view this email in your browser",
        "view this message in a browser",
        "html compatible email",
        "html-compatible email",
        "your email client does not support html",
        "your mail client does not support html",
        "email client that supports html",
        "to view the message, please use",
        "to view this message, please use",
        "this email requires html",
    ];
    !STUBS.iter().any(|s| lower.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flowed_text_is_unwrapped() {
        assert_eq!(
            decode_flowed("This is \nflowed.\n-- \nsig", false),
            "This is flowed.\n-- \nsig"
        );
        assert_eq!(decode_flowed("> quoted \n> more\nnew", false), "> quoted more\nnew");
        assert_eq!(decode_flowed("Del \nsp", true), "Delsp");
        assert_eq!(decode_flowed(" >stuffed", false), ">stuffed");
    }

    #[test]
    fn stubs_are_not_meaningful() {
        assert!(!is_meaningful("  \n "));
        assert!(!is_meaningful(
            "This is an HTML message. Please use an HTML capable mail program to read it."
        ));
        assert!(!is_meaningful("To view this email, view it in a browser: https://x"));
        assert!(is_meaningful("My printer is broken."));
    }

    #[test]
    fn quoted_printable() {
        assert_eq!(
            decode_quoted_printable(b"Caf=E9 =\r\nsoft=3D =ZZ"),
            b"Caf\xe9 soft= =ZZ"
        );
    }

    #[test]
    fn line_endings_are_unified_in_one_pass() {
        assert_eq!(unify_line_endings("a\r\nb\rc\nd\0e\r\0\n\r"), "a\nb\nc\nde\n\n\n");
        assert_eq!(unify_line_endings("é\r\n€"), "é\n€");
    }
}
