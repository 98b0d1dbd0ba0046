//! The message body: the preferred body as text, and the HTML body sanitized for display.
//!
//! Text: the text/plain body when it is meaningful (not empty, not a "this is an HTML message"
//! stub), else the HTML body converted to text. `format=flowed` text is unwrapped (RFC 3676).
//! Text parts whose charset was missing or wrong (U+FFFD after decoding) are decoded again from
//! their bytes (see [`super::charset`]).
//!
//! HTML: sanitized with ammonia — no script/style/iframe/object/form, no `on*` handlers, links
//! only `http`/`https`/`mailto` (with `rel="noopener noreferrer"`), images only `cid:`,
//! `data:image/…` or remote. Remote images are not loaded: their `src` is removed and the
//! address kept in `data-remote-src`, so the UI can offer "load remote content". `cid:`
//! references stay as they are; [`rewrite_cid`] turns them into attachment URLs later.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use html2text::render::TextDecorator;
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::charset::{decode_legacy, looks_misdecoded};
use super::headers::decode_base64_lenient;

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
    for id in &msg.text_body {
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
    let text = if looks_misdecoded(&decoded) {
        match transfer_decoded_bytes(msg, part) {
            Some(bytes) => decode_legacy(&bytes, charset),
            None => decoded,
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
            if rest.len() >= 2
                && let (Some(h), Some(l)) = ((rest[0] as char).to_digit(16), (rest[1] as char).to_digit(16))
            {
                out.push((h * 16 + l) as u8);
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

/// A text decorator for mail: links and emphasis as plain text, images dropped, quotes as `> `,
/// list items as `- ` / `1. `.
#[derive(Clone, Debug, Default)]
struct MailDecorator;

impl TextDecorator for MailDecorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    fn decorate_image(&mut self, _src: &str, _title: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }
    fn quote_prefix(&self) -> String {
        "> ".to_string()
    }
    fn unordered_item_prefix(&self) -> String {
        "- ".to_string()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        MailDecorator
    }
    fn decorate_superscript_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_superscript_end(&self) -> String {
        String::new()
    }
}

/// Width html2text wraps at: wide enough that paragraphs stay on one line.
const TEXT_WIDTH: usize = 10_000;

/// html2text builds a DOM and a render tree with several µs per element: a 10 MB body of
/// 240,000 elements took over 2 s (`maildesk bench pathological`). Real mail stays far below
/// (a long HTML thread has a few thousand tags); beyond this the tag stripper takes the text,
/// in linear time, without the quote markers, hidden-content removal and layout html2text gives.
const MAX_RENDERED_TAGS: usize = 50_000;

fn has_more_tags_than(html: &str, max: usize) -> bool {
    let bytes = html.as_bytes();
    memchr::memchr_iter(b'<', bytes)
        .filter(|&i| bytes.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/'))
        .nth(max)
        .is_some()
}

/// Converts HTML to readable plain text (no wrapping; blockquotes become `> ` lines; content
/// hidden with `display:none` is dropped).
pub fn html_to_text(html: &str) -> String {
    if has_more_tags_than(html, MAX_RENDERED_TAGS) {
        return tidy_text(&strip_tags(html));
    }
    let with_css = html2text::config::with_decorator(MailDecorator)
        .raw_mode(true)
        .allow_width_overflow()
        .use_doc_css()
        .string_from_read(html.as_bytes(), TEXT_WIDTH);
    let text = match with_css {
        Ok(t) => t,
        Err(_) => html2text::config::with_decorator(MailDecorator)
            .raw_mode(true)
            .allow_width_overflow()
            .string_from_read(html.as_bytes(), TEXT_WIDTH)
            .unwrap_or_else(|_| strip_tags(html)),
    };
    tidy_text(&text)
}

/// Trims line ends, turns non-breaking spaces into spaces and keeps at most one empty line in a row.
pub fn tidy_text(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.replace('\u{a0}', " ").replace('\u{200b}', "").lines() {
        let line = line.trim_end();
        let blank = line.trim_start_matches(['>', ' ']).is_empty();
        if blank && out.last().is_some_and(|l| l.trim_start_matches(['>', ' ']).is_empty()) {
            continue;
        }
        out.push(line.to_string());
    }
    while out.first().is_some_and(|l| l.trim().is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Last-resort HTML to text: drop tags (block-level ones end a line), decode a few entities.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // Inside a tag: its name so far, and whether the name has ended (attributes follow).
    let mut tag: Option<(String, bool)> = None;
    for c in html.chars() {
        match (c, tag.as_mut()) {
            ('<', None) => tag = Some((String::new(), false)),
            ('>', Some((name, _))) => {
                out.push(if is_block_tag(name) { '\n' } else { ' ' });
                tag = None;
            }
            (_, Some((_, done))) if c.is_whitespace() => *done = true,
            // Only a short name is kept: attributes can be megabytes (data: images).
            (_, Some((name, false))) if name.len() < 12 => name.push(c.to_ascii_lowercase()),
            (_, Some(_)) => {}
            (_, None) => out.push(c),
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn is_block_tag(name: &str) -> bool {
    let name = name.trim_start_matches('/');
    matches!(
        name,
        "br" | "br/" | "p" | "div" | "tr" | "li" | "blockquote" | "table" | "hr" | "pre"
    ) || name
        .strip_prefix('h')
        .is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit())
}

/// Plain text as HTML (for a text part between HTML parts).
fn text_to_html(text: &str) -> String {
    let escaped = escape_html(text);
    format!("<p>{}</p>", escaped.replace('\n', "<br>\n"))
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn has_scheme(url: &str, schemes: &[&str]) -> bool {
    let url = url.trim().to_ascii_lowercase();
    schemes.iter().any(|s| url.starts_with(&format!("{s}:")))
}

fn is_remote(url: &str) -> bool {
    has_scheme(url, &["http", "https"]) || url.trim().starts_with("//")
}

fn is_allowed_data_image(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    ["png", "jpeg", "jpg", "gif", "webp", "bmp"]
        .iter()
        .any(|t| url.starts_with(&format!("data:image/{t}")))
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "address",
        "b",
        "bdi",
        "bdo",
        "big",
        "blockquote",
        "br",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "font",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
        "wbr",
    ]
    .into_iter()
    .collect();
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    tag_attributes.insert("a", ["href"].into_iter().collect());
    tag_attributes.insert("img", ["src", "alt", "width", "height"].into_iter().collect());
    for cell in ["td", "th"] {
        tag_attributes.insert(cell, ["colspan", "rowspan", "align", "valign"].into_iter().collect());
    }
    tag_attributes.insert("ol", ["start"].into_iter().collect());
    tag_attributes.insert("col", ["span"].into_iter().collect());
    tag_attributes.insert("colgroup", ["span"].into_iter().collect());
    tag_attributes.insert("bdo", ["dir"].into_iter().collect());
    tag_attributes.insert("p", ["align"].into_iter().collect());
    tag_attributes.insert("div", ["align"].into_iter().collect());

    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .clean_content_tags(
            ["script", "style", "title", "template", "noscript"]
                .into_iter()
                .collect(),
        )
        .tag_attributes(tag_attributes)
        .generic_attributes(["title", "lang", "dir"].into_iter().collect())
        .url_schemes(["http", "https", "mailto", "cid", "data"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "href") => has_scheme(value, &["http", "https", "mailto"]).then(|| value.into()),
            ("img", "src") => {
                (is_remote(value) || has_scheme(value, &["cid"]) || is_allowed_data_image(value)).then(|| value.into())
            }
            _ => Some(value.into()),
        });
    builder
});

/// Sanitizes untrusted HTML for display (see the module documentation).
pub fn sanitize_html(html: &str) -> String {
    let cleaned = SANITIZER.clean(html).to_string();
    rewrite_img_srcs(
        &cleaned,
        |src| {
            if is_remote(src) { ImgSrc::Remote } else { ImgSrc::Keep }
        },
    )
    .trim()
    .to_string()
}

/// Replaces `cid:` image sources by the URLs in `map` (keyed by Content-ID without angle
/// brackets; looked up as written, percent-decoded, and case-insensitively). Unknown ids are
/// left as they are.
pub fn rewrite_cid(html: &str, map: &HashMap<String, String>) -> String {
    let lowered: HashMap<String, &String> = map.iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
    rewrite_img_srcs(html, |src| {
        let trimmed = src.trim();
        let Some(id) = trimmed
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("cid:"))
            .map(|_| &trimmed[4..])
        else {
            return ImgSrc::Keep;
        };
        let id = id.trim_start_matches('<').trim_end_matches('>');
        let decoded = percent_decode(id);
        let found = map
            .get(id)
            .or_else(|| map.get(&decoded))
            .or_else(|| lowered.get(&id.to_lowercase()).copied())
            .or_else(|| lowered.get(&decoded.to_lowercase()).copied());
        match found {
            Some(url) => ImgSrc::Replace(url.clone()),
            None => ImgSrc::Keep,
        }
    })
}

fn percent_decode(s: &str) -> String {
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

enum ImgSrc {
    Keep,
    /// Remove `src`, keep the address in `data-remote-src`.
    Remote,
    Replace(String),
}

/// Calls `decide` with the (unescaped) `src` of every `<img>` tag and rewrites the tag
/// accordingly. Works on serialized HTML whose attribute values are double-quoted (ammonia's
/// output); anything else is copied unchanged.
fn rewrite_img_srcs(html: &str, decide: impl Fn(&str) -> ImgSrc) -> String {
    // ASCII lowercasing keeps byte offsets, so positions in `lower` are positions in `html`.
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() + 64);
    let mut done = 0; // `html[..done]` is in `out`
    let mut search = 0;
    while let Some(found) = lower.get(search..).and_then(|l| l.find("<img")) {
        let pos = search + found;
        let after_name = pos + 4;
        if !html[after_name..].starts_with([' ', '\t', '\n', '/', '>']) {
            search = after_name;
            continue;
        }
        let Some(tag_len) = tag_end(&html[after_name..]) else {
            break;
        };
        out.push_str(&html[done..after_name]);
        out.push_str(&rewrite_tag_attrs(&html[after_name..after_name + tag_len], &decide));
        done = after_name + tag_len;
        search = done;
    }
    out.push_str(&html[done..]);
    out
}

/// Length of a tag's attribute part up to and including the closing `>`, respecting quotes.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn rewrite_tag_attrs(tag: &str, decide: &impl Fn(&str) -> ImgSrc) -> String {
    let lower = tag.to_ascii_lowercase();
    let Some(src_pos) = [" src=\"", "\tsrc=\"", "\nsrc=\""]
        .iter()
        .filter_map(|p| lower.find(p))
        .min()
    else {
        return tag.to_string();
    };
    let value_start = src_pos + 6;
    let Some(value_len) = tag[value_start..].find('"') else {
        return tag.to_string();
    };
    let value = unescape_attr(&tag[value_start..value_start + value_len]);
    let attr_end = value_start + value_len + 1;
    match decide(&value) {
        ImgSrc::Keep => tag.to_string(),
        ImgSrc::Replace(url) => {
            format!("{} src=\"{}\"{}", &tag[..src_pos], escape_attr(&url), &tag[attr_end..])
        }
        ImgSrc::Remote => {
            format!(
                "{} data-remote-src=\"{}\"{}",
                &tag[..src_pos],
                escape_attr(&value),
                &tag[attr_end..]
            )
        }
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_removes_active_content() {
        let html = r#"<html><head><title>T</title><style>p{color:red}</style></head><body onload="x()">
            <p onclick="evil()" style="background:url(http://t/x)">Hi <b>there</b> <i>you</i></p>
            <script>alert(1)</script><iframe src="http://x"></iframe><object data="x"></object>
            <form action="http://x"><input name="a"></form>
            <a href="javascript:alert(1)">js</a> <a href="https://ok.example/a?b=1&c=2" target="_blank">ok</a>
            <a href="mailto:a@b.c">mail</a> <a href="/relative">rel</a>
            <img src="cid:logo@x" alt="logo"> <img src="https://tracker.example/p.gif?u=1&v=2" width="1">
            <img src="data:image/png;base64,AAAA"> <img src="data:text/html;base64,AAAA"> <img src="file:///etc/passwd">
            <ul><li>one</li></ul><table><tr><td colspan="2">cell</td></tr></table><blockquote>q</blockquote>
            </body></html>"#;
        let out = sanitize_html(html);
        for bad in [
            "script",
            "alert",
            "iframe",
            "object",
            "<form",
            "<input",
            "onclick",
            "onload",
            "style",
            "javascript:",
            "<title",
            "file:",
            "data:text",
            "/relative",
            "target=",
        ] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
        for good in [
            "<b>there</b>",
            "<i>you</i>",
            r#"href="https://ok.example/a?b=1&amp;c=2""#,
            r#"rel="noopener noreferrer""#,
            r#"href="mailto:a@b.c""#,
            r#"<img src="cid:logo@x" alt="logo">"#,
            r#"data-remote-src="https://tracker.example/p.gif?u=1&amp;v=2""#,
            r#"src="data:image/png;base64,AAAA""#,
            "<li>one</li>",
            r#"<td colspan="2">cell</td>"#,
            "<blockquote>q</blockquote>",
        ] {
            assert!(out.contains(good), "{good} missing in {out}");
        }
        assert!(
            !out.contains(" src=\"https://tracker"),
            "remote image would load: {out}"
        );
    }

    #[test]
    fn cid_rewriting() {
        let html = sanitize_html(
            r#"<p><img src="cid:image001.png@01D9" alt="a"><IMG SRC="cid:Other%40x"><img src="cid:unknown"></p>"#,
        );
        let mut map = HashMap::new();
        map.insert(
            "image001.png@01D9".to_string(),
            "/api/attachments/1?x=1&y=2".to_string(),
        );
        map.insert("other@x".to_string(), "/api/attachments/2".to_string());
        let out = rewrite_cid(&html, &map);
        assert!(out.contains(r#"src="/api/attachments/1?x=1&amp;y=2""#), "{out}");
        assert!(out.contains(r#"src="/api/attachments/2""#), "{out}");
        assert!(out.contains(r#"src="cid:unknown""#), "{out}");
        // Garbage in, no panic.
        let _ = rewrite_cid("<img src=\"cid:", &map);
        let _ = rewrite_cid("<img", &map);
        let _ = rewrite_cid("<imgé<img src=\"cid:é\">", &map);
    }

    #[test]
    fn html_to_text_is_readable() {
        let text = html_to_text(
            "<div style=\"display:none\">preheader</div><p>Hello <a href=\"https://x\">link</a>,</p><p>line two<br>line three</p>\
             <ul><li>a</li><li>b</li></ul><blockquote>quoted</blockquote><img src=\"cid:x\" alt=\"logo\">",
        );
        assert_eq!(text, "Hello link,\n\nline two\nline three\n- a\n- b\n\n> quoted");
    }

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

    /// Past the tag limit the linear stripper answers: block tags still end lines.
    #[test]
    fn huge_html_is_stripped_linearly() {
        let html = format!(
            "<div>{}</div>",
            "<p class=\"x\">line &amp; more</p><span>a</span>".repeat(20_000)
        );
        assert!(has_more_tags_than(&html, MAX_RENDERED_TAGS));
        let text = html_to_text(&html);
        assert!(text.starts_with("line & more\n a\nline & more\n"), "{}", &text[..60]);
        assert_eq!(text.lines().count(), 40_000);
        assert!(!has_more_tags_than("<p>a</p> 1 < 2", MAX_RENDERED_TAGS));
    }
}
